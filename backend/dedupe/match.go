package dedupe

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Record is a contact as dedupe compares it.
type Record struct {
	ID            string
	Name          string
	Email         string
	Phone         string
	CompanyID     string
	CompanyName   string
	CompanyDomain string
	// Local is true for a record that exists only in this workspace (an
	// import); false for one from the CRM.
	Local        bool
	LastActivity time.Time
	// Filled counts the record's non-empty fields, for choosing which of
	// two records survives a merge.
	Filled int
}

// Options tune detection.
type Options struct {
	// Country reads phone numbers without a country code (ISO 3166: US,
	// GB, DE…); "" is US.
	Country string
	// Threshold is the score from which a pair is a duplicate;
	// 0 is DefaultThreshold.
	Threshold float64
}

// DefaultThreshold is the score from which a pair is proposed as a
// duplicate: on the labelled benchmark set (dedupe_test.go) it keeps
// precision at or above 0.98 and recall at or above 0.95.
const DefaultThreshold = 0.8

func (o Options) threshold() float64 {
	if o.Threshold <= 0 {
		return DefaultThreshold
	}
	return o.Threshold
}

// prepared holds what comparing a record needs, computed once.
type prepared struct {
	rec       *Record
	name      Name
	firstSkel string
	lastSkel  string
	email     Email
	phone     string
	org       []string // org keys: "d:" domain, "n:" company name
	keys      []uint64 // blocking keys' hashes, set by Index.Put
	fullKey   string   // first and last name run together ("priyaraman"), when both are known
	revKey    string   // the same, last name first
}

func prepare(r *Record, country string) prepared {
	p := prepared{rec: r, name: ParseName(r.Name), email: ParseEmail(r.Email), phone: Phone(r.Phone, country)}
	if p.name.First == "" && p.email.Local != "" && !p.email.Generic {
		// No name: a name-shaped address stands for one ("jane.doe@").
		if f, l, ok := strings.Cut(p.email.Local, "."); ok && len(f) > 1 && len(l) > 1 && !strings.ContainsAny(f+l, "0123456789.") {
			p.name = Name{First: f, Last: l, Full: f + " " + l}
		}
	}
	p.firstSkel, p.lastSkel = skeleton(p.name.First), skeleton(p.name.Last)
	if len(p.name.First) > 1 && len(p.name.Last) > 1 {
		p.fullKey, p.revKey = p.name.First+p.name.Last, p.name.Last+p.name.First
	}
	if d := NormalizeDomain(r.CompanyDomain); d != "" {
		p.org = append(p.org, "d:"+d)
	} else if p.email.Domain != "" && !p.email.Free {
		p.org = append(p.org, "d:"+p.email.Domain)
	}
	if k := CompanyKey(r.CompanyName); k != "" {
		p.org = append(p.org, "n:"+k)
	}
	if r.CompanyID != "" {
		p.org = append(p.org, "i:"+r.CompanyID)
	}
	return p
}

// Match is the verdict on a pair of records.
type Match struct {
	Score    float64  // probability, 0..1, that the two are one person
	Evidence []string // why, strongest first
	// Veto says the pair must never be proposed, whatever the score: two
	// different people (a different given or family name at one company).
	Veto bool
}

// name comparison outcomes, best first.
type nameKind int

const (
	nameNone     nameKind = iota // one side has no name
	nameExact                    // same words
	nameVariant                  // nickname, transliteration, swapped, diacritics
	nameTypo                     // an edit or two away
	nameInitial                  // an initial for a given name
	nameOnly                     // only one part known and it agrees
	nameWeak                     // somewhat alike
	nameConflict                 // different people
)

// givenSim compares given names: 1 equal, a variant, an initial, or their
// Jaro–Winkler similarity.
func givenSim(a, b, sa, sb string) (float64, nameKind) {
	switch {
	case a == b:
		return 1, nameExact
	case sameGivenName(a, b) || sa == sb:
		return 0.97, nameVariant
	case len(a) == 1 && b != "" && a[0] == b[0], len(b) == 1 && a != "" && a[0] == b[0]:
		return 0.85, nameInitial
	case len(a) == 1 || len(b) == 1:
		return 0, nameConflict
	}
	if d := Levenshtein(a, b, 2); d <= 1 || (d == 2 && min(len(a), len(b)) >= 6) {
		return 0.92, nameTypo
	}
	jw := JaroWinkler(a, b)
	if jw >= 0.9 {
		return jw, nameWeak
	}
	return jw, nameConflict
}

// familySim compares family names.
func familySim(a, b, sa, sb string) (float64, nameKind) {
	switch {
	case a == b:
		return 1, nameExact
	case sa == sb:
		return 0.97, nameVariant
	case len(a) == 1 && b != "" && a[0] == b[0], len(b) == 1 && a != "" && a[0] == b[0]:
		return 0.8, nameInitial
	}
	if d := Levenshtein(a, b, 2); d <= 1 || (d == 2 && min(len(a), len(b)) >= 7) {
		return 0.92, nameTypo
	}
	jw := JaroWinkler(a, b)
	if jw >= 0.93 {
		return jw, nameWeak
	}
	return jw, nameConflict
}

// compareNames returns how alike two names are and in words how.
func compareNames(a, b *prepared, ev bool) (nameKind, string) {
	na, nb := a.name, b.name
	if na.First == "" || nb.First == "" {
		return nameNone, ""
	}
	if na.Full == nb.Full && na.Last != "" {
		return nameExact, "same name"
	}
	if hasDigit(na.Full) || hasDigit(nb.Full) {
		// "Test User 1" and "Test User 2", "First12050" and "First2050":
		// numbered placeholders, not a typo.
		return nameConflict, ""
	}
	if na.Last == "" || nb.Last == "" {
		// One word on a side: it must be that side's given or family name.
		one, other := na, nb
		oneSkel, otherSkel := a.firstSkel, b.firstSkel
		if na.Last != "" {
			one, other, oneSkel, otherSkel = nb, na, b.firstSkel, a.firstSkel
		}
		if one.First == other.First || sameGivenName(one.First, other.First) || oneSkel == otherSkel || one.First == other.Last {
			if !ev {
				return nameOnly, ""
			}
			return nameOnly, fmt.Sprintf("'%s' ~ '%s'", na.Full, nb.Full)
		}
		return nameConflict, ""
	}
	g, gk := givenSim(na.First, nb.First, a.firstSkel, b.firstSkel)
	f, fk := familySim(na.Last, nb.Last, a.lastSkel, b.lastSkel)
	kind := max(gk, fk)
	if gk == nameInitial && fk == nameInitial {
		kind = nameConflict // "J. S." says nothing
	}
	if kind <= nameVariant {
		goto named
	}
	// Swapped: "Smith John" for "John Smith".
	{
		g2, gk2 := givenSim(na.First, nb.Last, a.firstSkel, b.lastSkel)
		f2, fk2 := familySim(na.Last, nb.First, a.lastSkel, b.firstSkel)
		if k2 := max(gk2, fk2); k2 <= nameInitial && !(gk2 == nameInitial && fk2 == nameInitial) && g2+f2 > g+f {
			kind = max(k2, nameVariant)
			if !ev {
				return kind, ""
			}
			return kind, fmt.Sprintf("'%s' ~ '%s' (first and last swapped)", na.Full, nb.Full)
		}
	}
named:
	switch kind {
	case nameExact:
		kind = nameVariant // same first and last, different middle
	case nameConflict:
		return nameConflict, ""
	}
	if !ev {
		return kind, ""
	}
	how := map[nameKind]string{nameVariant: "", nameTypo: " (typo)", nameInitial: " (initial)", nameWeak: " (similar)"}[kind]
	if kind == nameVariant && sameGivenName(na.First, nb.First) && na.First != nb.First {
		how = " (nickname)"
	}
	return kind, fmt.Sprintf("'%s' ~ '%s'%s", na.Full, nb.Full, how)
}

// Compare scores a pair of prepared records. The score is a logistic
// combination of log-likelihood ratios, one per kind of evidence (the
// Fellegi–Sunter model), fitted on the labelled set in the tests so that a
// score of s means about s of such pairs are duplicates.
// sharedPhone says more than a person's share of records give their
// common phone (a switchboard).
// orgSize is how many records the company the two share has (0: unknown):
// sharing a company of thousands says less than sharing one of ten.
func compare(a, b *prepared, sharedPhone bool, orgSize int, minScore float64) Match {
	m := score(a, b, sharedPhone, orgSize, false)
	if m.Veto || m.Score < minScore {
		return m
	}
	return score(a, b, sharedPhone, orgSize, true)
}

// orgWeight is the log-likelihood ratio of sharing a company of n records.
func orgWeight(n int) float64 {
	switch {
	case n > 300:
		return 2.5
	case n > 100:
		return 3
	}
	return 3.5
}

// score is compare; the evidence in words only when withEvidence.
func score(a, b *prepared, sharedPhone bool, orgSize int, withEvidence bool) Match {
	var ev []string
	w := -6.0 // prior: few pairs of records that share a block are one person
	nk, nameEv := compareNames(a, b, withEvidence)
	sameEmail := a.email.Canonical != "" && a.email.Canonical == b.email.Canonical
	samePhone := a.phone != "" && a.phone == b.phone
	sameOrg := false
	for _, x := range a.org {
		for _, y := range b.org {
			if x == y {
				sameOrg = true
			}
		}
	}
	switch {
	case sameEmail && a.email.Generic:
		w += 2
		if withEvidence {
			ev = append(ev, "same team address "+a.email.Canonical)
		}
	case sameEmail:
		w += 9
		if strings.EqualFold(strings.TrimSpace(a.rec.Email), strings.TrimSpace(b.rec.Email)) {
			if withEvidence {
				ev = append(ev, "same email "+a.email.Canonical)
			}
		} else {
			if withEvidence {
				ev = append(ev, fmt.Sprintf("same mailbox: %s ~ %s", strings.ToLower(strings.TrimSpace(a.rec.Email)), strings.ToLower(strings.TrimSpace(b.rec.Email))))
			}
		}
	case a.email.Bare != "" && a.email.Bare == b.email.Bare && !a.email.Generic && len(a.email.Bare) >= 5:
		w += 2.5
		if withEvidence {
			ev = append(ev, fmt.Sprintf("same address name %s@ at %s and %s", a.email.Local, a.email.Domain, b.email.Domain))
		}
	case a.email.Canonical != "" && b.email.Canonical != "":
		switch {
		case a.email.Generic || b.email.Generic:
			// a team inbox says nothing about the person
		case a.email.Domain == b.email.Domain && !a.email.Free && nameLocal(a) && nameLocal(b):
			// aliases made of one name (priya@, priya.patel@)
		case a.email.Domain == b.email.Domain && !a.email.Free:
			w -= 2 // colleagues: one person rarely has two mailboxes at work
		case a.email.Free && b.email.Free:
			w -= 0.5
		case a.email.Free || b.email.Free:
			// a work address and a personal one: people have both
		default:
			w -= 1.5
		}
	}
	switch {
	case samePhone && sharedPhone:
		w += 1 // a switchboard: everyone at the company gives it
		if withEvidence {
			ev = append(ev, "same shared phone "+a.phone)
		}
	case samePhone:
		w += 5
		if withEvidence {
			ev = append(ev, "same phone "+a.phone)
		}
	case a.phone != "" && b.phone != "":
		w -= 1
	}
	switch nk {
	case nameExact:
		w += 5
		if withEvidence {
			ev = append(ev, nameEv)
		}
	case nameVariant:
		w += 4.5
		if withEvidence {
			ev = append(ev, nameEv)
		}
	case nameTypo:
		w += 4
		if withEvidence {
			ev = append(ev, nameEv)
		}
	case nameInitial:
		w += 4
		if withEvidence {
			ev = append(ev, nameEv)
		}
	case nameOnly:
		w += 1.5
		if withEvidence {
			ev = append(ev, nameEv)
		}
	case nameWeak:
		w += 1
		if withEvidence {
			ev = append(ev, nameEv)
		}
	case nameConflict:
		w -= 8
	}
	sameLocal := a.email.Bare != "" && a.email.Bare == b.email.Bare
	if (nk == nameInitial || nk == nameOnly) && !sameLocal {
		// "Priya R." at priya.raman@: the address spells out the other's
		// name where the record's own name is cut short.
		for _, x := range [2][2]*prepared{{a, b}, {b, a}} {
			if bare := x[1].email.Bare; bare != "" && x[0].fullKey != "" && (bare == x[0].fullKey || bare == x[0].revKey) {
				w += 3.5
				if withEvidence {
					ev = append(ev, fmt.Sprintf("%s spells out '%s'", strings.ToLower(strings.TrimSpace(x[1].rec.Email)), x[0].name.Full))
				}
				break
			}
		}
	}
	if !sameEmail && (numbered(a.email) || numbered(b.email)) {
		// john.smith2@acme: the company has another John Smith.
		w -= 1.5
	}
	if sameOrg {
		w += orgWeight(orgSize)
		if withEvidence {
			ev = append(ev, "same company"+orgWord(a, b))
		}
	} else if len(a.org) > 0 && len(b.org) > 0 {
		w -= 1
	}
	m := Match{Score: 1 / (1 + math.Exp(-w)), Evidence: ev}
	// Two names that disagree are two people, whatever else they share: a
	// switchboard number, a team inbox, a company.
	if nk == nameConflict && !sameEmail {
		m.Veto = true
	}
	if nk == nameConflict && sameEmail {
		m.Evidence = append(m.Evidence, fmt.Sprintf("but the names differ: '%s', '%s'", a.rec.Name, b.rec.Name))
	}
	return m
}

func orgWord(a, b *prepared) string {
	for _, x := range a.org {
		for _, y := range b.org {
			if x == y && strings.HasPrefix(x, "d:") {
				return " domain " + x[2:]
			}
		}
	}
	return ""
}

// Compare scores two records.
func Compare(a, b *Record, o Options) Match {
	pa, pb := prepare(a, o.Country), prepare(b, o.Country)
	return compare(&pa, &pb, false, 0, 0)
}

// nameLocal reports whether the address is made of the person's name the
// way companies make them (priya@, priya.patel@, ppatel@, patelp@): two
// such addresses at one domain are one person's aliases as often as two
// people's.
func nameLocal(p *prepared) bool {
	f, l, b := p.name.First, p.name.Last, p.email.Bare
	if f == "" || b == "" {
		return false
	}
	if b == f {
		return true
	}
	if l == "" {
		return false
	}
	switch b {
	case f + l, l + f, f[:1] + l, f + l[:1], l + f[:1], l, f[:1] + l[:1]:
		return true
	}
	return false
}

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			return true
		}
	}
	return false
}

// numbered reports whether a work address ends in a number, as the
// second person of a name at a company is given.
func numbered(e Email) bool {
	l := e.Local
	return !e.Free && l != "" && l[len(l)-1] >= '0' && l[len(l)-1] <= '9'
}

// Survivor says which of two duplicates a merge should keep: the CRM's
// record over a local-only one, then the more complete, then the one with
// the more recent activity, then the smaller id. It returns (keep, merge).
func Survivor(a, b *Record) (keep, merge *Record) {
	switch {
	case a.Local != b.Local:
		if a.Local {
			return b, a
		}
		return a, b
	case a.Filled != b.Filled:
		if a.Filled < b.Filled {
			return b, a
		}
		return a, b
	case !a.LastActivity.Equal(b.LastActivity):
		if a.LastActivity.Before(b.LastActivity) {
			return b, a
		}
		return a, b
	case b.ID < a.ID:
		return b, a
	}
	return a, b
}
