package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/app/cli"
	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/gcal"
	"github.com/caseyos/caseyos/connectors/gcal/gcaltest"
	"github.com/caseyos/caseyos/connectors/gmail"
	"github.com/caseyos/caseyos/connectors/gmail/gmailtest"
	"github.com/caseyos/caseyos/connectors/google"
	"github.com/caseyos/caseyos/connectors/google/googletest"
)

// googleConnectors wires Gmail and Google Calendar: one Google sign-in
// (`caseyos connect google --credentials FILE`) connects both accounts,
// each with its own keychain entry holding the grant, refreshed in place.
// Base URLs come from CASEYOS_GMAIL_BASE_URL, CASEYOS_GCAL_BASE_URL and
// CASEYOS_GOOGLE_TOKEN_URL.
func googleConnectors(clock backend.Clock, secrets backend.Secrets) []app.Connector {
	gmailBase, gcalBase := os.Getenv("CASEYOS_GMAIL_BASE_URL"), os.Getenv("CASEYOS_GCAL_BASE_URL")
	tokenURL := os.Getenv("CASEYOS_GOOGLE_TOKEN_URL")
	grant := func(account string) google.Config {
		return google.Config{Secrets: secrets, Account: account, TokenURL: tokenURL}
	}
	authorize := func(ctx context.Context, out io.Writer) (string, error) {
		path := app.CredentialsFile(ctx)
		if path == "" {
			return "", backend.Errorf(backend.EINVALID, "Google sign-in needs your own Desktop OAuth client: caseyos connect google --credentials FILE (docs/google.md)")
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return "", &backend.Error{Code: backend.EINVALID, Message: "Cannot read the credentials file " + path + ".", Err: err}
		}
		creds, err := google.ParseCredentials(data)
		if err != nil {
			return "", err
		}
		// Consent lands in memory; `connect` stores it under each account.
		mem := &memSecrets{m: map[string]string{}}
		cfg := google.Config{Credentials: creds, Secrets: mem, TokenURL: tokenURL}
		ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		defer cancel()
		if _, err := google.Authorize(ctx, cfg, func(url string) error {
			fmt.Fprintf(out, "Opening your browser to sign in to Google. If it does not open, visit:\n  %s\n", url)
			openBrowser(url)
			return nil
		}); err != nil {
			return "", err
		}
		hc, _ := google.NewClient(ctx, cfg)
		mail, err := gmail.New(ctx, gmail.Config{HTTPClient: hc, BaseURL: gmailBase, Clock: clock})
		if err != nil {
			return "", err
		}
		owner, err := mail.Address(ctx)
		if err != nil {
			return "", err
		}
		if err := google.SetEmail(cfg, owner); err != nil {
			return "", err
		}
		fmt.Fprintf(out, "Signed in to Google as %s.\n", owner)
		return mem.Get(google.DefaultAccount)
	}
	hint := "caseyos connect google --credentials FILE (your Desktop OAuth client; docs/google.md)"
	return []app.Connector{
		{
			Account: "gmail", Group: "google", Label: "Gmail", Hint: hint,
			Detail: "Replies, bounces, out-of-office; sends replies and drafts",
			// 15,000 quota units a minute per user; a request costs 5–10.
			Limit:     backend.Limit{Requests: 1500, Per: time.Minute},
			Authorize: authorize,
			Poller: func(_ string, limiter backend.RateLimiter, dir backend.Directory) (backend.Poller, error) {
				cfg := grant("gmail")
				hc, _ := google.NewClient(context.Background(), cfg)
				return gmail.New(context.Background(), gmail.Config{HTTPClient: hc, BaseURL: gmailBase, Account: "gmail",
					Address: google.Email(cfg), Limiter: limiter, Clock: clock, Directory: dir})
			},
		},
		{
			Account: "gcal", Group: "google", Label: "Google Calendar", Hint: hint,
			Detail: "Upcoming and finished meetings; books and cancels meetings",
			// 600 requests a minute per user.
			Limit:     backend.Limit{Requests: 600, Per: time.Minute},
			Authorize: authorize,
			Poller: func(_ string, limiter backend.RateLimiter, dir backend.Directory) (backend.Poller, error) {
				cfg := grant("gcal")
				owner := google.Email(cfg)
				if owner == "" {
					return nil, backend.Errorf(backend.EUNAUTHORIZED, "the Google Calendar account does not know its address: run `caseyos connect google --credentials FILE` again")
				}
				hc, _ := google.NewClient(context.Background(), cfg)
				return gcal.New(context.Background(), gcal.Config{HTTPClient: hc, BaseURL: gcalBase, Account: "gcal",
					Owner: owner, Limiter: limiter, Clock: clock, Directory: dir})
			},
		},
	}
}

// openBrowser opens url in $BROWSER or the platform's opener, best effort:
// the URL is printed either way.
func openBrowser(url string) {
	var cmd *exec.Cmd
	switch b := strings.Fields(os.Getenv("BROWSER")); {
	case len(b) > 0:
		cmd = exec.Command(b[0], append(b[1:], url)...)
	case runtime.GOOS == "darwin":
		cmd = exec.Command("open", url)
	case runtime.GOOS == "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if cmd.Start() == nil {
		go cmd.Wait()
	}
}

// fakeGoogle serves the fake token endpoint, Gmail and Calendar on one
// address, seeded with the demo week, for `caseyos dev fake-google`. It
// writes a credentials file for its client and prints the settings.
func fakeGoogle(clock backend.Clock) cli.Fake {
	return func(ctx context.Context, addr string) (string, func(), error) {
		auth := googletest.New(googletest.Options{Now: clock.Now})
		mail := gmailtest.New(gmailtest.Options{TokenValid: auth.Valid, Now: clock.Now})
		cal := gcaltest.New(gcaltest.Options{TokenValid: auth.Valid, Now: clock.Now})
		mail.DemoSeed(clock.Now())
		cal.DemoSeed(clock.Now())
		mux := http.NewServeMux()
		mux.Handle("/gmail/", mail.Handler())
		mux.Handle("/calendar/", cal.Handler())
		mux.Handle("/", auth.Handler())
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return "", nil, backend.Errorf(backend.EUNAVAILABLE, "the fake Google cannot listen on %s", addr)
		}
		url := "http://" + ln.Addr().String()
		go srv.Serve(ln)
		creds, _ := json.Marshal(map[string]any{"installed": map[string]any{"client_id": auth.ClientID(), "client_secret": auth.ClientSecret(),
			"auth_uri": url + "/auth", "token_uri": url + "/token", "redirect_uris": []string{"http://127.0.0.1"}}})
		file := filepath.Join(os.TempDir(), "caseyos-fake-google-credentials.json")
		if err := os.WriteFile(file, creds, 0o600); err != nil {
			srv.Close()
			return "", nil, err
		}
		fmt.Fprintf(os.Stderr, "fake Google credentials: %s\nCASEYOS_GMAIL_BASE_URL=%s/ CASEYOS_GCAL_BASE_URL=%s/calendar/v3/ CASEYOS_GOOGLE_TOKEN_URL=%s/token\n",
			file, url, url, url)
		return url, func() { srv.Close() }, nil
	}
}

// memSecrets holds a grant between consent and the keychain.
type memSecrets struct {
	mu sync.Mutex
	m  map[string]string
}

func (s *memSecrets) Get(a string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[a]
	if !ok {
		return "", backend.Errorf(backend.ENOTFOUND, "no %s secret", a)
	}
	return v, nil
}

func (s *memSecrets) Set(a, v string) error {
	s.mu.Lock()
	s.m[a] = v
	s.mu.Unlock()
	return nil
}

func (s *memSecrets) Delete(a string) error {
	s.mu.Lock()
	delete(s.m, a)
	s.mu.Unlock()
	return nil
}
