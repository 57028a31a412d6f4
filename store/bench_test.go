package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// BenchmarkToday_100kMoves measures the query behind Today's Moves: the top
// ten pending moves by APS out of 100,000 pending moves, in one View.
//
//	go test -run x -bench Today -benchtime 2000x ./store/
func BenchmarkToday_100kMoves(b *testing.B) {
	const n, batch = 100_000, 5_000
	db := MustOpenStore(b)
	for start := 0; start < n; start += batch {
		update(b, db, func(tx backend.Tx) error {
			for i := start; i < start+batch; i++ {
				m := &backend.Move{
					Kind:    backend.KindSendEmail,
					Domain:  backend.Domains[i%3],
					Title:   fmt.Sprintf("Reply to contact %d about the proposal", i),
					Why:     []string{"they replied 3 hours ago"},
					Reasons: []string{"they replied 3 hours ago", "$20k ARR deal", "reply window in 21 hours"},
					Score: backend.Score{
						APS:        float64((i*7919)%100_000) / 1000, // 0..99.999, scattered over ids
						Revenue:    backend.Component{Value: 0.6, Reason: "$20k ARR deal"},
						Urgency:    backend.Component{Value: 1, Reason: "reply window in 21 hours"},
						Effort:     backend.Component{Value: 0.1, Reason: "quick win: about 15 min"},
						Strategic:  backend.Component{Value: 0.4, Reason: "ICP: SaaS company"},
						Weights:    backend.DefaultWeights,
						ComputedAt: at(3, 9),
					},
					Status:    backend.StatusPending,
					Draft:     backend.Draft{To: []string{fmt.Sprintf("c%d@example.com", i)}, Subject: "Re: proposal", Body: "Hi,\n\nThanks for the note — here is what I propose.\n\nBest,\nCasey"},
					Subject:   backend.Subject{Type: backend.SubjectThread, ID: fmt.Sprintf("thr-%d", i)},
					ContactID: fmt.Sprintf("c%d", i),
					Source:    backend.SourceGmail,
					SignalIDs: []uint64{uint64(i + 1)},
					DueAt:     at(4, 9).Add(time.Duration(i) * time.Second),
					CreatedAt: at(3, 9), UpdatedAt: at(3, 9),
				}
				if err := tx.CreateMove(m); err != nil {
					return err
				}
			}
			return nil
		})
	}
	pending := backend.StatusPending
	run := func(f backend.MoveFilter) func(b *testing.B) {
		return func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				err := db.View(ctx, func(tx backend.Tx) error {
					ms, total, err := tx.FindMoves(f)
					if err == nil && (len(ms) != 10 || total == 0) {
						err = fmt.Errorf("FindMoves() = %d moves (total %d), want 10", len(ms), total)
					}
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.Run("AllDomains", run(backend.MoveFilter{Status: &pending, ByScore: true, Limit: 10}))
	b.Run("Domain", run(backend.MoveFilter{Status: &pending, Domain: ptr(backend.DomainCS), ByScore: true, Limit: 10}))
}
