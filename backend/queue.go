package backend

import "time"

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
	Settings   *SettingsService
}

// NewQueue returns a Queue over store. executors carry out moves; the local
// executor (notes) is usually among them.
func NewQueue(store Store, clock Clock, events Events, executors ...Executor) *Queue {
	c := newCore(store, clock, events, executors)
	return &Queue{core: c, Moves: &MoveService{c}, Ingest: &IngestService{c}, Executions: &ExecutionService{c}, Guardrails: &GuardrailService{c}, Audit: &AuditService{c}, Settings: &SettingsService{c}}
}

// SetRefreshEvery changes how often Today re-runs Refresh and the scheduler
// applies the auto-approval rules (30s by default). Set it before use.
func (q *Queue) SetRefreshEvery(d time.Duration) { q.refreshEvery = d }

// SetZone sets the owner's time zone, in which meetings are proposed inside
// working hours and times are written (nil, the default: the computer's,
// time.Local). Set it before use.
func (q *Queue) SetZone(loc *time.Location) { q.zone = loc }
