package store_test

import (
	"context"
	"testing"

	"github.com/caseyos/caseyos/backend"
)

func TestCRMStore_ContactByXHandle(t *testing.T) {
	db := MustOpenStore(t)
	ctx := context.Background()
	put := func(c *backend.Contact) {
		t.Helper()
		if err := db.Update(ctx, func(tx backend.Tx) error { c.Normalize(); return tx.PutContact(c) }); err != nil {
			t.Fatal(err)
		}
	}
	find := func(h string) (string, string) {
		var id string
		err := db.View(ctx, func(tx backend.Tx) error {
			c, err := tx.ContactByXHandle(h)
			if c != nil {
				id = c.ID
			}
			return err
		})
		return id, codeOf(err)
	}
	put(&backend.Contact{ID: "c-1", Name: "Jess", XHandle: "@DevJess"})
	t.Run("OK", func(t *testing.T) {
		for _, h := range []string{"devjess", "@DEVJESS", " DevJess "} {
			if id, code := find(h); id != "c-1" || code != "" {
				t.Errorf("ContactByXHandle(%q) = %q %s, want c-1", h, id, code)
			}
		}
	})
	t.Run("Moved", func(t *testing.T) {
		put(&backend.Contact{ID: "c-1", Name: "Jess", XHandle: "jess_ships"})
		if _, code := find("devjess"); code != backend.ENOTFOUND {
			t.Errorf("the old handle still finds the contact (%s)", code)
		}
		if id, _ := find("jess_ships"); id != "c-1" {
			t.Errorf("the new handle finds %q, want c-1", id)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if _, code := find(""); code != backend.ENOTFOUND {
			t.Errorf("ContactByXHandle(\"\") = %s, want not_found", code)
		}
	})
	t.Run("ErrInvalidHandle", func(t *testing.T) {
		err := db.Update(ctx, func(tx backend.Tx) error {
			return tx.PutContact(&backend.Contact{ID: "c-2", XHandle: "see linkedin"})
		})
		if codeOf(err) != backend.EINVALID {
			t.Errorf("PutContact(handle with a space) = %v, want invalid", err)
		}
	})
}

func codeOf(err error) string {
	if err == nil {
		return ""
	}
	return backend.ErrorCode(err)
}
