package store

import (
	"github.com/caseyos/caseyos/backend"
)

func auditEntries(e *backend.AuditEntry) []entry {
	return []entry{{bAuditByMove, idIDKey(e.MoveID, e.Seq), nil}}
}

// AppendAudit validates e, gives it the next sequence number, links it to
// the newest entry (meta/audit_head) and seals it, then writes it and moves
// the head. The audit bucket's keys are exactly 1..its sequence: the
// sequence is only advanced once the entry is written, so a failed append
// leaves no gap.
func (t *tx) AppendAudit(e *backend.AuditEntry) error {
	const op = "store.AppendAudit"
	if e == nil {
		return invalid(op, "audit entry is empty")
	}
	if err := e.Validate(); err != nil {
		return err
	}
	meta, b := t.bucket(bMeta), t.bucket(bAudit)
	sealed := *e
	sealed.Seq = b.Sequence() + 1
	sealed.Seal(string(meta.Get(kAuditHead)))
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
	if err := meta.Put(kAuditHead, []byte(sealed.Hash)); err != nil {
		return internal(op, err)
	}
	e.Seq, e.PrevHash, e.Hash = sealed.Seq, sealed.PrevHash, sealed.Hash
	return nil
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
		all, err := childIDs(t.bucket(bAuditByMove).Cursor(), bAuditByMove, *f.MoveID)
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
	out := make([]*backend.AuditEntry, 0, len(seqs))
	for _, seq := range seqs {
		key := u64(seq)
		v := b.Get(key)
		if v == nil {
			return nil, 0, backend.WrapError(op, corrupt(bAudit, key, errDangling))
		}
		var r auditRecord
		if err := decode(bAudit, key, v, &r); err != nil {
			return nil, 0, backend.WrapError(op, err)
		}
		out = append(out, fromAuditRecord(seq, &r))
	}
	return out, total, nil
}
