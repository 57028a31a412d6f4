package backend_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/gcal"
	"github.com/caseyos/caseyos/connectors/gcal/gcaltest"
	"github.com/caseyos/caseyos/connectors/llm/llmtest"
)

type bearerTransport struct{}

func (bearerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer test")
	return http.DefaultTransport.RoundTrip(r)
}

const slotsOwner = "casey@pebblecache.dev"

// slotsFixture is a queue whose draft worker reads free/busy from the
// real Calendar connector over the fake Calendar.
type slotsFixture struct {
	*modelFixture
	cal *gcaltest.Server
}

// newSlotsQueue: the owner works in New York, Dana writes from Berlin.
func newSlotsQueue(tb testing.TB, now time.Time, withModel bool) *slotsFixture {
	tb.Helper()
	var f *modelFixture
	if withModel {
		f = newModelQueue(tb, llmtest.Options{}, backend.LanguageModel{})
	} else {
		f = newModelQueue(tb, llmtest.Options{}, backend.LanguageModel{})
		f.q.Model.SetLLM(nil, "", 0)
	}
	f.clock.Set(now)
	f.q.SetZone(mustZone(tb, "America/New_York"))
	srv := gcaltest.NewTestServer(tb, gcaltest.Options{Owner: slotsOwner, Now: f.clock.Now})
	c, err := gcal.New(context.Background(), gcal.Config{HTTPClient: &http.Client{Transport: bearerTransport{}}, BaseURL: srv.Endpoint(),
		Owner: slotsOwner, Clock: f.clock, Backoff: backend.Backoff{Min: time.Millisecond, Max: 2 * time.Millisecond}})
	if err != nil {
		tb.Fatal(err)
	}
	f.q.Model.SetCalendar(c)
	f.q.Executions.SetExecutors(backend.NewActions(backend.Capabilities{Mailbox: &memMailbox{}, Calendar: c})...)
	return &slotsFixture{modelFixture: f, cal: srv}
}

// danaThursday asks about pricing and proposes Thursday afternoon, from
// Berlin.
func danaThursday(key string, at time.Time) *backend.Signal {
	s := danaAsks(key, at)
	s.Contact.Timezone = "Europe/Berlin"
	s.Email.Body = "Hi Casey,\n\nWhat does it cost for 40 engineers? Could we talk Thursday afternoon?\n\nDana"
	return s
}

func freeBusyCalls(srv *gcaltest.Server) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Method == "calendar.freebusy.query" {
			n++
		}
	}
	return n
}

func TestModelService_OfferSlots(t *testing.T) {
	// Tue 24 Nov 2026, 09:00 in New York; Dana's Thursday afternoon is
	// Thu 26 Nov 12:00–17:00 CET = 06:00–11:00 EST: the owner's hours
	// (9–17 EST) meet it from 09:00 to 11:00 EST (15:00–17:00 CET).
	now := time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC)
	berlin, ny := mustZone(t, "Europe/Berlin"), mustZone(t, "America/New_York")
	window := [2]time.Time{time.Date(2026, 11, 26, 9, 0, 0, 0, ny), time.Date(2026, 11, 26, 11, 0, 0, 0, ny)}

	t.Run("HerWindowAroundBusyTimes", func(t *testing.T) {
		f := newSlotsQueue(t, now, false)
		// The owner is busy 09:30–09:45 EST that Thursday.
		standup := [2]time.Time{time.Date(2026, 11, 26, 9, 30, 0, 0, ny), time.Date(2026, 11, 26, 9, 45, 0, 0, ny)}
		f.cal.AddEvent(gcaltest.Event{Summary: "Standup", Start: standup[0], End: standup[1]})
		m := f.replyMove(t, danaThursday("g:1", now.Add(-time.Hour)))
		if !strings.Contains(m.Draft.Body, "Thanks for suggesting Thursday afternoon") || m.Draft.Fields[backend.FieldOffered] != "" {
			t.Fatalf("the offline draft before the worker:\n%s", m.Draft.Body)
		}
		if freeBusyCalls(f.cal) != 0 {
			t.Fatal("ingest read free/busy: it must never wait on the calendar")
		}
		f.q.Model.Drain(f.ctx)
		got := f.move(t, m.ID)
		slots, missed := backend.DraftSlots(got.Draft)
		if len(slots) != 3 || missed {
			t.Fatalf("DraftSlots = %v (missed %v), want three in her window\n%s", slots, missed, got.Draft.Body)
		}
		for _, s := range slots {
			if s.Start.Before(window[0]) || s.End.After(window[1]) {
				t.Errorf("slot %v is outside her Thursday afternoon within the owner's hours", s.Start.In(ny))
			}
			if s.Start.Before(standup[1]) && s.End.After(standup[0]) {
				t.Errorf("slot %v overlaps the owner's standup", s.Start.In(ny))
			}
			if s.Start.Minute()%15 != 0 || s.End.Sub(s.Start) != 30*time.Minute {
				t.Errorf("slot %v–%v is not a quarter-hour half hour", s.Start, s.End)
			}
			// In her zone first, the owner's clock beside it.
			line := "- " + s.Start.In(berlin).Format("Mon 2 Jan, 15:04–") + s.End.In(berlin).Format("15:04") + " CET (" + s.Start.In(ny).Format("15:04") + " EST for me)"
			if !strings.Contains(got.Draft.Body, line) {
				t.Errorf("draft does not hold %q:\n%s", line, got.Draft.Body)
			}
		}
		if !strings.Contains(got.Draft.Body, "You mentioned Thursday afternoon — would one of these work?") ||
			strings.Contains(got.Draft.Body, "I'll confirm a time shortly") || strings.Contains(got.Draft.Body, "Tell me a time") {
			t.Errorf("draft does not offer the slots for her window:\n%s", got.Draft.Body)
		}
		if h := backend.DraftHoles(got); len(h) != 0 {
			t.Errorf("draft holes %v:\n%s", h, got.Draft.Body)
		}
		if got.Draft.Subject != m.Draft.Subject || got.Draft.ThreadID != m.Draft.ThreadID || strings.Join(got.Draft.To, ",") != "dana@acme.example" {
			t.Errorf("draft %+v: only the body changes", got.Draft)
		}
		// One free/busy request, for the owner and Dana.
		var fb []gcaltest.Request
		for _, r := range f.cal.Requests() {
			if r.Method == "calendar.freebusy.query" {
				fb = append(fb, r)
			}
		}
		if len(fb) != 1 {
			t.Fatalf("%d free/busy requests, want 1", len(fb))
		}
		t.Logf("Dana's draft:\n%s", got.Draft.Body)

		t.Run("IdempotentRerun", func(t *testing.T) {
			res, err := f.q.Model.OfferSlots(f.ctx, m.ID)
			if err != nil || res != backend.SlotsKept {
				t.Fatalf("OfferSlots again = %q, %v; want %q", res, err, backend.SlotsKept)
			}
			again := f.move(t, m.ID)
			if !again.UpdatedAt.Equal(got.UpdatedAt) || again.Draft.Body != got.Draft.Body {
				t.Errorf("a re-run with the same busy times wrote the move")
			}
		})

		t.Run("PreviewRefreshesATakenSlot", func(t *testing.T) {
			taken := slots[0]
			f.cal.AddEvent(gcaltest.Event{Summary: "Board call", Start: taken.Start, End: taken.End})
			p, err := f.q.Executions.Preview(f.ctx, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			fresh, _ := backend.DraftSlots(p.Move.Draft)
			if len(fresh) != 3 {
				t.Fatalf("after the refresh %v, want three slots", fresh)
			}
			for _, s := range fresh {
				if s.Start.Equal(taken.Start) {
					t.Errorf("the preview still offers %v, now busy", taken.Start.In(ny))
				}
			}
			if strings.Contains(p.Plan.Email.Body, taken.Start.In(berlin).Format("Mon 2 Jan, 15:04–")) {
				t.Errorf("the previewed email still offers the taken slot:\n%s", p.Plan.Email.Body)
			}
			hist := f.audit(t, m.ID)
			if last := hist[len(hist)-1]; !strings.Contains(last.Detail, "taken or past") {
				t.Errorf("last audit entry %q, want the refresh recorded", last.Detail)
			}
		})

		t.Run("PreviewRefreshesPastSlots", func(t *testing.T) {
			f.clock.Set(time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)) // Friday: Thursday is past
			p, err := f.q.Executions.Preview(f.ctx, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			fresh, missed := backend.DraftSlots(p.Move.Draft)
			if len(fresh) != 3 {
				t.Fatalf("after Thursday: %v (missed %v), want three new slots", fresh, missed)
			}
			for _, s := range fresh {
				if !s.Start.After(f.clock.Now()) {
					t.Errorf("slot %v is past", s.Start)
				}
			}
			if !missed || !strings.Contains(p.Move.Draft.Body, "You mentioned Thursday afternoon — I can't make that") {
				t.Errorf("a past window offered as if it were met:\n%s", p.Move.Draft.Body)
			}
		})
	})

	t.Run("WindowBusyNearestSaidSo", func(t *testing.T) {
		f := newSlotsQueue(t, now, false)
		f.cal.AddEvent(gcaltest.Event{Summary: "Offsite", Start: time.Date(2026, 11, 26, 0, 0, 0, 0, ny), End: time.Date(2026, 11, 26, 12, 0, 0, 0, ny)})
		m := f.replyMove(t, danaThursday("g:1", now.Add(-time.Hour)))
		f.q.Model.Drain(f.ctx)
		got := f.move(t, m.ID)
		slots, missed := backend.DraftSlots(got.Draft)
		if len(slots) != 3 || !missed {
			t.Fatalf("DraftSlots = %v (missed %v), want three nearest, said so", slots, missed)
		}
		if !strings.Contains(got.Draft.Body, "You mentioned Thursday afternoon — I can't make that, so these are the nearest times I have free.") {
			t.Errorf("draft does not say her window is taken:\n%s", got.Draft.Body)
		}
	})

	t.Run("DSTFormatting", func(t *testing.T) {
		// Fri 12 Mar 2027: New York moves to EDT on Sunday 14 Mar, Berlin
		// stays on CET until 28 Mar; slots next week are EDT, five hours
		// from Berlin instead of six.
		f := newSlotsQueue(t, time.Date(2027, 3, 12, 15, 0, 0, 0, time.UTC), false)
		s := danaAsks("g:1", time.Date(2027, 3, 12, 14, 0, 0, 0, time.UTC))
		s.Contact.Timezone = "Europe/Berlin"
		s.Email.Body = "Hi Casey,\n\nWhat does it cost for 40 engineers? Could we talk next Tuesday?\n\nDana"
		m := f.replyMove(t, s)
		f.q.Model.Drain(f.ctx)
		got := f.move(t, m.ID)
		slots, _ := backend.DraftSlots(got.Draft)
		if len(slots) != 3 {
			t.Fatalf("DraftSlots = %v, want 3\n%s", slots, got.Draft.Body)
		}
		for _, sl := range slots {
			b, n := sl.Start.In(berlin), sl.Start.In(ny)
			if _, off := n.Zone(); off != -4*3600 {
				t.Errorf("slot %v: want EDT after the switch", n)
			}
			line := b.Format("Mon 2 Jan, 15:04–") + sl.End.In(berlin).Format("15:04") + " CET (" + n.Format("15:04") + " EDT for me)"
			if !strings.Contains(got.Draft.Body, line) || b.Hour()-n.Hour() != 5 {
				t.Errorf("draft does not hold %q:\n%s", line, got.Draft.Body)
			}
		}
	})

	t.Run("EditedDraftUntouched", func(t *testing.T) {
		f := newSlotsQueue(t, now, false)
		m := f.replyMove(t, danaThursday("g:1", now.Add(-time.Hour)))
		d := m.Draft
		d.Body = "Hi Dana,\n\nMy own words.\n\nCasey"
		if _, err := f.q.Moves.EditDraft(f.ctx, m.ID, d, backend.ActorClick); err != nil {
			t.Fatal(err)
		}
		f.q.Model.Drain(f.ctx)
		if _, err := f.q.Executions.Preview(f.ctx, m.ID); err != nil {
			t.Fatal(err)
		}
		if got := f.move(t, m.ID); got.Draft.Body != d.Body || got.Draft.Fields[backend.FieldOffered] != "" {
			t.Errorf("the edited draft changed:\n%s", got.Draft.Body)
		}
		if n := freeBusyCalls(f.cal); n != 0 {
			t.Errorf("%d free/busy requests for an edited draft, want none", n)
		}
	})

	t.Run("ExecutingUntouched", func(t *testing.T) {
		f := newSlotsQueue(t, now, false)
		m := f.replyMove(t, danaThursday("g:1", now.Add(-time.Hour)))
		if err := f.db.Update(f.ctx, func(tx backend.Tx) error {
			cur, err := tx.FindMove(m.ID)
			if err != nil {
				return err
			}
			cur.Status = backend.StatusExecuting
			return tx.UpdateMove(cur)
		}); err != nil {
			t.Fatal(err)
		}
		res, err := f.q.Model.OfferSlots(f.ctx, m.ID)
		if err != nil || res != backend.SlotsNone {
			t.Errorf("OfferSlots(executing) = %q, %v; want %q", res, err, backend.SlotsNone)
		}
		if got := f.move(t, m.ID); got.Draft.Body != m.Draft.Body {
			t.Errorf("an executing move's draft changed:\n%s", got.Draft.Body)
		}
	})

	t.Run("FreeBusyFailsDraftStands", func(t *testing.T) {
		f := newSlotsQueue(t, now, false)
		f.cal.Inject(gcaltest.Fault{Method: "calendar.freebusy.query", Status: 500, Reason: "backendError", Times: 100})
		m := f.replyMove(t, danaThursday("g:1", now.Add(-time.Hour)))
		res, err := f.q.Model.OfferSlots(f.ctx, m.ID)
		if res != backend.SlotsFailed || err == nil {
			t.Errorf("OfferSlots = %q, %v; want failed with the calendar's error", res, err)
		}
		if _, err := f.q.Executions.Preview(f.ctx, m.ID); err != nil {
			t.Fatalf("Preview with the calendar down: %v; the offline draft must show", err)
		}
		got := f.move(t, m.ID)
		if got.Draft.Body != m.Draft.Body || got.DraftNote != "" || !got.UpdatedAt.Equal(m.UpdatedAt) {
			t.Errorf("the move changed on a free/busy error: note %q\n%s", got.DraftNote, got.Draft.Body)
		}
	})

	t.Run("NotACallNoRequest", func(t *testing.T) {
		f := newSlotsQueue(t, now, false)
		s := danaAsks("g:1", now.Add(-time.Hour))
		s.Email.Subject = "Out of office"
		s.Email.Body = "I am out of the office until Monday with limited access to email."
		rep := f.ingest(t, s)
		f.q.Model.Drain(f.ctx)
		for _, id := range rep.Created {
			if m := f.move(t, id); m.Draft.Fields[backend.FieldOffered] != "" {
				t.Errorf("move %d (%s) offers slots to an out-of-office", id, m.Kind)
			}
		}
		if n := freeBusyCalls(f.cal); n != 0 {
			t.Errorf("%d free/busy requests, want none", n)
		}
	})

	t.Run("NoCalendar", func(t *testing.T) {
		f := newSlotsQueue(t, now, false)
		f.q.Model.SetCalendar(nil)
		m := f.replyMove(t, danaThursday("g:1", now.Add(-time.Hour)))
		if res, err := f.q.Model.OfferSlots(f.ctx, m.ID); res != backend.SlotsNone || err != nil {
			t.Errorf("OfferSlots without a calendar = %q, %v", res, err)
		}
	})

	t.Run("ModelSeesTheSlots", func(t *testing.T) {
		f := newSlotsQueue(t, now, true)
		m := f.replyMove(t, danaThursday("g:1", now.Add(-time.Hour)))
		f.q.Model.Drain(f.ctx)
		got := f.move(t, m.ID)
		reqs := f.srv.Requests()
		if len(reqs) != 1 {
			t.Fatalf("%d model requests, want 1", len(reqs))
		}
		user := reqs[0].Messages[1].Content
		slots, _ := backend.DraftSlots(got.Draft)
		if len(slots) != 3 {
			t.Fatalf("slots %v, want 3", slots)
		}
		if !strings.Contains(user, "Free times to propose") {
			t.Fatalf("the model was not told the free times:\n%s", user)
		}
		first := slots[0].Start.In(berlin).Format("Mon 2 Jan, 15:04–")
		if !strings.Contains(user, first) {
			t.Errorf("the prompt lacks the slot %q:\n%s", first, user)
		}
		if got.DraftBy == "" || !strings.Contains(got.Draft.Body, first) {
			t.Errorf("DraftBy %q note %q: the model's draft quoting the slots must pass validation:\n%s", got.DraftBy, got.DraftNote, got.Draft.Body)
		}
	})
}
