// Package backend is the CaseyOS domain: the types (Signal, Move, Execution,
// Outcome, Contact, Company, Deal, AuditEntry, Settings), the interfaces the
// domain needs from the outside world (stores, Mailbox, Calendar, CRM,
// SocialFeed, LLM, Recognizer, Secrets, Clock, Events, Executor), the Error
// type with stable codes, and the logic that turns signals into scored moves
// (score.go, icp.go, recommend.go, queue.go, execute.go).
//
// It imports the standard library only; TestBackendImportsStdlibOnly enforces
// that, so the domain can never learn which vendor sits behind an interface.
package backend
