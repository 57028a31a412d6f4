package hubspot

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/hubspot/hubspottest"
)

// TestClient_MergeContacts_AlreadyMerged: merging a contact HubSpot has
// already merged away answers 409; the client reads the record the old id
// now resolves to and, when it is the survivor the caller wanted, reports
// it as the merge's result (a retry after a lost answer, a merge done by
// hand in HubSpot) instead of failing.
func TestClient_MergeContacts_AlreadyMerged(t *testing.T) {
	t.Run("SamePair", func(t *testing.T) {
		f := newFixture(t, hubspottest.Options{})
		f.srv.Seed(dealSeed(t0))
		dup := f.srv.AddContact(hubspottest.Contact{Email: "dana.w@gmail.com", FirstName: "Dana"})
		first, err := f.client.MergeContacts(context.Background(), "101", dup)
		if err != nil {
			t.Fatal(err)
		}
		again, err := f.client.MergeContacts(context.Background(), "101", dup)
		if err != nil || again != first {
			t.Fatalf("merging again = %q, %v; want the survivor %q reconciled", again, err, first)
		}
		var conflicts int
		for _, r := range f.srv.Requests() {
			if r.Path == "/crm/v3/objects/contacts/merge" && r.Status == http.StatusConflict {
				conflicts++
			}
		}
		if conflicts != 1 {
			t.Errorf("409s from the merge endpoint = %d, want 1 (the fake answers an already-merged id with 409)", conflicts)
		}
		if n := countRequests(f.srv, "POST /crm/v3/objects/contacts/merge"); n != 2 {
			t.Errorf("merge requests = %d, want 2 (no blind retry)", n)
		}
	})
	t.Run("MergedElsewhere", func(t *testing.T) {
		// dup went into a third contact: merging it into 101 is a
		// conflict that names where it went.
		f := newFixture(t, hubspottest.Options{})
		f.srv.Seed(dealSeed(t0))
		dup := f.srv.AddContact(hubspottest.Contact{Email: "dana.w@gmail.com", FirstName: "Dana"})
		other := f.srv.AddContact(hubspottest.Contact{Email: "someone@else.io", FirstName: "Sam"})
		into, err := f.client.MergeContacts(context.Background(), other, dup)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.client.MergeContacts(context.Background(), "101", dup)
		if backend.ErrorCode(err) != backend.ECONFLICT || !strings.Contains(backend.ErrorMessage(err), "already merged into contact "+into) {
			t.Fatalf("merging a contact merged elsewhere = %v (%s), want conflict naming %s", err, backend.ErrorCode(err), into)
		}
	})
	t.Run("UnknownID", func(t *testing.T) {
		f := newFixture(t, hubspottest.Options{})
		f.srv.Seed(dealSeed(t0))
		if _, err := f.client.MergeContacts(context.Background(), "999999", "101"); backend.ErrorCode(err) != backend.ENOTFOUND {
			t.Fatalf("merge of an unknown primary = %v, want not_found", err)
		}
	})
}
