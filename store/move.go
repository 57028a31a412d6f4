package store

import (
	"bytes"
	"errors"
	"math"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/caseyos/caseyos/backend"
)

func statusPrefix(s backend.MoveStatus) []byte { return join([]byte(s), sep) }

// scoreKey is status 0x00 | score | ^id: walking a status's keys backwards
// gives the highest score first and, among equal scores, the oldest move.
func scoreKey(s backend.MoveStatus, aps float64, id uint64) []byte {
	return join(statusPrefix(s), u64(scoreBits(aps)), u64(^id))
}

func openKey(subject backend.Subject, kind backend.MoveKind) []byte {
	return join([]byte(subject.Key()), sep, []byte(kind))
}

func countKey(s backend.MoveStatus, d backend.Domain) []byte {
	return join([]byte(s), sep, []byte(d))
}

// moveEntries lists the index entries of a stored move (m.ID set).
func moveEntries(m *backend.Move) []entry {
	es := []entry{{bMovesByStatusScore, scoreKey(m.Status, m.Score.APS, m.ID), []byte(m.Domain)}}
	if m.Status.IsOpen() {
		es = append(es, entry{bMovesOpen, openKey(m.Subject, m.Kind), u64(m.ID)})
		if !m.Score.RescoreAt.IsZero() {
			es = append(es, entry{bMovesByRescore, timeIDKey(m.Score.RescoreAt, m.ID), nil})
		}
		if !m.ExpiresAt.IsZero() {
			es = append(es, entry{bMovesByExpiry, timeIDKey(m.ExpiresAt, m.ID), nil})
		}
		if c := m.Score.Learned.Cell; c != "" {
			es = append(es, entry{bMovesByCell, cellKey(c, m.ID), nil})
		}
	}
	if m.Status == backend.StatusSnoozed && !m.SnoozedUntil.IsZero() {
		es = append(es, entry{bMovesBySnooze, timeIDKey(m.SnoozedUntil, m.ID), nil})
	}
	return es
}

// deleteMoveEntries removes a move's index entries. The open-move entry is
// removed only while it still names this move, so a stale move never takes
// the slot of the one that holds it.
func deleteMoveEntries(btx *bolt.Tx, m *backend.Move) error {
	return deleteMoveEntriesOf(btx, m.ID, moveEntries(m))
}

// changedEntries splits a move's index entries before and after an update
// into those to delete and those to put, leaving out the ones that stay
// the same: re-scoring a learning cell's moves rewrites thousands of
// moves whose cell, expiry and open-slot entries do not change. slotHeld
// says the open slot already names the move.
func changedEntries(before, after []entry, slotHeld bool) (gone, added []entry) {
	same := func(a, b entry) bool {
		// Unless it is known to name the move, the open slot is rewritten:
		// deleting it checks whom it names, and putting it mends a slot
		// another move left behind.
		return (slotHeld || !bytes.Equal(a.bucket, bMovesOpen)) &&
			bytes.Equal(a.bucket, b.bucket) && bytes.Equal(a.key, b.key) && bytes.Equal(a.value, b.value)
	}
	return diffEntries(before, after, same)
}

func deleteMoveEntriesOf(btx *bolt.Tx, moveID uint64, es []entry) error {
	keep := es[:0]
	for _, e := range es {
		if bytes.Equal(e.bucket, bMovesOpen) {
			if id, _ := decodeU64(btx.Bucket(bMovesOpen).Get(e.key)); id != moveID {
				continue
			}
		}
		keep = append(keep, e)
	}
	return deleteEntries(btx, keep)
}

// addCount adds delta to move_counts[key], deleting the key at zero.
func addCount(btx *bolt.Tx, key []byte, delta int64) error {
	b := btx.Bucket(bMoveCounts)
	var n uint64
	if v := b.Get(key); v != nil {
		x, ok := decodeU64(v)
		if !ok {
			return corrupt(bMoveCounts, key, errBadValue)
		}
		n = x
	}
	if delta < 0 && n < uint64(-delta) {
		return corrupt(bMoveCounts, key, errors.New("count would go below zero"))
	}
	n = uint64(int64(n) + delta)
	if n == 0 {
		return b.Delete(key)
	}
	return b.Put(key, u64(n))
}

// checkMove is the domain's Validate plus what the indexes need.
func checkMove(op string, m *backend.Move) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if math.IsNaN(m.Score.APS) {
		return invalid(op, "move %q: APS is not a number", m.Title)
	}
	if strings.IndexByte(m.Score.Learned.Cell, 0) >= 0 {
		return invalid(op, "move %q: learning cell contains a NUL byte", m.Title)
	}
	if strings.IndexByte(m.Subject.ID, 0) >= 0 || strings.IndexByte(string(m.Subject.Type), 0) >= 0 {
		return invalid(op, "move %q: subject %q contains a NUL byte", m.Title, m.Subject.Key())
	}
	return nil
}

// openHolder returns the id of the open move for m's subject and kind, or 0.
func (t *tx) openHolder(m *backend.Move) (uint64, error) {
	key := openKey(m.Subject, m.Kind)
	v := t.get(bMovesOpen, key)
	if v == nil {
		return 0, nil
	}
	id, ok := decodeU64(v)
	if !ok {
		return 0, corrupt(bMovesOpen, key, errBadID)
	}
	return id, nil
}

// CreateMove validates m, refuses a second open move for the same subject
// and kind (ECONFLICT), stamps zero CreatedAt and UpdatedAt with the clock,
// assigns m.ID and writes the move with its indexes and counts.
func (t *tx) CreateMove(m *backend.Move) error {
	const op = "store.CreateMove"
	if err := checkMove(op, m); err != nil {
		return err
	}
	if m.Status.IsOpen() {
		holder, err := t.openHolder(m)
		if err != nil {
			return backend.WrapError(op, err)
		}
		if holder != 0 {
			return conflict(op, "move %d is already open for %s %s", holder, m.Kind, m.Subject.Key())
		}
	}
	stored := *m
	if stored.CreatedAt.IsZero() {
		stored.CreatedAt = t.now()
	}
	if stored.UpdatedAt.IsZero() {
		stored.UpdatedAt = stored.CreatedAt
	}
	v, err := encode(op, "move "+stored.Title, toMoveRecord(&stored))
	if err != nil {
		return err
	}
	id, err := t.insertRecord(op, bMoves, v, func(id uint64) []entry {
		stored.ID = id
		return moveEntries(&stored)
	})
	if err != nil {
		return err
	}
	if err := addCount(t.bt, countKey(stored.Status, stored.Domain), 1); err != nil {
		return internal(op, err)
	}
	m.ID, m.CreatedAt, m.UpdatedAt = id, stored.CreatedAt, stored.UpdatedAt
	t.seen(&stored)
	return nil
}

// UpdateMove replaces stored move m.ID with m (ENOTFOUND when missing),
// moving its index entries and counts from the old values to the new. Making
// it open for a subject and kind another open move holds is ECONFLICT. It
// neither checks the status transition (the domain does) nor stamps
// UpdatedAt.
func (t *tx) UpdateMove(m *backend.Move) error {
	const op = "store.UpdateMove"
	if m == nil {
		return invalid(op, "move is empty")
	}
	old, err := t.storedKeys(op, m.ID)
	if err != nil {
		return err
	}
	if err := checkMove(op, m); err != nil {
		return err
	}
	slotHeld := false
	if m.Status.IsOpen() {
		holder, err := t.openHolder(m)
		if err != nil {
			return backend.WrapError(op, err)
		}
		if holder != 0 && holder != m.ID {
			return conflict(op, "move %d is already open for %s %s", holder, m.Kind, m.Subject.Key())
		}
		slotHeld = holder == m.ID
	}
	v, err := encode(op, "move "+m.Title, toMoveRecord(m))
	if err != nil {
		return err
	}
	gone, added := changedEntries(moveEntries(old), moveEntries(m), slotHeld)
	if err := deleteMoveEntriesOf(t.bt, m.ID, gone); err != nil {
		return internal(op, err)
	}
	if err := t.bucket(bMoves).Put(u64(m.ID), v); err != nil {
		return internal(op, err)
	}
	if err := putEntries(t.bt, added); err != nil {
		return internal(op, err)
	}
	if old.Status != m.Status || old.Domain != m.Domain {
		if err := addCount(t.bt, countKey(old.Status, old.Domain), -1); err != nil {
			return internal(op, err)
		}
		if err := addCount(t.bt, countKey(m.Status, m.Domain), 1); err != nil {
			return internal(op, err)
		}
	}
	t.seen(m)
	return nil
}

// FindMove returns move id, or ENOTFOUND.
func (t *tx) FindMove(id uint64) (*backend.Move, error) {
	return t.move("store.FindMove", id)
}

func (t *tx) move(op string, id uint64) (*backend.Move, error) {
	t.moveReads++
	m, err := getRecord(t, op, bMoves, u64(id),
		func(r *moveRecord) *backend.Move { return fromMoveRecord(id, r) },
		func() error { return notFound(op, "move %d not found", id) })
	if err == nil {
		t.seen(m)
	}
	return m, err
}

func (t *tx) moves(op string, ids []uint64) ([]*backend.Move, error) {
	return getRecords(ids, func(id uint64) (*backend.Move, error) { return t.move(op, id) })
}

// OpenMove returns the open move for subject and kind, or ENOTFOUND.
func (t *tx) OpenMove(subject backend.Subject, kind backend.MoveKind) (*backend.Move, error) {
	const op = "store.OpenMove"
	id, err := t.openHolder(&backend.Move{Subject: subject, Kind: kind})
	if err != nil {
		return nil, backend.WrapError(op, err)
	}
	if id == 0 {
		return nil, notFound(op, "no open %s move for %s", kind, subject.Key())
	}
	return t.move(op, id)
}

func filterStatuses(op string, s *backend.MoveStatus) ([]backend.MoveStatus, error) {
	if s == nil {
		return backend.MoveStatuses, nil
	}
	if !slices.Contains(backend.MoveStatuses, *s) {
		return nil, invalid(op, "move status %q is unknown", *s)
	}
	return []backend.MoveStatus{*s}, nil
}

// FindMoves returns matching moves and how many match in total.
//
// With ByScore it walks moves_by_status_score from the top of each selected
// status (merging statuses when none is given), filters domains on the
// index value and decodes only the page it returns; otherwise moves come in
// id order. The total always comes from move_counts.
func (t *tx) FindMoves(f backend.MoveFilter) ([]*backend.Move, int, error) {
	const op = "store.FindMoves"
	if err := checkPage(op, f.Offset, f.Limit); err != nil {
		return nil, 0, err
	}
	statuses, err := filterStatuses(op, f.Status)
	if err != nil {
		return nil, 0, err
	}
	if f.Domain != nil && !slices.Contains(backend.Domains, *f.Domain) {
		return nil, 0, invalid(op, "domain %q is not one of sales, marketing, cs", *f.Domain)
	}
	total := 0
	for _, s := range statuses {
		n, err := t.countMoves(s, f.Domain)
		if err != nil {
			return nil, 0, backend.WrapError(op, err)
		}
		total += n
	}
	var ids []uint64
	switch {
	case f.ByScore:
		ids, err = t.idsByScore(statuses, f)
	case f.Status == nil && f.Domain == nil:
		ids = t.idsByID(f.Offset, f.Limit)
	default:
		ids, err = t.idsFiltered(statuses, f)
	}
	if err != nil {
		return nil, 0, backend.WrapError(op, err)
	}
	ms, err := t.moves(op, ids)
	if err != nil {
		return nil, 0, err
	}
	return ms, total, nil
}

// scoreCursor walks one status's part of moves_by_status_score from the
// highest score down.
type scoreCursor struct {
	c      *bolt.Cursor
	prefix []byte
	k, v   []byte // nil once past the status
}

func newScoreCursor(b *bolt.Bucket, s backend.MoveStatus) *scoreCursor {
	sc := &scoreCursor{c: b.Cursor(), prefix: statusPrefix(s)}
	if k, _ := sc.c.Seek(prefixEnd(sc.prefix)); k == nil {
		sc.set(sc.c.Last())
	} else {
		sc.set(sc.c.Prev())
	}
	return sc
}

func (sc *scoreCursor) set(k, v []byte) {
	if k != nil && bytes.HasPrefix(k, sc.prefix) {
		sc.k, sc.v = k, v
	} else {
		sc.k, sc.v = nil, nil
	}
}

func (sc *scoreCursor) next() { sc.set(sc.c.Prev()) }

// rank is score | ^id, the part of the key that orders moves across statuses.
func (sc *scoreCursor) rank() []byte { return sc.k[len(sc.prefix):] }

func (t *tx) idsByScore(statuses []backend.MoveStatus, f backend.MoveFilter) ([]uint64, error) {
	b := t.bucket(bMovesByStatusScore)
	cursors := make([]*scoreCursor, len(statuses))
	for i, s := range statuses {
		cursors[i] = newScoreCursor(b, s)
	}
	var ids []uint64
	skipped := 0
	for f.Limit == 0 || len(ids) < f.Limit {
		var top *scoreCursor
		for _, sc := range cursors {
			if sc.k != nil && (top == nil || bytes.Compare(sc.rank(), top.rank()) > 0) {
				top = sc
			}
		}
		if top == nil {
			break
		}
		r := top.rank()
		if len(r) != 16 {
			return nil, corrupt(bMovesByStatusScore, top.k, errBadKey)
		}
		if f.Domain == nil || string(top.v) == string(*f.Domain) {
			if skipped < f.Offset {
				skipped++
			} else {
				id, _ := decodeU64(r[8:])
				ids = append(ids, ^id)
			}
		}
		top.next()
	}
	return ids, nil
}

// idsByID pages through every move in id order, reading only keys.
func (t *tx) idsByID(offset, limit int) []uint64 {
	var ids []uint64
	c := t.bucket(bMoves).Cursor()
	i := 0
	for k, _ := c.First(); k != nil && (limit == 0 || len(ids) < limit); k, _ = c.Next() {
		if i++; i <= offset {
			continue
		}
		id, _ := decodeU64(k)
		ids = append(ids, id)
	}
	return ids
}

// idsFiltered collects the ids of the selected statuses and domain from the
// score index (keys only), sorts them and pages.
func (t *tx) idsFiltered(statuses []backend.MoveStatus, f backend.MoveFilter) ([]uint64, error) {
	var ids []uint64
	c := t.bucket(bMovesByStatusScore).Cursor()
	for _, s := range statuses {
		prefix := statusPrefix(s)
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if len(k) != len(prefix)+16 {
				return nil, corrupt(bMovesByStatusScore, k, errBadKey)
			}
			if f.Domain != nil && string(v) != string(*f.Domain) {
				continue
			}
			id, _ := decodeU64(k[len(prefix)+8:])
			ids = append(ids, ^id)
		}
	}
	slices.Sort(ids)
	if f.Offset >= len(ids) {
		return nil, nil
	}
	ids = ids[f.Offset:]
	if f.Limit > 0 && len(ids) > f.Limit {
		ids = ids[:f.Limit]
	}
	return ids, nil
}

// CountMoves counts moves in status, in one domain or all, from move_counts.
func (t *tx) CountMoves(status backend.MoveStatus, domain *backend.Domain) (int, error) {
	const op = "store.CountMoves"
	if _, err := filterStatuses(op, &status); err != nil {
		return 0, err
	}
	n, err := t.countMoves(status, domain)
	if err != nil {
		return 0, backend.WrapError(op, err)
	}
	return n, nil
}

func (t *tx) countMoves(status backend.MoveStatus, domain *backend.Domain) (int, error) {
	b := t.bucket(bMoveCounts)
	if domain != nil {
		key := countKey(status, *domain)
		v := b.Get(key)
		if v == nil {
			return 0, nil
		}
		n, ok := decodeU64(v)
		if !ok {
			return 0, corrupt(bMoveCounts, key, errBadValue)
		}
		return int(n), nil
	}
	total := 0
	prefix := statusPrefix(status)
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		n, ok := decodeU64(v)
		if !ok {
			return 0, corrupt(bMoveCounts, k, errBadValue)
		}
		total += int(n)
	}
	return total, nil
}

// OpenMovesToRescore returns open moves whose Score.RescoreAt is before before,
// earliest first.
func (t *tx) OpenMovesToRescore(before time.Time) ([]*backend.Move, error) {
	return t.movesBefore("store.OpenMovesToRescore", bMovesByRescore, before)
}

// OpenMovesExpiringBefore returns open moves whose ExpiresAt is before
// before, earliest first.
func (t *tx) OpenMovesExpiringBefore(before time.Time) ([]*backend.Move, error) {
	return t.movesBefore("store.OpenMovesExpiringBefore", bMovesByExpiry, before)
}

// SnoozedMovesUntil returns snoozed moves whose snooze ends before before,
// earliest first.
func (t *tx) SnoozedMovesUntil(before time.Time) ([]*backend.Move, error) {
	return t.movesBefore("store.SnoozedMovesUntil", bMovesBySnooze, before)
}

func (t *tx) movesBefore(op string, bucket []byte, before time.Time) ([]*backend.Move, error) {
	limit := u64(timeBits(before))
	var ids []uint64
	c := t.bucket(bucket).Cursor()
	for k, _ := c.First(); k != nil && bytes.Compare(k[:min(8, len(k))], limit) < 0; k, _ = c.Next() {
		if len(k) != 16 {
			return nil, backend.WrapError(op, corrupt(bucket, k, errBadKey))
		}
		id, _ := decodeU64(k[8:])
		ids = append(ids, id)
	}
	return t.moves(op, ids)
}
