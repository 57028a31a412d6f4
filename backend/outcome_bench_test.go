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

// seedAwaiting stores n sent emails, committed two days before now, each
// awaiting a response: a done send_email move, its committed execution
// and its outcome watch, linked to the threads, contacts and deals that
// benchSignalsMixed's signals use, so a realistic share of them hits.
// One in ten is due a no_response during the ingest.
func seedAwaiting(tb testing.TB, db backend.Store, n int, now time.Time) {
	tb.Helper()
	sent := now.Add(-48 * time.Hour)
	const batch = 2_000
	for lo := 0; lo < n; lo += batch {
		err := db.Update(context.Background(), func(tx backend.Tx) error {
			for i := lo; i < min(lo+batch, n); i++ {
				email := fmt.Sprintf("p%d@co%d.example", i, i%(100_000/40+1))
				m := &backend.Move{Kind: backend.KindSendEmail, Title: "Reply", Status: backend.StatusDone, Domain: backend.DomainSales,
					Subject: backend.Subject{Type: backend.SubjectThread, ID: fmt.Sprintf("t%d", i)}, DealID: fmt.Sprintf("d%d", i),
					Draft: backend.Draft{To: []string{email}, Subject: "Re: pricing", Body: "Here it is."}, CreatedAt: sent, UpdatedAt: sent}
				if err := tx.CreateMove(m); err != nil {
					return err
				}
				e := &backend.Execution{MoveID: m.ID, IdempotencyKey: fmt.Sprintf("seed-%d", i), State: backend.ExecCommitted, Kind: backend.KindSendEmail,
					Action: backend.ActionSendEmail, CreatedAt: sent, UpdatedAt: sent, CommittedAt: sent}
				if err := tx.CreateExecution(e); err != nil {
					return err
				}
				due := now.Add(24 * time.Hour)
				if i%10 == 0 {
					due = now.Add(-time.Duration(i%3600) * time.Second)
				}
				w := &backend.OutcomeWatch{ExecutionID: e.ID, MoveID: m.ID, Kind: backend.KindSendEmail, Action: backend.ActionSendEmail,
					Links:   []string{fmt.Sprintf("thread:t%d", i), fmt.Sprintf("msgid:<seed-%d@pebblecache.dev>", i), "contact:" + email, fmt.Sprintf("deal:d%d", i)},
					Contact: email, CommittedAt: sent, RespondBy: due}
				if err := tx.PutOutcomeWatch(w); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkOutcomeDetect_100kSignals ingests benchSignalsMixed's 100,000
// signals, as BenchmarkIngest_Batch/Mixed does, into a store holding
// 10,000 sent emails awaiting a response (Awaiting10k), against the same
// ingest into a store holding none (NoExecutions): what detection adds.
// Target: at least 20,000 signals/s with detection on (docs/benchmarks.md).
func BenchmarkOutcomeDetect_100kSignals(b *testing.B) {
	for _, tc := range []struct {
		name    string
		waiting int
	}{{"NoExecutions", 0}, {"Awaiting10k", 10_000}} {
		b.Run(tc.name, func(b *testing.B) {
			const n = 100_000
			now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
			ctx := context.Background()
			b.ReportAllocs()
			var total, cpu time.Duration
			outcomes := 0
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				sigs := benchSignalsMixed(n, now)
				db, err := store.Open(filepath.Join(b.TempDir(), fmt.Sprintf("bench%d.db", i)), store.Options{})
				if err != nil {
					b.Fatal(err)
				}
				seedAwaiting(b, db, tc.waiting, now)
				q := backend.NewServices(db, backend.NewManualClock(now), nil)
				b.StartTimer()
				start, cpu0 := time.Now(), processCPU(b)
				for j := 0; j < n; j += ingestBatch {
					rep, err := q.Ingest.Batch(ctx, sigs[j:j+ingestBatch])
					if err != nil {
						b.Fatal(err)
					}
					if rep.Stored != ingestBatch {
						b.Fatalf("stored %d of %d", rep.Stored, ingestBatch)
					}
				}
				total += time.Since(start)
				cpu += processCPU(b) - cpu0
				b.StopTimer()
				outcomes = 0
				_ = db.View(ctx, func(tx backend.Tx) error {
					os, err := tx.RecentOutcomes(0)
					outcomes = len(os)
					return err
				})
				db.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(n)*float64(b.N)/total.Seconds(), "signals/s")
			// CPU time, on a shared machine where wall time measures the
			// neighbours: signals per CPU-second of this process.
			b.ReportMetric(float64(n)*float64(b.N)/cpu.Seconds(), "signals/cpu-s")
			b.ReportMetric(float64(outcomes), "outcomes")
		})
	}
}
