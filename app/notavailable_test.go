package app

import (
	"strings"
	"testing"

	"github.com/caseyos/caseyos/backend"
)

// An X reply cannot be carried out by anything in this build: Today,
// Preview and Connections say so plainly, and point to no `connect x`.
func TestApp_XReplyNotAvailable(t *testing.T) {
	e := newExecEnv(t)
	id := e.move(&backend.Move{Kind: backend.KindReplySocial, Title: "Engage @devjess's mention", Subject: backend.Subject{Type: backend.SubjectPost, ID: "p1"},
		Draft: backend.Draft{PostID: "p1", Body: "Thanks @devjess!"}})
	task := e.move(&backend.Move{Kind: backend.KindCreateTask, Title: "Call Dana", Subject: backend.Subject{Type: backend.SubjectContact, ID: "101"}, ContactID: "101"})
	today, err := e.app.bound.Today.Today("", 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range today.Moves {
		switch m.ID {
		case id:
			if !strings.Contains(m.NotAvailable, "no X connector") {
				t.Errorf("Today: X reply not_available = %q, want it to say there is no X connector", m.NotAvailable)
			}
		case task:
			if m.NotAvailable != "" {
				t.Errorf("Today: task not_available = %q, want none", m.NotAvailable)
			}
		}
	}
	p, err := e.app.bound.Execution.PreviewExecution(id)
	if err != nil {
		t.Fatal(err)
	}
	if p.NeedsAccount != "" || !strings.Contains(p.NotAvailable, "Replying on X is not available yet") {
		t.Errorf("PreviewExecution = needs_account %q, not_available %q; want only not_available", p.NeedsAccount, p.NotAvailable)
	}
	if p.Summary == "" || p.Hash != "" || p.Plan != nil || backend.ErrorCode(p.Blocked()) != backend.EUNAVAILABLE {
		t.Errorf("PreviewExecution = summary %q, hash %q, plan %v, blocked %v; want a summary, no hash or plan, unavailable", p.Summary, p.Hash, p.Plan, p.Blocked())
	}
	_, err = e.app.bound.Execution.ExecuteMove(id, ExecuteRequestDTO{Via: "key"})
	if backend.ErrorCode(err) != backend.EUNAVAILABLE || strings.Contains(backend.ErrorMessage(err), "connect x") {
		t.Errorf("ExecuteMove(X reply) = %v, want unavailable with no `connect x`", err)
	}
	conns, err := e.app.bound.Connections.Connections()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range conns {
		if c.Account == "x" && (c.State != "coming_soon" || c.ConnectHint != "") {
			t.Errorf("Connections: x = %+v, want coming_soon with no connect hint", c)
		}
	}
}
