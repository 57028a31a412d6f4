package store

// The disk format of audit/<seq>. record.go says what every record follows.

import (
	"time"

	"github.com/caseyos/caseyos/backend"
)

type auditRecord struct {
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	Action   string    `json:"action"`
	MoveID   uint64    `json:"move_id,omitempty"`
	From     string    `json:"from,omitempty"`
	To       string    `json:"to,omitempty"`
	Detail   string    `json:"detail,omitempty"`
	APS      float64   `json:"aps,omitempty"`
	Reasons  []string  `json:"reasons,omitempty"`
	Version  int       `json:"v,omitempty"` // backend.AuditKeyed; absent (schema 2 and older): plain
	PrevHash string    `json:"prev_hash,omitempty"`
	Hash     string    `json:"hash"`
	// A tombstoned entry (backend/audit_tombstone.go): Detail and Reasons
	// are gone, these say why and carry the tombstone's signature.
	Tombstone string `json:"tomb,omitempty"`
	TombKeyID string `json:"tomb_key,omitempty"`
	TombMAC   string `json:"tomb_mac,omitempty"`
}

func toAuditRecord(e *backend.AuditEntry) auditRecord {
	r := auditRecord{
		At: utc(e.At), Actor: string(e.Actor), Action: e.Action, MoveID: e.MoveID,
		From: string(e.From), To: string(e.To), Detail: e.Detail, APS: e.APS,
		Reasons: cloneStrings(e.Reasons), PrevHash: e.PrevHash, Hash: e.Hash,
		Tombstone: e.Tombstone, TombKeyID: e.TombKeyID, TombMAC: e.TombMAC,
	}
	if e.Version != backend.AuditPlain {
		r.Version = e.Version
	}
	return r
}

func fromAuditRecord(seq uint64, r *auditRecord) *backend.AuditEntry {
	e := &backend.AuditEntry{
		Seq: seq, At: r.At, Actor: backend.Actor(r.Actor), Action: r.Action, MoveID: r.MoveID,
		From: backend.MoveStatus(r.From), To: backend.MoveStatus(r.To), Detail: r.Detail, APS: r.APS,
		Reasons: r.Reasons, Version: r.Version, PrevHash: r.PrevHash, Hash: r.Hash,
		Tombstone: r.Tombstone, TombKeyID: r.TombKeyID, TombMAC: r.TombMAC,
	}
	if e.Version == 0 {
		e.Version = backend.AuditPlain
	}
	return e
}
