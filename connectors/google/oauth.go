package google

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/internal/loopback"
)

// Google's endpoints for installed ("Desktop") applications.
const (
	AuthURL  = "https://accounts.google.com/o/oauth2/auth"
	TokenURL = "https://oauth2.googleapis.com/token"
)

// Scopes CaseyOS asks for: gmail.modify covers reading, sending and drafts
// (gmail.send cannot create drafts); calendar.events covers listing,
// inserting and deleting events; calendar.freebusy covers free/busy.
const (
	ScopeGmailModify      = "https://www.googleapis.com/auth/gmail.modify"
	ScopeCalendarEvents   = "https://www.googleapis.com/auth/calendar.events"
	ScopeCalendarFreeBusy = "https://www.googleapis.com/auth/calendar.freebusy"
)

// DefaultScopes is what `caseyos connect google` asks consent for.
var DefaultScopes = []string{ScopeGmailModify, ScopeCalendarEvents, ScopeCalendarFreeBusy}

// DefaultAccount is the Secrets entry the Google token is stored under.
const DefaultAccount = "google"

// Credentials are the client id and secret of the user's own Google Cloud
// "Desktop" OAuth client. For a desktop client the secret is not secret (it
// ships with the app); PKCE is what protects the code.
type Credentials struct {
	ClientID     string
	ClientSecret string
	AuthURL      string // "" = Google's
	TokenURL     string // "" = Google's
}

// ParseCredentials reads the JSON file Google Cloud Console downloads for a
// Desktop OAuth client (an object under "installed").
func ParseCredentials(data []byte) (Credentials, error) {
	var f struct {
		Installed *struct {
			ClientID     string `json:"client_id"`
			ClientSecret string `json:"client_secret"`
			AuthURI      string `json:"auth_uri"`
			TokenURI     string `json:"token_uri"`
		} `json:"installed"`
		Web json.RawMessage `json:"web"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return Credentials{}, &backend.Error{Code: backend.EINVALID, Message: "The credentials file is not the JSON Google Cloud Console downloads.", Op: "google.ParseCredentials", Err: err}
	}
	if f.Installed == nil {
		if f.Web != nil {
			return Credentials{}, backend.Errorf(backend.EINVALID, "The credentials file is for a Web application; create an OAuth client of type Desktop app instead.")
		}
		return Credentials{}, backend.Errorf(backend.EINVALID, "The credentials file has no \"installed\" client; create an OAuth client of type Desktop app.")
	}
	c := Credentials{ClientID: f.Installed.ClientID, ClientSecret: f.Installed.ClientSecret, AuthURL: f.Installed.AuthURI, TokenURL: f.Installed.TokenURI}
	if c.ClientID == "" {
		return Credentials{}, backend.Errorf(backend.EINVALID, "The credentials file has no client_id.")
	}
	return c, nil
}

// Config says which client to authorize as and where tokens live.
type Config struct {
	Credentials Credentials
	Scopes      []string // nil = DefaultScopes
	// TokenURL and AuthURL override the credentials' endpoints (the
	// CASEYOS_GOOGLE_TOKEN_URL setting, or a fake in tests).
	TokenURL, AuthURL string
	// HTTPClient talks to the token endpoint; nil = http.DefaultClient.
	HTTPClient *http.Client
	// Secrets holds the token as JSON under Account.
	Secrets backend.Secrets
	Account string // "" = DefaultAccount
}

func (c Config) account() string {
	if c.Account == "" {
		return DefaultAccount
	}
	return c.Account
}

func (c Config) oauth2(redirect string) *oauth2.Config {
	auth, token := AuthURL, TokenURL
	if c.Credentials.AuthURL != "" {
		auth = c.Credentials.AuthURL
	}
	if c.Credentials.TokenURL != "" {
		token = c.Credentials.TokenURL
	}
	if c.AuthURL != "" {
		auth = c.AuthURL
	}
	if c.TokenURL != "" {
		token = c.TokenURL
	}
	scopes := c.Scopes
	if scopes == nil {
		scopes = DefaultScopes
	}
	return &oauth2.Config{
		ClientID:     c.Credentials.ClientID,
		ClientSecret: c.Credentials.ClientSecret,
		// Google accepts the client in the form; setting it stops x/oauth2
		// from trying Basic auth first and guessing.
		Endpoint:    oauth2.Endpoint{AuthURL: auth, TokenURL: token, AuthStyle: oauth2.AuthStyleInParams},
		RedirectURL: redirect,
		Scopes:      scopes,
	}
}

func (c Config) tokenContext(ctx context.Context) context.Context {
	if c.HTTPClient != nil {
		return context.WithValue(ctx, oauth2.HTTPClient, c.HTTPClient)
	}
	return ctx
}

// callbackPath is where the browser lands after consent.
const callbackPath = "/oauth2callback"

// Authorize runs the desktop consent flow: it listens on 127.0.0.1 on a free
// port, calls open with the consent URL (open a browser, or print it), waits
// for Google to redirect back with a code, checks the state, exchanges the
// code with the PKCE verifier and stores the token in Secrets. It returns
// when the token is stored or ctx ends.
func Authorize(ctx context.Context, cfg Config, open func(url string) error) (*oauth2.Token, error) {
	const op = "google.Authorize"
	if cfg.Credentials.ClientID == "" {
		return nil, &backend.Error{Code: backend.EINVALID, Message: "Google credentials need a client id.", Op: op}
	}
	if cfg.Secrets == nil {
		return nil, &backend.Error{Code: backend.EINTERNAL, Message: "No keychain to store the Google token in.", Op: op}
	}
	state := randomString(24)
	cb, err := loopback.Listen(callbackPath, func(q url.Values) loopback.Reply {
		switch {
		case q.Get("state") != state:
			// Not our request: a forged or stale redirect must not complete the flow.
			return loopback.Reply{Status: http.StatusBadRequest, Page: "This sign-in link is not the one CaseyOS started. Start again from CaseyOS.", End: true,
				Err: &backend.Error{Code: backend.EINVALID, Message: "The Google sign-in came back with the wrong state; start again.", Op: op}}
		case q.Get("error") != "":
			return loopback.Reply{Page: "Google sign-in was cancelled. You can close this window.", End: true,
				Err: &backend.Error{Code: backend.EUNAUTHORIZED, Message: "Google sign-in was cancelled (" + q.Get("error") + ").", Op: op}}
		case q.Get("code") == "":
			return loopback.Reply{Status: http.StatusBadRequest, Page: "Google sent no code. Start again from CaseyOS.", End: true,
				Err: &backend.Error{Code: backend.EINVALID, Message: "Google sent no authorization code.", Op: op}}
		}
		return loopback.Reply{Page: "CaseyOS is connected to Google. You can close this window.", End: true}
	})
	if err != nil {
		return nil, &backend.Error{Code: backend.EUNAVAILABLE, Message: "Could not listen on 127.0.0.1 for the Google sign-in.", Op: op, Err: err}
	}
	// Closed gracefully, so the browser gets the whole page even when the
	// exchange finishes before the callback handler has returned.
	defer cb.Close()
	oc := cfg.oauth2(cb.URL)
	verifier := oauth2.GenerateVerifier()
	authURL := oc.AuthCodeURL(state, oauth2.AccessTypeOffline, oauth2.ApprovalForce, oauth2.S256ChallengeOption(verifier))

	if err := open(authURL); err != nil {
		return nil, &backend.Error{Code: backend.EUNAVAILABLE, Message: "Could not open the browser for Google sign-in.", Op: op, Err: err}
	}
	q, err := cb.Wait(ctx)
	if err != nil && ctx.Err() != nil {
		return nil, &backend.Error{Code: backend.EUNAVAILABLE, Message: "Google sign-in did not finish in time.", Op: op, Err: ctx.Err()}
	}
	res := struct {
		code string
		err  error
	}{q.Get("code"), err}
	if res.err != nil {
		return nil, res.err
	}
	tok, err := oc.Exchange(cfg.tokenContext(ctx), res.code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, tokenError(op, err)
	}
	if tok.RefreshToken == "" {
		return nil, &backend.Error{Code: backend.EUNAUTHORIZED, Message: "Google granted no offline access; connect again and allow access.", Op: op}
	}
	if err := writeToken(cfg, tok, ""); err != nil { // a new grant may be another account
		return nil, &backend.Error{Code: backend.EINTERNAL, Message: "Could not store the Google token in the keychain.", Op: op, Err: err}
	}
	return tok, nil
}

func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand panics instead)
	return base64.RawURLEncoding.EncodeToString(b)
}

// tokenError maps a token-endpoint failure: invalid_grant (revoked, expired,
// or a bad code) and a rejected client mean "reconnect"; anything else is
// retryable.
func tokenError(op string, err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		switch re.ErrorCode {
		case "invalid_grant":
			return &backend.Error{Code: backend.EUNAUTHORIZED, Message: "Google access has expired or was revoked; reconnect Google.", Op: op, Err: err}
		case "invalid_client", "unauthorized_client":
			return &backend.Error{Code: backend.EUNAUTHORIZED, Message: "Google rejected the OAuth client; check the credentials file and reconnect.", Op: op, Err: err}
		}
		if re.Response != nil && re.Response.StatusCode >= 400 && re.Response.StatusCode < 500 && re.Response.StatusCode != http.StatusTooManyRequests {
			return &backend.Error{Code: backend.EUNAUTHORIZED, Message: "Google refused the token request; reconnect Google.", Op: op, Err: err}
		}
	}
	return &backend.Error{Code: backend.EUNAVAILABLE, Message: "Could not reach Google to sign in.", Op: op, Err: err}
}

// storedToken is the keychain format: x/oauth2's own field names, plus
// the account's address once the caller has learned it (SetEmail).
type storedToken struct {
	AccessToken  string    `json:"access_token"`
	TokenType    string    `json:"token_type,omitempty"`
	RefreshToken string    `json:"refresh_token"`
	Expiry       time.Time `json:"expiry,omitempty"`
	Email        string    `json:"email,omitempty"`
	// The client the token was granted to: refreshing needs it on every
	// run, and the credentials file may have moved.
	ClientID     string `json:"client_id,omitempty"`
	ClientSecret string `json:"client_secret,omitempty"`
	TokenURL     string `json:"token_uri,omitempty"`
}

func readStored(cfg Config) (storedToken, bool) {
	var st storedToken
	s, err := cfg.Secrets.Get(cfg.account())
	if err != nil || json.Unmarshal([]byte(s), &st) != nil {
		return storedToken{}, false
	}
	return st, true
}

// saveToken stores a refreshed token, keeping the stored address.
func saveToken(cfg Config, tok *oauth2.Token) error {
	old, _ := readStored(cfg)
	return writeToken(cfg, tok, old.Email)
}

func writeToken(cfg Config, tok *oauth2.Token, email string) error {
	b, err := json.Marshal(storedToken{AccessToken: tok.AccessToken, TokenType: tok.TokenType, RefreshToken: tok.RefreshToken,
		Expiry: tok.Expiry, Email: email, ClientID: cfg.Credentials.ClientID, ClientSecret: cfg.Credentials.ClientSecret,
		TokenURL: cfg.Credentials.TokenURL})
	if err != nil {
		return err
	}
	return cfg.Secrets.Set(cfg.account(), string(b))
}

// SetEmail records the connected account's address next to its token
// (`caseyos connect google` asks Gmail for it after consent), so status and
// the Calendar connector know it without a request.
func SetEmail(cfg Config, email string) error {
	st, ok := readStored(cfg)
	if !ok {
		return &backend.Error{Code: backend.EUNAUTHORIZED, Message: "Google is not connected.", Op: "google.SetEmail"}
	}
	st.Email = strings.ToLower(strings.TrimSpace(email))
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return cfg.Secrets.Set(cfg.account(), string(b))
}

// Email returns the connected account's address, "" when not yet known.
func Email(cfg Config) string {
	if cfg.Secrets == nil {
		return ""
	}
	st, _ := readStored(cfg)
	return st.Email
}

// LoadToken returns the stored token; an absent one is EUNAUTHORIZED
// ("connect Google"), a garbled one EINTERNAL.
func LoadToken(cfg Config) (*oauth2.Token, error) {
	const op = "google.LoadToken"
	if cfg.Secrets == nil {
		return nil, &backend.Error{Code: backend.EUNAUTHORIZED, Message: "Google is not connected.", Op: op}
	}
	s, err := cfg.Secrets.Get(cfg.account())
	if err != nil {
		if backend.ErrorCode(err) == backend.ENOTFOUND {
			return nil, &backend.Error{Code: backend.EUNAUTHORIZED, Message: "Google is not connected; run caseyos connect google.", Op: op, Err: err}
		}
		return nil, backend.WrapError(op, err)
	}
	var st storedToken
	if err := json.Unmarshal([]byte(s), &st); err != nil || st.RefreshToken == "" {
		if err == nil {
			err = errors.New("no refresh token")
		}
		return nil, &backend.Error{Code: backend.EUNAUTHORIZED, Message: "The stored Google token is unreadable; reconnect Google.", Op: op, Err: err}
	}
	return &oauth2.Token{AccessToken: st.AccessToken, TokenType: st.TokenType, RefreshToken: st.RefreshToken, Expiry: st.Expiry}, nil
}

// StoredCredentials returns the client the stored token was granted to.
func StoredCredentials(cfg Config) (Credentials, bool) {
	if cfg.Secrets == nil {
		return Credentials{}, false
	}
	st, ok := readStored(cfg)
	if !ok || st.ClientID == "" {
		return Credentials{}, false
	}
	return Credentials{ClientID: st.ClientID, ClientSecret: st.ClientSecret, TokenURL: st.TokenURL}, true
}

// Connected reports whether a Google token is stored (for `caseyos status`).
func Connected(cfg Config) bool {
	_, err := LoadToken(cfg)
	return err == nil
}

// Disconnect forgets the stored token.
func Disconnect(cfg Config) error {
	if err := cfg.Secrets.Delete(cfg.account()); err != nil && backend.ErrorCode(err) != backend.ENOTFOUND {
		return backend.WrapError("google.Disconnect", err)
	}
	return nil
}
