package backend

import (
	"context"
	"time"
)

// Services are the decide loop, one service per concept over one shared
// core (the store, the clock, the events, the executors and the locks):
// signals become scored moves, the moves stay fresh as time passes and go
// through their state machine, and every transition is in the audit log.
type Services struct {
	Moves      *MoveService      // Today's Moves, skip, snooze, restore, undo, drafts (moves.go)
	Ingest     *IngestService    // signals in, moves out (ingest.go)
	Executions *ExecutionService // preview, execute, outbox, cancel, rollback, reconcile (executions.go)
	Guardrails *GuardrailService // kill switch, caps, send window, do-not-contact, rules (guardrails.go)
	Audit      *AuditService     // the audit log (audit.go)
	Settings   *SettingsService  // the founder's settings (settings.go)
	Contacts   *ContactService   // contact import and duplicate detection (contacts.go)
	Outcomes   *OutcomeService   // what happened after a move: detected and recorded by hand (outcomes.go)
	Privacy    *PrivacyService   // export, forget, retention (privacy.go)
	Model      *ModelService     // the optional language model's drafts (modeldraft.go)
	Metrics    *MetricsService   // what the moves carried out achieved, per week and kind (metrics.go)
	FollowUps  *FollowUpService  // follow-ups when nothing comes back (followup.go)

	core *core
}

// NewServices returns the services over store. executors carry out moves;
// the local executor (notes) is usually among them.
func NewServices(store Store, clock Clock, events Events, executors ...Executor) *Services {
	c := newCore(store, clock, events, executors)
	c.observeOutcome(c.observeFollowUps)
	c.observeOutcome(c.learnFromOutcome) // learning (learn_update.go)
	return &Services{
		Moves:      &MoveService{c},
		Ingest:     &IngestService{c},
		Executions: &ExecutionService{c},
		Guardrails: &GuardrailService{c},
		Audit:      &AuditService{c},
		Settings:   &SettingsService{c},
		Contacts:   &ContactService{core: c},
		Outcomes:   &OutcomeService{c},
		Privacy:    &PrivacyService{c},
		Model:      &ModelService{c},
		Metrics:    &MetricsService{c},
		FollowUps:  &FollowUpService{c},
		core:       c,
	}
}

// SetRefreshEvery changes how often Today re-runs Refresh and the scheduler
// applies the auto-approval rules (30s by default). Set it before use.
func (s *Services) SetRefreshEvery(d time.Duration) { s.core.refreshEvery = d }

// SetZone sets the owner's time zone, in which meetings are proposed inside
// working hours and times are written (nil, the default: the computer's,
// time.Local). Set it before use.
func (s *Services) SetZone(loc *time.Location) { s.core.zone = loc }

// WatchDuplicates makes every ingest (a sync, an import of signals) look for
// duplicates of the contacts it created or changed, against the index of
// all contacts, and propose merges; detection failing does not fail the
// ingest. Call it before use.
func (s *Services) WatchDuplicates() {
	s.core.contactsChanged = func(ctx context.Context, ids []string) { _, _ = s.Contacts.Detect(ctx, ids) }
}

// ObserveOutcome registers fn to be told of every new outcome, detected or
// recorded by hand, inside the transaction that records it; an error from
// fn rolls the outcome (and whatever else the transaction did) back. Call
// it before use.
func (s *Services) ObserveOutcome(fn OutcomeObserver) { s.core.observeOutcome(fn) }
