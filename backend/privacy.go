package backend

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The person's data in the person's hands: everything CaseyOS holds about
// one person, exported as one document, or forgotten. Forgetting deletes
// the records, empties the audit entries that name the person (keeping the
// chain: audit_tombstone.go) and leaves on the do-not-contact list only a
// hash of the address (PersonHash), which is what lets CaseyOS recognise
// the address again without holding it.

// DNCForgotten is the do-not-contact reason of a person who was forgotten;
// the entry holds PersonHash of the address, never the address.
const DNCForgotten = "forgotten"

// AuditForget is the action of the audit entry a forget writes; it names
// the person by PersonHash only.
const AuditForget = "privacy.forget"

// AuditRetentionPrune is the action of the audit entry retention writes.
const AuditRetentionPrune = "privacy.retention"

const personHashPrefix = "sha256:"

// PersonHash is the form an address takes where CaseyOS must recognise it
// without holding it: "sha256:" and the hex SHA-256 of a label and the
// trimmed lower-case address. Like any list that must recognise an address
// again it is not secret from someone who guesses the address: it proves
// an address that is already known, it does not reveal one.
func PersonHash(email string) string {
	// Ingest hashes most addresses it looks up: the input is built on
	// the stack when it fits and the hash written once, as the result.
	const domain = "caseyos person v1\x00"
	var in [256]byte
	sum := sha256.Sum256(append(append(in[:0], domain...), normalizeEmail(email)...))
	var out [len(personHashPrefix) + 2*sha256.Size]byte
	copy(out[:], personHashPrefix)
	hex.Encode(out[len(personHashPrefix):], sum[:])
	return string(out[:])
}

// IsPersonHash reports whether s has the form PersonHash returns.
func IsPersonHash(s string) bool {
	h, ok := strings.CutPrefix(s, personHashPrefix)
	if !ok || len(h) != 2*sha256.Size {
		return false
	}
	_, err := hex.DecodeString(h)
	return err == nil && strings.ToLower(h) == h
}

// CRMEraser deletes a person from the CRM for good (HubSpot's GDPR
// delete); ENOTFOUND when the CRM has no contact with the address.
type CRMEraser interface {
	GDPRDeleteContact(ctx context.Context, email string) error
}

// PrivacyStore is what export, forget and retention need beyond the other
// stores: walks over every signal and move, deletions that keep the
// indexes, and emptying an audit entry in place.
type PrivacyStore interface {
	EachSignal(fn func(*Signal) bool) error
	EachMove(fn func(*Move) bool) error
	// SignalsBefore returns the ids of up to limit (0: all) signals that
	// occurred before t, oldest first.
	SignalsBefore(t time.Time, limit int) ([]uint64, error)
	DeleteSignal(id uint64) error
	// DeleteMove refuses (ECONFLICT) while the move has executions or outcomes.
	DeleteMove(id uint64) error
	DeleteExecution(id uint64) error
	DeleteOutcome(id uint64) error
	DeleteContact(id string) error
	// ContactsByEmail returns every contact with this address (any case).
	ContactsByEmail(email string) ([]*Contact, error)
	// TombstoneAudit empties entry seq (AuditEntry.MakeTombstone); ok is
	// false when it may not be or already was.
	TombstoneAudit(seq uint64, why string) (ok bool, err error)
}

// MaxPersonRef bounds what export and forget accept as a person: an
// address is at most 254 bytes, an id far less.
const MaxPersonRef = 320

// Person is who an export or a forget is about.
type Person struct {
	Query      string   // what was asked for: an address or a contact id
	Email      string   // lower case; "" when only a contact id without an address is known
	ContactIDs []string // the contacts that hold the address, or the one asked for
	Name       string
	// Also are the person's other addresses and X handles ("@" and the
	// handle), from their contact records: a forget puts each one's hash
	// on the do-not-contact list with the address's.
	Also []string
}

// PersonData is everything CaseyOS holds about one person.
type PersonData struct {
	Person Person
	// Contacts are every contact record of the person: the CRM's, and one
	// known only by the address (a sender not in the CRM) when there is.
	Contacts     []*Contact
	Company      *Company // the contact's company, which is not the person's own data: exported, never deleted
	Signals      []*Signal
	Moves        []*Move // drafts are in each move's Draft
	Executions   []*Execution
	Outcomes     []*Outcome
	Audit        []*AuditEntry
	DoNotContact *DoNotContact
	// Pairs are the verdicts on pairs of contacts one of theirs is in
	// ("not a duplicate", merged): their keys hold the person's ids.
	Pairs []*ContactPair
	// Deals are the deals that list one of their contacts: the deal is
	// the account's, exported; a forget takes only the person off it.
	Deals []*Deal
}

// ForgetReport says what Forget deleted.
type ForgetReport struct {
	Person     string // PersonHash of the address (or of the contact id without one)
	Signals    int
	Moves      int
	Executions int
	Outcomes   int
	Contacts   int
	Pairs      int // verdicts on pairs of contacts
	Deals      int // deals the person was taken off
	Audit      int // entries emptied
	AuditSeq   uint64
	// CRM says what the CRM's GDPR delete did: "deleted", "absent" (it
	// had no contact with the address), or "" when it was not asked.
	CRM string
}

// PrivacyService exports and forgets a person, and prunes what is older
// than the retention period.
type PrivacyService struct{ *core }

// checkPersonRef refuses what cannot be an address or a contact id.
func checkPersonRef(ref string) (string, error) {
	ref = strings.TrimSpace(ref)
	switch {
	case ref == "":
		return "", Errorf(EINVALID, "name a person: an email address or a contact id")
	case len(ref) > MaxPersonRef:
		return "", Errorf(EINVALID, "%d bytes is too long for an email address or a contact id", len(ref))
	case strings.ContainsFunc(ref, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return "", Errorf(EINVALID, "%q holds control characters: it is not an email address or a contact id", ref)
	}
	return ref, nil
}

// findPerson resolves ref: an address (with or without contacts), or a
// contact id. ENOTFOUND when it is neither a known contact nor an address.
func findPerson(tx Tx, ps PrivacyStore, ref string) (Person, []*Contact, error) {
	p := Person{Query: ref}
	var cs []*Contact
	if ValidEmail(normalizeEmail(ref)) {
		p.Email = normalizeEmail(ref)
	} else {
		c, err := tx.FindContact(ref)
		if err != nil {
			if ErrorCode(err) == ENOTFOUND {
				return p, nil, Errorf(ENOTFOUND, "%q is neither an email address nor a contact id CaseyOS knows", ref)
			}
			return p, nil, err
		}
		cs = append(cs, c)
		p.Email = normalizeEmail(c.Email)
	}
	if p.Email != "" {
		more, err := ps.ContactsByEmail(p.Email)
		if err != nil {
			return p, nil, err
		}
		cs = append(cs, more...)
		if c, err := tx.FindContact(p.Email); err == nil { // known by the address alone
			cs = append(cs, c)
		}
	}
	seen := map[string]bool{}
	for _, c := range cs {
		if seen[c.ID] {
			continue
		}
		seen[c.ID] = true
		p.ContactIDs = append(p.ContactIDs, c.ID)
		// Records made before a merge name the ids merged into c.
		merged, _, err := tx.ContactAliasesTo(c.ID)
		if err != nil {
			return p, nil, err
		}
		p.ContactIDs = append(p.ContactIDs, merged...)
		if p.Name == "" || (len(c.Name) > len(p.Name)) {
			p.Name = c.Name
		}
	}
	out := cs[:0]
	for _, c := range cs {
		if seen[c.ID] {
			out = append(out, c)
			delete(seen, c.ID)
		}
	}
	return p, out, nil
}

// collect gathers everything about ref in tx.
func collectPerson(tx Tx, ps PrivacyStore, ref string) (*PersonData, error) {
	p, cs, err := findPerson(tx, ps, ref)
	if err != nil {
		return nil, err
	}
	out := &PersonData{Person: p}
	pm := newPersonMatch(p)
	for _, id := range p.ContactIDs { // with the ids merged into them
		pm.ids[id] = true
	}
	pairs, err := tx.ContactPairs()
	if err != nil {
		return nil, err
	}
	if cs, err = pm.sameAs(tx, cs, pairs); err != nil {
		return nil, err
	}
	out.Contacts = cs
	out.Person.Also = pm.also(p.Email)
	out.Person.ContactIDs = slices.Clone(p.ContactIDs)
	for _, c := range cs {
		if !slices.Contains(out.Person.ContactIDs, c.ID) {
			out.Person.ContactIDs = append(out.Person.ContactIDs, c.ID)
		}
	}
	for _, c := range cs {
		if c.CompanyID != "" && out.Company == nil {
			if co, err := tx.FindCompany(c.CompanyID); err == nil {
				out.Company = co
			}
		}
	}
	signals := map[uint64]bool{}
	if err := ps.EachSignal(func(s *Signal) bool {
		if pm.signal(s) {
			out.Signals = append(out.Signals, s)
			signals[s.ID] = true
		}
		return true
	}); err != nil {
		return nil, err
	}
	moves := map[uint64]bool{}
	if err := ps.EachMove(func(m *Move) bool {
		if pm.move(m, signals) {
			out.Moves = append(out.Moves, m)
			moves[m.ID] = true
		}
		return true
	}); err != nil {
		return nil, err
	}
	for _, m := range out.Moves {
		es, err := tx.FindExecutions(m.ID)
		if err != nil {
			return nil, err
		}
		out.Executions = append(out.Executions, es...)
		os, err := tx.FindOutcomes(m.ID)
		if err != nil {
			return nil, err
		}
		out.Outcomes = append(out.Outcomes, os...)
	}
	entries, _, err := tx.FindAudit(AuditFilter{})
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if pm.audit(e, moves) {
			out.Audit = append(out.Audit, e)
		}
	}
	for _, pr := range pairs {
		if pm.ids[pr.A] || pm.ids[pr.B] {
			out.Pairs = append(out.Pairs, pr)
		}
	}
	deals, err := tx.FindDeals(DealFilter{})
	if err != nil {
		return nil, err
	}
	for _, d := range deals {
		if pm.any(d.ContactIDs, pm.id) {
			out.Deals = append(out.Deals, d)
		}
	}
	if p.Email != "" {
		if d, err := tx.DoNotContact(p.Email); err == nil {
			out.DoNotContact = d
		} else if ErrorCode(err) != ENOTFOUND {
			return nil, err
		}
	}
	if len(cs) == 0 && len(out.Signals) == 0 && len(out.Moves) == 0 && len(out.Audit) == 0 && out.DoNotContact == nil {
		return nil, Errorf(ENOTFOUND, "CaseyOS holds nothing about %s", p.Email)
	}
	return out, nil
}

func privacyStore(tx Tx) (PrivacyStore, error) {
	ps, ok := tx.(PrivacyStore)
	if !ok {
		return nil, Errorf(EINTERNAL, "this store cannot export or forget a person")
	}
	return ps, nil
}

// Export returns everything CaseyOS holds about ref, an email address or a
// contact id.
func (s *PrivacyService) Export(ctx context.Context, ref string) (*PersonData, error) {
	ref, err := checkPersonRef(ref)
	if err != nil {
		return nil, err
	}
	var out *PersonData
	err = s.store.View(ctx, func(tx Tx) error {
		ps, err := privacyStore(tx)
		if err != nil {
			return err
		}
		out, err = collectPerson(tx, ps, ref)
		return err
	})
	return out, WrapError("export", err)
}

// Forget deletes everything CaseyOS holds about ref (PersonData): its
// signals, moves and their drafts, executions and outcomes, and the
// contact; it empties the audit entries that name the person, puts the
// address's hash on the do-not-contact list (DNCForgotten) and records the
// forget by that hash alone. The company stays: it is not the person's.
// It refuses (ECONFLICT) while an execution of theirs has not finished (in
// its undo window, in the outbox, or going out). All of it is one
// transaction. The bytes of deleted records stay in the data file's free
// pages until they are reused or the file is compacted.
//
// With crm, the person is first deleted from the CRM for good (HubSpot's
// GDPR delete, by address), outside any transaction; if that fails
// nothing is deleted here either, and the forget can be run again.
func (s *PrivacyService) Forget(ctx context.Context, ref string, actor Actor, crm CRMEraser) (ForgetReport, error) {
	ref, err := checkPersonRef(ref)
	if err != nil {
		return ForgetReport{}, err
	}
	var rep ForgetReport
	if crm != nil {
		var email string
		err := s.store.View(ctx, func(tx Tx) error {
			ps, err := privacyStore(tx)
			if err != nil {
				return err
			}
			d, err := collectPerson(tx, ps, ref)
			if err != nil {
				return err
			}
			if err := refuseWaiting(d); err != nil {
				return err
			}
			email = d.Person.Email
			return nil
		})
		if err != nil {
			return ForgetReport{}, WrapError("forget", err)
		}
		if email == "" {
			return ForgetReport{}, Errorf(EINVALID, "the CRM deletes a person by address, and CaseyOS holds none for %q: forget them without the CRM", ref)
		}
		switch err := crm.GDPRDeleteContact(ctx, email); {
		case err == nil:
			rep.CRM = "deleted"
		case ErrorCode(err) == ENOTFOUND:
			rep.CRM = "absent"
		default:
			return ForgetReport{}, WrapError("forget: the CRM's delete failed, so nothing was deleted here either", err)
		}
	}
	now := s.clock.Now()
	err = s.store.Update(ctx, func(tx Tx) error {
		ps, err := privacyStore(tx)
		if err != nil {
			return err
		}
		d, err := collectPerson(tx, ps, ref)
		if err != nil {
			return err
		}
		if err := refuseWaiting(d); err != nil {
			return err
		}
		who := d.Person.Email
		if who == "" && len(d.Person.ContactIDs) > 0 {
			who = d.Person.ContactIDs[0]
		}
		rep.Person = PersonHash(who)
		for _, o := range d.Outcomes {
			if err := ps.DeleteOutcome(o.ID); err != nil {
				return err
			}
		}
		for _, e := range d.Executions {
			if err := ps.DeleteExecution(e.ID); err != nil {
				return err
			}
		}
		for _, m := range d.Moves {
			if err := ps.DeleteMove(m.ID); err != nil {
				return err
			}
		}
		for _, sg := range d.Signals {
			if err := ps.DeleteSignal(sg.ID); err != nil {
				return err
			}
		}
		for _, c := range d.Contacts {
			if err := ps.DeleteContact(c.ID); err != nil {
				return err
			}
			rep.Contacts++
		}
		for _, pr := range d.Pairs {
			if err := tx.DeleteContactPair(pr.A, pr.B); err != nil {
				return err
			}
		}
		gone := map[string]bool{}
		for _, id := range d.Person.ContactIDs {
			gone[id] = true
		}
		for _, dl := range d.Deals {
			dl.ContactIDs = slices.DeleteFunc(slices.Clone(dl.ContactIDs), func(id string) bool { return gone[id] || normalizeEmail(id) == d.Person.Email })
			if err := tx.PutDeal(dl); err != nil {
				return err
			}
		}
		for _, e := range d.Audit {
			ok, err := ps.TombstoneAudit(e.Seq, rep.Person)
			if err != nil {
				return err
			}
			if ok {
				rep.Audit++
			}
		}
		rep.Signals, rep.Moves, rep.Executions, rep.Outcomes = len(d.Signals), len(d.Moves), len(d.Executions), len(d.Outcomes)
		rep.Pairs, rep.Deals = len(d.Pairs), len(d.Deals)
		if d.Person.Email != "" {
			if d.DoNotContact != nil && d.DoNotContact.Email == d.Person.Email {
				if err := tx.DeleteDoNotContact(d.Person.Email); err != nil {
					return err
				}
			}
			if err := tx.PutDoNotContact(&DoNotContact{Email: rep.Person, Reason: DNCForgotten, Actor: actor, At: now}); err != nil {
				return err
			}
		}
		for _, a := range d.Person.Also {
			if ValidEmail(a) {
				switch x, err := tx.DoNotContact(a); {
				case err == nil && x.Email == a:
					if err := tx.DeleteDoNotContact(a); err != nil {
						return err
					}
				case err != nil && ErrorCode(err) != ENOTFOUND:
					return err
				}
			}
			if err := tx.PutDoNotContact(&DoNotContact{Email: PersonHash(a), Reason: DNCForgotten, Actor: actor, At: now}); err != nil {
				return err
			}
		}
		e := &AuditEntry{At: now, Actor: actor, Action: AuditForget, Detail: fmt.Sprintf(
			"forgot person %s: %d signals, %d moves, %d executions, %d outcomes, %d contact records, %d duplicate verdicts deleted; taken off %d deals; %d audit entries emptied",
			rep.Person, rep.Signals, rep.Moves, rep.Executions, rep.Outcomes, rep.Contacts, rep.Pairs, rep.Deals, rep.Audit)}
		switch rep.CRM {
		case "deleted":
			e.Detail += "; deleted from the CRM for good"
		case "absent":
			e.Detail += "; the CRM had no contact with the address"
		}
		if err := tx.AppendAudit(e); err != nil {
			return err
		}
		rep.AuditSeq = e.Seq
		return nil
	})
	if err != nil {
		return ForgetReport{}, WrapError("forget", err)
	}
	s.events.Publish(EventQueueChanged, QueueChanged{Reason: "forget"})
	return rep, nil
}

// refuseWaiting refuses a forget while an execution to the person has not
// finished: it would send with what is about to be deleted.
func refuseWaiting(d *PersonData) error {
	for _, e := range d.Executions {
		if e.State.IsOpen() {
			return Errorf(ECONFLICT, "move %d's execution to this person is still waiting (%s): undo it (caseyos undo %d) or let it finish, then forget them", e.MoveID, e.State, e.MoveID)
		}
	}
	return nil
}

// forgotten says whether the person a signal comes from was forgotten:
// such a signal is stored (it is new) but makes no move.
func forgotten(tx Tx, s *Signal, contactEmail string) (bool, error) {
	// Up to seven places name the person, mostly the same address: each
	// distinct one is looked up once.
	var buf [7]string
	addrs := buf[:0]
	add := func(a string) {
		a = normalizeEmail(a)
		if !ValidEmail(a) && !strings.HasPrefix(a, "@") {
			return
		}
		for _, b := range addrs {
			if a == b {
				return
			}
		}
		addrs = append(addrs, a)
	}
	if s.Email != nil {
		add(s.Email.From)
	}
	if s.Contact != nil {
		add(s.Contact.Email)
	}
	add(contactEmail)
	add(s.ContactID)
	if s.Form != nil {
		add(s.Form.Fields["email"])
	}
	// A forgotten handle is on the list as the hash of "@" and the handle.
	if s.Post != nil && NormalizeHandle(s.Post.Author) != "" {
		add("@" + NormalizeHandle(s.Post.Author))
	}
	if s.Contact != nil && s.Contact.XHandle != "" {
		add("@" + NormalizeHandle(s.Contact.XHandle))
	}
	for _, a := range addrs {
		d, ok, err := tx.LookupDoNotContact(a)
		if err != nil {
			return false, err
		}
		if ok && d.Reason == DNCForgotten {
			return true, nil
		}
	}
	return false, nil
}
