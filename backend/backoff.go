package backend

import "time"

// Backoff is jittered exponential backoff: attempt n waits about
// Min·2^(n−1), capped at Max, with the upper half of that range drawn at
// random so that many clients failing together do not retry together.
type Backoff struct {
	Min, Max time.Duration
}

// DefaultBackoff retries a failed sync after 5–10 s, doubling up to 5 min
// (the default sync interval), so an account comes back within minutes of
// the network returning.
var DefaultBackoff = Backoff{Min: 10 * time.Second, Max: 5 * time.Minute}

// Delay returns the wait before retry attempt n (1 for the first retry);
// rnd is a random number in [0, 1).
func (b Backoff) Delay(n int, rnd float64) time.Duration {
	if b.Min <= 0 {
		b.Min = DefaultBackoff.Min
	}
	if b.Max < b.Min {
		b.Max = b.Min
	}
	d := b.Min
	for i := 1; i < n && d < b.Max; i++ {
		d *= 2
	}
	d = min(d, b.Max)
	rnd = min(max(rnd, 0), 1)
	return d/2 + time.Duration(rnd*float64(d/2))
}
