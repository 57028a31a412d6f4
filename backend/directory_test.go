package backend_test

import (
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

func TestStoreDirectory_LookupEmail(t *testing.T) {
	f := newQueue(t)
	stage := func(key, deal, stageID string, at time.Time) *backend.Signal {
		return &backend.Signal{Source: backend.SourceHubSpot, Type: backend.SignalDealStageChanged, OccurredAt: at, DedupeKey: key,
			ContactID: "1001", Contact: &backend.Contact{ID: "1001", Email: "dana@northwind.io", Name: "Dana Whitfield", CompanyID: "co-northwind"},
			Company: &backend.Company{ID: "co-northwind", Name: "Northwind"},
			Deal:    &backend.Deal{ID: deal, Name: deal, Stage: stageID, CompanyID: "co-northwind", ContactIDs: []string{"1001"}, LastActivityAt: at}}
	}
	f.ingest(t,
		stage("h1", "9001", "qualifiedtobuy", testNow.Add(-48*time.Hour)),
		stage("h2", "9000", "closedwon", testNow.Add(-time.Hour)), // newer, but closed
	)
	dir := backend.NewDirectory(f.db, f.clock)

	t.Run("OK", func(t *testing.T) {
		m, ok := dir.LookupEmail(f.ctx, " Dana@Northwind.IO ")
		want := backend.DirectoryMatch{ContactID: "1001", CompanyID: "co-northwind", DealID: "9001"}
		if !ok || m != want {
			t.Errorf("LookupEmail = %+v, %v; want %+v, true", m, ok, want)
		}
	})
	t.Run("Unknown", func(t *testing.T) {
		if m, ok := dir.LookupEmail(f.ctx, "stranger@example.com"); ok {
			t.Errorf("LookupEmail(stranger) = %+v, true; want unknown", m)
		}
		if _, ok := dir.LookupEmail(f.ctx, ""); ok {
			t.Error("LookupEmail(\"\") = true")
		}
	})
	t.Run("NewDealSeenAfterTTL", func(t *testing.T) {
		f.ingest(t, stage("h3", "9002", "presentationscheduled", testNow.Add(-time.Minute)))
		if m, _ := dir.LookupEmail(f.ctx, "dana@northwind.io"); m.DealID != "9001" {
			t.Errorf("DealID within the TTL = %q, want the cached 9001", m.DealID)
		}
		f.clock.Advance(backend.DealMapTTL)
		if m, _ := dir.LookupEmail(f.ctx, "dana@northwind.io"); m.DealID != "9002" {
			t.Errorf("DealID after the TTL = %q, want the most recently active open deal 9002", m.DealID)
		}
	})
}
