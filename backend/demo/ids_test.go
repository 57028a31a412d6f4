package demo_test

import (
	"strings"
	"testing"

	"github.com/caseyos/caseyos/connectors/hubspot/hubspottest"
)

// identities maps each record id to who or what it names, per kind, and
// reports an id that names two different people, deals or companies.
type identities struct {
	tb    testing.TB
	names map[string]map[string]string // kind → id → identity
	where map[string]map[string]string // kind → id → where it was first seen
}

func (ids *identities) add(kind, id, identity, where string) {
	ids.tb.Helper()
	if id == "" || identity == "" {
		return
	}
	identity = strings.ToLower(strings.TrimSpace(identity))
	if ids.names[kind] == nil {
		ids.names[kind], ids.where[kind] = map[string]string{}, map[string]string{}
	}
	prev, ok := ids.names[kind][id]
	if !ok {
		ids.names[kind][id], ids.where[kind][id] = identity, where
		return
	}
	if prev != identity {
		ids.tb.Errorf("%s id %s names %q (%s) and %q (%s)", kind, id, prev, ids.where[kind][id], identity, where)
	}
}

// TestDemo_UniqueIDs: in the demo scenario and the HubSpot fake's demo seed
// together, no contact, deal or company id is used for two different
// records — a reused id makes the second record overwrite the first.
func TestDemo_UniqueIDs(t *testing.T) {
	ids := &identities{tb: t, names: map[string]map[string]string{}, where: map[string]map[string]string{}}
	for _, s := range mustSignals(t, demoNow) {
		where := "scenario " + s.DedupeKey
		if c := s.Contact; c != nil {
			ids.add("contact", c.ID, c.Email, where)
		}
		if d := s.Deal; d != nil {
			ids.add("deal", d.ID, d.Name, where)
		}
		if c := s.Company; c != nil {
			ids.add("company", c.ID, c.Domain, where)
		}
	}
	seed := hubspottest.DemoSeed(demoNow)
	for _, c := range seed.Contacts {
		ids.add("contact", c.ID, c.Email, "hubspot seed")
	}
	for _, d := range seed.Deals {
		ids.add("deal", d.ID, d.Name, "hubspot seed")
	}
	for _, c := range seed.Companies {
		ids.add("company", c.ID, c.Domain, "hubspot seed")
	}
	if len(ids.names["contact"]) < 10 || len(ids.names["deal"]) < 8 || len(ids.names["company"]) < 9 {
		t.Errorf("read %d contacts, %d deals, %d companies; want the whole demo", len(ids.names["contact"]), len(ids.names["deal"]), len(ids.names["company"]))
	}
}
