package backend

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// OutcomeObserver is told of each new outcome inside the transaction that
// records it, with the transaction's time, so what it derives (a learned
// rate, a follow-up stopped) lands with the outcome or not at all. It is
// not told of an outcome that was already recorded (a re-synced signal).
type OutcomeObserver func(tx Tx, o *Outcome, now time.Time) error

// observeOutcome registers fn; call it before the services are used.
func (c *core) observeOutcome(fn OutcomeObserver) {
	if fn != nil {
		c.outcomeObservers = append(c.outcomeObservers, fn)
	}
}

// recordOutcome stores o and tells the observers, unless o is detected
// (ActorSystem) and a detected outcome of the same type for the same
// execution is already stored (then it reports false and stores nothing):
// the unique key of a detected outcome is (execution, type), which covers
// (execution, type, signal) and a signal re-synced under a new key. Every path that creates an
// outcome goes through it, inside its own transaction.
func (c *core) recordOutcome(tx Tx, o *Outcome, now time.Time) (bool, error) {
	if o.Actor == ActorSystem {
		// A detected outcome is recorded once per execution and type,
		// whatever signal (or re-synced copy of it) shows it again.
		have, err := tx.FindOutcomes(o.MoveID)
		if err != nil {
			return false, err
		}
		for _, h := range have {
			if h.ExecutionID == o.ExecutionID && h.Type == o.Type && h.Actor == ActorSystem {
				return false, nil
			}
		}
	}
	if o.RecordedAt.IsZero() {
		o.RecordedAt = now
	}
	if err := tx.CreateOutcome(o); err != nil {
		return false, err
	}
	for _, fn := range c.outcomeObservers {
		if err := fn(tx, o, now); err != nil {
			return false, err
		}
	}
	return true, nil
}

// OutcomeService records and lists what happened after moves were
// executed: outcomes detected from later signals, and those a person
// records or corrects by hand.
type OutcomeService struct{ *core }

// OutcomeInput is an outcome recorded by hand.
type OutcomeInput struct {
	MoveID uint64
	Type   OutcomeType
	Note   string
	Actor  Actor
	// Corrects, when set, names an outcome of the same move that this one
	// replaces (a detected reply that was really an auto-reply).
	Corrects uint64
}

// Record stores an outcome a person saw for a done (or failed) move,
// against its latest execution.
func (s *OutcomeService) Record(ctx context.Context, in OutcomeInput) (*Outcome, error) {
	const op = "outcome.record"
	if !knownOutcome(in.Type) {
		return nil, &Error{Code: EINVALID, Op: op, Message: fmt.Sprintf("outcome type %q is unknown (one of %s)", in.Type, outcomeTypeList())}
	}
	if in.Actor == "" {
		in.Actor = ActorCLI
	}
	now := s.clock.Now()
	var out *Outcome
	err := s.store.Update(ctx, func(tx Tx) error {
		m, err := tx.FindMove(in.MoveID)
		if err != nil {
			return err
		}
		if m.Status != StatusDone && m.Status != StatusFailed {
			return Errorf(ECONFLICT, "move %d is %s: outcomes are recorded for moves that were carried out", m.ID, m.Status)
		}
		execs, err := tx.FindExecutions(m.ID)
		if err != nil {
			return err
		}
		o := &Outcome{MoveID: m.ID, Type: in.Type, Note: strings.TrimSpace(in.Note), Actor: in.Actor, OccurredAt: now, Corrects: in.Corrects}
		if len(execs) > 0 {
			o.ExecutionID = execs[len(execs)-1].ID
		}
		if in.Corrects != 0 {
			have, err := tx.FindOutcomes(m.ID)
			if err != nil {
				return err
			}
			found := false
			for _, h := range have {
				found = found || h.ID == in.Corrects
			}
			if !found {
				return Errorf(ENOTFOUND, "move %d has no outcome %d to correct", m.ID, in.Corrects)
			}
		}
		if _, err := s.recordOutcome(tx, o, now); err != nil {
			return err
		}
		out = o
		detail := fmt.Sprintf("outcome %s recorded by hand", o.Type)
		if o.Corrects != 0 {
			detail = fmt.Sprintf("outcome %s recorded by hand, correcting outcome %d", o.Type, o.Corrects)
		}
		if o.Note != "" {
			detail += ": " + o.Note
		}
		return tx.AppendAudit(&AuditEntry{At: now, Actor: in.Actor, Action: AuditOutcome, MoveID: m.ID, Detail: detail})
	})
	if err != nil {
		return nil, WrapError(op, err)
	}
	s.events.Publish(EventOutcomeRecorded, out)
	return out, nil
}

// List returns a move's outcomes, oldest first (CorrectedBy says which a
// later one corrects).
func (s *OutcomeService) List(ctx context.Context, moveID uint64) ([]*Outcome, error) {
	var out []*Outcome
	err := s.store.View(ctx, func(tx Tx) error {
		if _, err := tx.FindMove(moveID); err != nil {
			return err
		}
		var err error
		out, err = tx.FindOutcomes(moveID)
		return err
	})
	if err != nil {
		return nil, WrapError("outcome.list", err)
	}
	return out, nil
}

// CorrectedBy maps the id of each outcome that a later one corrects to
// the id of the correction.
func CorrectedBy(os []*Outcome) map[uint64]uint64 {
	out := map[uint64]uint64{}
	for _, o := range os {
		if o.Corrects != 0 {
			out[o.Corrects] = o.ID
		}
	}
	return out
}

// EffectiveOutcomes drops the outcomes that a later one corrects: what
// metrics and learning should count.
func EffectiveOutcomes(os []*Outcome) []*Outcome {
	corrected := map[uint64]bool{}
	for _, o := range os {
		if o.Corrects != 0 {
			corrected[o.Corrects] = true
		}
	}
	out := make([]*Outcome, 0, len(os))
	for _, o := range os {
		if !corrected[o.ID] {
			out = append(out, o)
		}
	}
	return out
}

func knownOutcome(t OutcomeType) bool {
	for _, x := range OutcomeTypes {
		if x == t {
			return true
		}
	}
	return false
}

func outcomeTypeList() string {
	s := make([]string, len(OutcomeTypes))
	for i, t := range OutcomeTypes {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}

// sweepBatch bounds the no_response outcomes one transaction records.
const sweepBatch = 500

// Sweep records no_response for every sent email whose wait has run out,
// in batches, and reports how many. The scheduler runs it on its refresh
// tick and every ingest runs one batch in its own transaction.
func (s *OutcomeService) Sweep(ctx context.Context) (int, error) {
	total := 0
	for {
		n := 0
		now := s.clock.Now()
		err := s.store.Update(ctx, func(tx Tx) error {
			var err error
			n, err = s.sweepNoResponse(tx, now, sweepBatch)
			return err
		})
		if err != nil {
			return total, WrapError("outcome.sweep", err)
		}
		total += n
		if n < sweepBatch {
			return total, nil
		}
	}
}

// Recent returns up to limit outcomes of any move, the last recorded
// first, with the moves they belong to.
func (s *OutcomeService) Recent(ctx context.Context, limit int) ([]*Outcome, map[uint64]*Move, error) {
	var out []*Outcome
	moves := map[uint64]*Move{}
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		if out, err = tx.RecentOutcomes(limit); err != nil {
			return err
		}
		for _, o := range out {
			if moves[o.MoveID] == nil {
				m, err := tx.FindMove(o.MoveID)
				if err != nil {
					return err
				}
				moves[o.MoveID] = m
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, WrapError("outcome.recent", err)
	}
	return out, moves, nil
}

// OutcomeLabel is how an outcome type reads to a person.
func OutcomeLabel(t OutcomeType) string {
	if l, ok := outcomeLabels[t]; ok {
		return l
	}
	return strings.ReplaceAll(string(t), "_", " ")
}

var outcomeLabels = map[OutcomeType]string{
	OutcomeReplied: "Replied", OutcomePositiveReply: "Positive reply", OutcomeNegativeReply: "Negative reply",
	OutcomeOutOfOffice: "Out of office", OutcomeBounced: "Bounced", OutcomeUnsubscribed: "Unsubscribed",
	OutcomeNoResponse: "No response", OutcomeMeetingBooked: "Meeting booked", OutcomeMeetingHeld: "Meeting held",
	OutcomeNoShow: "No-show", OutcomeDealAdvanced: "Deal advanced", OutcomeDealWon: "Deal won", OutcomeDealLost: "Deal lost",
	OutcomeTaskCompleted: "Task completed", OutcomeMerged: "Merged", OutcomeMentionEngaged: "Engaged with our post",
	OutcomeUndone: "Undone", OutcomeError: "Error",
}
