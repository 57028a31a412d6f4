package google

import (
	"context"
	"io"
	"net/http"
	"sync"

	"golang.org/x/oauth2"
)

// TokenSource hands out the stored access token, refreshes it when it has
// expired or when an API call says so (ForceRefresh), and writes every
// refreshed token back to Secrets so the next launch starts from it.
// It is safe for concurrent use; refreshes are serialized.
type TokenSource struct {
	ctx context.Context
	cfg Config
	oc  *oauth2.Config

	mu  sync.Mutex
	tok *oauth2.Token
}

var _ oauth2.TokenSource = (*TokenSource)(nil)

// NewTokenSource returns a TokenSource over the token stored for cfg. ctx is
// used for refresh requests (and carries cfg.HTTPClient); nothing is read
// until the first Token call. With no cfg.Credentials, the client stored
// with the token at consent is used.
func NewTokenSource(ctx context.Context, cfg Config) *TokenSource {
	return &TokenSource{ctx: cfg.tokenContext(ctx), cfg: cfg}
}

// Token returns a valid access token, refreshing it if needed. A revoked
// grant is EUNAUTHORIZED: the account needs reconnecting.
func (s *TokenSource) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.load(); err != nil {
		return nil, err
	}
	if s.tok.Valid() {
		return s.tok, nil
	}
	return s.refresh()
}

// ForceRefresh refreshes the token unless it has already changed since the
// caller used stale (another request got there first).
func (s *TokenSource) ForceRefresh(stale string) (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.load(); err != nil {
		return nil, err
	}
	if s.tok.AccessToken != stale && s.tok.Valid() {
		return s.tok, nil
	}
	return s.refresh()
}

func (s *TokenSource) load() error {
	if s.tok != nil {
		return nil
	}
	t, err := LoadToken(s.cfg)
	if err != nil {
		return err
	}
	if s.cfg.Credentials.ClientID == "" {
		if c, ok := StoredCredentials(s.cfg); ok {
			s.cfg.Credentials = c
		}
	}
	s.oc = s.cfg.oauth2("")
	s.tok = t
	return nil
}

func (s *TokenSource) refresh() (*oauth2.Token, error) {
	const op = "google.Token"
	// A token with no access token always refreshes; x/oauth2 does the request.
	t, err := s.oc.TokenSource(s.ctx, &oauth2.Token{RefreshToken: s.tok.RefreshToken}).Token()
	if err != nil {
		return nil, tokenError(op, err)
	}
	if t.RefreshToken == "" {
		t.RefreshToken = s.tok.RefreshToken // Google rarely rotates it
	}
	s.tok = t
	// Keep the new token even if the keychain write fails: the refresh token
	// is unchanged, so the next launch can still refresh, and the next
	// refresh writes again.
	_ = saveToken(s.cfg, t)
	return t, nil
}

// Transport adds the bearer token to each request and answers a 401 with one
// forced refresh and one retry: x/oauth2 only refreshes by expiry time, but
// Google can end a token early.
type Transport struct {
	Source *TokenSource
	Base   http.RoundTripper // nil = http.DefaultTransport
}

// RoundTrip sends req with the current token.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	tok, err := t.Source.Token()
	if err != nil {
		closeBody(req)
		return nil, err
	}
	resp, err := base.RoundTrip(withToken(req, tok))
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	if req.Body != nil && req.GetBody == nil {
		return resp, nil // the body is gone; let the caller see the 401
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	tok, err = t.Source.ForceRefresh(tok.AccessToken)
	if err != nil {
		return nil, err
	}
	retry := withToken(req, tok)
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		retry.Body = body
	}
	return base.RoundTrip(retry)
}

func withToken(req *http.Request, tok *oauth2.Token) *http.Request {
	r := req.Clone(req.Context())
	tok.SetAuthHeader(r)
	return r
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// NewClient returns an HTTP client for Google APIs authorized as the stored
// account, and its TokenSource. Hand the client to gmail.New and gcal.New.
func NewClient(ctx context.Context, cfg Config) (*http.Client, *TokenSource) {
	ts := NewTokenSource(ctx, cfg)
	var base http.RoundTripper
	if cfg.HTTPClient != nil {
		base = cfg.HTTPClient.Transport
	}
	return &http.Client{Transport: &Transport{Source: ts, Base: base}}, ts
}
