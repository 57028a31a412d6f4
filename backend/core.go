package backend

import (
	"context"
	"sync"
	"time"
)

// core is what the services share: the store, the clock, the events, the
// executors and the locks. NewServices builds one and hands it to each service.
type core struct {
	store     Store // commits: the store given, with after-commit work (aftercommit.go)
	commits   *commitStore
	clock     Clock
	events    Events
	executors []Executor // guarded by run.mu: SetExecutors replaces them

	// refreshEvery bounds how often Today re-runs Refresh (Refresh wakes
	// snoozed moves, expires passed ones and re-scores urgency) and how
	// often the scheduler applies the auto-approval rules.
	refreshEvery time.Duration

	// zone is the owner's time zone, in which meetings are proposed inside
	// working hours (nil: the computer's, time.Local).
	zone *time.Location

	mu          sync.Mutex // guards lastRefresh
	lastRefresh time.Time

	run execRuntime // the execution scheduler's hooks and wake-up (executions.go)

	// contactsChanged, when set, is told the contacts an ingest created or
	// changed (Services.WatchDuplicates).
	contactsChanged func(ctx context.Context, ids []string)

	// outcomeObservers are told of each new outcome in the transaction
	// that records it (outcomes.go); registered before use.
	outcomeObservers []OutcomeObserver

	model modelRuntime   // the optional language model and its queue (modeldraft.go)
	owner connectedOwner // the connected account's address (owner.go)
}

func newCore(store Store, clock Clock, events Events, executors []Executor) *core {
	if events == nil {
		events = NopEvents{}
	}
	commits := &commitStore{Store: store}
	return &core{store: commits, commits: commits, clock: clock, events: events, executors: executors, refreshEvery: 30 * time.Second}
}

// The services call one another through the core they share.

func (c *core) executions() *ExecutionService { return &ExecutionService{c} }
func (c *core) guardrails() *GuardrailService { return &GuardrailService{c} }
func (c *core) models() *ModelService         { return &ModelService{c} }
