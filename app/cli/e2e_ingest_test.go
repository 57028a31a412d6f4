package cli_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/app/cli"
)

// TestE2E_IngestBadLinesLoseNothing runs the real binary on a 20,000-line
// import with a year-9999 time, a year-1 time, a 5 MB line, a NUL and a
// line that is not UTF-8 among the good lines: every good line is stored,
// each bad one is reported with its line number and reason, and the exit
// code says some were rejected. A file of only bad lines on a fresh data
// directory creates no workspace: the demo still shows.
func TestE2E_IngestBadLinesLoseNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	now := time.Now()
	at := now.Add(-time.Hour).UTC().Format(time.RFC3339)
	bad := map[int]struct{ line, reason string }{
		5000: {`{"source":"x","type":"social.mention","occurred_at":"9999-12-31T23:59:59Z","dedupe_key":"x:y9999","post":{"id":"y9999","author":"a"}}`,
			"occurred_at 9999-12-31T23:59:59Z is out of range"},
		7000: {`{"source":"x","type":"social.mention","occurred_at":"0001-01-01T00:00:00Z","dedupe_key":"x:y1","post":{"id":"y1","author":"a"}}`,
			"occurred_at 0001-01-01T00:00:00Z is out of range"},
		10001: {fmt.Sprintf(`{"source":"x","type":"social.mention","occurred_at":%q,"dedupe_key":"x:huge","post":{"id":"huge","author":"a","text":"%s"}}`,
			at, strings.Repeat("a", 5<<20)), "the line is longer than 4 MB"},
		15000: {fmt.Sprintf(`{"source":"x","type":"social.mention","occurred_at":%q,"dedupe_key":"x:\u0000","post":{"id":"nul","author":"a"}}`, at),
			"dedupe_key contains a control character (U+0000)"},
		19999: {fmt.Sprintf(`{"source":"x","type":"social.mention","occurred_at":%q,"dedupe_key":"x:latin1","post":{"id":"latin1","author":"Jos`, at) + "\xe9\"}}",
			"the line is not valid UTF-8"},
	}
	const good = 20_000
	var b strings.Builder
	for n, g := 1, 0; g < good || bad[n].line != ""; n++ {
		if l := bad[n].line; l != "" {
			b.WriteString(l + "\n")
			continue
		}
		g++
		if g%1000 == 0 { // every thousandth calls for a move
			b.WriteString(mention(g, now.Add(-time.Hour)) + "\n")
		} else {
			b.WriteString(contactLine(g, now.Add(-time.Hour)) + "\n")
		}
	}
	file := filepath.Join(dir, "signals.jsonl")
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}

	data := filepath.Join(dir, "data")
	start := time.Now()
	r := runBin(t, bin, data, "", "ingest", file)
	t.Logf("ingest of %d MB took %v", b.Len()>>20, time.Since(start))
	if r.code != cli.ExitPartial {
		t.Fatalf("ingest exit = %d, want %d; stderr %.500s", r.code, cli.ExitPartial, r.stderr)
	}
	if want := fmt.Sprintf("Ingested %d of %d signals", good, good+len(bad)); !strings.Contains(r.stdout, want) {
		t.Errorf("ingest summary = %q, want %q", r.stdout, want)
	}
	for n, l := range bad {
		if want := fmt.Sprintf("line %d: ", n); !strings.Contains(r.stderr, want+l.reason) && !strings.Contains(r.stderr, want+"not a valid signal") {
			t.Errorf("stderr lacks line %d's reason %q:\n%.2000s", n, l.reason, r.stderr)
		}
	}
	if n := strings.Count(r.stderr, "\n"); n != len(bad) {
		t.Errorf("stderr has %d lines, want %d (one per bad line):\n%.2000s", n, len(bad), r.stderr)
	}
	// Every good line is stored: importing again finds each one.
	r = runBin(t, bin, data, "", "ingest", "--json", file)
	var rep app.IngestDTO
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("ingest --json: %v\n%.500s", err, r.stdout)
	}
	if rep.Stored != 0 || rep.Duplicates != good || len(rep.Rejected) != len(bad) {
		t.Errorf("second import: %d stored, %d known, %d rejected; want 0, %d, %d", rep.Stored, rep.Duplicates, len(rep.Rejected), good, len(bad))
	}
	r = runBin(t, bin, data, "", "today", "--json")
	var today app.TodayDTO
	if err := json.Unmarshal([]byte(r.stdout), &today); err != nil || today.Workspace.Demo || today.Pending != good/1000 {
		t.Errorf("today: %v, demo %v, %d pending; want %d moves of the own workspace", err, today.Workspace.Demo, today.Pending, good/1000)
	}

	// Only bad lines, on a fresh data directory.
	var onlyBad []string
	for _, l := range bad {
		onlyBad = append(onlyBad, l.line)
	}
	file = filepath.Join(dir, "bad.jsonl")
	if err := os.WriteFile(file, []byte(strings.Join(onlyBad, "\r\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(dir, "fresh")
	r = runBin(t, bin, fresh, "", "ingest", file)
	if r.code != cli.ExitPartial || !strings.Contains(r.stdout, "no workspace was created") {
		t.Errorf("only bad lines: exit %d, stdout %q; want %d and no workspace", r.code, r.stdout, cli.ExitPartial)
	}
	if _, err := os.Stat(filepath.Join(fresh, "caseyos.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("caseyos.db after an import that stored nothing: %v, want none", err)
	}
	r = runBin(t, bin, fresh, "", "today")
	if r.code != 0 || !strings.Contains(r.stdout, "DEMO WORKSPACE") {
		t.Errorf("today after: %d %q %q; want the demo", r.code, r.stdout, r.stderr)
	}
}
