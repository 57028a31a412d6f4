package store_test

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// newSignal is a valid email.replied signal.
func newSignal(key string, occurred time.Time) *backend.Signal {
	return &backend.Signal{
		Source: backend.SourceGmail, Type: backend.SignalEmailReplied,
		OccurredAt: occurred, ReceivedAt: occurred.Add(time.Minute), DedupeKey: key,
		ThreadID: "thr-" + key,
		Email:    &backend.EmailMessage{ThreadID: "thr-" + key, From: "dana@acme.example"},
	}
}

// fullSignal has every field set, snapshots included.
func fullSignal() *backend.Signal {
	return &backend.Signal{
		Source: backend.SourceGmail, Type: backend.SignalEmailReplied,
		OccurredAt: at(2, 9), ReceivedAt: at(2, 10), DedupeKey: "gmail:msg-1",
		ContactID: "c-1", CompanyID: "co-1", DealID: "d-1", ThreadID: "thr-1",
		Contact: fullContact(),
		Company: fullCompany(),
		Deal:    fullDeal(),
		Email: &backend.EmailMessage{
			ThreadID: "thr-1", MessageID: "<m1@acme.example>", From: "dana@acme.example", FromName: "Dana Scully",
			To: []string{"me@caseyos.example"}, Subject: "Re: pricing", Snippet: "Sounds good, can we…",
			Body: "Sounds good, can we do Thursday?", Quoted: "> On Mon, you wrote:\n> pricing attached", ReceivedAt: at(2, 9),
			InReplyTo: "<ours@caseyos.example>", References: []string{"<ours@caseyos.example>"},
		},
		Meeting: &backend.Meeting{
			ID: "ev-1", Title: "Pricing call", Start: at(5, 15), End: at(5, 16),
			Attendees: []string{"dana@acme.example", "me@caseyos.example"}, External: true, Link: "https://meet.example/abc",
			Declined: []string{"dana@acme.example"},
		},
		Post: &backend.Post{ID: "p-1", Author: "dana", Text: "Loving @caseyos", URL: "https://x.example/p-1", Competitor: "rival",
			AuthorName: "Dana", Followers: 4800, Verified: true, ConversationID: "p-0", InReplyTo: "p-0", Keyword: "remote cache"},
		Form: &backend.FormSubmission{Form: "demo-request", Fields: map[string]string{"size": "50-200"}},
		Payload: map[string]string{
			"previous_stage": "qualified",
		},
	}
}

func TestSignalStore_CreateSignal(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		db := MustOpenStore(t)
		s := fullSignal()
		want := *s
		update(t, db, func(tx backend.Tx) error { return tx.CreateSignal(s) })
		want.ID = s.ID
		requireFilled(t, "Signal", &want)
		view(t, db, func(tx backend.Tx) error {
			got, err := tx.FindSignal(s.ID)
			if err != nil {
				return err
			}
			if !reflect.DeepEqual(got, &want) {
				t.Errorf("FindSignal() = %+v\nwant %+v", got, &want)
			}
			got, err = tx.SignalByDedupeKey("gmail:msg-1")
			if err != nil || got.ID != s.ID {
				t.Errorf("SignalByDedupeKey() = %v, %v; want signal %d", got, err, s.ID)
			}
			return nil
		})
		checkIndexes(t, db)
	})
	t.Run("ErrConflict", func(t *testing.T) {
		db := MustOpenStore(t)
		update(t, db, func(tx backend.Tx) error { return tx.CreateSignal(newSignal("k1", at(1, 1))) })
		dup := newSignal("k1", at(2, 1))
		err := db.Update(ctx, func(tx backend.Tx) error { return tx.CreateSignal(dup) })
		wantCode(t, "duplicate dedupe key", err, backend.ECONFLICT)
		if dup.ID != 0 {
			t.Errorf("a refused signal got id %d", dup.ID)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		db := MustOpenStore(t)
		s := newSignal("", at(1, 1))
		err := db.Update(ctx, func(tx backend.Tx) error { return tx.CreateSignal(s) })
		wantCode(t, "no dedupe key", err, backend.EINVALID)
	})
}

func TestSignalStore_SignalByDedupeKey(t *testing.T) {
	t.Run("ErrNotFound", func(t *testing.T) {
		db := MustOpenStore(t)
		err := db.View(ctx, func(tx backend.Tx) error { _, err := tx.SignalByDedupeKey("nope"); return err })
		wantCode(t, "SignalByDedupeKey", err, backend.ENOTFOUND)
		err = db.View(ctx, func(tx backend.Tx) error { _, err := tx.FindSignal(9); return err })
		wantCode(t, "FindSignal", err, backend.ENOTFOUND)
	})
}

func TestSignalStore_FindSignals(t *testing.T) {
	db := MustOpenStore(t)
	// Stored out of time order: the list is by OccurredAt, not by id.
	days := []int{5, 2, 9, 7, 1, 8}
	var ids []uint64
	update(t, db, func(tx backend.Tx) error {
		for i, d := range days {
			s := newSignal(fmt.Sprint("k", i), at(d, 0))
			if i%2 == 1 {
				s = &backend.Signal{
					Source: backend.SourceHubSpot, Type: backend.SignalDealStalled, OccurredAt: at(d, 0),
					DedupeKey: fmt.Sprint("k", i), Deal: &backend.Deal{ID: "d", Stage: "demo"},
				}
			}
			if err := tx.CreateSignal(s); err != nil {
				return err
			}
			ids = append(ids, s.ID)
		}
		return nil
	})
	checkIndexes(t, db)
	// Newest first: days 9, 8, 7, 5, 2, 1 → indexes 2, 5, 3, 0, 1, 4.
	byDay := func(idx ...int) []uint64 {
		out := []uint64{}
		for _, i := range idx {
			out = append(out, ids[i])
		}
		return out
	}
	hub := backend.SourceHubSpot
	replied := backend.SignalEmailReplied
	for _, tc := range []struct {
		name  string
		f     backend.SignalFilter
		want  []uint64
		total int
	}{
		{"all", backend.SignalFilter{}, byDay(2, 5, 3, 0, 1, 4), 6},
		{"page", backend.SignalFilter{Offset: 1, Limit: 2}, byDay(5, 3), 6},
		{"since", backend.SignalFilter{Since: ptr(at(5, 0))}, byDay(2, 5, 3, 0), 4},
		{"source", backend.SignalFilter{Source: &hub}, byDay(5, 3, 1), 3},
		{"type since", backend.SignalFilter{Type: &replied, Since: ptr(at(2, 0)), Limit: 1}, byDay(2), 2},
	} {
		view(t, db, func(tx backend.Tx) error {
			got, total, err := tx.FindSignals(tc.f)
			if err != nil {
				return err
			}
			gotIDs := []uint64{}
			for _, s := range got {
				gotIDs = append(gotIDs, s.ID)
			}
			if !slices.Equal(gotIDs, tc.want) || total != tc.total {
				t.Errorf("%s: FindSignals() = %v (total %d), want %v (total %d)", tc.name, gotIDs, total, tc.want, tc.total)
			}
			return nil
		})
	}
}
