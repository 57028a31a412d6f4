package backend

import (
	"context"
	"strings"
)

// HandleDirectory answers who an X handle belongs to in the local copy of
// the CRM (Contact.XHandle), so that a mention's author is recognized as
// a known contact, at a known company, perhaps on an open deal.
type HandleDirectory interface {
	LookupHandle(ctx context.Context, handle string) (DirectoryMatch, bool)
}

// WatchList is what the founder asked to watch on X besides mentions:
// competitors' names, the product's own name and keywords about it.
type WatchList struct {
	Competitors []string
	Product     string
	Keywords    []string
}

// Empty reports whether there is nothing to search for.
func (w WatchList) Empty() bool {
	return len(w.Competitors) == 0 && strings.TrimSpace(w.Product) == "" && len(w.Keywords) == 0
}

// WatchSource gives a connector the current watch list (from Settings):
// edits take effect at the next poll.
type WatchSource interface {
	WatchList(ctx context.Context) (WatchList, error)
}

var (
	_ HandleDirectory = (*StoreDirectory)(nil)
	_ WatchSource     = (*StoreDirectory)(nil)
)

// LookupHandle returns the contact whose X handle is handle, with its
// company and open deal. A failure to read the store reads as unknown.
func (d *StoreDirectory) LookupHandle(ctx context.Context, handle string) (DirectoryMatch, bool) {
	handle = NormalizeHandle(handle)
	if !ValidHandle(handle) {
		return DirectoryMatch{}, false
	}
	var c *Contact
	err := d.store.View(ctx, func(tx Tx) error {
		var err error
		c, err = tx.ContactByXHandle(handle)
		return err
	})
	if err != nil || c == nil {
		return DirectoryMatch{}, false
	}
	m := DirectoryMatch{ContactID: c.ID, CompanyID: c.CompanyID}
	if deal := d.openDeal(ctx, c.ID); deal != nil {
		m.DealID = deal.ID
		if m.CompanyID == "" {
			m.CompanyID = deal.CompanyID
		}
	}
	return m, true
}

// WatchList reads the watch list from the settings.
func (d *StoreDirectory) WatchList(ctx context.Context) (WatchList, error) {
	var w WatchList
	err := d.store.View(ctx, func(tx Tx) error {
		st, err := tx.Settings()
		if err != nil {
			return err
		}
		w = WatchList{Competitors: append([]string(nil), st.Competitors...), Product: st.ProductName,
			Keywords: append([]string(nil), st.ProductKeywords...)}
		return nil
	})
	return w, WrapError("watch list", err)
}
