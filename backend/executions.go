package backend

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// ExecutionService carries out moves: it previews the exact plan, checks it
// against the guardrails, executes it through the executor for its kind
// (after the undo window, or later from the outbox), cancels and rolls back,
// and reconciles what a crash left in flight (scheduler.go, rollback.go).
type ExecutionService struct{ *core }

// accountFor names the account a move kind needs and how to connect it, for
// the "unavailable" error when no executor handles the kind. An empty
// command means CaseyOS has no connector for that account yet: the error
// says so (ErrNoConnector) instead of pointing to a command that does not
// exist.
var accountFor = map[MoveKind][2]string{
	KindSendEmail:       {"Gmail", "caseyos connect google"},
	KindScheduleMeeting: {"Google Calendar", "caseyos connect google"},
	KindCreateTask:      {"HubSpot", "caseyos connect hubspot"},
	KindUpdateDeal:      {"HubSpot", "caseyos connect hubspot"},
	KindMergeContacts:   {"HubSpot", "caseyos connect hubspot"},
	KindReplySocial:     {"X", "caseyos connect x --consumer-key KEY"},
}

// ErrNoConnector is the cause of the EUNAVAILABLE error for a move kind no
// connector of this build can carry out, whatever is connected: the UI
// offers no Execute for it.
var ErrNoConnector = errors.New("no connector for this kind of move")

// verbFor says in words what a move kind does.
var verbFor = map[MoveKind]string{
	KindSendEmail: "sending email", KindScheduleMeeting: "scheduling a meeting", KindCreateTask: "creating a task",
	KindUpdateDeal: "updating a deal", KindMergeContacts: "merging contacts", KindReplySocial: "replying on X",
	KindNote: "saving a note",
}

// SetExecutors replaces the executors, for when accounts are connected or
// disconnected while the app runs (NewActions builds them).
func (s *ExecutionService) SetExecutors(executors ...Executor) {
	s.run.mu.Lock()
	s.executors = executors
	s.run.mu.Unlock()
}

func (s *ExecutionService) executorFor(kind MoveKind) (Executor, error) {
	s.run.mu.Lock()
	executors := s.executors
	s.run.mu.Unlock()
	for _, e := range executors {
		if e.Supports(kind) {
			return e, nil
		}
	}
	if acct, ok := accountFor[kind]; ok && acct[1] == "" {
		return nil, &Error{Code: EUNAVAILABLE, Err: ErrNoConnector,
			Message: fmt.Sprintf("%s is not available yet: CaseyOS has no %s connector. Do it on %s yourself, then skip this move.", capitalize(verbFor[kind]), acct[0], acct[0])}
	}
	if acct, ok := accountFor[kind]; ok {
		return nil, Errorf(EUNAVAILABLE, "%s needs a connected %s account: run `%s`", capitalize(verbFor[kind]), acct[0], acct[1])
	}
	return nil, Errorf(EUNAVAILABLE, "nothing can carry out %s moves", kind)
}

// actionFor is the Action that carries out kind.
func (s *ExecutionService) actionFor(kind MoveKind) (Action, error) {
	e, err := s.executorFor(kind)
	if err != nil {
		return nil, err
	}
	a, ok := e.(Action)
	if !ok {
		return nil, Errorf(EINTERNAL, "the executor for %s moves cannot preview what it does", kind)
	}
	return a, nil
}

// CanExecute reports whether a connected account can carry out moves of
// kind; the error (EUNAVAILABLE) names the account to connect.
func (s *ExecutionService) CanExecute(kind MoveKind) error {
	_, err := s.executorFor(kind)
	return err
}

// ExecHooks let tests stop an execution where a crash could: a hook that
// returns an error makes the execution stop there as if the process had
// died, writing nothing more. Reconcile on fresh services then finishes it.
type ExecHooks struct {
	BeforeCall func(*Execution) error // after committing is recorded, before the call
	AfterCall  func(*Execution) error // after the call returned, before its result is stored
}

// execRuntime is the execution machinery's state.
type execRuntime struct {
	mu    sync.Mutex
	hooks ExecHooks
	kick  chan struct{}
	busy  map[uint64]bool // executions this process is carrying out (see take)
}

// take claims execution id for this process: it is false when another
// goroutine (Execute, a Tick, Reconcile) is already carrying it out. The
// store's state says what is left to do; take says who is doing it, so
// two passes that read the same execution never both make its call.
// Whoever takes an execution hands it to commit, which drops it.
func (s *ExecutionService) take(id uint64) bool {
	s.run.mu.Lock()
	defer s.run.mu.Unlock()
	if s.run.busy[id] {
		return false
	}
	if s.run.busy == nil {
		s.run.busy = map[uint64]bool{}
	}
	s.run.busy[id] = true
	return true
}

func (s *ExecutionService) drop(id uint64) {
	s.run.mu.Lock()
	delete(s.run.busy, id)
	s.run.mu.Unlock()
}

// SetExecHooks installs fault-injection hooks (tests only).
func (s *ExecutionService) SetExecHooks(h ExecHooks) {
	s.run.mu.Lock()
	s.run.hooks = h
	s.run.mu.Unlock()
}

func (s *ExecutionService) hooks() ExecHooks {
	s.run.mu.Lock()
	defer s.run.mu.Unlock()
	return s.run.hooks
}

// wake is the scheduler's wake-up channel.
func (s *ExecutionService) wake() chan struct{} {
	s.run.mu.Lock()
	defer s.run.mu.Unlock()
	if s.run.kick == nil {
		s.run.kick = make(chan struct{}, 1)
	}
	return s.run.kick
}

func (s *ExecutionService) kickScheduler() {
	select {
	case s.wake() <- struct{}{}:
	default:
	}
}

// Preview is a dry run: the exact plan, its hash, and what the guardrails
// would do with it right now.
type Preview struct {
	Move *Move
	Plan *Plan
	Hash string
	// UndoWindow is how long the execution will wait before it leaves (0:
	// at once, for local actions or a zero setting).
	UndoWindow time.Duration
	// Hold is set when a send window would queue it.
	Hold Verdict
	// Refused is the guardrail refusal executing now would meet, if any.
	Refused error
	// Holes is the template text still in what it would send: executing
	// is refused unless ExecuteOptions.AllowTemplate says it is meant.
	Holes []TemplateHole
}

// planned is a preview with what execute needs to record it.
type planned struct {
	Preview
	action Action
	draft  string // fingerprint of the draft planned from
	owner  string // the sender's address, for our Message-ID's domain
}

// Preview renders exactly what executing move id would send or create,
// from the same code that executes it, and checks it against the
// guardrails without recording anything.
func (s *ExecutionService) Preview(ctx context.Context, id uint64) (*Preview, error) {
	// A reply's offered slots may have been taken or passed since they
	// were picked: re-compose it with free ones before showing it.
	s.models().RefreshSlots(ctx, id)
	p, err := s.plan(ctx, id)
	if err != nil {
		return nil, WrapError("preview", err)
	}
	now := s.clock.Now()
	err = s.store.View(ctx, func(tx Tx) error {
		v, perr, err := s.policy(tx, p.Plan, now)
		if err != nil {
			return err
		}
		p.Hold, p.Refused = v, perr
		return nil
	})
	if err != nil {
		return nil, WrapError("preview", err)
	}
	return &p.Preview, nil
}

func (s *ExecutionService) plan(ctx context.Context, id uint64) (*planned, error) {
	var in PlanInput
	err := s.store.View(ctx, func(tx Tx) error {
		m, err := tx.FindMove(id)
		if err != nil {
			return err
		}
		in.Move = m
		if in.Settings, err = tx.Settings(); err != nil {
			return err
		}
		var nf error
		in.Contact, nf = findOrNil(tx.FindContact, m.ContactID)
		if nf != nil {
			return nf
		}
		companyID := m.CompanyID
		if companyID == "" && in.Contact != nil {
			companyID = in.Contact.CompanyID
		}
		if in.Company, nf = findOrNil(tx.FindCompany, companyID); nf != nil {
			return nf
		}
		if in.Deal, nf = findOrNil(tx.FindDeal, m.DealID); nf != nil {
			return nf
		}
		for _, id := range m.Draft.MergeIDs {
			c, nf := findOrNil(tx.FindContact, id)
			if nf != nil {
				return nf
			}
			in.Merging = append(in.Merging, c)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	a, err := s.actionFor(in.Move.Kind)
	if err != nil {
		return nil, err
	}
	in.Now, in.Zone = s.clock.Now(), s.zone
	plan, err := a.Plan(ctx, in) // outside any transaction: it may read remotely
	if err != nil {
		return nil, err
	}
	plan.V, plan.MoveID, plan.Kind = PlanVersion, in.Move.ID, in.Move.Kind
	p := &planned{Preview: Preview{Move: in.Move, Plan: plan, Hash: plan.Hash()}, action: a, draft: draftPrint(in.Move), owner: s.withOwner(in.Settings).OwnerEmail}
	if p.owner == "" && plan.Email != nil {
		// Our Message-ID is in the mailbox's own domain, so the mailbox
		// knows a reply to it is in a thread we took part in.
		if o, ok := a.(interface{ Owner(context.Context) string }); ok {
			p.owner = o.Owner(ctx)
		}
	}
	if plan.Outgoing {
		p.UndoWindow = in.Settings.UndoWindow
	}
	p.Holes = plan.TemplateHoles()
	return p, nil
}

func findOrNil[T any](find func(string) (*T, error), id string) (*T, error) {
	if id == "" {
		return nil, nil
	}
	v, err := find(id)
	if ErrorCode(err) == ENOTFOUND {
		return nil, nil
	}
	return v, err
}

// draftPrint fingerprints what a plan is made from, so execute can tell
// that the move changed between planning and recording.
func draftPrint(m *Move) string {
	return fmt.Sprintf("%d|%s|%s|%s", m.ID, m.Status, m.UpdatedAt.UTC().Format(time.RFC3339Nano), m.Kind)
}

// policy runs CheckPolicy inside tx. perr is the refusal; err a store failure.
func (s *ExecutionService) policy(tx Tx, p *Plan, now time.Time) (v Verdict, perr, err error) {
	g, err := tx.Guardrails()
	if err != nil {
		return Verdict{}, nil, err
	}
	st, err := tx.Settings()
	if err != nil {
		return Verdict{}, nil, err
	}
	today, err := executionsToday(tx, p.Kind, now)
	if err != nil {
		return Verdict{}, nil, err
	}
	var lookupErr error
	blocked := func(email string) *DoNotContact {
		d, err := tx.DoNotContact(email)
		if err != nil {
			if ErrorCode(err) != ENOTFOUND && lookupErr == nil {
				lookupErr = err
			}
			return nil
		}
		return d
	}
	v, perr = CheckPolicy(PolicyInput{Plan: p, Now: now, Guardrails: g, Settings: st, Today: today, Blocked: blocked})
	return v, perr, lookupErr
}

// statExecuted counts committed executions per kind in the stats store.
func statExecuted(kind MoveKind) string { return "executed:" + string(kind) }

// executionsToday counts executions of kind committed since local midnight
// plus those still on their way.
func executionsToday(tx Tx, kind MoveKind, now time.Time) (int, error) {
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	n, err := tx.SumStat(statExecuted(kind), midnight, now.Add(time.Nanosecond))
	if err != nil {
		return 0, err
	}
	open, err := tx.ExecutionsInState(OpenExecutionStates...)
	if err != nil {
		return 0, err
	}
	for _, e := range open {
		if e.Kind == kind {
			n++
		}
	}
	return n, nil
}

// ExecuteOptions qualify an execution.
type ExecuteOptions struct {
	Actor Actor
	// PreviewHash is the hash of the preview the person saw; when set and
	// the plan now hashes differently, execution is refused (ECONFLICT)
	// so that what runs is what was previewed.
	PreviewHash string
	// Why says what decided it, for the audit log (e.g. the rule).
	Why string
	// AllowTemplate sends a draft that still holds template text (an
	// empty bullet, a [placeholder], a TODO): the person saw the holes
	// and means it. The audit log records the override. Without it such
	// a draft is refused (EINVALID, cause ErrTemplateHoles).
	AllowTemplate bool
	// Rule is the auto-approval rule executing the move, if any. A rule
	// tries again on every scheduler pass, so its refusal is recorded once
	// until something changes (the move or its draft, the rule, the
	// guardrails, the reason, the day) rather than once per pass.
	Rule *Rule
}

// Execute plans the move, checks the plan against the preview's hash
// and every guardrail, and records the execution (with its idempotency
// key and the plan) before any call goes out. Outgoing actions then wait
// in waiting_undo for Settings.UndoWindow, or in the outbox for the
// recipient's send window, and the scheduler (Tick) carries them out;
// local ones, and all of them with a zero window, are carried out now.
// When no connected account can carry out the kind, the move is left
// untouched and the error, code EUNAVAILABLE, names the account.
func (s *ExecutionService) Execute(ctx context.Context, id uint64, o ExecuteOptions) (*Move, *Execution, error) {
	if o.Actor == "" {
		o.Actor = ActorSystem
	}
	p, err := s.plan(ctx, id)
	if err != nil {
		return nil, nil, WrapError("execute", err)
	}
	now := s.clock.Now()
	var (
		m       *Move
		exec    *Execution
		refused error
		taken   bool
	)
	err = s.store.Update(ctx, func(tx Tx) error {
		var err error
		if m, err = tx.FindMove(id); err != nil {
			return err
		}
		if !CanTransition(m.Status, StatusExecuting) {
			if m.Status == StatusExecuting {
				return Errorf(ECONFLICT, "move %d is already being executed", m.ID)
			}
			return Errorf(ECONFLICT, "move %d is %s; it cannot be executed", m.ID, m.Status)
		}
		if o.PreviewHash != "" && o.PreviewHash != p.Hash {
			refused = refuse(GuardPreview, "Move %d changed since it was previewed; preview it again to see what would be sent.", m.ID)
			return s.auditRefusal(tx, m, o, refused, now)
		}
		if draftPrint(m) != p.draft {
			return Errorf(ECONFLICT, "move %d changed while it was being prepared; try again", m.ID)
		}
		if len(p.Holes) > 0 && !o.AllowTemplate {
			refused = holesError(p.Holes)
			if o.Rule == nil {
				return refused // a person sees it; nothing is recorded
			}
			return s.auditRefusal(tx, m, o, refused, now)
		}
		v, perr, err := s.policy(tx, p.Plan, now)
		if err != nil {
			return err
		}
		if perr != nil {
			refused = perr
			return s.auditRefusal(tx, m, o, perr, now)
		}
		prior, err := tx.FindExecutions(m.ID)
		if err != nil {
			return err
		}
		st, err := tx.Settings()
		if err != nil {
			return err
		}
		key := fmt.Sprintf("move-%d-attempt-%d-%s", m.ID, len(prior)+1, randomHex(4))
		plan := p.Plan.clone()
		plan.bind(key, p.owner)
		raw, err := plan.encode()
		if err != nil {
			return &Error{Code: EINTERNAL, Message: "the plan cannot be recorded", Err: err}
		}
		exec = &Execution{
			MoveID: m.ID, IdempotencyKey: key, Kind: m.Kind, Actor: o.Actor, Draft: m.Draft, CreatedAt: now, UpdatedAt: now,
			Action: plan.Action, Plan: raw, PlanHash: p.Hash, State: ExecCommitting,
		}
		switch {
		case !plan.Outgoing:
		case v.Queue:
			exec.State, exec.NotBefore, exec.Queued = ExecQueued, v.NotBefore, v.Why
		case st.UndoWindow > 0:
			exec.State, exec.UndoUntil = ExecWaitingUndo, now.Add(st.UndoWindow)
		}
		if err := tx.CreateExecution(exec); err != nil {
			return err
		}
		if exec.State == ExecCommitting {
			// Carried out below: taken before the record is visible, so
			// a Reconcile reading it meanwhile leaves it alone.
			taken = s.take(exec.ID)
		}
		who := string(o.Actor)
		if o.Why != "" {
			who += " (" + o.Why + ")"
		}
		kept := ""
		if len(p.Holes) > 0 {
			names := make([]string, len(p.Holes))
			for i, h := range p.Holes {
				names[i] = h.String()
			}
			kept = "; template text kept on purpose: " + strings.Join(names, ", ")
		}
		if err := tx.AppendAudit(&AuditEntry{At: now, Actor: o.Actor, Action: AuditExecPlanned, MoveID: m.ID, APS: m.Score.APS, Reasons: m.Reasons,
			Detail: fmt.Sprintf("%s by %s: %s; plan %s; %s%s", exec.IdempotencyKey, who, strings.Join(plan.Effects, "; "), p.Hash[:12], stateNote(exec), kept)}); err != nil {
			return err
		}
		return transition(tx, m, StatusExecuting, o.Actor, "execution "+exec.IdempotencyKey, now)
	})
	if err != nil {
		if taken {
			s.drop(exec.ID)
		}
		return nil, nil, WrapError("execute", err)
	}
	if refused != nil {
		return m, nil, WrapError("execute", refused)
	}
	s.events.Publish(EventQueueChanged, QueueChanged{Reason: "execute", MoveIDs: []uint64{id}})
	switch exec.State {
	case ExecWaitingUndo:
		s.events.Publish(EventExecutionUndo, UndoWindow{ExecutionID: exec.ID, MoveID: id, Deadline: exec.UndoUntil.UTC(),
			Seconds: exec.UndoUntil.Sub(now).Seconds(), Summary: firstEffect(p.Plan)})
		s.kickScheduler()
		return m, exec, nil
	case ExecQueued:
		s.events.Publish(EventExecutionQueued, ExecutionQueued{ExecutionID: exec.ID, MoveID: id, Reason: exec.Queued, NotBefore: exec.NotBefore.UTC()})
		s.kickScheduler()
		return m, exec, nil
	}
	return s.commit(ctx, exec.ID, claimRecorded)
}

func firstEffect(p *Plan) string {
	if len(p.Effects) == 0 {
		return p.Action
	}
	return p.Effects[0]
}

func stateNote(e *Execution) string {
	switch e.State {
	case ExecWaitingUndo:
		return "waits for undo until " + e.UndoUntil.In(time.Local).Format("15:04:05")
	case ExecQueued:
		return "queued: " + e.Queued
	}
	return "goes now"
}

func (s *ExecutionService) auditRefusal(tx Tx, m *Move, o ExecuteOptions, refusal error, now time.Time) error {
	detail := clause("", o.Why, ": ")
	if errors.Is(refusal, ErrTemplateHoles) {
		detail += "template text: " + ErrorMessage(refusal)
	} else {
		detail += refusal.(*Error).Err.Error()
	}
	if o.Rule != nil {
		if again, err := repeatsRefusal(tx, m.ID, o.Rule, detail, now); err != nil || again {
			return err
		}
	}
	return tx.AppendAudit(&AuditEntry{At: now, Actor: o.Actor, Action: AuditExecRefused, MoveID: m.ID, APS: m.Score.APS, Reasons: m.Reasons,
		Detail: detail})
}

// repeatsRefusal reports whether the move's latest audit entry already
// records this refusal of rule r, with nothing changed since: no other
// entry for the move (a draft edit, a rescore, a transition), the rule
// not saved since, the kill switch not turned on or off since, and still
// the same day (a daily cap, a do-not-contact "today" are news again).
func repeatsRefusal(tx Tx, moveID uint64, r *Rule, detail string, now time.Time) (bool, error) {
	_, n, err := tx.FindAudit(AuditFilter{MoveID: &moveID, Limit: 1})
	if err != nil || n == 0 {
		return false, err
	}
	entries, _, err := tx.FindAudit(AuditFilter{MoveID: &moveID, Offset: n - 1, Limit: 1})
	if err != nil || len(entries) == 0 {
		return false, err
	}
	last := entries[0]
	if last.Action != AuditExecRefused || last.Actor != ActorRule || last.Detail != detail || r.UpdatedAt.After(last.At) {
		return false, nil
	}
	g, err := tx.Guardrails()
	if err != nil {
		return false, err
	}
	if g.KillSwitchAt.After(last.At) {
		return false, nil
	}
	y1, m1, d1 := last.At.In(now.Location()).Date()
	y2, m2, d2 := now.Date()
	return y1 == y2 && m1 == m2 && d1 == d2, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// outboxBackoff paces retries of an execution whose account is offline.
var outboxBackoff = Backoff{Min: 5 * time.Second, Max: 5 * time.Minute}

// claim says which executions a commit may carry out: each caller only
// the states it is there for, checked in the transaction that marks the
// execution committing, so a pass working from an older read skips what
// another pass has already carried out or put back in the outbox.
type claim int

const (
	claimRecorded claim = iota // Execute: the execution it just recorded, committing with no attempt yet
	claimDue                   // Tick: waiting out its undo window or in the outbox, and due now
	claimInFlight              // Reconcile: committing or planned when a crash stopped it
)

// allows reports whether c may carry out e at now.
func (c claim) allows(e *Execution, now time.Time) bool {
	switch c {
	case claimRecorded:
		return e.State == ExecCommitting && e.Attempts == 0
	case claimDue:
		return e.State == ExecWaitingUndo && !e.UndoUntil.After(now) || e.State == ExecQueued && !e.NotBefore.After(now)
	case claimInFlight:
		return e.State == ExecCommitting || e.State == ExecPlanned
	}
	return false
}

// commit carries out a recorded execution the caller has taken (see
// take; commit drops it): it marks it committing (and re-checks the kill
// switch) in one transaction, makes the call outside any transaction,
// and stores the result in another. A retry (Attempts > 1) first asks
// the remote side whether the effect already happened, so a lost answer
// or a crash never makes a second one. When c no longer allows the
// execution (another pass finished it, or put it back in the outbox),
// commit does nothing and returns ECONFLICT with no execution.
func (s *ExecutionService) commit(ctx context.Context, execID uint64, c claim) (*Move, *Execution, error) {
	defer s.drop(execID)
	var (
		exec    *Execution
		m       *Move
		plan    *Plan
		stopped error
	)
	now := s.clock.Now()
	err := s.store.Update(ctx, func(tx Tx) error {
		e, err := tx.FindExecution(execID)
		if err != nil {
			return err
		}
		if !c.allows(e, now) {
			if !e.State.IsOpen() {
				return Errorf(ECONFLICT, "execution %d is %s; there is nothing left to carry out", e.ID, e.State)
			}
			return Errorf(ECONFLICT, "execution %d is %s and not due; it is left for later", e.ID, e.State)
		}
		if m, err = tx.FindMove(e.MoveID); err != nil {
			return err
		}
		if plan, err = DecodePlan(e.Plan); err != nil {
			return err
		}
		if plan.Outgoing {
			g, err := tx.Guardrails()
			if err != nil {
				return err
			}
			if g.KillSwitch {
				stopped = refuse(GuardKillSwitch, "The kill switch went on before execution %s left; nothing was sent.", e.IdempotencyKey)
				exec = e
				return s.cancelTx(tx, e, m, ActorSystem, "stopped by the kill switch before anything was sent", now)
			}
		}
		e.State, e.NotBefore, e.Queued, e.UpdatedAt = ExecCommitting, time.Time{}, "", now
		e.Attempts++
		if err := tx.UpdateExecution(e); err != nil {
			return err
		}
		exec = e
		return tx.AppendAudit(&AuditEntry{At: now, Actor: ActorSystem, Action: AuditExecCall, MoveID: m.ID, APS: m.Score.APS,
			Detail: fmt.Sprintf("%s: calling %s for %s (attempt %d)", e.IdempotencyKey, plan.Account, plan.Action, e.Attempts)})
	})
	if err != nil {
		return nil, nil, WrapError("execute", err)
	}
	if stopped != nil {
		s.events.Publish(EventQueueChanged, QueueChanged{Reason: "kill switch", MoveIDs: []uint64{m.ID}})
		return m, exec, WrapError("execute", stopped)
	}
	h := s.hooks()
	if h.BeforeCall != nil {
		if err := h.BeforeCall(exec); err != nil {
			return m, exec, err
		}
	}
	res, reconciled, callErr := s.call(ctx, plan, exec)
	if h.AfterCall != nil {
		if err := h.AfterCall(exec); err != nil {
			return m, exec, err
		}
	}
	return s.finish(ctx, exec.ID, plan, res, reconciled, callErr)
}

// call carries out the plan, asking the remote side first on a retry.
func (s *ExecutionService) call(ctx context.Context, plan *Plan, exec *Execution) (ExecutionResult, bool, error) {
	a, err := s.actionFor(exec.Kind)
	if err != nil {
		return ExecutionResult{}, false, err // not connected (any more): held in the outbox
	}
	if exec.Attempts > 1 {
		res, ok, err := a.Find(ctx, plan)
		if err != nil {
			return ExecutionResult{}, false, err
		}
		if ok {
			return res, true, nil
		}
	}
	res, err := a.Do(ctx, plan)
	return res, false, err
}

// finish stores what the call did: committed, queued in the outbox when
// the account could not be reached, or failed.
func (s *ExecutionService) finish(ctx context.Context, execID uint64, plan *Plan, res ExecutionResult, reconciled bool, callErr error) (*Move, *Execution, error) {
	var (
		m    *Move
		exec *Execution
	)
	done := s.clock.Now()
	queued := ErrorCode(callErr) == EUNAVAILABLE
	err := s.store.Update(context.WithoutCancel(ctx), func(tx Tx) error {
		var err error
		if exec, err = tx.FindExecution(execID); err != nil {
			return err
		}
		if m, err = tx.FindMove(exec.MoveID); err != nil {
			return err
		}
		exec.UpdatedAt = done
		entry := &AuditEntry{At: done, Actor: ActorSystem, MoveID: m.ID, APS: m.Score.APS, Reasons: m.Reasons}
		switch {
		case callErr == nil:
			exec.State, exec.RemoteIDs, exec.Result, exec.CommittedAt, exec.Error = ExecCommitted, res.RemoteIDs, res.Summary, done, ""
			m.LastError = ""
			entry.Action = AuditExecCommitted
			how := ""
			if reconciled {
				how = " (found on the remote side: not sent again)"
			}
			entry.Detail = fmt.Sprintf("%s committed%s: %s; remote %s", exec.IdempotencyKey, how, res.Summary, remoteString(res.RemoteIDs))
			if err := tx.AddStat(statExecuted(exec.Kind), done, 1); err != nil {
				return err
			}
			if plan != nil && plan.Merge != nil {
				// The survivor's id, new from HubSpot, is followed
				// everywhere in this same transaction.
				if err := applyMerge(tx, plan.Merge, res.RemoteIDs["contact_id"]); err != nil {
					return err
				}
				if m, err = tx.FindMove(m.ID); err != nil {
					return err
				}
			}
			if err := tx.UpdateExecution(exec); err != nil {
				return err
			}
			if err := tx.AppendAudit(entry); err != nil {
				return err
			}
			if err := s.watchExecution(tx, m, exec, plan, done); err != nil {
				return err
			}
			return transition(tx, m, StatusDone, ActorSystem, res.Summary, done)
		case queued:
			exec.State, exec.Error = ExecQueued, ErrorMessage(callErr)
			exec.NotBefore = done.Add(outboxBackoff.Delay(exec.Attempts, 0.5))
			exec.Queued = "offline: " + ErrorMessage(callErr)
			if d, ok := RetryAfter(callErr); ok && d > 0 && done.Add(d).After(exec.NotBefore) {
				exec.NotBefore = done.Add(d)
			}
			entry.Action = AuditExecQueued
			entry.Detail = fmt.Sprintf("%s queued in the outbox: %s; retry after %s", exec.IdempotencyKey, ErrorMessage(callErr), Stamp(exec.NotBefore, s.zone))
			if err := tx.UpdateExecution(exec); err != nil {
				return err
			}
			return tx.AppendAudit(entry)
		default:
			exec.State, exec.Error = ExecFailed, ErrorMessage(callErr)
			m.LastError = ErrorMessage(callErr)
			entry.Action = AuditExecFailed
			entry.Detail = fmt.Sprintf("%s failed: %s", exec.IdempotencyKey, ErrorMessage(callErr))
			if err := tx.UpdateExecution(exec); err != nil {
				return err
			}
			if err := tx.AppendAudit(entry); err != nil {
				return err
			}
			if err := s.executionEnded(tx, m, exec, OutcomeError, "failed: "+ErrorMessage(callErr), done); err != nil {
				return err
			}
			return transition(tx, m, StatusFailed, ActorSystem, "failed: "+ErrorMessage(callErr), done)
		}
	})
	if err != nil {
		return nil, nil, WrapError("execute", err)
	}
	s.events.Publish(EventQueueChanged, QueueChanged{Reason: "execute", MoveIDs: []uint64{m.ID}})
	if queued {
		s.events.Publish(EventExecutionQueued, ExecutionQueued{ExecutionID: exec.ID, MoveID: m.ID, Reason: exec.Queued, NotBefore: exec.NotBefore.UTC()})
		return m, exec, nil
	}
	s.events.Publish(EventExecutionFinished, ExecutionFinished{ExecutionID: exec.ID, MoveID: m.ID, State: string(exec.State), Result: exec.Result, Error: exec.Error})
	if callErr != nil {
		return m, exec, WrapError("execute", callErr)
	}
	return m, exec, nil
}

func remoteString(ids map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(ids)) {
		if ids[k] != "" {
			parts = append(parts, k+"="+ids[k])
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " ")
}

// cancelTx takes an execution that has not left back: it becomes undone
// with nothing sent and the move returns to pending; it is the undone
// outcome of that execution.
func (c *core) cancelTx(tx Tx, e *Execution, m *Move, actor Actor, why string, now time.Time) error {
	e.State, e.Result, e.UpdatedAt, e.NotBefore, e.Queued = ExecUndone, why, now, time.Time{}, ""
	if err := tx.UpdateExecution(e); err != nil {
		return err
	}
	if err := tx.AppendAudit(&AuditEntry{At: now, Actor: actor, Action: AuditExecCancelled, MoveID: m.ID, APS: m.Score.APS,
		Detail: e.IdempotencyKey + ": " + why}); err != nil {
		return err
	}
	if err := c.executionEnded(tx, m, e, OutcomeUndone, why, now); err != nil {
		return err
	}
	return transition(tx, m, StatusPending, actor, why, now)
}

// UndoWindow is the payload of EventExecutionUndo: the execution waits
// until Deadline, and Cancel before then sends nothing.
type UndoWindow struct {
	ExecutionID uint64    `json:"execution_id"`
	MoveID      uint64    `json:"move_id"`
	Deadline    time.Time `json:"deadline"`
	Seconds     float64   `json:"seconds"`
	Summary     string    `json:"summary"`
}

// ExecutionQueued is the payload of EventExecutionQueued.
type ExecutionQueued struct {
	ExecutionID uint64    `json:"execution_id"`
	MoveID      uint64    `json:"move_id"`
	Reason      string    `json:"reason"`
	NotBefore   time.Time `json:"not_before"`
}

// ExecutionFinished is the payload of EventExecutionFinished: committed,
// failed or undone (cancelled or rolled back).
type ExecutionFinished struct {
	ExecutionID uint64 `json:"execution_id"`
	MoveID      uint64 `json:"move_id"`
	State       string `json:"state"`
	Result      string `json:"result,omitempty"`
	Error       string `json:"error,omitempty"`
}

// LocalExecutor carries out the moves that need no outside account: notes.
// The note's text is the draft, kept in the execution record.
type LocalExecutor struct{}

// clause is before+s+after, or "" when s is empty: an optional part of an
// audit line that must not leave its punctuation behind when missing.
func clause(before, s, after string) string {
	if s == "" {
		return ""
	}
	return before + s + after
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
