package backend_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// newIDCRM merges as HubSpot does: the merged record gets a new id.
type newIDCRM struct {
	mergeCRM
	id string
}

func (c *newIDCRM) MergeContacts(ctx context.Context, primary, merge string) (string, error) {
	c.mergeCRM.MergeContacts(ctx, primary, merge)
	return c.id, nil
}

// mergeFixture holds two HubSpot contacts, Dana twice, a deal and a move
// about the duplicate, and a merge move of the two; no undo window.
func mergeFixture(t *testing.T, crm backend.CRM, a, b *backend.Contact) (*queueFixture, *backend.Move) {
	t.Helper()
	f := newQueue(t)
	f.q = backend.NewServices(f.db, f.clock, nil, backend.NewActions(backend.Capabilities{CRM: crm})...)
	st, err := f.q.Settings.Get(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.UndoWindow = 0
	if err := f.q.Settings.Save(f.ctx, st, backend.ActorCLI); err != nil {
		t.Fatal(err)
	}
	if err := f.db.Update(f.ctx, func(tx backend.Tx) error {
		for _, c := range []*backend.Contact{a, b} {
			if err := tx.PutContact(c); err != nil {
				return err
			}
		}
		if err := tx.PutDeal(&backend.Deal{ID: "9001", Name: "Northwind", Stage: "qualifiedtobuy", ContactIDs: []string{b.ID, "1003"}}); err != nil {
			return err
		}
		follow := &backend.Move{Kind: backend.KindSendEmail, Domain: backend.DomainSales, Status: backend.StatusPending, Title: "Follow up with Dana",
			Subject: backend.Subject{Type: backend.SubjectContact, ID: b.ID}, ContactID: b.ID, CreatedAt: testNow, UpdatedAt: testNow,
			Draft: backend.Draft{To: []string{b.Email}, Subject: "Hi", Body: "Hello"}}
		return tx.CreateMove(follow)
	}); err != nil {
		t.Fatal(err)
	}
	var m *backend.Move
	if err := f.db.Update(f.ctx, func(tx backend.Tx) error {
		m = &backend.Move{Kind: backend.KindMergeContacts, Domain: backend.DomainMarketing, Status: backend.StatusPending, Title: "Merge Dana",
			Subject: backend.Subject{Type: backend.SubjectContact, ID: a.ID}, ContactID: a.ID, CreatedAt: testNow, UpdatedAt: testNow,
			Draft: backend.Draft{MergeIDs: []string{a.ID, b.ID}}}
		return tx.CreateMove(m)
	}); err != nil {
		t.Fatal(err)
	}
	return f, m
}

// TestExecute_MergeFollowsSurvivor: a merge HubSpot answers with a new id
// leaves that id everywhere in one transaction: the survivor holds the
// primary's values and fills its blanks from the other, the deal and the
// move about the duplicate name it, both old ids and the duplicate's
// address find it, and a later signal naming an old id lands on it
// instead of bringing the merged record back.
func TestExecute_MergeFollowsSurvivor(t *testing.T) {
	dana := &backend.Contact{ID: "1001", Email: "dana@northwind.io", Name: "Dana Whitfield", Title: "VP Engineering", CreatedAt: testNow.Add(-90 * 24 * time.Hour)}
	dup := &backend.Contact{ID: "1012", Email: "dana.w@gmail.com", Name: "Dana W.", Phone: "+1 415 555 0100", CreatedAt: testNow.Add(-300 * 24 * time.Hour)}
	crm := &newIDCRM{id: "2001"}
	f, m := mergeFixture(t, crm, dana, dup)

	pv, err := f.q.Executions.Preview(f.ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	effects := strings.Join(pv.Plan.Effects, " | ")
	for _, want := range []string{"Merge Dana W. <dana.w@gmail.com> into Dana Whitfield <dana@northwind.io> (cannot be undone)",
		"Keeps Dana Whitfield <dana@northwind.io>'s email, name", "Takes phone from Dana W. <dana.w@gmail.com>"} {
		if !strings.Contains(effects, want) {
			t.Errorf("preview %q does not say %q", effects, want)
		}
	}
	done, _, err := f.q.Executions.Execute(f.ctx, m.ID, backend.ExecuteOptions{Actor: backend.ActorKey})
	if err != nil || done.Status != backend.StatusDone {
		t.Fatalf("Execute = %+v, %v", done, err)
	}
	if len(crm.merged) != 1 || crm.merged[0] != [2]string{"1001", "1012"} {
		t.Fatalf("HubSpot merges = %v, want 1012 into 1001", crm.merged)
	}
	f.view(t, func(tx backend.Tx) error {
		c, err := tx.FindContact("2001")
		if err != nil || c.Email != "dana@northwind.io" || c.Title != "VP Engineering" || c.Phone != "+1 415 555 0100" || !c.CreatedAt.Equal(dup.CreatedAt) {
			t.Errorf("survivor = %+v, %v; want Dana's values, the duplicate's phone and its earlier creation", c, err)
		}
		for _, id := range []string{"1001", "1012"} {
			if c, err := tx.FindContact(id); err != nil || c.ID != "2001" {
				t.Errorf("FindContact(%s) = %+v, %v; want the survivor 2001", id, c, err)
			}
			if to, err := tx.ContactAlias(id); err != nil || to != "2001" {
				t.Errorf("ContactAlias(%s) = %q, %v", id, to, err)
			}
		}
		if c, err := tx.ContactByEmail("dana.w@gmail.com"); err != nil || c.ID != "2001" {
			t.Errorf("ContactByEmail(the duplicate's address) = %+v, %v; want 2001", c, err)
		}
		if d, err := tx.FindDeal("9001"); err != nil || strings.Join(d.ContactIDs, ",") != "2001,1003" {
			t.Errorf("deal contacts = %+v, %v; want [2001 1003]", d, err)
		}
		moves, _, err := tx.FindMoves(backend.MoveFilter{})
		if err != nil {
			return err
		}
		for _, mv := range moves {
			if mv.Kind == backend.KindSendEmail && (mv.ContactID != "2001" || mv.Subject.ID != "2001") {
				t.Errorf("move %q is about %s / %s, want the survivor 2001", mv.Title, mv.ContactID, mv.Subject.ID)
			}
		}
		return nil
	})
	// A later signal naming the merged-away id lands on the survivor.
	f.ingest(t, &backend.Signal{Source: backend.SourceHubSpot, Type: backend.SignalRecordUpdated, OccurredAt: testNow,
		DedupeKey: "hubspot:record.updated:contact:1012:1", ContactID: "1012",
		Contact: &backend.Contact{ID: "1012", Email: "dana.w@gmail.com", Name: "Dana W.", Title: "CTO"}})
	f.view(t, func(tx backend.Tx) error {
		if to, err := tx.ContactAlias("1012"); err != nil || to != "2001" {
			t.Errorf("after a signal naming 1012: alias %q, %v; want still 2001 (the merged record not brought back)", to, err)
		}
		sigs, _, err := tx.FindSignals(backend.SignalFilter{Limit: 1})
		if err != nil || len(sigs) != 1 || sigs[0].ContactID != "2001" {
			t.Errorf("the signal is about %v, want 2001", sigs)
		}
		return nil
	})
}

// TestExecute_MergeLocalOnly: an imported contact, which HubSpot does not
// have, merges into the HubSpot record here — nothing is sent, and no
// HubSpot account is needed — and the preview says so.
func TestExecute_MergeLocalOnly(t *testing.T) {
	hub := &backend.Contact{ID: "701", Email: "rmiller@acme.example", Name: "Robert Miller"}
	imp := &backend.Contact{ID: "bob.miller@gmail.com", Email: "bob.miller@gmail.com", Name: "Bob Miller", Phone: "+14155550100", Source: backend.ContactSourceImport}
	// The move names the imported one first: the HubSpot record survives all the same.
	f, m := mergeFixture(t, nil, imp, hub)
	pv, err := f.q.Executions.Preview(f.ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(pv.Plan.Effects, " | "), "Merge Bob Miller <bob.miller@gmail.com> into Robert Miller <rmiller@acme.example> in this workspace") {
		t.Errorf("preview = %q, want the imported contact merged into the HubSpot one here", pv.Plan.Effects)
	}
	done, _, err := f.q.Executions.Execute(f.ctx, m.ID, backend.ExecuteOptions{Actor: backend.ActorKey})
	if err != nil || done.Status != backend.StatusDone {
		t.Fatalf("Execute without HubSpot = %+v, %v; want done", done, err)
	}
	f.view(t, func(tx backend.Tx) error {
		c, err := tx.FindContact("bob.miller@gmail.com")
		if err != nil || c.ID != "701" || c.Phone != "+14155550100" || c.LocalOnly() {
			t.Errorf("the imported contact = %+v, %v; want found as HubSpot's 701 with its phone", c, err)
		}
		return nil
	})
}

// TestExecute_MergeNeedsHubSpot: two HubSpot contacts cannot be merged
// without the account; the error names the command.
func TestExecute_MergeNeedsHubSpot(t *testing.T) {
	f, m := mergeFixture(t, nil, &backend.Contact{ID: "1", Email: "a@x.io"}, &backend.Contact{ID: "2", Email: "b@x.io"})
	_, _, err := f.q.Executions.Execute(f.ctx, m.ID, backend.ExecuteOptions{Actor: backend.ActorKey})
	if backend.ErrorCode(err) != backend.EUNAVAILABLE || !strings.Contains(backend.ErrorMessage(err), "caseyos connect hubspot") {
		t.Fatalf("Execute = %v, want unavailable naming caseyos connect hubspot", err)
	}
}

// TestForget_MergedContact: forgetting the survivor of a merge forgets
// what was recorded under the ids merged into it, and the aliases.
func TestForget_MergedContact(t *testing.T) {
	dana := &backend.Contact{ID: "1001", Email: "dana@northwind.io", Name: "Dana Whitfield"}
	dup := &backend.Contact{ID: "1012", Email: "dana.w@gmail.com", Name: "Dana W."}
	f, m := mergeFixture(t, &newIDCRM{id: "2001"}, dana, dup)
	f.ingest(t, &backend.Signal{Source: backend.SourceHubSpot, Type: backend.SignalRecordUpdated, OccurredAt: testNow.Add(-time.Hour),
		DedupeKey: "hubspot:record.updated:contact:1012:0", ContactID: "1012", Contact: &backend.Contact{ID: "1012", Email: "dana.w@gmail.com", Name: "Dana W."}})
	if _, _, err := f.q.Executions.Execute(f.ctx, m.ID, backend.ExecuteOptions{Actor: backend.ActorKey}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.q.Privacy.Forget(f.ctx, "2001", backend.ActorCLI, nil); err != nil {
		t.Fatal(err)
	}
	f.view(t, func(tx backend.Tx) error {
		sigs, _, err := tx.FindSignals(backend.SignalFilter{Limit: 100})
		if err != nil {
			return err
		}
		for _, s := range sigs {
			if s.ContactID == "1012" || s.ContactID == "2001" {
				t.Errorf("signal %s about %s left after forgetting the survivor", s.DedupeKey, s.ContactID)
			}
		}
		for _, id := range []string{"1001", "1012", "2001"} {
			if _, err := tx.FindContact(id); backend.ErrorCode(err) != backend.ENOTFOUND {
				t.Errorf("FindContact(%s) after forget = %v, want not_found", id, err)
			}
		}
		return nil
	})
}
