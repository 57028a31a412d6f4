package backend

import (
	"context"
	"testing"
	"time"
)

// driveWindow takes n requests from w as fast as it allows, moving clock
// over every wait, and returns when each went out.
func driveWindow(w *RollingWindow, clock *ManualClock, n int) []time.Time {
	var at []time.Time
	for len(at) < n {
		if d := w.reserve(); d > 0 {
			clock.Advance(d)
			continue
		}
		at = append(at, clock.Now())
	}
	return at
}

// TestRollingWindow_UsesTheLimit: never more than the limit in any window,
// and at least 0.95 of it sustained (the bucket keeps 0.9).
func TestRollingWindow_UsesTheLimit(t *testing.T) {
	for _, l := range []Limit{{100, 10 * time.Second}, {190, 10 * time.Second}, {5, time.Second}} {
		clock := NewManualClock(bucketEpoch)
		w := NewRollingWindow(l, clock)
		at := driveWindow(w, clock, l.Requests*6+1)
		if got := maxInWindow(at, l.Per); got > l.Requests {
			t.Errorf("%v: %d requests in one window, want ≤ %d", l, got, l.Requests)
		}
		rate := float64(len(at)-1) / at[len(at)-1].Sub(at[0]).Seconds()
		if ceiling := float64(l.Requests) / l.Per.Seconds(); rate < 0.95*ceiling {
			t.Errorf("%v: %.3f requests/s, want ≥ 0.95 × %.3f", l, rate, ceiling)
		}
	}
}

// TestRollingWindow_BurstAfterPause: after a pause as long as the window,
// the whole limit may go at once; after a shorter one, what expired.
func TestRollingWindow_BurstAfterPause(t *testing.T) {
	clock := NewManualClock(bucketEpoch)
	w := NewRollingWindow(Limit{100, 10 * time.Second}, clock)
	driveWindow(w, clock, 100)
	clock.Advance(11 * time.Second)
	for i := 0; i < 100; i++ {
		if d := w.reserve(); d != 0 {
			t.Fatalf("request %d after a full window's pause waits %v, want 0", i, d)
		}
	}
	if d := w.reserve(); d == 0 {
		t.Fatal("the 101st request in the window went out")
	}
}

func TestRollingWindow_Observe(t *testing.T) {
	t.Run("OthersSpending", func(t *testing.T) {
		clock := NewManualClock(bucketEpoch)
		w := NewRollingWindow(Limit{100, 10 * time.Second}, clock)
		w.reserve()
		w.Observe(10, 10*time.Second) // another app spent 89
		for i := 0; i < 10; i++ {
			if d := w.reserve(); d != 0 {
				t.Fatalf("request %d of the 10 left waits %v", i, d)
			}
		}
		if d := w.reserve(); d == 0 || d > 11*time.Second {
			t.Fatalf("after the vendor's 10 left are spent: wait %v, want up to a window", d)
		}
	})
	t.Run("Absent", func(t *testing.T) {
		clock := NewManualClock(bucketEpoch)
		w := NewRollingWindow(Limit{2, time.Second}, clock)
		w.Observe(-1, 0)
		if w.reserve() != 0 || w.reserve() != 0 {
			t.Fatal("an absent header took requests away")
		}
	})
	t.Run("DailyHolds", func(t *testing.T) {
		clock := NewManualClock(bucketEpoch)
		w := NewRollingWindow(Limit{100, 10 * time.Second}, clock)
		w.Observe(0, 5*time.Hour)
		if d := w.reserve(); d < 4*time.Hour {
			t.Fatalf("after the daily limit: wait %v, want the 5 h until it resets", d)
		}
	})
}

func TestRollingWindow_Wait(t *testing.T) {
	w := NewRollingWindow(Limit{1, time.Hour}, NewManualClock(bucketEpoch))
	if err := w.Wait(context.Background()); err != nil {
		t.Fatalf("first Wait: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Wait(ctx) }()
	cancel()
	select {
	case err := <-done:
		if err != context.Canceled {
			t.Fatalf("Wait after cancel = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Wait did not return when its context ended")
	}
}

// TestRollingWindow_DatesAnswers: a request answered late counts from its
// answer, when the vendor had surely counted it: with a slow first trip
// the window's 101st request waits a window from that answer, not from
// when the first request was sent.
func TestRollingWindow_DatesAnswers(t *testing.T) {
	clock := NewManualClock(bucketEpoch)
	w := NewRollingWindow(Limit{100, 10 * time.Second}, clock)
	w.reserve()
	clock.Advance(3 * time.Second) // the first answer takes 3 s
	w.Observe(99, 10*time.Second)
	for i := 1; i < 100; i++ {
		w.reserve()
		w.Observe(100-i-1, 10*time.Second)
	}
	clock.Advance(7*time.Second + 500*time.Millisecond) // 10.5 s after the first was sent
	if d := w.reserve(); d == 0 || d < 2*time.Second {
		t.Fatalf("101st request 10.5 s after the first was sent but 7.5 s after its answer: wait %v, want ≥ 2.5 s", d)
	}
}
