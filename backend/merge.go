package backend

import (
	"fmt"
	"strings"
)

// ContactMergeStore folds merged contacts into their survivor.
type ContactMergeStore interface {
	// MergeContactRecords stores survivor and folds the contacts
	// mergedIDs into it in the same transaction: their records go, deals
	// and moves that named them name the survivor, and each merged id and
	// address is remembered as an alias, so FindContact, ContactByEmail
	// and ContactAlias find the survivor by them afterwards.
	MergeContactRecords(survivor *Contact, mergedIDs []string) error
	// ContactAlias returns the contact a merged id was folded into, or
	// ENOTFOUND.
	ContactAlias(id string) (string, error)
	// LookupContactAlias is ContactAlias for ingest, which asks it for
	// every signal: ok is false when id was never merged away.
	LookupContactAlias(id string) (to string, ok bool)
	// ContactAliasesTo returns the ids and addresses merged into id.
	ContactAliasesTo(id string) (ids, emails []string, err error)
}

// mergedContact is the survivor of merging merged into primary, with id:
// the primary's values win, the merged contact fills what the primary
// lacks (as HubSpot merges), the earlier creation and the later activity
// are kept. It is the CRM's own when either contact is.
func mergedContact(id string, primary, merged *Contact) *Contact {
	out := *primary
	out.ID = id
	if merged == nil {
		return &out
	}
	for _, f := range mergeFields(&out, merged) {
		if *f.dst == "" {
			*f.dst = *f.src
		}
	}
	if out.CreatedAt.IsZero() || (!merged.CreatedAt.IsZero() && merged.CreatedAt.Before(out.CreatedAt)) {
		out.CreatedAt = merged.CreatedAt
	}
	if merged.LastActivityAt.After(out.LastActivityAt) {
		out.LastActivityAt = merged.LastActivityAt
	}
	if !primary.LocalOnly() || !merged.LocalOnly() {
		out.Source = ""
	}
	return &out
}

type mergeField struct {
	name     string
	dst, src *string
}

func mergeFields(dst, src *Contact) []mergeField {
	return []mergeField{
		{"email", &dst.Email, &src.Email}, {"name", &dst.Name, &src.Name}, {"title", &dst.Title, &src.Title},
		{"company", &dst.CompanyID, &src.CompanyID}, {"lifecycle stage", &dst.Lifecycle, &src.Lifecycle},
		{"time zone", &dst.Timezone, &src.Timezone}, {"X handle", &dst.XHandle, &src.XHandle},
		{"phone", &dst.Phone, &src.Phone}, {"owner", &dst.Owner, &src.Owner},
	}
}

// mergeWins says which contact's values the survivor keeps: the fields
// where both have a value and they differ (the primary's win), and those
// only the merged contact has (they fill the primary's blanks).
func mergeWins(primary, merged *Contact) (kept, filled []string) {
	if primary == nil || merged == nil {
		return nil, nil
	}
	p := *primary
	for _, f := range mergeFields(&p, merged) {
		switch {
		case *f.dst != "" && *f.src != "" && !strings.EqualFold(*f.dst, *f.src):
			kept = append(kept, f.name)
		case *f.dst == "" && *f.src != "":
			filled = append(filled, f.name)
		}
	}
	return kept, filled
}

// mergeEffects says in the preview which values the survivor keeps.
func mergeEffects(pm *PlanMerge, primary, merged *Contact) []string {
	kept, filled := mergeWins(primary, merged)
	var out []string
	if len(kept) > 0 {
		out = append(out, fmt.Sprintf("Keeps %s's %s", pm.primaryLabel(), strings.Join(kept, ", ")))
	}
	if len(filled) > 0 {
		out = append(out, fmt.Sprintf("Takes %s from %s", strings.Join(filled, ", "), pm.mergedLabel()))
	}
	return out
}

// applyMerge folds a committed merge into the local records, in the
// transaction that records it: survivorID is the id HubSpot returned (it
// may be new), or the primary's for a local merge. Contacts not stored
// here are skipped; a merge of two unknown contacts changes nothing.
func applyMerge(tx Tx, pm *PlanMerge, survivorID string) error {
	if pm == nil {
		return nil
	}
	if survivorID == "" {
		survivorID = pm.PrimaryID
	}
	find := func(id string) (*Contact, error) {
		c, err := tx.FindContact(id)
		if ErrorCode(err) == ENOTFOUND {
			return nil, nil
		}
		return c, err
	}
	primary, err := find(pm.PrimaryID)
	if err != nil {
		return err
	}
	merged, err := find(pm.MergeID)
	if err != nil {
		return err
	}
	switch {
	case primary == nil && merged == nil:
		return nil
	case primary == nil:
		primary, merged = merged, nil
	}
	// A contact found through an alias is already the survivor of an
	// earlier merge: fold nothing into itself.
	if merged != nil && merged.ID == primary.ID {
		merged = nil
	}
	survivor := mergedContact(survivorID, primary, merged)
	return tx.MergeContactRecords(survivor, []string{pm.PrimaryID, pm.MergeID, primary.ID})
}

// resolveContactAlias points a signal that names a merged-away contact at
// the contact it was merged into, so it lands on the survivor instead of
// bringing the merged record back.
func resolveContactAlias(tx Tx, s *Signal) error {
	if s.ContactID == "" {
		return nil
	}
	to, ok := tx.LookupContactAlias(s.ContactID)
	if !ok {
		return nil
	}
	if s.Contact != nil && s.Contact.ID == s.ContactID {
		c := *s.Contact
		c.ID = to
		s.Contact = &c
	}
	s.ContactID = to
	return nil
}
