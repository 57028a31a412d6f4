package hubspot

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// Credentials are what the keychain holds for a HubSpot account: a
// private-app token, or OAuth tokens with what it takes to refresh them.
type Credentials struct {
	Token string // private-app token; sent as the Bearer token

	AccessToken  string
	RefreshToken string
	Expiry       time.Time
	ClientID     string
	ClientSecret string
	TokenURL     string // default: the base URL's /oauth/v1/token
}

// credentialsJSON is the keychain format of OAuth credentials.
type credentialsJSON struct {
	Type         string    `json:"type"`
	AccessToken  string    `json:"access_token,omitempty"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	Expiry       time.Time `json:"expiry,omitzero"`
	ClientID     string    `json:"client_id,omitempty"`
	ClientSecret string    `json:"client_secret,omitempty"`
	TokenURL     string    `json:"token_url,omitempty"`
	Token        string    `json:"token,omitempty"`
}

// OAuth reports whether c are OAuth credentials that can be refreshed.
func (c Credentials) OAuth() bool { return c.RefreshToken != "" }

func (c Credentials) empty() bool {
	return c.Token == "" && c.AccessToken == "" && c.RefreshToken == ""
}

// String never shows a token.
func (c Credentials) String() string {
	if c.OAuth() {
		return "hubspot OAuth credentials"
	}
	return "hubspot private-app token"
}

// GoString never shows a token either.
func (c Credentials) GoString() string { return c.String() }

// ParseCredentials reads what Marshal wrote, or a bare private-app token.
func ParseCredentials(secret string) (Credentials, error) {
	s := strings.TrimSpace(secret)
	if s == "" {
		return Credentials{}, backend.Errorf(backend.EINVALID, "the HubSpot credential is empty")
	}
	if s[0] != '{' {
		if strings.ContainsAny(s, " \t\r\n") {
			return Credentials{}, backend.Errorf(backend.EINVALID, "a HubSpot private-app token is one word (pat-…)")
		}
		return Credentials{Token: s}, nil
	}
	var j credentialsJSON
	if err := json.Unmarshal([]byte(s), &j); err != nil {
		return Credentials{}, backend.Errorf(backend.EINVALID, "the stored HubSpot credential is not valid JSON; reconnect HubSpot")
	}
	c := Credentials{Token: j.Token, AccessToken: j.AccessToken, RefreshToken: j.RefreshToken, Expiry: j.Expiry,
		ClientID: j.ClientID, ClientSecret: j.ClientSecret, TokenURL: j.TokenURL}
	if c.empty() {
		return Credentials{}, backend.Errorf(backend.EINVALID, "the stored HubSpot credential holds no token; reconnect HubSpot")
	}
	if c.RefreshToken != "" && c.ClientID == "" {
		return Credentials{}, backend.Errorf(backend.EINVALID, "the stored HubSpot OAuth credential has no client id; reconnect HubSpot")
	}
	return c, nil
}

// Marshal renders c for the keychain: a private-app token as itself, OAuth
// credentials as JSON.
func (c Credentials) Marshal() string {
	if !c.OAuth() && c.AccessToken == "" {
		return c.Token
	}
	b, _ := json.Marshal(credentialsJSON{Type: "oauth", AccessToken: c.AccessToken, RefreshToken: c.RefreshToken,
		Expiry: c.Expiry.UTC(), ClientID: c.ClientID, ClientSecret: c.ClientSecret, TokenURL: c.TokenURL})
	return string(b)
}

// refreshEarly refreshes a token this long before it expires.
const refreshEarly = time.Minute

// accessToken returns the token to send, refreshing OAuth credentials when
// they are about to expire or when force is set (after a 401).
func (c *Client) accessToken(ctx context.Context, force bool) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cr := c.creds
	if !cr.OAuth() {
		if cr.Token != "" {
			return cr.Token, nil
		}
		return cr.AccessToken, nil
	}
	if !force && cr.AccessToken != "" && c.clock.Now().Add(refreshEarly).Before(cr.Expiry) {
		return cr.AccessToken, nil
	}
	// Holding c.mu through the refresh makes concurrent callers wait for
	// one refresh instead of racing several.
	tok, err := exchange(ctx, c.http, cr.TokenURL, url.Values{
		"grant_type": {"refresh_token"}, "client_id": {cr.ClientID}, "client_secret": {cr.ClientSecret},
		"refresh_token": {cr.RefreshToken},
	})
	if err != nil {
		return "", err
	}
	cr.AccessToken = tok.AccessToken
	if tok.RefreshToken != "" {
		cr.RefreshToken = tok.RefreshToken
	}
	cr.Expiry = c.clock.Now().Add(time.Duration(tok.ExpiresIn) * time.Second)
	c.creds = cr
	if c.secrets != nil {
		if err := c.secrets.Set(c.account, cr.Marshal()); err != nil {
			return "", &backend.Error{Code: backend.ErrorCode(err), Op: "hubspot.refresh",
				Message: "the refreshed HubSpot token could not be saved to the keychain", Err: err}
		}
	}
	return cr.AccessToken, nil
}

type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int    `json:"expires_in"`
	// HubSpot's envelope and OAuth's standard fields, for failures.
	Status string `json:"status"`
	Error  string `json:"error"`
}

// exchange posts a form to the token endpoint. Its errors never carry the
// form or the answer, which hold secrets.
func exchange(ctx context.Context, hc *http.Client, tokenURL string, form url.Values) (tokenResponse, error) {
	const op = "hubspot.token"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return tokenResponse{}, &backend.Error{Code: backend.EINVALID, Op: op, Message: "the HubSpot token URL is not valid"}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return tokenResponse{}, ctx.Err()
		}
		return tokenResponse{}, unavailable(op, "HubSpot's sign-in server cannot be reached", scrubURLError(err), networkWait)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var tok tokenResponse
	_ = json.Unmarshal(data, &tok)
	switch {
	case resp.StatusCode == http.StatusOK && tok.AccessToken != "":
		return tok, nil
	case resp.StatusCode == http.StatusOK:
		return tokenResponse{}, &backend.Error{Code: backend.EINTERNAL, Op: op, Message: "HubSpot's sign-in server sent no access token"}
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
		return tokenResponse{}, unavailable(op, "HubSpot's sign-in server is having trouble", fmt.Errorf("token endpoint answered %d", resp.StatusCode), serverErrorWait)
	case tok.Error == "invalid_grant" || tok.Status == "BAD_REFRESH_TOKEN" || tok.Status == "BAD_AUTH_CODE" ||
		tok.Error == "invalid_client" || resp.StatusCode == http.StatusUnauthorized:
		return tokenResponse{}, &backend.Error{Code: backend.EUNAUTHORIZED, Op: op,
			Message: "HubSpot access was revoked or has expired; reconnect HubSpot",
			Err:     fmt.Errorf("token endpoint answered %d %s", resp.StatusCode, nonEmpty(tok.Error, tok.Status))}
	}
	return tokenResponse{}, &backend.Error{Code: backend.EINVALID, Op: op, Message: "HubSpot's sign-in server refused the request",
		Err: fmt.Errorf("token endpoint answered %d %s", resp.StatusCode, nonEmpty(tok.Error, tok.Status))}
}

// OAuthConfig describes the HubSpot app for Authorize.
type OAuthConfig struct {
	ClientID     string
	ClientSecret string
	Scopes       []string
	// AuthURL defaults to https://app.hubspot.com/oauth/authorize and
	// TokenURL to https://api.hubapi.com/oauth/v1/token.
	AuthURL    string
	TokenURL   string
	HTTPClient *http.Client
	Clock      backend.Clock
	// ListenAddr is the loopback address for the redirect (default 127.0.0.1:0).
	ListenAddr string
}

// DefaultScopes is what `caseyos connect hubspot --oauth` asks consent
// for: contacts, companies and deals to read, deals to update, and forms.
var DefaultScopes = []string{"crm.objects.contacts.read", "crm.objects.companies.read", "crm.objects.deals.read", "crm.objects.deals.write", "forms"}

// NewOAuthConfig is the sign-in of the HubSpot app clientID (with its
// secret) for the API at base: "" is HubSpot's own, anything else a
// stand-in such as hubspottest, which serves the consent page and the
// token endpoint under its base too.
func NewOAuthConfig(base, clientID, clientSecret string, clock backend.Clock) OAuthConfig {
	cfg := OAuthConfig{ClientID: clientID, ClientSecret: clientSecret, Scopes: DefaultScopes, Clock: clock}
	if base != "" {
		cfg.AuthURL = base + "/oauth/authorize"
		cfg.TokenURL = base + "/oauth/v1/token"
	}
	return cfg
}

// Authorize runs the OAuth 2.0 authorization-code flow with PKCE (S256):
// it listens on a loopback port, has openBrowser show HubSpot's consent
// page, checks the state that comes back, and exchanges the code. The
// caller saves the result with Secrets.Set(account, creds.Marshal()). It
// ends when ctx does.
func Authorize(ctx context.Context, cfg OAuthConfig, openBrowser func(url string) error) (Credentials, error) {
	const op = "hubspot.authorize"
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		return Credentials{}, backend.Errorf(backend.EINVALID, "HubSpot sign-in needs the app's client id and secret")
	}
	if cfg.AuthURL == "" {
		cfg.AuthURL = "https://app.hubspot.com/oauth/authorize"
	}
	if cfg.TokenURL == "" {
		cfg.TokenURL = DefaultBaseURL + "/oauth/v1/token"
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.Clock == nil {
		cfg.Clock = backend.SystemClock{}
	}
	if cfg.ListenAddr == "" {
		cfg.ListenAddr = "127.0.0.1:0"
	}
	l, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return Credentials{}, &backend.Error{Code: backend.EUNAVAILABLE, Op: op, Message: "cannot listen on a loopback port for the HubSpot sign-in", Err: err}
	}
	defer l.Close()
	redirect := "http://" + l.Addr().String() + "/oauth/callback"
	state, verifier := randomToken(), randomToken()
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])

	type result struct {
		code string
		err  error
	}
	done := make(chan result, 1)
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/oauth/callback" {
			http.NotFound(w, r)
			return
		}
		q := r.URL.Query()
		if q.Get("state") != state {
			// Not our flow (or a forged redirect): refuse it and keep waiting.
			http.Error(w, "This sign-in link does not belong to the CaseyOS window that is waiting.", http.StatusBadRequest)
			return
		}
		var res result
		switch {
		case q.Get("error") != "":
			res.err = &backend.Error{Code: backend.EUNAUTHORIZED, Op: op, Message: "HubSpot sign-in was not approved",
				Err: errors.New(q.Get("error"))}
		case q.Get("code") == "":
			res.err = &backend.Error{Code: backend.EINVALID, Op: op, Message: "HubSpot sent no authorization code"}
		default:
			res.code = q.Get("code")
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		msg := "CaseyOS is connected to HubSpot. You can close this window."
		if res.err != nil {
			msg = backend.ErrorMessage(res.err)
		}
		fmt.Fprintf(w, "<!doctype html><title>CaseyOS</title><p>%s</p>", html.EscapeString(msg))
		select {
		case done <- res:
		default:
		}
	})}
	go srv.Serve(l) //nolint:errcheck // ends when l closes
	// Shut down gracefully: the browser that brought the code must get the
	// whole "connected" page, not a reset connection, even when the
	// exchange below finishes before the handler has returned.
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if srv.Shutdown(sctx) != nil {
			srv.Close()
		}
	}()

	q := url.Values{
		"client_id": {cfg.ClientID}, "redirect_uri": {redirect}, "scope": {strings.Join(cfg.Scopes, " ")},
		"state": {state}, "code_challenge": {challenge}, "code_challenge_method": {"S256"}, "response_type": {"code"},
	}
	sep := "?"
	if strings.Contains(cfg.AuthURL, "?") {
		sep = "&"
	}
	if err := openBrowser(cfg.AuthURL + sep + q.Encode()); err != nil {
		return Credentials{}, &backend.Error{Code: backend.EUNAVAILABLE, Op: op, Message: "cannot open the browser for the HubSpot sign-in", Err: err}
	}
	var res result
	select {
	case res = <-done:
	case <-ctx.Done():
		return Credentials{}, &backend.Error{Code: backend.EUNAVAILABLE, Op: op, Message: "HubSpot sign-in did not finish", Err: ctx.Err()}
	}
	if res.err != nil {
		return Credentials{}, res.err
	}
	tok, err := exchange(ctx, cfg.HTTPClient, cfg.TokenURL, url.Values{
		"grant_type": {"authorization_code"}, "client_id": {cfg.ClientID}, "client_secret": {cfg.ClientSecret},
		"redirect_uri": {redirect}, "code": {res.code}, "code_verifier": {verifier},
	})
	if err != nil {
		return Credentials{}, backend.WrapError(op, err)
	}
	return Credentials{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken,
		Expiry:   cfg.Clock.Now().Add(time.Duration(tok.ExpiresIn) * time.Second),
		ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, TokenURL: cfg.TokenURL}, nil
}

// randomToken is 32 random bytes, base64url: a state or a PKCE verifier (43 characters).
func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func nonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
