package backend

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// PastMove is a move carried out before the workspace existed, with what
// came of it: the demo workspace's history, so that its metrics and its
// learned scores show something real on first run.
type PastMove struct {
	// Move is stored done; Kind, Domain and Title are needed. Its
	// ContactID and CompanyID are filled from Email when empty.
	Move *Move
	// Email names the contact the move was for (any case); a contact not
	// in the store leaves ContactID as given.
	Email string
	// Actor approved the execution: ActorKey (the founder) or ActorRule
	// (an auto-approval rule).
	Actor      Actor
	ExecutedAt time.Time
	Outcomes   []PastOutcome
}

// PastOutcome is what came of a PastMove, and when.
type PastOutcome struct {
	Type OutcomeType
	At   time.Time
	Note string
}

// LoadHistory stores past moves, each done with one committed execution
// and its outcomes, in one transaction. The outcomes go through the same
// path as detected ones, so the outcome observers (learning, follow-ups)
// are told of each; a past email is watched like a sent one, so one that
// nothing answered gets its no_response from the same sweep (and one
// whose wait has not run out yet gets it when it does). The counters (moves done, minutes saved, sends per
// kind) are kept at the time of each execution, and each step is in the
// audit log with its own time.
func (s *Services) LoadHistory(ctx context.Context, past []PastMove) error {
	const op = "history.load"
	c := s.core
	now := c.clock.Now()
	err := c.store.Update(ctx, func(tx Tx) error {
		st, err := tx.Settings()
		if err != nil {
			return err
		}
		for i, p := range past {
			if err := loadPast(c, tx, st, i, p, now); err != nil {
				return err
			}
		}
		for {
			n, err := c.sweepNoResponse(tx, now, sweepBatch)
			if err != nil || n < sweepBatch {
				return err
			}
		}
	})
	return WrapError(op, err)
}

func loadPast(c *core, tx Tx, st *Settings, i int, p PastMove, now time.Time) error {
	if p.Move == nil || p.ExecutedAt.IsZero() || p.ExecutedAt.After(now) {
		return Errorf(EINVALID, "past move %d needs a move and a time of execution before now", i+1)
	}
	m := *p.Move
	if p.Email != "" && m.ContactID == "" {
		ct, err := tx.ContactByEmail(p.Email)
		switch {
		case err == nil:
			m.ContactID, m.CompanyID = ct.ID, ct.CompanyID
		case ErrorCode(err) != ENOTFOUND:
			return err
		}
	}
	switch {
	case !m.Subject.IsZero():
	case m.ContactID != "":
		m.Subject = Subject{Type: SubjectContact, ID: m.ContactID}
	case p.Email != "":
		m.Subject = Subject{Type: SubjectContact, ID: strings.ToLower(p.Email)}
	}
	at := p.ExecutedAt
	m.Status, m.CreatedAt, m.UpdatedAt, m.DoneAt = StatusDone, at.Add(-time.Hour), at, at
	if m.SignalAt.IsZero() {
		m.SignalAt = m.CreatedAt
	}
	if err := tx.CreateMove(&m); err != nil {
		return err
	}
	actor := p.Actor
	if actor == "" {
		actor = ActorKey
	}
	e := &Execution{
		MoveID: m.ID, IdempotencyKey: fmt.Sprintf("history:%d", m.ID), State: ExecCommitted, Kind: m.Kind,
		Actor: actor, Draft: m.Draft, Result: "carried out before this workspace", Action: string(m.Kind),
		CreatedAt: at, UpdatedAt: at, CommittedAt: at,
	}
	if err := tx.CreateExecution(e); err != nil {
		return err
	}
	for _, s := range []struct {
		name  string
		delta int
	}{{statExecuted(m.Kind), 1}, {StatDone, 1}, {StatMinutesSaved, st.EffortMinutes[m.Kind]}} {
		if err := tx.AddStat(s.name, at, s.delta); err != nil {
			return err
		}
	}
	if err := tx.AppendAudit(&AuditEntry{At: at, Actor: actor, Action: AuditExecCommitted, MoveID: m.ID,
		Detail: fmt.Sprintf("%s committed: %s (history)", e.IdempotencyKey, m.Title)}); err != nil {
		return err
	}
	// An email is watched like any sent one: what the history says came
	// back ends the wait, and the sweep below records no_response for the
	// ones nobody answered, on the same business-day rule.
	var w *OutcomeWatch
	if m.Kind == KindSendEmail && len(m.Draft.To) > 0 {
		w = &OutcomeWatch{ExecutionID: e.ID, MoveID: m.ID, Kind: m.Kind, Action: ActionSendEmail, CommittedAt: at,
			Contact: m.Draft.To[0], RespondBy: addBusinessDays(at, noResponseDays(st), c.zone)}
		for _, to := range m.Draft.To {
			if l := contactLink(to); l != "" {
				w.Links = append(w.Links, l)
			}
		}
		if err := tx.PutOutcomeWatch(w); err != nil {
			return err
		}
	}
	for _, po := range p.Outcomes {
		if po.At.Before(at) || po.At.After(now) {
			return Errorf(EINVALID, "past move %d: outcome %s must come after its execution and before now", i+1, po.Type)
		}
		o := &Outcome{MoveID: m.ID, ExecutionID: e.ID, Type: po.Type, Note: po.Note, Actor: ActorSystem, OccurredAt: po.At, RecordedAt: po.At}
		if err := o.Validate(); err != nil {
			return err
		}
		if err := c.detected(tx, o, w, now); err != nil {
			return err
		}
		if err := tx.AppendAudit(&AuditEntry{At: po.At, Actor: ActorSystem, Action: AuditOutcome, MoveID: m.ID,
			Detail: fmt.Sprintf("outcome %s (history)", po.Type)}); err != nil {
			return err
		}
	}
	return nil
}
