package store

import (
	"time"

	"github.com/caseyos/caseyos/backend"
)

// moveKeys is what a stored move's index entries and count are made of
// (moveEntries, countKey): all UpdateMove needs of the stored version.
type moveKeys struct {
	status       backend.MoveStatus
	domain       backend.Domain
	kind         backend.MoveKind
	subject      backend.Subject
	aps          float64
	rescoreAt    time.Time
	expiresAt    time.Time
	snoozedUntil time.Time
	cell         string
}

func keysOf(m *backend.Move) moveKeys {
	return moveKeys{status: m.Status, domain: m.Domain, kind: m.Kind, subject: m.Subject, aps: m.Score.APS,
		rescoreAt: m.Score.RescoreAt, expiresAt: m.ExpiresAt, snoozedUntil: m.SnoozedUntil, cell: m.Score.Learned.Cell}
}

// move is the stored move id as far as its indexes see it.
func (k *moveKeys) move(id uint64) *backend.Move {
	m := &backend.Move{ID: id, Status: k.status, Domain: k.domain, Kind: k.kind, Subject: k.subject,
		ExpiresAt: k.expiresAt, SnoozedUntil: k.snoozedUntil}
	m.Score.APS, m.Score.RescoreAt, m.Score.Learned.Cell = k.aps, k.rescoreAt, k.cell
	return m
}

// seen notes the index keys of a move as stored now (read or written in
// this transaction), so that updating it needs no second decode: a
// transaction reads a move, changes it and writes it, and re-scoring a
// learning cell does that to thousands.
func (t *tx) seen(m *backend.Move) {
	if t.stored == nil {
		t.stored = map[uint64]moveKeys{}
	}
	t.stored[m.ID] = keysOf(m)
}

// storedKeys returns the index keys of stored move id: those this
// transaction saw, else decoded from the record.
func (t *tx) storedKeys(op string, id uint64) (*backend.Move, error) {
	if k, ok := t.stored[id]; ok {
		return k.move(id), nil
	}
	return t.move(op, id)
}
