package backend

import "strings"

// When the CRM changes a record without anything else happening (a deal's
// amount, a company's industry), the moves already in the queue that depend
// on it must be re-scored, or the queue keeps ranking on stale numbers.
// record.updated signals name the records; at the end of the transaction the
// open moves are walked once and those that refer to an edited record are
// re-scored. One walk per transaction, not per signal: a sync pass that
// edits a hundred deals costs one walk.

func (in *ingester) noteEdited(s *Signal) {
	if in.edited == nil {
		in.edited = map[string]bool{}
	}
	if s.Contact != nil {
		in.edited["contact:"+s.Contact.ID] = true
	}
	if s.Company != nil {
		in.edited["company:"+s.Company.ID] = true
	}
	if s.Deal != nil {
		in.edited["deal:"+s.Deal.ID] = true
	}
}

// dependsOn reports whether m's score reads an edited record: its deal, its
// contact, or its company (directly or through its contact).
func (in *ingester) dependsOn(m *Move) bool {
	e := in.edited
	if (m.DealID != "" && e["deal:"+m.DealID]) || (m.ContactID != "" && e["contact:"+m.ContactID]) ||
		(m.CompanyID != "" && e["company:"+m.CompanyID]) {
		return true
	}
	if m.ContactID != "" && m.CompanyID == "" {
		if c := in.rec.Contact(m.ContactID); c != nil && c.CompanyID != "" && e["company:"+c.CompanyID] {
			return true
		}
	}
	return false
}

// rescoreEdited re-scores the open moves that depend on an edited record.
func (in *ingester) rescoreEdited() error {
	if len(in.edited) == 0 {
		return nil
	}
	defer func() { in.edited = nil }()
	for _, status := range []MoveStatus{StatusPending, StatusSnoozed} {
		st := status
		moves, _, err := in.tx.FindMoves(MoveFilter{Status: &st})
		if err != nil {
			return err
		}
		for _, m := range moves {
			if !in.dependsOn(m) {
				continue
			}
			// The transaction may already hold a newer copy of the move.
			if cached, err := in.moves.find(m.Subject, m.Kind); err != nil {
				return err
			} else if cached != nil && cached.ID == m.ID {
				m = cached
			}
			before, reasons := m.Score.APS, strings.Join(m.Reasons, "\n")
			if err := scoreMove(m, in.rec, in.st, in.now); err != nil {
				return err
			}
			if in.rec.err != nil {
				return in.rec.err
			}
			if m.Score.APS != before || strings.Join(m.Reasons, "\n") != reasons {
				m.UpdatedAt = in.now
				in.moves.changed(m)
				in.rep.updated(m.ID)
			}
		}
	}
	return nil
}
