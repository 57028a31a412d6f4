package xtest_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/dghubble/oauth1"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/backend/demo"
	"github.com/caseyos/caseyos/connectors/x/xtest"
)

// TestDemoSeed holds the fake's demo X to the demo scenario: every X
// signal of backend/demo is a post on the fake with the same id, author,
// text and time, reachable where the connector will look for it — a
// mention in @pebblecache's mentions, a competitor post in recent search.
func TestDemoSeed(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	srv := xtest.NewTestServer(t, xtest.Options{Clock: backend.NewManualClock(now)})
	srv.DemoSeed(now)
	cfg := oauth1.NewConfig(xtest.DemoConsumerKey, xtest.DemoConsumerSecret)
	c := cfg.Client(context.Background(), oauth1.NewToken(xtest.DemoAccessToken, xtest.DemoAccessSecret))

	me := do(t, c, "GET", srv.URL()+"/2/users/me", "", "")
	if me.status != 200 || me.body["data"].(map[string]any)["username"] != xtest.DemoUsername {
		t.Fatalf("users/me with the demo token: %d %s", me.status, me.raw)
	}
	mentions := do(t, c, "GET", srv.URL()+"/2/users/"+xtest.DemoUserID+"/mentions?max_results=100", "", "")
	search := do(t, c, "GET", srv.URL()+"/2/tweets/search/recent?max_results=100&query="+url.QueryEscape("Stackwise -is:retweet"), "", "")
	inMentions, inSearch := set(ids(t, mentions)), set(ids(t, search))

	signals, err := demo.Signals(now)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, s := range signals {
		if s.Source != backend.SourceX || s.Post == nil {
			continue
		}
		n++
		p, ok := srv.Tweet(s.Post.ID)
		if !ok {
			t.Errorf("scenario post %s (%s) is not on the fake", s.Post.ID, s.DedupeKey)
			continue
		}
		author, _ := srv.User(p.AuthorID)
		if author.Username != s.Post.Author || p.Text != s.Post.Text || !p.CreatedAt.Equal(s.OccurredAt.UTC().Truncate(time.Millisecond)) {
			t.Errorf("post %s = @%s %q at %v, want @%s %q at %v", p.ID, author.Username, p.Text, p.CreatedAt, s.Post.Author, s.Post.Text, s.OccurredAt)
		}
		if (s.Post.AuthorName != "" && author.Name != s.Post.AuthorName) || (s.Post.Followers != 0 && author.Followers != s.Post.Followers) ||
			(s.Post.Verified && !author.Verified) {
			t.Errorf("author of %s = %q, %d followers, verified %v; want %q, %d, %v", p.ID, author.Name, author.Followers, author.Verified,
				s.Post.AuthorName, s.Post.Followers, s.Post.Verified)
		}
		if s.Post.InReplyTo != p.InReplyToID || (s.Post.ConversationID != "" && s.Post.ConversationID != p.ConversationID) {
			t.Errorf("post %s answers %q in conversation %q, want %q in %q", p.ID, p.InReplyToID, p.ConversationID, s.Post.InReplyTo, s.Post.ConversationID)
		}
		if s.Post.InReplyTo != "" {
			if parent, ok := srv.Tweet(s.Post.InReplyTo); !ok || parent.AuthorID != xtest.DemoUserID {
				t.Errorf("post %s answers %s, which is not one of @%s's posts on the fake", p.ID, s.Post.InReplyTo, xtest.DemoUsername)
			}
		}
		if s.Post.Competitor != "" && !inSearch[p.ID] {
			t.Errorf("competitor post %s is not found by searching for %s", p.ID, s.Post.Competitor)
		}
		if s.Post.Competitor == "" && !inMentions[p.ID] {
			t.Errorf("mention %s is not in @%s's mentions", p.ID, xtest.DemoUsername)
		}
	}
	if n != 4 || len(inMentions) != 2 || len(inSearch) != 2 {
		t.Errorf("scenario X posts = %d, mentions = %d, search hits = %d; want 4, 2, 2", n, len(inMentions), len(inSearch))
	}
}

func set(list []string) map[string]bool {
	m := map[string]bool{}
	for _, s := range list {
		m[s] = true
	}
	return m
}
