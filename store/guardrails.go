package store

import (
	"strings"

	"github.com/caseyos/caseyos/backend"
)

// Guardrails returns meta/guardrails, or backend.DefaultGuardrails when
// none are stored.
func (t *tx) Guardrails() (*backend.Guardrails, error) {
	return getMeta(t, "store.Guardrails", kGuardrails, fromGuardrailsRecord, backend.DefaultGuardrails)
}

// PutGuardrails stores g whole.
func (t *tx) PutGuardrails(g *backend.Guardrails) error {
	const op = "store.PutGuardrails"
	if g == nil {
		return invalid(op, "guardrails are empty")
	}
	if err := g.Window().Validate(); err != nil {
		return err
	}
	v, err := encode(op, "guardrails", toGuardrailsRecord(g))
	if err != nil {
		return err
	}
	return internal(op, t.bucket(bMeta).Put(kGuardrails, v))
}

func dncKey(email string) []byte { return []byte(strings.ToLower(strings.TrimSpace(email))) }

// DoNotContact returns the entry for email (any case), or ENOTFOUND.
func (t *tx) DoNotContact(email string) (*backend.DoNotContact, error) {
	const op = "store.DoNotContact"
	k := dncKey(email)
	if t.get(bDoNotContact, k) == nil && !backend.IsPersonHash(string(k)) {
		// A forgotten address is on the list by its hash alone.
		if h := []byte(backend.PersonHash(string(k))); t.get(bDoNotContact, h) != nil {
			k = h
		}
	}
	return getRecord(t, op, bDoNotContact, k,
		func(r *dncRecord) *backend.DoNotContact { return fromDNCRecord(string(k), r) },
		func() error { return notFound(op, "%s is not on the do-not-contact list", email) })
}

// LookupDoNotContact returns the entry for email (any case) and whether
// there is one: the ingest path asks for addresses that are mostly absent,
// and a miss costs no error.
func (t *tx) LookupDoNotContact(email string) (*backend.DoNotContact, bool, error) {
	const op = "store.LookupDoNotContact"
	k := dncKey(email)
	v := t.get(bDoNotContact, k)
	if v == nil && !backend.IsPersonHash(string(k)) {
		// A forgotten address is on the list by its hash alone.
		k = []byte(backend.PersonHash(string(k)))
		v = t.get(bDoNotContact, k)
	}
	if v == nil {
		return nil, false, nil
	}
	var r dncRecord
	if err := decode(bDoNotContact, k, v, &r); err != nil {
		return nil, false, backend.WrapError(op, err)
	}
	return fromDNCRecord(string(k), &r), true, nil
}

// PutDoNotContact validates d and stores it under its lower-case address.
func (t *tx) PutDoNotContact(d *backend.DoNotContact) error {
	const op = "store.PutDoNotContact"
	if d == nil {
		return invalid(op, "do-not-contact entry is empty")
	}
	e := *d
	e.Email = string(dncKey(d.Email))
	if err := e.Validate(); err != nil {
		return err
	}
	if e.At.IsZero() {
		e.At = t.now()
	}
	v, err := encode(op, "do-not-contact "+e.Email, toDNCRecord(&e))
	if err != nil {
		return err
	}
	return internal(op, t.bucket(bDoNotContact).Put([]byte(e.Email), v))
}

// DeleteDoNotContact removes email's entry; ENOTFOUND when there is none.
func (t *tx) DeleteDoNotContact(email string) error {
	const op = "store.DeleteDoNotContact"
	b := t.bucket(bDoNotContact)
	if b.Get(dncKey(email)) == nil {
		return notFound(op, "%s is not on the do-not-contact list", email)
	}
	return internal(op, b.Delete(dncKey(email)))
}

// FindDoNotContacts returns the whole list, by address.
func (t *tx) FindDoNotContacts() ([]*backend.DoNotContact, error) {
	const op = "store.FindDoNotContacts"
	var out []*backend.DoNotContact
	err := eachRecord(t.bt, bDoNotContact, func(k []byte, r *dncRecord) bool {
		out = append(out, fromDNCRecord(string(k), r))
		return true
	})
	return out, backend.WrapError(op, err)
}

// PutRule validates r and stores it, assigning r.ID when it is 0.
func (t *tx) PutRule(r *backend.Rule) error {
	const op = "store.PutRule"
	if r == nil {
		return invalid(op, "rule is empty")
	}
	if err := r.Validate(); err != nil {
		return err
	}
	b := t.bucket(bRules)
	id := r.ID
	if id == 0 {
		var err error
		if id, err = b.NextSequence(); err != nil {
			return internal(op, err)
		}
	} else if b.Get(u64(id)) == nil {
		return notFound(op, "rule %d not found", id)
	}
	v, err := encode(op, "rule "+r.Name, toRuleRecord(r))
	if err != nil {
		return err
	}
	if err := b.Put(u64(id), v); err != nil {
		return internal(op, err)
	}
	r.ID = id
	return nil
}

// FindRules returns every rule, by id.
func (t *tx) FindRules() ([]*backend.Rule, error) {
	const op = "store.FindRules"
	var out []*backend.Rule
	err := eachRecord(t.bt, bRules, func(k []byte, r *ruleRecord) bool {
		id, _ := decodeU64(k)
		out = append(out, fromRuleRecord(id, r))
		return true
	})
	return out, backend.WrapError(op, err)
}

// DeleteRule removes rule id; ENOTFOUND when there is none.
func (t *tx) DeleteRule(id uint64) error {
	const op = "store.DeleteRule"
	b := t.bucket(bRules)
	if b.Get(u64(id)) == nil {
		return notFound(op, "rule %d not found", id)
	}
	return internal(op, b.Delete(u64(id)))
}
