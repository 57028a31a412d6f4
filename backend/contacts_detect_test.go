package backend_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// mergeCRM merges contacts and remembers the merges it was asked for.
type mergeCRM struct{ merged [][2]string }

func (c *mergeCRM) CreateTask(context.Context, backend.NewTask) (string, error) { return "t1", nil }
func (c *mergeCRM) DeleteTask(context.Context, string) error                    { return nil }
func (c *mergeCRM) UpdateDealStage(context.Context, string, string) error       { return nil }
func (c *mergeCRM) MergeContacts(_ context.Context, primary, merge string) (string, error) {
	c.merged = append(c.merged, [2]string{primary, merge})
	return primary, nil
}

// hubspotContact is a sync's snapshot of a HubSpot contact.
func hubspotContact(id, email, name, phone string) *backend.Signal {
	return &backend.Signal{Source: backend.SourceHubSpot, Type: backend.SignalContactCreated, OccurredAt: testNow.Add(-24 * time.Hour),
		DedupeKey: "hubspot:contact:" + id, Contact: &backend.Contact{ID: id, Email: email, Name: name, Phone: phone}}
}

func mergeMoves(tb testing.TB, f *queueFixture) []*backend.Move {
	tb.Helper()
	var out []*backend.Move
	for _, m := range f.today(tb, nil).Moves {
		if m.Kind == backend.KindMergeContacts {
			out = append(out, m)
		}
	}
	return out
}

func TestContactService_Detect(t *testing.T) {
	const export = "First Name,Last Name,Email,Phone Number\n" +
		"Bob,Miller,bob.miller@gmail.com,(415) 555-0100\n" + // Robert Miller in HubSpot
		"John,Stone,john.stone@acme.example,\n" + // John Smith's colleague: never proposed
		"Priya,Patel,priya@initech.example,\n"
	setup := func(t *testing.T) (*queueFixture, *mergeCRM) {
		f := newQueue(t)
		crm := &mergeCRM{}
		f.q = backend.NewServices(f.db, f.clock, nil, backend.LocalExecutor{}, backend.MergeAction{CRM: crm})
		f.q.WatchDuplicates()
		st, err := f.q.Settings.Get(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		st.UndoWindow = 0
		if err := f.q.Settings.Save(f.ctx, st, backend.ActorCLI); err != nil {
			t.Fatal(err)
		}
		f.ingest(t, hubspotContact("701", "rmiller@acme.example", "Robert Miller", "+1 415 555 0100"),
			hubspotContact("702", "john.smith@acme.example", "John Smith", ""))
		return f, crm
	}
	t.Run("ImportProposesMerge", func(t *testing.T) {
		f, _ := setup(t)
		rep, err := f.q.Contacts.Import(f.ctx, strings.NewReader(export), backend.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ms := mergeMoves(t, f)
		if rep.Duplicates.Pairs != 1 || len(ms) != 1 {
			t.Fatalf("Import found %d pairs, %d merge moves, want 1 and 1", rep.Duplicates.Pairs, len(ms))
		}
		m := ms[0]
		// The HubSpot record survives the local-only one.
		if ids := m.Draft.MergeIDs; len(ids) != 2 || ids[0] != "701" || ids[1] != "bob.miller@gmail.com" {
			t.Errorf("MergeIDs = %v, want [701 bob.miller@gmail.com]", ids)
		}
		why := strings.Join(m.Reasons, " | ")
		for _, want := range []string{"same phone +14155550100", "'robert miller' ~ 'bob miller' (nickname)", "the HubSpot record"} {
			if !strings.Contains(why, want) {
				t.Errorf("reasons %q do not say %q", why, want)
			}
		}
		// Detecting again (a second import, a sync of the same contact)
		// proposes nothing new.
		again, err := f.q.Contacts.Detect(f.ctx, []string{"701", "bob.miller@gmail.com"})
		if err != nil || len(mergeMoves(t, f)) != 1 {
			t.Errorf("Detect again = %+v, %v; %d merge moves, want still 1", again, err, len(mergeMoves(t, f)))
		}
	})
	t.Run("AddressStandInIsNotADuplicate", func(t *testing.T) {
		// An email from an address makes a record keyed by the address;
		// HubSpot's record of the same person has the same address. They
		// are one person already joined by the address, not duplicates to
		// merge (a merge move would fail in HubSpot: "not found").
		f, _ := setup(t)
		f.ingest(t, hubspotContact("704", "dana@northwind.example", "Dana Whitfield", ""),
			&backend.Signal{Source: backend.SourceGmail, Type: backend.SignalEmailReceived, OccurredAt: testNow.Add(-time.Hour),
				DedupeKey: "gmail:dana-1", Contact: &backend.Contact{ID: "dana@northwind.example", Email: "dana@northwind.example", Name: "Dana Whitfield"},
				Email: &backend.EmailMessage{ThreadID: "t-dana", From: "dana@northwind.example", FromName: "Dana Whitfield", Subject: "Pricing"}})
		if _, err := f.q.Contacts.Detect(f.ctx, []string{"704", "dana@northwind.example"}); err != nil {
			t.Fatal(err)
		}
		for _, m := range mergeMoves(t, f) {
			if strings.Contains(strings.Join(m.Draft.MergeIDs, ","), "dana@northwind.example") {
				t.Errorf("merge move %q proposed for HubSpot's Dana and the record her address made: %v", m.Title, m.Draft.MergeIDs)
			}
		}
	})
	t.Run("SyncedContactProposesMerge", func(t *testing.T) {
		f, _ := setup(t)
		if _, err := f.q.Contacts.Import(f.ctx, strings.NewReader(export), backend.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		// A later sync brings Priya from HubSpot: the ingest itself finds her.
		f.ingest(t, hubspotContact("703", "priya.patel@initech.example", "Priya Patel", ""))
		var found bool
		for _, m := range mergeMoves(t, f) {
			found = found || strings.Join(m.Draft.MergeIDs, ",") == "703,priya@initech.example"
		}
		if !found {
			t.Errorf("no merge proposed for the synced Priya Patel and the imported one")
		}
	})
	t.Run("NotADuplicateRemembered", func(t *testing.T) {
		f, _ := setup(t)
		if _, err := f.q.Contacts.Import(f.ctx, strings.NewReader(export), backend.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		m := mergeMoves(t, f)[0]
		if _, err := f.q.Moves.Skip(f.ctx, m.ID, backend.SkipNotDuplicate, backend.ActorKey); err != nil {
			t.Fatal(err)
		}
		f.view(t, func(tx backend.Tx) error {
			p, err := tx.ContactPair("701", "bob.miller@gmail.com")
			if err != nil || p.Verdict != backend.PairDistinct || p.MoveID != m.ID || p.Actor != backend.ActorKey {
				t.Errorf("ContactPair = %+v, %v, want distinct from move %d", p, err, m.ID)
			}
			return nil
		})
		list, _, err := f.q.Contacts.Duplicates(f.ctx, 0.01, true)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range list {
			if p.Keep.ID == "701" && p.Merge.ID == "bob.miller@gmail.com" {
				t.Errorf("Duplicates lists a pair said not to be duplicates: %+v", p)
			}
		}
		if n := len(mergeMoves(t, f)); n != 0 {
			t.Errorf("%d merge moves after 'not a duplicate', want 0", n)
		}
		// Restoring the move takes the verdict back.
		if _, err := f.q.Moves.Restore(f.ctx, m.ID, backend.ActorKey); err != nil {
			t.Fatal(err)
		}
		f.view(t, func(tx backend.Tx) error {
			if _, err := tx.ContactPair("701", "bob.miller@gmail.com"); backend.ErrorCode(err) != backend.ENOTFOUND {
				t.Errorf("ContactPair after restore: %v, want not_found", err)
			}
			return nil
		})
	})
	t.Run("MergedNeverProposedAgain", func(t *testing.T) {
		f, crm := setup(t)
		if _, err := f.q.Contacts.Import(f.ctx, strings.NewReader(export), backend.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		m := mergeMoves(t, f)[0]
		done, _, err := f.q.Executions.Execute(f.ctx, m.ID, backend.ExecuteOptions{Actor: backend.ActorKey})
		// The imported contact is not in HubSpot: it merges here, and
		// HubSpot is not asked.
		if err != nil || done.Status != backend.StatusDone || len(crm.merged) != 0 {
			t.Fatalf("Execute = %v, %v; HubSpot merges %v, want none", done, err, crm.merged)
		}
		list, rep, err := f.q.Contacts.Duplicates(f.ctx, 0, true)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 0 || len(rep.Moves) != 0 || len(mergeMoves(t, f)) != 0 {
			t.Errorf("after the merge: %d pairs listed, %d moves proposed, want none", len(list), len(rep.Moves))
		}
	})
	t.Run("ColleaguesNeverProposed", func(t *testing.T) {
		f, _ := setup(t)
		if _, err := f.q.Contacts.Import(f.ctx, strings.NewReader(export), backend.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		list, _, err := f.q.Contacts.Duplicates(f.ctx, 0.01, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range list {
			if strings.Contains(p.Keep.Name+p.Merge.Name, "John") {
				t.Errorf("Duplicates pairs John Smith and John Stone: %+v", p)
			}
		}
	})
}
