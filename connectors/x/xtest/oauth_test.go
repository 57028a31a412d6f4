package xtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dghubble/oauth1"

	"github.com/caseyos/caseyos/connectors/x/xtest"
)

// account is a fake X with one app, its owner's account and a
// developer-portal access token, and a real OAuth 1.0a client over it.
type account struct {
	srv            *xtest.Server
	key, secret    string
	me             xtest.User
	token, tsecret string
}

func newAccount(tb testing.TB, opts xtest.Options) *account {
	tb.Helper()
	srv := xtest.NewTestServer(tb, opts)
	a := &account{srv: srv}
	a.key, a.secret = srv.NewConsumer()
	a.me = srv.AddUser(xtest.User{Username: "pebblecache", Name: "PebbleCache", Followers: 1200})
	a.token, a.tsecret = srv.NewAccessToken(a.key, a.me.ID)
	return a
}

func (a *account) config() *oauth1.Config {
	return &oauth1.Config{ConsumerKey: a.key, ConsumerSecret: a.secret, Endpoint: oauth1.Endpoint{
		RequestTokenURL: a.srv.URL() + "/oauth/request_token",
		AuthorizeURL:    a.srv.URL() + "/oauth/authorize",
		AccessTokenURL:  a.srv.URL() + "/oauth/access_token",
	}}
}

// client signs with the app and the access token; base, when set, is the
// transport under the signer (to tamper with a signed request).
func (a *account) client(base http.RoundTripper) *http.Client {
	ctx := context.Background()
	if base != nil {
		ctx = context.WithValue(ctx, oauth1.HTTPClient, &http.Client{Transport: base})
	}
	return a.config().Client(ctx, oauth1.NewToken(a.token, a.tsecret))
}

// answer is one decoded response.
type answer struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func do(tb testing.TB, c *http.Client, method, u, contentType string, body string) answer {
	tb.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, header: resp.Header, raw: string(b)}
	json.Unmarshal(b, &a.body)
	return a
}

func (a *account) get(tb testing.TB, path string) answer {
	tb.Helper()
	return do(tb, a.client(nil), "GET", a.srv.URL()+path, "", "")
}

// tamper rewrites a request after the signer has signed it.
type tamper func(*http.Request)

func (f tamper) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	f(r)
	return http.DefaultTransport.RoundTrip(r)
}

// fixedNonce repeats one nonce, as a client with a broken noncer would.
type fixedNonce string

func (n fixedNonce) Nonce() string { return string(n) }

func wantUnauthorized(tb testing.TB, a answer) {
	tb.Helper()
	if a.status != http.StatusUnauthorized {
		tb.Fatalf("status = %d, want 401: %s", a.status, a.raw)
	}
	if a.body["title"] != "Unauthorized" || a.body["type"] != "about:blank" || a.body["status"] != float64(401) {
		tb.Errorf("body = %s, want X's 401 problem", a.raw)
	}
	if a.header.Get("x-rate-limit-remaining") != "" {
		tb.Errorf("a refused signature spent the rate limit: %v", a.header)
	}
}

func TestOAuth_SignedRequest(t *testing.T) {
	a := newAccount(t, xtest.Options{})

	t.Run("OK", func(t *testing.T) {
		got := a.get(t, "/2/users/me?user.fields=public_metrics,verified")
		if got.status != 200 {
			t.Fatalf("status = %d: %s", got.status, got.raw)
		}
		data, _ := got.body["data"].(map[string]any)
		if data["id"] != a.me.ID || data["username"] != "pebblecache" || data["name"] != "PebbleCache" {
			t.Errorf("data = %v, want the token's user", data)
		}
		if pm, _ := data["public_metrics"].(map[string]any); pm["followers_count"] != float64(1200) {
			t.Errorf("public_metrics = %v", data["public_metrics"])
		}
	})
	t.Run("QueryWithReservedCharacters", func(t *testing.T) {
		// spaces, quotes, parentheses and a colon all need RFC 3986
		// encoding in the base string
		got := a.get(t, "/2/tweets/search/recent?query="+url.QueryEscape(`("remote cache" OR bazel) -is:retweet lang:en`)+"&max_results=10")
		if got.status != 200 {
			t.Fatalf("status = %d: %s", got.status, got.raw)
		}
	})
	t.Run("ErrWrongConsumerSecret", func(t *testing.T) {
		cfg := a.config()
		cfg.ConsumerSecret = a.secret + "x"
		c := cfg.Client(context.Background(), oauth1.NewToken(a.token, a.tsecret))
		wantUnauthorized(t, do(t, c, "GET", a.srv.URL()+"/2/users/me", "", ""))
	})
	t.Run("ErrWrongTokenSecret", func(t *testing.T) {
		c := a.config().Client(context.Background(), oauth1.NewToken(a.token, "not-the-secret"))
		wantUnauthorized(t, do(t, c, "GET", a.srv.URL()+"/2/users/me", "", ""))
	})
	t.Run("ErrUnknownToken", func(t *testing.T) {
		c := a.config().Client(context.Background(), oauth1.NewToken(a.me.ID+"-forged", a.tsecret))
		wantUnauthorized(t, do(t, c, "GET", a.srv.URL()+"/2/users/me", "", ""))
	})
	t.Run("ErrUnsigned", func(t *testing.T) {
		wantUnauthorized(t, do(t, http.DefaultClient, "GET", a.srv.URL()+"/2/users/me", "", ""))
		req, _ := http.NewRequest("GET", a.srv.URL()+"/2/users/me", nil)
		req.Header.Set("Authorization", "Bearer AAAA")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 {
			t.Errorf("bearer token: status = %d, want 401", resp.StatusCode)
		}
	})
	t.Run("ErrTamperedQuery", func(t *testing.T) {
		c := a.client(tamper(func(r *http.Request) { r.URL.RawQuery = "max_results=100" }))
		wantUnauthorized(t, do(t, c, "GET", a.srv.URL()+"/2/users/"+a.me.ID+"/mentions?max_results=5", "", ""))
	})
	t.Run("ErrAddedQueryParameter", func(t *testing.T) {
		c := a.client(tamper(func(r *http.Request) { r.URL.RawQuery += "&since_id=1" }))
		wantUnauthorized(t, do(t, c, "GET", a.srv.URL()+"/2/users/"+a.me.ID+"/mentions?max_results=5", "", ""))
	})
	t.Run("ErrTamperedPath", func(t *testing.T) {
		c := a.client(tamper(func(r *http.Request) { r.URL.Path = "/2/users/1/mentions" }))
		wantUnauthorized(t, do(t, c, "GET", a.srv.URL()+"/2/users/"+a.me.ID+"/mentions", "", ""))
	})
	t.Run("FormBodyIsSigned", func(t *testing.T) {
		// A form body is part of the signature: signed as sent it passes
		// the check (and is then refused by the endpoint, which takes
		// JSON); changed after signing it is a 401.
		form := "text=hello+world&note=%E2%9C%93"
		got := do(t, a.client(nil), "POST", a.srv.URL()+"/2/tweets", "application/x-www-form-urlencoded", form)
		if got.status != 400 {
			t.Fatalf("signed form body: status = %d, want 400 (past the signature): %s", got.status, got.raw)
		}
		c := a.client(tamper(func(r *http.Request) {
			b := []byte("text=hello+there&note=%E2%9C%93")
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
		}))
		wantUnauthorized(t, do(t, c, "POST", a.srv.URL()+"/2/tweets", "application/x-www-form-urlencoded", form))
	})
	t.Run("JSONBodyIsNotSigned", func(t *testing.T) {
		c := a.client(tamper(func(r *http.Request) {
			b := []byte(`{"text":"changed after signing"}`)
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
		}))
		got := do(t, c, "POST", a.srv.URL()+"/2/tweets", "application/json", `{"text":"signed"}`)
		if got.status != 201 {
			t.Fatalf("status = %d, want 201 (a JSON body is not in the signature): %s", got.status, got.raw)
		}
	})
	t.Run("ErrReplayedNonce", func(t *testing.T) {
		cfg := a.config()
		cfg.Noncer = fixedNonce("same-nonce-" + time.Now().Format("150405.000"))
		c := cfg.Client(context.Background(), oauth1.NewToken(a.token, a.tsecret))
		if got := do(t, c, "GET", a.srv.URL()+"/2/users/me", "", ""); got.status != 200 {
			t.Fatalf("first use of the nonce: status = %d: %s", got.status, got.raw)
		}
		wantUnauthorized(t, do(t, c, "GET", a.srv.URL()+"/2/users/me", "", ""))
	})
	t.Run("ErrRevoked", func(t *testing.T) {
		b := newAccount(t, xtest.Options{})
		b.srv.RevokeAccess(b.me.ID)
		wantUnauthorized(t, b.get(t, "/2/users/me"))
	})
}

func TestOAuth_Timestamp(t *testing.T) {
	for _, tc := range []struct {
		name   string
		offset time.Duration // server time minus client time
		want   int
	}{
		{"OK", 0, 200},
		{"OKWithinSkew", 4 * time.Minute, 200},
		{"ErrOld", 6 * time.Minute, 401},
		{"ErrFuture", -6 * time.Minute, 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newAccount(t, xtest.Options{AuthNow: func() time.Time { return time.Now().Add(tc.offset) }})
			if got := a.get(t, "/2/users/me"); got.status != tc.want {
				t.Errorf("status = %d, want %d: %s", got.status, tc.want, got.raw)
			}
		})
	}
}

// capture records the OAuth endpoints' raw answers.
type capture struct{ bodies []string }

func (c *capture) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	c.bodies = append(c.bodies, string(b))
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp, nil
}

func TestOAuth_ThreeLegged(t *testing.T) {
	t.Run("LoopbackCallback", func(t *testing.T) {
		a := newAccount(t, xtest.Options{})
		cap := &capture{}
		cfg := a.config()
		cfg.CallbackURL = "http://127.0.0.1:53682/callback"
		cfg.HTTPClient = &http.Client{Transport: cap}
		rt, rs, err := cfg.RequestToken()
		if err != nil {
			t.Fatal(err)
		}
		redirect, _, err := a.srv.Approve(rt, a.me.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(redirect, "http://127.0.0.1:53682/callback?") {
			t.Fatalf("redirect = %q, want the callback", redirect)
		}
		req, _ := http.NewRequest("GET", redirect, nil)
		gotRT, verifier, err := oauth1.ParseAuthorizationCallback(req)
		if err != nil || gotRT != rt {
			t.Fatalf("callback = %q, %q, %v", gotRT, verifier, err)
		}
		if _, _, err := cfg.AccessToken(rt, rs, "wrong-verifier"); err == nil {
			t.Fatal("AccessToken with a wrong verifier succeeded")
		}
		// the failed attempt leaves the request token usable
		tok, sec, err := cfg.AccessToken(rt, rs, verifier)
		if err != nil {
			t.Fatal(err)
		}
		last, _ := url.ParseQuery(cap.bodies[len(cap.bodies)-1])
		if last.Get("user_id") != a.me.ID || last.Get("screen_name") != "pebblecache" {
			t.Errorf("access_token answer = %q, want user_id and screen_name", cap.bodies[len(cap.bodies)-1])
		}
		c := cfg.Client(context.Background(), oauth1.NewToken(tok, sec))
		if got := do(t, c, "GET", a.srv.URL()+"/2/users/me", "", ""); got.status != 200 {
			t.Fatalf("users/me with the new token: %d %s", got.status, got.raw)
		}
		if _, _, err := cfg.AccessToken(rt, rs, verifier); err == nil {
			t.Error("a request token was exchanged twice")
		}
	})
	t.Run("BrowserRedirect", func(t *testing.T) {
		srv := xtest.NewTestServer(t, xtest.Options{AuthorizeAs: "42"})
		key, secret := srv.NewConsumer()
		srv.AddUser(xtest.User{ID: "42", Username: "casey"})
		cfg := &oauth1.Config{ConsumerKey: key, ConsumerSecret: secret, CallbackURL: "http://127.0.0.1:40000/cb",
			Endpoint: oauth1.Endpoint{RequestTokenURL: srv.URL() + "/oauth/request_token", AuthorizeURL: srv.URL() + "/oauth/authorize", AccessTokenURL: srv.URL() + "/oauth/access_token"}}
		rt, rs, err := cfg.RequestToken()
		if err != nil {
			t.Fatal(err)
		}
		u, _ := cfg.AuthorizationURL(rt)
		noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := noFollow.Get(u.String())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusFound || loc.Host != "127.0.0.1:40000" || loc.Query().Get("oauth_token") != rt {
			t.Fatalf("authorize: %d Location %q", resp.StatusCode, loc)
		}
		if _, _, err := cfg.AccessToken(rt, rs, loc.Query().Get("oauth_verifier")); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("PIN", func(t *testing.T) {
		srv := xtest.NewTestServer(t, xtest.Options{AuthorizeAs: "42"})
		key, secret := srv.NewConsumer()
		srv.AddUser(xtest.User{ID: "42", Username: "casey"})
		cfg := &oauth1.Config{ConsumerKey: key, ConsumerSecret: secret, CallbackURL: "oob",
			Endpoint: oauth1.Endpoint{RequestTokenURL: srv.URL() + "/oauth/request_token", AuthorizeURL: srv.URL() + "/oauth/authorize", AccessTokenURL: srv.URL() + "/oauth/access_token"}}
		rt, rs, err := cfg.RequestToken()
		if err != nil {
			t.Fatal(err)
		}
		u, _ := cfg.AuthorizationURL(rt)
		resp, err := http.Get(u.String())
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m := regexp.MustCompile(`<code>(\d+)</code>`).FindSubmatch(page)
		if m == nil {
			t.Fatalf("no PIN on the page: %s", page)
		}
		tok, sec, err := cfg.AccessToken(rt, rs, string(m[1]))
		if err != nil {
			t.Fatal(err)
		}
		c := cfg.Client(context.Background(), oauth1.NewToken(tok, sec))
		got := do(t, c, "GET", srv.URL()+"/2/users/me", "", "")
		if got.status != 200 || got.body["data"].(map[string]any)["username"] != "casey" {
			t.Fatalf("users/me: %d %s", got.status, got.raw)
		}
	})
	t.Run("ErrCallbackNotLoopback", func(t *testing.T) {
		a := newAccount(t, xtest.Options{})
		cfg := a.config()
		cfg.CallbackURL = "https://evil.example/callback"
		if _, _, err := cfg.RequestToken(); err == nil || !strings.Contains(err.Error(), "403") {
			t.Errorf("RequestToken = %v, want a 403", err)
		}
	})
	t.Run("ErrNoCallback", func(t *testing.T) {
		a := newAccount(t, xtest.Options{})
		if _, _, err := a.config().RequestToken(); err == nil {
			t.Error("RequestToken without oauth_callback succeeded")
		}
	})
	t.Run("ErrWrongConsumerSecret", func(t *testing.T) {
		a := newAccount(t, xtest.Options{})
		cfg := a.config()
		cfg.CallbackURL, cfg.ConsumerSecret = "oob", "nope"
		if _, _, err := cfg.RequestToken(); err == nil || !strings.Contains(err.Error(), "401") {
			t.Errorf("RequestToken = %v, want a 401", err)
		}
	})
	t.Run("ErrRequestTokenOnAPI", func(t *testing.T) {
		a := newAccount(t, xtest.Options{})
		cfg := a.config()
		cfg.CallbackURL = "oob"
		rt, rs, err := cfg.RequestToken()
		if err != nil {
			t.Fatal(err)
		}
		c := cfg.Client(context.Background(), oauth1.NewToken(rt, rs))
		wantUnauthorized(t, do(t, c, "GET", a.srv.URL()+"/2/users/me", "", ""))
	})
}
