package xtest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/x/xtest"
)

func ids(tb testing.TB, a answer) []string {
	tb.Helper()
	list, _ := a.body["data"].([]any)
	var out []string
	for _, d := range list {
		out = append(out, d.(map[string]any)["id"].(string))
	}
	return out
}

func meta(a answer) map[string]any {
	m, _ := a.body["meta"].(map[string]any)
	return m
}

// seedMentions adds n mentions of the account by @devjess, a minute apart,
// the newest a minute before now.
func seedMentions(a *account, n int, now time.Time) (jess xtest.User, added []xtest.Tweet) {
	jess = a.srv.AddUser(xtest.User{Username: "devjess", Name: "Jess", Followers: 5400, Verified: true})
	for i := n; i >= 1; i-- {
		added = append(added, a.srv.AddMention(jess.ID, fmt.Sprintf("@pebblecache question %d about remote caching", n-i+1), now.Add(-time.Duration(i)*time.Minute)))
	}
	return jess, added
}

func TestMentions(t *testing.T) {
	now := time.Now().UTC()
	a := newAccount(t, xtest.Options{})
	jess, added := seedMentions(a, 12, now)
	a.srv.AddTweet(xtest.Tweet{AuthorID: jess.ID, Text: "no mention of anyone", CreatedAt: now.Add(-30 * time.Second)})
	base := "/2/users/" + a.me.ID + "/mentions?max_results=5&expansions=author_id&user.fields=public_metrics,verified,username,name&tweet.fields=created_at,conversation_id,author_id,in_reply_to_user_id,referenced_tweets"

	t.Run("PagesWithPaginationToken", func(t *testing.T) {
		var got []string
		path, pages := base, 0
		for {
			ans := a.get(t, path)
			if ans.status != 200 {
				t.Fatalf("status = %d: %s", ans.status, ans.raw)
			}
			page := ids(t, ans)
			m := meta(ans)
			if m["result_count"] != float64(len(page)) || m["newest_id"] != page[0] || m["oldest_id"] != page[len(page)-1] {
				t.Errorf("meta = %v for page %v", m, page)
			}
			got = append(got, page...)
			pages++
			next, ok := m["next_token"].(string)
			if !ok {
				break
			}
			if _, has := m["pagination_token"]; has {
				t.Errorf("meta has pagination_token: %v", m)
			}
			path = base + "&pagination_token=" + url.QueryEscape(next)
		}
		if pages != 3 || len(got) != 12 {
			t.Fatalf("pages = %d, mentions = %d, want 3 and 12", pages, len(got))
		}
		for i := range got {
			if want := added[len(added)-1-i].ID; got[i] != want {
				t.Fatalf("mention %d = %s, want %s (newest first)", i, got[i], want)
			}
		}
	})
	t.Run("FieldsAndExpansions", func(t *testing.T) {
		ans := a.get(t, base)
		d := ans.body["data"].([]any)[0].(map[string]any)
		for _, k := range []string{"id", "text", "created_at", "conversation_id", "author_id", "edit_history_tweet_ids"} {
			if _, ok := d[k]; !ok {
				t.Errorf("post lacks %s: %v", k, d)
			}
		}
		if _, err := time.Parse(time.RFC3339, d["created_at"].(string)); err != nil {
			t.Errorf("created_at = %v", d["created_at"])
		}
		users := ans.body["includes"].(map[string]any)["users"].([]any)
		u := users[0].(map[string]any)
		if u["username"] != "devjess" || u["verified"] != true || u["public_metrics"].(map[string]any)["followers_count"] != float64(5400) {
			t.Errorf("includes.users[0] = %v", u)
		}
		if len(users) != 1 {
			t.Errorf("includes.users has %d entries, want the one author once", len(users))
		}
	})
	t.Run("SinceIDResumes", func(t *testing.T) {
		newest := meta(a.get(t, base))["newest_id"].(string)
		ans := a.get(t, base+"&since_id="+newest)
		if _, ok := ans.body["data"]; ok || meta(ans)["result_count"] != float64(0) {
			t.Fatalf("nothing new: %s, want no data and result_count 0", ans.raw)
		}
		if _, ok := meta(ans)["newest_id"]; ok {
			t.Errorf("empty page has newest_id: %s", ans.raw)
		}
		if _, ok := ans.body["includes"]; ok {
			t.Errorf("empty page has includes: %s", ans.raw)
		}
		fresh := a.srv.AddMention(jess.ID, "@PebbleCache one more", time.Now())
		ans = a.get(t, base+"&since_id="+newest)
		if got := ids(t, ans); len(got) != 1 || got[0] != fresh.ID {
			t.Errorf("since_id page = %v, want [%s]", got, fresh.ID)
		}
	})
	t.Run("UntilID", func(t *testing.T) {
		ans := a.get(t, base+"&until_id="+added[2].ID)
		if got := ids(t, ans); len(got) != 2 || got[0] != added[1].ID {
			t.Errorf("until_id page = %v, want the two before %s", got, added[2].ID)
		}
	})
	for _, tc := range []struct{ name, query string }{
		{"ErrMaxResultsLow", "max_results=4"},
		{"ErrMaxResultsHigh", "max_results=101"},
		{"ErrNextTokenOnTimeline", "next_token=abc"},
		{"ErrBadPaginationToken", "pagination_token=zzzz"},
		{"ErrSinceIDNotNumeric", "since_id=abc"},
		{"ErrUnknownField", "tweet.fields=created_at,colour"},
		{"ErrUnknownExpansion", "expansions=author"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ans := a.get(t, "/2/users/"+a.me.ID+"/mentions?"+tc.query)
			if ans.status != 400 || ans.body["type"] != "https://api.twitter.com/2/problems/invalid-request" {
				t.Fatalf("status = %d: %s, want X's 400 invalid-request", ans.status, ans.raw)
			}
			if errs, _ := ans.body["errors"].([]any); len(errs) == 0 {
				t.Errorf("no errors[]: %s", ans.raw)
			}
		})
	}
	t.Run("UnknownUserIsNotFoundIn200", func(t *testing.T) {
		ans := a.get(t, "/2/users/12345/mentions")
		errs, _ := ans.body["errors"].([]any)
		if ans.status != 200 || len(errs) != 1 || errs[0].(map[string]any)["type"] != "https://api.twitter.com/2/problems/resource-not-found" {
			t.Errorf("status = %d: %s", ans.status, ans.raw)
		}
	})
	t.Run("Reaches800", func(t *testing.T) {
		b := newAccount(t, xtest.Options{})
		seedMentions(b, 820, now)
		seen, path := 0, "/2/users/"+b.me.ID+"/mentions?max_results=100"
		for {
			ans := b.get(t, path)
			seen += len(ids(t, ans))
			next, ok := meta(ans)["next_token"].(string)
			if !ok {
				break
			}
			path = "/2/users/" + b.me.ID + "/mentions?max_results=100&pagination_token=" + next
		}
		if seen != 800 {
			t.Errorf("paged through %d mentions, want the most recent 800", seen)
		}
	})
}

func TestSearchRecent(t *testing.T) {
	clock := backend.NewManualClock(time.Now().UTC())
	a := newAccount(t, xtest.Options{Clock: clock})
	carla := a.srv.AddUser(xtest.User{Username: "ci_carla", Followers: 800})
	var hits []xtest.Tweet
	for i := 0; i < 23; i++ {
		hits = append(hits, a.srv.AddTweet(xtest.Tweet{AuthorID: carla.ID, Text: fmt.Sprintf("Stackwise raised prices again (%d), looking at alternatives", i),
			CreatedAt: clock.Now().Add(-time.Duration(23-i) * time.Hour)}))
	}
	a.srv.AddTweet(xtest.Tweet{AuthorID: carla.ID, Text: "Stackwise from last month", CreatedAt: clock.Now().Add(-8 * 24 * time.Hour)})
	a.srv.AddTweet(xtest.Tweet{AuthorID: carla.ID, Text: "stackwiser is not a word", CreatedAt: clock.Now().Add(-time.Minute)})
	search := func(q string, extra string) answer {
		return a.get(t, "/2/tweets/search/recent?query="+url.QueryEscape(q)+extra)
	}

	t.Run("PagesWithNextToken", func(t *testing.T) {
		var got []string
		extra := "&max_results=10"
		for {
			ans := search("stackwise -is:retweet", extra)
			if ans.status != 200 {
				t.Fatalf("status = %d: %s", ans.status, ans.raw)
			}
			got = append(got, ids(t, ans)...)
			next, ok := meta(ans)["next_token"].(string)
			if !ok {
				break
			}
			extra = "&max_results=10&next_token=" + next
		}
		if len(got) != 23 || got[0] != hits[22].ID || got[22] != hits[0].ID {
			t.Errorf("found %d posts (%v…), want the 23 of the last seven days, newest first", len(got), got[:min(len(got), 2)])
		}
	})
	t.Run("EmptyPageWithNextToken", func(t *testing.T) {
		a.srv.EmptySearchPages(1)
		first := search("stackwise", "&max_results=100")
		next, ok := meta(first)["next_token"].(string)
		if _, has := first.body["data"]; has || !ok || meta(first)["result_count"] != float64(0) {
			t.Fatalf("emptied page = %s, want no data, result_count 0 and a next_token", first.raw)
		}
		if got := ids(t, search("stackwise", "&max_results=100&next_token="+next)); len(got) != 23 || got[0] != hits[22].ID {
			t.Errorf("after the empty page: %d posts, want all 23 from the newest", len(got))
		}
	})
	t.Run("SinceID", func(t *testing.T) {
		ans := search(`stackwise OR "remote cache"`, "&since_id="+hits[20].ID)
		if got := ids(t, ans); len(got) != 2 {
			t.Errorf("since_id: %v, want 2", got)
		}
		ans = search("stackwise", "&since_id="+hits[22].ID)
		if _, ok := ans.body["data"]; ok || meta(ans)["result_count"] != float64(0) {
			t.Errorf("empty search page = %s", ans.raw)
		}
	})
	t.Run("Operators", func(t *testing.T) {
		for _, tc := range []struct {
			q    string
			want int
		}{
			{"stackwise", 23},
			{"from:ci_carla (prices OR word)", 24},
			{`"raised prices" alternatives`, 23},
			{"stackwise -alternatives", 0},
			{"stackwiser", 1},
			{"@ci_carla", 0},
		} {
			ans := search(tc.q, "&max_results=100")
			if got := len(ids(t, ans)); ans.status != 200 || got != tc.want {
				t.Errorf("query %q: status %d, %d posts, want %d: %s", tc.q, ans.status, got, tc.want, ans.raw[:min(len(ans.raw), 200)])
			}
		}
	})
	for _, tc := range []struct{ name, q, extra string }{
		{"ErrOnlyNegated", "-stackwise", ""},
		{"ErrOnlyConjunctionRequired", "is:retweet lang:en", ""},
		{"ErrMaxResultsLow", "stackwise", "&max_results=9"},
		{"ErrBothTokens", "stackwise", "&next_token=a&pagination_token=b"},
		{"ErrStartTooOld", "stackwise", "&start_time=" + clock.Now().Add(-8*24*time.Hour).UTC().Format(time.RFC3339)},
		{"ErrQueryTooLong", strings.Repeat("a ", 257), ""},
		{"ErrUnknownParameter", "stackwise", "&cursor=1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if ans := search(tc.q, tc.extra); ans.status != 400 {
				t.Errorf("status = %d, want 400: %s", ans.status, ans.raw)
			}
		})
	}
	t.Run("ErrMissingQuery", func(t *testing.T) {
		if ans := a.get(t, "/2/tweets/search/recent"); ans.status != 400 {
			t.Errorf("status = %d, want 400", ans.status)
		}
	})
	t.Run("ErrNotEnrolled", func(t *testing.T) {
		a.srv.EnrollSearch(false)
		defer a.srv.EnrollSearch(true)
		ans := search("stackwise", "")
		if ans.status != 403 || ans.body["reason"] != "client-not-enrolled" || ans.body["title"] != "Client Forbidden" ||
			ans.body["type"] != "https://api.twitter.com/2/problems/client-forbidden" || ans.body["detail"] == nil {
			t.Fatalf("status = %d: %s, want X's client-not-enrolled problem", ans.status, ans.raw)
		}
		if m := a.get(t, "/2/users/"+a.me.ID+"/mentions"); m.status != 200 {
			t.Errorf("mentions while search is refused: %d", m.status)
		}
	})
}

func TestRateLimits(t *testing.T) {
	start := time.Date(2026, 12, 7, 10, 0, 0, 500_000_000, time.UTC)
	clock := backend.NewManualClock(start)
	a := newAccount(t, xtest.Options{Clock: clock, Limits: map[string]xtest.Limit{xtest.EndpointMentions: {Requests: 3}}})
	path := "/2/users/" + a.me.ID + "/mentions"
	wantReset := strconv.FormatInt(start.Add(15*time.Minute).Unix()+1, 10)

	for i, want := range []string{"2", "1", "0"} {
		ans := a.get(t, path)
		h := ans.header
		if ans.status != 200 || h.Get("x-rate-limit-limit") != "3" || h.Get("x-rate-limit-remaining") != want || h.Get("x-rate-limit-reset") != wantReset {
			t.Fatalf("request %d: %d limit %q remaining %q reset %q, want 200 3 %s %s", i+1, ans.status,
				h.Get("x-rate-limit-limit"), h.Get("x-rate-limit-remaining"), h.Get("x-rate-limit-reset"), want, wantReset)
		}
		clock.Advance(time.Minute)
	}
	ans := a.get(t, path)
	if ans.status != 429 || ans.header.Get("x-rate-limit-remaining") != "0" || ans.header.Get("x-rate-limit-reset") != wantReset {
		t.Fatalf("at the limit: %d %v", ans.status, ans.header)
	}
	if ans.header.Get("Retry-After") != "" {
		t.Errorf("429 has Retry-After %q; X sends none", ans.header.Get("Retry-After"))
	}
	if ans.body["title"] != "Too Many Requests" || ans.body["status"] != float64(429) {
		t.Errorf("429 body = %s", ans.raw)
	}
	if got := a.get(t, "/2/users/me"); got.status != 200 {
		t.Errorf("users/me has its own limit: %d", got.status)
	}
	other := a.srv.AddUser(xtest.User{Username: "other"})
	tok, sec := a.srv.NewAccessToken(a.key, other.ID)
	b := &account{srv: a.srv, key: a.key, secret: a.secret, me: other, token: tok, tsecret: sec}
	if got := b.get(t, path); got.status != 200 || got.header.Get("x-rate-limit-remaining") != "2" {
		t.Errorf("another user's window: %d remaining %q, want 200 and 2", got.status, got.header.Get("x-rate-limit-remaining"))
	}
	clock.Set(time.Unix(mustInt(t, wantReset), 0))
	if got := a.get(t, path); got.status != 200 || got.header.Get("x-rate-limit-remaining") != "2" {
		t.Errorf("after the reset: %d remaining %q", got.status, got.header.Get("x-rate-limit-remaining"))
	}
}

func mustInt(tb testing.TB, s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

func TestPost(t *testing.T) {
	a := newAccount(t, xtest.Options{})
	jess, _ := seedMentions(a, 1, time.Now())
	post := func(body string) answer {
		return do(t, a.client(nil), "POST", a.srv.URL()+"/2/tweets", "application/json", body)
	}
	m := a.get(t, "/2/users/"+a.me.ID+"/mentions")
	mentionID := ids(t, m)[0]

	t.Run("Reply", func(t *testing.T) {
		ans := post(`{"text":"Glad it helped!","reply":{"in_reply_to_tweet_id":"` + mentionID + `"}}`)
		if ans.status != 201 {
			t.Fatalf("status = %d: %s", ans.status, ans.raw)
		}
		d := ans.body["data"].(map[string]any)
		if d["text"] != "@devjess Glad it helped!" || d["id"] == "" {
			t.Errorf("data = %v, want the reply with X's @handle before it", d)
		}
		if h := ans.header; h.Get("x-rate-limit-limit") != "100" || h.Get("x-app-limit-24hour-limit") != "10000" || h.Get("x-app-limit-24hour-remaining") != "9999" {
			t.Errorf("headers = %v", h)
		}
		if r := a.srv.Replies(mentionID); len(r) != 1 || r[0].AuthorID != a.me.ID {
			t.Errorf("Replies = %v", r)
		}
		// what reconciliation after a crash reads
		mine := a.get(t, "/2/users/"+a.me.ID+"/tweets?max_results=5&tweet.fields=referenced_tweets,in_reply_to_user_id,conversation_id")
		d0 := mine.body["data"].([]any)[0].(map[string]any)
		ref := d0["referenced_tweets"].([]any)[0].(map[string]any)
		if d0["id"] != d["id"] || ref["type"] != "replied_to" || ref["id"] != mentionID || d0["in_reply_to_user_id"] != jess.ID {
			t.Errorf("user's posts = %s", mine.raw)
		}
	})
	t.Run("ErrDuplicate", func(t *testing.T) {
		ans := post(`{"text":"Glad it helped!","reply":{"in_reply_to_tweet_id":"` + mentionID + `"}}`)
		if ans.status != 403 || ans.body["detail"] != "You are not allowed to create a Tweet with duplicate content." {
			t.Errorf("status = %d: %s", ans.status, ans.raw)
		}
	})
	t.Run("LengthCounting", func(t *testing.T) {
		long := "https://pebblecache.dev/blog/how-we-cut-ci-from-twenty-two-minutes-to-six-with-remote-caching?utm_source=x"
		for _, tc := range []struct {
			text string
			want int
		}{
			{strings.Repeat("a", 280), 201},
			{strings.Repeat("b", 281), 400},
			{strings.Repeat("c", 256) + " " + long, 201}, // 256 + 1 + 23
			{strings.Repeat("d", 256) + " " + long + "!", 400},
			{strings.Repeat("界", 140), 201},
			{strings.Repeat("界", 141), 400},
			{strings.Repeat("👍🏽", 140), 201},
		} {
			ans := post(`{"text":"` + tc.text + `"}`)
			if ans.status != tc.want {
				t.Errorf("len %d: status = %d, want %d: %s", len([]rune(tc.text)), ans.status, tc.want, ans.raw)
			}
			if tc.want == 400 && !strings.Contains(fmt.Sprint(ans.body["detail"]), "Your Tweet text is too long") {
				t.Errorf("over length: %s", ans.raw)
			}
		}
	})
	for _, tc := range []struct{ name, ctype, body string }{
		{"ErrUnknownMember", "application/json", `{"text":"hi","colour":"red"}`},
		{"ErrEmptyText", "application/json", `{"text":""}`},
		{"ErrNotJSON", "application/json", `text=hi`},
		{"ErrBadReplyID", "application/json", `{"text":"hi","reply":{"in_reply_to_tweet_id":"x1"}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if ans := do(t, a.client(nil), "POST", a.srv.URL()+"/2/tweets", tc.ctype, tc.body); ans.status != 400 {
				t.Errorf("status = %d, want 400: %s", ans.status, ans.raw)
			}
		})
	}
	t.Run("LikeAndDelete", func(t *testing.T) {
		likes := a.srv.URL() + "/2/users/" + a.me.ID + "/likes"
		if ans := do(t, a.client(nil), "POST", likes, "application/json", `{"tweet_id":"`+mentionID+`"}`); ans.status != 200 || ans.body["data"].(map[string]any)["liked"] != true {
			t.Errorf("like: %d %s", ans.status, ans.raw)
		}
		if l := a.srv.Likes(); len(l) != 1 || l[0].TweetID != mentionID {
			t.Errorf("Likes = %v", l)
		}
		if ans := do(t, a.client(nil), "POST", a.srv.URL()+"/2/users/"+jess.ID+"/likes", "application/json", `{"tweet_id":"`+mentionID+`"}`); ans.status != 403 {
			t.Errorf("like as another user: %d", ans.status)
		}
		unlike := do(t, a.client(nil), "DELETE", likes+"/"+mentionID, "", "")
		if unlike.status != 200 || unlike.body["data"].(map[string]any)["liked"] != false || len(a.srv.Likes()) != 0 {
			t.Errorf("unlike: %d %s, likes %v", unlike.status, unlike.raw, a.srv.Likes())
		}
		reply := a.srv.Replies(mentionID)[0]
		del := a.srv.URL() + "/2/tweets/" + reply.ID
		if ans := do(t, a.client(nil), "DELETE", del, "", ""); ans.status != 200 || ans.body["data"].(map[string]any)["deleted"] != true {
			t.Fatalf("delete: %d %s", ans.status, ans.raw)
		}
		if r := a.srv.Replies(mentionID); len(r) != 0 {
			t.Errorf("after delete, Replies = %v", r)
		}
		again := do(t, a.client(nil), "DELETE", del, "", "")
		if errs, _ := again.body["errors"].([]any); again.status != 200 || len(errs) != 1 || again.body["data"] != nil {
			t.Errorf("delete again: %d %s", again.status, again.raw)
		}
		if ans := do(t, a.client(nil), "DELETE", a.srv.URL()+"/2/tweets/"+mentionID, "", ""); ans.status != 403 {
			t.Errorf("delete another's post: %d", ans.status)
		}
		if ans := post(`{"text":"Glad it helped!","reply":{"in_reply_to_tweet_id":"` + reply.ID + `"}}`); ans.status != 403 {
			t.Errorf("reply to a deleted post: %d %s", ans.status, ans.raw)
		}
	})
}

func TestWeightedLength(t *testing.T) {
	for _, tc := range []struct {
		text string
		want int
	}{
		{"hello", 5},
		{"see https://example.com/a/very/long/path/that/goes/on/and/on", 27},
		{"see pebblecache.dev/pricing.", 4 + 23 + 1},
		{"jess@pebblecache.dev", 20}, // an address is not a URL
		{"日本語", 6},
		{"café", 4},
		{"👩‍👩‍👧‍👦", 2},
		{"🇺🇸", 2},
		{"“quotes” — dash…", 17}, // U+2026 is outside the light ranges
	} {
		if got := xtest.WeightedLength(tc.text); got != tc.want {
			t.Errorf("WeightedLength(%q) = %d, want %d", tc.text, got, tc.want)
		}
	}
}

func TestFaults(t *testing.T) {
	a := newAccount(t, xtest.Options{})
	seedMentions(a, 12, time.Now())
	path := "/2/users/" + a.me.ID + "/mentions?max_results=5"
	next := func(ans answer) string { return path + "&pagination_token=" + meta(ans)["next_token"].(string) }

	t.Run("ServerErrorMidPaging", func(t *testing.T) {
		a.srv.FailAt(2, 503)
		first := a.get(t, path)
		second := a.get(t, next(first))
		if first.status != 200 || second.status != 503 || second.body["title"] != "Service Unavailable" {
			t.Fatalf("statuses %d, %d: %s", first.status, second.status, second.raw)
		}
		if retry := a.get(t, next(first)); retry.status != 200 || len(ids(t, retry)) != 5 {
			t.Errorf("retry: %d", retry.status)
		}
	})
	t.Run("RateLimitMidPaging", func(t *testing.T) {
		a.srv.Inject(xtest.Fault{Path: "/2/users/", After: 1, Status: 429})
		first := a.get(t, path)
		second := a.get(t, next(first))
		if second.status != 429 || second.header.Get("x-rate-limit-remaining") != "0" || second.header.Get("x-rate-limit-reset") == "" || second.header.Get("Retry-After") != "" {
			t.Fatalf("second page: %d %v", second.status, second.header)
		}
	})
	t.Run("Slow", func(t *testing.T) {
		a.srv.Slow(1, 300*time.Millisecond)
		began := time.Now()
		if ans := a.get(t, path); ans.status != 200 || time.Since(began) < 300*time.Millisecond {
			t.Errorf("slow answer: %d after %v", ans.status, time.Since(began))
		}
	})
	t.Run("Drop", func(t *testing.T) {
		a.srv.Drop(1)
		req, _ := http.NewRequest("GET", a.srv.URL()+path, nil)
		// a fresh connection: Go retries an idempotent request once on a
		// reused one that dies
		if resp, err := a.client(&http.Transport{DisableKeepAlives: true}).Do(req); err == nil {
			resp.Body.Close()
			t.Fatal("a dropped connection answered")
		}
	})
	t.Run("HeldBeforeServing", func(t *testing.T) {
		// the client gives up while X holds the post: nothing is made
		arrivedCh := make(chan struct{}, 1)
		a.srv.Inject(xtest.Fault{Method: "POST", Path: "/2/tweets", Delay: time.Minute, Arrived: arrivedCh})
		ctx, cancel := context.WithCancel(context.Background())
		go func() { <-arrivedCh; cancel() }()
		req, _ := http.NewRequestWithContext(ctx, "POST", a.srv.URL()+"/2/tweets", strings.NewReader(`{"text":"held"}`))
		req.Header.Set("Content-Type", "application/json")
		if resp, err := a.client(nil).Do(req); err == nil {
			resp.Body.Close()
			t.Fatal("the held post answered")
		}
		time.Sleep(50 * time.Millisecond)
		if p := a.srv.Posted(); len(p) != 0 {
			t.Errorf("Posted = %v, want nothing: the client left before X acted", p)
		}
	})
	t.Run("PostLostAfterCommit", func(t *testing.T) {
		a.srv.Inject(xtest.Fault{Method: "POST", Path: "/2/tweets", Drop: true, AfterCommit: true})
		req, _ := http.NewRequest("POST", a.srv.URL()+"/2/tweets", strings.NewReader(`{"text":"did this go out?"}`))
		req.Header.Set("Content-Type", "application/json")
		if resp, err := a.client(nil).Do(req); err == nil {
			resp.Body.Close()
			t.Fatal("the lost answer arrived")
		}
		if p := a.srv.Posted(); len(p) != 1 || p[0].Text != "did this go out?" {
			t.Errorf("Posted = %v, want the post made though its answer was lost", p)
		}
	})
}
