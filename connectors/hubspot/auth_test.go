package hubspot

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/hubspot/hubspottest"
)

func TestParseCredentials(t *testing.T) {
	exp := time.Date(2026, 3, 2, 16, 0, 0, 0, time.UTC)
	oauth := Credentials{AccessToken: "at-1", RefreshToken: "rt-1", Expiry: exp, ClientID: "cid", ClientSecret: "cs", TokenURL: "http://x/oauth/v1/token"}
	tests := []struct {
		name string
		in   string
		want Credentials
		code string
	}{
		{"PrivateApp", "pat-na1-abc\n", Credentials{Token: "pat-na1-abc"}, ""},
		{"OAuthRoundTrip", oauth.Marshal(), oauth, ""},
		{"Empty", "  ", Credentials{}, backend.EINVALID},
		{"TwoWords", "pat-abc def", Credentials{}, backend.EINVALID},
		{"BadJSON", "{nope", Credentials{}, backend.EINVALID},
		{"NoToken", `{"type":"oauth"}`, Credentials{}, backend.EINVALID},
		{"NoClientID", `{"refresh_token":"rt"}`, Credentials{}, backend.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCredentials(tt.in)
			if backend.ErrorCode(err) != tt.code {
				t.Fatalf("ParseCredentials(%q) code = %q, want %q (%v)", tt.in, backend.ErrorCode(err), tt.code, err)
			}
			same := got.Token == tt.want.Token && got.AccessToken == tt.want.AccessToken && got.RefreshToken == tt.want.RefreshToken &&
				got.Expiry.Equal(tt.want.Expiry) && got.ClientID == tt.want.ClientID && got.TokenURL == tt.want.TokenURL
			if err == nil && !same {
				t.Fatalf("ParseCredentials = %#v, want %#v", got, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "abc") {
				t.Fatalf("error %q shows the token", err)
			}
		})
	}
	if s := (Credentials{Token: "pat-secret"}).String(); strings.Contains(s, "secret") {
		t.Fatalf("String() = %q shows the token", s)
	}
}

// oauthFixture connects with fresh OAuth tokens from the fake.
func oauthFixture(t *testing.T) *fixture {
	f := newFixture(t, hubspottest.Options{})
	access, refresh, exp := f.srv.IssueTokens()
	creds := Credentials{AccessToken: access, RefreshToken: refresh, Expiry: exp, ClientID: f.srv.ClientID(), ClientSecret: f.srv.ClientSecret()}
	c, err := New(Config{BaseURL: f.srv.URL(), Clock: f.clock, Limiter: f.limiter, Secrets: f.secrets, Credentials: creds})
	if err != nil {
		t.Fatal(err)
	}
	f.client = c
	f.srv.Seed(dealSeed(t0))
	return f
}

func TestClient_OAuth(t *testing.T) {
	ctx := context.Background()
	t.Run("RefreshOn401", func(t *testing.T) {
		f := oauthFixture(t)
		old := f.client.Credentials().AccessToken
		f.srv.ExpireTokens() // HubSpot expired it early; the client still believes it valid
		if _, _, err := f.client.Poll(ctx, ""); err != nil {
			t.Fatalf("Poll after expiry: %v", err)
		}
		if n := countRequests(f.srv, "POST /oauth/v1/token"); n != 1 {
			t.Fatalf("token requests = %d, want 1", n)
		}
		reqs := f.srv.Requests()
		if reqs[0].Status != 401 || reqs[1].Path != "/oauth/v1/token" || reqs[2].Path != reqs[0].Path || reqs[2].Status != 200 {
			t.Fatalf("want 401, refresh, the same request retried; got %s %d, %s, %s %d", reqs[0].Path, reqs[0].Status, reqs[1].Path, reqs[2].Path, reqs[2].Status)
		}
		stored, err := f.secrets.Get("hubspot")
		if err != nil {
			t.Fatalf("refreshed credentials not saved: %v", err)
		}
		got, err := ParseCredentials(stored)
		if err != nil || got.AccessToken == old || got.AccessToken != f.client.Credentials().AccessToken || got.RefreshToken == "" {
			t.Fatalf("saved credentials = %v (%v), want the new access token", got, err)
		}
	})
	t.Run("RefreshBeforeExpiry", func(t *testing.T) {
		f := oauthFixture(t)
		f.clock.Advance(30 * time.Minute) // the token's 1800 s are over
		if _, err := f.client.CreateTask(ctx, backend.NewTask{Subject: "x"}); err != nil {
			t.Fatal(err)
		}
		for _, r := range f.srv.Requests() {
			if r.Status == 401 {
				t.Fatal("the client sent an expired token instead of refreshing first")
			}
		}
	})
	t.Run("ErrRevoked", func(t *testing.T) {
		f := oauthFixture(t)
		f.srv.ExpireTokens()
		f.srv.RevokeRefreshTokens()
		_, _, err := f.client.Poll(ctx, "")
		if backend.ErrorCode(err) != backend.EUNAUTHORIZED {
			t.Fatalf("code = %s, want unauthorized (%v)", backend.ErrorCode(err), err)
		}
		cr := f.client.Credentials()
		for _, secret := range []string{cr.AccessToken, cr.RefreshToken, cr.ClientSecret} {
			if strings.Contains(err.Error(), secret) {
				t.Fatalf("error %q shows a secret", err)
			}
		}
	})
	t.Run("ErrPrivateAppTokenRefused", func(t *testing.T) {
		f := newFixture(t, hubspottest.Options{}, func(c *Config) { c.Credentials = Credentials{Token: "pat-wrong"} })
		_, _, err := f.client.Poll(ctx, "")
		if backend.ErrorCode(err) != backend.EUNAUTHORIZED || strings.Contains(err.Error(), "pat-wrong") {
			t.Fatalf("err = %v, want unauthorized without the token", err)
		}
	})
}

func TestAuthorize_PKCELoopback(t *testing.T) {
	srv := hubspottest.NewTestServer(t, hubspottest.Options{TenSecondLimit: -1})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	browser := &http.Client{Timeout: 5 * time.Second}
	var forged int
	var landed string
	var wg sync.WaitGroup
	defer wg.Wait()
	open := func(authURL string) error {
		u, err := url.Parse(authURL)
		if err != nil {
			return err
		}
		q := u.Query()
		if q.Get("code_challenge_method") != "S256" || q.Get("state") == "" || !strings.HasPrefix(q.Get("redirect_uri"), "http://127.0.0.1:") {
			t.Errorf("authorize URL %s lacks PKCE, state or a loopback redirect", authURL)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A forged redirect with the wrong state is refused; the flow waits on.
			resp, err := browser.Get(q.Get("redirect_uri") + "?code=evil&state=wrong")
			if err == nil {
				forged = resp.StatusCode
				resp.Body.Close()
			}
			// The user approves: the fake redirects to the loopback listener.
			resp, err = browser.Get(authURL)
			if err != nil {
				t.Errorf("browser: %v", err)
				return
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Errorf("browser reading the page: %v", err)
			}
			landed = string(body)
		}()
		return nil
	}
	creds, err := Authorize(ctx, NewOAuthConfig(srv.URL(), srv.ClientID(), srv.ClientSecret(), nil), open)
	if err != nil {
		t.Fatalf("Authorize: %v", err)
	}
	// The browser gets the whole page even though Authorize returned as soon
	// as the exchange was done.
	wg.Wait()
	if !strings.Contains(landed, "connected to HubSpot") {
		t.Errorf("browser landed on %q, want the connected page", landed)
	}
	if forged != http.StatusBadRequest {
		t.Fatalf("forged callback answered %d, want 400", forged)
	}
	if !creds.OAuth() || creds.AccessToken == "" || creds.Expiry.Before(time.Now().Add(29*time.Minute)) {
		t.Fatalf("creds = %v expiring %v", creds, creds.Expiry)
	}
	// The fake checked the code_verifier against the challenge; the token works.
	c, err := New(Config{BaseURL: srv.URL(), Credentials: creds})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Poll(ctx, ""); err != nil {
		t.Fatalf("Poll with the new token: %v", err)
	}
	var exchange hubspottest.Request
	for _, r := range srv.Requests() {
		if r.Path == "/oauth/v1/token" {
			exchange = r
		}
	}
	form, _ := url.ParseQuery(string(exchange.Body))
	if form.Get("grant_type") != "authorization_code" || len(form.Get("code_verifier")) != 43 {
		t.Fatalf("exchange form = %v, want a code with a 43-character verifier", form)
	}
}

func TestNewOAuthConfig(t *testing.T) {
	t.Run("HubSpot", func(t *testing.T) {
		cfg := NewOAuthConfig("", "id", "secret", nil)
		// Authorize fills in HubSpot's own addresses.
		if cfg.AuthURL != "" || cfg.TokenURL != "" || cfg.ClientID != "id" || cfg.ClientSecret != "secret" {
			t.Fatalf("NewOAuthConfig(\"\") = %+v, want HubSpot's addresses left to Authorize", cfg)
		}
		if strings.Join(cfg.Scopes, " ") != "crm.objects.contacts.read crm.objects.companies.read crm.objects.deals.read crm.objects.deals.write forms" {
			t.Fatalf("scopes = %v", cfg.Scopes)
		}
	})
	t.Run("StandIn", func(t *testing.T) {
		cfg := NewOAuthConfig("http://127.0.0.1:9", "id", "secret", nil)
		if cfg.AuthURL != "http://127.0.0.1:9/oauth/authorize" || cfg.TokenURL != "http://127.0.0.1:9/oauth/v1/token" {
			t.Fatalf("NewOAuthConfig(stand-in) = %+v, want its addresses under the base", cfg)
		}
	})
}

func TestAuthorize_ErrDenied(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	open := func(authURL string) error {
		u, _ := url.Parse(authURL)
		q := u.Query()
		go func() {
			resp, err := http.Get(q.Get("redirect_uri") + "?error=access_denied&state=" + url.QueryEscape(q.Get("state")))
			if err == nil {
				resp.Body.Close()
			}
		}()
		return nil
	}
	_, err := Authorize(ctx, OAuthConfig{ClientID: "c", ClientSecret: "s", AuthURL: "http://127.0.0.1:1/oauth/authorize"}, open)
	if backend.ErrorCode(err) != backend.EUNAUTHORIZED {
		t.Fatalf("code = %s, want unauthorized (%v)", backend.ErrorCode(err), err)
	}
}
