package backend_test

import (
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// prepSignal is an external meeting in three hours: a prep note, which the
// local executor carries out at once and can roll back.
func prepSignal(key string, at time.Time) *backend.Signal {
	return &backend.Signal{Source: backend.SourceGCal, Type: backend.SignalMeetingUpcoming, OccurredAt: at, DedupeKey: key,
		Meeting: &backend.Meeting{ID: "ev1", Title: "Acme review", Start: testNow.Add(3 * time.Hour), End: testNow.Add(4 * time.Hour), External: true, Attendees: []string{"li@acme.io"}}}
}

// executeAndRollBack executes the only move and rolls it back: it is undone.
func (f *queueFixture) executeAndRollBack(tb testing.TB) *backend.Move {
	tb.Helper()
	m := f.today(tb, nil).Moves[0]
	if _, _, err := f.q.Executions.Execute(f.ctx, m.ID, backend.ExecuteOptions{Actor: backend.ActorKey}); err != nil {
		tb.Fatalf("Execute: %v", err)
	}
	if _, _, err := f.q.Executions.Rollback(f.ctx, m.ID, backend.ActorCLI); err != nil {
		tb.Fatalf("Rollback: %v", err)
	}
	if got, _ := f.q.Moves.Move(f.ctx, m.ID); got.Status != backend.StatusUndone {
		tb.Fatalf("after Rollback the move is %s, want undone", got.Status)
	}
	if len(f.today(tb, nil).Moves) != 0 {
		tb.Fatal("an undone move is in Today")
	}
	return m
}

func TestQueue_RestoreUndone(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		f := newQueue(t)
		f.ingest(t, prepSignal("cal1", testNow))
		m := f.executeAndRollBack(t)
		f.clock.Advance(time.Minute)
		got, err := f.q.Moves.Restore(f.ctx, m.ID, backend.ActorCLI)
		if err != nil {
			t.Fatalf("Restore(undone) error: %v", err)
		}
		if got.Status != backend.StatusPending || got.Draft.Body != m.Draft.Body || got.Draft.Subject != m.Draft.Subject {
			t.Errorf("restored move = %s with draft %+v, want pending with its draft %+v", got.Status, got.Draft, m.Draft)
		}
		if !got.Score.ComputedAt.Equal(f.clock.Now()) {
			t.Errorf("restored move scored at %v, want now (%v)", got.Score.ComputedAt, f.clock.Now())
		}
		// The status|score|id index and the counts moved with it.
		today := f.today(t, nil)
		if len(today.Moves) != 1 || today.Moves[0].ID != m.ID || today.Pending != 1 || today.ByDomain[m.Domain] != 1 {
			t.Fatalf("Today after restore = %v (pending %d, by domain %v), want the move back", titles(today.Moves), today.Pending, today.ByDomain)
		}
		var undone int
		f.db.View(f.ctx, func(tx backend.Tx) error {
			undone, _ = tx.CountMoves(backend.StatusUndone, nil)
			return nil
		})
		if undone != 0 {
			t.Errorf("CountMoves(undone) = %d after restore, want 0", undone)
		}
		h := f.audit(t, m.ID)
		if last := h[len(h)-1]; last.From != backend.StatusUndone || last.To != backend.StatusPending || last.Actor != backend.ActorCLI {
			t.Errorf("last audit = %+v, want undone → pending by cli", last)
		}
		// It can be done again: a new execution, not the rolled-back one.
		if _, exec, err := f.q.Executions.Execute(f.ctx, m.ID, backend.ExecuteOptions{Actor: backend.ActorKey}); err != nil || exec.State != backend.ExecCommitted {
			t.Errorf("Execute after restore = %v, %v; want committed", exec, err)
		}
	})
	t.Run("UndoBringsItBack", func(t *testing.T) {
		// z in the window after a rollback: the last thing taken off the list comes back.
		f := newQueue(t)
		f.ingest(t, prepSignal("cal1", testNow))
		m := f.executeAndRollBack(t)
		got, err := f.q.Moves.Undo(f.ctx, backend.ActorKey)
		if err != nil || got.ID != m.ID || got.Status != backend.StatusPending {
			t.Fatalf("Undo() = %+v, %v; want move %d pending", got, err, m.ID)
		}
		if today := f.today(t, nil); len(today.Moves) != 1 {
			t.Errorf("Today after undo = %v", titles(today.Moves))
		}
	})
	t.Run("ErrConflictWhenItsReasonPassed", func(t *testing.T) {
		f := newQueue(t)
		f.ingest(t, prepSignal("cal1", testNow))
		m := f.executeAndRollBack(t)
		f.clock.Advance(4 * time.Hour) // the meeting has started
		if _, err := f.q.Moves.Restore(f.ctx, m.ID, backend.ActorCLI); backend.ErrorCode(err) != backend.ECONFLICT {
			t.Errorf("Restore after the meeting started: %v, want conflict", err)
		}
		if got, _ := f.q.Moves.Move(f.ctx, m.ID); got.Status != backend.StatusUndone {
			t.Errorf("a refused restore left the move %s", got.Status)
		}
	})
	t.Run("ErrConflictWhenAnotherIsOpen", func(t *testing.T) {
		f := newQueue(t)
		f.ingest(t, prepSignal("cal1", testNow))
		m := f.executeAndRollBack(t)
		f.ingest(t, prepSignal("cal2", testNow.Add(time.Minute))) // the invitation changed: a new prep move
		if _, err := f.q.Moves.Restore(f.ctx, m.ID, backend.ActorCLI); backend.ErrorCode(err) != backend.ECONFLICT {
			t.Errorf("Restore with another open move for the meeting: %v, want conflict", err)
		}
	})
	t.Run("ErrConflictWhenDone", func(t *testing.T) {
		f := newQueue(t)
		f.ingest(t, prepSignal("cal1", testNow))
		m := f.today(t, nil).Moves[0]
		f.q.Executions.Execute(f.ctx, m.ID, backend.ExecuteOptions{Actor: backend.ActorKey})
		if _, err := f.q.Moves.Restore(f.ctx, m.ID, backend.ActorCLI); backend.ErrorCode(err) != backend.ECONFLICT {
			t.Errorf("Restore(done) = %v, want conflict", err)
		}
	})
}
