package cli_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/backend"
)

// TestCLI_DemoPreviewsShowNames: what `caseyos explain` says executing
// does, and `caseyos execute --dry-run`'s preview, name the demo's people
// and deals, for every move on the demo's list — never a bare HubSpot id
// (contacts 10xx, deals 90xx) the workspace knows by name.
func TestCLI_DemoPreviewsShowNames(t *testing.T) {
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
	bare := regexp.MustCompile(`\b(10\d\d|90\d\d)\b`)
	kinds := map[string]bool{}
	for _, m := range today.Moves {
		kinds[m.Kind] = true
		code, out, errb := runCLI(t, dir, clock, "", "explain", itoa(m.ID))
		if code != 0 {
			t.Fatalf("explain %d: %d %s", m.ID, code, errb)
		}
		does := out[strings.Index(out, "What executing does:"):]
		does = does[:strings.Index(does, "History:")]
		if id := bare.FindString(does); id != "" {
			t.Errorf("explain %d (%s) shows the bare id %s:\n%s", m.ID, m.Kind, id, does)
		}
		if code, out, _ := runCLI(t, dir, clock, "", "execute", itoa(m.ID), "--dry-run"); code == 0 {
			if id := bare.FindString(out); id != "" {
				t.Errorf("execute %d --dry-run (%s) shows the bare id %s:\n%s", m.ID, m.Kind, id, out)
			}
		}
	}
	if !kinds[string(backend.KindMergeContacts)] || !kinds[string(backend.KindReplySocial)] {
		t.Errorf("demo kinds = %v, want a merge and an X reply among them", kinds)
	}
}
