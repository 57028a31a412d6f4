package store

import (
	"bytes"

	"github.com/caseyos/caseyos/backend"
)

// Contact merges. A merge folds contacts into a survivor (HubSpot's merged
// record, which may have a new id, or the primary of a local merge) in one
// transaction: the survivor is stored, the merged records and their index
// entries go, deals and moves that named a merged contact name the
// survivor, and contact_aliases remembers where each merged id and address
// went, so that a later signal or lookup naming them lands on the
// survivor. Signals, executions and audit entries keep the ids they were
// recorded with (they are history); FindContact and ContactByEmail
// resolve those ids through the aliases.

// aliasKey is the contact_aliases key of a merged id ("id") or address
// ("email").
func aliasKey(kind, v string) []byte { return join([]byte(kind), sep, []byte(v)) }

// MergeContactRecords folds the contacts mergedIDs into survivor (see
// backend.ContactMergeStore).
func (t *tx) MergeContactRecords(survivor *backend.Contact, mergedIDs []string) error {
	const op = "store.MergeContactRecords"
	if survivor == nil || survivor.ID == "" {
		return invalid(op, "the surviving contact is empty")
	}
	gone := map[string]bool{}
	var emails []string
	for _, id := range mergedIDs {
		if id == "" || id == survivor.ID || gone[id] {
			continue
		}
		gone[id] = true
		key := []byte(id)
		if old := t.get(bContacts, key); old != nil {
			var r contactRecord
			if err := decode(bContacts, key, old, &r); err != nil {
				return backend.WrapError(op, err)
			}
			c := fromContactRecord(&r)
			if err := deleteEntries(t.bt, append(contactEntries(c), contactHandleEntries(c)...)); err != nil {
				return internal(op, err)
			}
			if err := t.bucket(bContacts).Delete(key); err != nil {
				return internal(op, err)
			}
			if e := normEmail(c.Email); e != "" && e != normEmail(survivor.Email) {
				emails = append(emails, e)
			}
		}
	}
	if err := t.PutContact(survivor); err != nil {
		return err
	}
	// Aliases: the merged ids and addresses, and older aliases that
	// pointed at a merged id, now point at the survivor; the survivor's
	// own id and address are no alias.
	aliases := t.bucket(bContactAliases)
	var repoint [][]byte
	if err := aliases.ForEach(func(k, v []byte) error {
		if gone[string(v)] {
			repoint = append(repoint, append([]byte(nil), k...))
		}
		return nil
	}); err != nil {
		return internal(op, err)
	}
	for id := range gone {
		repoint = append(repoint, aliasKey("id", id))
	}
	for _, e := range emails {
		repoint = append(repoint, aliasKey("email", e))
	}
	for _, k := range repoint {
		if err := aliases.Put(k, []byte(survivor.ID)); err != nil {
			return internal(op, err)
		}
	}
	for _, k := range [][]byte{aliasKey("id", survivor.ID), aliasKey("email", normEmail(survivor.Email))} {
		if err := aliases.Delete(k); err != nil {
			return internal(op, err)
		}
	}
	if len(gone) == 0 {
		return nil
	}
	// Deals.
	var deals []*backend.Deal
	if err := eachRecord(t.bt, bDeals, func(_ []byte, r *dealRecord) bool {
		d := fromDealRecord(r)
		if ids, changed := followIDs(d.ContactIDs, gone, survivor.ID); changed {
			d.ContactIDs = ids
			deals = append(deals, d)
		}
		return true
	}); err != nil {
		return backend.WrapError(op, err)
	}
	for _, d := range deals {
		if err := t.PutDeal(d); err != nil {
			return err
		}
	}
	// Moves: their contact, and their subject when it is the contact. A
	// merge move keeps the pair it names (the pair's verdict is kept by
	// those ids).
	var moves []*backend.Move
	if err := eachRecord(t.bt, bMoves, func(k []byte, r *moveRecord) bool {
		id, _ := decodeU64(k)
		m := fromMoveRecord(id, r)
		changed := false
		if gone[m.ContactID] {
			m.ContactID, changed = survivor.ID, true
		}
		if m.Subject.Type == backend.SubjectContact && gone[m.Subject.ID] {
			m.Subject.ID, changed = survivor.ID, true
		}
		if changed {
			moves = append(moves, m)
		}
		return true
	}); err != nil {
		return backend.WrapError(op, err)
	}
	for _, m := range moves {
		err := t.UpdateMove(m)
		if backend.ErrorCode(err) == backend.ECONFLICT {
			// The survivor already has an open move of this kind (each
			// contact had one): keep the survivor's, and this one stays
			// about the id it was made for, which resolves to the
			// survivor.
			continue
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// followIDs replaces the ids in gone by to, dropping repeats.
func followIDs(ids []string, gone map[string]bool, to string) ([]string, bool) {
	changed := false
	out := make([]string, 0, len(ids))
	seen := map[string]bool{}
	for _, id := range ids {
		if gone[id] {
			id, changed = to, true
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, changed
}

// ContactAlias returns the contact a merged id was folded into, or
// ENOTFOUND when id was never merged away.
func (t *tx) ContactAlias(id string) (string, error) {
	if v := t.get(bContactAliases, aliasKey("id", id)); v != nil {
		return string(v), nil
	}
	return "", notFound("store.ContactAlias", "contact %q was not merged", id)
}

// LookupContactAlias returns the contact a merged id was folded into and
// true, or false when id was never merged away.
func (t *tx) LookupContactAlias(id string) (string, bool) {
	if v := t.get(bContactAliases, aliasKey("id", id)); v != nil {
		return string(v), true
	}
	return "", false
}

// emailAlias returns the contact a merged address now belongs to, or "".
func (t *tx) emailAlias(email string) string {
	if e := normEmail(email); e != "" {
		if v := t.get(bContactAliases, aliasKey("email", e)); v != nil {
			return string(v)
		}
	}
	return ""
}

// dropAliasesTo forgets every merged id and address that leads to id (the
// contact is being deleted: nothing may find it, or keep its addresses,
// through them).
func (t *tx) dropAliasesTo(id string) error {
	aliases := t.bucket(bContactAliases)
	var keys [][]byte
	if err := aliases.ForEach(func(k, v []byte) error {
		if string(v) == id {
			keys = append(keys, append([]byte(nil), k...))
		}
		return nil
	}); err != nil {
		return err
	}
	keys = append(keys, aliasKey("id", id))
	for _, k := range keys {
		if err := aliases.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// ContactAliasesTo returns the ids and addresses merged into id.
func (t *tx) ContactAliasesTo(id string) (ids, emails []string, err error) {
	idPrefix, emailPrefix := aliasKey("id", ""), aliasKey("email", "")
	err = t.bucket(bContactAliases).ForEach(func(k, v []byte) error {
		if string(v) != id {
			return nil
		}
		switch {
		case bytes.HasPrefix(k, idPrefix):
			ids = append(ids, string(k[len(idPrefix):]))
		case bytes.HasPrefix(k, emailPrefix):
			emails = append(emails, string(k[len(emailPrefix):]))
		}
		return nil
	})
	return ids, emails, internal("store.ContactAliasesTo", err)
}
