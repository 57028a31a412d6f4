package store

import (
	"bytes"
	"strings"

	"github.com/caseyos/caseyos/backend"
)

func signalEntries(id uint64, s *backend.Signal) []entry {
	return []entry{
		{bSignalsByDedupe, []byte(s.DedupeKey), u64(id)},
		{bSignalsByTime, timeIDKey(s.OccurredAt, id), join([]byte(s.Source), sep, []byte(s.Type))},
	}
}

// CreateSignal validates s, refuses a DedupeKey that is already stored
// (ECONFLICT), stamps a zero ReceivedAt with the clock and assigns s.ID.
func (t *tx) CreateSignal(s *backend.Signal) error {
	const op = "store.CreateSignal"
	if err := s.Validate(); err != nil {
		return err
	}
	if t.get(bSignalsByDedupe, []byte(s.DedupeKey)) != nil {
		return conflict(op, "a signal with dedupe key %q is already stored", s.DedupeKey)
	}
	stored := *s
	if stored.ReceivedAt.IsZero() {
		stored.ReceivedAt = t.now()
	}
	v, err := encode(op, "signal "+string(s.Type), toSignalRecord(&stored))
	if err != nil {
		return err
	}
	id, err := t.insertRecord(op, bSignals, v, func(id uint64) []entry { return signalEntries(id, &stored) })
	if err != nil {
		return err
	}
	s.ID, s.ReceivedAt = id, stored.ReceivedAt
	return nil
}

// SignalByDedupeKey returns the signal stored under key, or ENOTFOUND.
func (t *tx) SignalByDedupeKey(key string) (*backend.Signal, error) {
	const op = "store.SignalByDedupeKey"
	k := []byte(strings.TrimSpace(key))
	if len(k) == 0 {
		return nil, notFound(op, "no signal has an empty dedupe key")
	}
	v := t.get(bSignalsByDedupe, k)
	if v == nil {
		return nil, notFound(op, "no signal with dedupe key %q", key)
	}
	id, ok := decodeU64(v)
	if !ok {
		return nil, corrupt(bSignalsByDedupe, k, errBadID)
	}
	return t.signal(op, id)
}

// FindSignal returns signal id, or ENOTFOUND.
func (t *tx) FindSignal(id uint64) (*backend.Signal, error) {
	return t.signal("store.FindSignal", id)
}

func (t *tx) signal(op string, id uint64) (*backend.Signal, error) {
	return getRecord(t, op, bSignals, u64(id),
		func(r *signalRecord) *backend.Signal { return fromSignalRecord(id, r) },
		func() error { return notFound(op, "signal %d not found", id) })
}

// FindSignals returns matching signals, newest OccurredAt first, and how
// many match. It walks the time index backwards and stops at Since, reading
// only the index until it has chosen the page.
func (t *tx) FindSignals(f backend.SignalFilter) ([]*backend.Signal, int, error) {
	const op = "store.FindSignals"
	if err := checkPage(op, f.Offset, f.Limit); err != nil {
		return nil, 0, err
	}
	var since []byte
	if f.Since != nil {
		since = u64(timeBits(*f.Since))
	}
	var ids []uint64
	total := 0
	c := t.bucket(bSignalsByTime).Cursor()
	for k, v := c.Last(); k != nil; k, v = c.Prev() {
		if len(k) != 16 {
			return nil, 0, backend.WrapError(op, corrupt(bSignalsByTime, k, errBadKey))
		}
		if since != nil && bytes.Compare(k[:8], since) < 0 {
			break
		}
		if f.Source != nil || f.Type != nil {
			src, typ, ok := bytes.Cut(v, sep)
			if !ok {
				return nil, 0, backend.WrapError(op, corrupt(bSignalsByTime, k, errBadValue))
			}
			if (f.Source != nil && string(src) != string(*f.Source)) || (f.Type != nil && string(typ) != string(*f.Type)) {
				continue
			}
		}
		total++
		if total > f.Offset && (f.Limit == 0 || len(ids) < f.Limit) {
			id, _ := decodeU64(k[8:])
			ids = append(ids, id)
		}
	}
	out, err := getRecords(ids, func(id uint64) (*backend.Signal, error) { return t.signal(op, id) })
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}
