package app

import (
	"context"
	"strings"
	"testing"

	"github.com/caseyos/caseyos/backend"
)

// Voice executes through the same preview-then-ExecuteMove path as the
// window: "approve" previews the move, "confirm" executes it with that
// preview's hash. A draft edited between the two is refused (the preview
// guardrail, recorded in the audit log) and nothing reaches Gmail; a fresh
// approve and confirm then sends the edited draft.
func TestVoice_ConfirmExecutesTheApprovedPreview(t *testing.T) {
	e := newExecEnv(t)
	id := e.reply()
	ctx := context.Background()
	v := e.app.session()
	if err := v.SetMode(backend.ModeAlways); err != nil {
		t.Fatal(err)
	}
	v.Focus(id)

	if out := v.Heard(ctx, "approve"); out.Action != "waiting for confirm" {
		t.Fatalf("Heard(approve) = %+v, want waiting for confirm", out)
	}
	// The founder edits the draft in the window while voice waits.
	if _, err := e.app.bound.Today.UpdateDraft(id, DraftDTO{To: []string{"dana@northwind.io"}, Subject: "Re: Pricing", Body: "It costs $900 a month.", ThreadID: "thr-nw"}); err != nil {
		t.Fatal(err)
	}
	out := v.Heard(ctx, "confirm")
	if out.Action == "executed" || !strings.Contains(out.Err, "changed since it was previewed") {
		t.Fatalf("Heard(confirm) after an edit = %+v, want refused: changed since it was previewed", out)
	}
	e.pass()
	if sent := e.mail.Sent(); len(sent) != 0 {
		t.Fatalf("%d emails sent after confirming a stale preview (body %q), want 0", len(sent), sent[0].Body)
	}
	log, err := e.app.bound.Audit.AuditLog(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	refused := false
	for _, a := range log.Entries {
		refused = refused || a.MoveID == id && a.Actor == string(backend.ActorVoice) && strings.Contains(a.Detail, "changed since it was previewed")
	}
	if !refused {
		t.Errorf("audit log has no voice refusal for move %d: %+v", id, log.Entries)
	}

	v.Focus(id)
	if out := v.Heard(ctx, "approve"); out.Action != "waiting for confirm" {
		t.Fatalf("Heard(approve) again = %+v, want waiting for confirm", out)
	}
	if out := v.Heard(ctx, "confirm"); out.Action != "executed" {
		t.Fatalf("Heard(confirm) = %+v, want executed", out)
	}
	e.pass()
	sent := e.mail.Sent()
	if len(sent) != 1 || !strings.Contains(sent[0].Body, "$900") {
		t.Fatalf("sent = %+v, want the edited draft once", sent)
	}
}
