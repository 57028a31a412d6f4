package backend

import (
	"context"
	"time"
)

// ExecutionState is where one attempt to carry out a move is.
type ExecutionState string

// Execution states: planned → waiting_undo → committing → committed | failed | undone.
const (
	ExecPlanned     ExecutionState = "planned"
	ExecWaitingUndo ExecutionState = "waiting_undo"
	ExecCommitting  ExecutionState = "committing"
	ExecCommitted   ExecutionState = "committed"
	ExecFailed      ExecutionState = "failed"
	ExecUndone      ExecutionState = "undone"
)

// ExecutionStates lists every state.
var ExecutionStates = []ExecutionState{ExecPlanned, ExecWaitingUndo, ExecCommitting, ExecCommitted, ExecFailed, ExecUndone}

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
