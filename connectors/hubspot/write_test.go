package hubspot

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/hubspot/hubspottest"
)

func TestClient_Tasks(t *testing.T) {
	f := newFixture(t, hubspottest.Options{})
	f.srv.Seed(dealSeed(t0))
	ctx := context.Background()
	due := t0.Add(24 * time.Hour)
	id, err := f.client.CreateTask(ctx, backend.NewTask{Subject: "Demo prep", Body: "agenda", Due: due, ContactID: "101", DealID: "301", Key: "exec-42"})
	if err != nil {
		t.Fatalf("CreateTask: %v", err)
	}
	rec, ok := f.srv.Object("tasks", id)
	if !ok {
		t.Fatalf("task %s not in the fake", id)
	}
	if rec.Props["hs_task_subject"] != "Demo prep" || rec.Props["hs_timestamp"] != strconv.FormatInt(due.UnixMilli(), 10) || rec.Props["caseyos_idempotency_key"] != "exec-42" {
		t.Fatalf("task props = %v", rec.Props)
	}
	if a := rec.Associations["contacts"]; len(a) != 1 || a[0].ID != "101" || a[0].TypeID != 204 {
		t.Fatalf("task → contact = %+v, want 101 with type 204", a)
	}
	if a := rec.Associations["deals"]; len(a) != 1 || a[0].ID != "301" || a[0].TypeID != 216 {
		t.Fatalf("task → deal = %+v, want 301 with type 216", a)
	}
	deal, _ := f.srv.Object("deals", "301")
	if a := deal.Associations["tasks"]; len(a) != 1 || a[0].ID != id {
		t.Fatalf("deal → tasks = %+v, want the task visible from the deal", a)
	}
	t.Run("FindTaskByKey", func(t *testing.T) {
		got, found, err := f.client.FindTaskByKey(ctx, "exec-42")
		if err != nil || !found || got != id {
			t.Fatalf("FindTaskByKey = %q %v %v, want %s", got, found, err, id)
		}
		if _, found, _ := f.client.FindTaskByKey(ctx, "exec-other"); found {
			t.Fatal("found a task for an unknown key")
		}
	})
	t.Run("Delete", func(t *testing.T) {
		if err := f.client.DeleteTask(ctx, id); err != nil {
			t.Fatal(err)
		}
		if _, ok := f.srv.Object("tasks", id); ok {
			t.Fatal("task still live after DeleteTask")
		}
		deal, _ := f.srv.Object("deals", "301")
		if len(deal.Associations["tasks"]) != 0 {
			t.Fatal("deleted task still associated with the deal")
		}
	})
	t.Run("ErrUnknownContact", func(t *testing.T) {
		_, err := f.client.CreateTask(ctx, backend.NewTask{Subject: "x", ContactID: "999"})
		if backend.ErrorCode(err) != backend.EINVALID {
			t.Fatalf("code = %s, want invalid", backend.ErrorCode(err))
		}
	})
}

func TestClient_UpdateDealStage(t *testing.T) {
	f := newFixture(t, hubspottest.Options{})
	f.srv.Seed(dealSeed(t0))
	ctx := context.Background()
	if err := f.client.UpdateDealStage(ctx, "301", "Contract Sent"); err != nil {
		t.Fatal(err)
	}
	if d, _ := f.srv.Object("deals", "301"); d.Props["dealstage"] != "contractsent" {
		t.Fatalf("stage = %s, want contractsent (from its label)", d.Props["dealstage"])
	}
	if err := f.client.UpdateDealStage(ctx, "999", "closedwon"); backend.ErrorCode(err) != backend.ENOTFOUND {
		t.Fatalf("unknown deal: code %s, want not_found", backend.ErrorCode(err))
	}
	if err := f.client.UpdateDealStage(ctx, "301", "nonsense"); backend.ErrorCode(err) != backend.EINVALID {
		t.Fatalf("unknown stage: code %s, want invalid", backend.ErrorCode(err))
	}
}

func TestClient_UpdateDealStages(t *testing.T) {
	f := newFixture(t, hubspottest.Options{})
	seed := dealSeed(t0)
	for i := 0; i < 150; i++ {
		seed.Deals = append(seed.Deals, hubspottest.Deal{ID: "d" + itoa(i), Name: "bulk",
			Stages: []hubspottest.StageChange{{Stage: "appointmentscheduled", At: t0.Add(-time.Hour)}}})
	}
	f.srv.Seed(seed)
	var ups []StageUpdate
	for i := 0; i < 150; i++ {
		ups = append(ups, StageUpdate{DealID: "d" + itoa(i), Stage: "qualifiedtobuy"})
	}
	ups = append(ups, StageUpdate{DealID: "missing", Stage: "qualifiedtobuy"})
	f.srv.FailBatchItem(7)
	err := f.client.UpdateDealStages(context.Background(), ups)
	var be *BatchError
	if !errors.As(err, &be) {
		t.Fatalf("err = %v, want a *BatchError", err)
	}
	if len(be.Items) != 2 || be.Items[0].Index != 7 || be.Items[0].ID != "d7" || be.Items[1].ID != "missing" ||
		be.Items[1].Code != backend.ENOTFOUND || be.Items[1].Index != 150 {
		t.Fatalf("failed items = %+v, want d7 (injected) and missing (not found)", be.Items)
	}
	for i := 0; i < 150; i++ {
		d, _ := f.srv.Object("deals", "d"+itoa(i))
		if (d.Props["dealstage"] == "qualifiedtobuy") == (i == 7) {
			t.Fatalf("deal d%d stage %s: the good items must be applied, the failed one not", i, d.Props["dealstage"])
		}
	}
	for _, r := range f.srv.Requests() {
		if r.Path == "/crm/v3/objects/deals/batch/update" && strings.Count(string(r.Body), `"id"`) > 100 {
			t.Fatal("a batch carried more than 100 inputs")
		}
	}
	if n := countRequests(f.srv, "POST /crm/v3/objects/deals/batch/update"); n != 2 {
		t.Fatalf("batch requests = %d, want 2 (100 + 51)", n)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestClient_MergeContacts(t *testing.T) {
	f := newFixture(t, hubspottest.Options{})
	f.srv.Seed(dealSeed(t0))
	dup := f.srv.AddContact(hubspottest.Contact{Email: "dana.w@gmail.com", FirstName: "Dana"})
	got, err := f.client.MergeContacts(context.Background(), "101", dup)
	if err != nil {
		t.Fatal(err)
	}
	if got == "101" || got == dup || got == "" {
		t.Fatalf("merged id = %q, want a new id", got)
	}
	rec, ok := f.srv.Object("contacts", got)
	if !ok || rec.Props["email"] != "Dana@Northwind.io" {
		t.Fatalf("merged record = %+v, want the primary's values", rec)
	}
	if a := rec.Associations["deals"]; len(a) != 1 || a[0].ID != "301" {
		t.Fatalf("merged record deals = %+v, want 301 carried over", a)
	}
	if _, err := f.client.MergeContacts(context.Background(), "101", "404404"); backend.ErrorCode(err) != backend.ENOTFOUND {
		t.Fatalf("merge with unknown id: %s, want not_found", backend.ErrorCode(err))
	}
}
