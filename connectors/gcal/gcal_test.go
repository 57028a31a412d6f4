package gcal_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/gcal"
	"github.com/caseyos/caseyos/connectors/gcal/gcaltest"
	"github.com/caseyos/caseyos/connectors/internal/googlefake"
)

var testClient = googlefake.BearerClient("test-token")

var crm = backend.StaticDirectory{
	"dana@northwind.io":          {ContactID: "1001", CompanyID: "co-northwind", DealID: "9001"},
	"priya@finchpay.com":         {ContactID: "1005", CompanyID: "co-finch", DealID: "9006"},
	"rachel.kim@helixbank.com":   {ContactID: "1008", CompanyID: "co-helix"},
	"emma.clarke@cobaltcloud.io": {ContactID: "1010", CompanyID: "co-cobalt", DealID: "9008"},
}

var t0 = time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)

const owner = "casey@pebblecache.dev"

type env struct {
	fake  *gcaltest.Server
	c     *gcal.Client
	clock *backend.ManualClock
}

func newEnv(tb testing.TB, cfg gcal.Config, o gcaltest.Options) *env {
	tb.Helper()
	clock := backend.NewManualClock(t0)
	o.Now = clock.Now
	fake := gcaltest.NewTestServer(tb, o)
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = testClient
	}
	cfg.BaseURL = fake.Endpoint()
	cfg.Owner = owner
	cfg.Clock = clock
	if cfg.Directory == nil {
		cfg.Directory = crm
	}
	cfg.Backoff = backend.Backoff{Min: time.Millisecond, Max: 4 * time.Millisecond}
	c, err := gcal.New(context.Background(), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return &env{fake: fake, c: c, clock: clock}
}

func (e *env) poll(tb testing.TB, cur string) ([]*backend.Signal, string) {
	tb.Helper()
	sigs, next, err := e.c.Poll(context.Background(), cur)
	if err != nil {
		tb.Fatalf("Poll(%q) error = %v", cur, err)
	}
	for _, s := range sigs {
		s.Normalize()
		if err := s.Validate(); err != nil {
			tb.Errorf("signal %s is invalid: %v", s.DedupeKey, err)
		}
	}
	return sigs, next
}

func summary(sigs []*backend.Signal) map[string]string {
	m := map[string]string{}
	for _, s := range sigs {
		m[s.Meeting.ID+" "+string(s.Type)] = s.DedupeKey
	}
	return m
}

func TestClient_Poll(t *testing.T) {
	t.Run("DemoWeek", func(t *testing.T) {
		e := newEnv(t, gcal.Config{}, gcaltest.Options{})
		e.fake.DemoSeed(t0)
		sigs, next := e.poll(t, "")
		got := summary(sigs)
		for _, want := range []string{"gcal-finch-deepdive meeting.ended", "gcal-cobalt-review meeting.ended", "gcal-helix-qbr meeting.upcoming"} {
			if got[want] == "" {
				t.Errorf("first sync lacks %s (got %v)", want, got)
			}
		}
		if len(sigs) != 3 {
			t.Errorf("first sync = %v, want 3 signals: no internal review upcoming, no focus block, nothing older than 7 days", got)
		}
		for _, s := range sigs {
			switch s.Meeting.ID {
			case "gcal-helix-qbr":
				if s.ContactID != "1008" || !s.Meeting.External || s.Meeting.Link != "https://meet.google.com/hlx-qbrr-evw" || len(s.Meeting.Attendees) != 3 {
					t.Errorf("helix upcoming = %+v / %+v", s, s.Meeting)
				}
				if want := s.Meeting.Start.Add(-gcal.DefaultLookAhead); !s.OccurredAt.Equal(want) && s.OccurredAt.After(t0) {
					t.Errorf("upcoming OccurredAt = %v", s.OccurredAt)
				}
			case "gcal-finch-deepdive":
				if s.ContactID != "1005" || s.DealID != "9006" || !s.OccurredAt.Equal(t0.Add(-21*time.Hour)) {
					t.Errorf("finch ended = contact %q deal %q at %v", s.ContactID, s.DealID, s.OccurredAt)
				}
			}
		}
		if again, _ := e.poll(t, next); len(again) != 0 {
			t.Errorf("Poll(next) at once = %v, want nothing", summary(again))
		}
	})

	t.Run("TimeAndChanges", func(t *testing.T) {
		e := newEnv(t, gcal.Config{}, gcaltest.Options{})
		e.fake.DemoSeed(t0)
		far := e.fake.AddEvent(gcaltest.Event{Summary: "Quarry follow-up", Start: t0.Add(60 * time.Hour), End: t0.Add(61 * time.Hour),
			Attendees: []gcaltest.Attendee{{Email: owner}, {Email: "jonas@quarrylabs.dev"}}})
		declined := e.fake.AddEvent(gcaltest.Event{Summary: "Vendor pitch", Start: t0.Add(2 * time.Hour), End: t0.Add(3 * time.Hour),
			Attendees: []gcaltest.Attendee{{Email: owner, ResponseStatus: "declined"}, {Email: "sales@vendor.example"}}})
		_, cur := e.poll(t, "")
		// 14 hours on: the internal review has ended, the far meeting has
		// come into the look-ahead without changing, a meeting was booked.
		e.clock.Advance(14 * time.Hour)
		booked := e.fake.AddEvent(gcaltest.Event{Summary: "Northwind platform demo", Start: t0.Add(20 * time.Hour), End: t0.Add(21 * time.Hour),
			Attendees: []gcaltest.Attendee{{Email: owner}, {Email: "dana@northwind.io"}}})
		sigs, next := e.poll(t, cur)
		got := summary(sigs)
		for _, want := range []string{"gcal-pipeline-review-2 meeting.ended", far + " meeting.upcoming", booked + " meeting.upcoming"} {
			if got[want] == "" {
				t.Errorf("Poll after 14h lacks %s (got %v)", want, got)
			}
		}
		if len(sigs) != 3 {
			t.Errorf("Poll after 14h = %v, want 3 signals", got)
		}
		for _, s := range sigs {
			if s.Meeting.ID == declined {
				t.Error("a meeting the owner declined gave a signal")
			}
			if s.Meeting.ID == "gcal-pipeline-review-2" && s.Meeting.External {
				t.Error("the internal review is marked external")
			}
			if s.Meeting.ID == booked && (s.ContactID != "1001" || !s.OccurredAt.Equal(t0.Add(14*time.Hour))) {
				t.Errorf("booked = contact %q at %v, want Dana when it was booked", s.ContactID, s.OccurredAt)
			}
		}
		// Rescheduling announces it again under a new key.
		e.fake.UpdateEvent(booked, func(ev *gcaltest.Event) {
			ev.Start, ev.End = ev.Start.Add(time.Hour), ev.End.Add(time.Hour)
		})
		moved, _ := e.poll(t, next)
		if len(moved) != 1 || moved[0].DedupeKey == got[booked+" meeting.upcoming"] {
			t.Errorf("after rescheduling = %v, want one upcoming under a new key", summary(moved))
		}
		// The same cursor replayed gives the same keys (but for the meeting
		// that moved).
		replay, _ := e.poll(t, cur)
		for k, v := range summary(replay) {
			if old := got[k]; old != "" && old != v && !strings.HasPrefix(k, booked) {
				t.Errorf("replay key %s = %s, was %s", k, v, old)
			}
		}
	})

	t.Run("ExpiredSyncTokenResyncs", func(t *testing.T) {
		e := newEnv(t, gcal.Config{}, gcaltest.Options{})
		e.fake.DemoSeed(t0)
		first, cur := e.poll(t, "")
		e.fake.ExpireSyncTokens()
		sigs, next := e.poll(t, cur)
		saw410 := false
		for _, r := range e.fake.Requests() {
			if r.Status == http.StatusGone {
				saw410 = true
			}
		}
		if !saw410 {
			t.Fatal("the fake never answered 410")
		}
		a, b := summary(first), summary(sigs)
		if len(sigs) != len(b) {
			t.Errorf("full resync repeated a signal: %d signals, %d keys", len(sigs), len(b))
		}
		for k, v := range b {
			if a[k] != v {
				t.Errorf("full resync key %s = %s, first sync had %q", k, v, a[k])
			}
		}
		if _, _, err := e.c.Poll(context.Background(), next); err != nil {
			t.Errorf("Poll with the new token = %v", err)
		}
	})

	t.Run("Paging", func(t *testing.T) {
		e := newEnv(t, gcal.Config{}, gcaltest.Options{EmptyFirstPage: true})
		for i := 0; i < 600; i++ {
			start := t0.Add(-time.Duration(i+1) * 10 * time.Minute)
			e.fake.AddEvent(gcaltest.Event{Summary: "Call", Start: start, End: start.Add(5 * time.Minute),
				Attendees: []gcaltest.Attendee{{Email: owner}, {Email: "dana@northwind.io"}}})
		}
		sigs, _ := e.poll(t, "")
		if len(sigs) != 600 {
			t.Errorf("full sync over pages = %d ended meetings, want 600", len(sigs))
		}
		if n := e.c.Requests()["calendar.events.list"]; n != 4 {
			t.Errorf("events.list calls = %d, want 4 (an empty page, then 250, 250, 100)", n)
		}
	})

	t.Run("ErrUnauthorized", func(t *testing.T) {
		e := newEnv(t, gcal.Config{}, gcaltest.Options{TokenValid: func(string) bool { return false }})
		_, _, err := e.c.Poll(context.Background(), "")
		if backend.ErrorCode(err) != backend.EUNAUTHORIZED {
			t.Errorf("Poll with a dead token code = %q, want unauthorized", backend.ErrorCode(err))
		}
	})

	t.Run("RateLimit", func(t *testing.T) {
		e := newEnv(t, gcal.Config{Retries: 2}, gcaltest.Options{})
		e.fake.Inject(gcaltest.Fault{Status: 403, Reason: "rateLimitExceeded"})
		if _, _, err := e.c.Poll(context.Background(), ""); err != nil {
			t.Fatalf("Poll after one 403 rateLimitExceeded = %v, want a retry", err)
		}
		e.fake.Inject(gcaltest.Fault{Status: 429, Reason: "rateLimitExceeded", Times: 5})
		_, _, err := e.c.Poll(context.Background(), "")
		// No Retry-After: the limit says so, and the sync pass backs off.
		var rl *backend.RateLimited
		if backend.ErrorCode(err) != backend.EUNAVAILABLE || !errors.As(err, &rl) || rl.Wait != 0 || rl.Daily {
			t.Errorf("Poll under 429s = %v, want unavailable with a backend.RateLimited", err)
		}
	})
}

func TestClient_InsertEvent(t *testing.T) {
	ctx := context.Background()
	ev := backend.NewEvent{ID: "exec-42:schedule_meeting", Title: "Northwind × Pebblecache platform demo",
		Start: t0.Add(24 * time.Hour), End: t0.Add(25 * time.Hour), Attendees: []string{"dana@northwind.io"}, Meet: true}
	t.Run("IdempotentWithMeet", func(t *testing.T) {
		e := newEnv(t, gcal.Config{}, gcaltest.Options{})
		id1, err := e.c.InsertEvent(ctx, ev)
		if err != nil {
			t.Fatal(err)
		}
		id2, err := e.c.InsertEvent(ctx, ev)
		if err != nil {
			t.Fatalf("InsertEvent(again) = %v, want success: 409 means it exists", err)
		}
		if id1 != id2 || id1 != gcal.EventID(ev.ID) {
			t.Errorf("ids = %q, %q, want both %q", id1, id2, gcal.EventID(ev.ID))
		}
		if n := len(e.fake.Events()); n != 1 {
			t.Errorf("events = %d, want 1", n)
		}
		statuses := []int{}
		for _, r := range e.fake.Requests() {
			if r.Method == "calendar.events.insert" {
				statuses = append(statuses, r.Status)
				if r.Query.Get("sendUpdates") != "all" || r.Query.Get("conferenceDataVersion") != "1" {
					t.Errorf("insert query = %v, want sendUpdates=all and conferenceDataVersion=1", r.Query)
				}
			}
		}
		if len(statuses) != 2 || statuses[1] != http.StatusConflict {
			t.Errorf("insert answers = %v, want 200 then 409", statuses)
		}
		got, _ := e.fake.Event(id1)
		if !strings.HasPrefix(got.HangoutLink, "https://meet.google.com/") {
			t.Errorf("HangoutLink = %q, want a Meet link", got.HangoutLink)
		}
		m, err := e.c.Meeting(ctx, id1)
		if err != nil || m.Link != got.HangoutLink || !m.External || m.Title != ev.Title {
			t.Errorf("Meeting() = %+v, %v", m, err)
		}
		if len(got.Attendees) != 2 {
			t.Errorf("attendees = %+v, want the owner and Dana", got.Attendees)
		}
	})
	t.Run("NoMeet", func(t *testing.T) {
		e := newEnv(t, gcal.Config{}, gcaltest.Options{})
		ev := ev
		ev.Meet = false
		id, err := e.c.InsertEvent(ctx, ev)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := e.fake.Event(id); got.HangoutLink != "" {
			t.Errorf("HangoutLink = %q without Meet", got.HangoutLink)
		}
	})
	t.Run("CancelThenRetry", func(t *testing.T) {
		e := newEnv(t, gcal.Config{}, gcaltest.Options{})
		id, err := e.c.InsertEvent(ctx, ev)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.c.CancelEvent(ctx, id); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.fake.Event(id); got.Status != "cancelled" {
			t.Errorf("status = %q, want cancelled", got.Status)
		}
		if err := e.c.CancelEvent(ctx, id); err != nil {
			t.Errorf("CancelEvent(again) = %v, want nil (410 means done)", err)
		}
		if err := e.c.CancelEvent(ctx, "neverexisted0"); backend.ErrorCode(err) != backend.ENOTFOUND {
			t.Errorf("CancelEvent(unknown) code = %q, want not_found", backend.ErrorCode(err))
		}
		if _, err := e.c.InsertEvent(ctx, ev); backend.ErrorCode(err) != backend.ECONFLICT {
			t.Errorf("InsertEvent(cancelled id) code = %q, want conflict", backend.ErrorCode(err))
		}
		for _, r := range e.fake.Requests() {
			if r.Method == "calendar.events.delete" && r.Query.Get("sendUpdates") != "all" {
				t.Errorf("delete query = %v, want sendUpdates=all", r.Query)
			}
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		e := newEnv(t, gcal.Config{}, gcaltest.Options{})
		bad := ev
		bad.End = bad.Start
		if _, err := e.c.InsertEvent(ctx, bad); backend.ErrorCode(err) != backend.EINVALID {
			t.Errorf("InsertEvent(empty range) code = %q, want invalid", backend.ErrorCode(err))
		}
	})
}

func TestEventID(t *testing.T) {
	for _, key := range []string{"exec-42:schedule_meeting", "abcde", "ABC", "x", strings.Repeat("k", 900)} {
		id := gcal.EventID(key)
		if len(id) < 5 || len(id) > 1024 || strings.Trim(id, "0123456789abcdefghijklmnopqrstuv") != "" {
			t.Errorf("EventID(%q) = %q, not base32hex of 5–1024", key, id)
		}
		if gcal.EventID(key) != id {
			t.Errorf("EventID(%q) is not stable", key)
		}
	}
	if gcal.EventID("abcde") != "abcde" {
		t.Error("a valid id was changed")
	}
}

func TestClient_FreeBusy(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, gcal.Config{}, gcaltest.Options{})
	e.fake.DemoSeed(t0)
	got, err := e.c.FreeBusy(ctx, t0, t0.Add(48*time.Hour), []string{owner, "dana@northwind.io", "stranger@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	// The owner: pipeline review and the Helix QBR; the gym is transparent.
	if b := got[owner]; len(b) != 2 || !b[0].Start.Equal(t0.Add(3*time.Hour)) {
		t.Errorf("owner busy = %v, want the review at +3h and the QBR", b)
	}
	if b := got["dana@northwind.io"]; len(b) != 1 || !b[0].End.Equal(t0.Add(24*time.Hour)) {
		t.Errorf("Dana busy = %v", b)
	}
	if _, ok := got["stranger@example.org"]; ok {
		t.Error("a calendar Google cannot show is in the result")
	}
	if _, err := e.c.FreeBusy(ctx, t0, t0, nil); backend.ErrorCode(err) != backend.EINVALID {
		t.Errorf("FreeBusy(empty range) code = %q, want invalid", backend.ErrorCode(err))
	}
	if got, err := e.c.FreeBusy(ctx, t0, t0.Add(time.Hour), nil); err != nil || got["primary"] == nil {
		t.Errorf("FreeBusy(no attendees) = %v, %v; want the primary calendar", got, err)
	}
}
