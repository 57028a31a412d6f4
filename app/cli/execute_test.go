package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/app/cli"
	"github.com/caseyos/caseyos/backend"
)

func TestCLI_ExecuteGuardrailsAudit(t *testing.T) {
	dir := t.TempDir()
	clock := backend.NewManualClock(now)
	_, out, _ := runCLI(t, dir, clock, "", "today", "--json", "--limit", "50")
	var today app.TodayDTO
	if err := json.Unmarshal([]byte(out), &today); err != nil {
		t.Fatal(err)
	}
	var note, send uint64
	for _, m := range today.Moves {
		switch {
		case m.Kind == "note" && note == 0:
			note = m.ID
		case m.Kind == "send_email" && send == 0:
			send = m.ID
		}
	}
	if note == 0 || send == 0 {
		t.Fatalf("the demo has no note or no email move: %+v", today.Moves)
	}
	run := func(stdin string, args ...string) (int, string, string) {
		t.Helper()
		return runCLI(t, dir, clock, stdin, args...)
	}

	code, out, errb := run("", "execute", itoa(note), "--dry-run")
	if code != 0 || !strings.Contains(out, "Save the note") || !strings.Contains(out, "Preview ") {
		t.Fatalf("execute --dry-run = %d\n%s%s", code, out, errb)
	}
	if code, out, _ := run("n\n", "execute", itoa(note)); code != 1 || !strings.Contains(out, "Not executed") {
		t.Errorf("execute answered n = %d\n%s", code, out)
	}
	if code, _, errb := run("", "execute", itoa(send), "--dry-run"); code != 1 || !strings.Contains(errb, "Gmail") {
		t.Errorf("execute of an email without Gmail = %d %s, want unavailable naming Gmail", code, errb)
	}

	if code, out, errb := run("", "kill-switch", "on", "--reason", "test"); code != 0 || !strings.Contains(out, "ON") {
		t.Fatalf("kill-switch on = %d %s%s", code, out, errb)
	}
	_, out, _ = run("", "kill-switch", "status", "--json")
	var ks app.KillSwitchDTO
	if json.Unmarshal([]byte(out), &ks); !ks.On || ks.By != "cli" {
		t.Errorf("kill-switch status = %s", out)
	}
	// A note stays on this computer: the kill switch lets it through.
	if code, out, errb := run("y\n", "execute", itoa(note)); code != 0 || !strings.Contains(out, "Done") {
		t.Fatalf("execute answered y = %d\n%s%s", code, out, errb)
	}
	if code, out, errb := run("", "undo", itoa(note)); code != 0 || !strings.Contains(out, "Undone") {
		t.Errorf("undo = %d %s%s", code, out, errb)
	}
	if code, out, _ := run("", "kill-switch", "off"); code != 0 || !strings.Contains(out, "off") {
		t.Errorf("kill-switch off = %d %s", code, out)
	}

	if code, out, _ := run("", "outbox"); code != 0 || !strings.Contains(out, "empty") {
		t.Errorf("outbox = %d %s", code, out)
	}
	if code, out, _ := run("", "audit", "--verify"); code != 0 || !strings.Contains(out, "OK") {
		t.Errorf("audit --verify = %d %s", code, out)
	}
	_, out, _ = run("", "audit", "--json", "--limit", "6")
	var log app.AuditLogDTO
	if err := json.Unmarshal([]byte(out), &log); err != nil || len(log.Entries) != 6 {
		t.Fatalf("audit --json --limit 6 = %v, %d entries", err, len(log.Entries))
	}
	seen := map[string]bool{}
	_, out, _ = run("", "audit", "--json")
	json.Unmarshal([]byte(out), &log)
	for _, e := range log.Entries {
		seen[e.Action] = true
	}
	for _, want := range []string{"guardrails.kill_switch", "execution.planned", "execution.committed", "execution.rolled_back"} {
		if !seen[want] {
			t.Errorf("the audit log has no %s entry", want)
		}
	}

	rule := filepath.Join(t.TempDir(), "rule.json")
	os.WriteFile(rule, []byte(`{"name": "notes", "kinds": ["note"]}`), 0o600)
	if code, out, errb := run("", "rules", "simulate", rule); code != 0 || !strings.Contains(out, "would have been executed") || !strings.Contains(out, "#") {
		t.Errorf("rules simulate = %d %s%s", code, out, errb)
	}
	if code, _, _ := run("", "rules", "simulate"); code != cli.ExitUsage {
		t.Errorf("rules simulate without a file = %d, want usage", code)
	}
}

// The simulation's table lines its columns up whatever the ids' widths,
// the kinds' lengths and the titles' characters (“quotes”, ×, é are one
// column each but several bytes).
func TestCLI_RulesSimulateColumns(t *testing.T) {
	dir := t.TempDir()
	clock := backend.NewManualClock(now)
	rule := filepath.Join(t.TempDir(), "rule.json")
	os.WriteFile(rule, []byte(`{"name": "Tout — everything", "kinds": ["note", "send_email", "create_task", "merge_contacts", "reply_social"]}`), 0o600)
	code, out, errb := runCLI(t, dir, clock, "", "rules", "simulate", rule)
	if code != 0 {
		t.Fatalf("rules simulate = %d %s%s", code, out, errb)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")[1:]
	if len(lines) < 20 {
		t.Fatalf("rules simulate printed %d table lines, want a header and two lines per move:\n%s", len(lines), out)
	}
	// Every column starts at the same rune offset on every row; the reason
	// line starts under the title.
	col := func(line, field string) int {
		i := strings.Index(line, field)
		if i < 0 {
			return -1
		}
		return utf8.RuneCountInString(line[:i])
	}
	header := lines[0]
	kindAt, apsAt, moveAt := col(header, "KIND"), col(header, "APS"), col(header, "MOVE")
	if kindAt < 0 || apsAt < 0 || moveAt < 0 {
		t.Fatalf("header %q lacks KIND, APS or MOVE", header)
	}
	multi := false
	for _, l := range lines[1:] {
		r := []rune(l)
		if strings.Contains(l, "↳") {
			if got := col(l, "↳"); got != moveAt {
				t.Errorf("reason line starts at column %d, want %d (under MOVE):\n%s", got, moveAt, out)
			}
			continue
		}
		if len(r) <= moveAt || r[kindAt-1] != ' ' || r[kindAt] == ' ' || r[moveAt-1] != ' ' || r[moveAt] == ' ' {
			t.Errorf("row %q does not start its columns at %d (KIND) and %d (MOVE):\n%s", l, kindAt, moveAt, out)
		}
		if strings.ContainsAny(l, "“×—") {
			multi = true
		}
	}
	if !multi {
		t.Errorf("no title with multi-byte characters was checked:\n%s", out)
	}
}
