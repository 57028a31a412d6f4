package backend

import (
	"context"
	"testing"
	"time"
)

var bucketEpoch = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

// drive takes n requests from b as fast as it allows, moving clock over
// every wait, and returns when each went out.
func drive(b *TokenBucket, clock *ManualClock, n int) []time.Time {
	var at []time.Time
	for len(at) < n {
		if d := b.reserve(); d > 0 {
			clock.Advance(d)
			continue
		}
		at = append(at, clock.Now())
	}
	return at
}

// maxInWindow is the most requests in any window of length w.
func maxInWindow(at []time.Time, w time.Duration) int {
	best, j := 0, 0
	for i := range at {
		for at[i].Sub(at[j]) >= w {
			j++
		}
		best = max(best, i-j+1)
	}
	return best
}

func TestTokenBucket_StaysUnderRollingWindow(t *testing.T) {
	for _, l := range []Limit{{100, 10 * time.Second}, {190, 10 * time.Second}, {180, 15 * time.Minute}, {5, time.Second}} {
		clock := NewManualClock(bucketEpoch)
		b := NewTokenBucket(l, clock)
		at := drive(b, clock, l.Requests*6)
		if got := maxInWindow(at, l.Per); got > l.Requests {
			t.Errorf("%v: %d requests in one window, want ≤ %d", l, got, l.Requests)
		}
		// Sustained throughput is at least 0.9 of the ceiling (a limit
		// under 10 per window keeps a burst of 1: (N−1)/N of it).
		want := min(0.9, float64(l.Requests-1)/float64(l.Requests)) - 0.01
		span := at[len(at)-1].Sub(at[0])
		rate := float64(len(at)-1) / span.Seconds()
		ceiling := float64(l.Requests) / l.Per.Seconds()
		if rate < want*ceiling {
			t.Errorf("%v: %.3f requests/s, want ≥ %.2f × %.3f", l, rate, want, ceiling)
		}
	}
}

func TestTokenBucket_Observe(t *testing.T) {
	t.Run("RemainingLowersTokens", func(t *testing.T) {
		clock := NewManualClock(bucketEpoch)
		b := NewTokenBucket(Limit{100, 10 * time.Second}, clock)
		b.Observe(2, 0)
		for i := 0; i < 2; i++ {
			if d := b.reserve(); d != 0 {
				t.Fatalf("request %d waits %v, want none", i+1, d)
			}
		}
		if d := b.reserve(); d == 0 {
			t.Fatal("third request went out after the vendor said 2 were left")
		}
	})
	t.Run("NoneLeftHoldsUntilReset", func(t *testing.T) {
		clock := NewManualClock(bucketEpoch)
		b := NewTokenBucket(Limit{100, 10 * time.Second}, clock)
		b.Observe(0, 3*time.Second)
		if d := b.reserve(); d != 3*time.Second {
			t.Fatalf("wait = %v, want 3s", d)
		}
		clock.Advance(3 * time.Second)
		if d := b.reserve(); d != 0 {
			t.Fatalf("after the reset, wait = %v, want none", d)
		}
	})
	t.Run("NoneLeftUnknownResetWaitsAWindow", func(t *testing.T) {
		clock := NewManualClock(bucketEpoch)
		b := NewTokenBucket(Limit{100, 10 * time.Second}, clock)
		b.Observe(0, 0)
		if d := b.reserve(); d != 10*time.Second {
			t.Fatalf("wait = %v, want the 10s window", d)
		}
	})
	t.Run("AbsentHeaderIgnored", func(t *testing.T) {
		clock := NewManualClock(bucketEpoch)
		b := NewTokenBucket(Limit{100, 10 * time.Second}, clock)
		b.Observe(-1, 0)
		if d := b.reserve(); d != 0 {
			t.Fatalf("wait = %v, want none", d)
		}
	})
	t.Run("Hold", func(t *testing.T) {
		clock := NewManualClock(bucketEpoch)
		b := NewTokenBucket(Limit{100, 10 * time.Second}, clock)
		b.Hold(7 * time.Second)
		if d := b.reserve(); d != 7*time.Second {
			t.Fatalf("wait = %v, want 7s", d)
		}
	})
}

func TestTokenBucket_Wait(t *testing.T) {
	b := NewTokenBucket(Limit{1, time.Hour}, NewManualClock(bucketEpoch))
	if err := b.Wait(context.Background()); err != nil {
		t.Fatalf("first Wait: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Wait(ctx) }()
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

func TestBackoff_Delay(t *testing.T) {
	b := Backoff{Min: 10 * time.Second, Max: 5 * time.Minute}
	tests := []struct {
		n    int
		rnd  float64
		want time.Duration
	}{
		{1, 0, 5 * time.Second},
		{1, 0.999999, 10 * time.Second},
		{2, 0, 10 * time.Second},
		{3, 0.5, 30 * time.Second},
		{6, 0, 150 * time.Second},
		{7, 0, 150 * time.Second}, // capped at Max: 5 min → 2.5–5 min
		{50, 1, 5 * time.Minute},
	}
	for _, tt := range tests {
		if got := b.Delay(tt.n, tt.rnd); got.Round(time.Millisecond) != tt.want {
			t.Errorf("Delay(%d, %v) = %v, want %v", tt.n, tt.rnd, got, tt.want)
		}
	}
}
