package store

import (
	"bytes"

	"github.com/caseyos/caseyos/backend"
)

func pairKey(a, b string) []byte {
	a, b = backend.PairIDs(a, b)
	return join([]byte(a), sep, []byte(b))
}

// PutContactPair validates p and stores it under its two ids.
func (t *tx) PutContactPair(p *backend.ContactPair) error {
	const op = "store.PutContactPair"
	if p == nil {
		return invalid(op, "pair is empty")
	}
	if err := p.Validate(); err != nil {
		return backend.WrapError(op, err)
	}
	v, err := encode(op, "pair "+p.A+", "+p.B, toPairRecord(p))
	if err != nil {
		return err
	}
	return internal(op, t.bucket(bContactPairs).Put(pairKey(p.A, p.B), v))
}

// ContactPair returns the verdict on a and b, or ENOTFOUND.
func (t *tx) ContactPair(a, b string) (*backend.ContactPair, error) {
	const op = "store.ContactPair"
	x, y := backend.PairIDs(a, b)
	return getRecord(t, op, bContactPairs, pairKey(a, b),
		func(r *pairRecord) *backend.ContactPair { return fromPairRecord(x, y, r) },
		func() error { return notFound(op, "no verdict on contacts %q and %q", a, b) })
}

// DeleteContactPair forgets the verdict on a and b.
func (t *tx) DeleteContactPair(a, b string) error {
	const op = "store.DeleteContactPair"
	k := pairKey(a, b)
	if t.get(bContactPairs, k) == nil {
		return notFound(op, "no verdict on contacts %q and %q", a, b)
	}
	return internal(op, t.bucket(bContactPairs).Delete(k))
}

// ContactPairs returns every verdict in key order.
func (t *tx) ContactPairs() ([]*backend.ContactPair, error) {
	const op = "store.ContactPairs"
	out := []*backend.ContactPair{}
	var bad error
	err := eachRecord(t.bt, bContactPairs, func(k []byte, r *pairRecord) bool {
		a, b, ok := bytes.Cut(k, sep)
		if !ok {
			bad = corrupt(bContactPairs, k, errBadKey)
			return false
		}
		out = append(out, fromPairRecord(string(a), string(b), r))
		return true
	})
	if err == nil {
		err = bad
	}
	if err != nil {
		return nil, backend.WrapError(op, err)
	}
	return out, nil
}

// EachContact calls fn with every contact in id order until fn returns an
// error, which it returns.
func (t *tx) EachContact(fn func(*backend.Contact) error) error {
	const op = "store.EachContact"
	var stop error
	err := eachRecord(t.bt, bContacts, func(_ []byte, r *contactRecord) bool {
		stop = fn(fromContactRecord(r))
		return stop == nil
	})
	if err != nil {
		return backend.WrapError(op, err)
	}
	return stop
}

// EachCompany calls fn with every company in id order until fn returns an
// error, which it returns.
func (t *tx) EachCompany(fn func(*backend.Company) error) error {
	const op = "store.EachCompany"
	var stop error
	err := eachRecord(t.bt, bCompanies, func(_ []byte, r *companyRecord) bool {
		stop = fn(fromCompanyRecord(r))
		return stop == nil
	})
	if err != nil {
		return backend.WrapError(op, err)
	}
	return stop
}
