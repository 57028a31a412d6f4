package store_test

import (
	"reflect"
	"testing"

	"github.com/caseyos/caseyos/backend"
)

// LookupDoNotContact finds what DoNotContact finds (any case, a forgotten
// address by its hash alone) and answers a miss without an error: ingest
// asks it for several mostly absent addresses per signal.
func TestGuardrailStore_LookupDoNotContact(t *testing.T) {
	db := MustOpenStore(t)
	update(t, db, func(tx backend.Tx) error {
		return errorsJoin(
			tx.PutDoNotContact(&backend.DoNotContact{Email: "Dana@Northwind.io", Reason: backend.DNCUnsubscribed, At: at(4, 9)}),
			tx.PutDoNotContact(&backend.DoNotContact{Email: backend.PersonHash("gone@x.io"), Reason: backend.DNCForgotten, At: at(4, 10)}))
	})
	view(t, db, func(tx backend.Tx) error {
		for _, addr := range []string{" DANA@northwind.io ", "Gone@X.io", backend.PersonHash("gone@x.io"), "nobody@x.io", "", "not an address"} {
			want, werr := tx.DoNotContact(addr)
			got, ok, err := tx.LookupDoNotContact(addr)
			if err != nil {
				t.Errorf("LookupDoNotContact(%q) error %v, want none", addr, err)
			}
			if found := werr == nil; ok != found || !reflect.DeepEqual(got, want) {
				t.Errorf("LookupDoNotContact(%q) = %+v, %v; DoNotContact = %+v, %v", addr, got, ok, want, werr)
			}
		}
		if _, ok, _ := tx.LookupDoNotContact("gone@x.io"); !ok {
			t.Errorf("a forgotten address is not found by its hash")
		}
		return nil
	})
}
