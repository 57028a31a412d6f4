package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

// TestMoveStore_UpdateMove_NoReread: a move read in a transaction and then
// updated in it is decoded once, not again by the update (re-scoring a
// learning cell rewrites thousands of moves it has just read), and the
// indexes and counts stay those of the move as last written — through two
// updates in one transaction, a status change, a move created in the
// transaction, and a failed update that wrote nothing.
func TestMoveStore_UpdateMove_NoReread(t *testing.T) {
	db := MustOpenStore(t)
	ctx := context.Background()
	var ids []uint64
	err := db.Update(ctx, func(tx backend.Tx) error {
		for i := 0; i < 3; i++ {
			m := newMove(fmt.Sprintf("thread:t%d", i), backend.KindSendEmail, backend.StatusPending, float64(10+i), backend.DomainSales)
			m.Score.Learned.Cell = "send_email|sales|A"
			if err := tx.CreateMove(m); err != nil {
				return err
			}
			ids = append(ids, m.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("OK", func(t *testing.T) {
		err := db.Update(ctx, func(tx backend.Tx) error {
			m, err := tx.FindMove(ids[0])
			if err != nil {
				return err
			}
			m.Score.APS, m.Score.Learned.Cell = 55, "send_email|sales|B"
			if err := tx.UpdateMove(m); err != nil {
				return err
			}
			m.Score.APS, m.Status, m.SnoozedUntil = 60, backend.StatusSnoozed, at(25, 9)
			if err := tx.UpdateMove(m); err != nil {
				return err
			}
			if got := store.MoveReads(tx); got != 1 {
				t.Errorf("MoveReads after FindMove and two UpdateMove = %d, want 1", got)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := store.CheckIndexes(db); err != nil {
			t.Fatalf("CheckIndexes: %v", err)
		}
	})
	t.Run("Created", func(t *testing.T) {
		err := db.Update(ctx, func(tx backend.Tx) error {
			m := newMove("thread:new", backend.KindSendEmail, backend.StatusPending, 20, backend.DomainSales)
			if err := tx.CreateMove(m); err != nil {
				return err
			}
			m.Score.APS, m.Domain = 90, backend.DomainCS
			if err := tx.UpdateMove(m); err != nil {
				return err
			}
			if got := store.MoveReads(tx); got != 0 {
				t.Errorf("MoveReads after CreateMove and UpdateMove = %d, want 0", got)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := store.CheckIndexes(db); err != nil {
			t.Fatalf("CheckIndexes: %v", err)
		}
	})
	t.Run("ErrConflictWritesNothing", func(t *testing.T) {
		err := db.Update(ctx, func(tx backend.Tx) error {
			a, err := tx.FindMove(ids[1])
			if err != nil {
				return err
			}
			b, err := tx.FindMove(ids[2])
			if err != nil {
				return err
			}
			b.Subject = a.Subject // a holds that open slot
			if err := tx.UpdateMove(b); backend.ErrorCode(err) != backend.ECONFLICT {
				t.Errorf("UpdateMove into a held slot: %v, want conflict", err)
			}
			b.Subject, b.Score.APS = backend.Subject{Type: backend.SubjectThread, ID: "t2"}, 33
			return tx.UpdateMove(b)
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := store.CheckIndexes(db); err != nil {
			t.Fatalf("CheckIndexes: %v", err)
		}
	})
}
