package store_test

import (
	"testing"

	"github.com/caseyos/caseyos/backend"
)

// TestContactStore_MergeContactRecords: merging removes the merged records
// and their index entries (the indexes still match the records), keeps
// aliases for their ids and addresses, follows an earlier merge's aliases
// to the newest survivor, and re-points deals.
func TestContactStore_MergeContactRecords(t *testing.T) {
	db := MustOpenStore(t)
	update(t, db, func(tx backend.Tx) error {
		for _, c := range []*backend.Contact{{ID: "1", Email: "a@x.io", XHandle: "ann"}, {ID: "2", Email: "b@x.io"}, {ID: "3", Email: "c@x.io"}} {
			if err := tx.PutContact(c); err != nil {
				return err
			}
		}
		return tx.PutDeal(&backend.Deal{ID: "d1", Name: "D", Stage: "s", ContactIDs: []string{"1", "2", "4"}})
	})
	t.Run("OK", func(t *testing.T) {
		update(t, db, func(tx backend.Tx) error {
			return tx.MergeContactRecords(&backend.Contact{ID: "10", Email: "a@x.io", XHandle: "ann"}, []string{"1", "2"})
		})
		checkIndexes(t, db)
		view(t, db, func(tx backend.Tx) error {
			for _, id := range []string{"1", "2", "10"} {
				if c, err := tx.FindContact(id); err != nil || c.ID != "10" {
					t.Errorf("FindContact(%s) = %+v, %v; want 10", id, c, err)
				}
			}
			if c, err := tx.ContactByEmail("B@x.io"); err != nil || c.ID != "10" {
				t.Errorf("ContactByEmail(merged address) = %+v, %v; want 10", c, err)
			}
			if c, err := tx.ContactByXHandle("ann"); err != nil || c.ID != "10" {
				t.Errorf("ContactByXHandle = %+v, %v; want 10", c, err)
			}
			if d, err := tx.FindDeal("d1"); err != nil || len(d.ContactIDs) != 2 || d.ContactIDs[0] != "10" || d.ContactIDs[1] != "4" {
				t.Errorf("deal contacts = %+v, %v; want [10 4]", d, err)
			}
			_, err := tx.ContactAlias("10")
			wantCode(t, "the survivor's own alias", err, backend.ENOTFOUND)
			return nil
		})
	})
	t.Run("Chain", func(t *testing.T) {
		update(t, db, func(tx backend.Tx) error {
			return tx.MergeContactRecords(&backend.Contact{ID: "20", Email: "c@x.io"}, []string{"3", "10"})
		})
		checkIndexes(t, db)
		view(t, db, func(tx backend.Tx) error {
			for _, id := range []string{"1", "2", "3", "10"} {
				if to, err := tx.ContactAlias(id); err != nil || to != "20" {
					t.Errorf("ContactAlias(%s) = %q, %v; want 20", id, to, err)
				}
			}
			if c, err := tx.ContactByEmail("a@x.io"); err != nil || c.ID != "20" {
				t.Errorf("ContactByEmail(a) = %+v, %v; want 20", c, err)
			}
			return nil
		})
	})
	t.Run("DeleteDropsAliases", func(t *testing.T) {
		// Forgetting the survivor forgets the ids and addresses merged into
		// it; a merged-away id is not a record to delete.
		err := db.Update(t.Context(), func(tx backend.Tx) error { return tx.(backend.PrivacyStore).DeleteContact("10") })
		wantCode(t, "DeleteContact(merged-away id)", err, backend.ENOTFOUND)
		update(t, db, func(tx backend.Tx) error { return tx.(backend.PrivacyStore).DeleteContact("20") })
		checkIndexes(t, db)
		view(t, db, func(tx backend.Tx) error {
			for _, id := range []string{"1", "2", "3", "10", "20"} {
				_, err := tx.FindContact(id)
				wantCode(t, "FindContact("+id+") after deleting the survivor", err, backend.ENOTFOUND)
			}
			_, err := tx.ContactByEmail("b@x.io")
			wantCode(t, "ContactByEmail(merged address) after deleting the survivor", err, backend.ENOTFOUND)
			return nil
		})
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		err := db.Update(t.Context(), func(tx backend.Tx) error { return tx.MergeContactRecords(nil, []string{"1"}) })
		wantCode(t, "nil survivor", err, backend.EINVALID)
	})
}
