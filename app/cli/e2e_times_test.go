package cli_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/app"
)

// runBinTZ is runBin with TZ set: the zone the computer says it is in.
func runBinTZ(tb testing.TB, bin, dataDir, tz string, args ...string) result {
	tb.Helper()
	cmd := exec.Command(bin, append([]string{"--data-dir", dataDir}, args...)...)
	cmd.Env = append(os.Environ(), "CASEYOS_DATA_DIR=", "TZ="+tz)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return result{ee.ExitCode(), out.String(), errb.String()}
	} else if err != nil {
		tb.Fatalf("run %v: %v", args, err)
	}
	return result{0, out.String(), errb.String()}
}

// TestE2E_TimesInLocalZone: `today` and `explain` print times in the
// computer's zone (TZ), not UTC: a meeting's start in the prep move's
// reason, a task's due time and the history's times. The task's due time
// was chosen at ingest on a quarter hour.
func TestE2E_TimesInLocalZone(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	now := time.Now().UTC()
	// At odd minutes: 7 past the hour in UTC is 52 past in Kathmandu.
	start := now.Truncate(time.Hour).Add(5*time.Hour + 7*time.Minute)
	won := now.Add(-time.Hour).Truncate(time.Second)
	lines := strings.Join([]string{
		fmt.Sprintf(`{"source":"gcal","type":"meeting.upcoming","occurred_at":%q,"dedupe_key":"gcal:ev1","meeting":{"id":"ev1","title":"Acme review","start":%q,"end":%q,"attendees":["maya@acme.io","me@caseyos.example"],"external":true}}`,
			now.Add(-time.Minute).Format(time.RFC3339), start.Format(time.RFC3339), start.Add(30*time.Minute).Format(time.RFC3339)),
		fmt.Sprintf(`{"source":"hubspot","type":"deal.stage_changed","occurred_at":%q,"dedupe_key":"hs:d-globex:closedwon","company":{"id":"globex","name":"Globex"},"deal":{"id":"d-globex","name":"Globex pilot","amount":20000,"stage":"closedwon"}}`,
			won.Format(time.RFC3339)),
	}, "\n") + "\n"
	file := filepath.Join(dir, "signals.jsonl")
	if err := os.WriteFile(file, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := runBinTZ(t, bin, data, "Europe/Berlin", "ingest", file); r.code != 0 {
		t.Fatalf("ingest: code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r := runBinTZ(t, bin, data, "UTC", "today", "--json")
	var today app.TodayDTO
	if err := json.Unmarshal([]byte(r.stdout), &today); err != nil {
		t.Fatalf("today --json: %v\n%s%s", err, r.stdout, r.stderr)
	}
	var prep, handoff uint64
	for _, m := range today.Moves {
		switch {
		case strings.Contains(m.Title, "Acme review"):
			prep = m.ID
		case strings.Contains(m.Title, "Globex"):
			handoff = m.ID
		}
	}
	if prep == 0 || handoff == 0 {
		t.Fatalf("today = %+v, want the prep note and the handoff task", today.Moves)
	}
	// The handoff is due within a day: at the next quarter hour after
	// won+24h, whatever the zone.
	due := won.Add(24 * time.Hour)
	if q := due.Truncate(15 * time.Minute); q.Before(due) {
		due = q.Add(15 * time.Minute)
	} else {
		due = q
	}

	for _, tz := range []string{"Europe/Berlin", "America/Los_Angeles", "Asia/Kathmandu"} {
		t.Run(tz, func(t *testing.T) {
			loc, err := time.LoadLocation(tz)
			if err != nil {
				t.Skipf("no zone data: %v", err)
			}
			clock := start.In(loc).Format("15:04")
			r := runBinTZ(t, bin, data, tz, "today")
			if r.code != 0 || !strings.Contains(r.stdout, "Acme review") {
				t.Fatalf("today: code %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stdout, " "+clock) || strings.Contains(r.stdout, " "+start.Format("15:04")) || strings.Contains(r.stdout, "UTC") {
				t.Errorf("today does not show the meeting at %s local (%s UTC):\n%s", clock, start.Format("15:04"), r.stdout)
			}

			r = runBinTZ(t, bin, data, tz, "explain", fmt.Sprint(prep))
			if r.code != 0 || !strings.Contains(r.stdout, "starts ") || !strings.Contains(r.stdout, " "+clock) || strings.Contains(r.stdout, "UTC") {
				t.Errorf("explain %d: want the start at %s local, no UTC:\n%s%s", prep, clock, r.stdout, r.stderr)
			}

			r = runBinTZ(t, bin, data, tz, "explain", fmt.Sprint(handoff))
			l := due.In(loc)
			wantDue := fmt.Sprintf("due %s %d %s %s", l.Format("Mon"), l.Day(), l.Format("Jan"), l.Format("15:04"))
			if r.code != 0 || !strings.Contains(r.stdout, wantDue) || strings.Contains(r.stdout, "UTC") {
				t.Errorf("explain %d: want %q, no UTC:\n%s%s", handoff, wantDue, r.stdout, r.stderr)
			}
			// The history's times are local too: the move was created at
			// ingest, now or a minute later.
			i := strings.Index(r.stdout, "History:")
			created := now.In(loc)
			if h := created.Format("Mon 2 Jan 15:04"); i < 0 || !strings.Contains(r.stdout[i:], h) && !strings.Contains(r.stdout[i:], created.Add(time.Minute).Format("Mon 2 Jan 15:04")) {
				t.Errorf("explain %d: history lacks the local time %s:\n%s", handoff, h, r.stdout)
			}
		})
	}
}
