package store_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

func TestOutcomeWatchStore_PutOutcomeWatch(t *testing.T) {
	db := MustOpenStore(t)
	m := fullMove()
	e1, e2 := fullExecution(0), fullExecution(0)
	e2.IdempotencyKey, e2.State = "move-1-attempt-2", backend.ExecCommitted
	e1.State = backend.ExecCommitted
	w1 := &backend.OutcomeWatch{Kind: backend.KindSendEmail, Action: "send_email", Links: []string{"thread:thr-1", "msgid:<a@x>", "contact:dana@acme.example"},
		Contact: "dana@acme.example", CommittedAt: at(3, 9), RespondBy: at(6, 9), Stage: "qualifiedtobuy", MeetingEnd: at(5, 16)}
	w2 := &backend.OutcomeWatch{Kind: backend.KindSendEmail, Action: "send_email", Links: []string{"thread:thr-1"}, CommittedAt: at(3, 10), RespondBy: at(4, 9)}
	update(t, db, func(tx backend.Tx) error {
		if err := tx.CreateMove(m); err != nil {
			return err
		}
		e1.MoveID, e2.MoveID = m.ID, m.ID
		if err := tx.CreateExecution(e1); err != nil {
			return err
		}
		if err := tx.CreateExecution(e2); err != nil {
			return err
		}
		w1.ExecutionID, w1.MoveID, w2.ExecutionID, w2.MoveID = e1.ID, m.ID, e2.ID, m.ID
		return errorsJoin(tx.PutOutcomeWatch(w1), tx.PutOutcomeWatch(w2))
	})
	requireFilled(t, "OutcomeWatch", w1)
	view(t, db, func(tx backend.Tx) error {
		got, err := tx.OutcomeWatch(w1.ExecutionID)
		if err != nil || !reflect.DeepEqual(got, w1) {
			t.Errorf("OutcomeWatch = %+v, %v\nwant %+v", got, err, w1)
		}
		byThread, err := tx.OutcomeWatchesByLink("thread:thr-1")
		if err != nil || len(byThread) != 2 || byThread[0].ExecutionID != w1.ExecutionID {
			t.Errorf("OutcomeWatchesByLink(thread) = %v, %v; want both, oldest first", byThread, err)
		}
		if none, err := tx.OutcomeWatchesByLink("thread:thr"); err != nil || len(none) != 0 {
			t.Errorf("a link's prefix matched %v, %v", none, err)
		}
		due, err := tx.OutcomeWatchesDue(at(5, 0), 0)
		if err != nil || len(due) != 1 || due[0].ExecutionID != w2.ExecutionID {
			t.Errorf("OutcomeWatchesDue = %v, %v; want the second only", due, err)
		}
		return nil
	})
	checkIndexes(t, db)
	// Answered: the due entry and a dropped link go with the rewrite.
	w2.RespondBy, w2.Links = time.Time{}, nil
	update(t, db, func(tx backend.Tx) error { return tx.PutOutcomeWatch(w2) })
	view(t, db, func(tx backend.Tx) error {
		if due, _ := tx.OutcomeWatchesDue(at(30, 0), 0); len(due) != 1 || due[0].ExecutionID != w1.ExecutionID {
			t.Errorf("after the rewrite OutcomeWatchesDue = %v", due)
		}
		if ws, _ := tx.OutcomeWatchesByLink("thread:thr-1"); len(ws) != 1 {
			t.Errorf("after the rewrite the thread names %d watches, want 1", len(ws))
		}
		return nil
	})
	checkIndexes(t, db)
	t.Run("ErrNotFound", func(t *testing.T) {
		view(t, db, func(tx backend.Tx) error {
			_, err := tx.OutcomeWatch(999)
			wantCode(t, "OutcomeWatch(999)", err, backend.ENOTFOUND)
			return nil
		})
		err := db.Update(ctx, func(tx backend.Tx) error {
			return tx.PutOutcomeWatch(&backend.OutcomeWatch{ExecutionID: 999, MoveID: 1})
		})
		wantCode(t, "PutOutcomeWatch(no execution)", err, backend.ENOTFOUND)
	})
}
