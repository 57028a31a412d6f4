package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/app/cli"
	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

var now = time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC) // a Sunday

// runCLI runs the CLI in-process against a data dir, with a manual clock.
func runCLI(tb testing.TB, dir string, clock backend.Clock, stdin string, args ...string) (int, string, string) {
	tb.Helper()
	var out, errb bytes.Buffer
	code := cli.Main(context.Background(), append([]string{"--data-dir", dir}, args...), cli.Env{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Clock: clock,
		Open: func(p string) (backend.Store, error) {
			return store.Open(p, store.Options{Timeout: 200 * time.Millisecond})
		},
	})
	return code, out.String(), errb.String()
}

func TestCLI_DemoWorkspace(t *testing.T) {
	dir := t.TempDir()
	clock := backend.NewManualClock(now)
	code, out, errb := runCLI(t, dir, clock, "", "today", "--json", "--limit", "50")
	if code != 0 {
		t.Fatalf("today: %d %s", code, errb)
	}
	var today app.TodayDTO
	if err := json.Unmarshal([]byte(out), &today); err != nil {
		t.Fatal(err)
	}
	if !today.Workspace.Demo || today.Workspace.Label != app.DemoLabel || !strings.HasSuffix(today.Workspace.Path, "demo.db") {
		t.Errorf("workspace = %+v, want the labelled demo", today.Workspace)
	}
	if n := len(today.Moves); n < 12 || n > 20 {
		t.Errorf("demo has %d moves, want 12–20", n)
	}
	for _, d := range []string{"sales", "marketing", "cs"} {
		if today.ByDomain[d] == 0 {
			t.Errorf("demo has no %s moves", d)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "caseyos.db")); !os.IsNotExist(err) {
		t.Errorf("reading the demo created a real workspace: %v", err)
	}
	// Reasons render relative to now: no raw time tokens leak out.
	if strings.Contains(out, "{ago:") || strings.Contains(out, "{at:") || strings.Contains(out, "{due:") || strings.Contains(out, "{day:") {
		t.Errorf("raw reason tokens in output")
	}

	// The demo is kept while fresh (a skip sticks) and reloaded when stale.
	id := today.Moves[0].ID
	if code, _, errb := runCLI(t, dir, clock, "", "skip", itoa(id)); code != 0 {
		t.Fatalf("skip: %s", errb)
	}
	_, out, _ = runCLI(t, dir, clock, "", "today", "--json", "--limit", "50")
	if strings.Contains(out, `"id": `+itoa(id)+`,`) {
		t.Errorf("skipped demo move still listed")
	}
	clock.Advance(13 * time.Hour)
	_, out, _ = runCLI(t, dir, clock, "", "today", "--json", "--limit", "50")
	today = app.TodayDTO{}
	json.Unmarshal([]byte(out), &today)
	if n := len(today.Moves); n < 10 {
		t.Errorf("after 13 hours the demo has %d moves; want it reloaded for the new day", n)
	}
}

func TestCLI_Errors(t *testing.T) {
	dir := t.TempDir()
	clock := backend.NewManualClock(now)
	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"today", "--domain", "legal"}, cli.ExitError, `domain "legal" is not one of sales, marketing, cs`},
		{[]string{"today", "extra"}, cli.ExitUsage, "today needs no arguments"},
		{[]string{"skip"}, cli.ExitUsage, "skip needs a move ID"},
		{[]string{"skip", "abc"}, cli.ExitUsage, `"abc" is not a move id`},
		{[]string{"snooze", "1"}, cli.ExitError, "snooze needs --until"},
		{[]string{"snooze", "1", "--until", "whenever"}, cli.ExitError, `"whenever" is not a time`},
		{[]string{"explain", "424242"}, cli.ExitError, "not found"},
		{[]string{"ingest", filepath.Join(dir, "missing.jsonl")}, cli.ExitError, "cannot read"},
		{[]string{"backup", filepath.Join(dir, "demo.db")}, cli.ExitError, "the backup cannot overwrite the live data file"},
		{[]string{"today", "--bogus"}, cli.ExitUsage, "flag provided but not defined"},
	}
	for _, tt := range tests {
		code, _, errb := runCLI(t, dir, clock, "", tt.args...)
		if code != tt.code || !strings.Contains(errb, tt.msg) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tt.args, code, errb, tt.code, tt.msg)
		}
	}
}

func TestCLI_AlreadyRunning(t *testing.T) {
	dir := t.TempDir()
	held, err := store.Open(filepath.Join(dir, "demo.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	code, _, errb := runCLI(t, dir, backend.NewManualClock(now), "", "today")
	if code != cli.ExitError || !strings.Contains(errb, "CaseyOS is already running") {
		t.Errorf("today while the data file is held: %d %q", code, errb)
	}
}

func itoa(n uint64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
