package hubspottest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"time"
)

type authCode struct {
	redirect  string
	challenge string
	expires   time.Time
}

// authorize plays the consent screen: it approves at once and redirects to
// the loopback redirect_uri with a code and the caller's state, checking
// what HubSpot checks (client id, S256 challenge, loopback redirect).
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != s.opts.ClientID {
		http.Error(w, "unknown client_id", http.StatusBadRequest)
		return
	}
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || redirect.Scheme != "http" || (redirect.Hostname() != "127.0.0.1" && redirect.Hostname() != "localhost") {
		http.Error(w, "redirect_uri must be a loopback http URL", http.StatusBadRequest)
		return
	}
	if q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) < 43 {
		http.Error(w, "PKCE with code_challenge_method=S256 is required", http.StatusBadRequest)
		return
	}
	if q.Get("state") == "" {
		http.Error(w, "state is required", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	code := "code-" + newCorrelationID()
	s.codes[code] = &authCode{redirect: q.Get("redirect_uri"), challenge: q.Get("code_challenge"), expires: s.clock.Now().Add(5 * time.Minute)}
	s.mu.Unlock()
	v := redirect.Query()
	v.Set("code", code)
	v.Set("state", q.Get("state"))
	redirect.RawQuery = v.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

// token exchanges a code or a refresh token (form-encoded, as HubSpot's
// /oauth/v1/token takes them).
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		tokenError(w, "invalid_request", "body must be form-encoded")
		return
	}
	f := r.PostForm
	if f.Get("client_id") != s.opts.ClientID || f.Get("client_secret") != s.opts.ClientSecret {
		writeJSON(w, http.StatusBadRequest, map[string]string{"status": "BAD_CLIENT_ID", "message": "missing or unknown client id",
			"error": "invalid_client", "error_description": "missing or unknown client id"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	switch f.Get("grant_type") {
	case "authorization_code":
		c := s.codes[f.Get("code")]
		delete(s.codes, f.Get("code")) // a code is good once
		if c == nil || now.After(c.expires) {
			writeJSON(w, http.StatusBadRequest, map[string]string{"status": "BAD_AUTH_CODE", "message": "missing or unknown auth code",
				"error": "invalid_grant", "error_description": "missing or unknown auth code"})
			return
		}
		if c.redirect != f.Get("redirect_uri") {
			writeJSON(w, http.StatusBadRequest, map[string]string{"status": "BAD_REDIRECT_URI", "message": "redirect_uri does not match",
				"error": "invalid_grant", "error_description": "redirect_uri does not match"})
			return
		}
		sum := sha256.Sum256([]byte(f.Get("code_verifier")))
		if base64.RawURLEncoding.EncodeToString(sum[:]) != c.challenge {
			writeJSON(w, http.StatusBadRequest, map[string]string{"status": "BAD_CODE_VERIFIER", "message": "code_verifier does not match the challenge",
				"error": "invalid_grant", "error_description": "code_verifier does not match the challenge"})
			return
		}
		refresh := "rt-" + newCorrelationID()
		s.refresh[refresh] = true
		s.issue(w, refresh, now)
	case "refresh_token":
		rt := f.Get("refresh_token")
		if !s.refresh[rt] {
			writeJSON(w, http.StatusBadRequest, map[string]string{"status": "BAD_REFRESH_TOKEN", "message": "missing or unknown refresh token",
				"error": "invalid_grant", "error_description": "missing or unknown refresh token"})
			return
		}
		s.issue(w, rt, now) // HubSpot refresh tokens do not rotate
	default:
		tokenError(w, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token")
	}
}

// issue writes a new access token; s.mu is held.
func (s *Server) issue(w http.ResponseWriter, refresh string, now time.Time) {
	access := "at-" + newCorrelationID()
	s.access[access] = now.Add(s.opts.AccessTokenTTL)
	writeJSON(w, http.StatusOK, map[string]any{"access_token": access, "refresh_token": refresh,
		"expires_in": int(s.opts.AccessTokenTTL.Seconds()), "token_type": "bearer"})
}

func tokenError(w http.ResponseWriter, code, msg string) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"status": "error", "message": msg, "error": code, "error_description": msg})
}

// IssueTokens mints an access and refresh token as a finished OAuth flow
// would, for tests that start already connected.
func (s *Server) IssueTokens() (access, refresh string, expires time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	access, refresh = "at-"+newCorrelationID(), "rt-"+newCorrelationID()
	s.access[access] = now.Add(s.opts.AccessTokenTTL)
	s.refresh[refresh] = true
	return access, refresh, now.Add(s.opts.AccessTokenTTL)
}

// uriDecoder undoes the percent-encodings HubSpot decodes in the URI it signs.
var uriDecoder = strings.NewReplacer("%3A", ":", "%2F", "/", "%3F", "?", "%40", "@", "%21", "!", "%24", "$",
	"%27", "'", "%28", "(", "%29", ")", "%2A", "*", "%2C", ",", "%3B", ";")

// SignV3 is HubSpot's v3 request signature: base64(HMAC-SHA256(secret,
// method + uri + body + timestamp)).
func SignV3(secret, method, uri string, body []byte, timestamp string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(method + uriDecoder.Replace(uri)))
	m.Write(body)
	m.Write([]byte(timestamp))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}
