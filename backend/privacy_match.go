package backend

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// personMatch says whether a record names a person: by one of their
// addresses, their contact ids (a CRM id as well as an imported
// contact's, which is its address), their X handles, or their name in
// free text. Duplicate detection names a person indirectly (a
// contact.duplicate signal's duplicate_id and evidence, a merge move's
// MergeIDs and subject, a verdict's key): all of it must be found.
type personMatch struct {
	emails  map[string]bool // normalized addresses
	name    string          // lower case
	ids     map[string]bool
	handles map[string]bool // lower case, without the @
}

// minTextID is the shortest contact id looked for in free text, where a
// shorter one would match numbers that are not it.
const minTextID = 5

func newPersonMatch(p Person) *personMatch {
	pm := &personMatch{emails: map[string]bool{}, name: strings.ToLower(strings.TrimSpace(p.Name)),
		ids: map[string]bool{}, handles: map[string]bool{}}
	if p.Email != "" {
		pm.emails[p.Email] = true
	}
	return pm
}

// add takes a contact record of the person into the match, with the ids
// and addresses merged into it.
func (pm *personMatch) add(tx Tx, c *Contact) error {
	ids, emails, err := tx.ContactAliasesTo(c.ID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		pm.ids[id] = true
	}
	for _, e := range emails {
		if e = normalizeEmail(e); ValidEmail(e) {
			pm.emails[e] = true
		}
	}
	pm.ids[c.ID] = true
	if e := normalizeEmail(c.Email); ValidEmail(e) {
		pm.emails[e] = true
	}
	if h := normalizeHandle(c.XHandle); h != "" {
		pm.handles[h] = true
	}
	if n := strings.ToLower(strings.TrimSpace(c.Name)); len(n) > len(pm.name) {
		pm.name = n
	}
	return nil
}

// sameAs adds to cs the contacts a merge verdict says are the same person
// (the record merged away, or the one it was merged into), until none is
// left, and takes every one into the match.
func (pm *personMatch) sameAs(tx Tx, cs []*Contact, pairs []*ContactPair) ([]*Contact, error) {
	for _, c := range cs {
		if err := pm.add(tx, c); err != nil {
			return nil, err
		}
	}
	for grew := true; grew; {
		grew = false
		for _, pr := range pairs {
			if pr.Verdict != PairMerged || pm.ids[pr.A] == pm.ids[pr.B] {
				continue
			}
			other := pr.A
			if pm.ids[pr.A] {
				other = pr.B
			}
			pm.ids[other] = true
			grew = true
			switch c, err := tx.FindContact(other); {
			case err == nil:
				if slices.ContainsFunc(cs, func(x *Contact) bool { return x.ID == c.ID }) {
					break // a merged-away id, found as its survivor
				}
				cs = append(cs, c)
				if err := pm.add(tx, c); err != nil {
					return nil, err
				}
			case ErrorCode(err) != ENOTFOUND:
				return nil, err
			}
		}
	}
	return cs, nil
}

// also lists the person's addresses other than primary, and their handles
// as "@handle", sorted.
func (pm *personMatch) also(primary string) []string {
	var out []string
	for e := range pm.emails {
		if e != primary {
			out = append(out, e)
		}
	}
	for h := range pm.handles {
		out = append(out, "@"+h)
	}
	slices.Sort(out)
	return out
}

func normalizeHandle(h string) string {
	return strings.ToLower(NormalizeHandle(h))
}

func (pm *personMatch) addr(s string) bool { return len(pm.emails) > 0 && pm.emails[normalizeEmail(s)] }

func (pm *personMatch) id(s string) bool {
	return s != "" && (pm.ids[s] || pm.addr(s))
}

func (pm *personMatch) handle(s string) bool {
	h := normalizeHandle(s)
	return h != "" && pm.handles[h]
}

// text says whether free text mentions an address, the name, a handle or
// a contact id of theirs; the name, handles and ids as whole words.
func (pm *personMatch) text(s string) bool {
	if s == "" {
		return false
	}
	l := strings.ToLower(s)
	for e := range pm.emails {
		if strings.Contains(l, e) {
			return true
		}
	}
	if len(pm.name) >= 4 && containsWord(l, pm.name) {
		return true
	}
	for h := range pm.handles {
		if containsWord(l, h) {
			return true
		}
	}
	for id := range pm.ids {
		if len(id) >= minTextID && containsWord(l, strings.ToLower(id)) {
			return true
		}
	}
	return false
}

// containsWord reports whether w occurs in s with no letter or digit
// right before or after it.
func containsWord(s, w string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		j += i
		before, _ := utf8.DecodeLastRuneInString(s[:j])
		after, _ := utf8.DecodeRuneInString(s[j+len(w):])
		if !wordRune(before) && !wordRune(after) {
			return true
		}
		i = j + 1
	}
}

func wordRune(r rune) bool {
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_')
}

func (pm *personMatch) any(ss []string, f func(string) bool) bool { return slices.ContainsFunc(ss, f) }

// either says whether s names them as an id, an address or in its text.
func (pm *personMatch) either(s string) bool { return pm.id(s) || pm.text(s) }

// signal says whether a signal is about the person or names them: by
// contact id, the contact it carries, the address in its from, to,
// attendees or form, the deal's contacts, the post's author, or any of
// them in its text and payload (a duplicate's duplicate_id and evidence).
func (pm *personMatch) signal(s *Signal) bool {
	if pm.id(s.ContactID) || (s.Contact != nil && (pm.id(s.Contact.ID) || pm.addr(s.Contact.Email) || pm.handle(s.Contact.XHandle))) {
		return true
	}
	if e := s.Email; e != nil && (pm.addr(e.From) || pm.any(e.To, pm.addr) || pm.text(e.FromName) || pm.text(e.Subject) ||
		pm.text(e.Snippet) || pm.text(e.Body) || pm.text(e.Quoted)) {
		return true
	}
	if m := s.Meeting; m != nil && (pm.any(m.Attendees, pm.addr) || pm.any(m.Declined, pm.addr) || pm.text(m.Title)) {
		return true
	}
	if d := s.Deal; d != nil && pm.any(d.ContactIDs, pm.id) {
		return true
	}
	if p := s.Post; p != nil && (pm.handle(p.Author) || pm.text(p.Text) || pm.text(p.URL)) {
		return true
	}
	if f := s.Form; f != nil {
		for _, v := range f.Fields {
			if pm.either(v) {
				return true
			}
		}
	}
	for _, v := range s.Payload {
		if pm.either(v) || pm.handle(v) {
			return true
		}
	}
	return false
}

// move says whether a move is about the person: its contact or subject
// (a merge's subject is the pair), its recipients and the contacts it
// merges, a signal of theirs behind it, or its text naming them.
func (pm *personMatch) move(m *Move, signals map[uint64]bool) bool {
	if pm.id(m.ContactID) || (m.Subject.Type == SubjectContact && pm.any(strings.Split(m.Subject.ID, " + "), pm.id)) {
		return true
	}
	d := m.Draft
	if pm.any(d.To, pm.addr) || pm.any(d.Cc, pm.addr) || pm.any(d.MergeIDs, pm.id) {
		return true
	}
	if slices.ContainsFunc(m.SignalIDs, func(id uint64) bool { return signals[id] }) {
		return true
	}
	for _, v := range d.Fields {
		if pm.either(v) {
			return true
		}
	}
	return pm.text(m.Title) || pm.any(m.Why, pm.text) || pm.any(m.Reasons, pm.text) || pm.text(d.Body) || pm.text(d.Subject) || pm.text(d.TaskTitle)
}

// audit says whether an audit entry is about the person.
func (pm *personMatch) audit(e *AuditEntry, moves map[uint64]bool) bool {
	return (e.MoveID != 0 && moves[e.MoveID]) || pm.text(e.Detail) || pm.any(e.Reasons, pm.text)
}
