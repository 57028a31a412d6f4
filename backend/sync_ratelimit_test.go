package backend_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// waitRecorder keeps the sync:waiting events and the last status.
type waitRecorder struct {
	mu    sync.Mutex
	waits []backend.SyncWait
}

func (r *waitRecorder) Publish(name string, payload any) {
	if name != backend.EventSyncWaiting {
		return
	}
	r.mu.Lock()
	r.waits = append(r.waits, payload.(backend.SyncWait))
	r.mu.Unlock()
}

func (r *waitRecorder) list() []backend.SyncWait {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]backend.SyncWait(nil), r.waits...)
}

// limited is a rate-limit failure as a connector returns it.
func limited(limit string, wait time.Duration) error {
	return &backend.Error{Code: backend.EUNAVAILABLE, Op: "hubspot.sync.contacts", Message: "HubSpot's rate limit is reached (" + limit + ")",
		Err: &backend.RateLimited{Limit: limit, Wait: wait, Err: errors.New("HubSpot answered 429")}}
}

func newRateFixture(tb testing.TB, o backend.SyncOptions) (*syncFixture, *waitRecorder) {
	tb.Helper()
	f := newSyncFixture(tb)
	w := &waitRecorder{}
	o.Clock, o.Events, o.Rand = f.clock, w, func() float64 { return 0.5 }
	f.s = backend.NewSyncer(f.q.Ingest, o)
	return f, w
}

// syncOnceAsync runs SyncOnce in the background.
func syncOnceAsync(f *syncFixture, ctx context.Context) <-chan syncResult {
	done := make(chan syncResult, 1)
	go func() {
		sts, err := f.s.SyncOnce(ctx, "hubspot")
		done <- syncResult{sts, err}
	}()
	return done
}

type syncResult struct {
	sts []backend.SyncStatus
	err error
}

func (r syncResult) status(tb testing.TB) backend.SyncStatus {
	tb.Helper()
	if len(r.sts) != 1 {
		tb.Fatalf("SyncOnce returned %d statuses (%v)", len(r.sts), r.err)
	}
	return r.sts[0]
}

func waitDone(tb testing.TB, done <-chan syncResult) syncResult {
	tb.Helper()
	select {
	case r := <-done:
		return r
	case <-time.After(10 * time.Second):
		tb.Fatal("the pass did not end")
		return syncResult{}
	}
}

func notDone(tb testing.TB, done <-chan syncResult) {
	tb.Helper()
	select {
	case r := <-done:
		tb.Fatalf("the pass ended (%v) while it should wait", r.err)
	case <-time.After(50 * time.Millisecond):
	}
}

func TestSyncer_RateLimit(t *testing.T) {
	t.Run("WaitsOutTheWindowAndFinishes", func(t *testing.T) {
		f, w := newRateFixture(t, backend.SyncOptions{})
		p := newFakePoller("hubspot",
			pollResult{signals: mentions("a"), next: "c1"},
			pollResult{err: limited("10-second window", 10*time.Second)},
			pollResult{signals: mentions("b"), next: "c2"},
			pollResult{next: "c2"},
		)
		f.s.Add(p)
		done := syncOnceAsync(f, context.Background())
		f.clock.waitTimer(t)
		notDone(t, done)
		if got := w.list(); len(got) != 1 || got[0].Account != "hubspot" || got[0].Limit != "10-second window" || got[0].Wait != 10*time.Second ||
			!got[0].Until.Equal(testNow.Add(10*time.Second)) || got[0].Attempt != 1 {
			t.Fatalf("waiting events = %+v, want one for the 10-second window, 10s", got)
		}
		if c := f.cursor(t, "hubspot"); c != "c1" {
			t.Errorf("cursor while waiting = %q, want c1 (the page before the 429 is kept)", c)
		}
		f.clock.Advance(9 * time.Second)
		notDone(t, done)
		f.clock.Advance(time.Second)
		r := waitDone(t, done)
		if r.err != nil {
			t.Fatalf("SyncOnce after a 429 = %v, want the pass to finish", r.err)
		}
		if got := fmt.Sprint(p.asked); got != "[ c1 c1 c2]" {
			t.Errorf("cursors asked = %s, want [ c1 c1 c2] (the limited page asked again)", got)
		}
		if got := fmt.Sprint(f.signals(t)); got != "[a b]" || f.cursor(t, "hubspot") != "c2" {
			t.Errorf("signals %s cursor %q, want [a b] and c2", got, f.cursor(t, "hubspot"))
		}
		if st := r.status(t); st.State != backend.SyncConnected || st.Failures != 0 || st.LastError != "" || st.LastItems != 2 {
			t.Errorf("status = %+v, want connected, no failure, 2 items", st)
		}
	})
	t.Run("NoWaitGivenBacksOffWithJitter", func(t *testing.T) {
		f, w := newRateFixture(t, backend.SyncOptions{})
		p := newFakePoller("hubspot")
		p.push(pollResult{err: limited("per-user rate limit", 0)}, pollResult{err: limited("per-user rate limit", 0)},
			pollResult{signals: mentions("a"), next: "c1"}, pollResult{next: "c1"})
		f.s.Add(p)
		done := syncOnceAsync(f, context.Background())
		f.clock.waitTimer(t)
		f.clock.Advance(750 * time.Millisecond) // RateLimitBackoff 1: 0.5–1 s, rnd 0.5
		f.clock.waitTimer(t)
		f.clock.Advance(1500 * time.Millisecond) // 2: 1–2 s
		if r := waitDone(t, done); r.err != nil {
			t.Fatalf("SyncOnce = %v", r.err)
		}
		var waits []time.Duration
		for _, e := range w.list() {
			waits = append(waits, e.Wait)
		}
		if got := fmt.Sprint(waits); got != "[750ms 1.5s]" {
			t.Errorf("waits = %s, want [750ms 1.5s]", got)
		}
	})
	t.Run("DailyLimitEndsThePassKeepingItsPages", func(t *testing.T) {
		f, w := newRateFixture(t, backend.SyncOptions{})
		reset := testNow.Add(9 * time.Hour)
		daily := &backend.Error{Code: backend.EUNAVAILABLE, Message: "HubSpot's daily API limit is reached; it resets at " + reset.UTC().Format("15:04 MST"),
			Err: &backend.RateLimited{Limit: "daily limit", Daily: true, Wait: 9 * time.Hour, Reset: reset}}
		p := newFakePoller("hubspot", pollResult{signals: mentions("a"), next: "c1"}, pollResult{signals: mentions("b"), next: "c2", err: daily})
		f.s.Add(p)
		r := waitDone(t, syncOnceAsync(f, context.Background()))
		if backend.ErrorCode(r.err) != backend.EUNAVAILABLE {
			t.Fatalf("SyncOnce at a daily limit = %v, want unavailable", r.err)
		}
		st := r.status(t)
		if st.State != backend.SyncOffline || !strings.Contains(st.LastError, "resets at") || !st.NextRun.Equal(reset) {
			t.Errorf("status = %+v, want offline, the reset time in the message, next run at the reset", st)
		}
		if got := fmt.Sprint(f.signals(t)); got != "[a b]" || f.cursor(t, "hubspot") != "c2" {
			t.Errorf("signals %s cursor %q, want the pages before the limit kept", got, f.cursor(t, "hubspot"))
		}
		if len(w.list()) != 0 {
			t.Errorf("waited for a daily limit: %+v", w.list())
		}
	})
	t.Run("WaitingIsBounded", func(t *testing.T) {
		f, w := newRateFixture(t, backend.SyncOptions{RateWait: 2 * time.Minute})
		p := newFakePoller("hubspot")
		for range 4 {
			p.push(pollResult{err: limited("10-second window", 50*time.Second)})
		}
		f.s.Add(p)
		done := syncOnceAsync(f, context.Background())
		f.clock.waitTimer(t)
		f.clock.Advance(50 * time.Second)
		f.clock.waitTimer(t)
		f.clock.Advance(50 * time.Second)
		r := waitDone(t, done)
		if backend.ErrorCode(r.err) != backend.EUNAVAILABLE {
			t.Fatalf("SyncOnce = %v, want unavailable once the waiting is spent", r.err)
		}
		st := r.status(t)
		if !strings.Contains(st.LastError, "still limited after waiting 1m40s") || !st.NextRun.Equal(f.clock.Now().Add(50*time.Second)) {
			t.Errorf("status = %+v, want the waiting said and the next run after the window", st)
		}
		if n := len(w.list()); n != 2 {
			t.Errorf("waited %d times, want 2 (a third 50 s wait passes 2 min)", n)
		}
	})
	t.Run("LongRetryAfterIsNotWaited", func(t *testing.T) {
		f, _ := newRateFixture(t, backend.SyncOptions{})
		f.s.Add(newFakePoller("hubspot", pollResult{err: limited("per-user rate limit", time.Hour)}))
		r := waitDone(t, syncOnceAsync(f, context.Background()))
		if st := r.status(t); r.err == nil || !strings.Contains(st.LastError, "asks for 1h0m0s") || !st.NextRun.Equal(testNow.Add(time.Hour)) {
			t.Errorf("status = %+v (%v), want a failed pass saying the wait, next run in an hour", st, r.err)
		}
	})
	t.Run("CancelWhileWaiting", func(t *testing.T) {
		f, _ := newRateFixture(t, backend.SyncOptions{})
		f.s.Add(newFakePoller("hubspot", pollResult{signals: mentions("a"), next: "c1"}, pollResult{err: limited("10-second window", 10*time.Second)}))
		ctx, cancel := context.WithCancel(context.Background())
		done := syncOnceAsync(f, ctx)
		f.clock.waitTimer(t)
		cancel()
		r := waitDone(t, done)
		if !errors.Is(r.err, context.Canceled) {
			t.Errorf("SyncOnce after cancel = %v, want canceled", r.err)
		}
		if st := r.status(t); st.State != backend.SyncConnected || st.Failures != 0 || f.cursor(t, "hubspot") != "c1" {
			t.Errorf("status = %+v, cursor %q; want a stopped (not failed) pass with its page kept", st, f.cursor(t, "hubspot"))
		}
	})
	t.Run("BackgroundLoopWaitsTheSameWay", func(t *testing.T) {
		f, w := newRateFixture(t, backend.SyncOptions{})
		p := newFakePoller("hubspot", pollResult{err: limited("10-second window", 10*time.Second)}, pollResult{signals: mentions("a"), next: "c1"})
		f.s.Add(p)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go f.s.Run(ctx)
		p.waitPoll(t)
		f.clock.waitTimer(t)
		if got := w.list(); len(got) != 1 || got[0].Wait != 10*time.Second {
			t.Fatalf("waiting events = %+v, want one of 10s", got)
		}
		f.clock.Advance(10 * time.Second)
		p.waitPoll(t)
		waitState(t, f.s, backend.SyncConnected)
		st, _ := f.s.AccountStatus(ctx, "hubspot")
		if st.Failures != 0 || st.Items != 1 {
			t.Errorf("status = %+v, want no failure and the item", st)
		}
	})
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"7", 7 * time.Second, true},
		{" 0 ", 0, true},
		{"-3", 0, false},
		{"soon", 0, false},
		{"Mon, 07 Dec 2026 10:00:30 GMT", 30 * time.Second, true},
		{"Monday, 07-Dec-26 10:01:00 GMT", time.Minute, true},
		{"Mon Dec  7 10:00:05 2026", 5 * time.Second, true},
		{"Mon, 07 Dec 2026 09:00:00 GMT", 0, true}, // already past
	}
	for _, tt := range tests {
		d, ok := backend.ParseRetryAfter(tt.in, now)
		if d != tt.want || ok != tt.ok {
			t.Errorf("ParseRetryAfter(%q) = %v, %v, want %v, %v", tt.in, d, ok, tt.want, tt.ok)
		}
	}
}
