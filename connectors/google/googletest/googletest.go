// Package googletest is a fake Google OAuth 2.0 authorization and token
// endpoint for tests and the demo: the authorize page consents at once (or
// refuses, when told to) and redirects to the loopback redirect URI; the
// token endpoint checks the PKCE verifier, issues access and refresh tokens,
// refreshes, and answers invalid_grant for revoked or unknown grants, as
// Google does. API fakes ask Valid whether a bearer token is good.
package googletest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caseyos/caseyos/connectors/internal/googlefake"
)

// Defaults for Options.
const (
	DefaultClientID     = "caseyos-test.apps.googleusercontent.com"
	DefaultClientSecret = "GOCSPX-test-secret"
)

// Options configure a Server.
type Options struct {
	ClientID, ClientSecret string        // "" = the defaults
	TokenLifetime          time.Duration // expires_in of access tokens; 0 = 1 h
	Now                    func() time.Time
}

// Request is one call the token endpoint received.
type Request struct {
	GrantType    string // authorization_code, refresh_token
	Code         string
	CodeVerifier string
	RedirectURI  string
	RefreshToken string
	Status       int // what the fake answered
	Error        string
}

type grant struct {
	challenge, method, redirect, scope string
	offline, used                      bool
}

type access struct {
	expires time.Time
	refresh string
}

// Server is the fake. It is safe for concurrent use.
type Server struct {
	googlefake.Listener // URL, Close

	opts Options

	mu       sync.Mutex
	codes    map[string]*grant
	refresh  map[string]string // refresh token → scope; deleted when revoked
	tokens   map[string]access
	requests []Request
	deny     string // error to redirect with instead of a code
	authz    []url.Values
}

// New returns a fake with no grants.
func New(o Options) *Server {
	if o.ClientID == "" {
		o.ClientID = DefaultClientID
	}
	if o.ClientSecret == "" {
		o.ClientSecret = DefaultClientSecret
	}
	if o.TokenLifetime == 0 {
		o.TokenLifetime = time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Server{opts: o, codes: map[string]*grant{}, refresh: map[string]string{}, tokens: map[string]access{}}
}

// Handler serves /auth, /token and /revoke.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /auth", s.authorize)
	mux.HandleFunc("POST /token", s.token)
	mux.HandleFunc("POST /revoke", s.revoke)
	return mux
}

// Start serves on addr ("127.0.0.1:0" for any port) until Close, and sets URL.
func (s *Server) Start(addr string) error { return s.Listen(addr, s.Handler()) }

// NewTestServer starts a fake on an httptest server closed at the end of the test.
func NewTestServer(tb testing.TB, o Options) *Server {
	tb.Helper()
	s := New(o)
	s.ServeTest(tb, s.Handler())
	return s
}

// AuthURL and TokenURL are the endpoints to configure a client with.
func (s *Server) AuthURL() string  { return s.URL + "/auth" }
func (s *Server) TokenURL() string { return s.URL + "/token" }

// ClientID and ClientSecret are the client the fake accepts.
func (s *Server) ClientID() string     { return s.opts.ClientID }
func (s *Server) ClientSecret() string { return s.opts.ClientSecret }

// Deny makes the authorize page refuse consent with errCode (access_denied);
// "" consents again.
func (s *Server) Deny(errCode string) {
	s.mu.Lock()
	s.deny = errCode
	s.mu.Unlock()
}

// Valid reports whether an access token is current. API fakes call it.
func (s *Server) Valid(accessToken string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.tokens[accessToken]
	return ok && s.opts.Now().Before(a.expires)
}

// ExpireAccessTokens ends every access token now, as Google may before the
// expiry it announced; refresh tokens keep working.
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.tokens {
		delete(s.tokens, k)
	}
}

// RevokeAll revokes every grant: refreshes answer invalid_grant.
func (s *Server) RevokeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refresh = map[string]string{}
	s.tokens = map[string]access{}
}

// IssueRefreshToken mints a refresh token without the consent flow, for tests
// and the demo that start already connected.
func (s *Server) IssueRefreshToken(scope string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	rt := "1//" + random()
	s.refresh[rt] = scope
	return rt
}

// Requests returns what the token endpoint received, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Authorizations returns the query of every authorize request.
func (s *Server) Authorizations() []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]url.Values(nil), s.authz...)
}

func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	s.authz = append(s.authz, q)
	deny := s.deny
	s.mu.Unlock()
	if q.Get("client_id") != s.opts.ClientID {
		http.Error(w, "Error 401: invalid_client", http.StatusUnauthorized)
		return
	}
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || redirect.Scheme != "http" || (redirect.Hostname() != "127.0.0.1" && redirect.Hostname() != "localhost" && redirect.Hostname() != "[::1]") {
		http.Error(w, "Error 400: redirect_uri_mismatch", http.StatusBadRequest)
		return
	}
	if q.Get("response_type") != "code" {
		http.Error(w, "Error 400: unsupported_response_type", http.StatusBadRequest)
		return
	}
	// Google accepts plain PKCE too, but CaseyOS must use S256: be strict.
	if q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256" {
		http.Error(w, "Error 400: invalid_request (code_challenge_method)", http.StatusBadRequest)
		return
	}
	back := redirect.Query()
	back.Set("state", q.Get("state"))
	if deny != "" {
		back.Set("error", deny)
	} else {
		code := "4/" + random()
		s.mu.Lock()
		s.codes[code] = &grant{challenge: q.Get("code_challenge"), method: "S256", redirect: q.Get("redirect_uri"),
			scope: q.Get("scope"), offline: q.Get("access_type") == "offline"}
		s.mu.Unlock()
		back.Set("code", code)
		back.Set("scope", q.Get("scope"))
	}
	redirect.RawQuery = back.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "bad form")
		return
	}
	f := r.PostForm
	req := Request{GrantType: f.Get("grant_type"), Code: f.Get("code"), CodeVerifier: f.Get("code_verifier"),
		RedirectURI: f.Get("redirect_uri"), RefreshToken: f.Get("refresh_token")}
	status, body := s.grant(r, req)
	if e, ok := body["error"].(string); ok {
		req.Error = e
	}
	req.Status = status
	s.mu.Lock()
	s.requests = append(s.requests, req)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

func oauthError(code, desc string) map[string]any {
	return map[string]any{"error": code, "error_description": desc}
}

func writeOAuthError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(oauthError(code, desc))
}

func (s *Server) grant(r *http.Request, req Request) (int, map[string]any) {
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if u, p, ok := r.BasicAuth(); ok {
		id, secret = u, p
	}
	if id != s.opts.ClientID || secret != s.opts.ClientSecret {
		return http.StatusUnauthorized, oauthError("invalid_client", "The OAuth client was not found.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch req.GrantType {
	case "authorization_code":
		g := s.codes[req.Code]
		if g == nil || g.used {
			return http.StatusBadRequest, oauthError("invalid_grant", "Malformed auth code.")
		}
		g.used = true // a code works once, even when the exchange then fails
		if req.RedirectURI != g.redirect {
			return http.StatusBadRequest, oauthError("redirect_uri_mismatch", "Bad Request")
		}
		if req.CodeVerifier == "" {
			return http.StatusBadRequest, oauthError("invalid_grant", "Missing code verifier.")
		}
		sum := sha256.Sum256([]byte(req.CodeVerifier))
		if base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
			return http.StatusBadRequest, oauthError("invalid_grant", "Invalid code verifier.")
		}
		rt := ""
		if g.offline {
			rt = "1//" + random()
			s.refresh[rt] = g.scope
		}
		return http.StatusOK, s.issue(rt, g.scope, rt)
	case "refresh_token":
		scope, ok := s.refresh[req.RefreshToken]
		if !ok {
			return http.StatusBadRequest, oauthError("invalid_grant", "Token has been expired or revoked.")
		}
		// Google does not rotate the refresh token on refresh.
		return http.StatusOK, s.issue(req.RefreshToken, scope, "")
	}
	return http.StatusBadRequest, oauthError("unsupported_grant_type", "Invalid grant_type: "+req.GrantType)
}

// issue mints an access token; s.mu is held.
func (s *Server) issue(refresh, scope, newRefresh string) map[string]any {
	at := "ya29." + random()
	s.tokens[at] = access{expires: s.opts.Now().Add(s.opts.TokenLifetime), refresh: refresh}
	body := map[string]any{"access_token": at, "expires_in": int(s.opts.TokenLifetime / time.Second),
		"token_type": "Bearer", "scope": scope}
	if newRefresh != "" {
		body["refresh_token"] = newRefresh
	}
	return body
}

func (s *Server) revoke(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	tok := r.Form.Get("token")
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.refresh[tok]; ok {
		delete(s.refresh, tok)
		for at, a := range s.tokens {
			if a.refresh == tok {
				delete(s.tokens, at)
			}
		}
		w.WriteHeader(http.StatusOK)
		return
	}
	if _, ok := s.tokens[tok]; ok {
		delete(s.tokens, tok)
		w.WriteHeader(http.StatusOK)
		return
	}
	writeOAuthError(w, http.StatusBadRequest, "invalid_token", "Token expired or revoked")
}

func random() string {
	b := make([]byte, 18)
	rand.Read(b)
	return strings.TrimRight(base64.RawURLEncoding.EncodeToString(b), "=")
}
