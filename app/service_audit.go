package app

// AuditService is bound for the Audit view (the audit store): the log and its
// hash-chain check. Its methods are the App's, bound as AuditService.<Method>
// in the window and served as POST /api/AuditService.<Method> (docs/api.md).
type AuditService struct{ a *App }

// AuditLog is [App.AuditLog].
func (s *AuditService) AuditLog(offset, limit int) (AuditLogDTO, error) {
	return s.a.AuditLog(offset, limit)
}

// VerifyAudit is [App.VerifyAudit].
func (s *AuditService) VerifyAudit() (AuditCheckDTO, error) { return s.a.VerifyAudit() }
