package store_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/caseyos/caseyos/backend"
)

func TestPairStore_ContactPair(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		db := MustOpenStore(t)
		p := &backend.ContactPair{A: "123", B: "dana@acme.example", Verdict: backend.PairDistinct, MoveID: 4, Actor: backend.ActorKey, At: at(3, 9)}
		requireFilled(t, "ContactPair", p)
		update(t, db, func(tx backend.Tx) error { return tx.PutContactPair(p) })
		view(t, db, func(tx backend.Tx) error {
			for _, ids := range [][2]string{{"123", "dana@acme.example"}, {"dana@acme.example", "123"}} {
				got, err := tx.ContactPair(ids[0], ids[1])
				if err != nil {
					return err
				}
				if !reflect.DeepEqual(got, p) {
					t.Errorf("ContactPair(%q, %q) = %+v, want %+v", ids[0], ids[1], got, p)
				}
			}
			all, err := tx.ContactPairs()
			if err != nil {
				return err
			}
			if len(all) != 1 || !reflect.DeepEqual(all[0], p) {
				t.Errorf("ContactPairs() = %+v, want [%+v]", all, p)
			}
			return nil
		})
		// A later verdict on the same pair replaces the earlier one.
		merged := *p
		merged.Verdict, merged.At = backend.PairMerged, at(4, 9)
		update(t, db, func(tx backend.Tx) error { return tx.PutContactPair(&merged) })
		update(t, db, func(tx backend.Tx) error {
			got, err := tx.ContactPair("123", "dana@acme.example")
			if err != nil || got.Verdict != backend.PairMerged {
				t.Errorf("ContactPair after a second verdict = %+v, %v, want merged", got, err)
			}
			return tx.DeleteContactPair("dana@acme.example", "123")
		})
		view(t, db, func(tx backend.Tx) error {
			if _, err := tx.ContactPair("123", "dana@acme.example"); backend.ErrorCode(err) != backend.ENOTFOUND {
				t.Errorf("ContactPair after delete: code %q, want not_found", backend.ErrorCode(err))
			}
			return nil
		})
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		db := MustOpenStore(t)
		update(t, db, func(tx backend.Tx) error {
			if err := tx.DeleteContactPair("a", "b"); backend.ErrorCode(err) != backend.ENOTFOUND {
				t.Errorf("DeleteContactPair(absent): code %q, want not_found", backend.ErrorCode(err))
			}
			return nil
		})
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		db := MustOpenStore(t)
		for _, p := range []*backend.ContactPair{
			nil,
			{A: "a", B: "a", Verdict: backend.PairDistinct},
			{A: "b", B: "a", Verdict: backend.PairDistinct},
			{A: "a\x00x", B: "b", Verdict: backend.PairDistinct},
			{A: "a", B: "b", Verdict: "maybe"},
		} {
			update(t, db, func(tx backend.Tx) error {
				if err := tx.PutContactPair(p); backend.ErrorCode(err) != backend.EINVALID {
					t.Errorf("PutContactPair(%+v): code %q, want invalid", p, backend.ErrorCode(err))
				}
				return nil
			})
		}
	})
}

func TestCRMStore_EachContact(t *testing.T) {
	db := MustOpenStore(t)
	update(t, db, func(tx backend.Tx) error {
		for _, id := range []string{"c", "a", "b"} {
			if err := tx.PutContact(&backend.Contact{ID: id}); err != nil {
				return err
			}
		}
		return nil
	})
	var ids []string
	stop := errors.New("stop")
	view(t, db, func(tx backend.Tx) error {
		err := tx.EachContact(func(c *backend.Contact) error {
			ids = append(ids, c.ID)
			if c.ID == "b" {
				return stop
			}
			return nil
		})
		if err != stop {
			t.Errorf("EachContact = %v, want fn's error", err)
		}
		return nil
	})
	if !reflect.DeepEqual(ids, []string{"a", "b"}) {
		t.Errorf("EachContact visited %v, want [a b]", ids)
	}
}

func TestCRMStore_EachCompany(t *testing.T) {
	db := MustOpenStore(t)
	update(t, db, func(tx backend.Tx) error {
		for _, id := range []string{"co-2", "co-1"} {
			if err := tx.PutCompany(&backend.Company{ID: id, Name: id}); err != nil {
				return err
			}
		}
		return nil
	})
	var ids []string
	view(t, db, func(tx backend.Tx) error {
		return tx.EachCompany(func(c *backend.Company) error {
			ids = append(ids, c.ID)
			return nil
		})
	})
	if !reflect.DeepEqual(ids, []string{"co-1", "co-2"}) {
		t.Errorf("EachCompany visited %v, want [co-1 co-2]", ids)
	}
}
