package backend

import "fmt"

// effects carries out what a proposal asks for besides its move: an
// address onto the do-not-contact list, a referred person into the
// contacts, the open move it ends.
func (in *ingester) effects(s *Signal, p Proposal) error {
	if addr := normalizeEmail(p.DoNotContact); ValidEmail(addr) {
		switch _, err := in.tx.DoNotContact(addr); {
		case ErrorCode(err) == ENOTFOUND:
			d := &DoNotContact{Email: addr, Reason: DNCUnsubscribed, Note: fmt.Sprintf("signal %d: asked to stop hearing from us", s.ID), Actor: ActorSystem, At: in.now}
			if err := putDNC(in.tx, d); err != nil {
				return err
			}
		case err != nil:
			return err
		}
	}
	if c := p.NewContact; c != nil && c.ID != "" && in.rec.Contact(c.ID) == nil {
		nc := *c
		nc.UpdatedAt = in.now
		in.rec.putContact(&nc)
	}
	if p.Ends {
		why := "ended"
		if len(p.Why) > 0 {
			why = p.Why[0]
		}
		return in.endOpen(p.Subject, p.Kind, why)
	}
	return in.rec.err
}

// endOpen expires the open move for subject and kind, if any; one being
// executed finishes first.
func (in *ingester) endOpen(subject Subject, kind MoveKind, why string) error {
	m, err := in.moves.find(subject, kind)
	if err != nil || m == nil || m.Status == StatusExecuting {
		return err
	}
	if err := transition(in.tx, m, StatusExpired, ActorSystem, why, in.now); err != nil {
		return err
	}
	in.moves.open[openKey(subject, kind)] = nil
	in.rep.updated(m.ID)
	return nil
}

// endReachedStage ends a proposed stage move once the deal is there (or
// past it) by other means: the CRM moved it, so there is nothing to do.
func (in *ingester) endReachedStage(s *Signal) error {
	if s.Deal == nil || s.Deal.Stage == "" || s.DealID == "" {
		return nil
	}
	m, err := in.moves.find(Subject{SubjectDeal, s.DealID}, KindUpdateDeal)
	if err != nil || m == nil || m.Draft.DealStage == "" {
		return err
	}
	if stageForward(in.st, s.Deal.Stage, m.Draft.DealStage) {
		return nil // still ahead of the deal
	}
	return in.endOpen(m.Subject, KindUpdateDeal, fmt.Sprintf("the deal is already at %s", StageLabel(s.Deal.Stage)))
}
