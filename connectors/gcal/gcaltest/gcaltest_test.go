package gcaltest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"google.golang.org/api/calendar/v3"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"

	"github.com/caseyos/caseyos/connectors/gcal/gcaltest"
	"github.com/caseyos/caseyos/connectors/internal/googlefake"
)

func code(err error) int {
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		return ge.Code
	}
	return 0
}

func TestServer(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	s := gcaltest.NewTestServer(t, gcaltest.Options{Now: func() time.Time { return now }})
	svc, err := calendar.NewService(ctx, option.WithEndpoint(s.Endpoint()), option.WithHTTPClient(googlefake.BearerClient("t")))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		s.AddEvent(gcaltest.Event{Summary: "e", Start: now.Add(time.Duration(i) * time.Hour), End: now.Add(time.Duration(i)*time.Hour + 30*time.Minute)})
	}
	t.Run("SyncTokenOnLastPageOnly", func(t *testing.T) {
		r, err := svc.Events.List("primary").MaxResults(3).Do()
		if err != nil {
			t.Fatal(err)
		}
		if r.NextPageToken == "" || r.NextSyncToken != "" || len(r.Items) != 3 {
			t.Fatalf("first page = %d items, page %q, sync %q", len(r.Items), r.NextPageToken, r.NextSyncToken)
		}
		r, err = svc.Events.List("primary").MaxResults(3).PageToken(r.NextPageToken).Do()
		if err != nil || r.NextPageToken != "" || r.NextSyncToken == "" || len(r.Items) != 2 {
			t.Fatalf("last page = %v %+v", err, r)
		}
		tok := r.NextSyncToken
		if _, err := svc.Events.List("primary").SyncToken(tok).TimeMin(now.Format(time.RFC3339)).Do(); code(err) != 400 {
			t.Errorf("syncToken with timeMin = %v, want 400", err)
		}
		id := r.Items[0].Id
		if err := svc.Events.Delete("primary", id).Do(); err != nil {
			t.Fatal(err)
		}
		if err := svc.Events.Delete("primary", id).Do(); code(err) != 410 {
			t.Errorf("second delete = %v, want 410", err)
		}
		r, err = svc.Events.List("primary").SyncToken(tok).Do()
		if err != nil || len(r.Items) != 1 || r.Items[0].Status != "cancelled" {
			t.Errorf("incremental = %v %+v, want the deletion as cancelled", err, r)
		}
		s.ExpireSyncTokens()
		if _, err := svc.Events.List("primary").SyncToken(r.NextSyncToken).Do(); code(err) != 410 {
			t.Errorf("expired token = %v, want 410", err)
		}
	})
	t.Run("InsertRules", func(t *testing.T) {
		ev := &calendar.Event{Id: "abcdef12345", Start: &calendar.EventDateTime{DateTime: now.Format(time.RFC3339)},
			End: &calendar.EventDateTime{DateTime: now.Add(time.Hour).Format(time.RFC3339)},
			ConferenceData: &calendar.ConferenceData{CreateRequest: &calendar.CreateConferenceRequest{RequestId: "r1",
				ConferenceSolutionKey: &calendar.ConferenceSolutionKey{Type: "hangoutsMeet"}}}}
		got, err := svc.Events.Insert("primary", ev).Do()
		if err != nil || got.HangoutLink != "" {
			t.Errorf("insert without conferenceDataVersion = %v, link %q; want no link", err, got.HangoutLink)
		}
		if _, err := svc.Events.Insert("primary", ev).Do(); code(err) != 409 {
			t.Errorf("reused id = %v, want 409", err)
		}
		ev.Id = "Not-Base32hex"
		if _, err := svc.Events.Insert("primary", ev).Do(); code(err) != 400 {
			t.Errorf("bad id = %v, want 400", err)
		}
	})
	t.Run("FreeBusyErrorsInside200", func(t *testing.T) {
		r, err := svc.Freebusy.Query(&calendar.FreeBusyRequest{TimeMin: now.Format(time.RFC3339), TimeMax: now.Add(time.Hour).Format(time.RFC3339),
			Items: []*calendar.FreeBusyRequestItem{{Id: "primary"}, {Id: "nobody@example.org"}}}).Do()
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Calendars["nobody@example.org"].Errors) != 1 || len(r.Calendars["primary"].Busy) == 0 {
			t.Errorf("freeBusy = %+v", r.Calendars)
		}
		if _, err := svc.Freebusy.Query(&calendar.FreeBusyRequest{TimeMin: now.Format(time.RFC3339), TimeMax: now.Format(time.RFC3339)}).Do(); code(err) != 400 {
			t.Errorf("empty range = %v, want 400", err)
		}
	})
}
