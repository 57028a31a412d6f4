package backend

import (
	"fmt"
	"strings"
)

// Payload keys of a contact.duplicate signal from duplicate detection
// (contacts.go); duplicate_id is the contact to merge into contact_id.
const (
	PayloadDuplicateID = "duplicate_id"
	PayloadScore       = "score"    // 0..1, two decimals
	PayloadEvidence    = "evidence" // one piece of evidence per line
)

// pairSubject is the subject of the merge move for two contacts: the pair,
// in either order, so that a person found three times has a move per pair
// and the same pair found again updates its move.
func pairSubject(a, b string) Subject {
	a, b = PairIDs(a, b)
	return Subject{SubjectContact, a + " + " + b}
}

// mergeDuplicateFound proposes merging the signal's contact (the survivor)
// and its duplicate, with the evidence detection found as the reasons. A
// duplicate a source named without evidence keeps the contact as subject.
func (r *recommender) mergeDuplicateFound() []Proposal {
	p := r.mergeDuplicate()
	dupID := r.sig.Payload[PayloadDuplicateID]
	ev := r.sig.Payload[PayloadEvidence]
	if ev == "" {
		return p // a duplicate a source named, without evidence
	}
	p[0].Subject = pairSubject(r.sig.ContactID, dupID)
	dup := r.rec.Contact(dupID)
	keep, merge := ContactLabel(r.sig.ContactID, r.contact), ContactLabel(dupID, dup)
	var why []string
	score := r.sig.Payload[PayloadScore]
	for i, line := range strings.Split(ev, "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		if i == 0 && score != "" {
			line = fmt.Sprintf("likely the same person (%s): %s", score, line)
		}
		why = append(why, truncate(line, 200))
		if len(why) == 5 {
			break
		}
	}
	switch {
	case r.contact != nil && dup != nil && dup.LocalOnly() && !r.contact.LocalOnly():
		why = append(why, fmt.Sprintf("keep %s, the HubSpot record; %s was imported", keep, merge))
	default:
		why = append(why, fmt.Sprintf("keep %s (the more complete, more recently active)", keep))
	}
	p[0].Why = why
	p[0].Title = fmt.Sprintf("Merge %s into %s", merge, keep)
	return p
}
