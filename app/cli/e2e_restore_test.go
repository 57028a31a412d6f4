package cli_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/app/cli"
)

// TestE2E_UndoThenRestore runs the built binary on the demo workspace:
// execute --yes a task move (it waits out its undo window and creates the
// task in the demo's HubSpot), undo it (the task is deleted; the command
// says the move is off the list and how to bring it back), restore it, and
// Today's Moves shows it again, pending, with its draft; explain shows the
// whole history.
func TestE2E_UndoThenRestore(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and waits out an undo window")
	}
	bin := buildBinary(t)
	data := filepath.Join(t.TempDir(), "data")
	today := func() app.TodayDTO {
		t.Helper()
		r := runBin(t, bin, data, "", "today", "--json", "--limit", "100")
		var out app.TodayDTO
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
			t.Fatalf("today --json: %v\n%s%s", err, r.stdout, r.stderr)
		}
		return out
	}
	find := func(td app.TodayDTO, id uint64) *app.MoveDTO {
		for i := range td.Moves {
			if td.Moves[i].ID == id {
				return &td.Moves[i]
			}
		}
		return nil
	}
	var task *app.MoveDTO
	before := today()
	for i := range before.Moves {
		if before.Moves[i].Kind == "create_task" {
			task = &before.Moves[i]
			break
		}
	}
	if task == nil {
		t.Fatalf("the demo has no task move to execute: %+v", before.Moves)
	}
	id := fmt.Sprint(task.ID)

	if r := runBin(t, bin, data, "", "execute", id, "--yes"); r.code != 0 || !strings.Contains(r.stdout, "Done (") {
		t.Fatalf("execute --yes: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r := runBin(t, bin, data, "", "undo", id)
	if r.code != 0 || !strings.Contains(r.stdout, "Undone (") || !strings.Contains(r.stdout, "caseyos restore "+id) {
		t.Fatalf("undo: %d\n%s\n%s\nwant it undone, saying how to restore it", r.code, r.stdout, r.stderr)
	}
	if find(today(), task.ID) != nil {
		t.Fatal("the undone move is still in Today's Moves")
	}
	r = runBin(t, bin, data, "", "restore", id)
	if r.code != 0 || !strings.Contains(r.stdout, "Restored move "+id) {
		t.Fatalf("restore of an undone move: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	after := today()
	m := find(after, task.ID)
	if m == nil || m.Status != "pending" {
		t.Fatalf("after restore Today's Moves lacks move %s: %+v", id, after.Moves)
	}
	if m.Draft.TaskTitle != task.Draft.TaskTitle || m.Title != task.Title {
		t.Errorf("restored draft %q (title %q), want %q (%q)", m.Draft.TaskTitle, m.Title, task.Draft.TaskTitle, task.Title)
	}
	if after.Pending != before.Pending {
		t.Errorf("pending after restore = %d, want %d as before", after.Pending, before.Pending)
	}
	r = runBin(t, bin, data, "", "explain", id)
	for _, want := range []string{"done → undone", "undone → pending", "restored"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("explain lacks %q:\n%s", want, r.stdout)
		}
	}
	// Restoring twice is a clear conflict.
	if r = runBin(t, bin, data, "", "restore", id); r.code != cli.ExitError || !strings.Contains(r.stderr, "is pending") {
		t.Errorf("second restore: %d %q", r.code, r.stderr)
	}
}
