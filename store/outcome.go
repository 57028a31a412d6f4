package store

import (
	bolt "go.etcd.io/bbolt"

	"github.com/caseyos/caseyos/backend"
)

func outcomeEntries(o *backend.Outcome) []entry {
	return []entry{{bOutcomesByMove, idIDKey(o.MoveID, o.ID), nil}}
}

// CreateOutcome validates o, checks that its move (and execution, when
// set) exist (ENOTFOUND), stamps a zero RecordedAt with the clock and
// assigns o.ID.
func (t *tx) CreateOutcome(o *backend.Outcome) error {
	const op = "store.CreateOutcome"
	if o == nil {
		return invalid(op, "outcome is empty")
	}
	if err := o.Validate(); err != nil {
		return err
	}
	if t.get(bMoves, u64(o.MoveID)) == nil {
		return notFound(op, "move %d not found", o.MoveID)
	}
	if o.ExecutionID != 0 && t.get(bExecutions, u64(o.ExecutionID)) == nil {
		return notFound(op, "execution %d not found", o.ExecutionID)
	}
	stored := *o
	if stored.RecordedAt.IsZero() {
		stored.RecordedAt = t.now()
	}
	v, err := encode(op, "outcome "+string(o.Type), toOutcomeRecord(&stored))
	if err != nil {
		return err
	}
	id, err := t.insertRecord(op, bOutcomes, v, func(id uint64) []entry {
		stored.ID = id
		return outcomeEntries(&stored)
	})
	if err != nil {
		return err
	}
	o.ID, o.RecordedAt = id, stored.RecordedAt
	if have, ok := t.outcomes[o.MoveID]; ok {
		stored.OccurredAt, stored.RecordedAt = utc(stored.OccurredAt), utc(stored.RecordedAt) // as read back
		t.outcomes[o.MoveID] = append(have, stored)                                           // the newest id: still oldest first
	}
	return nil
}

// FindOutcomes returns a move's outcomes, oldest first. The transaction
// keeps what it read, as stored, for the next call: detecting one reply
// reads the move's outcomes to skip a reply already read, to record each
// outcome once, and to learn from it.
func (t *tx) FindOutcomes(moveID uint64) ([]*backend.Outcome, error) {
	const op = "store.FindOutcomes"
	have, ok := t.outcomes[moveID]
	if !ok {
		ids, err := childIDs(t.cursor(bOutcomesByMove), bOutcomesByMove, moveID)
		if err != nil {
			return nil, backend.WrapError(op, err)
		}
		os, err := getRecords(ids, func(id uint64) (*backend.Outcome, error) {
			return getRecord(t, op, bOutcomes, u64(id),
				func(r *outcomeRecord) *backend.Outcome { return fromOutcomeRecord(id, r) },
				func() error { return backend.WrapError(op, corrupt(bOutcomesByMove, idIDKey(moveID, id), errDangling)) })
		})
		if err != nil {
			return nil, err
		}
		have = make([]backend.Outcome, len(os))
		for i, o := range os {
			have[i] = *o
		}
		if t.outcomes == nil {
			t.outcomes = map[uint64][]backend.Outcome{}
		}
		t.outcomes[moveID] = have
	}
	out := make([]*backend.Outcome, len(have))
	for i := range have {
		o := have[i]
		out[i] = &o
	}
	return out, nil
}

// RecentOutcomes returns up to limit outcomes, the last recorded first
// (ids come from the bucket's sequence, so id order is recording order).
func (t *tx) RecentOutcomes(limit int) ([]*backend.Outcome, error) {
	const op = "store.RecentOutcomes"
	var out []*backend.Outcome
	c := t.bucket(bOutcomes).Cursor()
	for k, v := c.Last(); k != nil && (limit <= 0 || len(out) < limit); k, v = c.Prev() {
		id, ok := decodeU64(k)
		if !ok {
			return nil, backend.WrapError(op, corrupt(bOutcomes, k, errBadKey))
		}
		var r outcomeRecord
		if err := decode(bOutcomes, k, v, &r); err != nil {
			return nil, backend.WrapError(op, err)
		}
		out = append(out, fromOutcomeRecord(id, &r))
	}
	return out, nil
}

// childIDs reads the ids under parent in a parent | child index.
func childIDs(c *bolt.Cursor, bucket []byte, parent uint64) ([]uint64, error) {
	var ids []uint64
	prefix := u64(parent)
	for k, _ := c.Seek(prefix); k != nil && len(k) >= 8 && string(k[:8]) == string(prefix); k, _ = c.Next() {
		id, ok := decodeU64(k[8:])
		if !ok {
			return nil, corrupt(bucket, k, errBadKey)
		}
		ids = append(ids, id)
	}
	return ids, nil
}
