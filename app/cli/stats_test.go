package cli_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/app/cli"
	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/backend/demo"
)

// TestCLI_Stats reads the demo's history through `stats --json` and
// checks each week's totals against a tally of the history itself: what
// was loaded is what is counted.
func TestCLI_Stats(t *testing.T) {
	dir := t.TempDir()
	clock := backend.NewManualClock(now)
	code, out, errb := runCLI(t, dir, clock, "", "stats", "--json")
	if code != cli.ExitOK {
		t.Fatalf("stats --json: %d %s", code, errb)
	}
	var m app.MetricsDTO
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("stats --json: %v\n%s", err, out)
	}
	if len(m.Weeks) != 8 || !m.Workspace.Demo {
		t.Fatalf("stats --json = %d weeks (demo %v), want 8 of the demo", len(m.Weeks), m.Workspace.Demo)
	}
	type tally struct{ executed, replied, positive, meetings, won, auto, minutes, replyBase int }
	want := map[string]*tally{}
	effort := backend.DefaultSettings().EffortMinutes
	for _, p := range demo.History(now) {
		wk := backend.WeekStart(p.ExecutedAt, time.Local).Format(time.DateOnly)
		if want[wk] == nil {
			want[wk] = &tally{}
		}
		w := want[wk]
		w.executed++
		w.minutes += effort[p.Move.Kind]
		if p.Actor == backend.ActorRule {
			w.auto++
		}
		has := map[backend.OutcomeType]bool{}
		for _, o := range p.Outcomes {
			has[o.Type] = true
		}
		reply := p.Move.Kind == backend.KindSendEmail || p.Move.Kind == backend.KindReplySocial
		if reply {
			w.replyBase++
			if has[backend.OutcomeReplied] || has[backend.OutcomePositiveReply] || has[backend.OutcomeNegativeReply] {
				w.replied++
			}
			if has[backend.OutcomePositiveReply] {
				w.positive++
			}
		}
		if has[backend.OutcomeMeetingBooked] {
			w.meetings++
		}
		if has[backend.OutcomeDealWon] {
			w.won++
		}
	}
	total := 0
	for _, w := range m.Weeks {
		g := w.Total
		got := tally{g.Executed, g.Replied, g.PositiveReplies, g.MeetingsBooked, g.DealsWon, g.AutoApproved, g.MinutesSaved, g.ReplyBase}
		exp := tally{}
		if e := want[w.Start]; e != nil {
			exp = *e
		}
		if got != exp {
			t.Errorf("week of %s: total %+v, want %+v (the demo's history)", w.Start, got, exp)
		}
		total += g.Executed
	}
	if total != len(demo.History(now)) {
		t.Errorf("stats counted %d executions in 8 weeks, want all %d of the demo's history", total, len(demo.History(now)))
	}

	code, text, errb := runCLI(t, dir, clock, "", "stats", "--weeks", "2")
	if code != cli.ExitOK || !strings.Contains(text, "Week of ") || !strings.Contains(text, "reply rate") || strings.Count(text, "Week of ") != 2 {
		t.Errorf("stats --weeks 2: %d %q\n%s", code, errb, text)
	}
	for _, bad := range []string{"0", "105", "x"} {
		if code, _, errb := runCLI(t, dir, clock, "", "stats", "--weeks", bad); code != cli.ExitUsage || !strings.Contains(errb, "--weeks") {
			t.Errorf("stats --weeks %s: %d %q, want a usage error", bad, code, errb)
		}
	}
}

// TestCLI_DemoFollowUps: the demo's history leaves unanswered cold emails
// whose follow-ups are due, so a sequence shows on first run, on the
// thread of the email it follows up.
func TestCLI_DemoFollowUps(t *testing.T) {
	code, out, errb := runCLI(t, t.TempDir(), backend.NewManualClock(now), "", "today", "--json", "--limit", "100")
	if code != cli.ExitOK {
		t.Fatalf("today: %d %s", code, errb)
	}
	var today app.TodayDTO
	if err := json.Unmarshal([]byte(out), &today); err != nil {
		t.Fatal(err)
	}
	var follow []string
	for _, m := range today.Moves {
		if strings.HasPrefix(m.Subject, string(backend.SubjectFollowUp)+":") {
			follow = append(follow, m.Draft.To[0])
			if m.Draft.ThreadID == "" || !strings.HasSuffix(m.Subject, "/2") {
				t.Errorf("follow-up %q on %s in thread %q, want the second mail of a thread", m.Title, m.Subject, m.Draft.ThreadID)
			}
		}
	}
	if strings.Join(follow, " ") == "" || len(follow) != 2 {
		t.Errorf("follow-up moves to %v, want the two unanswered cold emails'", follow)
	}
}
