package store

// The disk format of contact_pairs/<a> 0x00 <b>. record.go says what every
// record follows.

import (
	"time"

	"github.com/caseyos/caseyos/backend"
)

// pairRecord is the verdict on two contacts; the key holds their ids.
type pairRecord struct {
	Verdict string    `json:"verdict"`
	MoveID  uint64    `json:"move_id,omitempty"`
	Actor   string    `json:"actor,omitempty"`
	At      time.Time `json:"at"`
}

func toPairRecord(p *backend.ContactPair) pairRecord {
	return pairRecord{Verdict: string(p.Verdict), MoveID: p.MoveID, Actor: string(p.Actor), At: utc(p.At)}
}

func fromPairRecord(a, b string, r *pairRecord) *backend.ContactPair {
	return &backend.ContactPair{A: a, B: b, Verdict: backend.PairVerdict(r.Verdict), MoveID: r.MoveID, Actor: backend.Actor(r.Actor), At: r.At}
}
