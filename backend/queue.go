package backend

import (
	"context"
	"time"
)

// Queue is the decide loop: it turns signals into scored moves, keeps them
// fresh as time passes, and moves them through their state machine with
// every transition in the audit log.
type Queue struct {
	*core

	Moves      *MoveService
	Ingest     *IngestService
	Executions *ExecutionService
	Guardrails *GuardrailService
	Audit      *AuditService
}

// NewQueue returns a Queue over store. executors carry out moves; the local
// executor (notes) is usually among them.
func NewQueue(store Store, clock Clock, events Events, executors ...Executor) *Queue {
	c := newCore(store, clock, events, executors)
	return &Queue{core: c, Moves: &MoveService{c}, Ingest: &IngestService{c}, Executions: &ExecutionService{c}, Guardrails: &GuardrailService{c}, Audit: &AuditService{c}}
}

// SetRefreshEvery changes how often Today re-runs Refresh and the scheduler
// applies the auto-approval rules (30s by default). Set it before use.
func (q *Queue) SetRefreshEvery(d time.Duration) { q.refreshEvery = d }

// SetZone sets the owner's time zone, in which meetings are proposed inside
// working hours and times are written (nil, the default: the computer's,
// time.Local). Set it before use.
func (q *Queue) SetZone(loc *time.Location) { q.zone = loc }

// Settings returns the workspace's settings.
func (q *Queue) Settings(ctx context.Context) (*Settings, error) {
	var st *Settings
	err := q.store.View(ctx, func(tx Tx) error {
		var err error
		st, err = tx.Settings()
		return err
	})
	return st, WrapError("settings", err)
}

// SaveSettings validates and stores st and re-scores every open move with
// it, in one transaction, with the change in the audit log.
func (q *Queue) SaveSettings(ctx context.Context, st *Settings, actor Actor) error {
	if err := st.Validate(); err != nil {
		return err
	}
	now := q.clock.Now()
	err := q.store.Update(ctx, func(tx Tx) error {
		if err := tx.PutSettings(st); err != nil {
			return err
		}
		lookup := newTxRecords(tx)
		for _, status := range []MoveStatus{StatusPending, StatusSnoozed, StatusFailed} {
			status := status
			moves, _, err := tx.FindMoves(MoveFilter{Status: &status})
			if err != nil {
				return err
			}
			for _, m := range moves {
				if err := scoreMove(m, lookup, st, now); err != nil {
					return err
				}
				if err := tx.UpdateMove(m); err != nil {
					return err
				}
			}
		}
		if lookup.err != nil {
			return lookup.err
		}
		return tx.AppendAudit(&AuditEntry{At: now, Actor: actor, Action: AuditSettings, Detail: "settings saved; open moves re-scored"})
	})
	if err != nil {
		return WrapError("save settings", err)
	}
	q.events.Publish(EventQueueChanged, QueueChanged{Reason: "settings"})
	return nil
}
