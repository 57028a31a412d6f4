package x_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/x"
	"github.com/caseyos/caseyos/connectors/x/xtest"
)

// world is a fake X with our account (@pebblecache) connected.
type world struct {
	srv   *xtest.Server
	me    xtest.User
	creds x.Credentials
}

func newWorld(tb testing.TB, o xtest.Options) *world {
	tb.Helper()
	srv := xtest.NewTestServer(tb, o)
	key, secret := srv.NewConsumer()
	me := srv.AddUser(xtest.User{Username: "pebblecache", Name: "PebbleCache", Followers: 900})
	tok, ts := srv.NewAccessToken(key, me.ID)
	return &world{srv: srv, me: me, creds: x.Credentials{ConsumerKey: key, ConsumerSecret: secret, Token: tok, TokenSecret: ts}}
}

func (w *world) client(tb testing.TB, cfg x.Config) *x.Client {
	tb.Helper()
	cfg.BaseURL = w.srv.URL()
	if cfg.Credentials == (x.Credentials{}) {
		cfg.Credentials = w.creds
	}
	c, err := x.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// watch is a Directory with a watch list and known handles.
type watch struct {
	backend.StaticDirectory
	list    backend.WatchList
	handles map[string]backend.DirectoryMatch
}

func (w watch) WatchList(context.Context) (backend.WatchList, error) { return w.list, nil }
func (w watch) LookupHandle(_ context.Context, h string) (backend.DirectoryMatch, bool) {
	m, ok := w.handles[strings.ToLower(h)]
	return m, ok
}

// pollAll polls until the pass ends and returns the signals and cursor.
func pollAll(tb testing.TB, c *x.Client, cursor string) ([]*backend.Signal, string) {
	tb.Helper()
	var all []*backend.Signal
	for i := 0; i < 100; i++ {
		sigs, next, err := c.Poll(context.Background(), cursor)
		if err != nil {
			tb.Fatalf("Poll(%q) = %v", cursor, err)
		}
		all, cursor = append(all, sigs...), next
		if !c.More() {
			return all, cursor
		}
	}
	tb.Fatal("the pass never ended")
	return nil, ""
}

func TestClient_Me(t *testing.T) {
	w := newWorld(t, xtest.Options{})
	t.Run("OK", func(t *testing.T) {
		me, err := w.client(t, x.Config{}).Me(context.Background())
		if err != nil || me.ID != w.me.ID || me.Username != "pebblecache" {
			t.Fatalf("Me() = %+v, %v; want @pebblecache %s", me, err, w.me.ID)
		}
	})
	t.Run("ErrBadSignature", func(t *testing.T) {
		bad := w.creds
		bad.ConsumerSecret += "x"
		_, err := w.client(t, x.Config{Credentials: bad}).Me(context.Background())
		if backend.ErrorCode(err) != backend.EUNAUTHORIZED {
			t.Fatalf("Me() with a wrong consumer secret = %v, want unauthorized", err)
		}
	})
	t.Run("ErrTamperedParameter", func(t *testing.T) {
		// A proxy that changes a parameter after signing: the fake
		// recomputes the signature and refuses.
		tamper := &http.Client{Transport: rewrite(func(r *http.Request) {
			q := r.URL.Query()
			q.Set("user.fields", "name")
			r.URL.RawQuery = q.Encode()
		})}
		_, err := w.client(t, x.Config{HTTPClient: tamper}).Me(context.Background())
		if backend.ErrorCode(err) != backend.EUNAUTHORIZED {
			t.Fatalf("Me() with a tampered query = %v, want unauthorized", err)
		}
	})
	t.Run("ErrRevoked", func(t *testing.T) {
		w := newWorld(t, xtest.Options{})
		w.srv.RevokeAccess(w.me.ID)
		_, err := w.client(t, x.Config{}).Me(context.Background())
		if backend.ErrorCode(err) != backend.EUNAUTHORIZED {
			t.Fatalf("Me() after revoking = %v, want unauthorized", err)
		}
	})
}

type rewrite func(*http.Request)

func (f rewrite) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	f(r)
	return http.DefaultTransport.RoundTrip(r)
}

func TestAuthorize(t *testing.T) {
	srv := xtest.NewTestServer(t, xtest.Options{})
	key, secret := srv.NewConsumer()
	me := srv.AddUser(xtest.User{Username: "casey_builds", Name: "Casey"})
	// The person clicks "Authorize app" on X's page (Approve) for the
	// request token in the address CaseyOS shows.
	approve := func(addr string) (redirect, pin string) {
		u, err := url.Parse(addr)
		if err != nil {
			t.Fatal(err)
		}
		redirect, pin, err = srv.Approve(u.Query().Get("oauth_token"), me.ID)
		if err != nil {
			t.Fatal(err)
		}
		return redirect, pin
	}
	cfg := x.AuthConfig{BaseURL: srv.URL(), ConsumerKey: key, ConsumerSecret: secret}
	t.Run("Loopback", func(t *testing.T) {
		var cb string
		creds, err := x.Authorize(context.Background(), cfg, func(addr string) error {
			redirect, _ := approve(addr)
			cb = redirect
			go func() { // the browser follows X's redirect to our callback
				resp, err := http.Get(redirect)
				if err == nil {
					resp.Body.Close()
				}
			}()
			return nil
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`^http://127\.0\.0\.1:\d+/callback\?`).MatchString(cb) {
			t.Errorf("callback = %q, want http://127.0.0.1:PORT/callback", cb)
		}
		if creds.UserID != me.ID || creds.Username != "casey_builds" || creds.Token == "" || creds.TokenSecret == "" {
			t.Fatalf("Authorize = %+v, want @casey_builds's token", creds)
		}
		if _, err := x.New(x.Config{BaseURL: srv.URL(), Credentials: creds}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("PIN", func(t *testing.T) {
		cfg := cfg
		cfg.PIN = true
		var pin string
		creds, err := x.Authorize(context.Background(), cfg, func(addr string) error {
			_, pin = approve(addr)
			return nil
		}, func() (string, error) { return " " + pin + "\n", nil })
		if err != nil || creds.Username != "casey_builds" {
			t.Fatalf("Authorize(PIN) = %+v, %v", creds, err)
		}
	})
	t.Run("ErrWrongPIN", func(t *testing.T) {
		cfg := cfg
		cfg.PIN = true
		_, err := x.Authorize(context.Background(), cfg, func(addr string) error { approve(addr); return nil },
			func() (string, error) { return "0000000", nil })
		if backend.ErrorCode(err) != backend.EUNAUTHORIZED {
			t.Fatalf("Authorize(wrong PIN) = %v, want unauthorized", err)
		}
	})
	t.Run("ErrBadConsumer", func(t *testing.T) {
		cfg := cfg
		cfg.ConsumerSecret = "nope"
		_, err := x.Authorize(context.Background(), cfg, func(string) error { t.Error("opened a browser for a refused app"); return nil }, nil)
		if backend.ErrorCode(err) != backend.EUNAUTHORIZED {
			t.Fatalf("Authorize(bad secret) = %v, want unauthorized", err)
		}
	})
	t.Run("Verify", func(t *testing.T) {
		tok, ts := srv.NewAccessToken(key, me.ID)
		creds, err := x.Verify(context.Background(), cfg, tok, ts)
		if err != nil || creds.UserID != me.ID {
			t.Fatalf("Verify = %+v, %v", creds, err)
		}
		if _, err := x.Verify(context.Background(), cfg, tok, ts+"x"); backend.ErrorCode(err) != backend.EUNAUTHORIZED {
			t.Fatalf("Verify(bad token secret) = %v, want unauthorized", err)
		}
	})
}

func TestPoll_Mentions(t *testing.T) {
	w := newWorld(t, xtest.Options{})
	now := time.Now()
	jess := w.srv.AddUser(xtest.User{Username: "devjess", Name: "Jess Okafor", Followers: 4800, Verified: true})
	for i := 0; i < 23; i++ {
		w.srv.AddMention(jess.ID, "@pebblecache build "+string(rune('a'+i)), now.Add(time.Duration(i-30)*time.Minute))
	}
	dir := watch{handles: map[string]backend.DirectoryMatch{"devjess": {ContactID: "c-jess", CompanyID: "acme"}}}
	c := w.client(t, x.Config{PageSize: 10, Directory: dir})
	sigs, cursor := pollAll(t, c, "")
	if len(sigs) != 23 {
		t.Fatalf("first pass got %d mentions, want 23", len(sigs))
	}
	seen := map[string]bool{}
	for _, s := range sigs {
		if seen[s.DedupeKey] {
			t.Errorf("mention %s came twice", s.DedupeKey)
		}
		seen[s.DedupeKey] = true
		s.Normalize()
		if err := s.Validate(); err != nil {
			t.Fatalf("signal %s: %v", s.DedupeKey, err)
		}
	}
	s := sigs[0]
	if s.Type != backend.SignalSocialMention || s.Post.Author != "devjess" || s.Post.AuthorName != "Jess Okafor" ||
		s.Post.Followers != 4800 || !s.Post.Verified || s.ContactID != "c-jess" || s.CompanyID != "acme" ||
		!strings.HasPrefix(s.Post.URL, "https://x.com/devjess/status/") {
		t.Errorf("signal = %+v post %+v, want @devjess's mention with reach and the contact", s, s.Post)
	}
	if n := w.srv.Count("GET", "/2/users/"+w.me.ID+"/mentions"); n != 3 {
		t.Errorf("paging 23 mentions 10 a page made %d requests, want 3", n)
	}
	var tokens int
	for _, r := range w.srv.Requests() {
		if r.Query.Get("pagination_token") != "" {
			tokens++
		}
	}
	if tokens != 2 {
		t.Errorf("%d requests carried pagination_token, want 2", tokens)
	}

	t.Run("ResumeAfterRestart", func(t *testing.T) {
		// A new process: a new client from the stored cursor.
		w.srv.AddMention(jess.ID, "@pebblecache one more", now)
		w.srv.ResetRequests()
		c2 := w.client(t, x.Config{PageSize: 10, Directory: dir})
		sigs, _ := pollAll(t, c2, cursor)
		if len(sigs) != 1 || !strings.Contains(sigs[0].Post.Text, "one more") {
			t.Fatalf("after a restart got %d signals, want only the new mention", len(sigs))
		}
		reqs := w.srv.Requests()
		if len(reqs) == 0 || reqs[len(reqs)-1].Query.Get("since_id") == "" {
			t.Errorf("the poll after a restart did not send since_id: %v", reqs)
		}
	})
	t.Run("EmptyPage", func(t *testing.T) {
		sigs, next := pollAll(t, w.client(t, x.Config{PageSize: 10}), cursor)
		if len(sigs) != 1 || next == "" { // "one more" again: this cursor predates it
			t.Fatalf("got %d signals, cursor %q", len(sigs), next)
		}
		sigs, _ = pollAll(t, w.client(t, x.Config{PageSize: 10}), next)
		if len(sigs) != 0 {
			t.Fatalf("a poll with nothing new got %d signals", len(sigs))
		}
	})
}

func TestPoll_ReplyToOurPost(t *testing.T) {
	w := newWorld(t, xtest.Options{})
	ours := w.srv.AddTweet(xtest.Tweet{AuthorID: w.me.ID, Text: "We shipped self-hosted caching"})
	mo := w.srv.AddUser(xtest.User{Username: "monorepo_mo", Followers: 310})
	w.srv.AddTweet(xtest.Tweet{AuthorID: mo.ID, Text: "@pebblecache does it work with Buck2?", InReplyToID: ours.ID})
	sigs, _ := pollAll(t, w.client(t, x.Config{}), "")
	if len(sigs) != 1 || sigs[0].Type != backend.SignalSocialReply || sigs[0].Post.InReplyTo != ours.ID {
		t.Fatalf("got %d signals (%+v), want one social.reply to %s", len(sigs), sigs, ours.ID)
	}
}

func TestPoll_Search(t *testing.T) {
	w := newWorld(t, xtest.Options{})
	carla := w.srv.AddUser(xtest.User{Username: "ci_carla", Followers: 1200})
	for i := 0; i < 14; i++ {
		w.srv.AddTweet(xtest.Tweet{AuthorID: carla.ID, Text: "Stackwise raised prices again, day " + string(rune('a'+i))})
	}
	w.srv.AddTweet(xtest.Tweet{AuthorID: carla.ID, Text: "anyone using a remote build cache for Bazel?"})
	w.srv.AddTweet(xtest.Tweet{AuthorID: w.me.ID, Text: "Stackwise is fine but we are faster"}) // ours: left out
	dir := watch{list: backend.WatchList{Competitors: []string{"Stackwise"}, Keywords: []string{"remote build cache"}}}
	c := w.client(t, x.Config{PageSize: 10, Directory: dir})
	sigs, cursor := pollAll(t, c, "")
	var comp, kw int
	for _, s := range sigs {
		switch {
		case s.Type == backend.SignalSocialCompetitorMention && s.Post.Competitor == "Stackwise":
			comp++
		case s.Type == backend.SignalSocialMention && s.Post.Keyword == "remote build cache":
			kw++
		default:
			t.Errorf("unexpected signal %s %+v", s.Type, s.Post)
		}
	}
	if comp != 14 || kw != 1 {
		t.Fatalf("got %d competitor mentions and %d keyword posts, want 14 and 1", comp, kw)
	}
	var next int
	for _, r := range w.srv.Requests() {
		if r.Path == "/2/tweets/search/recent" {
			if q := r.Query.Get("query"); q != `("Stackwise" OR "remote build cache") -is:retweet -from:pebblecache` {
				t.Errorf("query = %q", q)
			}
			if r.Query.Get("next_token") != "" {
				next++
			}
			if r.Query.Get("pagination_token") != "" {
				t.Errorf("search sent pagination_token; X pages search with next_token")
			}
		}
	}
	if next != 1 {
		t.Errorf("%d search requests carried next_token, want 1", next)
	}
	w.srv.ResetRequests()
	w.srv.AddTweet(xtest.Tweet{AuthorID: carla.ID, Text: "Stackwise is down"})
	sigs, _ = pollAll(t, w.client(t, x.Config{PageSize: 10, Directory: dir}), cursor)
	if len(sigs) != 1 {
		t.Fatalf("the next pass got %d signals, want the one new post", len(sigs))
	}
	for _, r := range w.srv.Requests() {
		if r.Path == "/2/tweets/search/recent" && r.Query.Get("since_id") == "" {
			t.Errorf("the next search did not send since_id")
		}
	}
}

func TestBuildQueries(t *testing.T) {
	long := make([]string, 0, 30)
	for i := 0; i < 30; i++ {
		long = append(long, strings.Repeat(string(rune('a'+i%26)), 40)+" tool")
	}
	w := x.BuildQueries(backend.WatchList{Competitors: []string{"Stackwise", "stackwise", `evil" OR from:me`, "Rival\nCo"}, Keywords: long}, "pebblecache")
	qs := x.QueryList(w)
	if len(qs) < 2 {
		t.Fatalf("%d queries for 1,300 characters of terms, want them split", len(qs))
	}
	for _, q := range qs {
		if n := len([]rune(q)); n > x.MaxQueryLength {
			t.Errorf("query of %d characters > %d: %q", n, x.MaxQueryLength, q)
		}
		if strings.Contains(q, "evil") || strings.ContainsAny(q, "\n\r") {
			t.Errorf("a term that cannot be quoted safely got in: %q", q)
		}
	}
	if strings.Count(strings.Join(qs, " "), `"Stackwise"`)+strings.Count(strings.Join(qs, " "), `"stackwise"`) != 1 {
		t.Errorf("duplicate terms not merged: %q", qs)
	}
}

func TestPoll_SearchNotEnrolled(t *testing.T) {
	w := newWorld(t, xtest.Options{SearchNotEnrolled: true})
	jess := w.srv.AddUser(xtest.User{Username: "devjess"})
	w.srv.AddMention(jess.ID, "@pebblecache hi", time.Now())
	dir := watch{list: backend.WatchList{Competitors: []string{"Stackwise"}}}
	c := w.client(t, x.Config{Directory: dir})
	sigs, cursor := pollAll(t, c, "")
	if len(sigs) != 1 {
		t.Fatalf("mentions stopped with search refused: %d signals", len(sigs))
	}
	if !strings.Contains(c.Note(), "access level") {
		t.Errorf("Note() = %q, want it to say the access level has no search", c.Note())
	}
	// The next pass does not ask search again (it is refused for a day).
	w.srv.ResetRequests()
	pollAll(t, w.client(t, x.Config{Directory: dir}), cursor)
	if n := w.srv.Count("GET", "/2/tweets/search/recent"); n != 0 {
		t.Errorf("the next pass asked search %d times", n)
	}
}

func TestPoll_RateLimit(t *testing.T) {
	w := newWorld(t, xtest.Options{})
	jess := w.srv.AddUser(xtest.User{Username: "devjess"})
	for i := 0; i < 12; i++ {
		w.srv.AddMention(jess.ID, "@pebblecache hi "+string(rune('a'+i)), time.Now().Add(-time.Duration(i)*time.Minute))
	}
	t.Run("429MidPaging", func(t *testing.T) {
		w.srv.Inject(xtest.Fault{Path: "/2/users/" + w.me.ID + "/mentions", After: 1, Status: 429})
		c := w.client(t, x.Config{PageSize: 10})
		sigs, cursor, err := c.Poll(context.Background(), "")
		if err != nil || len(sigs) != 10 || !c.More() {
			t.Fatalf("first page = %d signals, %v", len(sigs), err)
		}
		_, next, err := c.Poll(context.Background(), cursor)
		var rl *backend.RateLimited
		if !errors.As(err, &rl) || backend.ErrorCode(err) != backend.EUNAVAILABLE {
			t.Fatalf("second page = %v, want a rate limit", err)
		}
		if d, ok := backend.RetryAfter(err); !ok || d <= 0 || d > 15*time.Minute+time.Second {
			t.Errorf("RetryAfter = %v, want the time to X's reset", d)
		}
		if next != cursor {
			t.Errorf("a refused page moved the cursor")
		}
		// Once X's window resets (the fault was one answer), the pass
		// goes on from the page token.
		c2 := w.client(t, x.Config{PageSize: 10})
		sigs, _ = pollAll(t, c2, cursor)
		if len(sigs) != 2 {
			t.Fatalf("after the 429 got %d signals, want the 2 left", len(sigs))
		}
	})
	t.Run("PacedBeforeTheLimit", func(t *testing.T) {
		c := w.client(t, x.Config{PageSize: 10})
		pollAll(t, c, "")
		w.srv.ExhaustRateLimit(xtest.EndpointMentions, w.me.ID)
		_, _, err := c.Poll(context.Background(), "")
		_, reset := w.srv.RateLimit(xtest.EndpointMentions, w.me.ID)
		d, ok := backend.RetryAfter(err)
		if !ok || d < time.Until(reset)-2*time.Second || d > time.Until(reset)+2*time.Second {
			t.Fatalf("RetryAfter = %v (%v), want until X's reset in %v", d, err, time.Until(reset))
		}
		// The window is known spent: the next poll waits without asking.
		before := w.srv.Count("GET", "/2/users/"+w.me.ID+"/mentions")
		_, _, err = c.Poll(context.Background(), "")
		if _, ok := backend.RetryAfter(err); !ok || w.srv.Count("GET", "/2/users/"+w.me.ID+"/mentions") != before {
			t.Errorf("a poll inside a spent window was sent (%v)", err)
		}
	})
}

func TestClient_ReplyLikeDeleteFind(t *testing.T) {
	w := newWorld(t, xtest.Options{})
	jess := w.srv.AddUser(xtest.User{Username: "devjess"})
	m := w.srv.AddMention(jess.ID, "@pebblecache CI went from 22 minutes to 6", time.Now())
	c := w.client(t, x.Config{})
	ctx := context.Background()
	text := "Thanks @devjess! That is the cache doing its job."
	if _, ok, err := c.FindReply(ctx, m.ID, text); ok || err != nil {
		t.Fatalf("FindReply before replying = %v, %v", ok, err)
	}
	id, err := c.Reply(ctx, m.ID, text)
	if err != nil {
		t.Fatal(err)
	}
	if rs := w.srv.Replies(m.ID); len(rs) != 1 || rs[0].ID != id {
		t.Fatalf("the fake holds replies %+v, want ours %s", rs, id)
	}
	found, ok, err := c.FindReply(ctx, m.ID, text)
	if err != nil || !ok || found != id {
		t.Fatalf("FindReply = %q %v %v, want %s (X puts @devjess in front of the text)", found, ok, err, id)
	}
	if _, ok, _ := c.FindReply(ctx, m.ID, "another text"); ok {
		t.Errorf("FindReply matched a different text")
	}
	if err := c.Like(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	if ls := w.srv.Likes(); len(ls) != 1 || ls[0].TweetID != m.ID {
		t.Errorf("likes = %+v", ls)
	}
	if err := c.Like(ctx, m.ID); err != nil {
		t.Errorf("liking again = %v, want harmless", err)
	}
	if err := c.Unlike(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	if ls := w.srv.Likes(); len(ls) != 0 {
		t.Errorf("likes after Unlike = %+v, want none", ls)
	}
	if err := c.DeletePost(ctx, id); err != nil {
		t.Fatal(err)
	}
	if d := w.srv.Deleted(); len(d) != 1 || d[0] != id {
		t.Errorf("deleted = %v, want %s", d, id)
	}
	if err := c.DeletePost(ctx, id); err != nil {
		t.Errorf("deleting an already deleted reply = %v, want done", err)
	}
	t.Run("ErrTooLong", func(t *testing.T) {
		before := w.srv.Count("POST", "/2/tweets")
		_, err := c.Reply(ctx, m.ID, strings.Repeat("日", 141))
		if backend.ErrorCode(err) != backend.EINVALID || w.srv.Count("POST", "/2/tweets") != before {
			t.Errorf("Reply(282 weighted) = %v, want refused before sending", err)
		}
	})
	t.Run("ErrIDNotNumeric", func(t *testing.T) {
		before := len(w.srv.Requests())
		for _, id := range []string{"../users/me", "12a", "", "1?x=1"} {
			if _, err := c.Reply(ctx, id, "hi"); backend.ErrorCode(err) != backend.EINVALID {
				t.Errorf("Reply(%q) = %v, want invalid", id, err)
			}
			if err := c.DeletePost(ctx, id); backend.ErrorCode(err) != backend.EINVALID {
				t.Errorf("DeletePost(%q) = %v, want invalid", id, err)
			}
		}
		if len(w.srv.Requests()) != before {
			t.Errorf("a malformed id reached X")
		}
	})
}

func TestCredentials(t *testing.T) {
	c := x.Credentials{ConsumerKey: "k", ConsumerSecret: "s", Token: "t", TokenSecret: "ts", UserID: "123", Username: "me"}
	got, err := x.ParseCredentials(c.Marshal())
	if err != nil || got != c {
		t.Fatalf("round trip = %+v, %v", got, err)
	}
	for _, bad := range []string{"", "{", `{"consumer_key":"k"}`, strings.Replace(c.Marshal(), `"123"`, `"12; DROP"`, 1)} {
		if _, err := x.ParseCredentials(bad); backend.ErrorCode(err) != backend.EUNAUTHORIZED {
			t.Errorf("ParseCredentials(%q) = %v, want unauthorized", bad, err)
		}
	}
}

// Hostile authors: a 10 KB display name and a post with control
// characters come through as signals the store takes, cleaned.
func TestPoll_HostileAuthor(t *testing.T) {
	w := newWorld(t, xtest.Options{})
	evil := w.srv.AddUser(xtest.User{Username: "evil", Name: strings.Repeat("N", 10<<10)})
	w.srv.AddMention(evil.ID, "@pebblecache \x1b[2Jcleared\x00 your \x07screen", time.Now())
	sigs, _ := pollAll(t, w.client(t, x.Config{}), "")
	if len(sigs) != 1 {
		t.Fatalf("got %d signals", len(sigs))
	}
	s := sigs[0]
	s.Normalize()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(s.Post.AuthorName) > backend.MaxTextLine || strings.ContainsAny(s.Post.Text, "\x1b\x00\x07") {
		t.Errorf("hostile text survived: %d-byte name, text %q", len(s.Post.AuthorName), s.Post.Text)
	}
}

// X's search may answer a page with no posts and a next_token: the pass
// goes on to the next page instead of taking the empty page for the end.
func TestPoll_SearchEmptyPageWithToken(t *testing.T) {
	w := newWorld(t, xtest.Options{})
	carla := w.srv.AddUser(xtest.User{Username: "ci_carla"})
	for i := 0; i < 25; i++ {
		w.srv.AddTweet(xtest.Tweet{AuthorID: carla.ID, Text: "Stackwise outage, minute " + string(rune('a'+i))})
	}
	emptied := false
	hc := &http.Client{Transport: emptyFirst{path: "/2/tweets/search/recent", done: &emptied}}
	dir := watch{list: backend.WatchList{Competitors: []string{"Stackwise"}}}
	sigs, _ := pollAll(t, w.client(t, x.Config{PageSize: 10, Directory: dir, HTTPClient: hc}), "")
	if !emptied || len(sigs) != 15 {
		t.Fatalf("got %d signals (first page emptied: %v), want the 15 of the pages after the empty one", len(sigs), emptied)
	}
}

// emptyFirst serves the first answer on path with its posts taken out,
// keeping meta.next_token.
type emptyFirst struct {
	path string
	done *bool
}

func (e emptyFirst) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil || r.URL.Path != e.path || *e.done {
		return resp, err
	}
	*e.done = true
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, err
	}
	resp.Body.Close()
	delete(body, "data")
	delete(body, "includes")
	if m, ok := body["meta"].(map[string]any); ok {
		m["result_count"] = 0
	}
	b, _ := json.Marshal(body)
	resp.Body = io.NopCloser(bytes.NewReader(b))
	resp.ContentLength = int64(len(b))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// Recent search refuses a since_id from before its seven days (400
// invalid-request; tweetscape#421 shows X's answer). After a week without
// a sync, the watch list is searched afresh instead of failing forever.
func TestPoll_SearchAfterAWeekAway(t *testing.T) {
	clock := backend.NewManualClock(time.Now())
	w := newWorld(t, xtest.Options{Clock: clock})
	carla := w.srv.AddUser(xtest.User{Username: "ci_carla"})
	w.srv.AddTweet(xtest.Tweet{AuthorID: carla.ID, Text: "Stackwise is down"})
	dir := watch{list: backend.WatchList{Competitors: []string{"Stackwise"}}}
	hc := &http.Client{Transport: refuseOldSince{clock: clock}}
	_, cursor := pollAll(t, w.client(t, x.Config{Clock: clock, Directory: dir, HTTPClient: hc}), "")
	clock.Advance(8 * 24 * time.Hour)
	w.srv.AddTweet(xtest.Tweet{AuthorID: carla.ID, Text: "Stackwise is down again"})
	sigs, _ := pollAll(t, w.client(t, x.Config{Clock: clock, Directory: dir, HTTPClient: hc}), cursor)
	if len(sigs) != 1 || !strings.Contains(sigs[0].Post.Text, "again") {
		t.Fatalf("after a week away got %d signals, want the new post", len(sigs))
	}
	if got, ok := x.IDTime(sigs[0].Post.ID); !ok || got.Sub(clock.Now()).Abs() > time.Minute {
		t.Errorf("IDTime(%s) = %v, want about %v", sigs[0].Post.ID, got, clock.Now())
	}
}

// refuseOldSince answers a recent search with a since_id older than seven
// days as X does.
type refuseOldSince struct{ clock backend.Clock }

func (r refuseOldSince) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Path == "/2/tweets/search/recent" {
		if t, ok := x.IDTime(req.URL.Query().Get("since_id")); ok && t.Before(r.clock.Now().Add(-7*24*time.Hour)) {
			body := `{"errors":[{"parameters":{"since_id":["` + req.URL.Query().Get("since_id") + `"]},"message":"Invalid 'since_id'"}],"title":"Invalid Request","detail":"One or more parameters to your request was invalid.","type":"https://api.twitter.com/2/problems/invalid-request"}`
			return &http.Response{StatusCode: 400, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(body)), Request: req}, nil
		}
	}
	return http.DefaultTransport.RoundTrip(req)
}
