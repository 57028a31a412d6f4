package backend

import (
	"strings"
	"time"
)

// PairVerdict is what is known about two contacts dedupe paired.
type PairVerdict string

// Verdicts on a pair of contacts.
const (
	// PairDistinct: the founder said they are two people ("not a
	// duplicate"); the pair is never proposed again.
	PairDistinct PairVerdict = "distinct"
	// PairMerged: they were merged; the pair is never proposed again,
	// even if a sync brings the merged record back before the CRM drops it.
	PairMerged PairVerdict = "merged"
)

// ContactPair is a remembered verdict on two contacts, A < B.
type ContactPair struct {
	A, B    string
	Verdict PairVerdict
	MoveID  uint64 // the merge move it was said on; 0 when none
	Actor   Actor
	At      time.Time
}

// PairIDs orders two contact ids as a ContactPair holds them.
func PairIDs(a, b string) (string, string) {
	if b < a {
		return b, a
	}
	return a, b
}

// Validate checks the pair.
func (p *ContactPair) Validate() error {
	if p.A == "" || p.B == "" || p.A == p.B {
		return Errorf(EINVALID, "a pair needs two different contacts")
	}
	if p.A > p.B {
		return Errorf(EINVALID, "pair %s, %s is not in order", p.A, p.B)
	}
	if strings.ContainsRune(p.A, 0) || strings.ContainsRune(p.B, 0) {
		return Errorf(EINVALID, "a contact id cannot hold a NUL byte")
	}
	switch p.Verdict {
	case PairDistinct, PairMerged:
	default:
		return Errorf(EINVALID, "pair verdict %q is not distinct or merged", p.Verdict)
	}
	return nil
}

// PairStore remembers verdicts on pairs of contacts.
type PairStore interface {
	// PutContactPair stores p (replacing the verdict on the same pair).
	PutContactPair(p *ContactPair) error
	// ContactPair returns the verdict on a and b (either order), or
	// ENOTFOUND.
	ContactPair(a, b string) (*ContactPair, error)
	// DeleteContactPair forgets the verdict on a and b; ENOTFOUND when none.
	DeleteContactPair(a, b string) error
	// ContactPairs returns every verdict, by A then B.
	ContactPairs() ([]*ContactPair, error)
}

// SkipNotDuplicate is the skip reason that says a merge move's two
// contacts are two people: the pair is remembered and never proposed again
// (restoring the move forgets it).
const SkipNotDuplicate = "not a duplicate"

// IsNotDuplicate reports whether a skip reason says "not a duplicate".
func IsNotDuplicate(reason string) bool {
	r := strings.ToLower(strings.TrimSpace(reason))
	return r == SkipNotDuplicate || r == "not-duplicate" || r == "not duplicate" || r == "not_duplicate"
}

// rememberPair keeps the verdict a merge move's transition says: done is
// merged, skipped as "not a duplicate" is distinct, and bringing such a
// skip back forgets it. Other moves and transitions say nothing.
func rememberPair(tx Tx, m *Move, to MoveStatus, actor Actor, now time.Time) error {
	if m.Kind != KindMergeContacts || len(m.Draft.MergeIDs) != 2 || m.Draft.MergeIDs[0] == "" || m.Draft.MergeIDs[1] == "" ||
		m.Draft.MergeIDs[0] == m.Draft.MergeIDs[1] {
		return nil
	}
	a, b := PairIDs(m.Draft.MergeIDs[0], m.Draft.MergeIDs[1])
	put := func(v PairVerdict) error {
		return tx.PutContactPair(&ContactPair{A: a, B: b, Verdict: v, MoveID: m.ID, Actor: actor, At: now})
	}
	switch {
	case to == StatusDone:
		return put(PairMerged)
	case to == StatusSkipped && IsNotDuplicate(m.SkipReason):
		return put(PairDistinct)
	case m.Status == StatusSkipped && to != StatusSkipped && IsNotDuplicate(m.SkipReason):
		if p, err := tx.ContactPair(a, b); err == nil && p.Verdict == PairDistinct {
			return tx.DeleteContactPair(a, b)
		} else if err != nil && ErrorCode(err) != ENOTFOUND {
			return err
		}
	}
	return nil
}
