package google_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/google"
	"github.com/caseyos/caseyos/connectors/google/googletest"
)

// memSecrets is an in-memory backend.Secrets.
type memSecrets struct {
	mu   sync.Mutex
	m    map[string]string
	sets int
}

func newMemSecrets() *memSecrets { return &memSecrets{m: map[string]string{}} }

func (s *memSecrets) Get(a string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[a]
	if !ok {
		return "", backend.Errorf(backend.ENOTFOUND, "no secret for %s", a)
	}
	return v, nil
}

func (s *memSecrets) Set(a, v string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[a] = v
	s.sets++
	return nil
}

func (s *memSecrets) Delete(a string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, a)
	return nil
}

func stored(tb testing.TB, s *memSecrets) map[string]any {
	tb.Helper()
	v, err := s.Get(google.DefaultAccount)
	if err != nil {
		tb.Fatalf("no token stored: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(v), &m); err != nil {
		tb.Fatal(err)
	}
	return m
}

func config(fake *googletest.Server, sec backend.Secrets) google.Config {
	return google.Config{
		Credentials: google.Credentials{ClientID: fake.ClientID(), ClientSecret: fake.ClientSecret()},
		AuthURL:     fake.AuthURL(),
		TokenURL:    fake.TokenURL(),
		Secrets:     sec,
	}
}

// browser plays the user's browser: it follows the consent page's redirect
// back to the loopback listener, optionally tampering with it first. What
// the loopback listener answered is kept for landing.Page.
func browser(tb testing.TB, tamper func(*url.URL)) func(string) error {
	open, _ := browserLanding(tb, tamper)
	return open
}

// landing is the page the browser was left on after the redirect.
type landing struct {
	wg   sync.WaitGroup
	page string
	err  error
}

// Page waits for the browser and returns the page the loopback listener sent.
func (l *landing) Page() (string, error) {
	l.wg.Wait()
	return l.page, l.err
}

func browserLanding(tb testing.TB, tamper func(*url.URL)) (func(string) error, *landing) {
	l := &landing{}
	tb.Cleanup(l.wg.Wait)
	return func(authURL string) error {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := c.Get(authURL)
			if err != nil {
				tb.Errorf("GET consent page: %v", err)
				return
			}
			resp.Body.Close()
			loc, err := url.Parse(resp.Header.Get("Location"))
			if err != nil || resp.StatusCode != http.StatusFound {
				tb.Errorf("consent page answered %d %q", resp.StatusCode, resp.Header.Get("Location"))
				return
			}
			if tamper != nil {
				tamper(loc)
			}
			resp, err = c.Get(loc.String())
			if err != nil {
				l.err = err
				return
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			l.page, l.err = string(body), err
		}()
		return nil
	}, l
}

func TestAuthorize(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		fake := googletest.NewTestServer(t, googletest.Options{})
		sec := newMemSecrets()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		open, land := browserLanding(t, nil)
		tok, err := google.Authorize(ctx, config(fake, sec), open)
		if err != nil {
			t.Fatalf("Authorize() error = %v", err)
		}
		// The browser is left on the whole "connected" page, even though
		// Authorize returned as soon as the exchange was done.
		if page, err := land.Page(); err != nil || !strings.Contains(page, "connected to Google") {
			t.Errorf("browser landed on %q (%v), want the connected page", page, err)
		}
		if tok.RefreshToken == "" || tok.AccessToken == "" {
			t.Fatalf("Authorize() token = %+v, want access and refresh tokens", tok)
		}
		az := fake.Authorizations()
		if len(az) != 1 {
			t.Fatalf("authorize requests = %d, want 1", len(az))
		}
		q := az[0]
		for k, want := range map[string]string{"access_type": "offline", "prompt": "consent", "code_challenge_method": "S256", "response_type": "code"} {
			if q.Get(k) != want {
				t.Errorf("authorize %s = %q, want %q", k, q.Get(k), want)
			}
		}
		if !strings.HasPrefix(q.Get("redirect_uri"), "http://127.0.0.1:") {
			t.Errorf("redirect_uri = %q, want the loopback address", q.Get("redirect_uri"))
		}
		if len(q.Get("state")) < 16 {
			t.Errorf("state = %q, want a random value", q.Get("state"))
		}
		if !strings.Contains(q.Get("scope"), google.ScopeGmailModify) {
			t.Errorf("scope = %q, want gmail.modify", q.Get("scope"))
		}
		reqs := fake.Requests()
		if len(reqs) != 1 || reqs[0].GrantType != "authorization_code" || reqs[0].Status != 200 || reqs[0].CodeVerifier == "" {
			t.Fatalf("token requests = %+v, want one successful code exchange with a verifier", reqs)
		}
		if got := stored(t, sec); got["refresh_token"] != tok.RefreshToken || got["access_token"] != tok.AccessToken {
			t.Errorf("stored token = %v, want the issued one", got)
		}
		if !google.Connected(config(fake, sec)) {
			t.Error("Connected() = false after Authorize")
		}
		// A later run knows only the keychain and the token URL.
		later := google.Config{Secrets: sec, TokenURL: fake.TokenURL()}
		if c, ok := google.StoredCredentials(later); !ok || c.ClientID != fake.ClientID() {
			t.Errorf("StoredCredentials() = %+v, %v", c, ok)
		}
		fake.ExpireAccessTokens()
		ts := google.NewTokenSource(context.Background(), later)
		old, _ := ts.Token()
		if tok, err := ts.ForceRefresh(old.AccessToken); err != nil || !fake.Valid(tok.AccessToken) {
			t.Errorf("refresh with the stored client = %v, %v", tok, err)
		}
	})
	t.Run("ErrState", func(t *testing.T) {
		fake := googletest.NewTestServer(t, googletest.Options{})
		sec := newMemSecrets()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		open, land := browserLanding(t, func(u *url.URL) {
			q := u.Query()
			q.Set("state", "forged")
			u.RawQuery = q.Encode()
		})
		_, err := google.Authorize(ctx, config(fake, sec), open)
		if backend.ErrorCode(err) != backend.EINVALID {
			t.Fatalf("Authorize(forged state) code = %q (%v), want %q", backend.ErrorCode(err), err, backend.EINVALID)
		}
		if page, err := land.Page(); err != nil || !strings.Contains(page, "not the one CaseyOS started") {
			t.Errorf("browser landed on %q (%v), want the refusal page", page, err)
		}
		if n := len(fake.Requests()); n != 0 {
			t.Errorf("token requests = %d, want none: a forged redirect must not be exchanged", n)
		}
		if _, err := sec.Get(google.DefaultAccount); err == nil {
			t.Error("a token was stored after a forged redirect")
		}
	})
	t.Run("ErrDenied", func(t *testing.T) {
		fake := googletest.NewTestServer(t, googletest.Options{})
		fake.Deny("access_denied")
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err := google.Authorize(ctx, config(fake, newMemSecrets()), browser(t, nil))
		if backend.ErrorCode(err) != backend.EUNAUTHORIZED {
			t.Fatalf("Authorize(denied) code = %q, want %q", backend.ErrorCode(err), backend.EUNAUTHORIZED)
		}
	})
	t.Run("ErrTimeout", func(t *testing.T) {
		fake := googletest.NewTestServer(t, googletest.Options{})
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := google.Authorize(ctx, config(fake, newMemSecrets()), func(string) error { return nil })
		if backend.ErrorCode(err) != backend.EUNAVAILABLE || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Authorize(no browser) = %v, want unavailable wrapping the deadline", err)
		}
	})
}

func TestFakeToken_PKCE(t *testing.T) {
	fake := googletest.NewTestServer(t, googletest.Options{})
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	verifier := "right-verifier-right-verifier-right-verifier-1234"
	q := url.Values{"client_id": {fake.ClientID()}, "redirect_uri": {"http://127.0.0.1:9/cb"}, "response_type": {"code"},
		"code_challenge": {s256(verifier)}, "code_challenge_method": {"S256"}, "state": {"s"}}
	resp, err := c.Get(fake.AuthURL() + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	code := loc.Query().Get("code")
	exchange := func(v string) int {
		resp, err := http.PostForm(fake.TokenURL(), url.Values{"grant_type": {"authorization_code"}, "code": {code},
			"code_verifier": {v}, "redirect_uri": {"http://127.0.0.1:9/cb"}, "client_id": {fake.ClientID()}, "client_secret": {fake.ClientSecret()}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := exchange("wrong-verifier-wrong-verifier-wrong-verifier-123"); got != http.StatusBadRequest {
		t.Errorf("exchange(wrong verifier) = %d, want 400", got)
	}
	if got := exchange(verifier); got != http.StatusBadRequest {
		t.Errorf("exchange(reused code) = %d, want 400: a code works once", got)
	}
}

func TestTokenSource(t *testing.T) {
	newConnected := func(t *testing.T) (*googletest.Server, *memSecrets, google.Config) {
		fake := googletest.NewTestServer(t, googletest.Options{})
		sec := newMemSecrets()
		rt := fake.IssueRefreshToken(google.ScopeGmailModify)
		sec.Set(google.DefaultAccount, `{"access_token":"stale","refresh_token":"`+rt+`","expiry":"2000-01-01T00:00:00Z"}`)
		return fake, sec, config(fake, sec)
	}
	t.Run("RefreshPersisted", func(t *testing.T) {
		fake, sec, cfg := newConnected(t)
		ts := google.NewTokenSource(context.Background(), cfg)
		tok, err := ts.Token()
		if err != nil {
			t.Fatalf("Token() error = %v", err)
		}
		if !fake.Valid(tok.AccessToken) {
			t.Fatalf("Token() = %q, not valid at the fake", tok.AccessToken)
		}
		if got := stored(t, sec)["access_token"]; got != tok.AccessToken {
			t.Errorf("stored access token = %v, want the refreshed %q", got, tok.AccessToken)
		}
		if got := stored(t, sec)["refresh_token"]; got == "" {
			t.Error("refresh token lost on refresh")
		}
	})
	t.Run("EmailKept", func(t *testing.T) {
		_, sec, cfg := newConnected(t)
		if err := google.SetEmail(cfg, "Casey@Pebblecache.dev"); err != nil {
			t.Fatal(err)
		}
		if _, err := google.NewTokenSource(context.Background(), cfg).Token(); err != nil {
			t.Fatal(err)
		}
		if got := google.Email(cfg); got != "casey@pebblecache.dev" {
			t.Errorf("Email() after a refresh = %q, want casey@pebblecache.dev", got)
		}
		if stored(t, sec)["email"] != "casey@pebblecache.dev" {
			t.Error("the address was not kept in the keychain entry")
		}
	})
	t.Run("ErrRevoked", func(t *testing.T) {
		fake, _, cfg := newConnected(t)
		fake.RevokeAll()
		_, err := google.NewTokenSource(context.Background(), cfg).Token()
		if backend.ErrorCode(err) != backend.EUNAUTHORIZED {
			t.Fatalf("Token(revoked) code = %q (%v), want %q", backend.ErrorCode(err), err, backend.EUNAUTHORIZED)
		}
	})
	t.Run("ErrNotConnected", func(t *testing.T) {
		fake := googletest.NewTestServer(t, googletest.Options{})
		_, err := google.NewTokenSource(context.Background(), config(fake, newMemSecrets())).Token()
		if backend.ErrorCode(err) != backend.EUNAUTHORIZED {
			t.Fatalf("Token(nothing stored) code = %q, want %q", backend.ErrorCode(err), backend.EUNAUTHORIZED)
		}
	})
}

func TestTransport_401RefreshesOnce(t *testing.T) {
	fake := googletest.NewTestServer(t, googletest.Options{})
	sec := newMemSecrets()
	cfg := config(fake, sec)
	rt := fake.IssueRefreshToken("")
	sec.Set(google.DefaultAccount, `{"access_token":"x","refresh_token":"`+rt+`","expiry":"2000-01-01T00:00:00Z"}`)

	var mu sync.Mutex
	var calls int
	var bodies []string
	alwaysFail := false
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		calls++
		bodies = append(bodies, string(b))
		fail := alwaysFail
		mu.Unlock()
		if fail || !fake.Valid(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Write([]byte("ok"))
	}))
	defer api.Close()
	client, _ := google.NewClient(context.Background(), cfg)

	post := func() int {
		resp, err := client.Post(api.URL, "text/plain", strings.NewReader("payload"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := post(); got != 200 {
		t.Fatalf("first call = %d, want 200", got)
	}
	fake.ExpireAccessTokens() // Google ends the token before its expiry
	calls = 0
	if got := post(); got != 200 {
		t.Fatalf("call after server-side expiry = %d, want 200 after one refresh", got)
	}
	if calls != 2 || bodies[len(bodies)-1] != "payload" {
		t.Errorf("API calls = %d (last body %q), want 2 with the body resent", calls, bodies[len(bodies)-1])
	}
	if got := stored(t, sec)["access_token"]; !fake.Valid(got.(string)) {
		t.Error("the refreshed token was not persisted")
	}
	mu.Lock()
	alwaysFail, calls = true, 0
	mu.Unlock()
	if got := post(); got != http.StatusUnauthorized || calls != 2 {
		t.Errorf("persistent 401 = %d after %d calls, want 401 after exactly 2 (one retry)", got, calls)
	}
}

func s256(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
