package x

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/internal/loopback"
)

// AuthConfig is the developer app signing in a user.
type AuthConfig struct {
	BaseURL        string // "" = DefaultBaseURL
	ConsumerKey    string
	ConsumerSecret string
	// PIN uses the out-of-band flow: X shows a PIN the person types back
	// (ReadPIN), for when no browser on this machine can reach 127.0.0.1.
	PIN bool
	// HTTPClient talks to X; nil = a client with a 30-second timeout.
	HTTPClient *http.Client
}

func (a AuthConfig) base() string {
	if a.BaseURL == "" {
		return DefaultBaseURL
	}
	return strings.TrimRight(a.BaseURL, "/")
}

// callbackPath is where X redirects after consent.
const callbackPath = "/callback"

// Authorize runs OAuth 1.0a's three legs: a request token with
// oauth_callback (a loopback http://127.0.0.1:PORT/callback, or "oob" for
// the PIN flow), the person's consent at X (open is given the address),
// and the exchange of the verifier for the user's access token. It then
// checks the token with GET /2/users/me and returns the credentials to
// store, naming the account.
func Authorize(ctx context.Context, cfg AuthConfig, open func(url string) error, readPIN func() (string, error)) (Credentials, error) {
	const op = "x.Authorize"
	if cleanKey(cfg.ConsumerKey) == "" || cleanKey(cfg.ConsumerSecret) == "" {
		return Credentials{}, &backend.Error{Code: backend.EINVALID, Op: op, Message: "X sign-in needs your app's consumer key and secret (the API Key and Secret in X's developer portal)"}
	}
	callback := "oob"
	var cb *loopback.Server
	type grant struct{ token, verifier string }
	if !cfg.PIN {
		var err error
		cb, err = loopback.Listen(callbackPath, func(q url.Values) loopback.Reply {
			switch {
			case q.Get("denied") != "":
				return loopback.Reply{Page: "X sign-in was cancelled. You can close this window.", End: true,
					Err: &backend.Error{Code: backend.EUNAUTHORIZED, Op: op, Message: "X sign-in was cancelled"}}
			case q.Get("oauth_token") == "" || q.Get("oauth_verifier") == "":
				return loopback.Reply{Status: http.StatusBadRequest, Page: "X sent no verifier. Start again from CaseyOS."}
			}
			return loopback.Reply{Page: "CaseyOS is connected to X. You can close this window.", End: true}
		})
		if err != nil {
			return Credentials{}, &backend.Error{Code: backend.EUNAVAILABLE, Op: op, Message: "Could not listen on 127.0.0.1 for the X sign-in; try --pin", Err: err}
		}
		defer cb.Close()
		callback = cb.URL
	}
	oc := oauthConfig(cfg.base(), cleanKey(cfg.ConsumerKey), cleanKey(cfg.ConsumerSecret), callback, cfg.HTTPClient)
	rt, rs, err := oc.RequestToken()
	if err != nil {
		return Credentials{}, &backend.Error{Code: backend.EUNAUTHORIZED, Op: op, Message: "X refused the app's consumer key and secret, or its callback (add " + callbackNote(callback) + " to the app's callback URLs)", Err: err}
	}
	au, err := oc.AuthorizationURL(rt)
	if err != nil {
		return Credentials{}, &backend.Error{Code: backend.EINTERNAL, Op: op, Err: err}
	}
	if err := open(au.String()); err != nil {
		return Credentials{}, &backend.Error{Code: backend.EUNAVAILABLE, Op: op, Message: "Could not show the X sign-in address", Err: err}
	}
	var g grant
	if cfg.PIN {
		pin, err := readPIN()
		if err != nil {
			return Credentials{}, err
		}
		g = grant{token: rt, verifier: strings.TrimSpace(pin)}
		if g.verifier == "" {
			return Credentials{}, &backend.Error{Code: backend.EINVALID, Op: op, Message: "no PIN was entered"}
		}
	} else {
		q, err := cb.Wait(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return Credentials{}, &backend.Error{Code: backend.EUNAVAILABLE, Op: op, Message: "X sign-in did not finish in time", Err: err}
			}
			return Credentials{}, err
		}
		g = grant{token: q.Get("oauth_token"), verifier: q.Get("oauth_verifier")}
		if g.token != rt {
			return Credentials{}, &backend.Error{Code: backend.EINVALID, Op: op, Message: "The X sign-in came back for another request; start again"}
		}
	}
	at, as, err := oc.AccessToken(rt, rs, g.verifier)
	if err != nil {
		return Credentials{}, &backend.Error{Code: backend.EUNAUTHORIZED, Op: op, Message: "X did not grant access (a wrong or used PIN, or the consent expired); start again", Err: err}
	}
	return Verify(ctx, cfg, at, as)
}

func callbackNote(cb string) string {
	if cb == "oob" {
		return "nothing: the PIN flow needs no callback"
	}
	return "http://127.0.0.1/callback"
}

// Verify checks an access token made in the developer portal (or by
// Authorize) with GET /2/users/me and returns the credentials naming the
// account.
func Verify(ctx context.Context, cfg AuthConfig, token, tokenSecret string) (Credentials, error) {
	creds := Credentials{ConsumerKey: cleanKey(cfg.ConsumerKey), ConsumerSecret: cleanKey(cfg.ConsumerSecret),
		Token: cleanKey(token), TokenSecret: cleanKey(tokenSecret)}
	if creds.ConsumerKey == "" || creds.ConsumerSecret == "" || creds.Token == "" || creds.TokenSecret == "" {
		return Credentials{}, &backend.Error{Code: backend.EINVALID, Op: "x.Verify", Message: "X needs the consumer key and secret and the access token and secret"}
	}
	c, err := New(Config{BaseURL: cfg.BaseURL, Credentials: creds, HTTPClient: cfg.HTTPClient})
	if err != nil {
		return Credentials{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	me, err := c.Me(ctx)
	if err != nil {
		return Credentials{}, err
	}
	creds.UserID, creds.Username = me.ID, me.Username
	return creds, nil
}
