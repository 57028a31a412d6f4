package store

// What `caseyos export`, `forget` and retention need from the store: walks
// over every signal and move, deletions that take each record's index
// entries with it, and tombstoning an audit entry in place.

import (
	"bytes"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/caseyos/caseyos/backend"
)

// EachSignal calls fn with every signal in id order until it returns false.
func (t *tx) EachSignal(fn func(*backend.Signal) bool) error {
	const op = "store.EachSignal"
	return backend.WrapError(op, eachRecord(t.bt, bSignals, func(k []byte, r *signalRecord) bool {
		id, _ := decodeU64(k)
		return fn(fromSignalRecord(id, r))
	}))
}

// EachMove calls fn with every move in id order until it returns false.
func (t *tx) EachMove(fn func(*backend.Move) bool) error {
	const op = "store.EachMove"
	return backend.WrapError(op, eachRecord(t.bt, bMoves, func(k []byte, r *moveRecord) bool {
		id, _ := decodeU64(k)
		return fn(fromMoveRecord(id, r))
	}))
}

// SignalsBefore returns the ids of up to limit signals (0: all) that
// occurred before t, oldest first.
func (t *tx) SignalsBefore(before time.Time, limit int) ([]uint64, error) {
	var out []uint64
	end := u64(timeBits(before))
	c := t.bucket(bSignalsByTime).Cursor()
	for k, _ := c.First(); k != nil && string(k[:8]) < string(end) && (limit == 0 || len(out) < limit); k, _ = c.Next() {
		if len(k) != 16 {
			return nil, backend.WrapError("store.SignalsBefore", corrupt(bSignalsByTime, k, errBadID))
		}
		id, _ := decodeU64(k[8:])
		out = append(out, id)
	}
	return out, nil
}

// DeleteSignal removes a signal and its index entries; ENOTFOUND when absent.
func (t *tx) DeleteSignal(id uint64) error {
	const op = "store.DeleteSignal"
	s, err := t.signal(op, id)
	if err != nil {
		return err
	}
	return t.deleteRecord(op, bSignals, u64(id), signalEntries(id, s))
}

// DeleteMove removes a move, its index entries and its count; its
// executions and outcomes must be deleted first (ECONFLICT otherwise), so
// that none is left pointing at nothing.
func (t *tx) DeleteMove(id uint64) error {
	const op = "store.DeleteMove"
	m, err := t.move(op, id)
	if err != nil {
		return err
	}
	for _, b := range [][]byte{bExecutionsByMove, bOutcomesByMove} {
		if k, _ := t.bucket(b).Cursor().Seek(u64(id)); k != nil && len(k) >= 8 && string(k[:8]) == string(u64(id)) {
			return conflict(op, "move %d still has records in %s", id, b)
		}
	}
	if err := deleteMoveEntries(t.bt, m); err != nil {
		return internal(op, err)
	}
	if err := addCount(t.bt, countKey(m.Status, m.Domain), -1); err != nil {
		return backend.WrapError(op, err)
	}
	if err := t.deleteNotified(id); err != nil {
		return internal(op, err)
	}
	delete(t.stored, id)
	return internal(op, t.bucket(bMoves).Delete(u64(id)))
}

// DeleteExecution removes an execution and its index entries.
func (t *tx) DeleteExecution(id uint64) error {
	const op = "store.DeleteExecution"
	e, err := t.execution(op, id)
	if err != nil {
		return err
	}
	// Its outcome watch goes with it: the links name the person.
	switch w, err := t.OutcomeWatch(id); {
	case err == nil:
		delete(t.watchCache, id)
		if err := t.deleteRecord(op, bOutcomeWatches, u64(id), watchEntries(w)); err != nil {
			return err
		}
	case backend.ErrorCode(err) != backend.ENOTFOUND:
		return err
	}
	return t.deleteRecord(op, bExecutions, u64(id), executionEntries(e))
}

// DeleteOutcome removes an outcome and its index entry.
func (t *tx) DeleteOutcome(id uint64) error {
	const op = "store.DeleteOutcome"
	o, err := getRecord(t, op, bOutcomes, u64(id),
		func(r *outcomeRecord) *backend.Outcome { return fromOutcomeRecord(id, r) },
		func() error { return notFound(op, "outcome %d not found", id) })
	if err != nil {
		return err
	}
	delete(t.outcomes, o.MoveID)
	return t.deleteRecord(op, bOutcomes, u64(id), outcomeEntries(o))
}

// DeleteContact removes a contact and its index entries.
func (t *tx) DeleteContact(id string) error {
	const op = "store.DeleteContact"
	c, err := t.contact(op, id)
	if err != nil {
		return err
	}
	if err := t.dropAliasesTo(id); err != nil { // the addresses merged into it
		return internal(op, err)
	}
	// Both indexes: its address and its X handle name the person.
	return t.deleteRecord(op, bContacts, []byte(id), append(contactEntries(c), contactHandleEntries(c)...))
}

func (t *tx) deleteRecord(op string, bucket, key []byte, es []entry) error {
	if err := deleteEntries(t.bt, es); err != nil {
		return internal(op, err)
	}
	return internal(op, t.bucket(bucket).Delete(key))
}

// TombstoneAudit empties audit entry seq in place (backend.AuditEntry.
// MakeTombstone), signed with the audit key; the chain, the head and the
// seal are untouched. An entry already emptied, or one that may not be
// (an AuditKeyReplaced entry), is left as it is: ok is false.
func (t *tx) TombstoneAudit(seq uint64, why string) (ok bool, err error) {
	const op = "store.TombstoneAudit"
	key := t.db.key.Load()
	if key == nil {
		if key, err = t.AuditKey(); err != nil {
			return false, backend.WrapError(op, err)
		}
	}
	return tombstoneAudit(t.bt, op, seq, why, key)
}

func tombstoneAudit(btx *bolt.Tx, op string, seq uint64, why string, key *backend.AuditKey) (bool, error) {
	e, err := getRecord(boltReader{btx}, op, bAudit, u64(seq),
		func(r *auditRecord) *backend.AuditEntry { return fromAuditRecord(seq, r) },
		func() error { return notFound(op, "audit entry %d not found", seq) })
	if err != nil {
		return false, err
	}
	if !e.Tombstonable() {
		return false, nil
	}
	if err := e.MakeTombstone(why, key); err != nil {
		return false, backend.WrapError(op, err)
	}
	v, err := encode(op, "audit entry "+e.Action, toAuditRecord(e))
	if err != nil {
		return false, err
	}
	return true, internal(op, btx.Bucket(bAudit).Put(u64(seq), v))
}

// ContactsByEmail returns every contact whose address is email (any case).
func (t *tx) ContactsByEmail(email string) ([]*backend.Contact, error) {
	const op = "store.ContactsByEmail"
	e := normEmail(email)
	if e == "" {
		return nil, nil
	}
	prefix := join([]byte(e), sep)
	var out []*backend.Contact
	c := t.bucket(bContactsByEmail).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		ct, err := t.contact(op, string(k[len(prefix):]))
		if err != nil {
			return nil, err
		}
		out = append(out, ct)
	}
	return out, nil
}
