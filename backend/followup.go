package backend

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Follow-ups when nothing comes back: the first step of sequences.
//
// An email we sent that gets a no_response outcome starts a sequence on
// its thread. Each step is one follow-up move (subject follow_up
// "<thread>/<step>", so one move per thread and step, apart from the
// thread's reply moves) proposed when the gap after our last mail has
// passed; executing it goes through the normal execution path and its
// guardrails (kill switch, send window, caps, do-not-contact). The next
// step waits for that mail's own no_response. Any reply, bounce,
// unsubscribe or meeting booked stops the sequence and ends its open
// move; an out-of-office pauses it until after the return date. All of it
// happens in the transaction that records the outcome (an
// OutcomeObserver), so it lands with the outcome or not at all.

// SequenceState is where a follow-up sequence is.
type SequenceState string

// Sequence states.
const (
	SequenceActive   SequenceState = "active"   // waiting for the gap, or for its follow-up to be sent
	SequencePaused   SequenceState = "paused"   // out of office: resumes after PausedUntil
	SequenceStopped  SequenceState = "stopped"  // something came back, or stopped by hand
	SequenceFinished SequenceState = "finished" // every follow-up was sent
)

// SubjectFollowUp is the subject of a follow-up move: "<thread>/<step>".
const SubjectFollowUp SubjectType = "follow_up"

// Bounds on the follow-up settings.
const (
	DefaultFollowUpSteps = 2
	MaxFollowUpSteps     = 5
	MaxFollowUpGapDays   = 30
)

// FollowUps are the follow-up settings.
type FollowUps struct {
	On    bool
	Steps int // follow-ups after the first mail
	// GapDays is how many business days (Monday to Friday, in the
	// owner's zone) after our last mail a follow-up is proposed; 0 (the
	// default) is the no_response time, Settings.NoResponseDays.
	GapDays int
}

// DefaultFollowUps are on, two steps, each after the no_response time.
func DefaultFollowUps() FollowUps {
	return FollowUps{On: true, Steps: DefaultFollowUpSteps}
}

// FollowUpGap is the business days between the mails of a sequence.
func (s *Settings) FollowUpGap() int {
	if s.FollowUps.GapDays > 0 {
		return s.FollowUps.GapDays
	}
	return noResponseDays(s)
}

// Validate checks the steps and the gap are in range.
func (f FollowUps) Validate() error {
	if f.Steps < 1 || f.Steps > MaxFollowUpSteps {
		return Errorf(EINVALID, "follow-up steps must be between 1 and %d (got %d)", MaxFollowUpSteps, f.Steps)
	}
	if f.GapDays < 0 || f.GapDays > MaxFollowUpGapDays {
		return Errorf(EINVALID, "the gap between follow-ups must be between 0 (the no-response time) and %d business days (got %d)", MaxFollowUpGapDays, f.GapDays)
	}
	return nil
}

// SequenceStep is one mail of a sequence: step 1 is the first mail, the
// others are follow-ups.
type SequenceStep struct {
	N         int
	MoveID    uint64
	SentAt    time.Time // zero until it was sent
	MessageID string    // our RFC 5322 Message-ID, once sent
}

// Sequence is the follow-up state of one thread.
type Sequence struct {
	ID        uint64
	ThreadID  string
	To        string // the address followed up with
	ContactID string
	CompanyID string
	DealID    string
	Domain    Domain
	Subject   string // of the first mail
	Steps     []SequenceStep
	MaxSteps  int // mails in all, the first included
	GapDays   int
	State     SequenceState
	// NextAt is when the next follow-up move is proposed; zero while a
	// follow-up waits to be sent or the sequence has ended.
	NextAt      time.Time
	PausedUntil time.Time // the return date an out-of-office named
	StopReason  string
	StoppedAt   time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Validate checks the sequence names a thread, a recipient and a first mail.
func (q *Sequence) Validate() error {
	switch {
	case q.ThreadID == "":
		return Errorf(EINVALID, "sequence needs a thread")
	case q.To == "":
		return Errorf(EINVALID, "sequence needs a recipient")
	case len(q.Steps) == 0 || q.Steps[0].MoveID == 0:
		return Errorf(EINVALID, "sequence needs its first mail")
	}
	switch q.State {
	case SequenceActive, SequencePaused, SequenceStopped, SequenceFinished:
	default:
		return Errorf(EINVALID, "sequence state %q is unknown", q.State)
	}
	return nil
}

// Step returns the step of moveID, or nil.
func (q *Sequence) Step(moveID uint64) *SequenceStep {
	for i := range q.Steps {
		if q.Steps[i].MoveID == moveID {
			return &q.Steps[i]
		}
	}
	return nil
}

// Last is the newest step.
func (q *Sequence) Last() *SequenceStep { return &q.Steps[len(q.Steps)-1] }

// Ended reports whether the sequence proposes nothing more.
func (q *Sequence) Ended() bool { return q.State == SequenceStopped || q.State == SequenceFinished }

// Describe says where the sequence is, for the move's detail and the CLI:
// "step 2 of 3, started from “Pricing” on Tue 24 Nov; next at …".
func (q *Sequence) Describe(loc *time.Location) string {
	loc = zoneOr(loc)
	first := q.Steps[0]
	start := first.SentAt
	if start.IsZero() {
		start = q.CreatedAt
	}
	s := fmt.Sprintf("step %d of %d, started from “%s” on %s", len(q.Steps), q.MaxSteps, q.Subject, start.In(loc).Format("Mon 2 Jan"))
	switch q.State {
	case SequenceStopped:
		s += "; stopped because " + q.StopReason
	case SequenceFinished:
		s += "; finished: every follow-up was sent"
	case SequencePaused:
		s += "; paused: out of office until " + q.PausedUntil.In(loc).Format("Mon 2 Jan")
		if !q.NextAt.IsZero() {
			s += ", next at " + Stamp(q.NextAt, loc)
		}
	default:
		switch {
		case !q.NextAt.IsZero():
			s += "; next at " + Stamp(q.NextAt, loc)
		case q.Last().SentAt.IsZero():
			s += "; waiting for this follow-up to be sent"
		case len(q.Steps) < q.MaxSteps:
			s += fmt.Sprintf("; next after %d business days without an answer", q.GapDays)
		}
	}
	return s
}

// SequenceStore holds follow-up sequences, found by id, by any of their
// moves, by thread (the newest) and by when their next move is due.
type SequenceStore interface {
	// PutSequence stores q, assigning q.ID when it is 0, and rewrites its indexes.
	PutSequence(q *Sequence) error
	FindSequence(id uint64) (*Sequence, error)
	// SequenceByMove returns the sequence one of whose steps is moveID, or ENOTFOUND.
	SequenceByMove(moveID uint64) (*Sequence, error)
	// SequencesByLink returns the sequences with link (Sequence.Links), oldest first.
	SequencesByLink(link string) ([]*Sequence, error)
	// SequencesDue returns the sequences whose NextAt is set and before t, earliest first.
	SequencesDue(t time.Time) ([]*Sequence, error)
}

// FollowUpService shows and stops follow-up sequences; the sequences
// themselves move with outcomes (observeFollowUps) and the refresh pass.
type FollowUpService struct{ *core }

// ForMove returns the sequence moveID belongs to, or ENOTFOUND.
func (s *FollowUpService) ForMove(ctx context.Context, moveID uint64) (*Sequence, error) {
	var q *Sequence
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		q, err = tx.SequenceByMove(moveID)
		return err
	})
	if err != nil {
		return nil, WrapError("followup.for_move", err)
	}
	return q, nil
}

// Stop ends the sequence moveID belongs to, by hand: nothing more is
// proposed and its open follow-up move ends. Stopping an ended sequence
// is a conflict.
func (s *FollowUpService) Stop(ctx context.Context, moveID uint64, actor Actor) (*Sequence, error) {
	const op = "followup.stop"
	if actor == "" {
		actor = ActorCLI
	}
	now := s.clock.Now()
	var q *Sequence
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		if q, err = tx.SequenceByMove(moveID); err != nil {
			if ErrorCode(err) == ENOTFOUND {
				return Errorf(ENOTFOUND, "move %d is not part of a follow-up sequence", moveID)
			}
			return err
		}
		if q.Ended() {
			return Errorf(ECONFLICT, "the follow-ups on “%s” have already %s", q.Subject, q.State)
		}
		return s.stopSequence(tx, q, "stopped by hand", actor, now)
	})
	if err != nil {
		return nil, WrapError(op, err)
	}
	s.events.Publish(EventQueueChanged, QueueChanged{Reason: "follow-ups stopped"})
	return q, nil
}

// Pass proposes the follow-ups that are due and resumes paused sequences
// whose return date has passed. Refresh runs it; running it again, or
// after a restart, proposes nothing twice.
func (s *FollowUpService) Pass(ctx context.Context) (int, error) {
	now := s.clock.Now()
	var n int
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		n, err = s.followUpPass(tx, now)
		return err
	})
	if err != nil {
		return 0, WrapError("followup.pass", err)
	}
	return n, nil
}

// followUpPass is Pass inside a transaction: it reports how many moves it proposed.
func (c *core) followUpPass(tx Tx, now time.Time) (int, error) {
	due, err := tx.SequencesDue(now.Add(time.Nanosecond))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, q := range due {
		if q.State == SequencePaused {
			q.State = SequenceActive
			if err := auditSequence(tx, q, q.Last().MoveID, ActorSystem, "follow-ups resumed after the out-of-office", now); err != nil {
				return 0, err
			}
		}
		made, err := c.proposeFollowUp(tx, q, now)
		if err != nil {
			return 0, err
		}
		if made {
			n++
		}
	}
	return n, nil
}

// observeFollowUps is the OutcomeObserver of follow-ups.
func (c *core) observeFollowUps(tx Tx, o *Outcome, now time.Time) error {
	q, err := tx.SequenceByMove(o.MoveID)
	switch {
	case ErrorCode(err) == ENOTFOUND:
		q = nil
	case err != nil:
		return err
	}
	switch o.Type {
	case OutcomeNoResponse:
		return c.followUpNoResponse(tx, q, o, now)
	case OutcomeOutOfOffice:
		if q == nil {
			// An auto-reply to the first mail: what no_response would
			// have started begins now, paused.
			if q, err = c.startSequence(tx, o, now); err != nil || q == nil {
				return err
			}
		}
		return c.pauseSequence(tx, q, o, now)
	}
	reason := stopReason(o.Type)
	if reason == "" {
		return nil
	}
	live, err := liveSequencesFor(tx, q, o.MoveID)
	if err != nil {
		return err
	}
	for _, q := range live {
		if err := c.stopSequence(tx, q, reason, ActorSystem, now); err != nil {
			return err
		}
	}
	return nil
}

// liveSequencesFor finds the sequences an outcome of moveID stops: the
// move's own, else those on its thread and those with its recipients (a
// meeting booked through another move, a reply to a mail we wrote by
// hand in the thread).
func liveSequencesFor(tx Tx, q *Sequence, moveID uint64) ([]*Sequence, error) {
	if q != nil {
		if q.Ended() {
			return nil, nil
		}
		return []*Sequence{q}, nil
	}
	m, err := tx.FindMove(moveID)
	if err != nil {
		return nil, err
	}
	var links []string
	if m.Draft.ThreadID != "" {
		links = append(links, "thread:"+m.Draft.ThreadID)
	}
	if m.Subject.Type == SubjectThread {
		links = append(links, "thread:"+m.Subject.ID)
	}
	for _, a := range append(append([]string{}, m.Draft.To...), m.Draft.Cc...) {
		links = append(links, "to:"+strings.ToLower(strings.TrimSpace(a)))
	}
	if m.ContactID != "" {
		c, err := tx.FindContact(m.ContactID)
		switch {
		case err == nil && c.Email != "":
			links = append(links, "to:"+strings.ToLower(c.Email))
		case err != nil && ErrorCode(err) != ENOTFOUND:
			return nil, err
		}
	}
	seen := map[uint64]bool{}
	var out []*Sequence
	for _, l := range links {
		qs, err := tx.SequencesByLink(l)
		if err != nil {
			return nil, err
		}
		for _, q := range qs {
			if !seen[q.ID] && !q.Ended() {
				seen[q.ID] = true
				out = append(out, q)
			}
		}
	}
	return out, nil
}

// Links are what a sequence is found by besides its moves: "thread:ID"
// and "to:address".
func (q *Sequence) Links() []string {
	return []string{"thread:" + q.ThreadID, "to:" + strings.ToLower(q.To)}
}

// stopReason is why an outcome stops a sequence ("" when it does not).
func stopReason(t OutcomeType) string {
	switch t {
	case OutcomeReplied, OutcomePositiveReply, OutcomeNegativeReply:
		return "they replied"
	case OutcomeBounced:
		return "the mail bounced"
	case OutcomeUnsubscribed:
		return "they unsubscribed"
	case OutcomeMeetingBooked:
		return "a meeting was booked"
	}
	return ""
}

// followUpNoResponse starts the thread's sequence at its first mail, or
// moves it on when one of its follow-ups went unanswered.
func (c *core) followUpNoResponse(tx Tx, q *Sequence, o *Outcome, now time.Time) error {
	if q == nil {
		var err error
		if q, err = c.startSequence(tx, o, now); err != nil || q == nil {
			return err
		}
	} else if err := markSent(tx, q, o); err != nil {
		return err
	}
	if q.Ended() || q.State == SequencePaused {
		return nil
	}
	last := q.Last()
	if last.MoveID != o.MoveID || last.SentAt.IsZero() || !q.NextAt.IsZero() {
		return tx.PutSequence(q) // an older step's no_response, or one already handled
	}
	if len(q.Steps) >= q.MaxSteps {
		q.State, q.UpdatedAt = SequenceFinished, now
		if err := tx.PutSequence(q); err != nil {
			return err
		}
		return auditSequence(tx, q, o.MoveID, ActorSystem, fmt.Sprintf("follow-ups finished: no answer to %d mails", len(q.Steps)), now)
	}
	st, err := tx.Settings()
	if err != nil {
		return err
	}
	q.NextAt = AddBusinessDays(last.SentAt, q.GapDays, c.zone)
	if !st.FollowUps.On {
		q.NextAt = time.Time{}
	}
	q.UpdatedAt = now
	if err := tx.PutSequence(q); err != nil {
		return err
	}
	if q.NextAt.IsZero() || q.NextAt.After(now) {
		return nil
	}
	_, err = c.proposeFollowUp(tx, q, now)
	return err
}

// startSequence begins a sequence at the email move o is about; nil when
// that move is no email we sent in a thread, when follow-ups are off, or
// when the thread already has a live sequence.
func (c *core) startSequence(tx Tx, o *Outcome, now time.Time) (*Sequence, error) {
	st, err := tx.Settings()
	if err != nil || !st.FollowUps.On {
		return nil, err
	}
	m, err := tx.FindMove(o.MoveID)
	if err != nil {
		return nil, err
	}
	if m.Kind != KindSendEmail || m.Status != StatusDone || len(m.Draft.To) == 0 {
		return nil, nil
	}
	exec, err := sentExecution(tx, o)
	if err != nil || exec == nil || exec.Action != ActionSendEmail {
		return nil, err
	}
	thread := exec.RemoteIDs["thread_id"]
	if thread == "" {
		thread = exec.Draft.ThreadID
	}
	if thread == "" {
		return nil, nil
	}
	have, err := tx.SequencesByLink("thread:" + thread)
	if err != nil {
		return nil, err
	}
	for _, h := range have {
		if !h.Ended() {
			return nil, nil // this thread is followed up already
		}
	}
	q := &Sequence{
		ThreadID: thread, To: strings.ToLower(m.Draft.To[0]), ContactID: m.ContactID, CompanyID: m.CompanyID, DealID: m.DealID,
		Domain: m.Domain, Subject: baseSubject(exec.Draft.Subject), MaxSteps: st.FollowUps.Steps + 1, GapDays: st.FollowUpGap(),
		State: SequenceActive, CreatedAt: now, UpdatedAt: now,
		Steps: []SequenceStep{{N: 1, MoveID: m.ID}},
	}
	if err := markSent(tx, q, o); err != nil {
		return nil, err
	}
	if err := tx.PutSequence(q); err != nil {
		return nil, err
	}
	return q, auditSequence(tx, q, m.ID, ActorSystem, fmt.Sprintf("follow-ups started on “%s”: no answer yet", q.Subject), now)
}

// sentExecution is the committed execution o is about, or nil.
func sentExecution(tx Tx, o *Outcome) (*Execution, error) {
	var exec *Execution
	if o.ExecutionID != 0 {
		e, err := tx.FindExecution(o.ExecutionID)
		if err != nil {
			return nil, err
		}
		exec = e
	} else {
		execs, err := tx.FindExecutions(o.MoveID)
		if err != nil {
			return nil, err
		}
		for _, e := range execs {
			if e.State == ExecCommitted {
				exec = e
			}
		}
	}
	if exec == nil || exec.State != ExecCommitted {
		return nil, nil
	}
	return exec, nil
}

// markSent fills in when the step of o's move was sent, and as what.
func markSent(tx Tx, q *Sequence, o *Outcome) error {
	step := q.Step(o.MoveID)
	if step == nil || !step.SentAt.IsZero() {
		return nil
	}
	exec, err := sentExecution(tx, o)
	if err != nil || exec == nil {
		return err
	}
	step.SentAt = exec.CommittedAt
	if step.SentAt.IsZero() {
		step.SentAt = exec.UpdatedAt
	}
	step.MessageID = exec.RemoteIDs["rfc822_id"]
	return nil
}

// pauseSequence holds the sequence until after the return date the
// out-of-office reply named (Payload returns_at), or for one gap when it
// named none; its open follow-up is snoozed until then.
func (c *core) pauseSequence(tx Tx, q *Sequence, o *Outcome, now time.Time) error {
	if q.Ended() {
		return nil
	}
	if err := markSent(tx, q, o); err != nil {
		return err
	}
	back := time.Time{}
	if o.SignalID != 0 {
		if sig, err := tx.FindSignal(o.SignalID); err == nil && sig.Payload != nil {
			back, _ = time.Parse(time.RFC3339, sig.Payload["returns_at"])
		} else if err != nil && ErrorCode(err) != ENOTFOUND {
			return err
		}
	}
	if back.IsZero() {
		// Recorded by hand: the auto-reply in the thread says when.
		var err error
		if back, err = returnDateInThread(tx, q); err != nil {
			return err
		}
	}
	if back.IsZero() || back.Before(now) {
		back = AddBusinessDays(now, q.GapDays, c.zone)
	}
	resume := AddBusinessDays(back, 1, c.zone)
	// NextAt is the resumption: the pass makes the sequence active again
	// then, and proposes the next follow-up if none waits.
	q.State, q.PausedUntil, q.NextAt, q.UpdatedAt = SequencePaused, back, resume, now
	last := q.Last()
	m, err := tx.FindMove(last.MoveID)
	if err != nil {
		return err
	}
	if last.N > 1 && (m.Status == StatusSnoozed || CanTransition(m.Status, StatusSnoozed)) {
		// The follow-up already proposed waits, snoozed until the
		// resumption.
		m.SnoozedUntil = resume
		if m.Status == StatusSnoozed {
			if err := tx.UpdateMove(m); err != nil {
				return err
			}
		} else if err := transition(tx, m, StatusSnoozed, ActorSystem, "out of office: follow-up held until "+Stamp(resume, c.zone), now); err != nil {
			return err
		}
	}
	if err := tx.PutSequence(q); err != nil {
		return err
	}
	return auditSequence(tx, q, last.MoveID, ActorSystem, "follow-ups paused: out of office until "+Stamp(back, c.zone), now)
}

// stopSequence ends q and its open follow-up move.
func (c *core) stopSequence(tx Tx, q *Sequence, reason string, actor Actor, now time.Time) error {
	q.State, q.StopReason, q.StoppedAt, q.UpdatedAt = SequenceStopped, reason, now, now
	q.NextAt = time.Time{}
	if err := tx.PutSequence(q); err != nil {
		return err
	}
	last := q.Last()
	if last.N > 1 {
		m, err := tx.FindMove(last.MoveID)
		if err != nil {
			return err
		}
		if m.Status == StatusExecuting {
			// Waiting out its undo window or queued for the send window:
			// taken back before it leaves, as the kill switch does. One
			// already committing has left.
			execs, err := tx.FindExecutions(m.ID)
			if err != nil {
				return err
			}
			for _, e := range execs {
				if e.State == ExecWaitingUndo || e.State == ExecQueued {
					if err := c.cancelTx(tx, e, m, actor, "follow-ups stopped before it was sent: "+reason, now); err != nil {
						return err
					}
				}
			}
		}
		if m.Status.IsOpen() && m.Status != StatusExecuting {
			m.SkipReason = "follow-ups stopped: " + reason
			if err := transition(tx, m, StatusExpired, actor, "follow-ups stopped: "+reason, now); err != nil {
				return err
			}
		}
	}
	return auditSequence(tx, q, last.MoveID, actor, "follow-ups stopped: "+reason, now)
}

// proposeFollowUp creates the next follow-up move of q when it is due and
// none exists for that step; it reports whether it made one.
func (c *core) proposeFollowUp(tx Tx, q *Sequence, now time.Time) (bool, error) {
	if q.State != SequenceActive || q.NextAt.IsZero() || q.NextAt.After(now) {
		return false, nil
	}
	st, err := tx.Settings()
	if err != nil {
		return false, err
	}
	last := q.Last()
	n := last.N + 1
	switch {
	case !st.FollowUps.On:
		return false, nil
	case last.SentAt.IsZero() || n > q.MaxSteps:
		q.NextAt = time.Time{}
		return false, tx.PutSequence(q)
	}
	switch _, err := tx.DoNotContact(q.To); {
	case err == nil:
		return false, c.stopSequence(tx, q, q.To+" is on the do-not-contact list", ActorSystem, now)
	case ErrorCode(err) != ENOTFOUND:
		return false, err
	}
	subject := Subject{Type: SubjectFollowUp, ID: fmt.Sprintf("%s/%d", q.ThreadID, n)}
	if m, err := tx.OpenMove(subject, KindSendEmail); err == nil {
		// Already proposed (a crash between the move and the sequence
		// cannot happen in one transaction, but a hand-made one can).
		q.Steps = append(q.Steps, SequenceStep{N: n, MoveID: m.ID})
		q.NextAt = time.Time{}
		return false, tx.PutSequence(q)
	} else if ErrorCode(err) != ENOTFOUND {
		return false, err
	}
	var contact *Contact
	if q.ContactID != "" {
		if contact, err = tx.FindContact(q.ContactID); err != nil && ErrorCode(err) != ENOTFOUND {
			return false, err
		}
	}
	draft := ComposeFollowUp(FollowUpInput{
		Step: n, Steps: q.MaxSteps, Subject: q.Subject, To: q.To, ThreadID: q.ThreadID, InReplyTo: last.MessageID,
		FirstSentAt: q.Steps[0].SentAt, LastSentAt: last.SentAt, Contact: contact, Settings: st, Owner: c.zone, Now: now,
	})
	who := q.To
	if contact != nil && strings.TrimSpace(contact.Name) != "" {
		who = contact.Name
	}
	days := businessDaysBetween(last.SentAt, now, c.zone)
	m := &Move{
		Kind: KindSendEmail, Domain: nonEmptyDomain(q.Domain), Status: StatusPending,
		Title: fmt.Sprintf("Follow up with %s: %s", who, q.Subject),
		Why: []string{
			fmt.Sprintf("No answer to “%s” from %s in %d business days", q.Subject, who, days),
			fmt.Sprintf("Follow-up %d of %d", n-1, q.MaxSteps-1),
		},
		Draft: draft, Subject: subject, ContactID: q.ContactID, CompanyID: q.CompanyID, DealID: q.DealID,
		Source: SourceSystem, SignalAt: last.SentAt, CreatedAt: now, UpdatedAt: now,
	}
	lookup := newTxRecords(tx)
	if err := scoreMove(m, lookup, st, now); err != nil {
		return false, err
	}
	if lookup.err != nil {
		return false, lookup.err
	}
	if err := tx.CreateMove(m); err != nil {
		return false, err
	}
	// With a model connected its draft is written again by the model
	// (modelfollowup.go), once the move is there to be read.
	c.afterCommit(tx, func() { c.models().Enqueue(m.ID) })
	q.Steps = append(q.Steps, SequenceStep{N: n, MoveID: m.ID})
	q.NextAt, q.UpdatedAt = time.Time{}, now
	if err := tx.PutSequence(q); err != nil {
		return false, err
	}
	if err := tx.AppendAudit(&AuditEntry{
		At: now, Actor: ActorSystem, Action: AuditMoveCreated, MoveID: m.ID, To: m.Status,
		Detail: fmt.Sprintf("follow-up %d of %d on “%s”", n-1, q.MaxSteps-1, q.Subject), APS: m.Score.APS, Reasons: m.Reasons,
	}); err != nil {
		return false, err
	}
	return true, nil
}

func nonEmptyDomain(d Domain) Domain {
	if d == "" {
		return DomainSales
	}
	return d
}

func auditSequence(tx Tx, q *Sequence, moveID uint64, actor Actor, detail string, now time.Time) error {
	return tx.AppendAudit(&AuditEntry{At: now, Actor: actor, Action: AuditSequence, MoveID: moveID, Detail: detail})
}

// baseSubject drops the "Re:" and "Fwd:" prefixes a subject carries.
func baseSubject(s string) string {
	s = strings.TrimSpace(s)
	for {
		l := strings.ToLower(s)
		switch {
		case strings.HasPrefix(l, "re:"):
			s = strings.TrimSpace(s[3:])
		case strings.HasPrefix(l, "fwd:"):
			s = strings.TrimSpace(s[4:])
		case strings.HasPrefix(l, "fw:"):
			s = strings.TrimSpace(s[3:])
		default:
			if s == "" {
				return "your note"
			}
			return s
		}
	}
}

// AddBusinessDays returns t moved n business days (Monday to Friday, in
// loc; nil: time.Local) later, at the same wall-clock time: the count
// no_response uses (outcome_detect.go).
func AddBusinessDays(t time.Time, n int, loc *time.Location) time.Time {
	return addBusinessDays(t, n, loc)
}

// businessDaysBetween counts the business days from a to b, in loc.
func businessDaysBetween(a, b time.Time, loc *time.Location) int {
	n := 0
	for d := AddBusinessDays(a, 1, loc); !d.After(b) && n < 366; d = AddBusinessDays(d, 1, loc) {
		n++
	}
	return n
}

// returnDateInThread is the return date of the newest out-of-office reply
// in q's thread since our last mail, or zero.
func returnDateInThread(tx Tx, q *Sequence) (time.Time, error) {
	typ := SignalEmailOutOfOffice
	since := q.Last().SentAt
	if since.IsZero() {
		since = q.Steps[0].SentAt
	}
	sigs, _, err := tx.FindSignals(SignalFilter{Type: &typ, Since: &since, Limit: 50})
	if err != nil {
		return time.Time{}, err
	}
	for _, s := range sigs { // newest first
		thread := s.ThreadID
		if thread == "" && s.Email != nil {
			thread = s.Email.ThreadID
		}
		if thread != q.ThreadID || s.Payload == nil {
			continue
		}
		if back, err := time.Parse(time.RFC3339, s.Payload["returns_at"]); err == nil {
			return back, nil
		}
	}
	return time.Time{}, nil
}
