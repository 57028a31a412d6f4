package backend

import (
	"context"
	"sort"
	"strings"
	"time"
)

// The execution scheduler: executions waiting out their undo window, and
// those held in the outbox (offline, or outside the recipient's send
// window), are carried out by Tick when they come due. Run
// calls Tick whenever something is due; tests call Tick after moving a
// ManualClock.

// Cancel takes back the open execution of move moveID while it
// has not left (waiting_undo or queued): nothing is sent, and the move
// returns to pending. Once it is committing or done, ECONFLICT says to
// roll back instead; with no execution in flight, ENOTFOUND.
func (s *ExecutionService) Cancel(ctx context.Context, moveID uint64, actor Actor) (*Move, *Execution, error) {
	var (
		m    *Move
		exec *Execution
	)
	now := s.clock.Now()
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		if m, err = tx.FindMove(moveID); err != nil {
			return err
		}
		if exec, err = openExecution(tx, moveID); err != nil {
			return err
		}
		switch exec.State {
		case ExecWaitingUndo, ExecQueued:
			return s.cancelTx(tx, exec, m, actor, "cancelled before anything was sent", now)
		}
		return Errorf(ECONFLICT, "move %d is already being carried out; once it finishes, roll it back instead", moveID)
	})
	if err != nil {
		return nil, nil, WrapError("cancel", err)
	}
	s.events.Publish(EventQueueChanged, QueueChanged{Reason: "cancel", MoveIDs: []uint64{moveID}})
	s.events.Publish(EventExecutionFinished, ExecutionFinished{ExecutionID: exec.ID, MoveID: moveID, State: string(exec.State), Result: exec.Result})
	return m, exec, nil
}

// openExecution returns the move's execution in flight, or ENOTFOUND.
func openExecution(tx Tx, moveID uint64) (*Execution, error) {
	all, err := tx.FindExecutions(moveID)
	if err != nil {
		return nil, err
	}
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].State.IsOpen() {
			return all[i], nil
		}
	}
	return nil, Errorf(ENOTFOUND, "move %d has no execution in flight to cancel", moveID)
}

// TickReport says what one Tick did.
type TickReport struct {
	Committed []uint64 // execution ids
	Queued    []uint64 // went back to the outbox (still offline)
	Failed    []uint64
	NextDue   time.Time // when the next open execution comes due; zero = none
}

// Tick carries out every execution due at the clock's now: those whose
// undo window has passed and those in the outbox whose time has come.
// The outbox leaves in order per account: while an account's earliest
// offline execution is waiting, later ones for it wait too.
func (s *ExecutionService) Tick(ctx context.Context) (TickReport, error) {
	var rep TickReport
	now := s.clock.Now()
	var open []*Execution
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		open, err = tx.ExecutionsInState(ExecWaitingUndo, ExecQueued)
		return err
	})
	if err != nil {
		return rep, WrapError("tick", err)
	}
	sort.Slice(open, func(i, j int) bool { return open[i].ID < open[j].ID })
	held := map[string]bool{} // accounts whose outbox is waiting
	for _, e := range open {
		acct := planAccount(e)
		offline := e.State == ExecQueued && strings.HasPrefix(e.Queued, "offline")
		due := e.UndoUntil
		if e.State == ExecQueued {
			due = e.NotBefore
		}
		if held[acct] || due.After(now) {
			if offline {
				held[acct] = true
			}
			if rep.NextDue.IsZero() || due.Before(rep.NextDue) {
				rep.NextDue = due
			}
			continue
		}
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		if !s.take(e.ID) {
			held[acct] = held[acct] || offline // another pass is carrying it out: what follows waits for it
			continue
		}
		_, ex, err := s.commit(ctx, e.ID, claimDue)
		switch {
		case ex == nil:
			held[acct] = held[acct] || offline // cancelled, or carried out by another pass meanwhile
			continue
		case ex.State == ExecCommitted:
			rep.Committed = append(rep.Committed, ex.ID)
		case ex.State == ExecQueued:
			rep.Queued = append(rep.Queued, ex.ID)
			held[acct] = true
			if rep.NextDue.IsZero() || ex.NotBefore.Before(rep.NextDue) {
				rep.NextDue = ex.NotBefore
			}
		case ex.State == ExecFailed:
			rep.Failed = append(rep.Failed, ex.ID)
		}
		_ = err // reported through the execution's state and events
	}
	return rep, nil
}

func planAccount(e *Execution) string {
	p, err := DecodePlan(e.Plan)
	if err != nil {
		return string(e.Kind)
	}
	return p.Account
}

// RetryOutbox makes every execution held offline due now and runs Tick:
// the account is back (the sync engine saw it, or the founder said so).
func (s *ExecutionService) RetryOutbox(ctx context.Context) (TickReport, error) {
	now := s.clock.Now()
	err := s.store.Update(ctx, func(tx Tx) error {
		queued, err := tx.ExecutionsInState(ExecQueued)
		if err != nil {
			return err
		}
		for _, e := range queued {
			if strings.HasPrefix(e.Queued, "offline") && e.NotBefore.After(now) {
				e.NotBefore = now
				if err := tx.UpdateExecution(e); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return TickReport{}, WrapError("retry outbox", err)
	}
	return s.Tick(ctx)
}

// Outbox returns the executions held in the outbox, oldest first.
func (s *ExecutionService) Outbox(ctx context.Context) ([]*Execution, error) {
	var out []*Execution
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		out, err = tx.ExecutionsInState(ExecQueued)
		return err
	})
	return out, WrapError("outbox", err)
}

// Latest returns the move's latest execution, or ENOTFOUND.
func (s *ExecutionService) Latest(ctx context.Context, moveID uint64) (*Execution, error) {
	var out *Execution
	err := s.store.View(ctx, func(tx Tx) error {
		all, err := tx.FindExecutions(moveID)
		if err != nil {
			return err
		}
		if len(all) == 0 {
			return Errorf(ENOTFOUND, "move %d has not been executed", moveID)
		}
		out = all[len(all)-1]
		return nil
	})
	return out, WrapError("execution", err)
}

// ReconcileReport says what Reconcile found.
type ReconcileReport struct {
	Found  []uint64 // the remote side had the effect: recorded as committed
	Redone []uint64 // it did not: carried out now, once
	Failed []uint64 // the remote side cannot tell or refused: failed, with why
	Queued []uint64 // the account is offline: left in the outbox
}

// Reconcile finishes the executions a crash left in flight (committing,
// or planned from an older build): it asks the remote side whether the
// effect happened (Gmail: our Message-ID in sent mail; Calendar: our event
// id; HubSpot: our key on the task) and records it, or carries it out
// exactly once. Where the remote side cannot tell, the execution fails
// with a message saying what to check: never a double, never a silent loss.
// Run it at startup, before the scheduler.
func (s *ExecutionService) Reconcile(ctx context.Context) (ReconcileReport, error) {
	var rep ReconcileReport
	var inflight []*Execution
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		all, err := tx.ExecutionsInState(ExecCommitting, ExecPlanned)
		if err != nil {
			return err
		}
		for _, e := range all {
			if !s.take(e.ID) {
				continue // this process is carrying it out: not left by a crash
			}
			inflight = append(inflight, e)
			if e.Attempts == 0 {
				// Planned by an older build, or committing before the
				// attempt was counted: a call may have gone out.
				e.Attempts = 1
				if err := tx.UpdateExecution(e); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		for _, e := range inflight {
			s.drop(e.ID)
		}
		return rep, WrapError("reconcile", err)
	}
	for _, e := range inflight {
		if len(e.Plan) == 0 {
			s.failUnplanned(ctx, e)
			s.drop(e.ID)
			rep.Failed = append(rep.Failed, e.ID)
			continue
		}
		_, ex, _ := s.commit(ctx, e.ID, claimInFlight)
		if ex == nil {
			continue
		}
		switch ex.State {
		case ExecCommitted:
			if wasFound(ctx, s, ex) {
				rep.Found = append(rep.Found, ex.ID)
			} else {
				rep.Redone = append(rep.Redone, ex.ID)
			}
		case ExecQueued:
			rep.Queued = append(rep.Queued, ex.ID)
		default:
			rep.Failed = append(rep.Failed, ex.ID)
		}
	}
	return rep, nil
}

// wasFound reads the audit log for whether the commit was a find.
func wasFound(ctx context.Context, s *ExecutionService, e *Execution) bool {
	found := false
	_ = s.store.View(ctx, func(tx Tx) error {
		id := e.MoveID
		entries, _, err := tx.FindAudit(AuditFilter{MoveID: &id})
		if err != nil {
			return err
		}
		for i := len(entries) - 1; i >= 0; i-- {
			if entries[i].Action == AuditExecCommitted && strings.HasPrefix(entries[i].Detail, e.IdempotencyKey) {
				found = strings.Contains(entries[i].Detail, "found on the remote side")
				break
			}
		}
		return nil
	})
	return found
}

// failUnplanned fails an in-flight execution an older build recorded
// without a plan: there is nothing to look for remotely.
func (s *ExecutionService) failUnplanned(ctx context.Context, e *Execution) {
	now := s.clock.Now()
	_ = s.store.Update(context.WithoutCancel(ctx), func(tx Tx) error {
		m, err := tx.FindMove(e.MoveID)
		if err != nil {
			return err
		}
		e.State, e.UpdatedAt = ExecFailed, now
		e.Error = "CaseyOS stopped while this ran and cannot tell whether it happened: check before executing it again"
		if err := tx.UpdateExecution(e); err != nil {
			return err
		}
		if err := tx.AppendAudit(&AuditEntry{At: now, Actor: ActorSystem, Action: AuditExecFailed, MoveID: m.ID, Detail: e.IdempotencyKey + ": " + e.Error}); err != nil {
			return err
		}
		if err := s.executionEnded(tx, m, e, OutcomeError, e.Error, now); err != nil {
			return err
		}
		if m.Status == StatusExecuting {
			return transition(tx, m, StatusFailed, ActorSystem, e.Error, now)
		}
		return nil
	})
}

// schedulerPoll bounds how long Run sleeps, so a clock moved by
// hand (tests, the demo) is noticed.
const schedulerPoll = time.Second

// Run reconciles what a crash left in flight, then runs Tick
// whenever an execution comes due (or Execute wakes it), and applies the
// auto-approval rules every refresh interval (SetRefreshEvery), until ctx ends.
func (s *ExecutionService) Run(ctx context.Context) error {
	wc := waitClock(s.clock)
	_, _ = s.Reconcile(ctx)
	var lastRules time.Time
	for {
		rep, _ := s.Tick(ctx)
		now := s.clock.Now()
		if now.Sub(lastRules) >= s.refreshEvery {
			lastRules = now
			_, _ = s.guardrails().ApplyRules(ctx)
			_, _ = (&OutcomeService{s.core}).Sweep(ctx)
		}
		wait := schedulerPoll
		if !rep.NextDue.IsZero() {
			if d := rep.NextDue.Sub(now); d < wait {
				wait = max(d, 10*time.Millisecond)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-wc.After(wait):
		case <-s.wake():
		}
	}
}
