package cli_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/app/cli"
	"github.com/caseyos/caseyos/backend"
)

func TestCLI_Shortcuts(t *testing.T) {
	dir := t.TempDir()
	clock := backend.NewManualClock(now)
	run := func(args ...string) (int, string, string) {
		t.Helper()
		return runCLI(t, dir, clock, "", args...)
	}
	code, out, errb := run("shortcuts")
	if code != 0 || !strings.Contains(out, "Show or hide CaseyOS") || !strings.Contains(out, "Ctrl+Alt+Space") || !strings.Contains(out, app.NoteNoWindow) {
		t.Fatalf("shortcuts = %d %s%s", code, out, errb)
	}
	code, out, errb = run("shortcuts", "set", "skip", "alt+ctrl+k", "--json")
	var s app.ShortcutsDTO
	if err := json.Unmarshal([]byte(out), &s); code != 0 || err != nil {
		t.Fatalf("set = %d %s%s (%v)", code, out, errb, err)
	}
	if got := s.Shortcuts[2]; got.Action != "skip" || got.Keys != "Ctrl+Alt+K" || got.State != app.ShortcutNotRunning {
		t.Errorf("skip after set = %+v", got)
	}
	if code, out, _ = run("shortcuts", "off", "push_to_talk", "--json"); code != 0 || !strings.Contains(out, `"state": "off"`) {
		t.Errorf("off = %d %s", code, out)
	}
	if code, _, errb = run("shortcuts", "set", "skip", "Ctrl+Alt+Nope"); code == 0 || !strings.Contains(errb, "Skip the top move") {
		t.Errorf("an unparseable accelerator = %d %q, want an error naming the action", code, errb)
	}
	if code, _, _ = run("shortcuts", "set", "skip"); code != cli.ExitUsage {
		t.Errorf("set without keys = %d, want usage", code)
	}
}
