package demo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// TestDemo_StalledNudgesLast: the demo's quiet deals keep their nudges as
// the weeks pass (they used to expire 14 days after the stall, so
// Brightpath's vanished within a week), and grow more urgent.
func TestDemo_StalledNudgesLast(t *testing.T) {
	ctx := context.Background()
	db := mustOpenStore(t)
	clock := backend.NewManualClock(demoNow)
	q := backend.NewServices(db, clock, nil, backend.LocalExecutor{})
	if _, err := q.Ingest.Batch(ctx, mustSignals(t, demoNow)); err != nil {
		t.Fatal(err)
	}
	nudges := func() map[string]*backend.Move {
		if _, err := q.Moves.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		res, err := q.Moves.Today(ctx, backend.TodayFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]*backend.Move{}
		for _, m := range res.Moves {
			if m.Subject.Type == backend.SubjectDeal && strings.Contains(m.Title, "gone quiet") {
				out[m.Title] = m
			}
		}
		return out
	}
	first := nudges()
	if len(first) != 2 {
		t.Fatalf("the demo has %d stalled-deal nudges, want 2 (Brightpath, Orbital)", len(first))
	}
	for title := range first {
		if !strings.Contains(title, "Brightpath") && !strings.Contains(title, "Orbital") {
			t.Errorf("unexpected nudge %q", title)
		}
	}
	clock.Advance(21 * 24 * time.Hour)
	later := nudges()
	for title, m := range first {
		l, ok := later[title]
		if !ok {
			t.Errorf("three weeks later %q is gone", title)
			continue
		}
		if l.Score.Urgency.Value <= m.Score.Urgency.Value {
			t.Errorf("%q: urgency %.3f → %.3f after three more quiet weeks, want higher", title, m.Score.Urgency.Value, l.Score.Urgency.Value)
		}
	}
}
