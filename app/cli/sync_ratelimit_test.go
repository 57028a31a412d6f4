package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/app/cli"
	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/gcal"
	"github.com/caseyos/caseyos/connectors/gcal/gcaltest"
	"github.com/caseyos/caseyos/connectors/gmail"
	"github.com/caseyos/caseyos/connectors/gmail/gmailtest"
	"github.com/caseyos/caseyos/connectors/google"
	"github.com/caseyos/caseyos/connectors/google/googletest"
	"github.com/caseyos/caseyos/connectors/hubspot/hubspottest"
	"github.com/caseyos/caseyos/connectors/keychain"
)

// The rate-limit scenarios of `caseyos sync --once ACCOUNT`: a 429 in the
// middle of paging, without the rate-limit headers the project's own
// fakes send, is waited out — said on standard error — and the pass
// finishes with everything stored; a daily limit ends the pass (exit 1)
// naming when it resets, and the next pass goes on from where it stopped.

// syncItems reads an account's item count from `status --json`.
func syncItems(tb testing.TB, run func(args ...string) (int, string, string), account string) int {
	tb.Helper()
	code, out, errb := run("status", "--json")
	if code != 0 {
		tb.Fatalf("status: %d %s", code, errb)
	}
	var st cli.StatusDTO
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		tb.Fatal(err)
	}
	for _, a := range st.Accounts {
		if a.Account == account && a.Sync != nil {
			return a.Sync.Items
		}
	}
	tb.Fatalf("status lists no sync for %s: %s", account, out)
	return 0
}

// served429 says whether the fake answered a 429 after at least one
// successful page of path.
func served429(statuses []int) bool {
	ok := false
	for _, st := range statuses {
		switch st {
		case http.StatusOK:
			ok = true
		case http.StatusTooManyRequests, http.StatusForbidden:
			return ok
		}
	}
	return false
}

func hubspotStatuses(srv *hubspottest.Server, path string) []int {
	var out []int
	for _, r := range srv.Requests() {
		if r.Path == path {
			out = append(out, r.Status)
		}
	}
	return out
}

func TestCLI_SyncOnceRateLimited_HubSpot(t *testing.T) {
	// What a pass without any 429 stores: the reference.
	ref, refSrv := newSyncCLI(t)
	refSrv.Seed(bulkSeedCLI(250))
	if code, _, errb := ref.run(t, fakeToken+"\n", "connect", "hubspot", "--token-stdin"); code != 0 {
		t.Fatalf("connect: %s", errb)
	}
	if code, _, errb := ref.run(t, "", "sync", "--once", "hubspot"); code != 0 {
		t.Fatalf("reference sync: %d %s", code, errb)
	}
	refRun := func(args ...string) (int, string, string) { return ref.run(t, "", args...) }
	want := syncItems(t, refRun, "hubspot")
	keyring.MockInit() // a fresh keychain for the next workspace

	t.Run("WindowWaitedOut", func(t *testing.T) {
		c, srv := newSyncCLI(t)
		srv.Seed(bulkSeedCLI(250))
		if code, _, errb := c.run(t, fakeToken+"\n", "connect", "hubspot", "--token-stdin"); code != 0 {
			t.Fatalf("connect: %s", errb)
		}
		// The second page of contacts: a bare 429, no X-HubSpot-RateLimit-*
		// headers, no Retry-After.
		srv.InjectRateLimit(hubspottest.RateLimitFault{Path: "/crm/v3/objects/contacts", After: 1})
		start := time.Now()
		code, out, errb := c.run(t, "", "sync", "--once", "--json", "hubspot")
		if code != 0 {
			t.Fatalf("sync --once over a 429: exit %d, stderr %q; want 0", code, errb)
		}
		if !strings.Contains(errb, "hubspot: rate limited (10-second window); waiting 10s") {
			t.Errorf("stderr = %q, want the waiting line", errb)
		}
		if el := time.Since(start); el < 10*time.Second {
			t.Errorf("the pass took %v, want the 10-second window waited out", el)
		}
		var sts []app.SyncStatusDTO
		if err := json.Unmarshal([]byte(out), &sts); err != nil {
			t.Fatalf("--json stdout is not one JSON document (%v): %q", err, out)
		}
		if len(sts) != 1 || sts[0].LastError != "" || sts[0].Items != want {
			t.Errorf("pass = %+v, want no error and %d items, as without the 429", sts, want)
		}
		if !served429(hubspotStatuses(srv, "/crm/v3/objects/contacts")) {
			t.Errorf("the fake never answered 429 mid-paging: %v", hubspotStatuses(srv, "/crm/v3/objects/contacts"))
		}
		if n := syncItems(t, func(a ...string) (int, string, string) { return c.run(t, "", a...) }, "hubspot"); n != want {
			t.Errorf("status items = %d, want %d", n, want)
		}
		keyring.MockInit()
	})

	t.Run("DailyLimitEndsPassAndNextGoesOn", func(t *testing.T) {
		c, srv := newSyncCLI(t)
		srv.Seed(bulkSeedCLI(250))
		if code, _, errb := c.run(t, fakeToken+"\n", "connect", "hubspot", "--token-stdin"); code != 0 {
			t.Fatalf("connect: %s", errb)
		}
		srv.InjectRateLimit(hubspottest.RateLimitFault{Path: "/crm/v3/objects/contacts", After: 1, Policy: "DAILY"})
		code, _, errb := c.run(t, "", "sync", "--once", "hubspot")
		if code != cli.ExitError {
			t.Fatalf("sync --once at the daily limit: exit %d, want 1", code)
		}
		reset := regexp.MustCompile(`caseyos sync: hubspot: HubSpot's daily API limit is reached; it resets at midnight in your HubSpot account's time zone, and CaseyOS syncs again after \d{4}-\d\d-\d\d 00:01 UTC`)
		if !reset.MatchString(errb) || strings.Contains(errb, "waiting") {
			t.Errorf("stderr = %q, want the reset time and no waiting", errb)
		}
		run := func(a ...string) (int, string, string) { return c.run(t, "", a...) }
		kept := syncItems(t, run, "hubspot")
		if kept == 0 {
			t.Error("the page before the daily limit was not kept")
		}
		// The limit is gone (a new day): the next pass goes on from there.
		code, out, errb := c.run(t, "", "sync", "--once", "hubspot")
		if code != 0 {
			t.Fatalf("the next pass: %d %q", code, errb)
		}
		if n := syncItems(t, run, "hubspot"); n != want {
			t.Errorf("items after the next pass = %d (%d kept before, %q), want %d", n, kept, out, want)
		}
		keyring.MockInit()
	})
}

// bulkSeedCLI is 250 contacts at one company: three pages of the list.
func bulkSeedCLI(n int) hubspottest.Seed {
	start := time.Now().Add(-48 * time.Hour)
	seed := hubspottest.Seed{Companies: []hubspottest.Company{{ID: "5000", Name: "Acme", Domain: "acme.test", Industry: "SaaS", Employees: 50, Country: "US", CreatedAt: start}}}
	for i := range n {
		seed.Contacts = append(seed.Contacts, hubspottest.Contact{ID: fmt.Sprint(20000 + i), Email: fmt.Sprintf("p%d@acme.test", i), FirstName: "P", LastName: fmt.Sprint(i),
			CompanyID: "5000", CreatedAt: start.Add(time.Duration(i) * time.Second)})
	}
	return seed
}

// googleCLI is a workspace connected to the fake Google (Gmail and
// Calendar, seeded with the demo week).
type googleCLI struct {
	c    *syncCLI
	mail *gmailtest.Server
	cal  *gcaltest.Server
	run  func(args ...string) (int, string, string)
}

func newGoogleCLI(t *testing.T) *googleCLI {
	t.Helper()
	keyring.MockInit()
	t.Cleanup(keyring.MockInit)
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
	t.Cleanup(srv.Close)
	credFile := filepath.Join(t.TempDir(), "client_secret.json")
	creds, _ := json.Marshal(map[string]any{"installed": map[string]any{"client_id": auth.ClientID(), "client_secret": auth.ClientSecret(),
		"auth_uri": srv.URL + "/auth", "token_uri": srv.URL + "/token"}})
	if err := os.WriteFile(credFile, creds, 0o600); err != nil {
		t.Fatal(err)
	}
	k := keychain.NewMock()
	g := &googleCLI{c: &syncCLI{dir: t.TempDir(), secrets: k}, mail: mail, cal: cal}
	conns := quickGoogleConnectors(srv.URL, k)
	g.run = func(args ...string) (int, string, string) { return g.c.runWith(t, conns, args...) }
	if code, out, errb := g.run("connect", "google", "--credentials", credFile); code != 0 {
		t.Fatalf("connect google: %d %q %q", code, out, errb)
	}
	return g
}

// quickGoogleConnectors are googleConnectors whose clients retry a brief
// limit inside the request in milliseconds instead of seconds, so that a
// lasting limit reaches the pass quickly, and whose limiters let the
// tests' 600 items through at once.
func quickGoogleConnectors(base string, secrets backend.Secrets) []app.Connector {
	conns := googleConnectors(base, secrets)
	for i := range conns {
		// The fakes have no published limit; the tests page 600 items.
		conns[i].Limit = backend.Limit{Requests: 10_000, Per: time.Second}
	}
	quick := backend.Backoff{Min: time.Millisecond, Max: 4 * time.Millisecond}
	grant := func(account string) google.Config { return google.Config{Secrets: secrets, Account: account} }
	conns[0].Poller = func(_ string, l backend.RateLimiter, dir backend.Directory) (backend.Poller, error) {
		cfg := grant("gmail")
		hc, _ := google.NewClient(context.Background(), cfg)
		return gmail.New(context.Background(), gmail.Config{HTTPClient: hc, BaseURL: base + "/", Address: google.Email(cfg), Limiter: l,
			Directory: dir, Backoff: quick})
	}
	conns[1].Poller = func(_ string, l backend.RateLimiter, dir backend.Directory) (backend.Poller, error) {
		cfg := grant("gcal")
		hc, _ := google.NewClient(context.Background(), cfg)
		return gcal.New(context.Background(), gcal.Config{HTTPClient: hc, BaseURL: base + "/calendar/v3/", Owner: google.Email(cfg), Limiter: l,
			Directory: dir, Backoff: quick})
	}
	return conns
}

// waitingLine matches the line a pass prints while it waits out a limit
// that named no wait: jittered backoff, 0.5–1 s the first time.
func waitingLine(account, limit string) *regexp.Regexp {
	return regexp.MustCompile(regexp.QuoteMeta(account+": rate limited ("+limit+"); waiting ") + `\d+(\.\d+)?m?s`)
}

func TestCLI_SyncOnceRateLimited_Gmail(t *testing.T) {
	lasting := 1 + gmail.DefaultRetries // outlasts the retries inside the request
	t.Run("LimitWaitedOut", func(t *testing.T) {
		g := newGoogleCLI(t)
		if code, _, errb := g.run("sync", "--once", "gmail"); code != 0 {
			t.Fatalf("first sync: %d %s", code, errb)
		}
		before := syncItems(t, g.run, "gmail")
		for i := range 600 {
			g.mail.Deliver(gmailtest.Message{From: "Dana Whitfield <dana@northwind.io>", To: []string{"casey@caseyos.dev"}, Subject: fmt.Sprintf("Question %d", i), Body: "One more."})
		}
		// The second page of history.list: 429s with no Retry-After.
		g.mail.Inject(gmailtest.Fault{Method: "users.history.list", After: 1, Status: 429, Reason: "rateLimitExceeded", Times: lasting})
		code, out, errb := g.run("sync", "--once", "gmail")
		if code != 0 || !strings.Contains(out, "Synced gmail") {
			t.Fatalf("sync --once over 429s: exit %d %q %q, want 0", code, out, errb)
		}
		if !waitingLine("gmail", "rate limit").MatchString(errb) {
			t.Errorf("stderr = %q, want the waiting line", errb)
		}
		var statuses []int
		for _, r := range g.mail.Requests() {
			if r.Method == "users.history.list" {
				statuses = append(statuses, r.Status)
			}
		}
		if !served429(statuses) {
			t.Errorf("history.list answers = %v, want a 429 after a page", statuses)
		}
		if n := syncItems(t, g.run, "gmail") - before; n != 600 {
			t.Errorf("new items = %d, want the 600 mails", n)
		}
	})
	t.Run("DailyLimitEndsPass", func(t *testing.T) {
		g := newGoogleCLI(t)
		g.mail.Inject(gmailtest.Fault{Method: "users.messages.get", After: 1, Status: 403, Reason: "dailyLimitExceeded"})
		code, _, errb := g.run("sync", "--once", "gmail")
		if code != cli.ExitError || !regexp.MustCompile(`caseyos sync: gmail: Gmail's daily quota is used up; it resets at midnight Pacific time \(\d{4}-\d\d-\d\d 0[78]:00 UTC\)`).MatchString(errb) {
			t.Errorf("sync --once at the daily limit: exit %d %q, want 1 and the reset time", code, errb)
		}
		if code, _, errb := g.run("sync", "--once", "gmail"); code != 0 {
			t.Errorf("the next pass: %d %q", code, errb)
		}
	})
}

func TestCLI_SyncOnceRateLimited_Calendar(t *testing.T) {
	lasting := 1 + gcal.DefaultRetries
	t.Run("LimitWaitedOut", func(t *testing.T) {
		g := newGoogleCLI(t)
		if code, _, errb := g.run("sync", "--once", "gcal"); code != 0 {
			t.Fatalf("first sync: %d %s", code, errb)
		}
		before := syncItems(t, g.run, "gcal")
		now := time.Now()
		for i := range 600 {
			start := now.Add(-time.Duration(i+1) * 10 * time.Minute)
			g.cal.AddEvent(gcaltest.Event{Summary: "Call", Start: start, End: start.Add(5 * time.Minute),
				Attendees: []gcaltest.Attendee{{Email: "casey@caseyos.dev"}, {Email: "dana@northwind.io"}}})
		}
		// The second page of the changed events: 403 userRateLimitExceeded,
		// no Retry-After.
		g.cal.Inject(gcaltest.Fault{Method: "calendar.events.list", After: 1, Status: 403, Reason: "userRateLimitExceeded", Times: lasting})
		code, out, errb := g.run("sync", "--once", "gcal")
		if code != 0 || !strings.Contains(out, "Synced gcal") {
			t.Fatalf("sync --once over rate limits: exit %d %q %q, want 0", code, out, errb)
		}
		if !waitingLine("gcal", "per-user rate limit").MatchString(errb) {
			t.Errorf("stderr = %q, want the waiting line", errb)
		}
		var statuses []int
		for _, r := range g.cal.Requests() {
			if r.Method == "calendar.events.list" {
				statuses = append(statuses, r.Status)
			}
		}
		if !served429(statuses) {
			t.Errorf("events.list answers = %v, want a rate limit after a page", statuses)
		}
		if n := syncItems(t, g.run, "gcal") - before; n != 600 {
			t.Errorf("new items = %d, want the 600 meetings", n)
		}
	})
	t.Run("DailyLimitEndsPass", func(t *testing.T) {
		g := newGoogleCLI(t)
		g.cal.Inject(gcaltest.Fault{Method: "calendar.events.list", Status: 403, Reason: "dailyLimitExceeded"})
		code, _, errb := g.run("sync", "--once", "gcal")
		if code != cli.ExitError || !regexp.MustCompile(`caseyos sync: gcal: Google Calendar's daily quota is used up; it resets at midnight Pacific time \(\d{4}-\d\d-\d\d 0[78]:00 UTC\)`).MatchString(errb) {
			t.Errorf("sync --once at the daily limit: exit %d %q, want 1 and the reset time", code, errb)
		}
		if code, _, errb := g.run("status"); code != 0 || strings.Contains(errb+"", "reconnect") {
			t.Errorf("status after a daily limit: %d %q", code, errb)
		}
	})
}
