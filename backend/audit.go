package backend

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"io"
	"math"
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

	AuditExecPlanned    = "execution.planned"     // recorded, with who, the plan and the score
	AuditExecRefused    = "execution.refused"     // a guardrail said no
	AuditExecCall       = "execution.call"        // a call is about to go out
	AuditExecCommitted  = "execution.committed"   // it happened, with the remote ids
	AuditExecQueued     = "execution.queued"      // held in the outbox
	AuditExecFailed     = "execution.failed"      // the remote side refused
	AuditExecCancelled  = "execution.cancelled"   // taken back before anything left
	AuditExecRolledBack = "execution.rolled_back" // the compensating action ran
	AuditKillSwitch     = "guardrails.kill_switch"
	AuditDoNotContact   = "guardrails.do_not_contact"
	AuditRule           = "guardrails.rule"
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
	// A canonical encoding: every field in declaration order, strings and
	// lists length-prefixed so no two entries encode alike, times as UTC
	// nanoseconds. It is cheaper than JSON and does not depend on it.
	h := sha256.New()
	var buf [8]byte
	num := func(v uint64) {
		binary.BigEndian.PutUint64(buf[:], v)
		h.Write(buf[:])
	}
	str := func(s string) {
		num(uint64(len(s)))
		io.WriteString(h, s)
	}
	num(e.Seq)
	num(uint64(e.At.UTC().UnixNano()))
	str(string(e.Actor))
	str(e.Action)
	num(e.MoveID)
	str(string(e.From))
	str(string(e.To))
	str(e.Detail)
	num(math.Float64bits(e.APS))
	num(uint64(len(e.Reasons)))
	for _, r := range e.Reasons {
		str(r)
	}
	str(e.PrevHash)
	return hex.EncodeToString(h.Sum(nil))
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
