package backend_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
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

// fakeTarget records what voice did to the queue.
type fakeTarget struct {
	mu       sync.Mutex
	moves    []backend.VoiceMove
	executed []uint64
	skipped  []uint64
	snoozed  []uint64
	undone   int
}

func (f *fakeTarget) Moves(context.Context) ([]backend.VoiceMove, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]backend.VoiceMove(nil), f.moves...), nil
}

func (f *fakeTarget) remove(id uint64) {
	for i, m := range f.moves {
		if m.ID == id {
			f.moves = append(f.moves[:i], f.moves[i+1:]...)
			return
		}
	}
}

func (f *fakeTarget) Skip(_ context.Context, id uint64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.skipped = append(f.skipped, id)
	f.remove(id)
	return nil
}

func (f *fakeTarget) Snooze(_ context.Context, id uint64) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.snoozed = append(f.snoozed, id)
	f.remove(id)
	return "11:00", nil
}

func (f *fakeTarget) Undo(context.Context) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.undone++
	if f.undone > 1 {
		return "", backend.Errorf(backend.ENOTFOUND, "nothing to undo")
	}
	return "Reply to Ana", nil
}

func (f *fakeTarget) Preview(_ context.Context, id uint64) (string, error) {
	return fmt.Sprintf("hash-%d", id), nil
}

func (f *fakeTarget) Execute(_ context.Context, id uint64, hash string) (string, error) {
	if want := fmt.Sprintf("hash-%d", id); hash != want {
		return "", backend.Errorf(backend.ECONFLICT, "executed with preview %q, want %q", hash, want)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.executed = append(f.executed, id)
	f.remove(id)
	return "Sent", nil
}

type said struct {
	mu    sync.Mutex
	lines []string
}

func (s *said) Say(_ context.Context, text string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lines = append(s.lines, text)
	return nil
}

type stepClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *stepClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *stepClock) add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func newVoice(t testing.TB) (*backend.Voice, *fakeTarget, *said, *stepClock) {
	t.Helper()
	target := &fakeTarget{moves: []backend.VoiceMove{
		{ID: 1, Kind: backend.KindSendEmail, Title: "Reply to Ana at Acme", TopReason: "She asked for pricing 2 hours ago", Draft: "To Ana. Subject: pricing."},
		{ID: 2, Kind: backend.KindNote, Title: "Note the call with Bo", Draft: "Call went well."},
		{ID: 3, Kind: backend.KindCreateTask, Title: "Follow up with Cy"},
	}}
	sp := &said{}
	clock := &stepClock{now: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	v := backend.NewVoice(target, sp, clock, nil)
	if err := v.SetMode(backend.ModeAlways); err != nil {
		t.Fatal(err)
	}
	return v, target, sp, clock
}

func TestVoice_Confirmation(t *testing.T) {
	ctx := context.Background()
	t.Run("ApproveAloneNeverSends", func(t *testing.T) {
		v, target, _, clock := newVoice(t)
		v.Focus(1)
		out := v.Heard(ctx, "approve")
		if out.Said != "Say confirm to send." || out.Action != "waiting for confirm" {
			t.Errorf("approve = %+v, want a request to confirm", out)
		}
		if st := v.Status(); st.State != backend.VoiceConfirming || st.ConfirmFor != 1 {
			t.Errorf("Status = %+v, want confirming move 1", st)
		}
		v.Heard(ctx, "approve") // asking again is still not confirming
		clock.add(time.Minute)
		if len(target.executed) != 0 {
			t.Errorf("executed %v after approve alone, want nothing", target.executed)
		}
	})
	t.Run("ConfirmInTimeSends", func(t *testing.T) {
		v, target, _, clock := newVoice(t)
		v.Focus(1)
		v.Heard(ctx, "approve")
		clock.add(5 * time.Second)
		out := v.Heard(ctx, "confirm")
		if out.Action != "executed" || len(target.executed) != 1 || target.executed[0] != 1 {
			t.Errorf("confirm = %+v, executed %v, want move 1 executed", out, target.executed)
		}
		if st := v.Status(); st.State != backend.VoiceListening || st.ConfirmFor != 0 || st.MoveID != 2 {
			t.Errorf("Status = %+v, want listening on move 2", st)
		}
	})
	t.Run("ConfirmAfterTimeoutDoesNothing", func(t *testing.T) {
		v, target, _, clock := newVoice(t)
		v.Focus(1)
		v.Heard(ctx, "approve")
		clock.add(v.ConfirmWindow)
		out := v.Heard(ctx, "confirm")
		if len(target.executed) != 0 || out.Action != "nothing to confirm" {
			t.Errorf("late confirm = %+v, executed %v, want nothing", out, target.executed)
		}
	})
	t.Run("OutOfGrammarInWindowDoesNothing", func(t *testing.T) {
		v, target, _, _ := newVoice(t)
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
		if len(target.executed)+len(target.skipped) != 0 {
			t.Errorf("rejected speech did something: executed %v skipped %v", target.executed, target.skipped)
		}
		if st := v.Status(); st.ConfirmFor != 1 {
			t.Errorf("rejected speech dropped the pending confirmation: %+v", st)
		}
	})
	t.Run("OtherCommandCancelsConfirmation", func(t *testing.T) {
		v, target, _, _ := newVoice(t)
		v.Focus(1)
		v.Heard(ctx, "approve")
		v.Heard(ctx, "next")
		v.Heard(ctx, "confirm")
		if len(target.executed) != 0 {
			t.Errorf("executed %v, want nothing: next cancelled the confirmation", target.executed)
		}
	})
	t.Run("CancelSaysNothingSent", func(t *testing.T) {
		v, target, _, _ := newVoice(t)
		v.Focus(1)
		v.Heard(ctx, "approve")
		if out := v.Heard(ctx, "cancel"); out.Said != "Cancelled. Nothing was sent." {
			t.Errorf("cancel = %+v", out)
		}
		v.Heard(ctx, "confirm")
		if len(target.executed) != 0 {
			t.Errorf("executed %v after cancel", target.executed)
		}
	})
	t.Run("FocusChangeDropsConfirmation", func(t *testing.T) {
		v, target, _, _ := newVoice(t)
		v.Focus(1)
		v.Heard(ctx, "approve")
		v.Focus(2)
		v.Heard(ctx, "confirm")
		if len(target.executed) != 0 {
			t.Errorf("executed %v; the confirmation was for move 1", target.executed)
		}
	})
	t.Run("ApproveNoteRunsAtOnce", func(t *testing.T) {
		v, target, _, _ := newVoice(t)
		v.Focus(2)
		if out := v.Heard(ctx, "execute"); out.Action != "executed" || len(target.executed) != 1 || target.executed[0] != 2 {
			t.Errorf("execute note = %+v, executed %v", out, target.executed)
		}
	})
}

func TestVoice_Commands(t *testing.T) {
	ctx := context.Background()
	v, target, sp, _ := newVoice(t)
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
	if len(target.skipped) != 1 || target.skipped[0] != 1 || len(target.snoozed) != 1 || target.snoozed[0] != 2 {
		t.Errorf("skipped %v snoozed %v", target.skipped, target.snoozed)
	}
	if st := v.Status(); st.State != backend.VoiceIdle {
		t.Errorf("after stop listening: %+v", st)
	}
	if len(sp.lines) != len(steps) {
		t.Errorf("read back %d lines, want %d: %q", len(sp.lines), len(steps), sp.lines)
	}
}

func TestVoice_Modes(t *testing.T) {
	ctx := context.Background()
	t.Run("PushToTalk", func(t *testing.T) {
		v, target, _, _ := newVoice(t)
		v.SetMode(backend.ModePushToTalk)
		if out := v.Heard(ctx, "skip"); out.Ignored != "asleep" {
			t.Errorf("skip without the key = %+v, want ignored", out)
		}
		v.PushToTalk(true)
		v.Heard(ctx, "skip")
		v.PushToTalk(false)
		if len(target.skipped) != 1 {
			t.Errorf("skipped %v, want one", target.skipped)
		}
		if st := v.Status(); st.State != backend.VoiceIdle {
			t.Errorf("after release: %+v", st)
		}
	})
	t.Run("Wake", func(t *testing.T) {
		v, target, _, clock := newVoice(t)
		v.SetMode(backend.ModeWake)
		if out := v.Heard(ctx, "skip"); out.Ignored != "asleep" {
			t.Errorf("skip before the wake phrase = %+v", out)
		}
		v.Heard(ctx, "hey casey")
		if st := v.Status(); st.State != backend.VoiceListening || st.Until == nil {
			t.Errorf("after hey casey: %+v", st)
		}
		v.Heard(ctx, "skip")
		clock.add(v.WakeWindow)
		if out := v.Heard(ctx, "skip"); out.Ignored != "asleep" {
			t.Errorf("skip after the window = %+v", out)
		}
		if len(target.skipped) != 1 {
			t.Errorf("skipped %v, want one", target.skipped)
		}
	})
	t.Run("ErrBadMode", func(t *testing.T) {
		v, _, _, _ := newVoice(t)
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
