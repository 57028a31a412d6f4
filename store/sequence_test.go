package store_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

func TestSequenceStore_PutSequence(t *testing.T) {
	db := MustOpenStore(t)
	update(t, db, func(tx backend.Tx) error {
		for i := 0; i < 3; i++ {
			if err := tx.CreateMove(formatMove()); err != nil {
				return err
			}
			m, _ := tx.FindMove(uint64(i + 1))
			m.Status = backend.StatusDone
			if err := tx.UpdateMove(m); err != nil {
				return err
			}
		}
		return nil
	})
	q := formatSequence()
	q.State, q.StopReason, q.StoppedAt = backend.SequenceActive, "", time.Time{}
	t.Run("OK", func(t *testing.T) {
		update(t, db, func(tx backend.Tx) error { return tx.PutSequence(q) })
		view(t, db, func(tx backend.Tx) error {
			due, err := tx.SequencesDue(at(6, 10))
			if err != nil || len(due) != 1 || due[0].ID != q.ID {
				t.Errorf("SequencesDue(after NextAt) = %v, %v; want the sequence", due, err)
			}
			if due, _ := tx.SequencesDue(at(6, 9)); len(due) != 0 {
				t.Errorf("SequencesDue(at NextAt) = %d sequences, want none (before is strict)", len(due))
			}
			for _, id := range []uint64{1, 2} {
				if got, err := tx.SequenceByMove(id); err != nil || got.ID != q.ID {
					t.Errorf("SequenceByMove(%d) = %v, %v", id, got, err)
				}
			}
			for _, l := range []string{"thread:thr-1", "to:dana@acme.example"} {
				if got, err := tx.SequencesByLink(l); err != nil || len(got) != 1 {
					t.Errorf("SequencesByLink(%q) = %v, %v", l, got, err)
				}
			}
			if got, _ := tx.SequencesByLink("thread:thr-10"); len(got) != 0 {
				t.Errorf("SequencesByLink(thr-10) = %d, want a prefix not to match", len(got))
			}
			return nil
		})
		checkIndexes(t, db)
	})
	t.Run("UpdateRewritesIndexes", func(t *testing.T) {
		q.NextAt = time.Time{}
		q.Steps = append(q.Steps, backend.SequenceStep{N: 3, MoveID: 3})
		update(t, db, func(tx backend.Tx) error { return tx.PutSequence(q) })
		view(t, db, func(tx backend.Tx) error {
			if due, _ := tx.SequencesDue(at(30, 0)); len(due) != 0 {
				t.Errorf("SequencesDue after NextAt was cleared = %d, want none", len(due))
			}
			if got, err := tx.SequenceByMove(3); err != nil || len(got.Steps) != 3 {
				t.Errorf("SequenceByMove(3) = %v, %v", got, err)
			}
			return nil
		})
		checkIndexes(t, db)
	})
	t.Run("RoundTrip", func(t *testing.T) {
		full := formatSequence()
		full.Steps[1].SentAt, full.Steps[1].MessageID = at(7, 9), "<m2@caseyos.example>"
		update(t, db, func(tx backend.Tx) error { return tx.PutSequence(full) })
		requireFilled(t, "Sequence", full)
		view(t, db, func(tx backend.Tx) error {
			got, err := tx.FindSequence(full.ID)
			if err != nil || !reflect.DeepEqual(got, full) {
				t.Errorf("FindSequence = %+v, %v; want %+v", got, err, full)
			}
			return nil
		})
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		bad := formatSequence()
		bad.Steps = append(bad.Steps, backend.SequenceStep{N: 3, MoveID: 99})
		err := db.Update(t.Context(), func(tx backend.Tx) error { return tx.PutSequence(bad) })
		if backend.ErrorCode(err) != backend.ENOTFOUND {
			t.Errorf("PutSequence(unknown move) = %v, want not_found", err)
		}
		err = db.View(t.Context(), func(tx backend.Tx) error { _, err := tx.SequenceByMove(42); return err })
		if backend.ErrorCode(err) != backend.ENOTFOUND {
			t.Errorf("SequenceByMove(42) = %v, want not_found", err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		bad := formatSequence()
		bad.ThreadID = ""
		err := db.Update(t.Context(), func(tx backend.Tx) error { return tx.PutSequence(bad) })
		if backend.ErrorCode(err) != backend.EINVALID {
			t.Errorf("PutSequence(no thread) = %v, want invalid", err)
		}
	})
}
