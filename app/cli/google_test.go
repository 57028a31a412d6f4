package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	"github.com/caseyos/caseyos/connectors/keychain"
	"github.com/caseyos/caseyos/store"
)

// googleConnectors wires Gmail and Calendar as main_google.go does, with a
// test browser that follows the fake consent page back to the loopback
// listener.
func googleConnectors(base string, secrets backend.Secrets) []app.Connector {
	grant := func(account string) google.Config { return google.Config{Secrets: secrets, Account: account} }
	authorize := func(ctx context.Context, out io.Writer) (string, error) {
		data, err := os.ReadFile(app.CredentialsFile(ctx))
		if err != nil {
			return "", err
		}
		creds, err := google.ParseCredentials(data)
		if err != nil {
			return "", err
		}
		mem := keychainless{}
		cfg := google.Config{Credentials: creds, Secrets: mem}
		if _, err := google.Authorize(ctx, cfg, func(url string) error {
			go func() {
				if resp, err := http.Get(url); err == nil { // follows the redirect to 127.0.0.1
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}()
			return nil
		}); err != nil {
			return "", err
		}
		hc, _ := google.NewClient(ctx, cfg)
		mail, err := gmail.New(ctx, gmail.Config{HTTPClient: hc, BaseURL: base + "/"})
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
		return mem.Get(google.DefaultAccount)
	}
	hint := "caseyos connect google --credentials FILE"
	return []app.Connector{
		{Account: "gmail", Group: "google", Label: "Gmail", Hint: hint, Authorize: authorize,
			Poller: func(_ string, l backend.RateLimiter, dir backend.Directory) (backend.Poller, error) {
				cfg := grant("gmail")
				hc, _ := google.NewClient(context.Background(), cfg)
				return gmail.New(context.Background(), gmail.Config{HTTPClient: hc, BaseURL: base + "/", Address: google.Email(cfg), Limiter: l,
					Directory: dir})
			}},
		{Account: "gcal", Group: "google", Label: "Google Calendar", Hint: hint, Authorize: authorize,
			Poller: func(_ string, l backend.RateLimiter, dir backend.Directory) (backend.Poller, error) {
				cfg := grant("gcal")
				hc, _ := google.NewClient(context.Background(), cfg)
				return gcal.New(context.Background(), gcal.Config{HTTPClient: hc, BaseURL: base + "/calendar/v3/", Owner: google.Email(cfg), Limiter: l,
					Directory: dir})
			}},
	}
}

// keychainless holds the grant between consent and the keychain.
type keychainless map[string]string

func (k keychainless) Get(a string) (string, error) {
	if v, ok := k[a]; ok {
		return v, nil
	}
	return "", backend.Errorf(backend.ENOTFOUND, "none")
}
func (k keychainless) Set(a, v string) error { k[a] = v; return nil }
func (k keychainless) Delete(a string) error { delete(k, a); return nil }

func TestCLI_ConnectGoogle(t *testing.T) {
	now := time.Now()
	auth := googletest.New(googletest.Options{})
	mail := gmailtest.New(gmailtest.Options{TokenValid: auth.Valid})
	cal := gcaltest.New(gcaltest.Options{TokenValid: auth.Valid})
	mail.DemoSeed(now)
	cal.DemoSeed(now)
	mux := http.NewServeMux()
	mux.Handle("/gmail/", mail.Handler())
	mux.Handle("/calendar/", cal.Handler())
	mux.Handle("/", auth.Handler())
	srv := httptest.NewServer(mux)
	defer srv.Close()
	credFile := filepath.Join(t.TempDir(), "client_secret.json")
	creds, _ := json.Marshal(map[string]any{"installed": map[string]any{"client_id": auth.ClientID(), "client_secret": auth.ClientSecret(),
		"auth_uri": srv.URL + "/auth", "token_uri": srv.URL + "/token"}})
	if err := os.WriteFile(credFile, creds, 0o600); err != nil {
		t.Fatal(err)
	}
	k := keychain.NewMock()
	c := &syncCLI{dir: t.TempDir(), secrets: k}
	run := func(args ...string) (int, string, string) {
		return c.runWith(t, googleConnectors(srv.URL, k), args...)
	}

	// The CRM already knows Dana and her open deal: Gmail's signals must
	// be tied to those records, not to a new contact keyed by address.
	crm := `{"source":"hubspot","type":"deal.stage_changed","occurred_at":"` + now.Add(-72*time.Hour).UTC().Format(time.RFC3339) + `","dedupe_key":"t:nw","contact_id":"1001","company_id":"co-northwind","deal_id":"9001",` +
		`"contact":{"id":"1001","email":"dana@northwind.io","name":"Dana Whitfield","title":"VP Engineering","company_id":"co-northwind"},` +
		`"company":{"id":"co-northwind","name":"Northwind Analytics","industry":"SaaS","employees":240},` +
		`"deal":{"id":"9001","name":"Northwind — Team plan","amount":48000,"stage":"qualifiedtobuy","company_id":"co-northwind","contact_ids":["1001"]}}`
	if code, out, errb := c.run(t, crm+"\n", "ingest", "-"); code != 0 {
		t.Fatalf("ingest the CRM: %d %q %q", code, out, errb)
	}
	if code, _, errb := run("connect", "google", "--token-stdin"); code == 0 {
		t.Errorf("connect google --token-stdin succeeded: %s", errb)
	}
	code, out, errb := run("connect", "google", "--credentials", credFile)
	if code != 0 || !strings.Contains(out, "Connected Gmail and Google Calendar") {
		t.Fatalf("connect google: %d %q %q", code, out, errb)
	}
	for _, acct := range []string{"gmail", "gcal"} {
		if google.Email(google.Config{Secrets: k, Account: acct}) != "casey@pebblecache.dev" {
			t.Errorf("%s keychain entry does not hold the grant for casey@pebblecache.dev", acct)
		}
	}
	for _, acct := range []string{"gmail", "gcal"} {
		code, out, errb = run("sync", "--once", acct)
		if code != 0 || !strings.Contains(out, "Synced "+acct) {
			t.Fatalf("sync --once %s: %d %q %q", acct, code, out, errb)
		}
	}
	code, out, errb = run("status", "--json")
	if code != 0 {
		t.Fatalf("status: %d %s", code, errb)
	}
	var st cli.StatusDTO
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatal(err)
	}
	got := map[string]app.ConnectionDTO{}
	for _, a := range st.Accounts {
		got[a.Account] = a
	}
	for _, acct := range []string{"gmail", "gcal"} {
		if a := got[acct]; a.State != "connected" || a.Sync == nil || a.Sync.Items == 0 {
			t.Errorf("status %s = %+v, want connected with items", acct, a)
		}
	}
	if _, dup := got["google"]; dup {
		t.Error("status still lists the planned google row beside gmail and gcal")
	}
	code, out, _ = run("today", "--json", "--limit", "50")
	var today app.TodayDTO
	if err := json.Unmarshal([]byte(out), &today); code != 0 || err != nil {
		t.Fatalf("today --json: %d %v %q", code, err, out)
	}
	var reply *app.MoveDTO
	for i, m := range today.Moves {
		if m.Kind == "send_email" && strings.Contains(m.Title, "Dana") {
			reply = &today.Moves[i]
		}
	}
	if reply == nil {
		t.Fatalf("today after the Google sync has no reply to Dana: %+v", today.Moves)
	}
	if reply.ContactID != "1001" || reply.DealID != "9001" {
		t.Errorf("reply to Dana is about contact %q deal %q, want the CRM's 1001 and 9001", reply.ContactID, reply.DealID)
	}
	if !strings.Contains(strings.Join(reply.Reasons, "|"), "$48k") {
		t.Errorf("reply reasons = %q, want the deal's amount to count", reply.Reasons)
	}
	// Google ends the token early: the next pass refreshes and goes on.
	auth.ExpireAccessTokens()
	mail.Deliver(gmailtest.Message{From: "Dana Whitfield <dana@northwind.io>", To: []string{"casey@pebblecache.dev"}, Subject: "Re: Pricing and security questions for 40 engineers",
		InReplyTo: "<CAN0rth-3@northwind.io>", References: []string{"<CAN0rth-3@northwind.io>"}, Body: "One more thing."})
	if code, out, errb = run("sync", "--once", "gmail"); code != 0 {
		t.Fatalf("sync after the token ended: %d %q %q", code, out, errb)
	}
}

// runWith runs the CLI with the given connectors.
func (c *syncCLI) runWith(tb testing.TB, conns []app.Connector, args ...string) (int, string, string) {
	tb.Helper()
	var out, errb bytes.Buffer
	code := cli.Main(context.Background(), append([]string{"--data-dir", c.dir}, args...), cli.Env{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Clock: backend.SystemClock{},
		Open: func(p string) (backend.Store, error) {
			return store.Open(p, store.Options{Timeout: 200 * time.Millisecond})
		},
		Secrets: c.secrets, Connectors: conns,
	})
	return code, out.String(), errb.String()
}
