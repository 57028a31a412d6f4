package store_test

import (
	"reflect"
	"slices"
	"testing"

	"github.com/caseyos/caseyos/backend"
)

func fullContact() *backend.Contact {
	return &backend.Contact{
		ID: "c-1", Email: "dana@acme.example", Name: "Dana Scully", Title: "VP Engineering", CompanyID: "co-1",
		Lifecycle: "opportunity", Timezone: "Europe/Berlin", XHandle: "Priya_R", LastActivityAt: at(2, 9), UpdatedAt: at(2, 10),
		Phone: "+1 415 555 0100", Owner: "fox@caseyos.example", CreatedAt: at(1, 8), Source: backend.ContactSourceImport,
	}
}

func fullCompany() *backend.Company {
	return &backend.Company{
		ID: "co-1", Name: "Acme", Domain: "acme.example", Industry: "SaaS", Employees: 120, Country: "DE",
		ExpectedARR: 48000.5, Tags: []string{"target_account"}, UpdatedAt: at(2, 11), Source: backend.ContactSourceImport,
	}
}

func fullDeal() *backend.Deal {
	return &backend.Deal{
		ID: "d-1", Name: "Acme platform", Amount: 50000, Currency: "EUR", Stage: "negotiation", Pipeline: "default",
		CloseDate: at(28, 0), CompanyID: "co-1", ContactIDs: []string{"c-1", "c-2"},
		LastActivityAt: at(2, 9), StageChangedAt: at(1, 9), UpdatedAt: at(2, 12),
	}
}

func TestCRMStore_PutContact(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		db := MustOpenStore(t)
		c := fullContact()
		requireFilled(t, "Contact", c)
		update(t, db, func(tx backend.Tx) error { return tx.PutContact(c) })
		view(t, db, func(tx backend.Tx) error {
			got, err := tx.FindContact("c-1")
			if err != nil || !reflect.DeepEqual(got, c) {
				t.Errorf("FindContact() = %+v, %v\nwant %+v", got, err, c)
			}
			got, err = tx.ContactByEmail("  Dana@ACME.example ")
			if err != nil || got.ID != "c-1" {
				t.Errorf("ContactByEmail() = %v, %v; want c-1", got, err)
			}
			return nil
		})
		// A new address replaces the old one in the index.
		c.Email = "dana@newco.example"
		update(t, db, func(tx backend.Tx) error { return tx.PutContact(c) })
		checkIndexes(t, db)
		view(t, db, func(tx backend.Tx) error {
			_, err := tx.ContactByEmail("dana@acme.example")
			wantCode(t, "old address", err, backend.ENOTFOUND)
			got, err := tx.ContactByEmail("dana@newco.example")
			if err != nil || got.ID != "c-1" {
				t.Errorf("ContactByEmail(new) = %v, %v; want c-1", got, err)
			}
			return nil
		})
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		db := MustOpenStore(t)
		err := db.Update(ctx, func(tx backend.Tx) error { return tx.PutContact(&backend.Contact{ID: "x", Email: "not an address"}) })
		wantCode(t, "bad email", err, backend.EINVALID)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		db := MustOpenStore(t)
		err := db.View(ctx, func(tx backend.Tx) error { _, err := tx.FindContact("nobody"); return err })
		wantCode(t, "FindContact", err, backend.ENOTFOUND)
		err = db.View(ctx, func(tx backend.Tx) error { _, err := tx.ContactByEmail(""); return err })
		wantCode(t, "ContactByEmail(\"\")", err, backend.ENOTFOUND)
	})
}

func TestCRMStore_PutCompany(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		db := MustOpenStore(t)
		c := fullCompany()
		requireFilled(t, "Company", c)
		update(t, db, func(tx backend.Tx) error { return tx.PutCompany(c) })
		view(t, db, func(tx backend.Tx) error {
			got, err := tx.FindCompany("co-1")
			if err != nil || !reflect.DeepEqual(got, c) {
				t.Errorf("FindCompany() = %+v, %v\nwant %+v", got, err, c)
			}
			return nil
		})
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		db := MustOpenStore(t)
		err := db.View(ctx, func(tx backend.Tx) error { _, err := tx.FindCompany("none"); return err })
		wantCode(t, "FindCompany", err, backend.ENOTFOUND)
	})
}

func TestCRMStore_PutDeal(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		db := MustOpenStore(t)
		d := fullDeal()
		requireFilled(t, "Deal", d)
		update(t, db, func(tx backend.Tx) error { return tx.PutDeal(d) })
		view(t, db, func(tx backend.Tx) error {
			got, err := tx.FindDeal("d-1")
			if err != nil || !reflect.DeepEqual(got, d) {
				t.Errorf("FindDeal() = %+v, %v\nwant %+v", got, err, d)
			}
			return nil
		})
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		db := MustOpenStore(t)
		err := db.View(ctx, func(tx backend.Tx) error { _, err := tx.FindDeal("none"); return err })
		wantCode(t, "FindDeal", err, backend.ENOTFOUND)
	})
}

func TestCRMStore_FindDeals(t *testing.T) {
	db := MustOpenStore(t)
	deal := func(id, stage string, day int) *backend.Deal {
		d := &backend.Deal{ID: id, Stage: stage}
		if day > 0 {
			d.LastActivityAt = at(day, 0)
		}
		return d
	}
	update(t, db, func(tx backend.Tx) error {
		for _, d := range []*backend.Deal{
			deal("a", "demo", 10), deal("b", "closedwon", 1), deal("c", "negotiation", 3),
			deal("d", "demo", 20), deal("e", "ClosedLost", 2), deal("f", "demo", 0), deal("g", "qualified", 5),
		} {
			if err := tx.PutDeal(d); err != nil {
				return err
			}
		}
		// Activity moves: g becomes recent, so it is no longer stale.
		return tx.PutDeal(deal("g", "qualified", 25))
	})
	checkIndexes(t, db)
	closed := []string{"closedwon", "closedlost"}
	for _, tc := range []struct {
		name string
		f    backend.DealFilter
		want []string
	}{
		{"all", backend.DealFilter{}, []string{"a", "b", "c", "d", "e", "f", "g"}},
		{"open", backend.DealFilter{ExcludeStages: closed}, []string{"a", "c", "d", "f", "g"}},
		{"stale", backend.DealFilter{InactiveBefore: ptr(at(15, 0))}, []string{"b", "e", "c", "a"}},
		{"stale open", backend.DealFilter{InactiveBefore: ptr(at(15, 0)), ExcludeStages: closed}, []string{"c", "a"}},
		{"stale open limit", backend.DealFilter{InactiveBefore: ptr(at(15, 0)), ExcludeStages: closed, Limit: 1}, []string{"c"}},
		{"stale at the boundary", backend.DealFilter{InactiveBefore: ptr(at(10, 0))}, []string{"b", "e", "c"}},
	} {
		view(t, db, func(tx backend.Tx) error {
			ds, err := tx.FindDeals(tc.f)
			if err != nil {
				return err
			}
			got := []string{}
			for _, d := range ds {
				got = append(got, d.ID)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("%s: FindDeals() = %v, want %v", tc.name, got, tc.want)
			}
			return nil
		})
	}
}
