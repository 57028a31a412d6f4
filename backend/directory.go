package backend

import (
	"context"
	"strings"
	"sync"
	"time"
)

// Directory answers who an email address belongs to in the local copy of
// the CRM, so that a connector reading mail or calendars can tie a sender
// or a guest to the contact, company and open deal the CRM knows — the same
// records the scorer reads. Connectors get one from the app; they never
// open the store themselves.
type Directory interface {
	LookupEmail(ctx context.Context, email string) (DirectoryMatch, bool)
}

// DirectoryMatch is what the CRM knows about an address. DealID is the
// contact's most recently active open deal, "" when there is none.
type DirectoryMatch struct {
	ContactID string
	CompanyID string
	DealID    string
}

// StaticDirectory is a fixed Directory keyed by lowercase address: for
// tests, and for connectors run without a store.
type StaticDirectory map[string]DirectoryMatch

// LookupEmail returns the address's entry.
func (d StaticDirectory) LookupEmail(_ context.Context, email string) (DirectoryMatch, bool) {
	m, ok := d[strings.ToLower(strings.TrimSpace(email))]
	return m, ok
}

// StoreDirectory is the Directory over the store. Contacts are looked up by
// their email index on every call; which deal a contact is on comes from a
// map of open deals built in one read and kept for DealMapTTL, because a
// sync pass asks about hundreds of addresses and deals change slowly.
type StoreDirectory struct {
	store Store
	clock Clock

	mu      sync.Mutex
	builtAt time.Time
	dealOf  map[string]*Deal // contact id → most recently active open deal
}

// DealMapTTL is how long StoreDirectory trusts its map of open deals.
const DealMapTTL = time.Minute

// NewDirectory returns a Directory over store.
func NewDirectory(store Store, clock Clock) *StoreDirectory {
	if clock == nil {
		clock = SystemClock{}
	}
	return &StoreDirectory{store: store, clock: clock}
}

var _ Directory = (*StoreDirectory)(nil)

// LookupEmail returns the contact with address email and its company and
// open deal. A failure to read the store reads as unknown: a sender that
// cannot be matched now is matched by the recommenders' own lookups later.
func (d *StoreDirectory) LookupEmail(ctx context.Context, email string) (DirectoryMatch, bool) {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return DirectoryMatch{}, false
	}
	var c *Contact
	err := d.store.View(ctx, func(tx Tx) error {
		var err error
		c, err = tx.ContactByEmail(email)
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

func (d *StoreDirectory) openDeal(ctx context.Context, contactID string) *Deal {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.clock.Now()
	if d.dealOf == nil || now.Sub(d.builtAt) >= DealMapTTL || now.Before(d.builtAt) {
		if m, err := d.buildDealMap(ctx); err == nil {
			d.dealOf, d.builtAt = m, now
		}
	}
	return d.dealOf[contactID]
}

func (d *StoreDirectory) buildDealMap(ctx context.Context) (map[string]*Deal, error) {
	out := map[string]*Deal{}
	err := d.store.View(ctx, func(tx Tx) error {
		st, err := tx.Settings()
		if err != nil {
			return err
		}
		closed := append(append([]string{}, st.WonStages...), st.LostStages...)
		deals, err := tx.FindDeals(DealFilter{ExcludeStages: closed})
		if err != nil {
			return err
		}
		for _, deal := range deals {
			for _, id := range deal.ContactIDs {
				if cur := out[id]; cur == nil || deal.LastActivityAt.After(cur.LastActivityAt) {
					out[id] = deal
				}
			}
		}
		return nil
	})
	return out, err
}
