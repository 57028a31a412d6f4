package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// A draft that still holds template text reaches no one from any surface:
// the window's preview names the line, ExecuteMove refuses it, the tray and
// voice (which preview and execute with no edit step) refuse and say why,
// and only ExecuteMove's explicit allow_template override sends it.
func TestApp_TemplateHolesRefusedOnEverySurface(t *testing.T) {
	e := newExecEnv(t)
	id := e.move(&backend.Move{Kind: backend.KindSendEmail, Title: "Follow up after “Discovery”", Subject: backend.Subject{Type: backend.SubjectContact, ID: "101"}, ContactID: "101",
		Draft: backend.Draft{To: []string{"dana@northwind.io"}, Subject: "Thanks — next steps", Body: "Hi Dana,\n\nRecap and next steps:\n\n- \n"}})
	const want = "line 5: an empty bullet '- '"

	today, err := e.app.bound.Today.Today("", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(today.Moves) != 1 || strings.Join(today.Moves[0].TemplateHoles, "|") != want {
		t.Errorf("Today().Moves[0].TemplateHoles = %v, want [%s]", today.Moves[0].TemplateHoles, want)
	}
	p, err := e.app.bound.Execution.PreviewExecution(id)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Holes) != 1 || p.Holes[0].Message != want || p.Holes[0].Line != 5 || p.Holes[0].Kind != backend.HoleEmptyBullet {
		t.Fatalf("PreviewExecution().Holes = %+v, want the empty bullet on line 5", p.Holes)
	}
	refused := func(what string, err error) {
		t.Helper()
		if backend.ErrorCode(err) != backend.EINVALID || !strings.Contains(backend.ErrorMessage(err), want) {
			t.Errorf("%s = %v, want invalid naming %q", what, err, want)
		}
	}
	_, err = e.app.bound.Execution.ExecuteMove(id, ExecuteRequestDTO{PreviewHash: p.Hash, Via: "key"})
	refused("ExecuteMove", err)
	_, err = e.app.previewAndExecute(id, "click")
	refused("Execute (tray)", err)
	hash, err := voiceTarget{e.app}.Preview(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	_, err = voiceTarget{e.app}.Execute(context.Background(), id, hash)
	refused("voice Execute", err)
	if n := len(e.mail.Sent()); n != 0 {
		t.Fatalf("%d emails sent while refusing, want 0", n)
	}

	st, err := e.app.bound.Execution.ExecuteMove(id, ExecuteRequestDTO{PreviewHash: p.Hash, Via: "click", AllowTemplate: true})
	if err != nil || st.State != string(backend.ExecWaitingUndo) {
		t.Fatalf("ExecuteMove(allow_template) = %+v, %v", st, err)
	}
	e.clock.Advance(11 * time.Second)
	if _, err := e.app.queue.Executions.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(e.mail.Sent()); n != 1 {
		t.Fatalf("%d emails sent after the override, want 1", n)
	}
	log, err := e.app.bound.Audit.AuditLog(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	kept := false
	for _, a := range log.Entries {
		kept = kept || a.Action == backend.AuditExecPlanned && a.Actor == "click" && strings.Contains(a.Detail, "template text kept on purpose: "+want)
	}
	if !kept {
		t.Error("the audit log does not say the template text was kept on purpose")
	}
}
