package hubspot

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/backend/demo"
	"github.com/caseyos/caseyos/connectors/hubspot/hubspottest"
)

func dealSeed(now time.Time) hubspottest.Seed {
	return hubspottest.Seed{
		Companies: []hubspottest.Company{{ID: "200", Name: "Northwind", Domain: "northwind.io", Industry: "SaaS", Employees: 240,
			Country: "US", ExpectedARR: 48000, TargetAccount: true, CreatedAt: now.Add(-90 * 24 * time.Hour)}},
		Contacts: []hubspottest.Contact{{ID: "101", Email: "Dana@Northwind.io", FirstName: "Dana", LastName: "Whitfield",
			JobTitle: "VP Engineering", CompanyID: "200", Lifecycle: "opportunity", Timezone: "America/New_York", CreatedAt: now.Add(-60 * 24 * time.Hour)}},
		Deals: []hubspottest.Deal{
			{ID: "301", Name: "Northwind — Team", Amount: 48000, Currency: "USD", CompanyID: "200", ContactIDs: []string{"101"},
				CloseDate: now.Add(30 * 24 * time.Hour),
				Stages:    []hubspottest.StageChange{{Stage: "appointmentscheduled", At: now.Add(-10 * 24 * time.Hour)}, {Stage: "qualifiedtobuy", At: now.Add(-7 * 24 * time.Hour)}}},
			{ID: "302", Name: "Quiet deal", Amount: 5000, CompanyID: "200",
				Stages: []hubspottest.StageChange{{Stage: "appointmentscheduled", At: now.Add(-30 * 24 * time.Hour)}}, LastActivityAt: now.Add(-20 * 24 * time.Hour)},
			{ID: "303", Name: "Won long ago", Amount: 1000,
				Stages: []hubspottest.StageChange{{Stage: "appointmentscheduled", At: now.Add(-200 * 24 * time.Hour)}, {Stage: "closedwon", At: now.Add(-100 * 24 * time.Hour)}}},
		},
		Forms: []hubspottest.Form{{ID: "f-1", Name: "Request a demo", Submissions: []hubspottest.Submission{
			{ConversionID: "cv-1", SubmittedAt: now.Add(-2 * time.Hour), Values: map[string]string{"email": "dana@northwind.io", "message": "hi"}},
			{ConversionID: "cv-2", SubmittedAt: now.Add(-1 * time.Hour), Values: map[string]string{"email": "new@lead.test", "firstname": "New", "lastname": "Lead"}},
			{ConversionID: "cv-old", SubmittedAt: now.Add(-100 * 24 * time.Hour), Values: map[string]string{"email": "old@lead.test"}},
		}}},
	}
}

func TestPoll_FullSyncPaging(t *testing.T) {
	f := newFixture(t, hubspottest.Options{})
	f.srv.Seed(bulkSeed(250, t0.Add(-48*time.Hour), true))
	sigs, cur := f.pollAll(t, "")
	created := ofType(sigs, SignalContactCreated)
	if len(created) != 250 {
		t.Fatalf("contact.created signals = %d, want 250", len(created))
	}
	if k := keys(created); len(k) != 250 {
		t.Fatalf("distinct dedupe keys = %d, want 250", len(k))
	}
	// 250 contacts at 100 a page: three list requests, following paging.next.after.
	var afters []string
	for _, r := range f.srv.Requests() {
		if r.Method == "GET" && r.Path == "/crm/v3/objects/contacts" {
			if r.Query.Get("limit") != "100" {
				t.Errorf("list limit = %q, want 100", r.Query.Get("limit"))
			}
			afters = append(afters, r.Query.Get("after"))
		}
	}
	if len(afters) != 3 || afters[0] != "" || afters[1] == "" || afters[2] == "" || afters[1] == afters[2] {
		t.Fatalf("list pages after = %q, want 3 pages chained by paging.next.after", afters)
	}
	s := created[0]
	if s.Contact.Email != "p0@acme.test" || s.Contact.Name != "P 0" || s.Company == nil || s.Company.Name != "Acme" || s.Company.Employees != 50 {
		t.Fatalf("first contact signal = %+v / %+v, want its contact and company snapshots", s.Contact, s.Company)
	}
	for i := 1; i < len(sigs); i++ {
		if sigs[i].OccurredAt.Before(sigs[i-1].OccurredAt) {
			t.Fatalf("signals are not oldest first at %d", i)
		}
	}
	var c cursor
	if err := json.Unmarshal([]byte(cur), &c); err != nil || !c.Synced || c.Phase != "" {
		t.Fatalf("cursor after full sync = %s (%v), want synced and between passes", cur, err)
	}
	if f.limiter.waits != len(f.srv.Requests()) {
		t.Fatalf("limiter waits = %d, requests = %d: every request must wait", f.limiter.waits, len(f.srv.Requests()))
	}
}

func TestPoll_Deals(t *testing.T) {
	f := newFixture(t, hubspottest.Options{})
	f.srv.Seed(dealSeed(t0))
	sigs, _ := f.pollAll(t, "")
	for _, s := range sigs {
		if s.Type == SignalContactCreated {
			continue
		}
		s.Normalize()
		if err := s.Validate(); err != nil {
			t.Errorf("signal %s does not validate: %v", s.DedupeKey, err)
		}
	}
	stage := ofType(sigs, backend.SignalDealStageChanged)
	var got []string
	for _, s := range stage {
		got = append(got, fmt.Sprintf("%s:%s<-%s", s.DealID, s.Deal.Stage, s.Payload["previous_stage"]))
	}
	// 301's two changes (in the window), 302's one, 303's latest only (to mirror it).
	want := []string{"302:appointmentscheduled<-", "301:appointmentscheduled<-", "301:qualifiedtobuy<-appointmentscheduled", "303:closedwon<-appointmentscheduled"}
	if strings.Join(got, " ") != strings.Join(sortedLike(got, want), " ") || len(got) != len(want) {
		t.Fatalf("stage changes = %v, want %v", got, want)
	}
	var q *backend.Signal
	for _, s := range stage {
		if s.DealID == "301" && s.Deal.Stage == "qualifiedtobuy" {
			q = s
		}
	}
	if q.Deal.Amount != 48000 || q.ContactID != "101" || q.CompanyID != "200" || q.Company.ExpectedARR != 48000 ||
		len(q.Company.Tags) != 1 || q.Payload["stage_label"] != "Qualified To Buy" || !q.OccurredAt.Equal(t0.Add(-7*24*time.Hour)) {
		t.Fatalf("301 qualified = %+v deal %+v company %+v", q, q.Deal, q.Company)
	}
	stalled := ofType(sigs, backend.SignalDealStalled)
	if len(stalled) != 1 || stalled[0].DealID != "302" {
		t.Fatalf("stalled = %v, want deal 302 only (303 is won, 301 is active)", stalled)
	}
	if want := backend.StalledDedupeKey(&backend.Deal{ID: "302", LastActivityAt: t0.Add(-20 * 24 * time.Hour)}); stalled[0].DedupeKey != want {
		t.Fatalf("stalled key = %q, want the core's %q", stalled[0].DedupeKey, want)
	}
	forms := ofType(sigs, backend.SignalFormSubmitted)
	if len(forms) != 2 {
		t.Fatalf("form signals = %d, want 2 (the 100-day-old one is outside the window)", len(forms))
	}
	byKey := map[string]*backend.Signal{}
	for _, s := range forms {
		byKey[s.DedupeKey] = s
	}
	if s := byKey["hubspot:form.submitted:cv-1"]; s == nil || s.ContactID != "101" || s.Form.Form != "Request a demo" || s.Form.Fields["message"] != "hi" {
		t.Fatalf("cv-1 = %+v, want it tied to HubSpot contact 101", s)
	}
	if s := byKey["hubspot:form.submitted:cv-2"]; s == nil || s.ContactID != "new@lead.test" || s.Contact.Name != "New Lead" {
		t.Fatalf("cv-2 = %+v, want a contact keyed by the address", s)
	}
	ct := ofType(sigs, SignalContactCreated)[0].Contact
	if ct.Email != "dana@northwind.io" || ct.Timezone != "America/New_York" || ct.Title != "VP Engineering" || ct.CompanyID != "200" {
		t.Fatalf("contact = %+v", ct)
	}
}

// sortedLike returns got if it holds the same items as want.
func sortedLike(got, want []string) []string {
	m := map[string]int{}
	for _, w := range want {
		m[w]++
	}
	for _, g := range got {
		m[g]--
	}
	for _, n := range m {
		if n != 0 {
			return want
		}
	}
	return got
}

func TestPoll_IncrementalAndRepoll(t *testing.T) {
	f := newFixture(t, hubspottest.Options{})
	f.srv.Seed(dealSeed(t0))
	first, cur := f.pollAll(t, "")
	seen := keys(first)

	t.Run("NothingChanged", func(t *testing.T) {
		f.clock.Advance(time.Minute)
		sigs, next := f.pollAll(t, cur)
		for _, s := range sigs {
			if seen[s.DedupeKey] == 0 {
				t.Errorf("re-poll produced a new signal %s", s.DedupeKey)
			}
		}
		cur = next
	})
	t.Run("OnlyModified", func(t *testing.T) {
		f.clock.Advance(time.Minute)
		if err := f.srv.SetDealStage("301", "presentationscheduled"); err != nil {
			t.Fatal(err)
		}
		newID := f.srv.AddContact(hubspottest.Contact{Email: "fresh@new.test", FirstName: "Fresh"})
		if err := f.srv.AddSubmission("f-1", hubspottest.Submission{ConversionID: "cv-3", Values: map[string]string{"email": "fresh@new.test"}}); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Minute) // past the search lag
		f.srv.ResetRequests()
		sigs, next := f.pollAll(t, cur)
		var fresh []string
		for _, s := range sigs {
			if seen[s.DedupeKey] == 0 {
				fresh = append(fresh, s.DedupeKey)
			}
		}
		changeAt := t0.Add(2 * time.Minute).UnixMilli()
		want := map[string]bool{
			"hubspot:contact.created:" + newID:                                               true,
			fmt.Sprintf("hubspot:deal.stage_changed:301:%d:presentationscheduled", changeAt): true,
			fmt.Sprintf("hubspot:record.updated:deal:301:%d", changeAt):                      true,
			"hubspot:form.submitted:cv-3":                                                    true,
		}
		if len(fresh) != len(want) {
			t.Fatalf("new signals = %v, want %v", fresh, want)
		}
		for _, k := range fresh {
			if !want[k] {
				t.Fatalf("unexpected new signal %s (all: %v)", k, fresh)
			}
			seen[k]++
		}
		for _, s := range sigs {
			if s.Type == backend.SignalDealStageChanged && s.Deal.Stage == "presentationscheduled" && s.Payload["previous_stage"] != "qualifiedtobuy" {
				t.Fatalf("previous_stage = %q, want qualifiedtobuy", s.Payload["previous_stage"])
			}
		}
		if n := countRequests(f.srv, "GET /crm/v3/objects/"); n != 0 {
			t.Fatalf("an incremental pass listed objects %d times; it must search", n)
		}
		// The deals search asked only for what changed after the last pass.
		for _, r := range f.srv.Requests() {
			if r.Path == "/crm/v3/objects/deals/search" && !strings.Contains(string(r.Body), `"operator":"GT"`) {
				t.Fatalf("deal search %s has no lower bound", r.Body)
			}
		}
		cur = next
	})
	t.Run("RepollAfterChangeIsQuiet", func(t *testing.T) {
		f.clock.Advance(time.Minute)
		sigs, _ := f.pollAll(t, cur)
		for _, s := range sigs {
			if s.Type != backend.SignalDealStalled {
				t.Errorf("re-poll produced %s", s.DedupeKey)
			}
		}
	})
	t.Run("EditsWithoutAStageChange", func(t *testing.T) {
		f.clock.Advance(time.Minute)
		if err := f.srv.SetProps("deals", "301", map[string]string{"amount": "250000"}); err != nil {
			t.Fatal(err)
		}
		if err := f.srv.SetProps("contacts", "100001", map[string]string{"jobtitle": "VP Engineering"}); err != nil {
			t.Fatal(err)
		}
		if err := f.srv.SetProps("companies", "200", map[string]string{"industry": "Fintech", "numberofemployees": "900"}); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Minute)
		sigs, next := f.pollAll(t, cur)
		var edits []*backend.Signal
		for _, s := range sigs {
			if seen[s.DedupeKey] == 0 && s.Type != backend.SignalDealStalled {
				if s.Type != backend.SignalRecordUpdated {
					t.Errorf("an edit produced %s %s", s.Type, s.DedupeKey)
				}
				edits = append(edits, s)
				seen[s.DedupeKey]++
			}
		}
		var deal, contact, company bool
		for _, s := range edits {
			if s.Company != nil && s.Deal == nil && s.Contact == nil && s.Company.ID == "200" && s.Company.Industry == "Fintech" && s.Company.Employees == 900 {
				company = true
			}
			if s.Deal != nil && s.Deal.ID == "301" && s.Deal.Amount == 250000 {
				deal = true
			}
			if s.Contact != nil && s.Contact.ID == "100001" && s.Contact.Title == "VP Engineering" {
				contact = true
			}
		}
		if !deal || !contact || !company || len(edits) != 3 {
			t.Fatalf("edits = %v, want one record.updated each for deal 301 (amount 250000), contact 100001 and company 200 (Fintech, 900)", keys(edits))
		}
		again, _ := f.pollAll(t, next)
		for _, s := range again {
			if s.Type == backend.SignalRecordUpdated && seen[s.DedupeKey] == 0 {
				t.Errorf("re-poll produced a new edit %s", s.DedupeKey)
			}
		}
	})
}

func TestPoll_ResumesAfterInterruption(t *testing.T) {
	ref := newFixture(t, hubspottest.Options{})
	ref.srv.Seed(bulkSeed(230, t0.Add(-time.Hour), true))
	ref.srv.Seed(dealSeed(t0))
	want, _ := ref.pollAll(t, "")

	f := newFixture(t, hubspottest.Options{}, func(c *Config) { c.PageBudget = 1 })
	f.srv.Seed(bulkSeed(230, t0.Add(-time.Hour), true))
	f.srv.Seed(dealSeed(t0))
	var got []*backend.Signal
	cur, drops := "", 0
	for i := 0; i < 100; i++ {
		if i == 2 || i == 5 {
			// The network goes away mid-pass. net/http retries an idempotent
			// request once on a fresh connection, so cut twice.
			f.srv.Drop(2)
		}
		sigs, next, err := f.client.Poll(context.Background(), cur)
		if err != nil {
			if backend.ErrorCode(err) != backend.EUNAVAILABLE {
				t.Fatalf("network cut: code %s, want unavailable (%v)", backend.ErrorCode(err), err)
			}
			drops++
			// The engine drops the failed poll's results and keeps the old cursor.
			continue
		}
		got = append(got, sigs...)
		cur = next
		if !f.client.More() {
			break
		}
	}
	if drops < 2 {
		t.Fatalf("failed polls = %d, want at least 2", drops)
	}
	gk, wk := keys(got), keys(want)
	for k, n := range gk {
		if n != 1 {
			t.Errorf("signal %s delivered %d times", k, n)
		}
		if wk[k] == 0 {
			t.Errorf("signal %s not in a straight full sync", k)
		}
	}
	for k := range wk {
		if gk[k] == 0 {
			t.Errorf("signal %s lost by the interrupted sync", k)
		}
	}
}

func TestPoll_SearchCapNarrowsWindow(t *testing.T) {
	if testing.Short() {
		t.Skip("pages through 10,000+ records")
	}
	f := newFixture(t, hubspottest.Options{})
	// After a first pass at t0, 10,150 contacts are created, one per 10 ms.
	_, cur := f.pollAll(t, "")
	start := t0.Add(time.Second)
	seed := bulkSeed(10_150, start, false)
	for i := range seed.Contacts {
		seed.Contacts[i].CreatedAt = start.Add(time.Duration(i) * 10 * time.Millisecond)
	}
	f.srv.Seed(seed)
	f.clock.Set(start.Add(10 * time.Minute))
	f.srv.ResetRequests()
	sigs, _ := f.pollAll(t, cur)
	k := keys(ofType(sigs, SignalContactCreated))
	if len(k) != 10_150 {
		t.Fatalf("contacts reported = %d, want 10150", len(k))
	}
	narrowed := false
	for _, r := range f.srv.Requests() {
		if r.Status == 400 {
			t.Fatalf("a request was refused: %s %s", r.Path, r.Body)
		}
		if r.Path == "/crm/v3/objects/contacts/search" && strings.Contains(string(r.Body), `"operator":"GTE"`) {
			narrowed = true
		}
	}
	if !narrowed {
		t.Fatal("the search window was never narrowed")
	}
}

func TestPoll_RateLimit(t *testing.T) {
	t.Run("TenSecondWindow", func(t *testing.T) {
		f := newFixture(t, hubspottest.Options{})
		f.srv.Fail429(1)
		_, _, err := f.client.Poll(context.Background(), "")
		if backend.ErrorCode(err) != backend.EUNAVAILABLE {
			t.Fatalf("code = %s, want unavailable (%v)", backend.ErrorCode(err), err)
		}
		if wait, ok := backend.RetryAfter(err); !ok || wait != 10*time.Second {
			t.Fatalf("RetryAfter = %v %v, want 10s from X-HubSpot-RateLimit-Interval-Milliseconds", wait, ok)
		}
		last := f.limiter.observed[len(f.limiter.observed)-1]
		if last.remaining != 0 || last.reset != 10*time.Second {
			t.Fatalf("limiter told %+v, want 0 remaining for 10s", last)
		}
	})
	t.Run("Daily", func(t *testing.T) {
		f := newFixture(t, hubspottest.Options{DailyLimit: 3})
		f.srv.Seed(dealSeed(t0))
		_, _, err := f.client.Poll(context.Background(), "")
		wait, ok := backend.RetryAfter(err)
		if backend.ErrorCode(err) != backend.EUNAVAILABLE || !ok || wait != 9*time.Hour+1*time.Minute {
			t.Fatalf("daily limit: code %s wait %v, want unavailable until after midnight UTC (9h01m) (%v)", backend.ErrorCode(err), wait, err)
		}
	})
	t.Run("ServerError", func(t *testing.T) {
		f := newFixture(t, hubspottest.Options{})
		f.srv.Fail5xx(1, 502)
		_, _, err := f.client.Poll(context.Background(), "")
		if wait, ok := backend.RetryAfter(err); backend.ErrorCode(err) != backend.EUNAVAILABLE || !ok || wait <= 0 {
			t.Fatalf("502: code %s wait %v", backend.ErrorCode(err), wait)
		}
	})
	t.Run("PacedByTokenBucketNo429", func(t *testing.T) {
		// The fake allows 20 requests per rolling 300 ms; the limiter is
		// set to that; a sync of 40 pages must never see a 429.
		lim := backend.NewTokenBucket(backend.Limit{Requests: 20, Per: 300 * time.Millisecond}, backend.SystemClock{})
		srv := hubspottest.NewTestServer(t, hubspottest.Options{TenSecondLimit: 20, Window: 300 * time.Millisecond})
		srv.Seed(bulkSeed(4000, time.Now().Add(-time.Hour), false))
		c, err := New(Config{BaseURL: srv.URL(), Limiter: lim, Credentials: Credentials{Token: srv.Token()}, PageBudget: 1000})
		if err != nil {
			t.Fatal(err)
		}
		sigs, _, err := c.Poll(context.Background(), "")
		if err != nil {
			t.Fatalf("Poll: %v", err)
		}
		if len(ofType(sigs, SignalContactCreated)) != 4000 {
			t.Fatalf("got %d contacts", len(sigs))
		}
		for _, r := range srv.Requests() {
			if r.Status == 429 {
				t.Fatalf("a 429 reached the connector at %s", r.Path)
			}
		}
	})
}

func TestPoll_DemoSeedMatchesScenario(t *testing.T) {
	f := newFixture(t, hubspottest.Options{})
	f.srv.Seed(hubspottest.DemoSeed(t0))
	sigs, _ := f.pollAll(t, "")
	scenario, err := demo.Signals(t0)
	if err != nil {
		t.Fatal(err)
	}
	type fact struct {
		deal, stage, prev string
		at                int64
		amount            float64
	}
	got := map[fact]bool{}
	for _, s := range ofType(sigs, backend.SignalDealStageChanged) {
		got[fact{s.DealID, s.Deal.Stage, s.Payload["previous_stage"], s.OccurredAt.Unix(), s.Deal.Amount}] = true
	}
	forms := map[string]*backend.Signal{}
	for _, s := range ofType(sigs, backend.SignalFormSubmitted) {
		forms[s.Form.Form+"|"+s.Contact.Email+"|"+fmt.Sprint(s.OccurredAt.Unix())] = s
	}
	n := 0
	for _, s := range scenario {
		switch {
		case s.Source == backend.SourceHubSpot && s.Type == backend.SignalDealStageChanged:
			n++
			k := fact{s.DealID, s.Deal.Stage, s.Payload["previous_stage"], s.OccurredAt.Unix(), s.Deal.Amount}
			if !got[k] {
				t.Errorf("scenario %s (%+v) not produced by the connector", s.DedupeKey, k)
			}
			if at := s.Payload["demo_at"]; at != "" {
				for _, c := range ofType(sigs, backend.SignalDealStageChanged) {
					if c.DealID == s.DealID && c.Deal.Stage == s.Deal.Stage && c.Payload["demo_at"] != at {
						t.Errorf("%s demo_at = %q, want %q", s.DedupeKey, c.Payload["demo_at"], at)
					}
				}
			}
		case s.Type == backend.SignalFormSubmitted:
			n++
			if forms[s.Form.Form+"|"+s.Contact.Email+"|"+fmt.Sprint(s.OccurredAt.Unix())] == nil {
				t.Errorf("scenario %s not produced by the connector", s.DedupeKey)
			}
		}
	}
	if n != 21 {
		t.Fatalf("checked %d scenario signals, want 21", n)
	}
	if len(ofType(sigs, backend.SignalDealStageChanged)) != 18 || len(ofType(sigs, backend.SignalFormSubmitted)) != 3 {
		t.Errorf("connector produced %d stage changes and %d forms, want the scenario's 18 and 3",
			len(ofType(sigs, backend.SignalDealStageChanged)), len(ofType(sigs, backend.SignalFormSubmitted)))
	}
}
