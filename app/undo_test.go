package app

import (
	"context"
	"testing"
)

func TestApp_CancelNewestWaiting(t *testing.T) {
	e := newExecEnv(t)
	if _, ok, err := e.app.cancelNewestWaiting("voice"); ok || err != nil {
		t.Fatalf("with nothing waiting = %v, %v; want not ok", ok, err)
	}
	id := e.reply()
	p, err := e.app.bound.Execution.PreviewExecution(id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.bound.Execution.ExecuteMove(id, ExecuteRequestDTO{PreviewHash: p.Hash, Via: "voice"}); err != nil {
		t.Fatal(err)
	}
	m, ok, err := e.app.cancelNewestWaiting("voice")
	if !ok || err != nil || m.ID != id || m.Status != "pending" {
		t.Fatalf("cancelNewestWaiting = %+v, %v, %v; want move %d back to pending", m, ok, err, id)
	}
	e.pass()
	if n := len(e.mail.Sent()); n != 0 {
		t.Errorf("%d messages reached Gmail after undo, want none", n)
	}
}

// Spoken "undo" right after "confirm" takes the send back, not the last skip.
func TestVoiceTarget_UndoCancelsTheWaitingSend(t *testing.T) {
	e := newExecEnv(t)
	id := e.reply()
	if _, err := e.app.previewAndExecute(id, "voice"); err != nil {
		t.Fatal(err)
	}
	title, err := voiceTarget{a: e.app}.Undo(context.Background())
	if err != nil || title == "" {
		t.Fatalf("Undo = %q, %v", title, err)
	}
	if st := e.status(id); st.State != "undone" {
		t.Errorf("execution = %+v, want undone", st)
	}
	e.pass()
	if n := len(e.mail.Sent()); n != 0 {
		t.Errorf("%d messages reached Gmail after a spoken undo, want none", n)
	}
}
