package cli_test

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/connectors/gcal/gcaltest"
	"github.com/caseyos/caseyos/connectors/gmail/gmailtest"
	"github.com/caseyos/caseyos/connectors/hubspot/hubspottest"
	"github.com/caseyos/caseyos/connectors/keychain"
)

// TestE2E_RealKeychainSyncRateLimited runs `caseyos sync --once ACCOUNT`
// through the built binary — main.go's own connectors, with their
// published limits and retries, pointed at the fakes — for each connector:
// a rate limit in the middle of the pass, without the rate-limit headers
// the project's fakes send, is waited out (said on standard error) and
// the pass finishes (exit 0) with everything stored; a daily limit ends
// it with exit 1 and the reset time. It runs when CASEYOS_REAL_KEYCHAIN=1
// (make test-keychain), as the binary keeps its grants in the OS keychain.
func TestE2E_RealKeychainSyncRateLimited(t *testing.T) {
	if os.Getenv("CASEYOS_REAL_KEYCHAIN") != "1" {
		t.Skip("set CASEYOS_REAL_KEYCHAIN=1 (make test-keychain) to use the real keychain")
	}
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Fatal("the consent page is followed with curl, which is not installed")
	}
	w := startFakes(t, nil)
	w.hs.Seed(bulkSeedCLI(250)) // three pages of contacts
	t.Setenv("CASEYOS_HUBSPOT_BASE_URL", w.hs.URL())
	t.Setenv("CASEYOS_GMAIL_BASE_URL", w.google+"/")
	t.Setenv("CASEYOS_GCAL_BASE_URL", w.google+"/calendar/v3/")
	t.Setenv("CASEYOS_GOOGLE_TOKEN_URL", w.google+"/token")
	t.Setenv("BROWSER", curl+" -s -L -o /dev/null")
	t.Cleanup(func() {
		for _, acct := range []string{"hubspot", "gmail", "gcal"} {
			exec.Command("secret-tool", "clear", "service", keychain.Service, "username", acct).Run()
		}
	})
	bin := buildBinary(t)
	run := func(args ...string) (int, string, string) {
		r := runBin(t, bin, w.dir, "", args...)
		return r.code, r.stdout, r.stderr
	}
	if r := runBin(t, bin, w.dir, fakeToken+"\n", "connect", "hubspot", "--token-stdin"); r.code != 0 {
		t.Fatalf("connect hubspot: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if code, out, errb := run("connect", "google", "--credentials", w.credFile); code != 0 {
		t.Fatalf("connect google: %d %q %q", code, out, errb)
	}

	t.Run("HubSpot", func(t *testing.T) {
		w.hs.InjectRateLimit(hubspottest.RateLimitFault{Path: "/crm/v3/objects/contacts", After: 1})
		code, out, errb := run("sync", "--once", "hubspot")
		if code != 0 || !strings.Contains(out, "Synced hubspot") {
			t.Fatalf("sync --once over a bare 429: %d %q %q, want 0", code, out, errb)
		}
		if !strings.Contains(errb, "hubspot: rate limited (10-second window); waiting 10s") {
			t.Errorf("stderr = %q, want the waiting line", errb)
		}
		// The page refused is asked again, and the list goes on to its end
		// (the first request was connect's check).
		var got []string
		for _, r := range w.hs.Requests() {
			if r.Method == http.MethodGet && r.Path == "/crm/v3/objects/contacts" {
				got = append(got, fmt.Sprintf("%d after=%s", r.Status, r.Query.Get("after")))
			}
		}
		if len(got) == 5 {
			got = got[1:]
		}
		if len(got) != 4 || !strings.HasPrefix(got[1], "429 ") || got[2] != "200"+strings.TrimPrefix(got[1], "429") || !strings.HasPrefix(got[3], "200 ") {
			t.Errorf("contact pages = %q, want 200, 429, the same page again 200, the last page 200", got)
		}
		if n := syncItems(t, run, "hubspot"); n < 250 {
			t.Errorf("items = %d, want the 250 contacts and the demo", n)
		}

		w.hs.InjectRateLimit(hubspottest.RateLimitFault{Policy: "DAILY"})
		code, _, errb = run("sync", "--once", "hubspot")
		reset := regexp.MustCompile(`caseyos sync: hubspot: HubSpot's daily API limit is reached; .* after \d{4}-\d\d-\d\d 00:01 UTC`)
		if code != 1 || !reset.MatchString(errb) {
			t.Errorf("sync --once at the daily limit: %d %q, want 1 and the reset time", code, errb)
		}
	})

	t.Run("Gmail", func(t *testing.T) {
		if code, _, errb := run("sync", "--once", "gmail"); code != 0 {
			t.Fatalf("first sync: %d %q", code, errb)
		}
		before := syncItems(t, run, "gmail")
		for i := range 20 {
			w.mail.Deliver(gmailtest.Message{From: "Dana Whitfield <dana@northwind.io>", To: []string{"casey@caseyos.dev"}, Subject: fmt.Sprintf("Question %d", i), Body: "One more."})
		}
		// Lasting 429s without Retry-After from the fourth message on: more
		// than the client's own retries absorb (4 fetches at once, each
		// tried 1 + 3 times).
		w.mail.Inject(gmailtest.Fault{Method: "users.messages.get", After: 3, Status: 429, Reason: "rateLimitExceeded", Times: 16})
		code, out, errb := run("sync", "--once", "gmail")
		if code != 0 || !strings.Contains(out, "Synced gmail") {
			t.Fatalf("sync --once over 429s: %d %q %q, want 0", code, out, errb)
		}
		if !waitingLine("gmail", "rate limit").MatchString(errb) {
			t.Errorf("stderr = %q, want the waiting line", errb)
		}
		if n := syncItems(t, run, "gmail") - before; n != 20 {
			t.Errorf("new items = %d, want the 20 mails", n)
		}

		w.mail.Deliver(gmailtest.Message{From: "Dana Whitfield <dana@northwind.io>", To: []string{"casey@caseyos.dev"}, Subject: "Last one", Body: "Really."})
		w.mail.Inject(gmailtest.Fault{Status: 403, Reason: "dailyLimitExceeded"})
		code, _, errb = run("sync", "--once", "gmail")
		if code != 1 || !regexp.MustCompile(`caseyos sync: gmail: Gmail's daily quota is used up; it resets at midnight Pacific time \(\d{4}-\d\d-\d\d 0[78]:00 UTC\)`).MatchString(errb) {
			t.Errorf("sync --once at the daily limit: %d %q, want 1 and the reset time", code, errb)
		}
	})

	t.Run("Calendar", func(t *testing.T) {
		if code, _, errb := run("sync", "--once", "gcal"); code != 0 {
			t.Fatalf("first sync: %d %q", code, errb)
		}
		before := syncItems(t, run, "gcal")
		now := time.Now()
		for i := range 600 {
			start := now.Add(-time.Duration(i+1) * 10 * time.Minute)
			w.cal.AddEvent(gcaltest.Event{Summary: "Call", Start: start, End: start.Add(5 * time.Minute),
				Attendees: []gcaltest.Attendee{{Email: "casey@caseyos.dev"}, {Email: "dana@northwind.io"}}})
		}
		w.cal.Inject(gcaltest.Fault{Method: "calendar.events.list", After: 1, Status: 429, Body: "<html>Too Many Requests</html>", Times: 8})
		code, out, errb := run("sync", "--once", "gcal")
		if code != 0 || !strings.Contains(out, "Synced gcal") {
			t.Fatalf("sync --once over 429s: %d %q %q, want 0", code, out, errb)
		}
		if !waitingLine("gcal", "rate limit").MatchString(errb) {
			t.Errorf("stderr = %q, want the waiting line", errb)
		}
		if n := syncItems(t, run, "gcal") - before; n != 600 {
			t.Errorf("new items = %d, want the 600 meetings", n)
		}

		w.cal.Inject(gcaltest.Fault{Status: 403, Reason: "dailyLimitExceeded"})
		code, _, errb = run("sync", "--once", "gcal")
		if code != 1 || !regexp.MustCompile(`caseyos sync: gcal: Google Calendar's daily quota is used up; it resets at midnight Pacific time \(\d{4}-\d\d-\d\d 0[78]:00 UTC\)`).MatchString(errb) {
			t.Errorf("sync --once at the daily limit: %d %q, want 1 and the reset time", code, errb)
		}
	})
}
