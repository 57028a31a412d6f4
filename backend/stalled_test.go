package backend_test

import (
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// quietDeal is a $120k deal whose last activity (its last stage change)
// was quiet ago, with Maya as its contact.
func quietDeal(key string, quiet time.Duration) *backend.Signal {
	return &backend.Signal{Source: backend.SourceHubSpot, Type: backend.SignalDealStageChanged, OccurredAt: testNow.Add(-quiet), DedupeKey: key,
		ContactID: "maya@acme.io", Contact: &backend.Contact{ID: "maya@acme.io", Email: "maya@acme.io", Name: "Maya Chen", CompanyID: "acme"},
		Company: &backend.Company{ID: "acme", Name: "Acme", Industry: "SaaS", Employees: 200},
		Deal:    &backend.Deal{ID: "d1", Name: "Acme platform", Stage: "contractsent", Amount: 120_000, CompanyID: "acme", ContactIDs: []string{"maya@acme.io"}}}
}

// nudge returns the open stalled-deal nudge for d1, or nil.
func (f *queueFixture) nudge(tb testing.TB) *backend.Move {
	tb.Helper()
	for _, m := range f.today(tb, nil).Moves {
		if m.Subject.Key() == "deal:d1" && m.Kind == backend.KindSendEmail {
			return m
		}
	}
	return nil
}

func render(s string, now time.Time) string { return backend.RenderReason(s, now, time.UTC) }

// TestQueue_StalledNudgeUrgency: the longer a deal has been silent, the more
// urgent its nudge, and the reason says how long.
func TestQueue_StalledNudgeUrgency(t *testing.T) {
	var prev float64
	for _, days := range []int{15, 30, 90} {
		f := newQueue(t)
		f.ingest(t, quietDeal("h1", time.Duration(days)*24*time.Hour))
		if _, err := f.q.Moves.Refresh(f.ctx); err != nil {
			t.Fatal(err)
		}
		m := f.nudge(t)
		if m == nil {
			t.Errorf("%d quiet days: no nudge in Today (%v)", days, titles(f.today(t, nil).Moves))
			continue
		}
		u := m.Score.Urgency
		if u.Value <= prev {
			t.Errorf("%d quiet days: urgency = %.3f, want more than %.3f (fewer quiet days)", days, u.Value, prev)
		}
		prev = u.Value
		want := "quiet for " + map[int]string{15: "15 days", 30: "30 days", 90: "90 days"}[days]
		if got := render(u.Reason, f.clock.Now()); got != want {
			t.Errorf("%d quiet days: urgency reason = %q, want %q", days, got, want)
		}
		if !m.ExpiresAt.IsZero() {
			t.Errorf("%d quiet days: nudge expires %v, want never", days, m.ExpiresAt)
		}
		why := render(m.Why[0], f.clock.Now())
		if !strings.Contains(why, "No activity on Acme platform for "+map[int]string{15: "15 days", 30: "30 days", 90: "90 days"}[days]) {
			t.Errorf("%d quiet days: why = %q", days, why)
		}
	}
}

func TestQueue_StalledNudge(t *testing.T) {
	const day = 24 * time.Hour
	t.Run("FirstImportOfALongSilentDeal", func(t *testing.T) {
		// What a first HubSpot sync sends: the stall happened 16 days ago.
		f := newQueue(t)
		last := testNow.Add(-30 * day)
		d := &backend.Deal{ID: "d1", Name: "Acme platform", Stage: "contractsent", Amount: 120_000, LastActivityAt: last}
		rep := f.ingest(t, &backend.Signal{Source: backend.SourceHubSpot, Type: backend.SignalDealStalled, OccurredAt: last.Add(14 * day), DedupeKey: backend.StalledDedupeKey(d),
			DealID: "d1", ContactID: "maya@acme.io", Contact: &backend.Contact{ID: "maya@acme.io", Email: "maya@acme.io", Name: "Maya Chen"}, Deal: d})
		if len(rep.Created) != 1 {
			t.Errorf("ingesting the stall created %d moves, want the nudge", len(rep.Created))
		}
		m := f.nudge(t)
		if m == nil {
			t.Fatalf("no nudge for a deal quiet for 30 days: today = %v", titles(f.today(t, nil).Moves))
		}
		if !m.DueAt.After(testNow) {
			t.Errorf("nudge due %v: overdue the moment it appears, want after now", m.DueAt)
		}
		if got := render(m.Score.Urgency.Reason, testNow); got != "quiet for 30 days" {
			t.Errorf("urgency reason = %q", got)
		}
	})
	t.Run("StaysAndGrowsMoreUrgent", func(t *testing.T) {
		f := newQueue(t)
		f.ingest(t, quietDeal("h1", 20*day))
		f.q.Moves.Refresh(f.ctx)
		m := f.nudge(t)
		if m == nil {
			t.Fatal("no nudge")
		}
		before := m.Score
		f.clock.Advance(60 * day)
		if _, err := f.q.Moves.Refresh(f.ctx); err != nil {
			t.Fatal(err)
		}
		after := f.nudge(t)
		if after == nil || after.ID != m.ID || after.Status != backend.StatusPending {
			t.Fatalf("60 days later the nudge is gone: today = %v", titles(f.today(t, nil).Moves))
		}
		if after.Score.Urgency.Value <= before.Urgency.Value || after.Score.APS <= before.APS {
			t.Errorf("urgency %.3f → %.3f, APS %.1f → %.1f; want both to grow with the silence", before.Urgency.Value, after.Score.Urgency.Value, before.APS, after.Score.APS)
		}
		if got := render(after.Score.Urgency.Reason, f.clock.Now()); got != "quiet for 80 days" {
			t.Errorf("urgency reason = %q, want quiet for 80 days", got)
		}
	})
	t.Run("ActivityEndsIt", func(t *testing.T) {
		f := newQueue(t)
		f.ingest(t, quietDeal("h1", 30*day))
		f.q.Moves.Refresh(f.ctx)
		m := f.nudge(t)
		if m == nil {
			t.Fatal("no nudge")
		}
		f.clock.Advance(time.Hour)
		reply := replySignal("g1", "t9", "maya@acme.io", f.clock.Now())
		reply.DealID = "d1"
		f.ingest(t, reply)
		if got := f.nudge(t); got != nil {
			t.Errorf("after Maya replied on the deal the nudge is still open: %+v", got.Status)
		}
		got, _ := f.q.Moves.Move(f.ctx, m.ID)
		if got.Status != backend.StatusExpired {
			t.Errorf("nudge status = %s, want expired", got.Status)
		}
		h := f.audit(t, m.ID)
		if last := h[len(h)-1]; last.To != backend.StatusExpired || !strings.Contains(last.Detail, "activity") {
			t.Errorf("last audit = %+v, want → expired because of activity", last)
		}
	})
	t.Run("ActivityThroughTheCRMEndsIt", func(t *testing.T) {
		// HubSpot reports a newer last activity in a record update.
		f := newQueue(t)
		f.ingest(t, quietDeal("h1", 30*day))
		f.q.Moves.Refresh(f.ctx)
		m := f.nudge(t)
		if m == nil {
			t.Fatal("no nudge")
		}
		f.ingest(t, &backend.Signal{Source: backend.SourceHubSpot, Type: backend.SignalRecordUpdated, OccurredAt: testNow, DedupeKey: "hs:edit", DealID: "d1",
			Deal: &backend.Deal{ID: "d1", LastActivityAt: testNow.Add(-time.Hour)}})
		if got, _ := f.q.Moves.Move(f.ctx, m.ID); got.Status != backend.StatusExpired {
			t.Errorf("nudge status after a logged call = %s, want expired", got.Status)
		}
	})
	t.Run("ClosingEndsIt", func(t *testing.T) {
		f := newQueue(t)
		f.ingest(t, quietDeal("h1", 30*day))
		f.q.Moves.Refresh(f.ctx)
		m := f.nudge(t)
		if m == nil {
			t.Fatal("no nudge")
		}
		f.ingest(t, &backend.Signal{Source: backend.SourceHubSpot, Type: backend.SignalDealStageChanged, OccurredAt: testNow, DedupeKey: "hs:lost", DealID: "d1",
			Deal: &backend.Deal{ID: "d1", Stage: "closedlost"}})
		got, _ := f.q.Moves.Move(f.ctx, m.ID)
		if got.Status == backend.StatusPending || got.Status == backend.StatusSnoozed {
			t.Errorf("nudge status after the deal closed = %s, want closed", got.Status)
		}
		for _, x := range f.today(t, nil).Moves {
			if strings.HasPrefix(x.Title, "Nudge") {
				t.Errorf("a nudge is still in Today after the deal closed: %q", x.Title)
			}
		}
	})
	t.Run("SkipAndSnoozeHideIt", func(t *testing.T) {
		f := newQueue(t)
		f.ingest(t, quietDeal("h1", 30*day))
		f.q.Moves.Refresh(f.ctx)
		m := f.nudge(t)
		if m == nil {
			t.Fatal("no nudge")
		}
		if _, err := f.q.Moves.Snooze(f.ctx, m.ID, f.clock.Now().Add(3*day), backend.ActorKey); err != nil {
			t.Fatal(err)
		}
		if f.nudge(t) != nil {
			t.Error("a snoozed nudge is in Today")
		}
		f.clock.Advance(3*day + time.Minute)
		if got := f.nudge(t); got == nil || got.ID != m.ID {
			t.Fatalf("the nudge did not come back after its snooze: %v", titles(f.today(t, nil).Moves))
		}
		if _, err := f.q.Moves.Skip(f.ctx, m.ID, "", backend.ActorKey); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(30 * day)
		if rep, _ := f.q.Moves.Refresh(f.ctx); rep.Stalled != 0 || f.nudge(t) != nil {
			t.Errorf("a skipped nudge came back in the same quiet spell (derived %d)", rep.Stalled)
		}
	})
	t.Run("ReStallAfterActivityIsAFreshNudge", func(t *testing.T) {
		f := newQueue(t)
		f.ingest(t, quietDeal("h1", 30*day))
		f.q.Moves.Refresh(f.ctx)
		first := f.nudge(t)
		if first == nil {
			t.Fatal("no nudge")
		}
		reply := replySignal("g1", "t9", "maya@acme.io", f.clock.Now())
		reply.DealID = "d1"
		f.ingest(t, reply)
		f.clock.Advance(15 * day)
		if rep, err := f.q.Moves.Refresh(f.ctx); err != nil || rep.Stalled != 1 {
			t.Fatalf("Refresh 15 quiet days after the reply = %+v, %v; want one stall", rep, err)
		}
		again := f.nudge(t)
		if again == nil || again.ID == first.ID {
			t.Fatalf("re-stall: nudge %v, want a new move (the first was %d)", again, first.ID)
		}
		if got := render(again.Score.Urgency.Reason, f.clock.Now()); got != "quiet for 15 days" {
			t.Errorf("re-stall urgency reason = %q, want quiet for 15 days", got)
		}
	})
}

func TestScorer_SilenceUrgency(t *testing.T) {
	st := backend.DefaultSettings()
	const day = 24 * time.Hour
	tests := []struct {
		quiet   time.Duration
		urgency float64
		reason  string
		rescore bool // the urgency still changes as the silence goes on
	}{
		{15 * day, 0.5 + 0.2*1/14, "quiet for 15 days", true},
		{30 * day, 0.7 + 0.15*2/28, "quiet for 30 days", true},
		{90 * day, 0.85 + 0.1*34/56, "quiet for 90 days", true},
		{200 * day, 0.95, "quiet for 200 days", false},
	}
	prev := 0.0
	for _, tt := range tests {
		s, err := backend.Scorer{Settings: st}.Score(backend.ScoreInput{Kind: backend.KindSendEmail, QuietSince: testNow.Add(-tt.quiet),
			DueAt: testNow.Add(day), DueLabel: "nudge due", Now: testNow})
		if err != nil {
			t.Fatal(err)
		}
		if d := s.Urgency.Value - tt.urgency; d > 1e-9 || d < -1e-9 {
			t.Errorf("Score(quiet %v).Urgency = %v, want %v", tt.quiet, s.Urgency.Value, tt.urgency)
		}
		if s.Urgency.Value < prev {
			t.Errorf("Score(quiet %v).Urgency = %v, below a shorter silence's %v", tt.quiet, s.Urgency.Value, prev)
		}
		prev = s.Urgency.Value
		if got := render(s.Urgency.Reason, testNow); got != tt.reason {
			t.Errorf("Score(quiet %v) urgency reason = %q, want %q", tt.quiet, got, tt.reason)
		}
		if tt.rescore != !s.RescoreAt.IsZero() {
			t.Errorf("Score(quiet %v).RescoreAt = %v, want set: %v", tt.quiet, s.RescoreAt, tt.rescore)
		}
		if tt.rescore {
			// At RescoreAt the urgency has moved by RescoreStep, not earlier.
			later, _ := backend.Scorer{Settings: st}.Score(backend.ScoreInput{Kind: backend.KindSendEmail, QuietSince: testNow.Add(-tt.quiet), Now: s.RescoreAt})
			if d := later.Urgency.Value - s.Urgency.Value; d < backend.RescoreStep-1e-6 || d > backend.RescoreStep+1e-6 {
				t.Errorf("Score(quiet %v): urgency at RescoreAt moved by %v, want %v", tt.quiet, d, backend.RescoreStep)
			}
		}
	}
}
