package store_test

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

// newMove is a valid move about subject ("type:id") with fixed times.
func newMove(subject string, kind backend.MoveKind, status backend.MoveStatus, aps float64, d backend.Domain) *backend.Move {
	typ, id, _ := strings.Cut(subject, ":")
	m := &backend.Move{
		Kind: kind, Domain: d, Title: "Move about " + subject, Status: status,
		Score:     backend.Score{APS: aps},
		Subject:   backend.Subject{Type: backend.SubjectType(typ), ID: id},
		CreatedAt: at(1, 9), UpdatedAt: at(1, 9),
	}
	if kind == backend.KindSendEmail {
		m.Draft.To = []string{"dana@acme.example"}
	}
	if status == backend.StatusSnoozed {
		m.SnoozedUntil = at(20, 9)
	}
	return m
}

// fullMove has every field set.
func fullMove() *backend.Move {
	return &backend.Move{
		Kind:    backend.KindSendEmail,
		Domain:  backend.DomainSales,
		Title:   "Reply to Dana about pricing",
		Why:     []string{"Dana replied 2 hours ago"},
		Reasons: []string{"Dana replied 2 hours ago", "$50k ARR deal"},
		Score: backend.Score{
			APS:        87.5,
			Revenue:    backend.Component{Value: 0.9, Reason: "$50k ARR deal"},
			Urgency:    backend.Component{Value: 1, Reason: "reply window in 20 hours"},
			Effort:     backend.Component{Value: 0.1, Reason: "quick win: about 15 min"},
			Strategic:  backend.Component{Value: 0.9, Reason: "ICP: SaaS company"},
			Weights:    backend.DefaultWeights,
			ComputedAt: at(3, 10),
			RescoreAt:  at(4, 2),
			Learned: backend.Learned{Cell: "send_email|sales|A|51-200|email", Points: 2.5, Rate: 0.64, Prior: 0.3,
				Wins: 9, Count: 14, Reason: "learned: emails … → +2.5"},
		},
		Status: backend.StatusSnoozed,
		Draft: backend.Draft{
			To: []string{"dana@acme.example"}, Cc: []string{"ops@acme.example"},
			Subject: "Re: pricing", Body: "Hi Dana,\n\nHere are the numbers.", ThreadID: "thr-1",
			InReplyTo: "<m1@acme.example>", TaskTitle: "Send pricing", TaskDue: at(4, 9),
			DealStage: "negotiation", PostID: "p-9", MergeIDs: []string{"c-2", "c-3"},
			Duration: 30 * time.Minute, Fields: map[string]string{"tone": "warm"},
		},
		Subject:      backend.Subject{Type: backend.SubjectThread, ID: "thr-1"},
		ContactID:    "c-1",
		CompanyID:    "co-1",
		DealID:       "d-1",
		Source:       backend.SourceGmail,
		SignalIDs:    []uint64{3, 5},
		DueAt:        at(4, 8),
		DueLabel:     "reply window",
		ExpiresAt:    at(10, 8),
		SnoozedUntil: at(3, 14),
		SkipReason:   "busy",
		LastError:    "timeout",
		DraftEdited:  true,
		StallNudge:   true,
		DraftBy:      "gpt-4o-mini at api.openai.com",
		DraftSent:    []backend.ModelMessage{{Role: "system", Content: "Write the reply."}, {Role: "user", Content: "From: Dana"}},
		DraftNote:    "Offline draft: the model failed.",
		SignalAt:     at(3, 8),
		CreatedAt:    at(3, 9),
		UpdatedAt:    at(3, 11),
		DoneAt:       at(3, 12),
	}
}

func moveIDs(ms []*backend.Move) []uint64 {
	out := []uint64{}
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func TestMoveStore_CreateMove(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		db := MustOpenStore(t)
		m := fullMove()
		want := *m
		update(t, db, func(tx backend.Tx) error { return tx.CreateMove(m) })
		want.ID = m.ID
		requireFilled(t, "Move", &want)
		view(t, db, func(tx backend.Tx) error {
			got, err := tx.FindMove(m.ID)
			if err != nil {
				return err
			}
			if !reflect.DeepEqual(got, &want) {
				t.Errorf("FindMove() = %+v\nwant %+v", got, &want)
			}
			open, err := tx.OpenMove(m.Subject, m.Kind)
			if err != nil || open.ID != m.ID {
				t.Errorf("OpenMove() = %v, %v; want move %d", open, err, m.ID)
			}
			return nil
		})
		checkIndexes(t, db)
	})
	t.Run("ErrConflict", func(t *testing.T) {
		db := MustOpenStore(t)
		update(t, db, func(tx backend.Tx) error {
			return tx.CreateMove(newMove("deal:d1", backend.KindUpdateDeal, backend.StatusFailed, 10, backend.DomainSales))
		})
		err := db.Update(ctx, func(tx backend.Tx) error {
			return tx.CreateMove(newMove("deal:d1", backend.KindUpdateDeal, backend.StatusPending, 20, backend.DomainCS))
		})
		wantCode(t, "second open move", err, backend.ECONFLICT)
		// A closed move never blocks, and another kind is another slot.
		update(t, db, func(tx backend.Tx) error {
			if err := tx.CreateMove(newMove("deal:d1", backend.KindUpdateDeal, backend.StatusDone, 20, backend.DomainSales)); err != nil {
				return err
			}
			return tx.CreateMove(newMove("deal:d1", backend.KindCreateTask, backend.StatusPending, 20, backend.DomainSales))
		})
		checkIndexes(t, db)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		db := MustOpenStore(t)
		for name, m := range map[string]*backend.Move{
			"no title":   func() *backend.Move { m := fullMove(); m.Title = " "; return m }(),
			"NaN APS":    func() *backend.Move { m := fullMove(); m.Score.APS = math.NaN(); return m }(),
			"NaN weight": func() *backend.Move { m := fullMove(); m.Score.Revenue.Value = math.Inf(1); return m }(),
			"NUL":        func() *backend.Move { m := fullMove(); m.Subject.ID = "a\x00b"; return m }(),
			"nil":        nil,
		} {
			err := db.Update(ctx, func(tx backend.Tx) error { return tx.CreateMove(m) })
			wantCode(t, name, err, backend.EINVALID)
		}
	})
}

func TestMoveStore_UpdateMove(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		db := MustOpenStore(t)
		a := newMove("contact:a", backend.KindSendEmail, backend.StatusPending, 60, backend.DomainSales)
		b := newMove("contact:b", backend.KindSendEmail, backend.StatusPending, 40, backend.DomainMarketing)
		m := newMove("contact:m", backend.KindSendEmail, backend.StatusPending, 50, backend.DomainSales)
		update(t, db, func(tx backend.Tx) error {
			for _, x := range []*backend.Move{a, b, m} {
				if err := tx.CreateMove(x); err != nil {
					return err
				}
			}
			return nil
		})
		type want struct {
			status backend.MoveStatus
			domain *backend.Domain
			ids    []uint64
		}
		check := func(step string, wants []want) {
			t.Helper()
			checkIndexes(t, db)
			view(t, db, func(tx backend.Tx) error {
				for _, w := range wants {
					got, total, err := tx.FindMoves(backend.MoveFilter{Status: &w.status, Domain: w.domain, ByScore: true})
					if err != nil {
						return err
					}
					if !slices.Equal(moveIDs(got), w.ids) || total != len(w.ids) {
						t.Errorf("%s: FindMoves(%s, %v) = %v (total %d), want %v", step, w.status, w.domain, moveIDs(got), total, w.ids)
					}
					n, err := tx.CountMoves(w.status, w.domain)
					if err != nil || n != len(w.ids) {
						t.Errorf("%s: CountMoves(%s, %v) = %d, %v; want %d", step, w.status, w.domain, n, err, len(w.ids))
					}
				}
				return nil
			})
		}
		sales, cs := ptr(backend.DomainSales), ptr(backend.DomainCS)
		check("created", []want{
			{backend.StatusPending, nil, []uint64{a.ID, m.ID, b.ID}},
			{backend.StatusPending, sales, []uint64{a.ID, m.ID}},
			{backend.StatusPending, cs, nil},
		})

		m.Score.APS, m.Domain = 70, backend.DomainCS
		update(t, db, func(tx backend.Tx) error { return tx.UpdateMove(m) })
		check("rescored", []want{
			{backend.StatusPending, nil, []uint64{m.ID, a.ID, b.ID}},
			{backend.StatusPending, sales, []uint64{a.ID}},
			{backend.StatusPending, cs, []uint64{m.ID}},
		})

		m.Status = backend.StatusSkipped
		update(t, db, func(tx backend.Tx) error { return tx.UpdateMove(m) })
		check("skipped", []want{
			{backend.StatusPending, nil, []uint64{a.ID, b.ID}},
			{backend.StatusPending, cs, nil},
			{backend.StatusSkipped, nil, []uint64{m.ID}},
			{backend.StatusSkipped, cs, []uint64{m.ID}},
		})
		view(t, db, func(tx backend.Tx) error {
			_, err := tx.OpenMove(m.Subject, m.Kind)
			wantCode(t, "OpenMove after skip", err, backend.ENOTFOUND)
			return nil
		})
		again := newMove("contact:m", backend.KindSendEmail, backend.StatusPending, 55, backend.DomainSales)
		update(t, db, func(tx backend.Tx) error { return tx.CreateMove(again) })
		check("recreated", []want{
			{backend.StatusPending, nil, []uint64{a.ID, again.ID, b.ID}},
			{backend.StatusSkipped, nil, []uint64{m.ID}},
		})
	})
	t.Run("OK_Deadlines", func(t *testing.T) {
		db := MustOpenStore(t)
		m := newMove("thread:t1", backend.KindSendEmail, backend.StatusPending, 50, backend.DomainSales)
		m.Score.RescoreAt, m.ExpiresAt = at(5, 9), at(6, 9)
		update(t, db, func(tx backend.Tx) error { return tx.CreateMove(m) })
		due := func(step string, wantDue, wantExp, wantSnooze []uint64) {
			t.Helper()
			checkIndexes(t, db)
			view(t, db, func(tx backend.Tx) error {
				d, err1 := tx.OpenMovesToRescore(at(30, 0))
				e, err2 := tx.OpenMovesExpiringBefore(at(30, 0))
				s, err3 := tx.SnoozedMovesUntil(at(30, 0))
				if err := errorsJoin(err1, err2, err3); err != nil {
					return err
				}
				if !slices.Equal(moveIDs(d), wantDue) || !slices.Equal(moveIDs(e), wantExp) || !slices.Equal(moveIDs(s), wantSnooze) {
					t.Errorf("%s: due %v, expiring %v, snoozed %v; want %v, %v, %v", step, moveIDs(d), moveIDs(e), moveIDs(s), wantDue, wantExp, wantSnooze)
				}
				return nil
			})
		}
		due("pending", []uint64{m.ID}, []uint64{m.ID}, []uint64{})
		m.Status, m.SnoozedUntil, m.Score.RescoreAt = backend.StatusSnoozed, at(7, 9), at(8, 9)
		update(t, db, func(tx backend.Tx) error { return tx.UpdateMove(m) })
		due("snoozed", []uint64{m.ID}, []uint64{m.ID}, []uint64{m.ID})
		view(t, db, func(tx backend.Tx) error {
			if d, _ := tx.OpenMovesToRescore(at(8, 9)); len(d) != 0 {
				t.Errorf("OpenMovesToRescore(the rescore time itself) = %v, want none", moveIDs(d))
			}
			return nil
		})
		m.Status = backend.StatusExpired
		update(t, db, func(tx backend.Tx) error { return tx.UpdateMove(m) })
		due("expired", []uint64{}, []uint64{}, []uint64{})
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		db := MustOpenStore(t)
		m := newMove("thread:t1", backend.KindSendEmail, backend.StatusPending, 50, backend.DomainSales)
		m.ID = 42
		err := db.Update(ctx, func(tx backend.Tx) error { return tx.UpdateMove(m) })
		wantCode(t, "UpdateMove(42)", err, backend.ENOTFOUND)
	})
	t.Run("ErrConflict", func(t *testing.T) {
		db := MustOpenStore(t)
		a := newMove("thread:t1", backend.KindSendEmail, backend.StatusPending, 50, backend.DomainSales)
		b := newMove("thread:t1", backend.KindSendEmail, backend.StatusDone, 50, backend.DomainSales)
		update(t, db, func(tx backend.Tx) error { return errorsJoin(tx.CreateMove(a), tx.CreateMove(b)) })
		b.Status = backend.StatusPending
		err := db.Update(ctx, func(tx backend.Tx) error { return tx.UpdateMove(b) })
		wantCode(t, "reopening a second move", err, backend.ECONFLICT)
		checkIndexes(t, db)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		db := MustOpenStore(t)
		m := newMove("thread:t1", backend.KindSendEmail, backend.StatusPending, 50, backend.DomainSales)
		update(t, db, func(tx backend.Tx) error { return tx.CreateMove(m) })
		m.Score.APS = 101
		err := db.Update(ctx, func(tx backend.Tx) error { return tx.UpdateMove(m) })
		wantCode(t, "APS 101", err, backend.EINVALID)
	})
}

func TestMoveStore_FindMoves(t *testing.T) {
	db := MustOpenStore(t)
	statuses := []backend.MoveStatus{backend.StatusPending, backend.StatusPending, backend.StatusSnoozed, backend.StatusDone}
	var all []*backend.Move
	update(t, db, func(tx backend.Tx) error {
		for i := range 90 {
			aps := float64((i*37)%23) * 4.5 // repeats, so ties are exercised
			m := newMove(fmt.Sprintf("contact:c%d", i), backend.KindCreateTask, statuses[i%len(statuses)], aps, backend.Domains[i%3])
			if err := tx.CreateMove(m); err != nil {
				return err
			}
			all = append(all, m)
		}
		return nil
	})
	checkIndexes(t, db)
	expect := func(f backend.MoveFilter) ([]uint64, int) {
		var ms []*backend.Move
		for _, m := range all {
			if (f.Status == nil || m.Status == *f.Status) && (f.Domain == nil || m.Domain == *f.Domain) {
				ms = append(ms, m)
			}
		}
		if f.ByScore {
			sort.SliceStable(ms, func(i, j int) bool { return ms[i].Score.APS > ms[j].Score.APS })
		}
		ids := moveIDs(ms)
		total := len(ids)
		ids = ids[min(f.Offset, len(ids)):]
		if f.Limit > 0 {
			ids = ids[:min(f.Limit, len(ids))]
		}
		return ids, total
	}
	for _, f := range []backend.MoveFilter{
		{Status: ptr(backend.StatusPending), ByScore: true},
		{Status: ptr(backend.StatusPending), ByScore: true, Limit: 10},
		{Status: ptr(backend.StatusPending), Domain: ptr(backend.DomainCS), ByScore: true, Limit: 5},
		{Status: ptr(backend.StatusPending), Domain: ptr(backend.DomainMarketing), ByScore: true, Offset: 3, Limit: 4},
		{Status: ptr(backend.StatusSnoozed), ByScore: true, Offset: 100},
		{ByScore: true, Limit: 12},
		{Domain: ptr(backend.DomainSales), ByScore: true, Offset: 5, Limit: 12},
		{Status: ptr(backend.StatusExpired), ByScore: true},
		{Offset: 10, Limit: 7},
		{Status: ptr(backend.StatusDone), Offset: 2, Limit: 3},
		{Domain: ptr(backend.DomainCS)},
	} {
		view(t, db, func(tx backend.Tx) error {
			got, total, err := tx.FindMoves(f)
			if err != nil {
				return err
			}
			wantIDs, wantTotal := expect(f)
			if !slices.Equal(moveIDs(got), wantIDs) || total != wantTotal {
				t.Errorf("FindMoves(%v byScore=%v offset=%d limit=%d) = %v (total %d), want %v (total %d)",
					f, f.ByScore, f.Offset, f.Limit, moveIDs(got), total, wantIDs, wantTotal)
			}
			return nil
		})
	}
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, f := range []backend.MoveFilter{
			{Status: ptr(backend.MoveStatus("bogus"))},
			{Domain: ptr(backend.Domain("ops"))},
			{Offset: -1},
		} {
			err := db.View(ctx, func(tx backend.Tx) error { _, _, err := tx.FindMoves(f); return err })
			wantCode(t, f.String(), err, backend.EINVALID)
		}
	})
}

func TestMoveStore_OpenMove(t *testing.T) {
	t.Run("ErrNotFound", func(t *testing.T) {
		db := MustOpenStore(t)
		err := db.View(ctx, func(tx backend.Tx) error {
			_, err := tx.OpenMove(backend.Subject{Type: backend.SubjectDeal, ID: "d1"}, backend.KindNote)
			return err
		})
		wantCode(t, "OpenMove", err, backend.ENOTFOUND)
	})
}

func TestMoveStore_FindMove(t *testing.T) {
	t.Run("ErrNotFound", func(t *testing.T) {
		db := MustOpenStore(t)
		err := db.View(ctx, func(tx backend.Tx) error { _, err := tx.FindMove(42); return err })
		wantCode(t, "FindMove(42)", err, backend.ENOTFOUND)
	})
	t.Run("ErrCorrupt", func(t *testing.T) {
		db := MustOpenStore(t)
		m := newMove("thread:t1", backend.KindSendEmail, backend.StatusPending, 50, backend.DomainSales)
		update(t, db, func(tx backend.Tx) error { return tx.CreateMove(m) })
		for _, bad := range []string{`{"kind": 7`, `null`, `{"created_at":"yesterday"}`, ``} {
			if err := store.PutRaw(db, "moves", u64(m.ID), []byte(bad)); err != nil {
				t.Fatal(err)
			}
			err := db.View(ctx, func(tx backend.Tx) error { _, err := tx.FindMove(m.ID); return err })
			wantCode(t, fmt.Sprintf("FindMove of %q", bad), err, backend.EINTERNAL)
			err = db.View(ctx, func(tx backend.Tx) error {
				_, _, err := tx.FindMoves(backend.MoveFilter{Status: &m.Status, ByScore: true})
				return err
			})
			wantCode(t, fmt.Sprintf("FindMoves over %q", bad), err, backend.EINTERNAL)
		}
	})
}
