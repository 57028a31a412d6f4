package app

import (
	"context"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// DemoAccounts starts the demo's fake accounts, seeded as they were when
// the demo workspace was loaded (seededAt), and returns the capabilities
// that carry out moves against them: in the demo, executing a move sends
// the reply, creates the task or books the meeting on the fakes, through
// the real connectors, and nothing leaves the machine. Endpoints names each
// fake's address (gmail, gcal, hubspot) for the curious and for tests;
// stop ends them.
type DemoAccounts func(ctx context.Context, seededAt time.Time) (caps backend.Capabilities, endpoints map[string]string, stop func(), err error)

// useDemoAccounts makes the demo workspace's moves executable against its
// fakes. Without them (a fake that cannot start) sends keep saying which
// account to connect, as before.
func (a *App) useDemoAccounts(ctx context.Context, start DemoAccounts) (stop func(), err error) {
	var w *backend.Workspace
	if err := a.store.View(ctx, func(tx backend.Tx) error {
		var err error
		w, err = tx.Workspace()
		return err
	}); err != nil {
		return nil, err
	}
	seeded := w.SeededAt
	if seeded.IsZero() {
		seeded = a.clock.Now()
	}
	caps, endpoints, stop, err := start(ctx, seeded)
	if err != nil {
		return nil, err
	}
	a.demoEndpoints = endpoints
	execs := append([]backend.Executor{}, a.exec.base...)
	for _, e := range backend.NewActions(caps) {
		if _, local := e.(backend.LocalExecutor); !local || len(a.exec.base) == 0 {
			execs = append(execs, e)
		}
	}
	a.queue.Executions.SetExecutors(execs...)
	// The demo's reply drafts offer free slots from its fake calendar:
	// worked through now, so every command shows them.
	a.queue.Model.SetCalendar(caps.Calendar)
	if caps.Calendar != nil {
		_ = a.queue.Model.Backfill(ctx, modelBackfill)
		a.queue.Model.Drain(ctx)
	}
	return stop, nil
}
