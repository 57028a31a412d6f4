package store_test

import (
	"reflect"
	"testing"

	"github.com/caseyos/caseyos/backend"
)

func TestOutcomeStore_CreateOutcome(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		db := MustOpenStore(t)
		m, other := fullMove(), newMove("deal:x", backend.KindNote, backend.StatusDone, 1, backend.DomainCS)
		e := fullExecution(0)
		var o1, o2 *backend.Outcome
		update(t, db, func(tx backend.Tx) error {
			if err := errorsJoin(tx.CreateMove(m), tx.CreateMove(other)); err != nil {
				return err
			}
			e.MoveID = m.ID
			if err := tx.CreateExecution(e); err != nil {
				return err
			}
			o1 = &backend.Outcome{
				MoveID: m.ID, ExecutionID: e.ID, Type: backend.OutcomePositiveReply, SignalID: 12,
				Note: "wants a call", Actor: backend.ActorSystem, OccurredAt: at(4, 9), RecordedAt: at(4, 10), Corrects: 7,
			}
			o2 = &backend.Outcome{MoveID: m.ID, Type: backend.OutcomeMeetingBooked, OccurredAt: at(5, 9), RecordedAt: at(5, 9)}
			o3 := &backend.Outcome{MoveID: other.ID, Type: backend.OutcomeTaskCompleted, OccurredAt: at(5, 9)}
			return errorsJoin(tx.CreateOutcome(o1), tx.CreateOutcome(o2), tx.CreateOutcome(o3))
		})
		requireFilled(t, "Outcome", o1)
		view(t, db, func(tx backend.Tx) error {
			got, err := tx.FindOutcomes(m.ID)
			if err != nil {
				return err
			}
			if want := []*backend.Outcome{o1, o2}; !reflect.DeepEqual(got, want) {
				t.Errorf("FindOutcomes() = %+v\nwant %+v", got, want)
			}
			none, err := tx.FindOutcomes(999)
			if err != nil || len(none) != 0 {
				t.Errorf("FindOutcomes(999) = %v, %v; want none", none, err)
			}
			return nil
		})
		checkIndexes(t, db)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		db := MustOpenStore(t)
		m := fullMove()
		update(t, db, func(tx backend.Tx) error { return tx.CreateMove(m) })
		for name, o := range map[string]*backend.Outcome{
			"missing move":      {MoveID: 99, Type: backend.OutcomeReplied, OccurredAt: at(1, 1)},
			"missing execution": {MoveID: m.ID, ExecutionID: 99, Type: backend.OutcomeReplied, OccurredAt: at(1, 1)},
		} {
			err := db.Update(ctx, func(tx backend.Tx) error { return tx.CreateOutcome(o) })
			wantCode(t, name, err, backend.ENOTFOUND)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		db := MustOpenStore(t)
		err := db.Update(ctx, func(tx backend.Tx) error {
			return tx.CreateOutcome(&backend.Outcome{MoveID: 1, Type: "ghosted", OccurredAt: at(1, 1)})
		})
		wantCode(t, "unknown type", err, backend.EINVALID)
	})
}
