package backend

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// Audit actions.
const (
	AuditMoveCreated    = "move.created"
	AuditMoveUpdated    = "move.updated"
	AuditMoveTransition = "move.transition"
	AuditMoveRescored   = "move.rescored"
	AuditSettings       = "settings.changed"
	AuditExecution      = "execution"
)

// AuditEntry is one append-only, hash-chained record of a state change or an
// external call. Hash covers every other field and the previous entry's hash,
// so editing or dropping an entry breaks the chain.
type AuditEntry struct {
	Seq      uint64
	At       time.Time
	Actor    Actor
	Action   string
	MoveID   uint64
	From     MoveStatus
	To       MoveStatus
	Detail   string
	APS      float64  // the score at decision time
	Reasons  []string // the reasons at decision time
	PrevHash string
	Hash     string
}

// Validate checks the fields a caller must set.
func (e *AuditEntry) Validate() error {
	if e.Action == "" {
		return Errorf(EINVALID, "audit entry needs an action")
	}
	if e.At.IsZero() {
		return Errorf(EINVALID, "audit entry needs a time")
	}
	if e.Actor == "" {
		return Errorf(EINVALID, "audit entry needs an actor")
	}
	return nil
}

// Seal sets PrevHash and Hash; the store calls it when appending.
func (e *AuditEntry) Seal(prev string) {
	e.PrevHash = prev
	e.Hash = e.computeHash()
}

func (e *AuditEntry) computeHash() string {
	// A fixed struct gives a canonical encoding: field order is the
	// declaration order and times are UTC RFC 3339 with nanoseconds.
	body, _ := json.Marshal(struct {
		Seq      uint64
		At       string
		Actor    Actor
		Action   string
		MoveID   uint64
		From, To MoveStatus
		Detail   string
		APS      float64
		Reasons  []string
		PrevHash string
	}{e.Seq, e.At.UTC().Format(time.RFC3339Nano), e.Actor, e.Action, e.MoveID, e.From, e.To, e.Detail, e.APS, e.Reasons, e.PrevHash})
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// VerifyAuditChain checks that entries (in sequence order, starting at the
// first entry ever written) link up and that no entry was altered. It returns
// the sequence number of the first bad entry, or 0.
func VerifyAuditChain(entries []*AuditEntry) (badSeq uint64, err error) {
	prev := ""
	for _, e := range entries {
		if e.PrevHash != prev || e.Hash != e.computeHash() {
			return e.Seq, Errorf(ECONFLICT, "audit log is broken at entry %d", e.Seq)
		}
		prev = e.Hash
	}
	return 0, nil
}

// AuditFilter selects audit entries in sequence order.
type AuditFilter struct {
	MoveID *uint64
	Offset int
	Limit  int
}
