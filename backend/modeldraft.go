package backend

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// The background upgrade. Ingest composes every draft offline and the move
// can be executed at once; when a model is connected, ingest also hands
// the moves it created or updated to ModelService (and a follow-up is
// handed over once proposed, modelfollowup.go), which asks the model,
// outside any transaction, for a better reply (or a battle card's summary)
// and replaces the draft only when the answer passed validation and the
// move is still as it was asked about: open and not executing, not edited
// by the founder, its draft unchanged. Whatever fails — no model, the
// never-send list, the day's token budget, a refused key, a timeout, a
// rate limit, an answer that is not JSON or names a price or date that
// was not sent — leaves the offline draft standing, and DraftNote says why.

// ModelService upgrades drafts with the optional language model.
type ModelService struct{ *core }

// modelRuntime is the model the service asks and its queue of moves.
type modelRuntime struct {
	mu          sync.Mutex
	llm         LLM      // nil = none: nothing is ever sent
	cal         Calendar // nil = none: drafts ask for a time (draftslots.go)
	name        string   // the configured model's name, for provenance
	timeout     time.Duration
	pausedUntil time.Time // a rate limit's wait: until then no call goes out
	queue       []uint64
	queued      map[uint64]bool
	wake        chan struct{}
}

// Defaults of the upgrade.
const (
	// DefaultModelTimeout bounds one call: the offline draft stands
	// meanwhile, and a draft later than this is not worth the wait.
	DefaultModelTimeout = 20 * time.Second
	// MaxModelDraft bounds a model's draft, in bytes.
	MaxModelDraft = 4000
	// MaxModelSummary bounds a battle card's summary, in bytes.
	MaxModelSummary = 600
	// maxModelQueue bounds the moves waiting for the model; beyond it
	// the newest are dropped (their offline drafts stand).
	maxModelQueue = 256
	// modelAnswerTokens bounds the model's answer.
	modelAnswerTokens = 600
	// maxPromptThread bounds the thread text sent, in bytes.
	maxPromptThread = 6000
)

// StatModelTokens counts the tokens the model used, per quarter hour.
const StatModelTokens = "model:tokens"

// SetLLM connects the model (nil disconnects it): name is what the
// preview says wrote a draft ("gpt-4o-mini at api.openai.com"), timeout
// bounds each call (0 = DefaultModelTimeout). Safe to call at any time.
func (s *ModelService) SetLLM(llm LLM, name string, timeout time.Duration) {
	r := &s.model
	r.mu.Lock()
	defer r.mu.Unlock()
	if timeout <= 0 {
		timeout = DefaultModelTimeout
	}
	r.llm, r.name, r.timeout, r.pausedUntil = llm, name, timeout, time.Time{}
	if llm == nil && r.cal == nil {
		r.queue, r.queued = nil, nil
	}
}

// Connected reports whether a model is connected.
func (s *ModelService) Connected() bool {
	s.model.mu.Lock()
	defer s.model.mu.Unlock()
	return s.model.llm != nil
}

// Enqueue hands moves to the background draft worker (slots, then the
// model); it never blocks and does nothing without a calendar or a model.
func (s *ModelService) Enqueue(ids ...uint64) {
	r := &s.model
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.llm == nil && r.cal == nil {
		return
	}
	if r.queued == nil {
		r.queued = map[uint64]bool{}
	}
	for _, id := range ids {
		if !r.queued[id] && len(r.queue) < maxModelQueue {
			r.queued[id] = true
			r.queue = append(r.queue, id)
		}
	}
	if r.wake == nil {
		r.wake = make(chan struct{}, 1)
	}
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// next takes the next queued move, or returns false.
func (r *modelRuntime) next() (uint64, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.queue) == 0 {
		return 0, false
	}
	id := r.queue[0]
	r.queue = r.queue[1:]
	delete(r.queued, id)
	return id, true
}

func (r *modelRuntime) wakeup() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.wake == nil {
		r.wake = make(chan struct{}, 1)
	}
	return r.wake
}

// Run upgrades queued moves one at a time until ctx ends. A failure is
// recorded on its move (DraftNote), never returned: Run returns ctx's
// error only.
func (s *ModelService) Run(ctx context.Context) error {
	wake := s.model.wakeup()
	for {
		for {
			id, ok := s.model.next()
			if !ok {
				break
			}
			s.work(ctx, id)
			if ctx.Err() != nil {
				return ctx.Err()
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-wake:
		}
	}
}

// Drain upgrades every queued move now, for a process that ends after one
// command (the CLI's ingest) and for tests.
func (s *ModelService) Drain(ctx context.Context) {
	for {
		id, ok := s.model.next()
		if !ok || ctx.Err() != nil {
			return
		}
		s.work(ctx, id)
	}
}

// Upgrade results.
const (
	UpgradeNone     = "none"     // not a move the model writes for, or no model: nothing sent
	UpgradeSkipped  = "skipped"  // not sent: the never-send list, the budget, a wait (DraftNote says)
	UpgradeFailed   = "failed"   // sent, and the model failed (DraftNote says)
	UpgradeRefused  = "refused"  // sent, and the answer failed validation (DraftNote says)
	UpgradeStale    = "stale"    // sent, and the move changed meanwhile: the answer is dropped
	UpgradeReplaced = "replaced" // the model's draft replaced the offline one
)

// modelJob is what one upgrade sends and how its answer is checked.
type modelJob struct {
	kind    string // "reply", "followup" or "battlecard"
	req     ModelRequest
	allowed string // the text every number and date in the answer must come from
	offline Draft  // the draft the job was built from
	// askIntent: the offline intent (offLbl) was a guess, so the model's
	// reading is recorded in the move's reasons when it differs.
	askIntent bool
	offLbl    string
}

// Upgrade asks the model for a better draft of move id, validates the
// answer and replaces the draft when it may. It returns what happened
// (Upgrade…); the error is the model's or the store's, also recorded.
func (s *ModelService) Upgrade(ctx context.Context, id uint64) (string, error) {
	r := &s.model
	r.mu.Lock()
	llm, name, timeout, paused := r.llm, r.name, r.timeout, r.pausedUntil
	r.mu.Unlock()
	if llm == nil {
		return UpgradeNone, nil
	}
	now := s.clock.Now()
	var job *modelJob
	var note string
	err := s.store.View(ctx, func(tx Tx) error {
		m, err := tx.FindMove(id)
		if err != nil {
			return err
		}
		if may, err := modelMayWriteIn(tx, m); !may || err != nil || m.DraftBy != "" {
			return err // not open to the model now, or its draft stands already
		}
		st, err := tx.Settings()
		if err != nil {
			return err
		}
		lm := st.LanguageModel
		if !lm.Configured() {
			return nil
		}
		if acct := neverSendMatch(tx, m, lm.NeverSend); acct != "" {
			note = fmt.Sprintf("Offline draft: %s is on your never-send-to-the-model list, so nothing was sent.", acct)
			return nil
		}
		used, err := tx.SumStat(StatModelTokens, startOfDay(now, s.zone), now.Add(time.Nanosecond))
		if err != nil {
			return err
		}
		if used >= lm.Budget() {
			note = fmt.Sprintf("Offline draft: the model's daily token budget (%d) is used up.", lm.Budget())
			return nil
		}
		if now.Before(paused) {
			note = fmt.Sprintf("Offline draft: the model asked to wait until %s.", paused.In(zoneOr(s.zone)).Format("15:04"))
			return nil
		}
		job, err = buildModelJob(tx, m, st, s.zone)
		return err
	})
	if err != nil {
		return UpgradeFailed, WrapError("model draft", err)
	}
	if job == nil {
		if note == "" {
			return UpgradeNone, nil
		}
		return UpgradeSkipped, s.note(ctx, id, nil, nil, note)
	}

	cctx, cancel := context.WithTimeout(ctx, timeout)
	reply, err := llm.Complete(cctx, job.req)
	cancel()
	if err != nil {
		if wait, ok := RetryAfter(err); ok && wait > 0 {
			r.mu.Lock()
			r.pausedUntil = s.clock.Now().Add(wait)
			r.mu.Unlock()
		}
		var be *Error
		if errors.Is(cctx.Err(), context.DeadlineExceeded) && !errors.As(err, &be) {
			err = &Error{Code: EUNAVAILABLE, Message: fmt.Sprintf("the model did not answer within %s", timeout), Err: err}
		}
		note := "Offline draft: the model failed — " + strings.TrimSuffix(ErrorMessage(err), ".") + "."
		if ErrorCode(err) == EUNAUTHORIZED {
			note = "Offline draft: the model refused the key — reconnect the model (caseyos connect llm)."
		}
		_ = s.note(ctx, id, job, nil, note)
		return UpgradeFailed, err
	}
	if reply.Model == "" {
		reply.Model = name
	}
	out, verr := job.check(reply.Content)
	if verr != nil {
		_ = s.note(ctx, id, job, &reply, "Offline draft: the model's draft was not used — "+ErrorMessage(verr)+".")
		return UpgradeRefused, verr
	}
	return s.replace(ctx, id, job, &reply, name, out)
}

// modelMayWrite: a reply in a thread, or a battle card's task, open and
// not executing, and not edited by the founder.
func modelMayWrite(m *Move) bool {
	if m.DraftEdited {
		return false
	}
	switch m.Status {
	case StatusPending, StatusSnoozed, StatusFailed:
	default:
		return false
	}
	switch {
	case m.Kind == KindSendEmail && m.Draft.ThreadID != "":
		return true
	case isBattleCard(m):
		return true
	}
	return false
}

func isBattleCard(m *Move) bool {
	return m.Kind == KindCreateTask && m.Subject.Type == SubjectTopic && strings.HasPrefix(m.Subject.ID, "battlecard:")
}

// neverSendMatch names the account of m that is on the never-send list
// (a company id, or the domain of the company, the contact or any
// recipient), or "".
func neverSendMatch(tx Tx, m *Move, list []string) string {
	if len(list) == 0 {
		return ""
	}
	on := map[string]bool{}
	for _, a := range list {
		on[strings.ToLower(a)] = true
	}
	check := func(v string) bool { return v != "" && on[strings.ToLower(v)] }
	companyID := m.CompanyID
	var domains []string
	if m.ContactID != "" {
		if c, err := tx.FindContact(m.ContactID); err == nil {
			domains = append(domains, emailDomain(c.Email))
			if companyID == "" {
				companyID = c.CompanyID
			}
		}
		domains = append(domains, emailDomain(m.ContactID))
	}
	if companyID != "" {
		if check(companyID) {
			return companyID
		}
		if co, err := tx.FindCompany(companyID); err == nil {
			if check(co.Domain) {
				return co.Domain
			}
			if co.Name != "" && check(co.Name) {
				return co.Name
			}
		}
	}
	for _, a := range append(append([]string{}, m.Draft.To...), m.Draft.Cc...) {
		domains = append(domains, emailDomain(a))
	}
	for _, d := range domains {
		if check(d) {
			return d
		}
	}
	return ""
}

func emailDomain(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return strings.ToLower(strings.TrimSpace(addr[i+1:]))
	}
	return ""
}

func startOfDay(t time.Time, zone *time.Location) time.Time {
	t = t.In(zoneOr(zone))
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}

// note records why the offline draft stands (and, when something was
// sent, exactly what), and the tokens an answer cost.
func (s *ModelService) note(ctx context.Context, id uint64, job *modelJob, reply *ModelReply, note string) error {
	err := s.store.Update(ctx, func(tx Tx) error {
		if reply != nil && reply.Tokens() > 0 {
			if err := tx.AddStat(StatModelTokens, s.clock.Now(), reply.Tokens()); err != nil {
				return err
			}
		}
		m, err := tx.FindMove(id)
		if err != nil {
			return err
		}
		if may, err := modelMayWriteIn(tx, m); !may || err != nil || (job != nil && !sameDraft(m.Draft, job.offline)) || m.DraftBy != "" {
			return err // it moved on, or a model's draft already stands
		}
		var sent []ModelMessage
		if job != nil {
			sent = job.req.Messages
		}
		if m.DraftNote == note && len(m.DraftSent) == len(sent) {
			return nil
		}
		m.DraftNote, m.DraftSent = note, sent
		return tx.UpdateMove(m)
	})
	if err == nil {
		s.events.Publish(EventQueueChanged, QueueChanged{Reason: "model", MoveIDs: []uint64{id}})
	}
	return WrapError("model draft", err)
}

// replace puts the model's validated answer in the draft, if the move is
// still as it was when the job was built.
func (s *ModelService) replace(ctx context.Context, id uint64, job *modelJob, reply *ModelReply, name string, out modelAnswer) (string, error) {
	result := UpgradeReplaced
	now := s.clock.Now()
	err := s.store.Update(ctx, func(tx Tx) error {
		if reply.Tokens() > 0 {
			if err := tx.AddStat(StatModelTokens, now, reply.Tokens()); err != nil {
				return err
			}
		}
		m, err := tx.FindMove(id)
		if err != nil {
			return err
		}
		if may, err := modelMayWriteIn(tx, m); !may || err != nil || !sameDraft(m.Draft, job.offline) {
			result = UpgradeStale
			return err
		}
		by := nonEmpty(name, reply.Model)
		switch job.kind {
		case "reply", "followup":
			m.Draft.Body = out.Body
		case "battlecard":
			m.Draft.Body = "What changed (summary by " + by + "): " + out.Summary
			if job.offline.Body != "" {
				m.Draft.Body += "\n\n" + job.offline.Body
			}
		}
		m.DraftBy, m.DraftSent, m.DraftNote = by, job.req.Messages, ""
		if job.askIntent && out.Intent != "" && out.Intent != job.offLbl {
			line := "The model reads this as " + strings.ReplaceAll(out.Intent, "_", " ") +
				" (offline: " + strings.ReplaceAll(nonEmpty(job.offLbl, "other"), "_", " ") + ", unsure)"
			m.Why = mergeWhy([]string{line}, m.Why)
			st, err := tx.Settings()
			if err != nil {
				return err
			}
			lookup := newTxRecords(tx)
			if err := scoreMove(m, lookup, st, now); err != nil {
				return err
			}
			if lookup.err != nil {
				return lookup.err
			}
		}
		m.UpdatedAt = now
		if err := tx.UpdateMove(m); err != nil {
			return err
		}
		return tx.AppendAudit(&AuditEntry{At: now, Actor: ActorSystem, Action: AuditMoveUpdated, MoveID: m.ID,
			Detail: "draft written by " + by, APS: m.Score.APS})
	})
	if err != nil {
		return UpgradeFailed, WrapError("model draft", err)
	}
	if result == UpgradeReplaced {
		s.events.Publish(EventQueueChanged, QueueChanged{Reason: "model", MoveIDs: []uint64{id}})
	}
	return result, nil
}

// sameDraft reports whether the draft is still the one a job was built
// from: a newer signal, or the founder, may have replaced it meanwhile.
func sameDraft(a, b Draft) bool {
	return a.Subject == b.Subject && a.Body == b.Body && a.TaskTitle == b.TaskTitle &&
		a.ThreadID == b.ThreadID && a.InReplyTo == b.InReplyTo && strings.Join(a.To, ",") == strings.Join(b.To, ",")
}

// Backfill queues up to limit open drafts, best first, that no model has
// seen yet: moves that came in while no model was connected, or while
// CaseyOS was closed — and, with a calendar, open replies that offer no
// slots yet. It does nothing without a model or a calendar.
func (s *ModelService) Backfill(ctx context.Context, limit int) error {
	llm, cal := s.Connected(), s.calendar() != nil
	if !llm && !cal {
		return nil
	}
	var ids []uint64
	err := s.store.View(ctx, func(tx Tx) error {
		for _, status := range []MoveStatus{StatusPending, StatusSnoozed, StatusFailed} {
			status := status
			moves, _, err := tx.FindMoves(MoveFilter{Status: &status, ByScore: true, Limit: 4 * limit})
			if err != nil {
				return err
			}
			for _, m := range moves {
				if len(ids) == limit {
					return nil
				}
				unseen := llm && modelMayWrite(m) && m.DraftBy == "" && m.DraftNote == "" && len(m.DraftSent) == 0
				// The slot step looks once at each open reply without slots.
				noSlots := cal && slotsMayWrite(m) && m.Draft.Fields[FieldOffered] == ""
				if unseen || noSlots {
					ids = append(ids, m.ID)
				}
			}
		}
		return nil
	})
	if err != nil {
		return WrapError("model backfill", err)
	}
	s.Enqueue(ids...)
	return nil
}

// UsedToday is the tokens the model used since the owner's midnight.
func (s *ModelService) UsedToday(ctx context.Context) (int, error) {
	now := s.clock.Now()
	var n int
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		n, err = tx.SumStat(StatModelTokens, startOfDay(now, s.zone), now.Add(time.Nanosecond))
		return err
	})
	return n, WrapError("model usage", err)
}
