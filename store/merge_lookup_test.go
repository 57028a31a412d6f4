package store_test

import (
	"testing"

	"github.com/caseyos/caseyos/backend"
)

// LookupContactAlias answers what ContactAlias answers, a miss as false
// rather than an error: ingest asks it for every signal's contact.
func TestContactStore_LookupContactAlias(t *testing.T) {
	db := MustOpenStore(t)
	update(t, db, func(tx backend.Tx) error {
		for _, c := range []*backend.Contact{{ID: "1", Email: "a@x.io"}, {ID: "2", Email: "b@x.io"}} {
			if err := tx.PutContact(c); err != nil {
				return err
			}
		}
		return tx.MergeContactRecords(&backend.Contact{ID: "10", Email: "a@x.io"}, []string{"1", "2"})
	})
	view(t, db, func(tx backend.Tx) error {
		for _, id := range []string{"1", "2", "10", "3", "", "a@x.io"} {
			want, err := tx.ContactAlias(id)
			got, ok := tx.LookupContactAlias(id)
			if got != want || ok != (err == nil) {
				t.Errorf("LookupContactAlias(%q) = %q, %v; ContactAlias = %q, %v", id, got, ok, want, err)
			}
		}
		if to, ok := tx.LookupContactAlias("2"); !ok || to != "10" {
			t.Errorf("LookupContactAlias(2) = %q, %v; want 10", to, ok)
		}
		return nil
	})
}
