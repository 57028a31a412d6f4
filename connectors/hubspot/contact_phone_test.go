package hubspot

import (
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/backend/dedupe"
	"github.com/caseyos/caseyos/connectors/hubspot/hubspottest"
)

// TestPoll_ContactPhoneOwnerCreated: a synced contact carries its phone
// (HubSpot's phone, else mobilephone) as HubSpot holds it, free text
// included, for dedupe to read in E.164; its owner id and its create
// date come along, and the sync asks for those properties.
func TestPoll_ContactPhoneOwnerCreated(t *testing.T) {
	f := newFixture(t, hubspottest.Options{})
	created := t0.Add(-400 * 24 * time.Hour)
	f.srv.Seed(hubspottest.Seed{Contacts: []hubspottest.Contact{
		{ID: "201", Email: "ana@acme.test", FirstName: "Ana", LastName: "Ruiz", JobTitle: "CFO", CreatedAt: created,
			Props: map[string]string{"phone": "(415) 555-0100", "mobilephone": "+1 415 555 0199", "hubspot_owner_id": "8812"}},
		{ID: "202", Email: "ben@acme.test", FirstName: "Ben", LastName: "Ode", CreatedAt: created.Add(time.Hour),
			Props: map[string]string{"mobilephone": "+44 20 7946 0958"}},
		{ID: "203", Email: "cy@acme.test", FirstName: "Cy", LastName: "Lo", CreatedAt: created.Add(2 * time.Hour),
			Props: map[string]string{"phone": "ask reception", "mobilephone": ""}},
		{ID: "204", Email: "di@acme.test", FirstName: "Di", LastName: "Wu", CreatedAt: created.Add(3 * time.Hour)},
	}})
	sigs, _ := f.pollAll(t, "")
	got := map[string]*backend.Contact{}
	for _, s := range ofType(sigs, SignalContactCreated) {
		got[s.Contact.ID] = s.Contact
	}
	want := []struct{ id, phone, e164, owner string }{
		{"201", "(415) 555-0100", "+14155550100", "8812"}, // phone wins over mobilephone
		{"202", "+44 20 7946 0958", "+442079460958", ""},  // mobilephone when phone is absent
		{"203", "ask reception", "", ""},                  // free text kept, read as no number
		{"204", "", "", ""},
	}
	for i, w := range want {
		c := got[w.id]
		if c == nil {
			t.Fatalf("no contact.created for %s: %v", w.id, got)
		}
		if c.Phone != w.phone || c.Owner != w.owner || dedupe.Phone(c.Phone, "US") != w.e164 {
			t.Errorf("contact %s: phone %q (E.164 %q), owner %q; want %q (%q), %q", w.id, c.Phone, dedupe.Phone(c.Phone, "US"), c.Owner, w.phone, w.e164, w.owner)
		}
		if wantAt := created.Add(time.Duration(i) * time.Hour); !c.CreatedAt.Equal(wantAt) {
			t.Errorf("contact %s: created %v, want %v", w.id, c.CreatedAt, wantAt)
		}
		if c.LocalOnly() {
			t.Errorf("contact %s from HubSpot is local-only", w.id)
		}
	}
	for _, r := range f.srv.Requests() {
		if r.Path == "/crm/v3/objects/contacts" {
			props := "," + r.Query.Get("properties") + ","
			for _, p := range []string{"phone", "mobilephone", "hubspot_owner_id", "createdate", "jobtitle"} {
				if !strings.Contains(props, ","+p+",") {
					t.Errorf("the contacts list asks for %s without %s", props, p)
				}
			}
		}
	}
}
