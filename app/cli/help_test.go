package cli_test

import (
	"strings"
	"testing"

	"github.com/caseyos/caseyos/app/cli"
	"github.com/caseyos/caseyos/backend"
)

// TestCLI_Help asks for help everywhere a person would: the usage goes to
// stdout, the exit code is 0, and nothing is printed as an error.
func TestCLI_Help(t *testing.T) {
	dir := t.TempDir()
	clock := backend.NewManualClock(now)
	tests := []struct {
		args []string
		want []string // in stdout
		not  []string // not in stdout
	}{
		{[]string{"--help"}, []string{"Usage: caseyos", "Commands:", "execute ID"}, nil},
		{[]string{"-h"}, []string{"Usage: caseyos", "Commands:"}, nil},
		{[]string{"-help"}, []string{"Usage: caseyos", "Commands:"}, nil},
		{[]string{"--demo", "--help"}, []string{"Usage: caseyos", "Commands:"}, nil},
		{[]string{"help"}, []string{"Usage: caseyos", "Commands:"}, nil},
		{[]string{"today", "--help"}, []string{"caseyos today [--json]", "--domain", "Global flags:"}, []string{"execute ID"}},
		{[]string{"today", "-h"}, []string{"caseyos today [--json]"}, []string{"execute ID"}},
		{[]string{"execute", "12", "--help"}, []string{"caseyos execute ID [--dry-run] [--yes]"}, []string{"caseyos today"}},
		{[]string{"skip", "-h", "12"}, []string{"caseyos skip ID"}, []string{"caseyos today"}},
		{[]string{"connect", "hubspot", "--help"}, []string{"caseyos connect hubspot", "caseyos connect google"}, []string{"caseyos today"}},
		{[]string{"sync", "--help"}, []string{"caseyos sync [--once]"}, []string{"caseyos today"}},
		{[]string{"kill-switch", "--help"}, []string{"caseyos kill-switch on|off|status"}, nil},
		{[]string{"help", "outbox"}, []string{"caseyos outbox [--retry]"}, []string{"caseyos today"}},
		{[]string{"classify", "--help"}, []string{"caseyos classify [--json] [FILE|-]"}, []string{"caseyos today"}},
	}
	for _, tt := range tests {
		code, out, errb := runCLI(t, dir, clock, "", tt.args...)
		if code != cli.ExitOK || errb != "" {
			t.Errorf("%v: exit %d, stderr %q; want 0 and nothing on stderr", tt.args, code, errb)
		}
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: stdout lacks %q:\n%s", tt.args, w, out)
			}
		}
		for _, n := range tt.not {
			if strings.Contains(out, n) {
				t.Errorf("%v: stdout has %q, want only the command's usage:\n%s", tt.args, n, out)
			}
		}
	}
	// Help never runs the command: no workspace was opened.
	if code, out, _ := runCLI(t, dir, clock, "", "today"); code != 0 || !strings.Contains(out, "DEMO") {
		t.Fatalf("today after the help calls: %d", code)
	}
	// An unknown command is still a usage error on stderr.
	if code, _, errb := runCLI(t, dir, clock, "", "teleport", "--help"); code != cli.ExitUsage || !strings.Contains(errb, `unknown command "teleport"`) {
		t.Errorf("teleport --help: %d %q, want a usage error", code, errb)
	}
}
