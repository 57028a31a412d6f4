package store_test

import (
	"reflect"
	"slices"
	"testing"

	"github.com/caseyos/caseyos/backend"
)

func fullExecution(moveID uint64) *backend.Execution {
	return &backend.Execution{
		MoveID: moveID, IdempotencyKey: "move-1-attempt-1", State: backend.ExecWaitingUndo,
		Kind: backend.KindSendEmail, Actor: backend.ActorVoice,
		Draft:     fullMove().Draft,
		RemoteIDs: map[string]string{"message_id": "gm-1", "thread_id": "thr-1"},
		Result:    "sent to dana@acme.example", Error: "none yet",
		CreatedAt: at(3, 9), UpdatedAt: at(3, 10), CommittedAt: at(3, 11),
		Action: "send_email", Plan: []byte(`{"v":1,"action":"send_email"}`), PlanHash: "ab12",
		UndoUntil: at(3, 12), NotBefore: at(3, 13), Queued: "offline: Gmail did not answer", Attempts: 2, RolledBackAt: at(3, 14),
	}
}

func TestExecutionStore_CreateExecution(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		db := MustOpenStore(t)
		m := fullMove()
		e := fullExecution(0)
		update(t, db, func(tx backend.Tx) error {
			if err := tx.CreateMove(m); err != nil {
				return err
			}
			e.MoveID = m.ID
			return tx.CreateExecution(e)
		})
		requireFilled(t, "Execution", e)
		view(t, db, func(tx backend.Tx) error {
			got, err := tx.FindExecution(e.ID)
			if err != nil {
				return err
			}
			if !reflect.DeepEqual(got, e) {
				t.Errorf("FindExecution() = %+v\nwant %+v", got, e)
			}
			got, err = tx.ExecutionByKey(e.IdempotencyKey)
			if err != nil || got.ID != e.ID {
				t.Errorf("ExecutionByKey() = %v, %v; want execution %d", got, err, e.ID)
			}
			return nil
		})
		checkIndexes(t, db)
	})
	t.Run("ErrConflict", func(t *testing.T) {
		db := MustOpenStore(t)
		m := fullMove()
		update(t, db, func(tx backend.Tx) error {
			return errorsJoin(tx.CreateMove(m), tx.CreateExecution(fullExecution(1)))
		})
		err := db.Update(ctx, func(tx backend.Tx) error { return tx.CreateExecution(fullExecution(m.ID)) })
		wantCode(t, "same idempotency key", err, backend.ECONFLICT)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		db := MustOpenStore(t)
		err := db.Update(ctx, func(tx backend.Tx) error { return tx.CreateExecution(fullExecution(7)) })
		wantCode(t, "execution of a missing move", err, backend.ENOTFOUND)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		db := MustOpenStore(t)
		e := fullExecution(1)
		e.IdempotencyKey = ""
		err := db.Update(ctx, func(tx backend.Tx) error { return tx.CreateExecution(e) })
		wantCode(t, "no idempotency key", err, backend.EINVALID)
	})
}

func TestExecutionStore_UpdateExecution(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		db := MustOpenStore(t)
		m1 := newMove("thread:a", backend.KindSendEmail, backend.StatusExecuting, 50, backend.DomainSales)
		m2 := newMove("thread:b", backend.KindSendEmail, backend.StatusExecuting, 50, backend.DomainSales)
		var e1, e2, e3 *backend.Execution
		update(t, db, func(tx backend.Tx) error {
			if err := errorsJoin(tx.CreateMove(m1), tx.CreateMove(m2)); err != nil {
				return err
			}
			e1, e2, e3 = fullExecution(m1.ID), fullExecution(m2.ID), fullExecution(m1.ID)
			e1.IdempotencyKey, e2.IdempotencyKey, e3.IdempotencyKey = "k1", "k2", "k3"
			e1.State, e2.State, e3.State = backend.ExecCommitting, backend.ExecPlanned, backend.ExecCommitted
			return errorsJoin(tx.CreateExecution(e1), tx.CreateExecution(e2), tx.CreateExecution(e3))
		})
		inState := func(states ...backend.ExecutionState) []uint64 {
			var out []uint64
			view(t, db, func(tx backend.Tx) error {
				es, err := tx.ExecutionsInState(states...)
				for _, e := range es {
					out = append(out, e.ID)
				}
				return err
			})
			return out
		}
		if got := inState(backend.ExecPlanned, backend.ExecCommitting, backend.ExecPlanned); !slices.Equal(got, []uint64{e1.ID, e2.ID}) {
			t.Errorf("ExecutionsInState(planned, committing) = %v, want %v", got, []uint64{e1.ID, e2.ID})
		}
		e1.State, e1.IdempotencyKey = backend.ExecFailed, "k1-renamed"
		update(t, db, func(tx backend.Tx) error { return tx.UpdateExecution(e1) })
		checkIndexes(t, db)
		if got := inState(backend.ExecPlanned, backend.ExecCommitting); !slices.Equal(got, []uint64{e2.ID}) {
			t.Errorf("after update: ExecutionsInState = %v, want %v", got, []uint64{e2.ID})
		}
		view(t, db, func(tx backend.Tx) error {
			es, err := tx.FindExecutions(m1.ID)
			if err != nil {
				return err
			}
			if len(es) != 2 || !reflect.DeepEqual(es[0], e1) || es[1].ID != e3.ID {
				t.Errorf("FindExecutions(m1) = %+v, want [%+v, execution %d]", es, e1, e3.ID)
			}
			_, err = tx.ExecutionByKey("k1")
			wantCode(t, "old key after rename", err, backend.ENOTFOUND)
			return nil
		})
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		db := MustOpenStore(t)
		e := fullExecution(1)
		e.ID = 5
		err := db.Update(ctx, func(tx backend.Tx) error { return tx.UpdateExecution(e) })
		wantCode(t, "UpdateExecution(5)", err, backend.ENOTFOUND)
	})
}
