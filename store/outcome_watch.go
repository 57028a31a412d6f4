package store

import (
	"bytes"
	"time"

	"github.com/caseyos/caseyos/backend"
)

func watchEntries(w *backend.OutcomeWatch) []entry {
	es := make([]entry, 0, len(w.Links)+1)
	for _, l := range w.Links {
		es = append(es, entry{bOutcomeLinks, join([]byte(l), sep, u64(w.ExecutionID)), nil})
	}
	if !w.RespondBy.IsZero() {
		es = append(es, entry{bOutcomeDue, timeIDKey(w.RespondBy, w.ExecutionID), nil})
	}
	return es
}

// PutOutcomeWatch stores w under its execution (which must exist) and
// replaces the index entries of the watch it replaces.
func (t *tx) PutOutcomeWatch(w *backend.OutcomeWatch) error {
	const op = "store.PutOutcomeWatch"
	if w == nil || w.ExecutionID == 0 || w.MoveID == 0 {
		return invalid(op, "an outcome watch needs an execution and a move")
	}
	for _, l := range w.Links {
		if l == "" || bytes.IndexByte([]byte(l), 0) >= 0 {
			return invalid(op, "outcome watch link %q is empty or holds a NUL", l)
		}
	}
	if t.get(bExecutions, u64(w.ExecutionID)) == nil {
		return notFound(op, "execution %d not found", w.ExecutionID)
	}
	var before []entry
	switch old, err := t.OutcomeWatch(w.ExecutionID); {
	case err == nil:
		before = watchEntries(old)
	case backend.ErrorCode(err) != backend.ENOTFOUND:
		return err
	}
	gone, added := changedKeys(before, watchEntries(w))
	if err := deleteEntries(t.bt, gone); err != nil {
		return internal(op, err)
	}
	v, err := encode(op, "outcome watch", toWatchRecord(w))
	if err != nil {
		return err
	}
	if err := t.bucket(bOutcomeWatches).Put(u64(w.ExecutionID), v); err != nil {
		return internal(op, err)
	}
	if err := putEntries(t.bt, added); err != nil {
		return internal(op, err)
	}
	t.watchSeen(w)
	return nil
}

// watchSeen keeps a copy of a watch as stored now: ingest matches the
// same watch by its thread, Message-ID, person and deal, signal after
// signal, and decodes it once per transaction.
func (t *tx) watchSeen(w *backend.OutcomeWatch) {
	if t.watchCache == nil {
		t.watchCache = map[uint64]*backend.OutcomeWatch{}
	}
	c := *w
	c.Links = cloneStrings(w.Links)
	t.watchCache[w.ExecutionID] = &c
}

// watch returns a copy of the stored watch of execution id, or missing's
// error.
func (t *tx) watch(op string, id uint64, missing func() error) (*backend.OutcomeWatch, error) {
	if c, ok := t.watchCache[id]; ok {
		w := *c
		w.Links = cloneStrings(c.Links)
		return &w, nil
	}
	w, err := getRecord(t, op, bOutcomeWatches, u64(id),
		func(r *watchRecord) *backend.OutcomeWatch { return fromWatchRecord(id, r) }, missing)
	if err == nil {
		t.watchSeen(w)
	}
	return w, err
}

// OutcomeWatch returns the watch of an execution, or ENOTFOUND.
func (t *tx) OutcomeWatch(execID uint64) (*backend.OutcomeWatch, error) {
	const op = "store.OutcomeWatch"
	return t.watch(op, execID, func() error { return notFound(op, "execution %d has no outcome watch", execID) })
}

func (t *tx) watchesByIDs(op string, bucket []byte, keys [][]byte, ids []uint64) ([]*backend.OutcomeWatch, error) {
	out := make([]*backend.OutcomeWatch, 0, len(ids))
	for i, id := range ids {
		w, err := t.watch(op, id, func() error { return backend.WrapError(op, corrupt(bucket, keys[i], errDangling)) })
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, nil
}

// OutcomeWatchesByLink returns the watches with link, oldest execution first.
func (t *tx) OutcomeWatchesByLink(link string) ([]*backend.OutcomeWatch, error) {
	const op = "store.OutcomeWatchesByLink"
	if link == "" {
		return nil, nil
	}
	prefix := join([]byte(link), sep)
	var ids []uint64
	var keys [][]byte
	c := t.cursor(bOutcomeLinks)
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		id, ok := decodeU64(k[len(prefix):])
		if !ok {
			return nil, backend.WrapError(op, corrupt(bOutcomeLinks, k, errBadKey))
		}
		ids, keys = append(ids, id), append(keys, bytes.Clone(k))
	}
	return t.watchesByIDs(op, bOutcomeLinks, keys, ids)
}

// OutcomeWatchesDue returns up to limit watches whose RespondBy is not
// after t, earliest first.
func (t *tx) OutcomeWatchesDue(at time.Time, limit int) ([]*backend.OutcomeWatch, error) {
	const op = "store.OutcomeWatchesDue"
	end := u64(timeBits(at))
	var ids []uint64
	var keys [][]byte
	c := t.bucket(bOutcomeDue).Cursor()
	for k, _ := c.First(); k != nil && (limit <= 0 || len(ids) < limit); k, _ = c.Next() {
		if len(k) != 16 {
			return nil, backend.WrapError(op, corrupt(bOutcomeDue, k, errBadKey))
		}
		if bytes.Compare(k[:8], end) > 0 {
			break
		}
		id, _ := decodeU64(k[8:])
		ids, keys = append(ids, id), append(keys, bytes.Clone(k))
	}
	return t.watchesByIDs(op, bOutcomeDue, keys, ids)
}
