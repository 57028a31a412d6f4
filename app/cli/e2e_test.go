package cli_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/app/cli"
)

// buildBinary builds the caseyos command once per test binary run.
func buildBinary(tb testing.TB) string {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), "caseyos")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/caseyos/caseyos")
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

type result struct {
	code           int
	stdout, stderr string
}

func runBin(tb testing.TB, bin, dataDir string, stdin string, args ...string) result {
	tb.Helper()
	cmd := exec.Command(bin, append([]string{"--data-dir", dataDir}, args...)...)
	cmd.Env = append(os.Environ(), "CASEYOS_DATA_DIR=") // the flag decides
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		tb.Fatalf("run %v: %v", args, err)
	}
	return result{code, out.String(), errb.String()}
}

// signalLines writes the e2e scenario: four good signals that produce four
// moves of clearly different value, and malformed lines between them.
func signalLines(now time.Time) string {
	ts := func(d time.Duration) string { return now.Add(d).UTC().Format(time.RFC3339) }
	lines := []string{
		// 1: a CEO at a SaaS target account with an $80k deal replied two hours ago.
		fmt.Sprintf(`{"source":"gmail","type":"email.replied","occurred_at":%q,"dedupe_key":"gmail:m1","deal_id":"d-acme",`+
			`"contact":{"id":"maya@acme.io","email":"maya@acme.io","name":"Maya Chen","title":"CEO"},`+
			`"company":{"id":"acme","name":"Acme","industry":"SaaS","employees":200,"country":"US","tags":["target_account"]},`+
			`"deal":{"id":"d-acme","name":"Acme platform","amount":80000,"stage":"contractsent"},`+
			`"email":{"thread_id":"t-acme","message_id":"<m1@acme.io>","from":"maya@acme.io","subject":"Pricing for 40 seats","received_at":%q}}`, ts(-2*time.Hour), ts(-2*time.Hour)),
		// 2: malformed JSON.
		`{"source":"gmail","type":"email.replied",`,
		// 3: a customer success handoff for a $20k deal won an hour ago.
		fmt.Sprintf(`{"source":"hubspot","type":"deal.stage_changed","occurred_at":%q,"dedupe_key":"hs:d-globex:closedwon",`+
			`"company":{"id":"globex","name":"Globex","industry":"Manufacturing","employees":40},`+
			`"deal":{"id":"d-globex","name":"Globex pilot","amount":20000,"stage":"closedwon"},"payload":{"previous_stage":"contractsent"}}`, ts(-time.Hour)),
		// 4: valid JSON, but an unknown signal type.
		fmt.Sprintf(`{"source":"gmail","type":"email.teleported","occurred_at":%q,"dedupe_key":"bad:1"}`, ts(-time.Hour)),
		// 5: a form fill from someone we know nothing about.
		fmt.Sprintf(`{"source":"form","type":"form.submitted","occurred_at":%q,"dedupe_key":"form:1",`+
			`"contact":{"email":"sam@tinyshop.example","name":"Sam Lee"},"form":{"form":"Newsletter","fields":{"message":"Love the blog"}}}`, ts(-30*time.Minute)),
		"",
		"# comments and blank lines are ignored",
		// 8: a mention on X, low value, no deadline pressure yet.
		fmt.Sprintf(`{"source":"x","type":"social.mention","occurred_at":%q,"dedupe_key":"x:p1","post":{"id":"p1","author":"devjane","text":"Trying CaseyOS this week"}}`, ts(-5*time.Hour)),
		// 9: a time that is not a time.
		`{"source":"x","type":"social.mention","occurred_at":"last tuesday","dedupe_key":"x:p2","post":{"id":"p2","author":"bob"}}`,
	}
	return strings.Join(lines, "\n") + "\n"
}

func TestE2E_IngestThenToday(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "signals.jsonl")
	if err := os.WriteFile(file, []byte(signalLines(time.Now())), 0o600); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")

	// On a fresh data directory, today shows the labelled demo workspace.
	r := runBin(t, bin, data, "", "today")
	if r.code != 0 || !strings.Contains(r.stdout, "DEMO WORKSPACE") {
		t.Fatalf("fresh today: code %d, stdout %q, stderr %q; want the demo workspace", r.code, r.stdout, r.stderr)
	}

	r = runBin(t, bin, data, "", "ingest", file)
	if r.code != cli.ExitPartial {
		t.Errorf("ingest exit code = %d, want %d (some lines rejected)", r.code, cli.ExitPartial)
	}
	for _, want := range []string{"line 2: not a valid signal: the JSON ends early", `line 4: signal type "email.teleported" is not one of`, `line 9: occurred_at "last tuesday" is not an RFC 3339 time`} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("ingest stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if !strings.Contains(r.stdout, "4 new, 0 already known, 3 rejected; 4 moves created") {
		t.Errorf("ingest summary = %q", r.stdout)
	}
	if fi, err := os.Stat(filepath.Join(data, "caseyos.db")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("data file: %v, mode %v; want 0600", err, fi.Mode().Perm())
	}

	r = runBin(t, bin, data, "", "today", "--json")
	if r.code != 0 {
		t.Fatalf("today --json: code %d, stderr %s", r.code, r.stderr)
	}
	var today app.TodayDTO
	if err := json.Unmarshal([]byte(r.stdout), &today); err != nil {
		t.Fatalf("today --json is not JSON: %v\n%s", err, r.stdout)
	}
	if today.Workspace.Demo {
		t.Error("after ingest, today still reads the demo workspace")
	}
	want := []struct {
		title  string
		domain string
	}{
		{"Reply to Maya Chen: Pricing for 40 seats", "sales"},
		{"Hand off Globex to customer success", "cs"},
		{"Like @devjane's post: Trying CaseyOS this week", "marketing"},
		{"Welcome Sam Lee from the Newsletter signup", "marketing"},
	}
	if len(today.Moves) != len(want) {
		t.Fatalf("today has %d moves, want %d:\n%s", len(today.Moves), len(want), r.stdout)
	}
	for i, w := range want {
		m := today.Moves[i]
		if m.Title != w.title || m.Domain != w.domain || m.Status != "pending" {
			t.Errorf("move %d = %q (%s, %s, APS %.1f), want %q (%s)", i+1, m.Title, m.Domain, m.Status, m.APS, w.title, w.domain)
		}
		if i > 0 && m.APS > today.Moves[i-1].APS {
			t.Errorf("move %d scores %.1f, above move %d's %.1f", i+1, m.APS, i, today.Moves[i-1].APS)
		}
	}
	top := today.Moves[0]
	if !strings.Contains(strings.Join(top.Reasons, "|"), "$80k ARR deal") || top.Draft.ThreadID != "t-acme" {
		t.Errorf("top move reasons %q, draft %+v; want the $80k deal and a threaded reply", top.Reasons, top.Draft)
	}
	if today.Pending != 4 || today.ByDomain["sales"] != 1 || today.ByDomain["cs"] != 1 || today.ByDomain["marketing"] != 2 {
		t.Errorf("counts pending %d by domain %v", today.Pending, today.ByDomain)
	}

	// Re-ingesting is a no-op for the good lines.
	r = runBin(t, bin, data, "", "ingest", "--json", file)
	var rep app.IngestDTO
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("ingest --json: %v\n%s", err, r.stdout)
	}
	if rep.Stored != 0 || rep.Duplicates != 4 || len(rep.Created) != 0 || len(rep.Rejected) != 3 || rep.Rejected[0].Line != 2 {
		t.Errorf("re-ingest = %+v, want 0 stored, 4 duplicates, the same 3 rejected lines", rep)
	}

	// Skip the top move; it leaves Today's Moves and explain shows why.
	id := fmt.Sprint(top.ID)
	if r = runBin(t, bin, data, "", "skip", id, "--reason", "already answered by phone"); r.code != 0 {
		t.Fatalf("skip: %d %s", r.code, r.stderr)
	}
	r = runBin(t, bin, data, "", "today", "--json", "--domain", "sales")
	today = app.TodayDTO{}
	if err := json.Unmarshal([]byte(r.stdout), &today); err != nil {
		t.Fatal(err)
	}
	if len(today.Moves) != 0 || today.Domain != "sales" || today.Pending != 0 {
		t.Errorf("sales after skipping its only move = %+v", today.Moves)
	}
	r = runBin(t, bin, data, "", "today", "--json", "--domain", "marketing", "--limit", "1")
	today = app.TodayDTO{}
	if err := json.Unmarshal([]byte(r.stdout), &today); err != nil {
		t.Fatal(err)
	}
	if len(today.Moves) != 1 || today.Moves[0].Title != "Like @devjane's post: Trying CaseyOS this week" || today.Pending != 2 {
		t.Errorf("marketing, limit 1 = %+v (pending %d)", today.Moves, today.Pending)
	}
	r = runBin(t, bin, data, "", "explain", id)
	for _, want := range []string{"APS", "$80k ARR deal", "pending → skipped", "already answered by phone"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("explain lacks %q:\n%s", want, r.stdout)
		}
	}

	// Errors are clear and coded.
	r = runBin(t, bin, data, "", "skip", id)
	if r.code != cli.ExitError || !strings.Contains(r.stderr, "is skipped; it cannot become skipped") {
		t.Errorf("skipping twice: %d %q", r.code, r.stderr)
	}
	r = runBin(t, bin, data, "", "explain", "--json", "999")
	var e app.ErrorDTO
	if json.Unmarshal([]byte(r.stderr), &e); e.Code != "not_found" {
		t.Errorf("explain 999 error = %q, want a not_found JSON error", r.stderr)
	}
	r = runBin(t, bin, data, "", "execute", fmt.Sprint(today.Moves[0].ID))
	if r.code != cli.ExitError || !strings.Contains(r.stderr, "needs a connected X account: run `caseyos connect x --consumer-key KEY`") {
		t.Errorf("execute without X: %d %q", r.code, r.stderr)
	}

	// Hot backup opens as a workspace with the same moves.
	backup := filepath.Join(dir, "copy.db")
	if r = runBin(t, bin, data, "", "backup", backup); r.code != 0 {
		t.Fatalf("backup: %d %s", r.code, r.stderr)
	}
	restored := filepath.Join(dir, "restored")
	os.MkdirAll(restored, 0o700)
	if err := os.Rename(backup, filepath.Join(restored, "caseyos.db")); err != nil {
		t.Fatal(err)
	}
	r = runBin(t, bin, restored, "", "today", "--json")
	if !strings.Contains(r.stdout, "Hand off Globex to customer success") {
		t.Errorf("backup lacks the moves: %s %s", r.stdout, r.stderr)
	}
}

func TestE2E_Stdin(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	data := t.TempDir()
	r := runBin(t, bin, data, signalLines(time.Now()), "ingest", "-")
	if r.code != cli.ExitPartial || !strings.Contains(r.stdout, "4 new") {
		t.Errorf("ingest -: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := runBin(t, bin, data, "", "version"); r.code != 0 || !strings.Contains(r.stdout, "caseyos") {
		t.Errorf("version: %d %q", r.code, r.stdout)
	}
	if r := runBin(t, bin, data, "", "frobnicate"); r.code != cli.ExitUsage {
		t.Errorf("unknown command exit = %d, want %d", r.code, cli.ExitUsage)
	}
}
