package backend

import (
	"context"
	"io"
	"time"
)

// Store is the durable home of every record. Domain operations that must be
// atomic (a signal, the moves it produces and their audit entries; a sync
// cursor and the signals fetched with it) run inside one transaction.
//
// Update runs fn in a read-write transaction and commits if fn returns nil;
// View runs fn in a read-only one. Records returned by a Tx are copies that
// stay valid after the transaction ends. Never hold a transaction across
// network I/O.
type Store interface {
	View(ctx context.Context, fn func(Tx) error) error
	Update(ctx context.Context, fn func(Tx) error) error
	// Backup writes a consistent copy of the whole database to w while the
	// store stays usable.
	Backup(ctx context.Context, w io.Writer) (int64, error)
	Close() error
}

// Tx is one transaction over every store.
type Tx interface {
	SignalStore
	MoveStore
	ExecutionStore
	OutcomeStore
	OutcomeWatchStore
	SequenceStore
	CRMStore
	AuditStore
	SettingsStore
	CursorStore
	WorkspaceStore
	StatsStore
	GuardrailStore
	PairStore
	ContactMergeStore
	LearnStore
	NotifiedStore
}

// NotifiedStore remembers which moves have interrupted the founder, so
// that a move notifies at most once per kind, across restarts.
type NotifiedStore interface {
	// Notified returns when move id was notified (or suppressed) for kind;
	// zero when it never was.
	Notified(id uint64, kind NotifyKind) (time.Time, error)
	PutNotified(id uint64, kind NotifyKind, at time.Time) error
}

// LearnStore holds what learning keeps (learn.go): the evidence per cell,
// the reset epoch, and an index of the open moves by their cell, kept in
// the same transaction as the move.
type LearnStore interface {
	// FindLearnCell returns the cell named key, or ENOTFOUND.
	FindLearnCell(key string) (*LearnCell, error)
	PutLearnCell(c *LearnCell) error
	// DeleteLearnCells forgets every cell.
	DeleteLearnCells() error
	// LearnState returns the stored state, or a zero one.
	LearnState() (*LearnState, error)
	PutLearnState(s *LearnState) error
	// OpenMovesInCell returns the open moves whose Score.Learned.Cell is key.
	OpenMovesInCell(key string) ([]*Move, error)
	// EachOutcomeForLearning calls fn with every outcome, in id order,
	// until fn returns an error, which it returns.
	EachOutcomeForLearning(fn func(*Outcome) error) error
}

// GuardrailStore holds what the execution policy reads: the kill switch and
// send window, the do-not-contact list and the auto-approval rules.
type GuardrailStore interface {
	// Guardrails returns the stored guardrails, or DefaultGuardrails.
	Guardrails() (*Guardrails, error)
	PutGuardrails(g *Guardrails) error
	// DoNotContact returns the entry for an address (any case), or ENOTFOUND.
	DoNotContact(email string) (*DoNotContact, error)
	// LookupDoNotContact is DoNotContact for hot paths: ok is false, and
	// err nil, when the address is not on the list.
	LookupDoNotContact(email string) (d *DoNotContact, ok bool, err error)
	PutDoNotContact(d *DoNotContact) error
	DeleteDoNotContact(email string) error // ENOTFOUND when absent
	FindDoNotContacts() ([]*DoNotContact, error)
	// PutRule stores r, assigning r.ID when it is 0.
	PutRule(r *Rule) error
	FindRules() ([]*Rule, error) // by id
	DeleteRule(id uint64) error  // ENOTFOUND when absent
}

// StatsStore keeps counters per quarter-hour (moves done, skipped, minutes
// saved), so "today" is a sum of at most 96 slots, not a walk of the log.
type StatsStore interface {
	AddStat(name string, at time.Time, delta int) error
	SumStat(name string, from, to time.Time) (int, error)
}

// SignalStore holds signals, unique by DedupeKey.
type SignalStore interface {
	// CreateSignal assigns s.ID. A signal whose DedupeKey is already stored
	// is an ECONFLICT error.
	CreateSignal(s *Signal) error
	SignalByDedupeKey(key string) (*Signal, error)
	FindSignal(id uint64) (*Signal, error)
	// FindSignals returns matching signals, newest first, and how many match.
	FindSignals(f SignalFilter) ([]*Signal, int, error)
}

// MoveStore holds moves and keeps their indexes (status and score; open move
// per subject and kind; deadlines; expiry; counts) in the same transaction.
type MoveStore interface {
	CreateMove(m *Move) error // assigns m.ID
	UpdateMove(m *Move) error // replaces the stored move with m
	FindMove(id uint64) (*Move, error)
	// OpenMove returns the open (pending, snoozed, executing or failed) move
	// for subject and kind, or ENOTFOUND.
	OpenMove(subject Subject, kind MoveKind) (*Move, error)
	// FindMoves returns matching moves and how many match in total,
	// ignoring Offset and Limit.
	FindMoves(f MoveFilter) ([]*Move, int, error)
	// CountMoves counts moves in a status, optionally in one domain, in O(1).
	CountMoves(status MoveStatus, domain *Domain) (int, error)
	// OpenMovesToRescore returns open moves whose Score.RescoreAt is before t.
	OpenMovesToRescore(t time.Time) ([]*Move, error)
	// OpenMovesExpiringBefore returns open moves whose ExpiresAt is before t.
	OpenMovesExpiringBefore(t time.Time) ([]*Move, error)
	// SnoozedMovesUntil returns snoozed moves whose snooze ends before t.
	SnoozedMovesUntil(t time.Time) ([]*Move, error)
}

// ExecutionStore holds executions, unique by idempotency key, with at most
// one open (OpenExecutionStates) execution per move.
type ExecutionStore interface {
	// CreateExecution assigns e.ID; ECONFLICT when the key exists or the
	// move already has an open execution.
	CreateExecution(e *Execution) error
	UpdateExecution(e *Execution) error
	FindExecution(id uint64) (*Execution, error)
	ExecutionByKey(key string) (*Execution, error)
	FindExecutions(moveID uint64) ([]*Execution, error)
	// ExecutionsInState returns executions in any of states (for reconciling after a crash).
	ExecutionsInState(states ...ExecutionState) ([]*Execution, error)
}

// OutcomeStore holds outcomes.
type OutcomeStore interface {
	CreateOutcome(o *Outcome) error
	FindOutcomes(moveID uint64) ([]*Outcome, error)
	// RecentOutcomes returns up to limit outcomes, the last recorded first.
	RecentOutcomes(limit int) ([]*Outcome, error)
}

// CRMStore holds the local copy of contacts, companies and deals.
type CRMStore interface {
	PutContact(c *Contact) error
	FindContact(id string) (*Contact, error)
	ContactByEmail(email string) (*Contact, error)
	// ContactByXHandle finds a contact by its X handle (any case, with
	// or without the @), or ENOTFOUND.
	ContactByXHandle(handle string) (*Contact, error)
	// EachContact calls fn with every contact, in id order, until fn
	// returns an error, which it returns.
	EachContact(fn func(*Contact) error) error
	// EachCompany calls fn with every company, in id order, until fn
	// returns an error, which it returns.
	EachCompany(fn func(*Company) error) error
	PutCompany(c *Company) error
	FindCompany(id string) (*Company, error)
	PutDeal(d *Deal) error
	FindDeal(id string) (*Deal, error)
	FindDeals(f DealFilter) ([]*Deal, error)
}

// AuditStore is the append-only, hash-chained audit log.
type AuditStore interface {
	// AppendAudit assigns Seq, links the entry to the previous one and
	// seals it with the audit key, and moves the head and its seal.
	AppendAudit(e *AuditEntry) error
	FindAudit(f AuditFilter) ([]*AuditEntry, int, error)
	// AuditHead returns what is stored about the log as a whole.
	AuditHead() (AuditHead, error)
	// AuditKey returns the key the log is signed with; EUNAVAILABLE,
	// saying where it was looked for, when it cannot be had.
	AuditKey() (*AuditKey, error)
	// AuditKeyWithID returns the key with that ID when it is at hand (an
	// older key period's key, found again); EUNAVAILABLE when it is not.
	AuditKeyWithID(id string) (*AuditKey, error)
}

// SettingsStore holds the founder's settings.
type SettingsStore interface {
	// Settings returns the stored settings, or DefaultSettings when none are stored.
	Settings() (*Settings, error)
	PutSettings(s *Settings) error
}

// CursorStore holds each poller's sync cursor.
type CursorStore interface {
	Cursor(account string) (string, error) // "" when none is stored
	PutCursor(account, cursor string) error
}

// Workspace describes the data file: a real one, or the demo.
type Workspace struct {
	Demo      bool
	CreatedAt time.Time
	SeededAt  time.Time // when the demo scenario was loaded
}

// WorkspaceStore holds the workspace description.
type WorkspaceStore interface {
	Workspace() (*Workspace, error)
	PutWorkspace(w *Workspace) error
}
