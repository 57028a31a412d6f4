package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/backend"
)

func TestCLI_AutostartOnOffStatus(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the XDG autostart entry is Linux's")
	}
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	entry := filepath.Join(cfg, "autostart", "caseyos.desktop")
	dir := t.TempDir()
	clock := backend.NewManualClock(now)
	run := func(args ...string) (int, string, string) {
		t.Helper()
		return runCLI(t, dir, clock, "", args...)
	}
	if code, out, errb := run("autostart", "status"); code != 0 || !strings.Contains(out, "off") {
		t.Fatalf("status = %d %s%s", code, out, errb)
	}
	if code, out, errb := run("autostart", "on"); code != 0 || !strings.Contains(out, "on") || !strings.Contains(out, entry) {
		t.Fatalf("on = %d %s%s", code, out, errb)
	}
	if b, err := os.ReadFile(entry); err != nil || !strings.Contains(string(b), " --tray\n") {
		t.Fatalf("entry = %q, %v", b, err)
	}
	_, out, _ := run("autostart", "status", "--json")
	var s app.StartAtLoginDTO
	if err := json.Unmarshal([]byte(out), &s); err != nil || !s.On || s.Entry != entry {
		t.Errorf("status --json = %s (%v)", out, err)
	}
	if code, out, errb := run("autostart", "off"); code != 0 || !strings.Contains(out, "off") {
		t.Fatalf("off = %d %s%s", code, out, errb)
	}
	if _, err := os.Stat(entry); !os.IsNotExist(err) {
		t.Errorf("entry still there after off: %v", err)
	}
	if code, _, errb := run("autostart", "maybe"); code != 2 || !strings.Contains(errb, "maybe") {
		t.Errorf("autostart maybe = %d %s", code, errb)
	}
	if code, _, errb := run("autostart"); code != 2 {
		t.Errorf("autostart with no argument = %d %s", code, errb)
	}
	// Someone else's entry: reported with its path, exit 1, left alone.
	theirs := "[Desktop Entry]\nType=Application\nName=X\nExec=/bin/true\n"
	os.WriteFile(entry, []byte(theirs), 0o644)
	if code, _, errb := run("autostart", "off"); code != 1 || !strings.Contains(errb, entry) {
		t.Errorf("off over a foreign entry = %d %s", code, errb)
	}
	if b, _ := os.ReadFile(entry); string(b) != theirs {
		t.Errorf("foreign entry changed: %q", b)
	}
	_, out, _ = run("audit", "--json")
	var log app.AuditLogDTO
	json.Unmarshal([]byte(out), &log)
	var got []string
	for _, e := range log.Entries {
		if strings.Contains(e.Detail, "start at login") {
			got = append(got, e.Actor+" "+e.Detail)
		}
	}
	if len(got) != 2 {
		t.Errorf("audit entries for start at login = %q, want on and off", got)
	}
}

func TestCLI_TrayFlagTakesNoCommand(t *testing.T) {
	code, _, errb := runCLI(t, t.TempDir(), backend.NewManualClock(now), "", "--tray", "today")
	if code != 2 || !strings.Contains(errb, "--tray") {
		t.Errorf("--tray today = %d %s", code, errb)
	}
}

// The window process's hidden command, run by a person in a build without
// the window, says so plainly rather than "an internal error".
func TestCLI_WindowCommandWithoutTheWindow(t *testing.T) {
	code, out, errb := runCLI(t, t.TempDir(), backend.NewManualClock(now), "", app.WindowCommand)
	if code != 2 || !strings.Contains(errb, "built without the desktop window") || out != "" {
		t.Errorf("%s = %d %q %q", app.WindowCommand, code, out, errb)
	}
}
