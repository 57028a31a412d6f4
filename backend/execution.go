package backend

import (
	"context"
	"time"
)

// ExecutionState is where one attempt to carry out a move is.
type ExecutionState string

// Execution states: planned → waiting_undo → committing → committed | failed | undone.
// queued is the outbox: an execution held until its account is back online
// or the recipient's send window opens; it then goes to committing.
const (
	ExecPlanned     ExecutionState = "planned"
	ExecWaitingUndo ExecutionState = "waiting_undo"
	ExecQueued      ExecutionState = "queued"
	ExecCommitting  ExecutionState = "committing"
	ExecCommitted   ExecutionState = "committed"
	ExecFailed      ExecutionState = "failed"
	ExecUndone      ExecutionState = "undone"
)

// ExecutionStates lists every state.
var ExecutionStates = []ExecutionState{ExecPlanned, ExecWaitingUndo, ExecQueued, ExecCommitting, ExecCommitted, ExecFailed, ExecUndone}

// OpenExecutionStates are the states of an execution that has not finished:
// a move has at most one execution in them (the store refuses a second).
var OpenExecutionStates = []ExecutionState{ExecPlanned, ExecWaitingUndo, ExecQueued, ExecCommitting}

// IsOpen reports whether the execution has not finished yet.
func (s ExecutionState) IsOpen() bool {
	for _, o := range OpenExecutionStates {
		if s == o {
			return true
		}
	}
	return false
}

// Actor says who or what caused a change, for the audit log.
type Actor string

// Actors.
const (
	ActorKey    Actor = "key"
	ActorClick  Actor = "click"
	ActorVoice  Actor = "voice"
	ActorCLI    Actor = "cli"
	ActorRule   Actor = "rule"
	ActorSystem Actor = "system"
)

// Execution is one attempt to carry out a move. It is written before any
// external call so a crash can be reconciled instead of repeated.
type Execution struct {
	ID             uint64
	MoveID         uint64
	IdempotencyKey string
	State          ExecutionState
	Kind           MoveKind
	Actor          Actor
	Draft          Draft             // what was executed, exactly
	RemoteIDs      map[string]string // ids the connector returned, for rollback and reconciliation
	Result         string            // a human summary of what happened
	Error          string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	CommittedAt    time.Time

	// Action names the action that carries the move out (send_email,
	// create_draft, create_task …).
	Action string
	// Plan is the previewed payload, canonical JSON (see Plan); PlanHash is
	// its hash, the one the preview showed.
	Plan     []byte
	PlanHash string
	// UndoUntil ends the undo window of a waiting_undo execution.
	UndoUntil time.Time
	// NotBefore holds a queued execution until then (send window, backoff).
	NotBefore time.Time
	// Queued says why a queued execution waits ("offline: …", "send window: …").
	Queued string
	// Attempts counts the calls made; after the first, a retry first asks
	// the remote side whether the effect already happened.
	Attempts     int
	RolledBackAt time.Time
}

// Validate checks the execution is complete enough to store.
func (e *Execution) Validate() error {
	if e.MoveID == 0 {
		return Errorf(EINVALID, "execution needs a move")
	}
	if e.IdempotencyKey == "" {
		return Errorf(EINVALID, "execution needs an idempotency key")
	}
	ok := false
	for _, s := range ExecutionStates {
		ok = ok || s == e.State
	}
	if !ok {
		return Errorf(EINVALID, "execution state %q is unknown", e.State)
	}
	if !validKind(e.Kind) {
		return Errorf(EINVALID, "execution kind %q is unknown", e.Kind)
	}
	return nil
}

// ExecutionResult is what an Executor reports after carrying out a move.
type ExecutionResult struct {
	RemoteIDs map[string]string
	Summary   string
}

// Executor carries out moves of the kinds it supports. Execute must be
// idempotent on exec.IdempotencyKey.
type Executor interface {
	// Supports reports whether this executor handles kind, and if not, which
	// account would (for the "connect X" message).
	Supports(kind MoveKind) bool
	Execute(ctx context.Context, m *Move, exec *Execution) (ExecutionResult, error)
}
