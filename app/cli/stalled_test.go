package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/app/cli"
	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/hubspot/hubspottest"
	"github.com/caseyos/caseyos/connectors/keychain"
	"github.com/caseyos/caseyos/store"
)

// TestCLI_FirstSyncOfALongSilentDeal connects a HubSpot portal (the fake,
// over HTTP) holding a $120,000 deal with no activity for 30 days, syncs it
// once and reads Today's Moves: the deal has its nudge, explained by its
// silence; 45 days later the nudge is still there, more urgent.
func TestCLI_FirstSyncOfALongSilentDeal(t *testing.T) {
	now := time.Now()
	d := func(days int) time.Time { return now.Add(time.Duration(days) * 24 * time.Hour) }
	srv := hubspottest.NewTestServer(t, hubspottest.Options{Token: fakeToken})
	srv.Seed(hubspottest.Seed{
		Companies: []hubspottest.Company{{ID: "co-summit", Name: "Summit Freight", Domain: "summitfreight.com", Industry: "Logistics", Employees: 900, Country: "US", CreatedAt: d(-90)}},
		Contacts: []hubspottest.Contact{{ID: "2001", Email: "jordan@summitfreight.com", FirstName: "Jordan", LastName: "Reyes", JobTitle: "VP Operations",
			CompanyID: "co-summit", Lifecycle: "opportunity", CreatedAt: d(-90)}},
		Deals: []hubspottest.Deal{{ID: "9100", Name: "Summit — Enterprise", Amount: 120000, Currency: "USD", CloseDate: d(20), CompanyID: "co-summit",
			ContactIDs: []string{"2001"}, Stages: []hubspottest.StageChange{{Stage: "appointmentscheduled", At: d(-60)}, {Stage: "contractsent", At: d(-40)}},
			LastActivityAt: d(-30)}},
	})
	k := keychain.NewMock()
	clock := backend.NewManualClock(now)
	dir := t.TempDir()
	run := func(stdin string, args ...string) (int, string, string) {
		t.Helper()
		var out, errb bytes.Buffer
		code := cli.Main(context.Background(), append([]string{"--data-dir", dir}, args...), cli.Env{
			Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Clock: clock,
			Open: func(p string) (backend.Store, error) {
				return store.Open(p, store.Options{Timeout: 200 * time.Millisecond})
			},
			Secrets: k, Connectors: []app.Connector{hubspotConnector(srv.URL(), k)},
		})
		return code, out.String(), errb.String()
	}
	if code, out, errb := run(fakeToken+"\n", "connect", "hubspot", "--token-stdin"); code != 0 {
		t.Fatalf("connect: %d %q %q", code, out, errb)
	}
	if code, out, errb := run("", "sync", "--once", "hubspot"); code != 0 {
		t.Fatalf("sync --once: %d %q %q", code, out, errb)
	}
	nudge := func() app.MoveDTO {
		t.Helper()
		code, out, errb := run("", "today", "--json")
		if code != 0 {
			t.Fatalf("today: %d %s", code, errb)
		}
		var today app.TodayDTO
		if err := json.Unmarshal([]byte(out), &today); err != nil {
			t.Fatal(err)
		}
		for _, m := range today.Moves {
			if m.DealID == "9100" {
				return m
			}
		}
		var titles []string
		for _, m := range today.Moves {
			titles = append(titles, m.Title)
		}
		t.Fatalf("no move for the $120k deal quiet for %v; today = %q", clock.Now().Sub(d(-30)).Round(time.Hour), titles)
		return app.MoveDTO{}
	}
	m := nudge()
	if m.Title != "Nudge Jordan Reyes: Summit — Enterprise has gone quiet" || m.Kind != "send_email" || m.Draft.To[0] != "jordan@summitfreight.com" {
		t.Errorf("nudge = %q (%s to %v)", m.Title, m.Kind, m.Draft.To)
	}
	reasons := strings.Join(m.Reasons, " | ")
	for _, want := range []string{"No activity on Summit — Enterprise for 30 days", "$120k ARR deal", "quiet for 30 days"} {
		if !strings.Contains(reasons, want) {
			t.Errorf("reasons %q lack %q", reasons, want)
		}
	}
	if m.ExpiresAt != nil {
		t.Errorf("the nudge expires %v, want only when the deal moves or closes", m.ExpiresAt)
	}
	if code, out, _ := run("", "explain", fmt.Sprint(m.ID)); code != 0 || !strings.Contains(out, "quiet for 30 days") {
		t.Errorf("explain: %d\n%s\nwant the urgency explained by the silence", code, out)
	}

	// Weeks pass with no activity: the nudge stays, and ranks higher.
	clock.Advance(45 * 24 * time.Hour)
	later := nudge()
	if later.ID != m.ID || later.Status != "pending" || later.Score.Urgency.Value <= m.Score.Urgency.Value || later.APS <= m.APS {
		t.Errorf("45 days later: move %d %s, urgency %.2f → %.2f, APS %.1f → %.1f; want the same move, pending, more urgent",
			later.ID, later.Status, m.Score.Urgency.Value, later.Score.Urgency.Value, m.APS, later.APS)
	}
	if !strings.Contains(strings.Join(later.Reasons, " | "), "quiet for 75 days") {
		t.Errorf("45 days later the reasons say %q, want quiet for 75 days", later.Reasons)
	}
}
