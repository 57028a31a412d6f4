// Command caseyos is a local-first command center for go-to-market: it turns
// what happens in Gmail, Calendar, HubSpot and X into a short ranked list of
// moves for today. This file only wires the pieces together; see app/cli
// for the commands.
package main

import (
	"context"
	"embed"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/app/cli"
	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/hubspot"
	"github.com/caseyos/caseyos/connectors/hubspot/hubspottest"
	"github.com/caseyos/caseyos/connectors/keychain"
	"github.com/caseyos/caseyos/store"
)

// dist is the built frontend; a fresh checkout holds only its .gitkeep,
// and the UI then says to run `make build`.
//
//go:embed all:frontend/dist
var dist embed.FS

func main() {
	assets, err := fs.Sub(dist, "frontend/dist")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	clock := backend.SystemClock{}
	secrets := keychain.New()
	code := cli.Main(ctx, os.Args[1:], cli.Env{
		Stdin:  os.Stdin,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
		Clock:  clock,
		Open: func(path string) (backend.Store, error) {
			return store.Open(path, store.Options{Secrets: secrets})
		},
		SchemaVersion: store.SchemaVersion,
		Assets:        assets,
		Voice:         voiceEnv(),
		Secrets:       secrets,
		Connectors: append(append([]app.Connector{hubspotConnector(os.Getenv("CASEYOS_HUBSPOT_BASE_URL"), clock, secrets)}, googleConnectors(clock, secrets)...),
			xConnector(os.Getenv("CASEYOS_X_BASE_URL"), clock)),
		WebhookAddr:  os.Getenv("CASEYOS_WEBHOOK_ADDR"),
		Fakes:        map[string]cli.Fake{"hubspot": fakeHubSpot(clock), "google": fakeGoogle(clock), "whisper": fakeWhisper(), "x": fakeX(clock), "llm": fakeLLM()},
		DemoFeed:     demoFeed(clock),
		DemoAccounts: demoAccounts(clock),
		Compact:      store.CompactFile,
		Restore:      store.RestoreFile,
		Model:        modelFunc(),
	})
	stop()
	os.Exit(code)
}

// hubspotConnector wires connectors/hubspot for base (the API, or a fake).
func hubspotConnector(base string, clock backend.Clock, secrets backend.Secrets) app.Connector {
	client := func(secret string, limiter backend.RateLimiter, pages int) (*hubspot.Client, error) {
		creds, err := hubspot.ParseCredentials(secret)
		if err != nil {
			return nil, err
		}
		return hubspot.New(hubspot.Config{BaseURL: base, Account: "hubspot", Clock: clock, Limiter: limiter,
			Secrets: secrets, Credentials: creds, PageBudget: pages})
	}
	return app.Connector{
		Account: "hubspot", Label: "HubSpot", Detail: "Deals, contacts, forms; creates tasks and updates deals",
		Hint:  "caseyos connect hubspot --token-stdin (a private-app token), or --oauth",
		Limit: hubspot.Limits, RollingWindow: true,
		Poller: func(secret string, limiter backend.RateLimiter, _ backend.Directory) (backend.Poller, error) {
			return client(secret, limiter, 0)
		},
		// One page of contacts proves the token works and has the scopes.
		Check: func(ctx context.Context, secret string) error {
			c, err := client(secret, nil, 1)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			_, _, err = c.Poll(ctx, "")
			return err
		},
		Authorize: func(ctx context.Context, out io.Writer) (string, error) {
			cfg := hubspot.NewOAuthConfig(base, os.Getenv("CASEYOS_HUBSPOT_CLIENT_ID"), os.Getenv("CASEYOS_HUBSPOT_CLIENT_SECRET"), clock)
			if cfg.ClientID == "" || cfg.ClientSecret == "" {
				return "", backend.Errorf(backend.EINVALID, "HubSpot sign-in needs your HubSpot app: set CASEYOS_HUBSPOT_CLIENT_ID and CASEYOS_HUBSPOT_CLIENT_SECRET")
			}
			creds, err := hubspot.Authorize(ctx, cfg, func(url string) error {
				_, err := fmt.Fprintf(out, "Open this address to sign in to HubSpot:\n  %s\n", url)
				return err
			})
			if err != nil {
				return "", err
			}
			return creds.Marshal(), nil
		},
		Webhook: func(secret func() (string, error), now func() time.Time, sink func(context.Context, []*backend.Signal) error) http.Handler {
			return hubspot.WebhookHandler(secret, now, sink)
		},
	}
}

// fakeHubSpot serves hubspottest's fake, seeded with the demo's HubSpot.
func fakeHubSpot(clock backend.Clock) cli.Fake {
	return func(ctx context.Context, addr string) (string, func(), error) {
		srv := hubspottest.New(hubspottest.Options{Clock: clock})
		srv.Seed(hubspottest.DemoSeed(clock.Now()))
		url, err := srv.Start(addr)
		if err != nil {
			return "", nil, backend.Errorf(backend.EUNAVAILABLE, "the fake HubSpot cannot listen on %s", addr)
		}
		fmt.Fprintf(os.Stderr, "fake HubSpot token: %s\n", strings.TrimSpace(srv.Token()))
		return url, srv.Close, nil
	}
}
