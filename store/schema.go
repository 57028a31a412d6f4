package store

import (
	"bytes"
	"encoding/binary"
	"math"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The data file, schema version 3. "|" joins fixed-width parts of a key,
// 0x00 ends a variable-width part; ids are big-endian uint64s from the
// bucket's NextSequence; times are big-endian unix nanoseconds with the sign
// bit flipped (so they sort, before 1970 too); a score is the 8-byte
// order-preserving form of the float64 (see scoreBits). Values are JSON of
// the records in the *_record.go files unless noted.
//
//	meta
//	├── schema_version            → uint64
//	├── settings                  → settingsRecord (absent: backend.DefaultSettings)
//	├── workspace                 → workspaceRecord (absent: zero Workspace)
//	├── guardrails                → guardrailsRecord (absent: backend.DefaultGuardrails)
//	├── audit_head                → hex hash of the newest audit entry (absent: no entries)
//	├── audit_keyed_from          → uint64: the first audit seq signed with the audit key; older ones are plain
//	├── audit_key_id              → hex ID of the audit key (backend.AuditKey.ID; the key itself is never here)
//	├── audit_seal                → hex HMAC over the audit count, audit_head and audit_keyed_from
//	└── learn_state               → learnStateRecord (absent: never reset, moves not yet indexed by cell)
//	signals                       id → signalRecord
//	signals_by_dedupe             dedupe key → id
//	signals_by_time               occurredAt | id → source 0x00 type
//	moves                         id → moveRecord
//	moves_by_status_score         status 0x00 | score | ^id → domain   (^id: equal scores list the older move first)
//	moves_open                    subject type:id 0x00 kind → id        (open statuses only: one per subject and kind)
//	moves_by_rescore              rescoreAt | id → ""                   (open moves whose urgency will drift)
//	moves_by_expiry               expiresAt | id → ""                   (open moves with an ExpiresAt)
//	moves_by_snooze               snoozedUntil | id → ""                (snoozed moves)
//	moves_by_cell                 learning cell 0x00 | id → ""          (open moves with a Score.Learned.Cell)
//	move_counts                   status 0x00 domain → uint64           (absent: 0)
//	executions                    id → executionRecord
//	executions_by_key             idempotency key → id
//	executions_by_move            moveID | id → ""
//	executions_by_state           state 0x00 id → ""
//	do_not_contact                lower-case email → dncRecord
//	rules                         id → ruleRecord                       (auto-approval rules)
//	outcomes                      id → outcomeRecord
//	outcomes_by_move              moveID | id → ""
//	outcome_watches               execution id → watchRecord            (executions still open to outcomes)
//	outcome_links                 link 0x00 execution id → ""           (thread:…, msgid:…, event:…, deal:…, task:…, post:…, contact:…)
//	outcome_due                   respondBy | execution id → ""         (watches awaiting a response)
//	sequences                     id → sequenceRecord                   (follow-up sequences)
//	sequences_by_move             moveID | id → ""                      (every step's move)
//	sequences_by_link             link 0x00 | id → ""                   ("thread:ID", "to:address")
//	sequences_due                 nextAt | id → ""                      (sequences with a NextAt)
//	contacts                      contact id → contactRecord
//	contacts_by_email             lower-case email 0x00 contact id → ""
//	contacts_by_x_handle          lower-case X handle 0x00 contact id → ""
//	contact_pairs                 contact id 0x00 contact id → pairRecord (the smaller id first: "not a duplicate", merged)
//	contact_aliases               "id" 0x00 merged contact id → surviving id; "email" 0x00 merged address → surviving id
//	companies                     company id → companyRecord
//	deals                         deal id → dealRecord
//	deals_by_activity             lastActivityAt | deal id → ""         (deals with a LastActivityAt)
//	audit                         seq → auditRecord                     (append-only: the bucket's sequence is the count; "v": 2 keyed, absent plain)
//	audit_by_move                 moveID | seq → ""
//	cursors                       account → cursor (plain string)
//	stats                         name 0x00 | quarter-hour → uint64     (counters: done, skipped, minutes_saved)
//	learn_cells                   learning cell "kind|domain|tier|size|channel" → learnCellRecord
//	notified                      moveID | notification kind → notifiedRecord (a move interrupts once per kind)
//
// do_not_contact, rules, meta/guardrails, contacts_by_x_handle, contact_pairs, outcome_*, sequences*,
// contact_aliases, moves_by_cell, learn_cells, notified and meta/learn_state came after version 2 without a
// version bump: Open creates missing buckets, and their absence reads as
// empty and as the defaults, so older files need no upgrade.
//
// Schema version 1 (see migrate.go) had only meta/schema_version, signals
// and moves, with a flat move record. Schema version 2 had no audit key:
// every audit entry was plain SHA-256 and meta had audit_head only.
//
// The audit key lives in the OS keychain (account audit-key), or where
// there is none in audit.key (0600) beside this file; see auditkey.go.

// SchemaVersion is the data file schema this build reads and writes.
// Raising it needs a migration in migrate.go, a fixture and an upgrade test.
const SchemaVersion = 3

// currentVersion is SchemaVersion in the form stored in meta/schema_version.
const currentVersion uint64 = SchemaVersion

var (
	bMeta               = []byte("meta")
	bSignals            = []byte("signals")
	bSignalsByDedupe    = []byte("signals_by_dedupe")
	bSignalsByTime      = []byte("signals_by_time")
	bMoves              = []byte("moves")
	bMovesByStatusScore = []byte("moves_by_status_score")
	bMovesOpen          = []byte("moves_open")
	bMovesByRescore     = []byte("moves_by_rescore")
	bMovesByExpiry      = []byte("moves_by_expiry")
	bMovesBySnooze      = []byte("moves_by_snooze")
	bMoveCounts         = []byte("move_counts")
	bExecutions         = []byte("executions")
	bExecutionsByKey    = []byte("executions_by_key")
	bExecutionsByMove   = []byte("executions_by_move")
	bExecutionsByState  = []byte("executions_by_state")
	bOutcomes           = []byte("outcomes")
	bOutcomesByMove     = []byte("outcomes_by_move")
	bOutcomeWatches     = []byte("outcome_watches")
	bOutcomeLinks       = []byte("outcome_links")
	bOutcomeDue         = []byte("outcome_due")
	bSequences          = []byte("sequences")
	bSequencesByMove    = []byte("sequences_by_move")
	bSequencesByLink    = []byte("sequences_by_link")
	bSequencesDue       = []byte("sequences_due")
	bContacts           = []byte("contacts")
	bContactsByEmail    = []byte("contacts_by_email")
	bContactsByXHandle  = []byte("contacts_by_x_handle")
	bCompanies          = []byte("companies")
	bDeals              = []byte("deals")
	bDealsByActivity    = []byte("deals_by_activity")
	bAudit              = []byte("audit")
	bAuditByMove        = []byte("audit_by_move")
	bCursors            = []byte("cursors")
	bStats              = []byte("stats")
	bDoNotContact       = []byte("do_not_contact")
	bRules              = []byte("rules")
	bContactPairs       = []byte("contact_pairs")
	bContactAliases     = []byte("contact_aliases")
	bMovesByCell        = []byte("moves_by_cell")
	bLearnCells         = []byte("learn_cells")
	bNotified           = []byte("notified")

	kSchemaVersion  = []byte("schema_version")
	kSettings       = []byte("settings")
	kWorkspace      = []byte("workspace")
	kAuditHead      = []byte("audit_head")
	kAuditKeyedFrom = []byte("audit_keyed_from")
	kAuditKeyID     = []byte("audit_key_id")
	kAuditSeal      = []byte("audit_seal")
	kGuardrails     = []byte("guardrails")
	kLearnState     = []byte("learn_state")
)

// allBuckets lists every bucket of the current schema; Open creates them.
var allBuckets = [][]byte{
	bMeta,
	bSignals, bSignalsByDedupe, bSignalsByTime,
	bMoves, bMovesByStatusScore, bMovesOpen, bMovesByRescore, bMovesByExpiry, bMovesBySnooze, bMoveCounts,
	bExecutions, bExecutionsByKey, bExecutionsByMove, bExecutionsByState,
	bOutcomes, bOutcomesByMove, bOutcomeWatches, bOutcomeLinks, bOutcomeDue,
	bSequences, bSequencesByMove, bSequencesByLink, bSequencesDue,
	bContacts, bContactsByEmail, bContactsByXHandle, bCompanies, bDeals, bDealsByActivity,
	bAudit, bAuditByMove,
	bCursors, bStats,
	bDoNotContact, bRules,
	bContactPairs, bContactAliases,
	bMovesByCell, bLearnCells,
	bNotified,
}

func createBuckets(btx *bolt.Tx) error {
	for _, name := range allBuckets {
		if _, err := btx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}

// u64 is the 8-byte big-endian form of v.
func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

// decodeU64 reads an 8-byte big-endian uint64; ok is false for any other length.
func decodeU64(b []byte) (v uint64, ok bool) {
	if len(b) != 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(b), true
}

var (
	minKeyTime = time.Unix(0, math.MinInt64)
	maxKeyTime = time.Unix(0, math.MaxInt64)
)

// timeBits orders times as unsigned integers. Times outside the range of
// UnixNano (before 1678 or after 2262) are clamped to its ends.
func timeBits(t time.Time) uint64 {
	switch {
	case t.Before(minKeyTime):
		return 0
	case t.After(maxKeyTime):
		return math.MaxUint64
	}
	return uint64(t.UnixNano()) ^ (1 << 63)
}

// scoreBits orders float64s as unsigned integers: positive numbers get their
// sign bit set, negative numbers have every bit flipped.
func scoreBits(f float64) uint64 {
	b := math.Float64bits(f)
	if b>>63 == 1 {
		return ^b
	}
	return b | 1<<63
}

// join concatenates key parts into a fresh slice.
func join(parts ...[]byte) []byte {
	return bytes.Join(parts, nil)
}

// timeIDKey is t | id, the key of the time indexes.
func timeIDKey(t time.Time, id uint64) []byte {
	return join(u64(timeBits(t)), u64(id))
}

// idIDKey is parent | child, the key of the per-move indexes.
func idIDKey(parent, child uint64) []byte {
	return join(u64(parent), u64(child))
}

var sep = []byte{0}

// prefixEnd returns the smallest key greater than every key that starts with
// prefix, where prefix ends in the 0x00 separator.
func prefixEnd(prefix []byte) []byte {
	end := bytes.Clone(prefix)
	end[len(end)-1]++
	return end
}

// entry is one index key derived from a record. A record's entries are
// computed by one function (signalEntries, moveEntries …) that writing,
// rewriting and checking all share, so they cannot drift apart.
type entry struct {
	bucket, key, value []byte
}

// appendOnly names the buckets whose keys are ids from NextSequence or
// id-prefixed, so new keys always sort last.
var appendOnly = map[string]bool{
	string(bSignals): true, string(bMoves): true, string(bAudit): true,
	string(bExecutions): true, string(bOutcomes): true, string(bRules): true,
	string(bSequences): true,
}

func putEntries(btx *bolt.Tx, es []entry) error {
	for _, e := range es {
		v := e.value
		if v == nil {
			v = []byte{}
		}
		if err := btx.Bucket(e.bucket).Put(e.key, v); err != nil {
			return err
		}
	}
	return nil
}

func deleteEntries(btx *bolt.Tx, es []entry) error {
	for _, e := range es {
		if err := btx.Bucket(e.bucket).Delete(e.key); err != nil {
			return err
		}
	}
	return nil
}

// changedKeys splits a record's index entries before and after a rewrite
// into those to delete and those to put, leaving out the keys it keeps:
// for indexes whose values never change (outcome links, contacts by
// address, deals by activity), rewriting a record whose indexed fields
// stay the same touches no index at all.
func changedKeys(before, after []entry) (gone, added []entry) {
	return diffEntries(before, after, func(a, b entry) bool {
		return string(a.bucket) == string(b.bucket) && string(a.key) == string(b.key)
	})
}

// diffEntries returns the entries of before that after has no same of
// (to delete) and those of after that before has none of (to put).
func diffEntries(before, after []entry, same func(a, b entry) bool) (gone, added []entry) {
	in := func(e entry, es []entry) bool {
		for _, x := range es {
			if same(e, x) {
				return true
			}
		}
		return false
	}
	for _, e := range before {
		if !in(e, after) {
			gone = append(gone, e)
		}
	}
	for _, e := range after {
		if !in(e, before) {
			added = append(added, e)
		}
	}
	return gone, added
}
