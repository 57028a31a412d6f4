package backend_test

import (
	"context"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/backend/voicetest"
)

func TestParseIntent(t *testing.T) {
	for _, tt := range []struct {
		text string
		want backend.Intent
	}{
		{"approve", backend.IntentApprove}, {"execute", backend.IntentApprove}, {"Skip.", backend.IntentSkip},
		{"next", backend.IntentNext}, {"previous", backend.IntentPrevious}, {"undo", backend.IntentUndo},
		{"read it", backend.IntentReadIt}, {"Read it!", backend.IntentReadIt}, {"snooze", backend.IntentSnooze},
		{"confirm", backend.IntentConfirm}, {"cancel", backend.IntentCancel}, {"stop listening", backend.IntentStopListening},
		{"hey casey", backend.IntentWake}, {"Okay, skip please.", backend.IntentSkip}, {"please confirm", backend.IntentConfirm},
		{"don't approve", backend.IntentNone}, {"skip lunch", backend.IntentNone}, {"confirm the meeting", backend.IntentNone},
		{"", backend.IntentNone}, {"please", backend.IntentNone}, {"approve approve", backend.IntentNone},
	} {
		if got := backend.ParseIntent(tt.text); got != tt.want {
			t.Errorf("ParseIntent(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestNeedsConfirm(t *testing.T) {
	want := map[backend.MoveKind]bool{backend.KindSendEmail: true, backend.KindReplySocial: true, backend.KindScheduleMeeting: true, backend.KindMergeContacts: true}
	for _, k := range backend.MoveKinds {
		if got := backend.NeedsConfirm(k); got != want[k] {
			t.Errorf("NeedsConfirm(%s) = %v, want %v", k, got, want[k])
		}
	}
}
func TestVoice_Confirmation(t *testing.T) {
	ctx := context.Background()
	t.Run("ApproveAloneNeverSends", func(t *testing.T) {
		v, target, _, clock := voicetest.NewVoice(t)
		v.Focus(1)
		out := v.Heard(ctx, "approve")
		if out.Said != "Say confirm to send." || out.Action != "waiting for confirm" {
			t.Errorf("approve = %+v, want a request to confirm", out)
		}
		if st := v.Status(); st.State != backend.VoiceConfirming || st.ConfirmFor != 1 {
			t.Errorf("Status = %+v, want confirming move 1", st)
		}
		v.Heard(ctx, "approve") // asking again is still not confirming
		clock.Add(time.Minute)
		if len(target.Executed) != 0 {
			t.Errorf("executed %v after approve alone, want nothing", target.Executed)
		}
	})
	t.Run("ConfirmInTimeSends", func(t *testing.T) {
		v, target, _, clock := voicetest.NewVoice(t)
		v.Focus(1)
		v.Heard(ctx, "approve")
		clock.Add(5 * time.Second)
		out := v.Heard(ctx, "confirm")
		if out.Action != "executed" || len(target.Executed) != 1 || target.Executed[0] != 1 {
			t.Errorf("confirm = %+v, executed %v, want move 1 executed", out, target.Executed)
		}
		if st := v.Status(); st.State != backend.VoiceListening || st.ConfirmFor != 0 || st.MoveID != 2 {
			t.Errorf("Status = %+v, want listening on move 2", st)
		}
	})
	t.Run("ConfirmAfterTimeoutDoesNothing", func(t *testing.T) {
		v, target, _, clock := voicetest.NewVoice(t)
		v.Focus(1)
		v.Heard(ctx, "approve")
		clock.Add(v.ConfirmWindow)
		out := v.Heard(ctx, "confirm")
		if len(target.Executed) != 0 || out.Action != "nothing to confirm" {
			t.Errorf("late confirm = %+v, executed %v, want nothing", out, target.Executed)
		}
	})
	t.Run("OutOfGrammarInWindowDoesNothing", func(t *testing.T) {
		v, target, _, _ := voicetest.NewVoice(t)
		v.Focus(1)
		v.Heard(ctx, "approve")
		for _, heard := range []string{"confirm", "read it", ""} {
			if out := v.Rejected(heard, "rejected"); out.Intent != "" || out.Action != "" {
				t.Errorf("Rejected(%q) = %+v, want nothing done", heard, out)
			}
		}
		if out := v.Heard(ctx, "confirm the meeting"); out.Ignored != "not_a_command" {
			t.Errorf("Heard(dictation) = %+v, want not_a_command", out)
		}
		if len(target.Executed)+len(target.Skipped) != 0 {
			t.Errorf("rejected speech did something: executed %v skipped %v", target.Executed, target.Skipped)
		}
		if st := v.Status(); st.ConfirmFor != 1 {
			t.Errorf("rejected speech dropped the pending confirmation: %+v", st)
		}
	})
	t.Run("OtherCommandCancelsConfirmation", func(t *testing.T) {
		v, target, _, _ := voicetest.NewVoice(t)
		v.Focus(1)
		v.Heard(ctx, "approve")
		v.Heard(ctx, "next")
		v.Heard(ctx, "confirm")
		if len(target.Executed) != 0 {
			t.Errorf("executed %v, want nothing: next cancelled the confirmation", target.Executed)
		}
	})
	t.Run("CancelSaysNothingSent", func(t *testing.T) {
		v, target, _, _ := voicetest.NewVoice(t)
		v.Focus(1)
		v.Heard(ctx, "approve")
		if out := v.Heard(ctx, "cancel"); out.Said != "Cancelled. Nothing was sent." {
			t.Errorf("cancel = %+v", out)
		}
		v.Heard(ctx, "confirm")
		if len(target.Executed) != 0 {
			t.Errorf("executed %v after cancel", target.Executed)
		}
	})
	t.Run("FocusChangeDropsConfirmation", func(t *testing.T) {
		v, target, _, _ := voicetest.NewVoice(t)
		v.Focus(1)
		v.Heard(ctx, "approve")
		v.Focus(2)
		v.Heard(ctx, "confirm")
		if len(target.Executed) != 0 {
			t.Errorf("executed %v; the confirmation was for move 1", target.Executed)
		}
	})
	t.Run("ApproveNoteRunsAtOnce", func(t *testing.T) {
		v, target, _, _ := voicetest.NewVoice(t)
		v.Focus(2)
		if out := v.Heard(ctx, "execute"); out.Action != "executed" || len(target.Executed) != 1 || target.Executed[0] != 2 {
			t.Errorf("execute note = %+v, executed %v", out, target.Executed)
		}
	})
}

func TestVoice_Commands(t *testing.T) {
	ctx := context.Background()
	v, target, sp, _ := voicetest.NewVoice(t)
	steps := []struct {
		heard, action, said string
		move                uint64
	}{
		{"next", "focused", "Reply to Ana at Acme. She asked for pricing 2 hours ago.", 1},
		{"next", "focused", "Note the call with Bo.", 2},
		{"previous", "focused", "Reply to Ana at Acme. She asked for pricing 2 hours ago.", 1},
		{"previous", "no more moves", "That was the first move.", 1},
		{"read it", "read the draft", "To Ana. Subject: pricing.", 1},
		{"skip", "skipped", "Skipped.", 1},
		{"snooze", "snoozed", "Snoozed until 11:00.", 2},
		{"undo", "undone", "Undone: Reply to Ana.", 0},
		{"undo", "", "nothing to undo.", 0},
		{"stop listening", "stopped listening", "Stopped listening.", 0},
	}
	for _, s := range steps {
		out := v.Heard(ctx, s.heard)
		if out.Action != s.action || out.Said != s.said || (s.move != 0 && out.MoveID != s.move) {
			t.Errorf("Heard(%q) = %+v, want action %q, said %q, move %d", s.heard, out, s.action, s.said, s.move)
		}
	}
	if len(target.Skipped) != 1 || target.Skipped[0] != 1 || len(target.Snoozed) != 1 || target.Snoozed[0] != 2 {
		t.Errorf("skipped %v snoozed %v", target.Skipped, target.Snoozed)
	}
	if st := v.Status(); st.State != backend.VoiceIdle {
		t.Errorf("after stop listening: %+v", st)
	}
	if len(sp.Lines) != len(steps) {
		t.Errorf("read back %d lines, want %d: %q", len(sp.Lines), len(steps), sp.Lines)
	}
}

func TestVoice_Modes(t *testing.T) {
	ctx := context.Background()
	t.Run("PushToTalk", func(t *testing.T) {
		v, target, _, _ := voicetest.NewVoice(t)
		v.SetMode(backend.ModePushToTalk)
		if out := v.Heard(ctx, "skip"); out.Ignored != "asleep" {
			t.Errorf("skip without the key = %+v, want ignored", out)
		}
		v.PushToTalk(true)
		v.Heard(ctx, "skip")
		v.PushToTalk(false)
		if len(target.Skipped) != 1 {
			t.Errorf("skipped %v, want one", target.Skipped)
		}
		if st := v.Status(); st.State != backend.VoiceIdle {
			t.Errorf("after release: %+v", st)
		}
	})
	t.Run("Wake", func(t *testing.T) {
		v, target, _, clock := voicetest.NewVoice(t)
		v.SetMode(backend.ModeWake)
		if out := v.Heard(ctx, "skip"); out.Ignored != "asleep" {
			t.Errorf("skip before the wake phrase = %+v", out)
		}
		v.Heard(ctx, "hey casey")
		if st := v.Status(); st.State != backend.VoiceListening || st.Until == nil {
			t.Errorf("after hey casey: %+v", st)
		}
		v.Heard(ctx, "skip")
		clock.Add(v.WakeWindow)
		if out := v.Heard(ctx, "skip"); out.Ignored != "asleep" {
			t.Errorf("skip after the window = %+v", out)
		}
		if len(target.Skipped) != 1 {
			t.Errorf("skipped %v, want one", target.Skipped)
		}
	})
	t.Run("ErrBadMode", func(t *testing.T) {
		v, _, _, _ := voicetest.NewVoice(t)
		if err := v.SetMode("shout"); backend.ErrorCode(err) != backend.EINVALID {
			t.Errorf("SetMode(shout) = %v, want invalid", err)
		}
	})
}

func TestMicState(t *testing.T) {
	for code, want := range map[string]string{backend.EUNAVAILABLE: "no_microphone", backend.EUNAUTHORIZED: "permission_denied", backend.EINTERNAL: "error"} {
		if got := backend.MicState(backend.Errorf(code, "x")); got != want {
			t.Errorf("MicState(%s) = %q, want %q", code, got, want)
		}
	}
}

// pcmSource plays samples in chunks, then io.EOF.
