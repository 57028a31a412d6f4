package hubspot

import (
	"context"
	"testing"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/hubspot/hubspottest"
)

// TestClient_GDPRDeleteContact deletes by address (any case) for good —
// the fake keeps nothing, not even an archived copy — and maps HubSpot's
// answers: 404 for an address it does not have, a rate limit, an
// unusable address never sent.
func TestClient_GDPRDeleteContact(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, hubspottest.Options{})
	f.srv.Seed(dealSeed(t0))
	keep := f.srv.AddContact(hubspottest.Contact{Email: "maya@acme.example", FirstName: "Maya"})
	if err := f.client.GDPRDeleteContact(ctx, "dana@NORTHWIND.io"); err != nil {
		t.Fatal(err)
	}
	if f.srv.Kept("101") {
		t.Error("after a GDPR delete the fake still keeps contact 101")
	}
	if _, ok := f.srv.Object("contacts", keep); !ok {
		t.Error("a GDPR delete took another contact")
	}
	if err := f.client.GDPRDeleteContact(ctx, "dana@northwind.io"); backend.ErrorCode(err) != backend.ENOTFOUND {
		t.Errorf("second delete = %v, want not_found", err)
	}
	n := countRequests(f.srv, "/crm/v3/objects/contacts/gdpr-delete")
	if err := f.client.GDPRDeleteContact(ctx, "not an address\r\n"); backend.ErrorCode(err) != backend.EINVALID {
		t.Errorf("bad address = %v, want invalid", err)
	}
	if countRequests(f.srv, "/crm/v3/objects/contacts/gdpr-delete") != n {
		t.Error("an unusable address was sent to HubSpot")
	}
	f.srv.InjectRateLimit(hubspottest.RateLimitFault{Path: "/crm/v3/objects/contacts/gdpr-delete", RetryAfter: "1"})
	if err := f.client.GDPRDeleteContact(ctx, "maya@acme.example"); backend.ErrorCode(err) != backend.EUNAVAILABLE {
		t.Errorf("rate limited delete = %v, want unavailable", err)
	}
}
