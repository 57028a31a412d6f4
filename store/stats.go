package store

import (
	"time"

	"github.com/caseyos/caseyos/backend"
)

// statSlot is the width of one counter slot: a quarter of an hour, so that
// "today" starts on a slot boundary in every time zone (some are 30 or 45
// minutes off the hour).
const statSlot = 15 * time.Minute

func statKey(name string, at time.Time) []byte {
	return join([]byte(name), sep, u64(timeBits(at.Truncate(statSlot))))
}

// AddStat adds delta to the counter name for the slot that holds at.
func (t *tx) AddStat(name string, at time.Time, delta int) error {
	const op = "store.AddStat"
	if name == "" {
		return invalid(op, "a counter needs a name")
	}
	b := t.bucket(bStats)
	key := statKey(name, at)
	var n uint64
	if v := b.Get(key); v != nil {
		x, ok := decodeU64(v)
		if !ok {
			return corrupt(bStats, key, errBadValue)
		}
		n = x
	}
	if delta < 0 && n < uint64(-delta) {
		n = 0
	} else {
		n = uint64(int64(n) + int64(delta))
	}
	return internal(op, b.Put(key, u64(n)))
}

// SumStat sums the counter name over the slots from from (inclusive) to to
// (exclusive).
func (t *tx) SumStat(name string, from, to time.Time) (int, error) {
	c := t.bucket(bStats).Cursor()
	end := to.Truncate(statSlot)
	if to.After(end) {
		end = end.Add(statSlot) // the slot that holds to counts
	}
	lo, hi := statKey(name, from), statKey(name, end)
	total := 0
	for k, v := c.Seek(lo); k != nil && string(k) < string(hi); k, v = c.Next() {
		n, ok := decodeU64(v)
		if !ok {
			return 0, corrupt(bStats, k, errBadValue)
		}
		total += int(n)
	}
	return total, nil
}

var _ backend.StatsStore = (*tx)(nil)
