package store_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

func TestLearnStore(t *testing.T) {
	db := MustOpenStore(t)
	ctx := t.Context()
	const cellA, cellB = "send_email|sales|A|51-200|email", "send_email|sales|C|1-10|email"
	newMove := func(subject, cell string) *backend.Move {
		return &backend.Move{Kind: backend.KindNote, Domain: backend.DomainSales, Title: "Prep " + subject, Status: backend.StatusPending,
			Subject: backend.Subject{Type: backend.SubjectMeeting, ID: subject}, Score: backend.Score{APS: 40, Learned: backend.Learned{Cell: cell}}}
	}
	inCell := func(tx backend.Tx, cell string) []uint64 {
		ms, err := tx.OpenMovesInCell(cell)
		if err != nil {
			t.Fatal(err)
		}
		var ids []uint64
		for _, m := range ms {
			ids = append(ids, m.ID)
		}
		return ids
	}
	t.Run("OpenMovesInCell", func(t *testing.T) {
		err := db.Update(ctx, func(tx backend.Tx) error {
			a1, a2, b, none := newMove("m1", cellA), newMove("m2", cellA), newMove("m3", cellB), newMove("m4", "")
			for _, m := range []*backend.Move{a1, a2, b, none} {
				if err := tx.CreateMove(m); err != nil {
					return err
				}
			}
			if got := inCell(tx, cellA); len(got) != 2 || got[0] != a1.ID || got[1] != a2.ID {
				t.Errorf("OpenMovesInCell(A) = %v, want [%d %d]", got, a1.ID, a2.ID)
			}
			// Done leaves the index; a new cell moves the entry.
			a1.Status = backend.StatusExecuting
			if err := tx.UpdateMove(a1); err != nil {
				return err
			}
			a1.Status = backend.StatusDone
			if err := tx.UpdateMove(a1); err != nil {
				return err
			}
			a2.Score.Learned.Cell = cellB
			if err := tx.UpdateMove(a2); err != nil {
				return err
			}
			if got := inCell(tx, cellA); len(got) != 0 {
				t.Errorf("OpenMovesInCell(A) after done and a move of cell = %v, want none", got)
			}
			if got := inCell(tx, cellB); len(got) != 2 {
				t.Errorf("OpenMovesInCell(B) = %v, want 2 moves", got)
			}
			// A cell that is a prefix of another does not match it.
			if got := inCell(tx, "send_email|sales|C|1-1"); len(got) != 0 {
				t.Errorf("OpenMovesInCell(prefix) = %v, want none", got)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		checkIndexes(t, db)
	})
	t.Run("CellsAndState", func(t *testing.T) {
		at := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
		err := db.Update(ctx, func(tx backend.Tx) error {
			if _, err := tx.FindLearnCell(cellA); backend.ErrorCode(err) != backend.ENOTFOUND {
				t.Errorf("FindLearnCell(missing) = %v, want not_found", err)
			}
			want := &backend.LearnCell{Key: cellA, Successes: 3.5, Failures: 1.25, At: at, Wins: 4, Count: 6}
			if err := tx.PutLearnCell(want); err != nil {
				return err
			}
			got, err := tx.FindLearnCell(cellA)
			if err != nil || *got != *want {
				t.Errorf("FindLearnCell = %+v, %v; want %+v", got, err, want)
			}
			if err := tx.DeleteLearnCells(); err != nil {
				return err
			}
			if _, err := tx.FindLearnCell(cellA); backend.ErrorCode(err) != backend.ENOTFOUND {
				t.Errorf("after DeleteLearnCells: %v, want not_found", err)
			}
			if s, err := tx.LearnState(); err != nil || !s.Epoch.IsZero() || s.Indexed {
				t.Errorf("LearnState in a new file = %+v, %v; want zero", s, err)
			}
			if err := tx.PutLearnState(&backend.LearnState{Epoch: at, Indexed: true}); err != nil {
				return err
			}
			if s, err := tx.LearnState(); err != nil || !s.Epoch.Equal(at) || !s.Indexed {
				t.Errorf("LearnState = %+v, %v", s, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	t.Run("SettingsFromBeforeLearning", func(t *testing.T) {
		st := backend.DefaultSettings()
		st.Learning = backend.Learning{On: false, MaxPoints: 4, HalfLife: 30 * 24 * time.Hour, PriorStrength: 5}
		err := db.Update(ctx, func(tx backend.Tx) error { return tx.PutSettings(st) })
		if err != nil {
			t.Fatal(err)
		}
		var got *backend.Settings
		_ = db.View(ctx, func(tx backend.Tx) error { got, err = tx.Settings(); return err })
		if got.Learning != st.Learning {
			t.Errorf("Learning round trip = %+v, want %+v", got.Learning, st.Learning)
		}
		// A file without the learning key reads the defaults.
		raw, err := store.GetRaw(db, "meta", []byte("settings"))
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		delete(m, "learning")
		old, _ := json.Marshal(m)
		if err := store.PutRaw(db, "meta", []byte("settings"), old); err != nil {
			t.Fatal(err)
		}
		_ = db.View(ctx, func(tx backend.Tx) error { got, err = tx.Settings(); return err })
		if err != nil || got.Learning != backend.DefaultLearning() {
			t.Errorf("Learning from a file before it = %+v, %v; want %+v", got.Learning, err, backend.DefaultLearning())
		}
	})
}
