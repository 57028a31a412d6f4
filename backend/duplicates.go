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
