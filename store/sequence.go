package store

import (
	"bytes"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// sequenceEntries are a sequence's index keys: one per step's move, one
// per link, and its due time while it has one.
func sequenceEntries(q *backend.Sequence) []entry {
	var es []entry
	for _, s := range q.Steps {
		if s.MoveID != 0 {
			es = append(es, entry{bSequencesByMove, idIDKey(s.MoveID, q.ID), nil})
		}
	}
	for _, l := range q.Links() {
		es = append(es, entry{bSequencesByLink, join([]byte(l), sep, u64(q.ID)), nil})
	}
	if !q.NextAt.IsZero() {
		es = append(es, entry{bSequencesDue, timeIDKey(q.NextAt, q.ID), nil})
	}
	return es
}

// PutSequence validates q, stores it (assigning q.ID when it is 0) and
// rewrites its indexes in the same transaction.
func (t *tx) PutSequence(q *backend.Sequence) error {
	const op = "store.PutSequence"
	if q == nil {
		return invalid(op, "sequence is empty")
	}
	if err := q.Validate(); err != nil {
		return err
	}
	for _, l := range q.Links() {
		if bytes.IndexByte([]byte(l), 0) >= 0 {
			return invalid(op, "sequence link %q contains a NUL byte", l)
		}
	}
	for _, s := range q.Steps {
		if t.get(bMoves, u64(s.MoveID)) == nil {
			return notFound(op, "move %d not found", s.MoveID)
		}
	}
	v, err := encode(op, "sequence on "+q.ThreadID, toSequenceRecord(q))
	if err != nil {
		return err
	}
	if q.ID == 0 {
		id, err := t.insertRecord(op, bSequences, v, func(id uint64) []entry {
			stored := *q
			stored.ID = id
			return sequenceEntries(&stored)
		})
		if err != nil {
			return err
		}
		q.ID = id
		return nil
	}
	old, err := t.FindSequence(q.ID)
	if err != nil {
		return err
	}
	if err := deleteEntries(t.bt, sequenceEntries(old)); err != nil {
		return internal(op, err)
	}
	if err := t.bucket(bSequences).Put(u64(q.ID), v); err != nil {
		return internal(op, err)
	}
	if err := putEntries(t.bt, sequenceEntries(q)); err != nil {
		return internal(op, err)
	}
	return nil
}

// FindSequence returns the sequence with id, or ENOTFOUND.
func (t *tx) FindSequence(id uint64) (*backend.Sequence, error) {
	const op = "store.FindSequence"
	return getRecord(t, op, bSequences, u64(id),
		func(r *sequenceRecord) *backend.Sequence { return fromSequenceRecord(id, r) },
		func() error { return notFound(op, "sequence %d not found", id) })
}

func (t *tx) sequences(op string, bucket []byte, ids []uint64) ([]*backend.Sequence, error) {
	return getRecords(ids, func(id uint64) (*backend.Sequence, error) {
		q, err := t.FindSequence(id)
		if backend.ErrorCode(err) == backend.ENOTFOUND {
			return nil, backend.WrapError(op, corrupt(bucket, u64(id), errDangling))
		}
		return q, err
	})
}

// SequenceByMove returns the newest sequence one of whose steps is
// moveID, or ENOTFOUND.
func (t *tx) SequenceByMove(moveID uint64) (*backend.Sequence, error) {
	const op = "store.SequenceByMove"
	ids, err := childIDs(t.cursor(bSequencesByMove), bSequencesByMove, moveID)
	if err != nil {
		return nil, backend.WrapError(op, err)
	}
	if len(ids) == 0 {
		return nil, notFound(op, "move %d is in no follow-up sequence", moveID)
	}
	qs, err := t.sequences(op, bSequencesByMove, ids[len(ids)-1:])
	if err != nil {
		return nil, err
	}
	return qs[0], nil
}

// SequencesByLink returns the sequences with link, oldest first.
func (t *tx) SequencesByLink(link string) ([]*backend.Sequence, error) {
	const op = "store.SequencesByLink"
	prefix := join([]byte(link), sep)
	var ids []uint64
	c := t.cursor(bSequencesByLink)
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		id, ok := decodeU64(k[len(prefix):])
		if !ok {
			return nil, backend.WrapError(op, corrupt(bSequencesByLink, k, errBadKey))
		}
		ids = append(ids, id)
	}
	return t.sequences(op, bSequencesByLink, ids)
}

// SequencesDue returns the sequences whose NextAt is before before,
// earliest first.
func (t *tx) SequencesDue(before time.Time) ([]*backend.Sequence, error) {
	const op = "store.SequencesDue"
	limit := u64(timeBits(before))
	var ids []uint64
	c := t.bucket(bSequencesDue).Cursor()
	for k, _ := c.First(); k != nil && bytes.Compare(k[:min(8, len(k))], limit) < 0; k, _ = c.Next() {
		id, ok := decodeU64(k[8:])
		if len(k) != 16 || !ok {
			return nil, backend.WrapError(op, corrupt(bSequencesDue, k, errBadKey))
		}
		ids = append(ids, id)
	}
	return t.sequences(op, bSequencesDue, ids)
}
