package store

import (
	"bytes"
	"strings"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// normEmail is the form addresses take in contacts_by_email.
func normEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func contactEntries(c *backend.Contact) []entry {
	if normEmail(c.Email) == "" {
		return nil
	}
	return []entry{{bContactsByEmail, join([]byte(normEmail(c.Email)), sep, []byte(c.ID)), nil}}
}

// normHandle is the form X handles take in contacts_by_x_handle.
func normHandle(s string) string { return strings.ToLower(backend.NormalizeHandle(s)) }

func contactHandleEntries(c *backend.Contact) []entry {
	if normHandle(c.XHandle) == "" {
		return nil
	}
	return []entry{{bContactsByXHandle, join([]byte(normHandle(c.XHandle)), sep, []byte(c.ID)), nil}}
}

func dealEntries(d *backend.Deal) []entry {
	if d.LastActivityAt.IsZero() {
		return nil
	}
	return []entry{{bDealsByActivity, join(u64(timeBits(d.LastActivityAt)), []byte(d.ID)), nil}}
}

// PutContact validates c and inserts or replaces the contact with its id,
// moving its email index entry.
func (t *tx) PutContact(c *backend.Contact) error {
	const op = "store.PutContact"
	if c == nil {
		return invalid(op, "contact is empty")
	}
	if err := c.Validate(); err != nil {
		return err
	}
	v, err := encode(op, "contact "+c.ID, toContactRecord(c))
	if err != nil {
		return err
	}
	key := []byte(c.ID)
	var before []entry
	if old := t.get(bContacts, key); old != nil {
		// Only the indexed field is needed to drop the old index entry.
		var r struct {
			Email   string `json:"email"`
			XHandle string `json:"x_handle"`
		}
		if err := decode(bContacts, key, old, &r); err != nil {
			return backend.WrapError(op, err)
		}
		was := &backend.Contact{ID: c.ID, Email: r.Email, XHandle: r.XHandle}
		before = append(contactEntries(was), contactHandleEntries(was)...)
	}
	gone, added := changedKeys(before, append(contactEntries(c), contactHandleEntries(c)...))
	if err := deleteEntries(t.bt, gone); err != nil {
		return internal(op, err)
	}
	if err := t.bucket(bContacts).Put(key, v); err != nil {
		return internal(op, err)
	}
	return internal(op, putEntries(t.bt, added))
}

// FindContact returns contact id, or ENOTFOUND.
// FindContact returns the contact id, or the one it was merged into.
func (t *tx) FindContact(id string) (*backend.Contact, error) {
	const op = "store.FindContact"
	c, err := t.contact(op, id)
	if backend.ErrorCode(err) == backend.ENOTFOUND {
		// A contact merged away is found as the one it went into.
		if to, aerr := t.ContactAlias(id); aerr == nil && to != id {
			return t.contact(op, to)
		}
	}
	return c, err
}

// contact returns the stored record id itself (no alias followed).
func (t *tx) contact(op, id string) (*backend.Contact, error) {
	return getRecord(t, op, bContacts, []byte(id), fromContactRecord,
		func() error { return notFound(op, "contact %q not found", id) })
}

// ContactByEmail returns the contact with address email (compared without
// case), or ENOTFOUND. When duplicates share the address, the one with the
// smallest id wins until they are merged.
func (t *tx) ContactByEmail(email string) (*backend.Contact, error) {
	const op = "store.ContactByEmail"
	if e := normEmail(email); e != "" {
		prefix := join([]byte(e), sep)
		if k, _ := t.bucket(bContactsByEmail).Cursor().Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) {
			return t.contact(op, string(k[len(prefix):]))
		}
	}
	if to := t.emailAlias(email); to != "" {
		return t.contact(op, to)
	}
	return nil, notFound(op, "no contact with email %q", email)
}

// ContactByXHandle returns the contact whose X handle is handle (with or
// without the @, compared without case), or ENOTFOUND. When duplicates
// share it, the one with the smallest id wins.
func (t *tx) ContactByXHandle(handle string) (*backend.Contact, error) {
	const op = "store.ContactByXHandle"
	if h := normHandle(handle); h != "" {
		prefix := join([]byte(h), sep)
		if k, _ := t.bucket(bContactsByXHandle).Cursor().Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) {
			return t.contact(op, string(k[len(prefix):]))
		}
	}
	return nil, notFound(op, "no contact with X handle %q", handle)
}

// PutCompany validates c and inserts or replaces the company with its id.
func (t *tx) PutCompany(c *backend.Company) error {
	const op = "store.PutCompany"
	if c == nil {
		return invalid(op, "company is empty")
	}
	if err := c.Validate(); err != nil {
		return err
	}
	v, err := encode(op, "company "+c.ID, toCompanyRecord(c))
	if err != nil {
		return err
	}
	return internal(op, t.bucket(bCompanies).Put([]byte(c.ID), v))
}

// FindCompany returns company id, or ENOTFOUND.
func (t *tx) FindCompany(id string) (*backend.Company, error) {
	const op = "store.FindCompany"
	return getRecord(t, op, bCompanies, []byte(id), fromCompanyRecord,
		func() error { return notFound(op, "company %q not found", id) })
}

// PutDeal validates d and inserts or replaces the deal with its id, moving
// its last-activity index entry.
func (t *tx) PutDeal(d *backend.Deal) error {
	const op = "store.PutDeal"
	if d == nil {
		return invalid(op, "deal is empty")
	}
	if err := d.Validate(); err != nil {
		return err
	}
	v, err := encode(op, "deal "+d.ID, toDealRecord(d))
	if err != nil {
		return err
	}
	key := []byte(d.ID)
	var before []entry
	if old := t.get(bDeals, key); old != nil {
		// Only the indexed field is needed to drop the old index entry.
		var r struct {
			LastActivityAt time.Time `json:"last_activity_at"`
		}
		if err := decode(bDeals, key, old, &r); err != nil {
			return backend.WrapError(op, err)
		}
		before = dealEntries(&backend.Deal{ID: d.ID, LastActivityAt: r.LastActivityAt})
	}
	gone, added := changedKeys(before, dealEntries(d))
	if err := deleteEntries(t.bt, gone); err != nil {
		return internal(op, err)
	}
	if err := t.bucket(bDeals).Put(key, v); err != nil {
		return internal(op, err)
	}
	return internal(op, putEntries(t.bt, added))
}

// FindDeal returns deal id, or ENOTFOUND.
func (t *tx) FindDeal(id string) (*backend.Deal, error) {
	return t.deal("store.FindDeal", id)
}

func (t *tx) deal(op, id string) (*backend.Deal, error) {
	return getRecord(t, op, bDeals, []byte(id), fromDealRecord,
		func() error { return notFound(op, "deal %q not found", id) })
}

// FindDeals returns deals outside ExcludeStages (compared without case),
// up to Limit (0: all). With InactiveBefore it reads deals_by_activity and
// returns deals whose LastActivityAt is set and before it, least recently
// active first; otherwise every deal in id order.
func (t *tx) FindDeals(f backend.DealFilter) ([]*backend.Deal, error) {
	const op = "store.FindDeals"
	if err := checkPage(op, 0, f.Limit); err != nil {
		return nil, err
	}
	out := []*backend.Deal{}
	// keep adds d unless its stage is excluded and reports whether more are wanted.
	keep := func(d *backend.Deal) bool {
		for _, s := range f.ExcludeStages {
			if strings.EqualFold(strings.TrimSpace(s), strings.TrimSpace(d.Stage)) {
				return true
			}
		}
		out = append(out, d)
		return f.Limit == 0 || len(out) < f.Limit
	}
	if f.InactiveBefore != nil {
		before := u64(timeBits(*f.InactiveBefore))
		c := t.bucket(bDealsByActivity).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if len(k) < 8 {
				return nil, backend.WrapError(op, corrupt(bDealsByActivity, k, errBadKey))
			}
			if bytes.Compare(k[:8], before) >= 0 {
				break
			}
			d, err := t.deal(op, string(k[8:]))
			if err != nil {
				return nil, err
			}
			if !keep(d) {
				break
			}
		}
		return out, nil
	}
	err := eachRecord(t.bt, bDeals, func(_ []byte, r *dealRecord) bool { return keep(fromDealRecord(r)) })
	if err != nil {
		return nil, backend.WrapError(op, err)
	}
	return out, nil
}
