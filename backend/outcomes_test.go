package backend_test

import (
	"errors"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// doneNote ingests a meeting and carries out its local note move, so the
// fixture holds one done move with a committed execution.
func doneNote(tb testing.TB, f *queueFixture) *backend.Move {
	tb.Helper()
	f.ingest(tb, &backend.Signal{Source: backend.SourceGCal, Type: backend.SignalMeetingUpcoming, OccurredAt: testNow, DedupeKey: "cal-note",
		Meeting: &backend.Meeting{ID: "ev-note", Title: "Call", Start: testNow.Add(3 * time.Hour), End: testNow.Add(4 * time.Hour), External: true, Attendees: []string{"li@acme.io"}}})
	for _, m := range f.today(tb, nil).Moves {
		if m.Kind == backend.KindNote {
			done, _, err := f.q.Executions.Execute(f.ctx, m.ID, backend.ExecuteOptions{Actor: backend.ActorKey})
			if err != nil {
				tb.Fatal(err)
			}
			return done
		}
	}
	tb.Fatal("no note move")
	return nil
}

func TestOutcomeService_Observer(t *testing.T) {
	f := newQueue(t)
	var seen []backend.OutcomeType
	fail := false
	f.q.ObserveOutcome(func(tx backend.Tx, o *backend.Outcome, now time.Time) error {
		if fail {
			return backend.Errorf(backend.EINTERNAL, "observer refused")
		}
		// The outcome is already stored in the transaction the observer runs in.
		have, err := tx.FindOutcomes(o.MoveID)
		if err != nil || len(have) == 0 || have[len(have)-1].ID != o.ID {
			t.Errorf("observer: FindOutcomes = %v, %v; want the new outcome %d stored", have, err, o.ID)
		}
		if !now.Equal(testNow) {
			t.Errorf("observer now = %v, want %v", now, testNow)
		}
		seen = append(seen, o.Type)
		return nil
	})
	m := doneNote(t, f)
	t.Run("OK", func(t *testing.T) {
		o, err := f.q.Outcomes.Record(f.ctx, backend.OutcomeInput{MoveID: m.ID, Type: backend.OutcomeReplied, Note: "called back", Actor: backend.ActorKey})
		if err != nil {
			t.Fatal(err)
		}
		if o.ExecutionID == 0 || o.Actor != backend.ActorKey || o.Note != "called back" {
			t.Errorf("Record = %+v, want the latest execution, the key and the note", o)
		}
		if len(seen) != 1 || seen[0] != backend.OutcomeReplied {
			t.Errorf("observer saw %v, want [replied]", seen)
		}
	})
	t.Run("ObserverErrorRollsBack", func(t *testing.T) {
		fail = true
		defer func() { fail = false }()
		_, err := f.q.Outcomes.Record(f.ctx, backend.OutcomeInput{MoveID: m.ID, Type: backend.OutcomeMeetingBooked})
		var e *backend.Error
		if !errors.As(err, &e) || backend.ErrorCode(err) != backend.EINTERNAL {
			t.Fatalf("Record with a failing observer = %v, want internal", err)
		}
		list, err := f.q.Outcomes.List(f.ctx, m.ID)
		if err != nil || len(list) != 1 {
			t.Errorf("List = %d outcomes, %v; want the first one only", len(list), err)
		}
	})
	t.Run("Correct", func(t *testing.T) {
		list, _ := f.q.Outcomes.List(f.ctx, m.ID)
		o, err := f.q.Outcomes.Record(f.ctx, backend.OutcomeInput{MoveID: m.ID, Type: backend.OutcomeOutOfOffice, Corrects: list[0].ID})
		if err != nil {
			t.Fatal(err)
		}
		list, _ = f.q.Outcomes.List(f.ctx, m.ID)
		if len(list) != 2 || backend.CorrectedBy(list)[list[0].ID] != o.ID {
			t.Errorf("List after a correction = %+v, want the first marked corrected by %d", list, o.ID)
		}
		if eff := backend.EffectiveOutcomes(list); len(eff) != 1 || eff[0].Type != backend.OutcomeOutOfOffice {
			t.Errorf("EffectiveOutcomes = %v, want the correction only", eff)
		}
		if _, err := f.q.Outcomes.Record(f.ctx, backend.OutcomeInput{MoveID: m.ID, Type: backend.OutcomeReplied, Corrects: 999}); backend.ErrorCode(err) != backend.ENOTFOUND {
			t.Errorf("correcting a missing outcome = %v, want not_found", err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		if _, err := f.q.Outcomes.Record(f.ctx, backend.OutcomeInput{MoveID: m.ID, Type: "great"}); backend.ErrorCode(err) != backend.EINVALID {
			t.Errorf("Record(great) = %v, want invalid", err)
		}
	})
}
