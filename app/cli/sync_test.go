package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/app/cli"
	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/hubspot"
	"github.com/caseyos/caseyos/connectors/hubspot/hubspottest"
	"github.com/caseyos/caseyos/connectors/keychain"
	"github.com/caseyos/caseyos/store"
)

// The token the fake HubSpot accepts in these tests: distinctive, so a
// leak into the data directory or the output is found by a plain search.
const fakeToken = "pat-na1-7e57c0de-5ec7-4e7a-b0b0-l3akf1nd3r00"

// hubspotConnector wires connectors/hubspot as main.go does.
func hubspotConnector(base string, secrets backend.Secrets) app.Connector {
	client := func(secret string, limiter backend.RateLimiter, pages int) (*hubspot.Client, error) {
		creds, err := hubspot.ParseCredentials(secret)
		if err != nil {
			return nil, err
		}
		return hubspot.New(hubspot.Config{BaseURL: base, Account: "hubspot", Limiter: limiter, Secrets: secrets, Credentials: creds, PageBudget: pages, SearchLag: -1})
	}
	return app.Connector{
		Account: "hubspot", Label: "HubSpot", Hint: "caseyos connect hubspot --token-stdin", Limit: hubspot.Limits,
		Poller: func(secret string, l backend.RateLimiter, _ backend.Directory) (backend.Poller, error) {
			return client(secret, l, 0)
		},
		Check: func(ctx context.Context, secret string) error {
			c, err := client(secret, nil, 1)
			if err != nil {
				return err
			}
			_, _, err = c.Poll(ctx, "")
			return err
		},
	}
}

type syncCLI struct {
	dir     string
	secrets backend.Secrets
	conn    app.Connector
	out     bytes.Buffer // everything printed, for the leak check
}

func newSyncCLI(tb testing.TB) (*syncCLI, *hubspottest.Server) {
	tb.Helper()
	srv := hubspottest.NewTestServer(tb, hubspottest.Options{Token: fakeToken})
	srv.Seed(hubspottest.DemoSeed(time.Now()))
	k := keychain.NewMock()
	return &syncCLI{dir: tb.TempDir(), secrets: k, conn: hubspotConnector(srv.URL(), k)}, srv
}

func (c *syncCLI) run(tb testing.TB, stdin string, args ...string) (int, string, string) {
	tb.Helper()
	var out, errb bytes.Buffer
	code := cli.Main(context.Background(), append([]string{"--data-dir", c.dir}, args...), cli.Env{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Clock: backend.SystemClock{},
		Open: func(p string) (backend.Store, error) {
			return store.Open(p, store.Options{Timeout: 200 * time.Millisecond})
		},
		Secrets: c.secrets, Connectors: []app.Connector{c.conn},
	})
	c.out.Write(out.Bytes())
	c.out.Write(errb.Bytes())
	return code, out.String(), errb.String()
}

func TestCLI_ConnectSyncStatusToday(t *testing.T) {
	c, _ := newSyncCLI(t)

	// A token HubSpot refuses is not stored.
	code, _, errb := c.run(t, "pat-na1-wrong\n", "connect", "hubspot", "--token-stdin")
	if code != cli.ExitError || !strings.Contains(errb, "HubSpot") {
		t.Errorf("connect with a bad token: %d %q, want 1 and a message", code, errb)
	}
	if _, err := c.secrets.Get("hubspot"); backend.ErrorCode(err) != backend.ENOTFOUND {
		t.Errorf("a refused token was stored: %v", err)
	}
	if _, err := os.Stat(filepath.Join(c.dir, "caseyos.db")); err == nil {
		t.Error("a failed connect created the real workspace")
	}

	code, out, errb := c.run(t, fakeToken+"\n", "connect", "hubspot", "--token-stdin")
	if code != 0 || !strings.Contains(out, "Connected HubSpot") {
		t.Fatalf("connect: %d %q %q", code, out, errb)
	}
	if got, _ := c.secrets.Get("hubspot"); got != fakeToken {
		t.Errorf("keychain holds %q, want the token", got)
	}
	// Connecting made the workspace your own.
	if _, err := os.Stat(filepath.Join(c.dir, "caseyos.db")); err != nil {
		t.Errorf("no real workspace after connect: %v", err)
	}

	code, out, errb = c.run(t, "", "sync", "--once")
	if code != 0 || !strings.Contains(out, "Synced hubspot") {
		t.Fatalf("sync --once: %d %q %q", code, out, errb)
	}

	code, out, errb = c.run(t, "", "status", "--json")
	if code != 0 {
		t.Fatalf("status: %d %s", code, errb)
	}
	var st cli.StatusDTO
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatal(err)
	}
	if st.Workspace.Demo {
		t.Error("status runs on the demo after connecting")
	}
	hs := st.Accounts[0]
	if hs.Account != "hubspot" || hs.State != "connected" || hs.Sync == nil || hs.Sync.LastSuccess == nil || hs.Sync.NextRun == nil || hs.Sync.Items == 0 || hs.Sync.LastError != "" {
		t.Errorf("hubspot status = %+v %+v, want connected with a last success, a next run and items", hs, hs.Sync)
	}

	code, out, errb = c.run(t, "", "today", "--json")
	if code != 0 {
		t.Fatalf("today: %d %s", code, errb)
	}
	var today app.TodayDTO
	json.Unmarshal([]byte(out), &today)
	if today.Workspace.Demo || len(today.Moves) == 0 {
		t.Errorf("today: demo %v, %d moves; want moves from HubSpot in your workspace", today.Workspace.Demo, len(today.Moves))
	}
	for _, m := range today.Moves {
		// CaseyOS itself finds the duplicate among the synced contacts
		// (Priya Raman twice): that merge comes from the system.
		if m.Source != "hubspot" && !(m.Kind == "merge_contacts" && m.Source == "system") {
			t.Errorf("move %d comes from %s, want hubspot", m.ID, m.Source)
		}
		if m.Kind == "merge_contacts" && !strings.Contains(m.Title, "Priya") {
			t.Errorf("merge move %d %q, want only Priya Raman's duplicate", m.ID, m.Title)
		}
	}

	// A second pass finds nothing new and stores nothing twice.
	if code, out, _ := c.run(t, "", "sync", "--once", "hubspot"); code != 0 || !strings.Contains(out, "0 new items") {
		t.Errorf("second sync: %d %q, want 0 new items", code, out)
	}

	// The token is in the keychain only: not in the data directory, not
	// in anything printed.
	assertNoToken(t, c.dir, c.out.String())

	code, out, _ = c.run(t, "", "disconnect", "hubspot")
	if code != 0 || !strings.Contains(out, "Disconnected HubSpot") {
		t.Errorf("disconnect: %d %q", code, out)
	}
	if _, err := c.secrets.Get("hubspot"); backend.ErrorCode(err) != backend.ENOTFOUND {
		t.Errorf("keychain entry after disconnect: %v", err)
	}
	_, out, _ = c.run(t, "", "status", "--json")
	st = cli.StatusDTO{}
	json.Unmarshal([]byte(out), &st)
	if st.Accounts[0].State != "not_connected" {
		t.Errorf("after disconnect hubspot is %s", st.Accounts[0].State)
	}
	if code, _, errb := c.run(t, "", "sync", "--once"); code != cli.ExitError || !strings.Contains(errb, "no account is connected") {
		t.Errorf("sync with nothing connected: %d %q", code, errb)
	}
}

func TestCLI_SyncFailsWhenRefused(t *testing.T) {
	c, _ := newSyncCLI(t)
	if code, _, errb := c.run(t, fakeToken, "connect", "hubspot", "--token-stdin"); code != 0 {
		t.Fatalf("connect: %s", errb)
	}
	// The token is revoked in HubSpot: the keychain now holds a bad one.
	keyring.Set(keychain.Service, "hubspot", "pat-na1-revoked")
	code, _, errb := c.run(t, "", "sync", "--once")
	if code != cli.ExitError || !strings.Contains(errb, "caseyos sync: hubspot: HubSpot") {
		t.Errorf("sync with a refused token: %d %q, want 1 and a clear message", code, errb)
	}
	_, out, _ := c.run(t, "", "status")
	if !strings.Contains(out, "reconnect") {
		t.Errorf("status after a refused token:\n%s\nwant reconnect", out)
	}
	// Reconnecting clears it.
	if code, _, errb := c.run(t, fakeToken, "connect", "hubspot", "--token-stdin"); code != 0 {
		t.Fatalf("reconnect: %s", errb)
	}
	if code, _, errb := c.run(t, "", "sync", "--once"); code != 0 {
		t.Errorf("sync after reconnecting: %d %s", code, errb)
	}
}

func TestCLI_ConnectUsage(t *testing.T) {
	c, _ := newSyncCLI(t)
	for _, args := range [][]string{{"connect"}, {"connect", "salesforce", "--token-stdin"}, {"connect", "hubspot"}, {"sync", "nowhere"}, {"connect", "webhook"}} {
		if code, _, _ := c.run(t, "", args...); code != cli.ExitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, cli.ExitUsage)
		}
	}
	if code, _, errb := c.run(t, "", "connect", "hubspot", "--token-stdin"); code != cli.ExitError || !strings.Contains(errb, "no credential") {
		t.Errorf("connect with empty stdin: %d %q", code, errb)
	}
	if code, out, _ := c.run(t, "", "help"); code != 0 || !strings.Contains(out, "connect hubspot --token-stdin") || !strings.Contains(out, "status [--json]") {
		t.Errorf("help does not list the account commands:\n%s", out)
	}
}

// assertNoToken fails when the fake's token appears in any file under dir
// or in printed.
func assertNoToken(tb testing.TB, dir, printed string) {
	tb.Helper()
	if strings.Contains(printed, fakeToken) {
		tb.Errorf("the token was printed")
	}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte(fakeToken)) {
			tb.Errorf("the token is in %s", path)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// TestCLI_SyncSkipsBadRecord is the regression test for signals a sync
// could not store being dropped without a word: one HubSpot contact
// modified in year 9999 is skipped, the pass still succeeds, every other
// record is stored, and sync, status and the event say what was skipped
// and why.
func TestCLI_SyncSkipsBadRecord(t *testing.T) {
	c, srv := newSyncCLI(t)
	srv.AddContact(hubspottest.Contact{Email: "far.future@example.com", FirstName: "Far", LastName: "Future",
		CreatedAt: time.Date(9999, 12, 31, 23, 0, 0, 0, time.UTC)})
	if code, out, errb := c.run(t, fakeToken+"\n", "connect", "hubspot", "--token-stdin"); code != 0 {
		t.Fatalf("connect: %d %q %q", code, out, errb)
	}
	code, out, errb := c.run(t, "", "sync", "--once")
	if code != 0 || !strings.Contains(out, "Synced hubspot") {
		t.Fatalf("sync --once: %d %q %q, want the pass to succeed", code, out, errb)
	}
	if !strings.Contains(errb, "1 item from HubSpot could not be stored: occurred_at 9999-12-31T23:00:00Z is out of range") {
		t.Errorf("sync --once stderr = %q, want it to say which item was skipped and why", errb)
	}
	_, out, _ = c.run(t, "", "status", "--json")
	var st cli.StatusDTO
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatal(err)
	}
	hs := st.Accounts[0].Sync
	if hs == nil || hs.State != "connected" || hs.LastError != "" || hs.Skipped != 1 || !strings.Contains(hs.SkipReason, "is out of range") {
		t.Fatalf("hubspot status = %+v, want connected, no error, 1 skipped with its reason", hs)
	}
	if hs.LastItems < 2 {
		t.Errorf("last pass fetched %d items, want the good ones too", hs.LastItems)
	}
	_, out, _ = c.run(t, "", "status")
	if !strings.Contains(out, "1 item could not be stored: occurred_at 9999-12-31T23:00:00Z is out of range") {
		t.Errorf("status = %q, want the skipped item and why", out)
	}
	code, out, _ = c.run(t, "", "today", "--json")
	var today app.TodayDTO
	json.Unmarshal([]byte(out), &today)
	if code != 0 || today.Workspace.Demo || len(today.Moves) == 0 {
		t.Errorf("today: %d, demo %v, %d moves; want the moves of the good HubSpot records", code, today.Workspace.Demo, len(today.Moves))
	}
	// A pass with nothing wrong clears it.
	if err := srv.SetProps("contacts", srv.AddContact(hubspottest.Contact{Email: "now@example.com"}), map[string]string{"jobtitle": "CTO"}); err != nil {
		t.Fatal(err)
	}
	c.run(t, "", "sync", "--once")
	_, out, _ = c.run(t, "", "status", "--json")
	st = cli.StatusDTO{}
	json.Unmarshal([]byte(out), &st)
	if hs := st.Accounts[0].Sync; hs == nil || hs.Skipped != 0 || hs.SkipReason != "" || hs.LastItems == 0 {
		t.Errorf("after a clean pass status = %+v, want the new contact fetched and nothing skipped", hs)
	}
}
