package store_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

// TestOutcomeWatchStore_SameTransaction: within one transaction (an
// ingest batch) a watch read, changed by the caller and rewritten reads
// back as last written — never as the caller's unsaved copy — and its
// index entries follow each rewrite.
func TestOutcomeWatchStore_SameTransaction(t *testing.T) {
	db := MustOpenStore(t)
	m := fullMove()
	e := fullExecution(0)
	e.State = backend.ExecCommitted
	w := &backend.OutcomeWatch{Kind: backend.KindSendEmail, Action: "send_email", Links: []string{"thread:thr-1", "contact:dana@acme.example"},
		CommittedAt: at(3, 9), RespondBy: at(6, 9)}
	update(t, db, func(tx backend.Tx) error {
		if err := tx.CreateMove(m); err != nil {
			return err
		}
		e.MoveID = m.ID
		if err := tx.CreateExecution(e); err != nil {
			return err
		}
		w.ExecutionID, w.MoveID = e.ID, m.ID
		return tx.PutOutcomeWatch(w)
	})
	update(t, db, func(tx backend.Tx) error {
		got, err := tx.OutcomeWatchesByLink("thread:thr-1")
		if err != nil || len(got) != 1 {
			t.Fatalf("OutcomeWatchesByLink = %v, %v", got, err)
		}
		// A caller's change it does not store is not what is stored.
		got[0].RespondBy, got[0].Links[0] = time.Time{}, "thread:changed"
		again, err := tx.OutcomeWatch(w.ExecutionID)
		if err != nil || !reflect.DeepEqual(again, w) {
			t.Errorf("OutcomeWatch after an unsaved change = %+v, %v; want %+v", again, err, w)
		}
		// Answered, and a link dropped: stored, then read back as stored.
		again.RespondBy, again.Links = time.Time{}, []string{"contact:dana@acme.example"}
		if err := tx.PutOutcomeWatch(again); err != nil {
			return err
		}
		if due, err := tx.OutcomeWatchesDue(at(30, 0), 0); err != nil || len(due) != 0 {
			t.Errorf("OutcomeWatchesDue after the answer = %v, %v; want none", due, err)
		}
		if byThread, err := tx.OutcomeWatchesByLink("thread:thr-1"); err != nil || len(byThread) != 0 {
			t.Errorf("the dropped link still finds %v, %v", byThread, err)
		}
		byContact, err := tx.OutcomeWatchesByLink("contact:dana@acme.example")
		if err != nil || len(byContact) != 1 || !byContact[0].RespondBy.IsZero() {
			t.Errorf("OutcomeWatchesByLink(contact) = %+v, %v; want the answered watch", byContact, err)
		}
		return nil
	})
	if err := store.CheckIndexes(db); err != nil {
		t.Fatalf("CheckIndexes: %v", err)
	}
}
