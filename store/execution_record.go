package store

// The disk format of executions/<id>. record.go says what every record
// follows.

import (
	"time"

	"github.com/caseyos/caseyos/backend"
)

type executionRecord struct {
	MoveID         uint64            `json:"move_id"`
	IdempotencyKey string            `json:"idempotency_key"`
	State          string            `json:"state"`
	Kind           string            `json:"kind"`
	Actor          string            `json:"actor,omitempty"`
	Draft          draftRecord       `json:"draft"`
	RemoteIDs      map[string]string `json:"remote_ids,omitempty"`
	Result         string            `json:"result,omitempty"`
	Error          string            `json:"error,omitempty"`
	CreatedAt      time.Time         `json:"created_at"`
	UpdatedAt      time.Time         `json:"updated_at"`
	CommittedAt    time.Time         `json:"committed_at"`
	// Written since the execution engine (issue 6); absent in older files,
	// where they read as zero.
	Action       string     `json:"action,omitempty"`
	Plan         string     `json:"plan,omitempty"` // backend.Plan's canonical JSON, kept as written (a string: byte-exact)
	PlanHash     string     `json:"plan_hash,omitempty"`
	UndoUntil    *time.Time `json:"undo_until,omitempty"`
	NotBefore    *time.Time `json:"not_before,omitempty"`
	Queued       string     `json:"queued,omitempty"`
	Attempts     int        `json:"attempts,omitempty"`
	RolledBackAt *time.Time `json:"rolled_back_at,omitempty"`
}

func toExecutionRecord(e *backend.Execution) executionRecord {
	return executionRecord{
		MoveID: e.MoveID, IdempotencyKey: e.IdempotencyKey, State: string(e.State), Kind: string(e.Kind),
		Actor: string(e.Actor), Draft: toDraftRecord(e.Draft), RemoteIDs: cloneStringMap(e.RemoteIDs),
		Result: e.Result, Error: e.Error,
		CreatedAt: utc(e.CreatedAt), UpdatedAt: utc(e.UpdatedAt), CommittedAt: utc(e.CommittedAt),
		Action: e.Action, Plan: string(e.Plan), PlanHash: e.PlanHash,
		UndoUntil: optTime(e.UndoUntil), NotBefore: optTime(e.NotBefore), Queued: e.Queued, Attempts: e.Attempts,
		RolledBackAt: optTime(e.RolledBackAt),
	}
}

func planBytes(s string) []byte {
	if s == "" {
		return nil
	}
	return []byte(s)
}

// optTime is nil for the zero time, so unset times are left out.
func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func fromOptTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

func fromExecutionRecord(id uint64, r *executionRecord) *backend.Execution {
	return &backend.Execution{
		ID: id, MoveID: r.MoveID, IdempotencyKey: r.IdempotencyKey, State: backend.ExecutionState(r.State),
		Kind: backend.MoveKind(r.Kind), Actor: backend.Actor(r.Actor), Draft: fromDraftRecord(r.Draft),
		RemoteIDs: r.RemoteIDs, Result: r.Result, Error: r.Error,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, CommittedAt: r.CommittedAt,
		Action: r.Action, Plan: planBytes(r.Plan), PlanHash: r.PlanHash,
		UndoUntil: fromOptTime(r.UndoUntil), NotBefore: fromOptTime(r.NotBefore), Queued: r.Queued, Attempts: r.Attempts,
		RolledBackAt: fromOptTime(r.RolledBackAt),
	}
}
