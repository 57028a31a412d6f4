package store_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// TestOutcomeStore_SameTransaction: a move's outcomes read, added to and
// read again in one transaction (detecting a reply records replied, then
// its tone) are what a later transaction reads from the file, in order,
// and a caller's change to what it got is not read back.
func TestOutcomeStore_SameTransaction(t *testing.T) {
	db := MustOpenStore(t)
	m := fullMove()
	berlin := time.FixedZone("CET", 3600)
	var inTx []*backend.Outcome
	update(t, db, func(tx backend.Tx) error {
		if err := tx.CreateMove(m); err != nil {
			return err
		}
		if err := tx.CreateOutcome(&backend.Outcome{MoveID: m.ID, Type: backend.OutcomeReplied, OccurredAt: at(4, 9)}); err != nil {
			return err
		}
		got, err := tx.FindOutcomes(m.ID)
		if err != nil || len(got) != 1 {
			t.Fatalf("FindOutcomes = %v, %v; want the reply", got, err)
		}
		got[0].Type = backend.OutcomeBounced // not stored
		o := &backend.Outcome{MoveID: m.ID, Type: backend.OutcomePositiveReply, Note: "wants a call",
			OccurredAt: at(4, 9).In(berlin), RecordedAt: at(4, 10).In(berlin)}
		if err := tx.CreateOutcome(o); err != nil {
			return err
		}
		inTx, err = tx.FindOutcomes(m.ID)
		return err
	})
	view(t, db, func(tx backend.Tx) error {
		stored, err := tx.FindOutcomes(m.ID)
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(inTx, stored) || len(stored) != 2 || stored[0].Type != backend.OutcomeReplied {
			t.Errorf("FindOutcomes in the transaction = %+v\nfrom the file %+v", inTx, stored)
		}
		return nil
	})
	checkIndexes(t, db)
}
