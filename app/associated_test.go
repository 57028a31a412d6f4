package app

import (
	"strings"
	"testing"

	"github.com/caseyos/caseyos/backend"
)

// TestPreview_NamesAssociations: the window's preview and the execution
// preview say which contact and deal a task goes on by name, not by id.
func TestPreview_NamesAssociations(t *testing.T) {
	e := newExecEnv(t)
	id := e.move(&backend.Move{Kind: backend.KindCreateTask, Title: "Send the security review", Subject: backend.Subject{Type: backend.SubjectDeal, ID: "301"},
		ContactID: "101", DealID: "301", Draft: backend.Draft{TaskTitle: "Send the security review"}})
	const want = "Associated with Dana (contact) and Northwind (deal)"
	p, err := e.app.bound.Execution.PreviewExecution(id)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(p.DraftEffects, " | "); !strings.Contains(got, want) {
		t.Errorf("PreviewExecution().DraftEffects = %q, want %q", got, want)
	}
	x, err := e.app.bound.Execution.PreviewExecution(id)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(x.Effects, " | "); !strings.Contains(got, want) {
		t.Errorf("PreviewExecution().Effects = %q, want %q", got, want)
	}
}
