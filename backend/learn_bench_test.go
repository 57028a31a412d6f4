package backend_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

// BenchmarkLearning_Rescore_100kMoves measures recording one outcome with
// 100,000 moves pending: the outcome, the learner's update of its cell and
// the re-score of the pending moves of that cell — the largest cell of the
// benchmark's queue, the worst case — in one transaction. It reports how
// many pending moves each outcome read and wrote.
func BenchmarkLearning_Rescore_100kMoves(b *testing.B) {
	const n = 100_000
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	ctx := context.Background()
	db, err := store.Open(filepath.Join(b.TempDir(), "learn.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	clock := backend.NewManualClock(now)
	cs := &countingStore{Store: db}
	q := backend.NewServices(cs, clock, nil)
	q.SetRefreshEvery(time.Hour)
	sigs := benchSignalsOneMoveEach(n, now)
	for j := 0; j < n; j += ingestBatch {
		if _, err := q.Ingest.Batch(ctx, sigs[j:j+ingestBatch]); err != nil {
			b.Fatal(err)
		}
	}
	// Index every pending move by its cell (what a settings save does once).
	st, err := q.Settings.Get(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if err := q.Settings.Save(ctx, st, backend.ActorCLI); err != nil {
		b.Fatal(err)
	}
	// The largest cell that learns, and a done move in it.
	var done *backend.Move
	cellSize := 0
	err = db.Update(ctx, func(tx backend.Tx) error {
		pending := backend.StatusPending
		moves, total, err := tx.FindMoves(backend.MoveFilter{Status: &pending})
		if err != nil || total != n {
			b.Fatalf("setup: %d pending, %v", total, err)
		}
		size := map[string]int{}
		var best *backend.Move
		for _, m := range moves {
			if _, ok := backend.LearnRules[m.Kind]; !ok {
				continue
			}
			size[m.Score.Learned.Cell]++
			if best == nil || size[m.Score.Learned.Cell] > size[best.Score.Learned.Cell] {
				best = m
			}
		}
		cellSize = size[best.Score.Learned.Cell]
		b.Logf("%d cells that learn; the largest, %s, holds %d of %d pending moves", len(size), best.Score.Learned.Cell, cellSize, n)
		d := *best
		d.ID, d.Status, d.Subject = 0, backend.StatusDone, backend.Subject{Type: backend.SubjectThread, ID: "bench-done"}
		if err := tx.CreateMove(&d); err != nil {
			return err
		}
		done = &d
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	// Alternate the verdict, so every outcome changes the cell.
	types := map[backend.MoveKind][2]backend.OutcomeType{
		backend.KindSendEmail:   {backend.OutcomePositiveReply, backend.OutcomeNegativeReply},
		backend.KindCreateTask:  {backend.OutcomeTaskCompleted, backend.OutcomeDealLost},
		backend.KindUpdateDeal:  {backend.OutcomeDealAdvanced, backend.OutcomeDealLost},
		backend.KindReplySocial: {backend.OutcomeMentionEngaged, backend.OutcomeNegativeReply},
	}[done.Kind]
	b.Run("OneOutcome", func(b *testing.B) {
		b.ReportAllocs()
		cs.read, cs.writes = 0, 0
		cpu0 := processCPU(b)
		for i := 0; i < b.N; i++ {
			clock.Advance(time.Second)
			if _, err := q.Outcomes.Record(ctx, backend.OutcomeInput{MoveID: done.ID, Type: types[i%2]}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64((processCPU(b)-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
		b.ReportMetric(float64(cs.read)/float64(b.N), "moves-read/op")
		b.ReportMetric(float64(cs.writes)/float64(b.N), "moves-written/op")
	})
}

// BenchmarkScorer_Learned measures what the learned term adds to scoring
// one move: the same move scored with learning off and with evidence.
func BenchmarkScorer_Learned(b *testing.B) {
	src := cells{learnCellA: {Key: learnCellA, Successes: 9, Failures: 5, At: testNow, Wins: 9, Count: 14}}
	for _, bc := range []struct {
		name string
		on   bool
	}{{"Off", false}, {"On", true}} {
		b.Run(bc.name, func(b *testing.B) {
			st := backend.DefaultSettings()
			st.Learning.On = bc.on
			sc := backend.Scorer{Settings: st}
			in := learnInput(src, testNow)
			b.ReportAllocs()
			cpu0 := processCPU(b)
			for i := 0; i < b.N; i++ {
				if _, err := sc.Score(in); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64((processCPU(b)-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
	}
}
