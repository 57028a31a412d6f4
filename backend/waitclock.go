package backend

import "time"

// WaitClock is a Clock that can also wait. Background loops (the sync
// engine, rate limiters) wait through it, so tests can fire their timers by
// moving a fake clock instead of sleeping.
type WaitClock interface {
	Clock
	// After returns a channel that receives once d has passed on this clock.
	After(d time.Duration) <-chan time.Time
}

// After waits on the runtime's timers.
func (SystemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// waitClock returns c as a WaitClock; a Clock that cannot wait (a
// ManualClock) tells the time while the waiting uses real timers.
func waitClock(c Clock) WaitClock {
	switch w := c.(type) {
	case WaitClock:
		return w
	case nil:
		return SystemClock{}
	}
	return realWaits{c}
}

type realWaits struct{ Clock }

func (realWaits) After(d time.Duration) <-chan time.Time { return time.After(d) }
