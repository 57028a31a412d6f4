package x_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/x"
	"github.com/caseyos/caseyos/connectors/x/xtest"
)

// benchWatch is a founder's watch list of a usual size: three competitors,
// the product's name and four keywords — one search query.
var benchWatch = backend.WatchList{
	Competitors: []string{"Stackwise", "BuildBuddy", "Nx Cloud"},
	Product:     "Pebblecache",
	Keywords:    []string{"remote build cache", "bazel cache", "slow CI", "turborepo cache"},
}

// requests counts what the fake received, by endpoint.
type requests struct{ me, mentions, search, other int }

func countRequests(srv *xtest.Server, since int) (requests, int) {
	var r requests
	all := srv.Requests()
	for _, q := range all[since:] {
		switch {
		case q.Method != http.MethodGet:
			r.other++
		case q.Path == "/2/users/me":
			r.me++
		case q.Path == "/2/tweets/search/recent":
			r.search++
		case len(q.Path) > len("/mentions") && q.Path[len(q.Path)-len("/mentions"):] == "/mentions":
			r.mentions++
		default:
			r.other++
		}
	}
	return r, len(all)
}

// budgetWorld is a connected account that has synced once (its since_ids
// stored, as after any earlier pass or a restart) and then received n new
// mentions from 250 different people.
func budgetWorld(tb testing.TB, n int) (*world, *x.Client, string, int) {
	tb.Helper()
	w := newWorld(tb, xtest.Options{Limits: map[string]xtest.Limit{xtest.EndpointMentions: {Requests: 100000}}})
	fan := make([]xtest.User, 250)
	for i := range fan {
		fan[i] = w.srv.AddUser(xtest.User{Username: fmt.Sprintf("dev%03d", i), Followers: 100 + i*37})
	}
	now := time.Now()
	w.srv.AddMention(fan[0].ID, "@pebblecache hello", now.Add(-time.Hour))
	c := w.client(tb, x.Config{Directory: watch{list: benchWatch}})
	_, cursor := pollAll(tb, c, "")
	for i := 0; i < n; i++ {
		w.srv.AddMention(fan[i%len(fan)].ID, fmt.Sprintf("@pebblecache does the remote cache work with Gradle? (%d)", i), now.Add(-time.Duration(n-i)*time.Second))
	}
	_, mark := countRequests(w.srv, 0)
	return w, c, cursor, mark
}

// TestRequestBudget pins the figures of docs/benchmarks.md ("X — requests
// per 1,000 new mentions and per watch-list poll"). 1,000 new mentions
// since the last pass: X's mentions timeline reaches only the most recent
// 800 (eight pages of 100); the watch list's product term, "Pebblecache",
// is also the account's handle, so recent search finds all 1,000 again
// (ten pages) and no mention is lost. A poll with nothing new costs one
// mentions request and one search request for the whole watch list.
func TestRequestBudget(t *testing.T) {
	t.Run("1000NewMentions", func(t *testing.T) {
		w, c, cursor, mark := budgetWorld(t, 1000)
		sigs, _ := pollAll(t, c, cursor)
		got, _ := countRequests(w.srv, mark)
		posts := map[string]bool{}
		for _, s := range sigs {
			if s.Post != nil {
				posts[s.Post.ID] = true
			}
		}
		if len(posts) != 1000 || got != (requests{mentions: 8, search: 10}) {
			t.Errorf("1,000 new mentions: %d posts, requests %+v; want all 1,000, 8 mentions pages and 10 search pages", len(posts), got)
		}
	})
	t.Run("WatchListPoll", func(t *testing.T) {
		if n := len(x.QueryList(x.BuildQueries(benchWatch, "pebblecache"))); n != 1 {
			t.Fatalf("the watch list makes %d queries, want 1", n)
		}
		w, c, cursor, mark := budgetWorld(t, 0)
		pollAll(t, c, cursor)
		got, _ := countRequests(w.srv, mark)
		if got != (requests{mentions: 1, search: 1}) {
			t.Errorf("a poll with nothing new: requests %+v, want one mentions request and one search", got)
		}
	})
}

// BenchmarkXSync_1000Mentions is one pass after 1,000 new mentions, from
// stored since_ids, through the real client and OAuth 1.0a signing over
// loopback to the fake: requests per 1,000 mentions and the share of the
// mentions endpoint's 15-minute window (180 per user) they use.
func BenchmarkXSync_1000Mentions(b *testing.B) {
	var got requests
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		w, c, cursor, mark := budgetWorld(b, 1000)
		b.StartTimer()
		pollAll(b, c, cursor)
		b.StopTimer()
		got, _ = countRequests(w.srv, mark)
		b.StartTimer()
	}
	b.ReportMetric(float64(got.mentions+got.search+got.me+got.other), "requests/1000mentions")
	b.ReportMetric(float64(got.mentions)/float64(xtest.DefaultLimits[xtest.EndpointMentions].Requests), "mentions-window-share")
}

// BenchmarkXSync_WatchListPoll is one poll with nothing new: the requests
// it costs, and the share of the search window (300 per user per 15
// minutes) one poll uses.
func BenchmarkXSync_WatchListPoll(b *testing.B) {
	w, c, cursor, _ := budgetWorld(b, 0)
	var got requests
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, mark := countRequests(w.srv, 0)
		_, cursor = pollAll(b, c, cursor)
		got, _ = countRequests(w.srv, mark)
	}
	b.ReportMetric(float64(got.mentions+got.search+got.me+got.other), "requests/poll")
	b.ReportMetric(float64(got.search)/float64(xtest.DefaultLimits[xtest.EndpointSearch].Requests), "search-window-share")
}
