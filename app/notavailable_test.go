package app

import (
	"strings"
	"testing"

	"github.com/caseyos/caseyos/backend"
)

// An X reply needs the X account: with none connected, Today marks no move
// as impossible, and Preview, Execute and Connections all point to
// `caseyos connect x`.
func TestApp_XReplyNeedsAccount(t *testing.T) {
	e := newExecEnv(t)
	id := e.move(&backend.Move{Kind: backend.KindReplySocial, Title: "Reply to @devjess: CI went from 22 minutes to 6", Subject: backend.Subject{Type: backend.SubjectPost, ID: "1790000000000000404"},
		Draft: backend.Draft{PostID: "1790000000000000404", Body: "Thanks @devjess!"}})
	today, err := e.app.bound.Today.Today("", 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range today.Moves {
		if m.ID == id && m.NotAvailable != "" {
			t.Errorf("Today: X reply not_available = %q, want none: X has a connector", m.NotAvailable)
		}
	}
	p, err := e.app.bound.Execution.PreviewExecution(id)
	if err != nil {
		t.Fatal(err)
	}
	if p.NotAvailable != "" || !strings.Contains(p.NeedsAccount, "caseyos connect x --consumer-key KEY") {
		t.Errorf("PreviewExecution = needs_account %q, not_available %q; want the X account to connect", p.NeedsAccount, p.NotAvailable)
	}
	_, err = e.app.bound.Execution.ExecuteMove(id, ExecuteRequestDTO{Via: "key"})
	if backend.ErrorCode(err) != backend.EUNAVAILABLE || !strings.Contains(backend.ErrorMessage(err), "connect x") {
		t.Errorf("ExecuteMove(X reply) = %v, want unavailable naming `caseyos connect x`", err)
	}
	conns, err := e.app.bound.Connections.Connections()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range conns {
		if c.Account == "x" && (c.State != "not_connected" || !strings.Contains(c.ConnectHint, "connect x")) {
			t.Errorf("Connections: x = %+v, want not_connected with the connect hint", c)
		}
	}
}
