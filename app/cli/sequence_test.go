package cli_test

import (
	"strings"
	"testing"

	"github.com/caseyos/caseyos/app/cli"
	"github.com/caseyos/caseyos/backend"
)

func TestCLI_Sequence(t *testing.T) {
	dir := t.TempDir()
	clock := backend.NewManualClock(now)
	t.Run("ErrNotFound", func(t *testing.T) {
		code, _, errb := runCLI(t, dir, clock, "", "--demo", "sequence", "stop", "1")
		if code != cli.ExitError || !strings.Contains(errb, "not part of a follow-up sequence") {
			t.Errorf("sequence stop 1 (no sequence): exit %d, stderr %q", code, errb)
		}
	})
	t.Run("ErrUsage", func(t *testing.T) {
		for _, args := range [][]string{{"sequence"}, {"sequence", "stop"}, {"sequence", "stop", "x"}} {
			if code, _, _ := runCLI(t, dir, clock, "", args...); code != cli.ExitUsage {
				t.Errorf("%v: exit %d, want usage", args, code)
			}
		}
	})
	t.Run("Help", func(t *testing.T) {
		code, out, _ := runCLI(t, dir, clock, "", "--help")
		if code != cli.ExitOK || !strings.Contains(out, "sequence [stop] ID") {
			t.Errorf("--help: exit %d, no sequence line in %q", code, out)
		}
	})
}
