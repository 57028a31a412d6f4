package backend_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

// metricsNow is a Wednesday, 10:00 in the owner's zone (UTC-5).
var (
	metricsZone = time.FixedZone("EST", -5*3600)
	metricsNow  = time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
)

func pastMove(kind backend.MoveKind, actor backend.Actor, at time.Time, outcomes ...backend.OutcomeType) backend.PastMove {
	m := &backend.Move{Kind: kind, Domain: backend.DomainSales, Title: fmt.Sprintf("%s at %s", kind, at.Format(time.RFC3339)),
		Subject: backend.Subject{Type: backend.SubjectContact, ID: "c-" + at.Format("0102150405")}}
	if kind == backend.KindSendEmail {
		m.Draft.To = []string{"dana@northwind.io"}
	}
	p := backend.PastMove{Move: m, Actor: actor, ExecutedAt: at}
	for i, o := range outcomes {
		p.Outcomes = append(p.Outcomes, backend.PastOutcome{Type: o, At: at.Add(time.Duration(i+1) * time.Hour)})
	}
	return p
}

// followUp is a past step of a follow-up sequence.
func followUp(at time.Time, outcomes ...backend.OutcomeType) backend.PastMove {
	p := pastMove(backend.KindSendEmail, backend.ActorKey, at, outcomes...)
	p.Move.Subject = backend.Subject{Type: backend.SubjectFollowUp, ID: "thread-" + at.Format("150405") + "/2"}
	return p
}

// metricsRow writes every cell of a row, rates to two places ("-" when
// the denominator is 0), so a failure shows the whole row.
func metricsRow(k backend.KindMetrics) string {
	r := func(p *float64) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprintf("%.2f", *p)
	}
	return fmt.Sprintf("%s ex=%d rep=%d pos=%d meet=%d adv=%d won=%d auto=%d min=%d fu=%d/%d base=%d rr=%s prr=%s auto%%=%s",
		k.Kind, k.Executed, k.Replied, k.PositiveReplies, k.MeetingsBooked, k.DealsAdvanced, k.DealsWon, k.AutoApproved,
		k.MinutesSaved, k.FollowUpsAnswered, k.FollowUpsSent, k.ReplyBase, r(k.ReplyRate), r(k.PositiveReplyRate), r(k.AutoApprovedShare))
}

func TestMetricsService_Metrics(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "caseyos.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	q := backend.NewServices(db, backend.NewManualClock(metricsNow), nil)
	q.SetZone(metricsZone)
	at := func(month time.Month, day, hour int) time.Time {
		return time.Date(2026, month, day, hour, 0, 0, 0, time.UTC)
	}
	const (
		key  = backend.ActorKey
		rule = backend.ActorRule
	)
	past := []backend.PastMove{
		// Before the three weeks asked for: not counted.
		pastMove(backend.KindSendEmail, key, at(11, 5, 15), backend.OutcomeReplied),
		// Week of 9 November.
		pastMove(backend.KindUpdateDeal, key, at(11, 10, 15), backend.OutcomeDealAdvanced, backend.OutcomeDealWon),
		pastMove(backend.KindReplySocial, key, at(11, 12, 15), backend.OutcomeMentionEngaged, backend.OutcomeReplied),
		// Week of 16 November.
		pastMove(backend.KindCreateTask, rule, at(11, 17, 15), backend.OutcomeTaskCompleted, backend.OutcomeDealAdvanced),
		pastMove(backend.KindSendEmail, key, at(11, 18, 15), backend.OutcomeNoResponse),
		pastMove(backend.KindSendEmail, key, at(11, 19, 15), backend.OutcomeReplied), // corrected below to out_of_office
		// Monday 04:00 UTC is Sunday 23:00 in the owner's zone: still the week of 16 November.
		pastMove(backend.KindSendEmail, rule, at(11, 23, 4), backend.OutcomeNegativeReply),
		// This week (from Monday 23 November, 00:00 UTC-5 = 05:00 UTC).
		pastMove(backend.KindSendEmail, key, at(11, 23, 6), backend.OutcomeReplied, backend.OutcomePositiveReply, backend.OutcomeMeetingBooked),
		pastMove(backend.KindNote, key, at(11, 24, 15)),
		followUp(at(11, 24, 16), backend.OutcomeReplied), // a follow-up answered
		followUp(at(11, 24, 17)),                         // and one not
	}
	if err := q.LoadHistory(ctx, past); err != nil {
		t.Fatal(err)
	}
	// A detected reply that was an auto-reply, corrected by hand.
	var corrected *backend.Move
	moves, err := allMoves(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range moves {
		if m.Title == past[5].Move.Title {
			corrected = m
		}
	}
	os, err := q.Outcomes.List(ctx, corrected.ID)
	if err != nil || len(os) != 1 {
		t.Fatalf("outcomes of the corrected move = %v, %v", os, err)
	}
	if _, err := q.Outcomes.Record(ctx, backend.OutcomeInput{MoveID: corrected.ID, Type: backend.OutcomeOutOfOffice, Corrects: os[0].ID}); err != nil {
		t.Fatal(err)
	}

	got, err := q.Metrics.Metrics(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		start string
		rows  []string // the kinds, then the total
	}{
		{"2026-11-09T00:00:00-05:00", []string{
			"update_deal ex=1 rep=0 pos=0 meet=0 adv=1 won=1 auto=0 min=5 fu=0/0 base=0 rr=- prr=- auto%=0.00",
			"reply_social ex=1 rep=1 pos=0 meet=0 adv=0 won=0 auto=0 min=5 fu=0/0 base=1 rr=1.00 prr=0.00 auto%=0.00",
			" ex=2 rep=1 pos=0 meet=0 adv=1 won=1 auto=0 min=10 fu=0/0 base=1 rr=1.00 prr=0.00 auto%=0.00",
		}},
		{"2026-11-16T00:00:00-05:00", []string{
			"send_email ex=3 rep=1 pos=0 meet=0 adv=0 won=0 auto=1 min=45 fu=0/0 base=3 rr=0.33 prr=0.00 auto%=0.33",
			"create_task ex=1 rep=0 pos=0 meet=0 adv=1 won=0 auto=1 min=30 fu=0/0 base=0 rr=- prr=- auto%=1.00",
			" ex=4 rep=1 pos=0 meet=0 adv=1 won=0 auto=2 min=75 fu=0/0 base=3 rr=0.33 prr=0.00 auto%=0.50",
		}},
		{"2026-11-23T00:00:00-05:00", []string{
			"send_email ex=3 rep=2 pos=1 meet=1 adv=0 won=0 auto=0 min=45 fu=1/2 base=3 rr=0.67 prr=0.33 auto%=0.00",
			"note ex=1 rep=0 pos=0 meet=0 adv=0 won=0 auto=0 min=20 fu=0/0 base=0 rr=- prr=- auto%=0.00",
			" ex=4 rep=2 pos=1 meet=1 adv=0 won=0 auto=0 min=65 fu=1/2 base=3 rr=0.67 prr=0.33 auto%=0.00",
		}},
	}
	if len(got.Weeks) != len(want) {
		t.Fatalf("Metrics(3) = %d weeks, want %d", len(got.Weeks), len(want))
	}
	for i, w := range want {
		g := got.Weeks[i]
		if s := g.Start.Format(time.RFC3339); s != w.start || !g.End.Equal(g.Start.AddDate(0, 0, 7)) {
			t.Errorf("week %d = %s … %s, want %s and a week long", i, s, g.End.Format(time.RFC3339), w.start)
		}
		var rows []string
		for _, k := range g.Kinds {
			rows = append(rows, metricsRow(k))
		}
		rows = append(rows, metricsRow(g.Total))
		if strings.Join(rows, "\n") != strings.Join(w.rows, "\n") {
			t.Errorf("week of %s:\n%s\nwant\n%s", w.start, strings.Join(rows, "\n"), strings.Join(w.rows, "\n"))
		}
	}
	t.Run("ErrInvalid", func(t *testing.T) {
		if _, err := q.Metrics.Metrics(ctx, backend.MaxMetricsWeeks+1); backend.ErrorCode(err) != backend.EINVALID {
			t.Errorf("Metrics(%d) = %v, want invalid", backend.MaxMetricsWeeks+1, err)
		}
	})
	t.Run("EmptyWeeksHaveNoRates", func(t *testing.T) {
		m, err := q.Metrics.Metrics(ctx, 5)
		if err != nil {
			t.Fatal(err)
		}
		if e := m.Weeks[0]; len(e.Kinds) != 0 || e.Total.Executed != 0 || e.Total.ReplyRate != nil || e.Total.AutoApprovedShare != nil {
			t.Errorf("empty week = %s, want no rows and no rates", metricsRow(e.Total))
		}
	})
}

func allMoves(ctx context.Context, db backend.Store) ([]*backend.Move, error) {
	var out []*backend.Move
	err := db.View(ctx, func(tx backend.Tx) error {
		var err error
		out, _, err = tx.FindMoves(backend.MoveFilter{})
		return err
	})
	return out, err
}

func TestServices_LoadHistory(t *testing.T) {
	f := newQueue(t)
	f.q.SetZone(time.UTC) // business days in a known zone
	var seen []backend.OutcomeType
	f.q.ObserveOutcome(func(tx backend.Tx, o *backend.Outcome, now time.Time) error {
		seen = append(seen, o.Type)
		return nil
	})
	at := testNow.Add(-72 * time.Hour)
	t.Run("OK", func(t *testing.T) {
		if err := f.q.LoadHistory(f.ctx, []backend.PastMove{pastMove(backend.KindSendEmail, backend.ActorRule, at, backend.OutcomeReplied, backend.OutcomeMeetingBooked)}); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(seen) != "[replied meeting_booked]" {
			t.Errorf("observers saw %v, want [replied meeting_booked]", seen)
		}
		moves, err := allMoves(f.ctx, f.db)
		if err != nil || len(moves) != 1 || moves[0].Status != backend.StatusDone || !moves[0].DoneAt.Equal(at) {
			t.Fatalf("moves = %v, %v; want one done at %v", moves, err, at)
		}
		os, _ := f.q.Outcomes.List(f.ctx, moves[0].ID)
		if len(os) != 2 || os[0].ExecutionID == 0 || !os[0].OccurredAt.Equal(at.Add(time.Hour)) {
			t.Errorf("outcomes = %+v, want two on the execution, an hour apart", os)
		}
	})
	t.Run("UnansweredEmailsGetNoResponse", func(t *testing.T) {
		old := testNow.Add(-10 * 24 * time.Hour) // Thursday 12 November
		recent := testNow.Add(-24 * time.Hour)   // Saturday: due Wednesday
		answered := pastMove(backend.KindSendEmail, backend.ActorKey, old.Add(time.Hour), backend.OutcomeReplied)
		silent, waiting := pastMove(backend.KindSendEmail, backend.ActorKey, old), pastMove(backend.KindSendEmail, backend.ActorKey, recent)
		if err := f.q.LoadHistory(f.ctx, []backend.PastMove{silent, answered, waiting}); err != nil {
			t.Fatal(err)
		}
		types := func(title string) string {
			moves, _ := allMoves(f.ctx, f.db)
			for _, m := range moves {
				if m.Title == title {
					os, _ := f.q.Outcomes.List(f.ctx, m.ID)
					var out []string
					for _, o := range os {
						out = append(out, string(o.Type)+"@"+o.OccurredAt.Format("Mon"))
					}
					return strings.Join(out, ",")
				}
			}
			return "no move"
		}
		for _, c := range []struct{ title, want string }{
			{silent.Move.Title, "no_response@Tue"}, // three business days after Thursday
			{answered.Move.Title, "replied@Thu"},
			{waiting.Move.Title, ""},
		} {
			if got := types(c.title); got != c.want {
				t.Errorf("%s: outcomes %q, want %q", c.title, got, c.want)
			}
		}
		f.clock.Set(testNow.Add(4 * 24 * time.Hour))
		if _, err := f.q.Outcomes.Sweep(f.ctx); err != nil {
			t.Fatal(err)
		}
		if got := types(waiting.Move.Title); got != "no_response@Wed" {
			t.Errorf("waiting email after its wait: %q, want no_response@Wed", got)
		}
		f.clock.Set(testNow)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for name, p := range map[string]backend.PastMove{
			"future":          pastMove(backend.KindNote, backend.ActorKey, testNow.Add(time.Hour)),
			"outcome before":  {Move: pastMove(backend.KindNote, backend.ActorKey, at).Move, ExecutedAt: at, Outcomes: []backend.PastOutcome{{Type: backend.OutcomeReplied, At: at.Add(-time.Hour)}}},
			"unknown outcome": pastMove(backend.KindNote, backend.ActorKey, at, "maybe"),
		} {
			if err := f.q.LoadHistory(f.ctx, []backend.PastMove{p}); backend.ErrorCode(err) != backend.EINVALID {
				t.Errorf("%s: LoadHistory = %v, want invalid", name, err)
			}
		}
	})
}
