package backend

import (
	"context"
	"fmt"
	"time"
)

// AuditLearningReset is the audit action of forgetting the learned statistics.
const AuditLearningReset = "learning.reset"

// LearnState is what learning keeps besides its cells.
type LearnState struct {
	// Epoch is when the learned statistics were last reset: outcomes
	// recorded before it are not counted. Zero: never reset.
	Epoch time.Time
	// Indexed is set once every open move has been scored with its cell,
	// so the moves an outcome affects can be found by the cell index; a
	// file from before learning has open moves without one.
	Indexed bool
}

// LearnCell returns the cell named key as the transaction sees it, or nil;
// a failure to read is kept in r.err. Cells are cached only by the
// learner's own lookups (newLearnRecords): an outcome detected in the
// middle of an ingest changes a cell, and the ingester's later scoring
// must see the change.
func (r *txRecords) LearnCell(key string) *LearnCell {
	if r.cells == nil {
		c, err := r.tx.FindLearnCell(key)
		if err != nil {
			if ErrorCode(err) != ENOTFOUND && r.err == nil {
				r.err = err
			}
			return nil
		}
		return c
	}
	return cached(r, r.cells, key, r.tx.FindLearnCell)
}

// newLearnRecords is a lookup that caches the learning cells too: for
// the learner, which writes every cell it changes into the cache.
func newLearnRecords(tx Tx) *txRecords {
	r := newTxRecords(tx)
	r.cells = map[string]*LearnCell{}
	return r
}

// learnFromOutcome is the learner's OutcomeObserver: it counts the move's
// new verdict in its cell (taking back the one its earlier outcomes gave)
// and re-scores the open moves of that cell, and only those.
func (c *core) learnFromOutcome(tx Tx, o *Outcome, now time.Time) error {
	m, err := tx.FindMove(o.MoveID)
	if err != nil {
		return err
	}
	if _, ok := LearnRules[m.Kind]; !ok {
		return nil
	}
	ls, err := tx.LearnState()
	if err != nil {
		return err
	}
	all, err := tx.FindOutcomes(m.ID)
	if err != nil {
		return err
	}
	var now2, before []*Outcome
	for _, x := range all {
		if x.RecordedAt.Before(ls.Epoch) {
			continue // forgotten by a reset
		}
		now2 = append(now2, x)
		if x.ID != o.ID {
			before = append(before, x)
		}
	}
	prev, hadPrev := MoveVerdict(m.Kind, EffectiveOutcomes(before))
	next, hasNext := MoveVerdict(m.Kind, EffectiveOutcomes(now2))
	if hadPrev == hasNext && prev == next {
		return nil
	}
	st, err := tx.Settings()
	if err != nil {
		return err
	}
	rec := newLearnRecords(tx)
	key, err := moveCell(m, rec, st, now)
	if err != nil {
		return err
	}
	cell := rec.LearnCell(key)
	if rec.err != nil {
		return rec.err
	}
	if cell == nil {
		cell = &LearnCell{Key: key}
	}
	if hadPrev {
		cell.add(prev.Success, prev.At, -1, st.Learning.HalfLife)
	}
	if hasNext {
		cell.add(next.Success, next.At, +1, st.Learning.HalfLife)
	}
	if err := tx.PutLearnCell(cell); err != nil {
		return err
	}
	rec.cells[key] = cell
	if !st.Learning.On {
		return nil
	}
	_, err = rescoreCell(tx, rec, st, ls, key, now)
	return err
}

// moveCell is the learning cell of m: the one it was scored in, or, for a
// move scored before learning, the one it would be scored in now.
func moveCell(m *Move, rec *txRecords, st *Settings, now time.Time) (string, error) {
	if m.Score.Learned.Cell != "" {
		return m.Score.Learned.Cell, nil
	}
	cp := *m
	if err := scoreMove(&cp, rec, st, now); err != nil {
		return "", err
	}
	return cp.Score.Learned.Cell, rec.err
}

// rescoreCell re-scores the open moves of cell key (all open moves, once,
// in a file whose moves are not yet indexed by cell) and stores those
// whose score changed; it returns how many it stored.
func rescoreCell(tx Tx, rec *txRecords, st *Settings, ls *LearnState, key string, now time.Time) (int, error) {
	if !ls.Indexed {
		n, err := rescoreOpen(tx, rec, st, now)
		if err != nil {
			return n, err
		}
		ls.Indexed = true
		return n, tx.PutLearnState(ls)
	}
	moves, err := tx.OpenMovesInCell(key)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, m := range moves {
		changed, err := rescoreOne(tx, rec, st, m, now)
		if err != nil {
			return n, err
		}
		if changed {
			n++
		}
	}
	return n, nil
}

// rescoreOne re-scores an open move that is not executing and stores it
// when its score changed.
func rescoreOne(tx Tx, rec *txRecords, st *Settings, m *Move, now time.Time) (bool, error) {
	if m.Status == StatusExecuting {
		return false, nil
	}
	old := m.Score
	if err := scoreMove(m, rec, st, now); err != nil {
		return false, err
	}
	if rec.err != nil {
		return false, rec.err
	}
	if m.Score.APS == old.APS && m.Score.Learned == old.Learned && m.Score.RescoreAt.Equal(old.RescoreAt) {
		return false, nil
	}
	return true, tx.UpdateMove(m)
}

// rescoreOpen re-scores every pending, snoozed and failed move.
func rescoreOpen(tx Tx, rec *txRecords, st *Settings, now time.Time) (int, error) {
	n := 0
	for _, status := range []MoveStatus{StatusPending, StatusSnoozed, StatusFailed} {
		status := status
		moves, _, err := tx.FindMoves(MoveFilter{Status: &status})
		if err != nil {
			return n, err
		}
		for _, m := range moves {
			changed, err := rescoreOne(tx, rec, st, m, now)
			if err != nil {
				return n, err
			}
			if changed {
				n++
			}
		}
	}
	return n, nil
}

// rebuildLearning forgets the cells and counts again every outcome
// recorded since the reset epoch, with the half-life in st: how a changed
// half-life reaches the evidence already summed.
func rebuildLearning(tx Tx, st *Settings, ls *LearnState, now time.Time) error {
	if err := tx.DeleteLearnCells(); err != nil {
		return err
	}
	byMove := map[uint64][]*Outcome{}
	var order []uint64
	err := tx.EachOutcomeForLearning(func(o *Outcome) error {
		if o.RecordedAt.Before(ls.Epoch) {
			return nil
		}
		if _, ok := byMove[o.MoveID]; !ok {
			order = append(order, o.MoveID)
		}
		byMove[o.MoveID] = append(byMove[o.MoveID], o)
		return nil
	})
	if err != nil {
		return err
	}
	rec := newLearnRecords(tx)
	for _, id := range order {
		m, err := tx.FindMove(id)
		if err != nil {
			return err
		}
		v, ok := MoveVerdict(m.Kind, EffectiveOutcomes(byMove[id]))
		if !ok {
			continue
		}
		key, err := moveCell(m, rec, st, now)
		if err != nil {
			return err
		}
		cell := rec.cells[key]
		if cell == nil {
			cell = &LearnCell{Key: key}
			rec.cells[key] = cell
		}
		cell.add(v.Success, v.At, +1, st.Learning.HalfLife)
	}
	for _, cell := range rec.cells {
		if cell == nil {
			continue
		}
		if err := tx.PutLearnCell(cell); err != nil {
			return err
		}
	}
	return nil
}

// learningSaved is called by Save, in its transaction, before the open
// moves are re-scored with new settings: a changed half-life re-counts
// the evidence with it, and after the re-score every open move is indexed
// by its cell.
func learningSaved(tx Tx, old, st *Settings, now time.Time) error {
	ls, err := tx.LearnState()
	if err != nil {
		return err
	}
	if old.Learning.HalfLife != st.Learning.HalfLife {
		if err := rebuildLearning(tx, st, ls, now); err != nil {
			return err
		}
	}
	if !ls.Indexed {
		ls.Indexed = true
		return tx.PutLearnState(ls)
	}
	return nil
}

// ResetLearning forgets the learned statistics from now on: outcomes stay,
// but only those recorded after now count. Every open move is re-scored
// (their learned lines go to 0) and the reset is in the audit log.
func (s *SettingsService) ResetLearning(ctx context.Context, actor Actor) error {
	now := s.clock.Now()
	err := s.store.Update(ctx, func(tx Tx) error {
		st, err := tx.Settings()
		if err != nil {
			return err
		}
		if err := tx.DeleteLearnCells(); err != nil {
			return err
		}
		if err := tx.PutLearnState(&LearnState{Epoch: now, Indexed: true}); err != nil {
			return err
		}
		n, err := rescoreOpen(tx, newLearnRecords(tx), st, now)
		if err != nil {
			return err
		}
		return tx.AppendAudit(&AuditEntry{At: now, Actor: actor, Action: AuditLearningReset,
			Detail: "learned statistics reset; outcomes before now no longer count; " + fmt.Sprintf("%d open moves re-scored", n)})
	})
	if err != nil {
		return WrapError("reset learning", err)
	}
	s.events.Publish(EventQueueChanged, QueueChanged{Reason: "settings"})
	return nil
}
