package app

import "github.com/caseyos/caseyos/backend"

// AuditService is bound for the Audit view (the audit store): the log and its
// hash-chain check. It runs on the App's core and is bound as
// AuditService.<Method> in the window and served as POST
// /api/AuditService.<Method> (docs/api.md).
type AuditService struct{ a *App }

// AuditLog returns audit entries in sequence order (limit 0 = all).
func (svc *AuditService) AuditLog(offset, limit int) (AuditLogDTO, error) {
	a := svc.a
	if offset < 0 || limit < 0 {
		return AuditLogDTO{}, backend.Errorf(backend.EINVALID, "offset and limit cannot be negative")
	}
	list, total, err := a.queue.Audit.Entries(a.ctx, offset, limit)
	if err != nil {
		return AuditLogDTO{}, err
	}
	out := AuditLogDTO{Total: total, Entries: []AuditEntryDTO{}}
	for _, e := range list {
		out.Entries = append(out.Entries, AuditEntryDTO{AuditDTO: toAuditDTO(e), MoveID: e.MoveID, Reasons: e.Reasons, PrevHash: e.PrevHash, Hash: e.Hash})
	}
	return out, nil
}

// VerifyAudit checks the whole audit log: an edited or dropped entry is
// found, and entries signed with a lost key are reported unverifiable.
func (svc *AuditService) VerifyAudit() (AuditCheckDTO, error) {
	a := svc.a
	c, err := a.queue.Audit.Verify(a.ctx)
	if err != nil {
		return AuditCheckDTO{}, err
	}
	out := AuditCheckDTO{OK: c.OK, Status: "ok", Entries: c.Entries, BadSeq: c.BadSeq, Message: c.Message, KeyID: c.KeyID}
	switch {
	case c.Problem != "":
		out.Status = "tampered"
	case !c.OK:
		out.Status = "partly_unverifiable"
	}
	for _, p := range c.Unverifiable {
		out.Unverifiable = append(out.Unverifiable, AuditKeyPeriodDTO{From: p.From, To: p.To, KeyID: p.KeyID, ReplacedAt: p.Replaced.At.UTC(), ReplacedBy: p.Replaced.Seq})
	}
	for _, r := range c.Rekeys {
		out.Rekeys = append(out.Rekeys, AuditKeyReplacedDTO{Seq: r.Seq, At: r.At.UTC(), OldKeyID: r.OldKeyID, NewKeyID: r.NewKeyID, Before: r.Before})
	}
	return out, nil
}
