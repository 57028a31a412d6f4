package demo_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/backend/demo"
	"github.com/caseyos/caseyos/store"
)

// demoNow is a fixed Thursday afternoon, so failures are reproducible.
var demoNow = time.Date(2026, 3, 12, 14, 30, 0, 0, time.UTC)

func mustSignals(tb testing.TB, now time.Time) []*backend.Signal {
	tb.Helper()
	sigs, err := demo.Signals(now)
	if err != nil {
		tb.Fatalf("Signals(%v) error: %v", now, err)
	}
	return sigs
}

func TestSignals(t *testing.T) {
	sigs := mustSignals(t, demoNow)
	if len(sigs) < 40 {
		t.Errorf("Signals() returned %d signals, want at least 40", len(sigs))
	}
	keys := map[string]bool{}
	types := map[backend.SignalType]int{}
	sources := map[backend.Source]int{}
	for i, s := range sigs {
		s.Normalize()
		if err := s.Validate(); err != nil {
			t.Errorf("signal %s: Validate() = %v, want nil", s.DedupeKey, err)
		}
		if !strings.HasPrefix(s.DedupeKey, "demo:") {
			t.Errorf("signal %d: DedupeKey = %q, want the prefix demo:", i, s.DedupeKey)
		}
		if keys[s.DedupeKey] {
			t.Errorf("DedupeKey %q appears twice", s.DedupeKey)
		}
		keys[s.DedupeKey] = true
		if i > 0 && s.OccurredAt.Before(sigs[i-1].OccurredAt) {
			t.Errorf("signal %s occurs before %s but comes after it", s.DedupeKey, sigs[i-1].DedupeKey)
		}
		if s.OccurredAt.After(demoNow) {
			t.Errorf("signal %s occurs in the future (%v)", s.DedupeKey, s.OccurredAt)
		}
		types[s.Type]++
		sources[s.Source]++
	}
	// Every kind of signal except the derived deal.stalled shows up, and
	// task.completed, which only completes a task an execution created.
	for _, typ := range backend.SignalTypes {
		if typ != backend.SignalDealStalled && typ != backend.SignalTaskCompleted && types[typ] == 0 {
			t.Errorf("the scenario has no %s signal", typ)
		}
	}
	for _, src := range []backend.Source{backend.SourceGmail, backend.SourceHubSpot, backend.SourceGCal, backend.SourceX, backend.SourceForm} {
		if sources[src] == 0 {
			t.Errorf("the scenario has no signal from %s", src)
		}
	}

	t.Run("StableKeys", func(t *testing.T) {
		again := mustSignals(t, demoNow.Add(time.Hour))
		for i := range sigs {
			if sigs[i].DedupeKey != again[i].DedupeKey {
				t.Errorf("signal %d: DedupeKey = %q, then %q", i, sigs[i].DedupeKey, again[i].DedupeKey)
			}
		}
	})
}

// TestSignals_RelativeTimes checks that every time in the scenario moves
// with now: the demo always reads as "this week". Meetings ahead are the
// exception: they are booked on quarter hours in working hours
// (TestDemo_MeetingsAheadInWorkingHours).
func TestSignals_RelativeTimes(t *testing.T) {
	shift := 37*time.Hour + 13*time.Minute
	a := mustSignals(t, demoNow)
	b := mustSignals(t, demoNow.Add(shift).In(time.FixedZone("PDT", -7*3600)))
	if len(a) != len(b) {
		t.Fatalf("Signals() returned %d signals, then %d", len(a), len(b))
	}
	same := func(key, what string, x, y time.Time) {
		t.Helper()
		if x.IsZero() != y.IsZero() || (!x.IsZero() && y.Sub(x) != shift) {
			t.Errorf("signal %s: %s moved by %v, want %v", key, what, y.Sub(x), shift)
		}
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.DedupeKey != y.DedupeKey {
			t.Fatalf("signal %d: %s, then %s", i, x.DedupeKey, y.DedupeKey)
		}
		same(x.DedupeKey, "occurred_at", x.OccurredAt, y.OccurredAt)
		if x.Meeting != nil && (!x.Meeting.External || !x.Meeting.Start.After(demoNow)) {
			same(x.DedupeKey, "meeting.start", x.Meeting.Start, y.Meeting.Start)
			same(x.DedupeKey, "meeting.end", x.Meeting.End, y.Meeting.End)
		}
		if x.Email != nil {
			same(x.DedupeKey, "email.received_at", x.Email.ReceivedAt, y.Email.ReceivedAt)
		}
		if x.Deal != nil {
			same(x.DedupeKey, "deal.close_date", x.Deal.CloseDate, y.Deal.CloseDate)
			same(x.DedupeKey, "deal.last_activity_at", x.Deal.LastActivityAt, y.Deal.LastActivityAt)
		}
		for _, k := range []string{"demo_at", "returns_at"} {
			if x.Payload[k] == "" {
				continue
			}
			tx, err1 := time.Parse(time.RFC3339, x.Payload[k])
			ty, err2 := time.Parse(time.RFC3339, y.Payload[k])
			if err1 != nil || err2 != nil {
				t.Errorf("signal %s: payload %s = %q, %q, want RFC 3339", x.DedupeKey, k, x.Payload[k], y.Payload[k])
				continue
			}
			if k == "demo_at" && tx.After(demoNow) {
				continue // booked in working hours
			}
			same(x.DedupeKey, "payload."+k, tx, ty)
		}
	}
}

func TestParse(t *testing.T) {
	const okSignal = `{"source":"x","type":"social.mention","occurred_at":"-1h","dedupe_key":"demo:s1","post":{"id":"p1","author":"a"}}`
	t.Run("OK", func(t *testing.T) {
		sigs, err := demo.Parse([]byte("# a comment\n\n"+okSignal+"\n"), demoNow)
		if err != nil {
			t.Fatalf("Parse() error: %v", err)
		}
		if len(sigs) != 1 || sigs[0].DedupeKey != "demo:s1" || !sigs[0].OccurredAt.Equal(demoNow.Add(-time.Hour)) {
			t.Errorf("Parse() = %+v, want one mention an hour ago keyed demo:s1", sigs[0])
		}
	})
	for _, tt := range []struct {
		name, lines, msg string
	}{
		{"ErrSyntax", `{"source":`, "line 1: not a valid signal"},
		{"ErrUnknownField", `{"source":"x","type":"social.mention","occurred_at":"-1h","dedupe_key":"demo:s1","when":"x"}`, `unknown field "when"`},
		{"ErrRepeatedKey", okSignal + "\n" + okSignal, "line 2: dedupe_key \"demo:s1\" repeats line 1"},
		{"ErrKeyPrefix", `{"source":"x","type":"social.mention","occurred_at":"-1h","dedupe_key":"s1","post":{"id":"p","author":"a"}}`, "must start with"},
		{"ErrBadOffset", `{"source":"x","type":"social.mention","occurred_at":"3h","dedupe_key":"demo:s1","post":{"id":"p","author":"a"}}`, "occurred_at"},
		{"ErrInvalidSignal", `{"source":"fax","type":"social.mention","occurred_at":"-1h","dedupe_key":"demo:s1","post":{"id":"p","author":"a"}}`, "source"},
		{"ErrMissingFacts", `{"source":"form","type":"form.submitted","occurred_at":"-1h","dedupe_key":"demo:s1"}`, "needs a form"},
		{"ErrBadPayloadTime", `{"source":"hubspot","type":"deal.stage_changed","occurred_at":"-1h","dedupe_key":"demo:s1","deal":{"id":"d","stage":"demo"},"payload":{"demo_at":"tomorrow"}}`, "payload.demo_at"},
		{"ErrMeetingEndsFirst", `{"source":"gcal","type":"meeting.upcoming","occurred_at":"-1h","dedupe_key":"demo:s1","meeting":{"id":"m","start":"+2h","end":"+1h"}}`, "ends before it starts"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sigs, err := demo.Parse([]byte(tt.lines), demoNow)
			if got := backend.ErrorCode(err); got != backend.EINVALID || !strings.Contains(backend.ErrorMessage(err), tt.msg) {
				t.Errorf("Parse(%s) = %d signals, error %q (%v), want %q containing %q", tt.lines, len(sigs), got, err, backend.EINVALID, tt.msg)
			}
		})
	}
	t.Run("ErrNoNow", func(t *testing.T) {
		if _, err := demo.Parse([]byte(okSignal), time.Time{}); backend.ErrorCode(err) != backend.EINVALID {
			t.Errorf("Parse(zero time) error = %v, want code %q", err, backend.EINVALID)
		}
	})
}

func mustOpenStore(tb testing.TB) *store.DB {
	tb.Helper()
	db, err := store.Open(filepath.Join(tb.TempDir(), "caseyos.db"), store.Options{})
	if err != nil {
		tb.Fatalf("store.Open() error: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("Close() error: %v", err)
		}
	})
	return db
}

// TestDemo_Ingest loads the scenario into a real data file and checks that
// Today's Moves looks like a founder's morning: a dozen or so moves across
// sales, marketing and customer success, ranked with a clear spread, and
// nothing whose moment has passed.
func TestDemo_Ingest(t *testing.T) {
	ctx := context.Background()
	db := mustOpenStore(t)
	q := backend.NewServices(db, backend.NewManualClock(demoNow), nil, backend.LocalExecutor{})
	if err := q.Settings.Save(ctx, demo.Settings(), backend.ActorSystem); err != nil {
		t.Fatal(err)
	}
	sigs := mustSignals(t, demoNow)

	rep, err := q.Ingest.Batch(ctx, sigs)
	if err != nil {
		t.Fatalf("Ingest() error: %v", err)
	}
	if len(rep.Invalid) > 0 || rep.Stored != len(sigs) {
		t.Fatalf("Ingest() stored %d of %d signals, invalid %v", rep.Stored, len(sigs), rep.Invalid)
	}
	ref, err := q.Moves.Refresh(ctx)
	if err != nil {
		t.Fatalf("Refresh() error: %v", err)
	}
	if ref.Stalled != 2 {
		t.Errorf("Refresh() derived %d stalled-deal signals, want 2 (Brightpath, Orbital)", ref.Stalled)
	}
	today, err := q.Moves.Today(ctx, backend.TodayFilter{Limit: 100})
	if err != nil {
		t.Fatalf("Today() error: %v", err)
	}

	t.Logf("ingest: %d signals stored, %d moves created, %d updates; refresh: %d stalled", rep.Stored, len(rep.Created), len(rep.Updated), ref.Stalled)
	for _, m := range today.Moves {
		t.Logf("%5.1f  %-9s  %s\n\t\t%s", m.Score.APS, m.Domain, m.Title, m.TopReason())
	}

	if today.Pending < 12 || today.Pending > 20 || len(today.Moves) != today.Pending {
		t.Errorf("Today() = %d moves of %d pending, want 12 to 20, all of them", len(today.Moves), today.Pending)
	}
	// What the emails say shows: Helix's churn risk ranks in the top 3,
	// Dana's reply comes with the call she proposed and the contract stage.
	rank := map[string]int{}
	for i, m := range today.Moves {
		rank[string(m.Kind)+" "+m.Subject.Key()] = i + 1
	}
	if r := rank["send_email thread:thr-helix-renewal"]; r == 0 || r > 3 || today.Moves[r-1].Domain != backend.DomainCS {
		t.Errorf("Helix churn risk ranks %d, want a CS move in the top 3", r)
	}
	for _, k := range []string{"schedule_meeting thread:thr-northwind-eval", "update_deal deal:9001", "schedule_meeting thread:thr-finch-deepdive", "send_email thread:thr-northwind-eval"} {
		if rank[k] == 0 {
			t.Errorf("no %s move in Today", k)
		}
	}
	for _, m := range today.Moves {
		if m.Kind == backend.KindSendEmail && m.Subject.Key() == "thread:thr-northwind-eval" {
			t.Logf("Dana's reply draft:\n%s", m.Draft.Body)
			for _, want := range []string{"40", "SOC 2", "Thursday"} {
				if !strings.Contains(m.Draft.Body, want) {
					t.Errorf("Dana's reply draft does not mention %q:\n%s", want, m.Draft.Body)
				}
			}
		}
		if m.Kind == backend.KindUpdateDeal && m.Draft.DealStage != "contractsent" {
			t.Errorf("stage move %q to %q, want contractsent", m.Title, m.Draft.DealStage)
		}
		if m.Subject.Key() == "thread:thr-northwind-eval" && m.Kind == backend.KindScheduleMeeting && len(backend.ProposedWindows(m.Draft)) == 0 {
			t.Errorf("Dana's call carries no proposed window: %v", m.Draft.Fields)
		}
	}
	for _, d := range backend.Domains {
		if today.ByDomain[d] == 0 {
			t.Errorf("Today() has no %s move (by domain: %v)", d, today.ByDomain)
		}
	}
	if n := len(today.Moves); n > 0 {
		top, bottom := today.Moves[0].Score.APS, today.Moves[n-1].Score.APS
		if top-bottom < 30 {
			t.Errorf("APS spread = %.1f (%.1f to %.1f), want at least 30", top-bottom, top, bottom)
		}
	}
	for _, m := range today.Moves {
		if strings.TrimSpace(m.Title) == "" || m.TopReason() == "" {
			t.Errorf("move %d (%s) has an empty title or top reason", m.ID, m.Kind)
		}
		if h := backend.DraftHoles(m); len(h) > 0 {
			t.Errorf("move %d (%s) drafts template holes: %v", m.ID, m.Title, h)
		}
	}

	// Every move ever created, not just the pending ones.
	var all []*backend.Move
	if err := db.View(ctx, func(tx backend.Tx) error {
		var err error
		all, _, err = tx.FindMoves(backend.MoveFilter{})
		return err
	}); err != nil {
		t.Fatalf("FindMoves() error: %v", err)
	}
	bySubject := map[string][]*backend.Move{}
	for _, m := range all {
		bySubject[m.Subject.Key()] = append(bySubject[m.Subject.Key()], m)
	}
	for _, s := range mustSignals(t, demoNow) {
		if s.Meeting == nil {
			continue
		}
		key := backend.Subject{Type: backend.SubjectMeeting, ID: s.Meeting.ID}.Key()
		for _, m := range bySubject[key] {
			switch {
			case !s.Meeting.External:
				t.Errorf("internal meeting %q produced move %q", s.Meeting.Title, m.Title)
			case s.Type == backend.SignalMeetingUpcoming && !s.Meeting.Start.After(demoNow) && m.Kind == backend.KindNote:
				t.Errorf("meeting %q had already started, yet produced move %q", s.Meeting.Title, m.Title)
			}
		}
	}
	for _, key := range []string{"meeting:gcal-cobalt-review", "meeting:gcal-pipeline-review-2"} {
		if len(bySubject[key]) > 0 {
			t.Errorf("%s produced %d moves, want none", key, len(bySubject[key]))
		}
	}
	// Dana's three emails are one reply move, updated twice; the last
	// also proposes a call.
	var replies, calls []*backend.Move
	for _, m := range bySubject["thread:thr-northwind-eval"] {
		switch m.Kind {
		case backend.KindSendEmail:
			replies = append(replies, m)
		case backend.KindScheduleMeeting:
			calls = append(calls, m)
		}
	}
	if len(replies) != 1 || len(replies[0].SignalIDs) != 3 || len(calls) != 1 {
		t.Errorf("Northwind thread has %d replies and %d calls, want 1 reply carrying its 3 signals and 1 call", len(replies), len(calls))
	}
	// The pricing question and the demo request are one follow-up.
	if ms := bySubject["contact:sam.patel@acmerobotics.com"]; len(ms) != 1 || len(ms[0].SignalIDs) != 2 {
		t.Errorf("Acme forms made %d moves, want 1 carrying both forms", len(ms))
	}

	t.Run("Again", func(t *testing.T) {
		again, err := q.Ingest.Batch(ctx, mustSignals(t, demoNow))
		if err != nil {
			t.Fatalf("Ingest() again error: %v", err)
		}
		if again.Stored != 0 || again.Duplicates != len(sigs) || len(again.Created)+len(again.Updated) != 0 {
			t.Errorf("Ingest() again stored %d, %d duplicates, %d created, %d updated; want 0, %d, 0, 0",
				again.Stored, again.Duplicates, len(again.Created), len(again.Updated), len(sigs))
		}
	})
}
