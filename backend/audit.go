package backend

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"math"
	"strings"
	"sync"
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
	AuditKeyReplaced    = "audit.key_replaced" // a lost audit key was replaced (AuditRekey)
	AuditOutcome        = "outcome"            // an outcome recorded or corrected by hand
	AuditSequence       = "sequence"           // a follow-up sequence started, paused, resumed, stopped or finished
)

// Audit entry versions: how an entry's Hash is computed.
const (
	// AuditPlain entries hash with plain SHA-256. Anyone can recompute
	// them, so on their own they only catch accidents; CaseyOS wrote them
	// before the log was keyed (schema 2 and older) and writes none now.
	AuditPlain = 1
	// AuditKeyed entries hash with HMAC-SHA256 under the audit key, so
	// rewriting one needs the key.
	AuditKeyed = 2
)

// AuditEntry is one append-only, hash-chained record of a state change or an
// external call. Hash covers every other field and the previous entry's hash,
// so editing or dropping an entry breaks the chain; for a keyed entry it is
// an HMAC, so mending the chain after an edit needs the audit key.
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
	Version  int      // AuditPlain or AuditKeyed
	PrevHash string
	Hash     string
	// Tombstone, when set, says why the entry's Detail and Reasons were
	// removed (a PersonHash, or AuditRetention); TombKeyID names the key
	// that signed the tombstone and TombMAC is that signature
	// (audit_tombstone.go).
	Tombstone string
	TombKeyID string
	TombMAC   string
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

// Seal sets Version, PrevHash and Hash; the store calls it when appending,
// always with the key. A nil key makes an AuditPlain entry, as older
// builds wrote them (tests build legacy logs with it).
func (e *AuditEntry) Seal(prev string, key *AuditKey) {
	e.PrevHash = prev
	e.Version = AuditPlain
	if key != nil {
		e.Version = AuditKeyed
	}
	e.Hash = e.computeHash(key)
}

// computeHash is the entry's hash under its Version: SHA-256 for a plain
// entry, HMAC-SHA256 under key for a keyed one ("" when the key is
// missing, which matches no stored hash).
func (e *AuditEntry) computeHash(key *AuditKey) string {
	switch e.Version {
	case AuditPlain:
		sum := sha256.Sum256(e.encode(nil))
		return hex.EncodeToString(sum[:])
	case AuditKeyed:
		if key == nil {
			return ""
		}
		m := key.mac()
		defer key.macs.Put(m)
		m.buf = e.encode(m.buf[:0])
		return m.sum()
	}
	return ""
}

// encode appends the entry's canonical encoding to buf: every field in
// declaration order, strings and lists length-prefixed so no two entries
// encode alike, times as UTC nanoseconds. It is cheaper than JSON and does
// not depend on it. A plain entry's encoding is frozen: older logs must
// keep verifying; a keyed one starts with its own label.
func (e *AuditEntry) encode(buf []byte) []byte {
	str := func(b []byte, s string) []byte {
		return append(binary.BigEndian.AppendUint64(b, uint64(len(s))), s...)
	}
	if e.Version == AuditKeyed {
		buf = str(buf, "caseyos audit entry v2")
	}
	buf = binary.BigEndian.AppendUint64(buf, e.Seq)
	buf = binary.BigEndian.AppendUint64(buf, uint64(e.At.UTC().UnixNano()))
	buf = str(buf, string(e.Actor))
	buf = str(buf, e.Action)
	buf = binary.BigEndian.AppendUint64(buf, e.MoveID)
	buf = str(buf, string(e.From))
	buf = str(buf, string(e.To))
	buf = str(buf, e.Detail)
	buf = binary.BigEndian.AppendUint64(buf, math.Float64bits(e.APS))
	buf = binary.BigEndian.AppendUint64(buf, uint64(len(e.Reasons)))
	for _, r := range e.Reasons {
		buf = str(buf, r)
	}
	return str(buf, e.PrevHash)
}

// VerifyAuditChain checks that entries (in sequence order, starting at the
// first entry ever written) link up and that no entry was altered, each
// under its own Version (keyed entries need key). It returns the sequence
// number of the first bad entry, or 0. CheckAuditLog adds what a chain
// alone cannot show: entries cut off the end, and keyed entries turned
// back into plain ones.
func VerifyAuditChain(entries []*AuditEntry, key *AuditKey) (badSeq uint64, err error) {
	prev := ""
	for _, e := range entries {
		intact := hashEqual(e.Hash, e.computeHash(key))
		if e.Tombstoned() {
			intact = e.checkTombstone(key)
		}
		if e.PrevHash != prev || !intact {
			return e.Seq, Errorf(ECONFLICT, "audit log is broken at entry %d", e.Seq)
		}
		prev = e.Hash
	}
	return 0, nil
}

// AuditHead is what the store keeps about the log as a whole, beside the
// entries: how many there are, the newest one's hash, where keyed entries
// begin, which key signs them, and a seal over all of that.
type AuditHead struct {
	Count     uint64 // the audit bucket's sequence: entries ever written
	Hash      string // the newest entry's hash; "" when absent
	KeyedFrom uint64 // the first entry signed with the key; 0 when absent
	KeyID     string // AuditKey.ID of the key; "" when absent
	Seal      string // AuditKey.SealHead of the above; "" when absent
}

// CheckAuditLog checks a whole log signed with one key: entries is every
// entry in sequence order and total the count the store reports. It
// returns 0 and "" when the log verifies, else the first bad entry (for a
// problem at the end of the log, the first entry that is missing there; 0
// when no entry can be named) and what is wrong, in words. Every keyed
// entry is checked with key, whatever key period it belongs to; a log
// whose key was replaced is checked with CheckAuditLogKeys.
//
// It finds: an entry edited, inserted or dropped (the chain); an edit whose
// hashes were recomputed without the key (the HMAC); a keyed entry turned
// into a plain one (entries from KeyedFrom on must be keyed); entries cut
// off the end, even when the head was moved back to match (the head, the
// count and the seal); and the head, the keyed-from mark or the seal edited
// or deleted. It cannot tell a whole log rolled back to an earlier copy of
// itself (an old backup, or an old seal recovered from the file's free
// pages) from the real one.
func CheckAuditLog(entries []*AuditEntry, total int, head AuditHead, key *AuditKey) (badSeq uint64, problem string) {
	r := CheckAuditLogKeys(entries, total, head, func(string) *AuditKey { return key })
	return r.BadSeq, r.Problem
}

// AuditRekey is what an AuditKeyReplaced entry records: the key that was
// lost, the key that replaced it, and how many entries came before it.
type AuditRekey struct {
	Seq      uint64 // the AuditKeyReplaced entry
	At       time.Time
	Actor    Actor
	OldKeyID string
	NewKeyID string
	Before   uint64 // entries before this one: Seq-1
	// Verified: the entry itself verified (CheckAuditLogKeys), being in a
	// period whose key is at hand. One in a lost period is only reported.
	Verified bool
}

func (r AuditRekey) detail() string {
	return fmt.Sprintf("audit key %s was lost and is replaced by key %s; the %d entries before this one were signed with it and can no longer be proven untampered",
		r.OldKeyID, r.NewKeyID, r.Before)
}

// Entry is the AuditKeyReplaced entry that records r; the store seals it
// with the new key.
func (r AuditRekey) Entry() *AuditEntry {
	return &AuditEntry{At: r.At, Actor: r.Actor, Action: AuditKeyReplaced, Detail: r.detail()}
}

// parseAuditRekey reads an AuditKeyReplaced entry; ok is false when its
// detail is not exactly what AuditRekey.Entry writes.
func parseAuditRekey(e *AuditEntry) (r AuditRekey, ok bool) {
	r = AuditRekey{Seq: e.Seq, At: e.At, Actor: e.Actor}
	if _, err := fmt.Sscanf(e.Detail, "audit key %s was lost and is replaced by key %s the %d entries", &r.OldKeyID, &r.NewKeyID, &r.Before); err != nil {
		return r, false
	}
	r.NewKeyID = strings.TrimSuffix(r.NewKeyID, ";")
	return r, r.OldKeyID != "" && r.NewKeyID != "" && r.detail() == e.Detail
}

// AuditPeriod is a run of entries signed with one key: from the first
// entry (or an AuditKeyReplaced entry) to the entry before the next
// AuditKeyReplaced one. Plain entries written before the log was keyed
// belong to the period of the first keyed entry, which covers them.
type AuditPeriod struct {
	From, To uint64 // entries; To < From when the period holds none
	KeyID    string
	// Verified: the key was at hand and every entry verified with it.
	// A period without it was checked for its links and numbering only.
	Verified bool
	// Replaced is the entry that replaced this period's key because it
	// was lost; nil for the newest period.
	Replaced *AuditRekey
}

// AuditReport is what CheckAuditLogKeys found.
type AuditReport struct {
	BadSeq  uint64 // as CheckAuditLog
	Problem string // "" when nothing was found wrong
	Periods []AuditPeriod
	Rekeys  []AuditRekey // every AuditKeyReplaced entry, oldest first
}

// Unverifiable lists the periods holding entries whose key is not at hand.
func (r *AuditReport) Unverifiable() []AuditPeriod {
	var out []AuditPeriod
	for _, p := range r.Periods {
		if !p.Verified && p.To >= p.From {
			out = append(out, p)
		}
	}
	return out
}

// OK says the whole log verified: nothing wrong and no entry left
// unverified.
func (r *AuditReport) OK() bool { return r.Problem == "" && len(r.Unverifiable()) == 0 }

// CheckAuditLogKeys checks a whole log as CheckAuditLog does, key period
// by key period: keys returns the key with an ID, or nil when it is not at
// hand. The newest period's key (head.KeyID) must be at hand for the log
// to verify at all: it seals the end of the log. An older period whose key
// was lost is reported in Periods, unverified: its entries' links and
// numbering are checked, their contents cannot be. Each AuditKeyReplaced
// entry must name the key of the period before it and the count of
// entries before it, and it is itself signed with the new key.
func CheckAuditLogKeys(entries []*AuditEntry, total int, head AuditHead, keys func(id string) *AuditKey) AuditReport {
	var r AuditReport
	fail := func(seq uint64, format string, a ...any) AuditReport {
		r.BadSeq, r.Problem = seq, fmt.Sprintf(format, a...)
		return r
	}
	for i, e := range entries {
		if e.Seq != uint64(i+1) {
			return fail(uint64(i+1), "audit entry %d is missing", i+1)
		}
	}
	if len(entries) != total {
		return fail(uint64(len(entries)+1), "the audit log says it has %d entries but holds %d", total, len(entries))
	}
	if head.KeyedFrom == 0 {
		return fail(0, "the mark saying where keyed entries begin (meta/audit_keyed_from) is missing")
	}
	// The periods, from the AuditKeyReplaced entries.
	for _, e := range entries {
		if e.Action != AuditKeyReplaced {
			continue
		}
		rk, ok := parseAuditRekey(e)
		if !ok || e.Version != AuditKeyed {
			return fail(e.Seq, "audit entry %d says the audit key was replaced, but not in the form CaseyOS writes", e.Seq)
		}
		if rk.Before != e.Seq-1 {
			return fail(e.Seq, "audit entry %d replaces the audit key after %d entries, but %d entries come before it", e.Seq, rk.Before, e.Seq-1)
		}
		if n := len(r.Rekeys); n > 0 && r.Rekeys[n-1].NewKeyID != rk.OldKeyID {
			return fail(e.Seq, "audit entry %d replaces key %s, but the entries before it were signed with key %s", e.Seq, rk.OldKeyID, r.Rekeys[n-1].NewKeyID)
		}
		r.Rekeys = append(r.Rekeys, rk)
	}
	if n := len(r.Rekeys); n > 0 && r.Rekeys[n-1].NewKeyID != head.KeyID {
		return fail(r.Rekeys[n-1].Seq, "audit entry %d replaced the audit key with key %s, but the log names key %s (meta/audit_key_id)", r.Rekeys[n-1].Seq, r.Rekeys[n-1].NewKeyID, head.KeyID)
	}
	from, keyID := uint64(1), head.KeyID
	if len(r.Rekeys) > 0 {
		keyID = r.Rekeys[0].OldKeyID
	}
	for i := range r.Rekeys {
		rk := &r.Rekeys[i]
		if rk.Seq > head.KeyedFrom { // a period with keyed entries
			r.Periods = append(r.Periods, AuditPeriod{From: from, To: rk.Seq - 1, KeyID: keyID, Replaced: rk})
			from = rk.Seq
		} // else only plain entries, which the new key's first entry covers
		keyID = rk.NewKeyID
	}
	r.Periods = append(r.Periods, AuditPeriod{From: from, To: uint64(len(entries)), KeyID: keyID})
	periodKeys := make([]*AuditKey, len(r.Periods)) // each asked for once: it may be the keychain
	for i := range r.Periods {
		periodKeys[i] = keys(r.Periods[i].KeyID)
		r.Periods[i].Verified = periodKeys[i] != nil
	}
	for i := range r.Rekeys {
		for _, p := range r.Periods {
			if p.From <= r.Rekeys[i].Seq && r.Rekeys[i].Seq <= p.To {
				r.Rekeys[i].Verified = p.Verified
			}
		}
	}

	// A tombstone is signed with the key current when it was made, which
	// may be a later period's key than its entry's.
	tombKeys := map[string]*AuditKey{}
	for i, p := range r.Periods {
		tombKeys[p.KeyID] = periodKeys[i]
	}
	tombKey := func(id string) *AuditKey {
		k, ok := tombKeys[id]
		if !ok {
			k = keys(id)
			tombKeys[id] = k
		}
		return k
	}
	prev, p := "", 0
	for _, e := range entries {
		for e.Seq > r.Periods[p].To && p < len(r.Periods)-1 {
			p++
		}
		key := periodKeys[p]
		if e.Tombstoned() {
			switch tk := tombKey(e.TombKeyID); {
			case e.Seq >= head.KeyedFrom && e.Version != AuditKeyed,
				e.Seq < head.KeyedFrom && e.Version != AuditPlain,
				e.PrevHash != prev:
				// reported below
			case tk == nil && r.Periods[p].Replaced != nil:
				r.Periods[p].Verified = false // emptied with a key that was lost since
			case tk == nil:
				return fail(e.Seq, "audit entry %d was emptied with key %s, which is not at hand", e.Seq, e.TombKeyID)
			case !e.checkTombstone(tk):
				return fail(e.Seq, "audit entry %d was emptied, but its tombstone does not verify: it was altered", e.Seq)
			default:
				key = nil // its content is gone: the tombstone stands for it
			}
		}
		switch {
		case e.Seq >= head.KeyedFrom && e.Version != AuditKeyed:
			return fail(e.Seq, "audit entry %d is not keyed, but every entry from %d on must be", e.Seq, head.KeyedFrom)
		case e.Seq < head.KeyedFrom && e.Version != AuditPlain:
			return fail(e.Seq, "audit entry %d is keyed, but keyed entries only begin at %d", e.Seq, head.KeyedFrom)
		case e.PrevHash != prev:
			return fail(e.Seq, "audit entry %d does not link to the entry before it", e.Seq)
		case !e.Tombstoned() && (key != nil || e.Version == AuditPlain) && !hashEqual(e.Hash, e.computeHash(key)):
			return fail(e.Seq, "audit entry %d was altered (its hash does not match)", e.Seq)
		}
		prev = e.Hash
	}
	n := uint64(len(entries))
	key := periodKeys[len(periodKeys)-1] // the newest period's: head.KeyID
	switch {
	case head.Hash == "" && n > 0:
		return fail(0, "the audit log's head (meta/audit_head) is missing")
	case head.Hash != prev:
		return fail(n+1, "the audit log ends at entry %d but its head names another entry: entries were cut off the end", n)
	case head.Seal == "":
		return fail(0, "the seal over the audit log's end (meta/audit_seal) is missing")
	case key == nil || !hashEqual(head.Seal, key.SealHead(head.Count, head.Hash, head.KeyedFrom)):
		return fail(n+1, "the seal over the audit log's end does not match its %d entries: entries were cut off the end, or its count, head or keyed-from mark edited", n)
	}
	return r
}

// hashEqual compares two hex hashes in constant time.
func hashEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// AuditKeySize is the length of an audit key in bytes.
const AuditKeySize = 32

// AuditKey is the secret the audit log is signed with. It lives in the OS
// keychain, or in a 0600 file beside the data file where there is none;
// never in the data file. Printing it shows its ID only.
type AuditKey struct {
	secret []byte
	id     string
	where  string
	macs   sync.Pool // of *auditMAC: an append is on the execution path
}

// auditMAC is an HMAC-SHA256 under the key with a buffer for the message,
// reused so that hashing an entry allocates nothing but its hex.
type auditMAC struct {
	h   hash.Hash
	buf []byte
	out [sha256.Size]byte
}

// sum is the hex HMAC of buf.
func (m *auditMAC) sum() string {
	m.h.Write(m.buf)
	return hex.EncodeToString(m.h.Sum(m.out[:0]))
}

// mac returns a reset auditMAC; put it back in k.macs.
func (k *AuditKey) mac() *auditMAC {
	if m, ok := k.macs.Get().(*auditMAC); ok {
		m.h.Reset()
		return m
	}
	return &auditMAC{h: hmac.New(sha256.New, k.secret), buf: make([]byte, 0, 512)}
}

// NewAuditKey wraps a secret of AuditKeySize bytes kept at where (said in
// messages: "the OS keychain", a file's path).
func NewAuditKey(secret []byte, where string) (*AuditKey, error) {
	if len(secret) != AuditKeySize {
		return nil, Errorf(EINVALID, "the audit key in %s is %d bytes, want %d", where, len(secret), AuditKeySize)
	}
	k := &AuditKey{secret: bytes.Clone(secret), where: where}
	m := hmac.New(sha256.New, k.secret)
	io.WriteString(m, "caseyos audit key id")
	k.id = hex.EncodeToString(m.Sum(nil)[:8])
	return k, nil
}

// ID names the key without revealing it; the data file records it.
func (k *AuditKey) ID() string { return k.id }

// Where says where the key is kept.
func (k *AuditKey) Where() string { return k.where }

// String shows the key's ID, never its secret.
func (k *AuditKey) String() string { return "audit key " + k.id }

// GoString shows the key's ID, never its secret.
func (k *AuditKey) GoString() string { return k.String() }

// SealHead is the HMAC over the log's count, newest hash and keyed-from
// mark, stored beside them so that none can be changed without the key.
func (k *AuditKey) SealHead(count uint64, head string, keyedFrom uint64) string {
	m := k.mac()
	defer k.macs.Put(m)
	b := append(m.buf[:0], "caseyos audit head v1"...)
	b = binary.BigEndian.AppendUint64(b, count)
	b = binary.BigEndian.AppendUint64(b, uint64(len(head)))
	b = append(b, head...)
	m.buf = binary.BigEndian.AppendUint64(b, keyedFrom)
	return m.sum()
}

// AuditFilter selects audit entries in sequence order.
type AuditFilter struct {
	MoveID *uint64
	Offset int
	Limit  int
}

// AuditService reads the audit log: its entries, one move's history, and
// whether the log is intact.
type AuditService struct{ *core }

// Entries returns audit entries in sequence order and how many there are.
func (s *AuditService) Entries(ctx context.Context, offset, limit int) ([]*AuditEntry, int, error) {
	var out []*AuditEntry
	var total int
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		out, total, err = tx.FindAudit(AuditFilter{Offset: offset, Limit: limit})
		return err
	})
	return out, total, WrapError("audit", err)
}

// History returns the audit entries of one move, oldest first.
func (s *AuditService) History(ctx context.Context, id uint64) ([]*AuditEntry, error) {
	var out []*AuditEntry
	err := s.store.View(ctx, func(tx Tx) error {
		if _, err := tx.FindMove(id); err != nil {
			return err
		}
		var err error
		out, _, err = tx.FindAudit(AuditFilter{MoveID: &id})
		return err
	})
	return out, WrapError("history", err)
}

// AuditCheck is the result of Verify.
type AuditCheck struct {
	Entries int
	// OK: every entry verified. False when something is wrong (Problem)
	// and when a period's key was lost (Unverifiable), even with nothing
	// found wrong.
	OK      bool
	BadSeq  uint64 // the first entry that does not verify
	Problem string // what is wrong; "" when nothing was found wrong
	Message string
	KeyID   string // the key the log is signed with now
	// Unverifiable are the periods whose key was lost and replaced: their
	// links and numbering were checked, their contents cannot be.
	Unverifiable []AuditPeriod
	Rekeys       []AuditRekey // every replacement of the key, oldest first
}

// Verify reads the whole audit log and checks it (CheckAuditLogKeys):
// an edited, inserted, dropped or cut-off entry is found, and so is an edit
// whose hashes were recomputed without the audit key. A period signed
// with a key that was lost and replaced (audit --rekey) is reported as
// unverifiable, never as OK. Without the current key it fails
// (EUNAVAILABLE, saying where the key was looked for) rather than vouch
// for what it could not check.
func (s *AuditService) Verify(ctx context.Context) (AuditCheck, error) {
	var out AuditCheck
	err := s.store.View(ctx, func(tx Tx) error {
		entries, total, err := tx.FindAudit(AuditFilter{})
		if err != nil {
			return err
		}
		head, err := tx.AuditHead()
		if err != nil {
			return err
		}
		key, err := tx.AuditKey()
		if err != nil {
			return err
		}
		keys := func(id string) *AuditKey {
			if id == key.ID() {
				return key
			}
			if k, err := tx.AuditKeyWithID(id); err == nil {
				return k // an older period's key, found again
			}
			return nil
		}
		r := CheckAuditLogKeys(entries, total, head, keys)
		out.Entries, out.OK, out.BadSeq, out.Problem = len(entries), r.OK(), r.BadSeq, r.Problem
		out.Unverifiable, out.Rekeys = r.Unverifiable(), r.Rekeys
		out.Message, out.KeyID = auditCheckMessage(&r, len(entries), key), key.ID()
		return nil
	})
	return out, WrapError("verify audit", err)
}

// auditCheckMessage says what r found, in words.
func auditCheckMessage(r *AuditReport, n int, key *AuditKey) string {
	if r.Problem != "" {
		return r.Problem
	}
	var parts []string
	for _, p := range r.Unverifiable() {
		parts = append(parts, fmt.Sprintf("entries %d–%d were signed with key %s, which was replaced on %s because it was lost; they cannot be verified (only their links and numbering were checked)",
			p.From, p.To, p.KeyID, p.Replaced.At.UTC().Format("2006-01-02 15:04 UTC")))
	}
	for _, p := range r.Periods {
		if p.Verified && p.To >= p.From && len(r.Rekeys) > 0 {
			parts = append(parts, fmt.Sprintf("entries %d–%d (key %s) verified", p.From, p.To, p.KeyID))
		}
	}
	for _, rk := range r.Rekeys {
		unverified := ""
		if !rk.Verified {
			unverified = " (this entry is in a period that cannot be verified either)"
		}
		parts = append(parts, fmt.Sprintf("entry %d replaced lost key %s with key %s on %s%s", rk.Seq, rk.OldKeyID, rk.NewKeyID, rk.At.UTC().Format("2006-01-02 15:04 UTC"), unverified))
	}
	parts = append(parts, fmt.Sprintf("%d entries, hash chain, head and seal intact (key %s)", n, key.ID()))
	return strings.Join(parts, "; ")
}
