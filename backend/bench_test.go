package backend_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

// benchSignalsWorstCase makes n signals of which nearly every one creates a
// new move (each mention, meeting and form is about something new), spread
// over n/4 contacts, n/20 companies and n/10 deals: the most work an import
// of n signals can cause.
func benchSignalsWorstCase(n int, now time.Time) []*backend.Signal {
	out := make([]*backend.Signal, 0, n)
	for i := 0; i < n; i++ {
		at := now.Add(-time.Duration(i%600) * time.Minute)
		c := i % (n/4 + 1)
		email := fmt.Sprintf("p%d@co%d.example", c, c%(n/20+1))
		company := &backend.Company{ID: fmt.Sprintf("co%d", c%(n/20+1)), Name: "Company", Industry: []string{"SaaS", "Retail", "Fintech"}[c%3], Employees: 10 + c%900}
		contact := &backend.Contact{Email: email, Name: "Pat Example", Title: []string{"CEO", "Engineer", "VP Sales"}[c%3]}
		s := &backend.Signal{OccurredAt: at, DedupeKey: fmt.Sprintf("bench:%d", i), Contact: contact, Company: company}
		switch i % 5 {
		case 0:
			s.Source, s.Type = backend.SourceGmail, backend.SignalEmailReplied
			s.Email = &backend.EmailMessage{ThreadID: fmt.Sprintf("t%d", i%(n/3+1)), From: email, Subject: "Re: pricing", ReceivedAt: at}
		case 1:
			s.Source, s.Type = backend.SourceForm, backend.SignalFormSubmitted
			s.Form = &backend.FormSubmission{Form: "Request a demo"}
		case 2:
			s.Source, s.Type = backend.SourceHubSpot, backend.SignalDealStageChanged
			s.Deal = &backend.Deal{ID: fmt.Sprintf("d%d", i%(n/10+1)), Amount: float64(1000 * (i % 120)), Stage: []string{"presentationscheduled", "closedwon", "closedlost", "qualifiedtobuy"}[i%4]}
		case 3:
			s.Source, s.Type = backend.SourceX, backend.SignalSocialMention
			s.Post = &backend.Post{ID: fmt.Sprintf("x%d", i), Author: "someone", Text: "hello"}
			s.Contact, s.Company = nil, nil
		case 4:
			s.Source, s.Type = backend.SourceGCal, backend.SignalMeetingEnded
			s.Meeting = &backend.Meeting{ID: fmt.Sprintf("ev%d", i), Title: "Call", Start: at.Add(-time.Hour), End: at, External: true, Attendees: []string{"me@pebblecache.dev", email}}
		}
		out = append(out, s)
	}
	return out
}

// benchSignalsMixed makes n signals in the proportions a founder's
// accounts produce: most email arrives in threads that already have a move
// (about four messages per thread), most stage changes and meetings call for
// nothing (ordinary stages, internal meetings), and a minority is new work.
// Per 100 signals: 40 thread emails, 20 stage changes (45 % demo, won or
// lost), 20 meetings (40 % external), 10 forms, 6 mentions, 4 bounces.
func benchSignalsMixed(n int, now time.Time) []*backend.Signal {
	out := make([]*backend.Signal, 0, n)
	for i := 0; i < n; i++ {
		at := now.Add(-time.Duration(n-i) * time.Second)
		c := i % (n/8 + 1)
		email := fmt.Sprintf("p%d@co%d.example", c, c%(n/40+1))
		company := &backend.Company{ID: fmt.Sprintf("co%d", c%(n/40+1)), Name: "Company", Industry: []string{"SaaS", "Retail", "Fintech"}[c%3], Employees: 10 + c%900}
		contact := &backend.Contact{Email: email, Name: "Pat Example", Title: []string{"CEO", "Engineer", "VP Sales"}[c%3]}
		s := &backend.Signal{OccurredAt: at, DedupeKey: fmt.Sprintf("mix:%d", i), Contact: contact, Company: company}
		switch r := i % 100; {
		case r < 40:
			s.Source, s.Type = backend.SourceGmail, backend.SignalEmailReplied
			s.Email = &backend.EmailMessage{ThreadID: fmt.Sprintf("t%d", i/400*100+r/4), From: email, Subject: "Re: pricing", ReceivedAt: at}
		case r < 60:
			s.Source, s.Type = backend.SourceHubSpot, backend.SignalDealStageChanged
			stages := []string{"presentationscheduled", "closedwon", "closedlost", "qualifiedtobuy", "appointmentscheduled", "contractsent", "decisionmakerboughtin", "qualifiedtobuy", "presentationscheduled", "appointmentscheduled", "contractsent"}
			s.Deal = &backend.Deal{ID: fmt.Sprintf("d%d", i%(n/10+1)), Amount: float64(1000 * (i % 120)), Stage: stages[i%len(stages)]}
		case r < 80:
			typ := backend.SignalMeetingUpcoming
			if r%2 == 1 {
				typ = backend.SignalMeetingEnded
			}
			s.Source, s.Type = backend.SourceGCal, typ
			s.Meeting = &backend.Meeting{ID: fmt.Sprintf("ev%d", i), Title: "Call", Start: now.Add(time.Hour), End: now.Add(2 * time.Hour), External: r%5 < 2, Attendees: []string{"me@pebblecache.dev", email}}
			if typ == backend.SignalMeetingEnded {
				s.Meeting.Start, s.Meeting.End = at.Add(-time.Hour), at
			}
		case r < 90:
			s.Source, s.Type = backend.SourceForm, backend.SignalFormSubmitted
			s.Form = &backend.FormSubmission{Form: "Request a demo"}
		case r < 96:
			s.Source, s.Type = backend.SourceX, backend.SignalSocialMention
			s.Post = &backend.Post{ID: fmt.Sprintf("x%d", i), Author: "someone", Text: "hello"}
			s.Contact, s.Company = nil, nil
		default:
			s.Source, s.Type = backend.SourceGmail, backend.SignalEmailBounced
		}
		out = append(out, s)
	}
	return out
}

// ingestBatch is app.ingestBatch, the CLI's transaction size.
const ingestBatch = 20_000

// benchIngest ingests the signals gen makes, 100,000 at a time, into a
// fresh store per iteration, in the CLI's batches, and reports signals/s.
func benchIngest(b *testing.B, gen func(int, time.Time) []*backend.Signal) {
	const n = 100_000
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	ctx := context.Background()
	b.ReportAllocs()
	var total time.Duration
	moves := 0
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		sigs := gen(n, now)
		db, err := store.Open(filepath.Join(b.TempDir(), fmt.Sprintf("bench%d.db", i)), store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		q := backend.NewServices(db, backend.NewManualClock(now), nil)
		b.StartTimer()
		start := time.Now()
		created := 0
		for j := 0; j < n; j += ingestBatch {
			rep, err := q.Ingest.Batch(ctx, sigs[j:j+ingestBatch])
			if err != nil {
				b.Fatal(err)
			}
			if rep.Stored != ingestBatch {
				b.Fatalf("stored %d of %d (%d invalid: %v)", rep.Stored, ingestBatch, len(rep.Invalid), rep.Invalid)
			}
			created += len(rep.Created)
		}
		total += time.Since(start)
		b.StopTimer()
		moves = created
		db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(n)*float64(b.N)/total.Seconds(), "signals/s")
	b.ReportMetric(float64(moves), "moves")
}

// BenchmarkIngest_Batch ingests 100,000 signals through the recommenders
// into a fresh bbolt store. Target: at least 20,000 signals/s
// (docs/benchmarks.md). WorstCase makes a new move of nearly every signal;
// Mixed has the proportions of a founder's real accounts.
func BenchmarkIngest_Batch(b *testing.B) {
	b.Run("WorstCase", func(b *testing.B) { benchIngest(b, benchSignalsWorstCase) })
	b.Run("Mixed", func(b *testing.B) { benchIngest(b, benchSignalsMixed) })
}

// benchSignalsOneMoveEach makes n signals that each create one move, a
// third in each domain, with scores spread by amount, company fit and age.
func benchSignalsOneMoveEach(n int, now time.Time) []*backend.Signal {
	out := make([]*backend.Signal, 0, n)
	for i := 0; i < n; i++ {
		at := now.Add(-time.Duration(i%2000) * time.Minute)
		company := &backend.Company{ID: fmt.Sprintf("co%d", i%500), Industry: []string{"SaaS", "Retail", "Fintech"}[i%3], Employees: 10 + i%900}
		s := &backend.Signal{OccurredAt: at, DedupeKey: fmt.Sprintf("one:%d", i), Company: company}
		switch i % 3 {
		case 0:
			s.Source, s.Type = backend.SourceX, backend.SignalSocialMention
			s.Post = &backend.Post{ID: fmt.Sprintf("x%d", i), Author: "someone"}
		case 1:
			s.Source, s.Type = backend.SourceForm, backend.SignalFormSubmitted
			s.Contact = &backend.Contact{Email: fmt.Sprintf("lead%d@co%d.example", i, i%500)}
			s.Form = &backend.FormSubmission{Form: "Request a demo"}
		case 2:
			s.Source, s.Type = backend.SourceHubSpot, backend.SignalDealStageChanged
			s.Deal = &backend.Deal{ID: fmt.Sprintf("d%d", i), Amount: float64(500 * (i % 240)), Stage: "closedwon"}
		}
		out = append(out, s)
	}
	return out
}

// BenchmarkQueueToday_100kMoves measures Today's Moves as the UI and the
// CLI call it — the top 10 pending by APS and the per-domain counts, through
// the queue — with 100,000 pending moves. Target: median under 1 ms.
// Refresh runs at most every RefreshEvery (30 s) and is measured apart.
func BenchmarkQueueToday_100kMoves(b *testing.B) {
	const n = 100_000
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	ctx := context.Background()
	db, err := store.Open(filepath.Join(b.TempDir(), "today.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	q := backend.NewServices(db, backend.NewManualClock(now), nil)
	q.SetRefreshEvery(time.Hour)
	sigs := benchSignalsOneMoveEach(n, now)
	for j := 0; j < n; j += ingestBatch {
		if _, err := q.Ingest.Batch(ctx, sigs[j:j+ingestBatch]); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := q.Moves.Refresh(ctx); err != nil {
		b.Fatal(err)
	}
	res, err := q.Moves.Today(ctx, backend.TodayFilter{Limit: 10})
	if err != nil || res.Pending != n || len(res.Moves) != 10 {
		b.Fatalf("setup: %d pending, %d moves, %v", res.Pending, len(res.Moves), err)
	}
	cs := backend.DomainCS
	for _, bc := range []struct {
		name string
		f    backend.TodayFilter
	}{{"AllDomains", backend.TodayFilter{Limit: 10}}, {"CS", backend.TodayFilter{Domain: &cs, Limit: 10}}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := q.Moves.Today(ctx, bc.f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("Refresh", func(b *testing.B) {
		clock := backend.NewManualClock(now)
		rq := backend.NewServices(db, clock, nil)
		for i := 0; i < b.N; i++ {
			clock.Advance(time.Minute)
			if _, err := rq.Moves.Refresh(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}
