package backend_test

import (
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

func TestQueue_RecordUpdated(t *testing.T) {
	lost := func(f *queueFixture) *backend.Move {
		f.ingest(t, &backend.Signal{Source: backend.SourceHubSpot, Type: backend.SignalDealStageChanged, OccurredAt: testNow.Add(-time.Hour), DedupeKey: "h1",
			ContactID: "c1", Contact: &backend.Contact{ID: "c1", Email: "li@acme.io", CompanyID: "acme"},
			Company: &backend.Company{ID: "acme", Name: "Acme", Industry: "Retail", Employees: 20},
			Deal:    &backend.Deal{ID: "d1", Name: "Acme", Stage: "closedlost", Amount: 10000, CompanyID: "acme", LastActivityAt: testNow.Add(-time.Hour)}})
		return f.today(t, nil).Moves[0]
	}
	t.Run("AmountReScoresTheOpenMove", func(t *testing.T) {
		f := newQueue(t)
		before := lost(f)
		rep := f.ingest(t, &backend.Signal{Source: backend.SourceHubSpot, Type: backend.SignalRecordUpdated, OccurredAt: testNow, DedupeKey: "hubspot:record.updated:deal:d1:1",
			Deal: &backend.Deal{ID: "d1", Name: "Acme", Stage: "closedlost", Amount: 250000}})
		if len(rep.Created) != 0 || len(rep.Updated) != 1 || rep.Updated[0] != before.ID {
			t.Fatalf("Ingest = created %v updated %v, want move %d updated", rep.Created, rep.Updated, before.ID)
		}
		after := f.today(t, nil).Moves[0]
		if after.ID != before.ID || after.Score.Revenue.Value <= before.Score.Revenue.Value || after.Score.APS <= before.Score.APS {
			t.Errorf("revenue %v → %v, APS %v → %v; want both to rise", before.Score.Revenue.Value, after.Score.Revenue.Value, before.Score.APS, after.Score.APS)
		}
		if !strings.Contains(strings.Join(after.Reasons, "|"), "$250k") {
			t.Errorf("reasons = %q, want the new amount", after.Reasons)
		}
	})
	t.Run("CompanyICPFieldsReScore", func(t *testing.T) {
		f := newQueue(t)
		before := lost(f)
		f.ingest(t, &backend.Signal{Source: backend.SourceHubSpot, Type: backend.SignalRecordUpdated, OccurredAt: testNow, DedupeKey: "hubspot:record.updated:company:acme:1",
			Company: &backend.Company{ID: "acme", Name: "Acme", Industry: "SaaS", Employees: 300}})
		after := f.today(t, nil).Moves[0]
		if after.Score.Strategic.Value <= before.Score.Strategic.Value {
			t.Errorf("strategic %v → %v, want it to rise with an ICP-fit company", before.Score.Strategic.Value, after.Score.Strategic.Value)
		}
	})
	t.Run("NotActivity", func(t *testing.T) {
		f := newQueue(t)
		lost(f)
		f.ingest(t, &backend.Signal{Source: backend.SourceHubSpot, Type: backend.SignalRecordUpdated, OccurredAt: testNow, DedupeKey: "hubspot:record.updated:deal:d1:1",
			Deal: &backend.Deal{ID: "d1", Amount: 20000}})
		var d *backend.Deal
		if err := f.db.View(f.ctx, func(tx backend.Tx) (err error) { d, err = tx.FindDeal("d1"); return err }); err != nil {
			t.Fatal(err)
		}
		if !d.LastActivityAt.Equal(testNow.Add(-time.Hour)) || d.Amount != 20000 {
			t.Errorf("deal = last activity %v, amount %v; want the edit mirrored without counting as activity", d.LastActivityAt, d.Amount)
		}
	})
	t.Run("ReplayIsANoOp", func(t *testing.T) {
		f := newQueue(t)
		lost(f)
		s := func() *backend.Signal {
			return &backend.Signal{Source: backend.SourceHubSpot, Type: backend.SignalRecordUpdated, OccurredAt: testNow, DedupeKey: "hubspot:record.updated:deal:d1:1",
				Deal: &backend.Deal{ID: "d1", Amount: 90000}}
		}
		f.ingest(t, s())
		if rep := f.ingest(t, s()); rep.Duplicates != 1 || len(rep.Updated) != 0 {
			t.Errorf("replay = %+v, want one duplicate and nothing updated", rep)
		}
	})
	t.Run("ErrNoRecord", func(t *testing.T) {
		f := newQueue(t)
		rep := f.ingest(t, &backend.Signal{Source: backend.SourceHubSpot, Type: backend.SignalRecordUpdated, OccurredAt: testNow, DedupeKey: "x"})
		if len(rep.Invalid) != 1 || backend.ErrorCode(rep.Invalid[0].Err) != backend.EINVALID {
			t.Errorf("Invalid = %+v, want one invalid signal", rep.Invalid)
		}
	})
}

func TestQueue_ContactCreated(t *testing.T) {
	f := newQueue(t)
	rep := f.ingest(t, &backend.Signal{Source: backend.SourceHubSpot, Type: backend.SignalContactCreated, OccurredAt: testNow.Add(-time.Hour), DedupeKey: "hubspot:contact.created:c9",
		ContactID: "c9", Contact: &backend.Contact{ID: "c9", Email: "new@acme.io", Name: "New Person", CompanyID: "acme"},
		Company: &backend.Company{ID: "acme", Name: "Acme"}})
	if rep.Stored != 1 || len(rep.Created) != 0 {
		t.Fatalf("Ingest = %+v, want the signal stored and no move", rep)
	}
	var c *backend.Contact
	if err := f.db.View(f.ctx, func(tx backend.Tx) (err error) { c, err = tx.FindContact("c9"); return err }); err != nil {
		t.Fatal(err)
	}
	if c.Email != "new@acme.io" || !c.LastActivityAt.IsZero() {
		t.Errorf("contact = %+v, want it mirrored with no activity", c)
	}
	if rep := f.ingest(t, &backend.Signal{Source: backend.SourceHubSpot, Type: backend.SignalContactCreated, OccurredAt: testNow, DedupeKey: "y"}); len(rep.Invalid) != 1 {
		t.Errorf("a contact.created without a contact was accepted")
	}
}
