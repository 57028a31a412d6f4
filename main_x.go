package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/x"
)

// xConnector wires connectors/x for base (CASEYOS_X_BASE_URL: X's API and
// OAuth endpoints, or a fake). The keychain entry "x" holds the consumer
// key and secret and the user's access token and secret; `caseyos connect
// x` gets them by the three-legged sign-in (loopback callback, or --pin)
// or from the developer portal (--access-token --secrets-stdin).
func xConnector(base string, clock backend.Clock) app.Connector {
	return app.Connector{
		Account: "x", Label: "X", Detail: "Mentions and the watch list; replies to and likes posts",
		Hint:  "caseyos connect x --consumer-key KEY (the consumer secret on standard input)",
		Limit: x.Limits,
		Poller: func(secret string, limiter backend.RateLimiter, dir backend.Directory) (backend.Poller, error) {
			creds, err := x.ParseCredentials(secret)
			if err != nil {
				return nil, err
			}
			return x.New(x.Config{BaseURL: base, Account: "x", Credentials: creds, Clock: clock, Limiter: limiter, Directory: dir})
		},
		Authorize: func(ctx context.Context, out io.Writer) (string, error) {
			creds, err := xAuthorize(ctx, base, out)
			if err != nil {
				return "", err
			}
			fmt.Fprintf(out, "Signed in to X as @%s (user %s).\n", creds.Username, creds.UserID)
			return creds.Marshal(), nil
		},
	}
}

// xAuthorize reads the secrets from standard input, one a line, and signs
// in: with an access token from the portal, GET /2/users/me checks it;
// else the three-legged flow, the browser opened on X's consent page (or
// the PIN read from the next line with --pin).
func xAuthorize(ctx context.Context, base string, out io.Writer) (x.Credentials, error) {
	in := app.ConnectInputFrom(ctx)
	if in.Stdin == nil {
		return x.Credentials{}, backend.Errorf(backend.EINVALID, "X sign-in needs `caseyos connect x --consumer-key KEY` with the consumer secret on standard input")
	}
	r := bufio.NewReader(io.LimitReader(in.Stdin, app.MaxSecret*3))
	line := func(what string) (string, error) {
		s, err := r.ReadString('\n')
		if err != nil && err != io.EOF {
			return "", &backend.Error{Code: backend.EINVALID, Message: "cannot read the " + what + " from standard input", Err: err}
		}
		if s = strings.TrimSpace(s); s == "" {
			return "", backend.Errorf(backend.EINVALID, "standard input held no %s", what)
		}
		return s, nil
	}
	consumerSecret, err := line("consumer secret")
	if err != nil {
		return x.Credentials{}, err
	}
	cfg := x.AuthConfig{BaseURL: base, ConsumerKey: in.ConsumerKey, ConsumerSecret: consumerSecret, PIN: in.PIN}
	if in.AccessToken != "" {
		tokenSecret, err := line("access token secret")
		if err != nil {
			return x.Credentials{}, err
		}
		return x.Verify(ctx, cfg, in.AccessToken, tokenSecret)
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	return x.Authorize(ctx, cfg, func(url string) error {
		if in.PIN {
			_, err := fmt.Fprintf(out, "Open this address, authorize the app, and type the PIN X shows here:\n  %s\n", url)
			return err
		}
		fmt.Fprintf(out, "Opening your browser to sign in to X. If it does not open, visit:\n  %s\n", url)
		openBrowser(url)
		return nil
	}, func() (string, error) { return line("PIN") })
}
