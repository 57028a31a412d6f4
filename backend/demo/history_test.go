package demo_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/backend/demo"
)

func TestHistory(t *testing.T) {
	now := time.Date(2026, 12, 9, 15, 30, 0, 0, time.UTC) // a Wednesday
	h := demo.History(now)
	if !reflect.DeepEqual(h, demo.History(now)) {
		t.Fatal("History(now) differs between two calls: want it seeded")
	}
	// Moved along with now, the same history.
	later := demo.History(now.AddDate(0, 0, 7))
	if len(later) != len(h) || later[0].Move.Title != h[0].Move.Title {
		t.Errorf("History a week later = %d moves starting %q, want %d starting %q", len(later), later[0].Move.Title, len(h), h[0].Move.Title)
	}
	if len(h) < 50 || len(h) > 70 {
		t.Errorf("History = %d moves, want about sixty", len(h))
	}
	kinds := map[backend.MoveKind]int{}
	types := map[backend.OutcomeType]int{}
	emails, replied, rule, unanswered := 0, 0, 0, 0
	for i, p := range h {
		if i > 0 && p.ExecutedAt.Before(h[i-1].ExecutedAt) {
			t.Errorf("move %d at %v comes before the one above: want oldest first", i, p.ExecutedAt)
		}
		if age := now.Sub(p.ExecutedAt); age < 24*time.Hour || age > demo.HistoryWeeks*7*24*time.Hour {
			t.Errorf("%q carried out %v ago, want between a day and %d weeks", p.Move.Title, age, demo.HistoryWeeks)
		}
		if wd := p.ExecutedAt.Weekday(); wd == time.Saturday || wd == time.Sunday {
			t.Errorf("%q carried out on a %v", p.Move.Title, wd)
		}
		kinds[p.Move.Kind]++
		got := map[backend.OutcomeType]bool{}
		for _, o := range p.Outcomes {
			if o.At.Before(p.ExecutedAt) || !o.At.Before(now) {
				t.Errorf("%q: %s at %v, want between its execution %v and now", p.Move.Title, o.Type, o.At, p.ExecutedAt)
			}
			types[o.Type]++
			got[o.Type] = true
		}
		if p.Move.Kind == backend.KindSendEmail {
			emails++
			if got[backend.OutcomeReplied] {
				replied++
			}
			if got[backend.OutcomeNoResponse] {
				t.Errorf("%q has no_response in the history: the sweep records it", p.Move.Title)
			}
			if len(p.Outcomes) == 0 {
				unanswered++
			}
			if p.Actor == backend.ActorRule {
				rule++
			}
		}
	}
	// The cold emails nobody answered, on their threads: what follow-ups start from.
	cold := 0
	for _, p := range h {
		if p.Move.Kind == backend.KindSendEmail && len(p.Outcomes) == 0 && p.Move.Draft.ThreadID != "" && now.Sub(p.ExecutedAt) > 5*24*time.Hour {
			cold++
		}
	}
	if cold < 2 {
		t.Errorf("unanswered emails on a thread, a week old or more = %d, want at least 2", cold)
	}
	if len(kinds) != 6 {
		t.Errorf("kinds = %v, want six kinds carried out", kinds)
	}
	// Realistic: most emails go unanswered, some are answered.
	if rate := float64(replied) / float64(emails); rate < 0.15 || rate > 0.5 {
		t.Errorf("reply rate = %d/%d, want between 15%% and 50%%", replied, emails)
	}
	if unanswered < emails/2 {
		t.Errorf("unanswered emails = %d of %d, want most", unanswered, emails)
	}
	if rule == 0 || rule == emails {
		t.Errorf("auto-approved emails = %d of %d, want some, not all", rule, emails)
	}
	for _, want := range []backend.OutcomeType{backend.OutcomePositiveReply, backend.OutcomeNegativeReply,
		backend.OutcomeMeetingBooked, backend.OutcomeDealAdvanced, backend.OutcomeDealWon, backend.OutcomeTaskCompleted} {
		if types[want] == 0 {
			t.Errorf("no %s outcome in the history (have %v)", want, types)
		}
	}
}
