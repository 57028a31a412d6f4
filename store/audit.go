package store

import (
	"context"
	"fmt"
	"path/filepath"

	bolt "go.etcd.io/bbolt"

	"github.com/caseyos/caseyos/backend"
)

func auditEntries(e *backend.AuditEntry) []entry {
	return []entry{{bAuditByMove, idIDKey(e.MoveID, e.Seq), nil}}
}

// AppendAudit validates e, gives it the next sequence number, links it to
// the newest entry (meta/audit_head) and seals it with the audit key, then
// writes it, moves the head and seals the new head. The audit bucket's
// keys are exactly 1..its sequence: the sequence is only advanced once the
// entry is written, so a failed append leaves no gap. Without the audit
// key nothing is appended: an unkeyed entry would let history be rewritten.
func (t *tx) AppendAudit(e *backend.AuditEntry) error {
	const op = "store.AppendAudit"
	if e == nil {
		return invalid(op, "audit entry is empty")
	}
	if err := e.Validate(); err != nil {
		return err
	}
	key := t.db.key.Load() // loaded before the transaction began, for this file's key ID
	if key == nil {
		var err error
		if key, err = t.AuditKey(); err != nil {
			return backend.WrapError(op, err)
		}
	}
	return t.appendAudit(op, e, key)
}

// appendAudit appends e signed with key. The head (meta/audit_head) and
// its seal are written once, by sealAudit when the transaction ends, not
// after every entry: an ingest appends thousands in one transaction, and
// the head it leaves is what verification reads.
func (t *tx) appendAudit(op string, e *backend.AuditEntry, key *backend.AuditKey) error {
	tail := t.auditTail()
	b := t.bucket(bAudit)
	sealed := *e
	sealed.Seq = b.Sequence() + 1
	sealed.Seal(tail.head, key)
	v, err := encode(op, "audit entry "+e.Action, toAuditRecord(&sealed))
	if err != nil {
		return err
	}
	if err := b.Put(u64(sealed.Seq), v); err != nil {
		return internal(op, err)
	}
	if err := b.SetSequence(sealed.Seq); err != nil {
		return internal(op, err)
	}
	if err := putEntries(t.bt, auditEntries(&sealed)); err != nil {
		return internal(op, err)
	}
	tail.head, tail.seq, tail.key = sealed.Hash, sealed.Seq, key
	e.Seq, e.Version, e.PrevHash, e.Hash = sealed.Seq, sealed.Version, sealed.PrevHash, sealed.Hash
	return nil
}

// auditTail is the end of the log as a write transaction has appended to
// it: the newest hash, and, once an entry is appended, its sequence and
// the key that must seal the head.
type auditTail struct {
	head      string
	keyedFrom uint64
	seq       uint64
	key       *backend.AuditKey // nil: nothing appended since the head was sealed
}

func (t *tx) auditTail() *auditTail {
	if t.audit == nil {
		meta := t.bucket(bMeta)
		keyedFrom, _ := decodeU64(meta.Get(kAuditKeyedFrom))
		t.audit = &auditTail{head: string(meta.Get(kAuditHead)), keyedFrom: keyedFrom}
	}
	return t.audit
}

// sealAudit writes the head the transaction's appends left and seals it.
// audit_keyed_from and audit_key_id were written with the first seal
// (Open, the upgrade) and never change.
func (t *tx) sealAudit() error {
	const op = "store.AppendAudit"
	tail := t.audit
	if tail == nil || tail.key == nil {
		return nil
	}
	meta := t.bucket(bMeta)
	if err := meta.Put(kAuditHead, []byte(tail.head)); err != nil {
		return internal(op, err)
	}
	if err := meta.Put(kAuditSeal, []byte(tail.key.SealHead(tail.seq, tail.head, tail.keyedFrom))); err != nil {
		return internal(op, err)
	}
	tail.key = nil
	return nil
}

// putAuditHead writes the head, the keyed-from mark, the key's ID and the
// seal over them.
func putAuditHead(meta *bolt.Bucket, key *backend.AuditKey, count uint64, head string, keyedFrom uint64) error {
	if head != "" {
		if err := meta.Put(kAuditHead, []byte(head)); err != nil {
			return err
		}
	}
	if err := meta.Put(kAuditKeyedFrom, u64(keyedFrom)); err != nil {
		return err
	}
	if err := meta.Put(kAuditKeyID, []byte(key.ID())); err != nil {
		return err
	}
	return meta.Put(kAuditSeal, []byte(key.SealHead(count, head, keyedFrom)))
}

// AuditHead returns the audit count and what meta holds about the log.
func (t *tx) AuditHead() (backend.AuditHead, error) {
	if err := t.sealAudit(); err != nil {
		return backend.AuditHead{}, err
	}
	meta := t.bucket(bMeta)
	keyedFrom, _ := decodeU64(meta.Get(kAuditKeyedFrom))
	return backend.AuditHead{
		Count:     t.bucket(bAudit).Sequence(),
		Hash:      string(meta.Get(kAuditHead)),
		KeyedFrom: keyedFrom,
		KeyID:     string(meta.Get(kAuditKeyID)),
		Seal:      string(meta.Get(kAuditSeal)),
	}, nil
}

// AuditKey returns the audit key named by meta/audit_key_id, loading it
// once per DB (in a read transaction that is the first to need it; a
// write transaction has it loaded before it begins).
func (t *tx) AuditKey() (*backend.AuditKey, error) {
	id := t.get(bMeta, kAuditKeyID)
	if k := t.db.key.Load(); k != nil && string(id) == k.ID() {
		return k, nil // without converting id: an append is on the execution path
	}
	return t.db.auditKey(string(id), !t.bt.Writable())
}

// AuditKeyWithID returns the key with id when it is at hand, looking where
// a key is kept (loadAuditKey) without creating one or keeping it: an
// older key period's key, found again, verifies that period.
func (t *tx) AuditKeyWithID(id string) (*backend.AuditKey, error) {
	if k := t.db.key.Load(); k != nil && k.ID() == id {
		return k, nil
	}
	if id == "" || t.bt.Writable() {
		return nil, backend.Errorf(backend.EUNAVAILABLE, "the audit key %q is not at hand", id)
	}
	return loadAuditKey(t.db.secrets, filepath.Dir(t.db.path), id)
}

// RekeyAudit replaces the audit key when it is lost: it takes a key by
// the rule that places a new one (the keychain's, made there if it has
// none, else AuditKeyFile), appends an AuditKeyReplaced entry signed with
// it that names the lost key and counts the entries before it, and
// reseals the log's end with it. The entries signed with the lost key can
// then no longer be proven untampered; CheckAuditLogKeys reports them.
// While the key can be had it refuses (ECONFLICT): there is nothing to
// replace. A key that is only out of reach here (a keychain that does not
// answer) counts as lost; the CLI says so before it asks.
func (db *DB) RekeyAudit(ctx context.Context, actor backend.Actor) (backend.AuditRekey, error) {
	const op = "store.RekeyAudit"
	if err := ctx.Err(); err != nil {
		return backend.AuditRekey{}, err
	}
	var old string
	err := db.bolt.View(func(btx *bolt.Tx) error {
		old = string(btx.Bucket(bMeta).Get(kAuditKeyID))
		return nil
	})
	if err != nil {
		return backend.AuditRekey{}, internal(op, err)
	}
	if old == "" {
		return backend.AuditRekey{}, backend.Errorf(backend.ECONFLICT, "the data file does not name the key its audit log is signed with (meta/audit_key_id is missing): it was altered, and replacing the key would hide that")
	}
	switch k, err := db.auditKey(old, true); backend.ErrorCode(err) {
	case "":
		return backend.AuditRekey{}, &backend.Error{Code: backend.ECONFLICT, Op: op, Message: fmt.Sprintf("the audit log's key %s is here (in %s): there is nothing to replace", k.ID(), k.Where())}
	case backend.EUNAVAILABLE:
	default:
		return backend.AuditRekey{}, backend.WrapError(op, err)
	}
	key, err := loadAuditKey(db.secrets, filepath.Dir(db.path), "")
	if err != nil {
		return backend.AuditRekey{}, backend.WrapError(op, err)
	}
	if key.ID() == old {
		return backend.AuditRekey{}, backend.Errorf(backend.ECONFLICT, "the audit log's key %s is here: there is nothing to replace", old)
	}
	rk := backend.AuditRekey{At: db.clock.Now(), Actor: actor, OldKeyID: old, NewKeyID: key.ID()}
	err = db.bolt.Update(func(btx *bolt.Tx) error {
		t := &tx{db: db, bt: btx}
		meta := t.bucket(bMeta)
		if string(meta.Get(kAuditKeyID)) != old {
			return backend.Errorf(backend.ECONFLICT, "the audit key was replaced meanwhile")
		}
		rk.Before = t.bucket(bAudit).Sequence()
		e := rk.Entry()
		if err := t.appendAudit(op, e, key); err != nil {
			return err
		}
		rk.Seq = e.Seq
		if err := t.sealAudit(); err != nil {
			return err
		}
		if err := meta.Put(kAuditKeyID, []byte(key.ID())); err != nil {
			return internal(op, err)
		}
		return nil
	})
	if err != nil {
		return backend.AuditRekey{}, backend.WrapError(op, err)
	}
	db.keyMu.Lock()
	db.key.Store(key)
	db.keyErr = nil
	db.keyMu.Unlock()
	return rk, nil
}

// FindAudit returns entries in sequence order and how many match. Without
// MoveID the total is the bucket's sequence and Offset is a seek, so paging
// to the end of a long log costs no more than paging from its start.
func (t *tx) FindAudit(f backend.AuditFilter) ([]*backend.AuditEntry, int, error) {
	const op = "store.FindAudit"
	if err := checkPage(op, f.Offset, f.Limit); err != nil {
		return nil, 0, err
	}
	b := t.bucket(bAudit)
	var seqs []uint64
	total := 0
	if f.MoveID != nil {
		all, err := childIDs(t.cursor(bAuditByMove), bAuditByMove, *f.MoveID)
		if err != nil {
			return nil, 0, backend.WrapError(op, err)
		}
		total = len(all)
		if f.Offset < len(all) {
			seqs = all[f.Offset:]
		}
		if f.Limit > 0 && len(seqs) > f.Limit {
			seqs = seqs[:f.Limit]
		}
	} else {
		total = int(b.Sequence())
		c := b.Cursor()
		for k, _ := c.Seek(u64(uint64(f.Offset) + 1)); k != nil && (f.Limit == 0 || len(seqs) < f.Limit); k, _ = c.Next() {
			seq, ok := decodeU64(k)
			if !ok {
				return nil, 0, backend.WrapError(op, corrupt(bAudit, k, errBadID))
			}
			seqs = append(seqs, seq)
		}
	}
	out, err := getRecords(seqs, func(seq uint64) (*backend.AuditEntry, error) {
		return getRecord(t, op, bAudit, u64(seq),
			func(r *auditRecord) *backend.AuditEntry { return fromAuditRecord(seq, r) },
			func() error { return backend.WrapError(op, corrupt(bAudit, u64(seq), errDangling)) })
	})
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}
