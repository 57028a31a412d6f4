package backend

import (
	"context"
	"sync"
	"time"
)

// RollingWindow is a RateLimiter for a vendor that counts requests in a
// rolling window (HubSpot: 100 in any 10 s). It remembers the last
// Requests requests and lets one more go as soon as the oldest is a window
// (and a margin) old: after a pause — the store writing a page — it sends
// a burst of what the window has room for, so a sync uses the whole
// limit, where a token bucket sized to stay under it (TokenBucket) keeps a
// tenth of it unused.
//
// The vendor starts a request's window when the request arrives, some
// time after it was sent. An answer with rate headers (Observe) dates the
// oldest request still waiting for one to when the answer came, which is
// after the vendor counted it: a window measured from there cannot end
// before the vendor's does, however slow the trip. A request never
// answered keeps its send time, plus the margin (a hundredth of the
// window). The headers also override what the window believes: fewer
// requests left than it counts means someone else (another integration on
// the account) is spending them, and they are counted as spent now.
type RollingWindow struct {
	clock  WaitClock
	limit  Limit
	margin time.Duration

	mu        sync.Mutex
	sent      []sentAt // the last requests, about oldest first; at most limit.Requests
	holdUntil time.Time
}

// sentAt is one request: when it was sent, or when its answer came back
// (answered).
type sentAt struct {
	at       time.Time
	answered bool
}

var _ RateLimiter = (*RollingWindow)(nil)

// NewRollingWindow returns an empty window for l on clock (a WaitClock
// waits on it). An invalid l panics: limits are constants wired at startup.
func NewRollingWindow(l Limit, clock Clock) *RollingWindow {
	if !l.Valid() {
		panic("backend: NewRollingWindow with an invalid limit")
	}
	return &RollingWindow{clock: waitClock(clock), limit: l, margin: l.Per / 100}
}

// Limit returns the limit the window was made for.
func (w *RollingWindow) Limit() Limit { return w.limit }

// expire drops the requests older than the window; w.mu is held.
func (w *RollingWindow) expire(now time.Time) {
	i := 0
	for i < len(w.sent) && !now.Before(w.sent[i].at.Add(w.limit.Per+w.margin)) {
		i++
	}
	w.sent = append(w.sent[:0], w.sent[i:]...)
}

// reserve records a request when the window has room, else says how long
// to wait.
func (w *RollingWindow) reserve() time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := w.clock.Now()
	if now.Before(w.holdUntil) {
		return w.holdUntil.Sub(now)
	}
	w.expire(now)
	if len(w.sent) < w.limit.Requests {
		w.sent = append(w.sent, sentAt{at: now})
		return 0
	}
	return max(w.sent[0].at.Add(w.limit.Per+w.margin).Sub(now), time.Millisecond)
}

// Wait blocks until a request may go out, or ctx ends.
func (w *RollingWindow) Wait(ctx context.Context) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		d := w.reserve()
		if d == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-w.clock.After(d):
		}
	}
}

// Observe takes in an answer's rate headers: the oldest request waiting
// for an answer is dated now, and requests the vendor counts and the
// window does not are counted as sent now. resetIn is not needed (the window knows when its own requests
// expire), except when the vendor says none are left and the window has
// none of its own to wait for.
func (w *RollingWindow) Observe(remaining int, resetIn time.Duration) {
	if remaining < 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	now := w.clock.Now()
	for i := range w.sent {
		if !w.sent[i].answered {
			w.sent[i] = sentAt{at: now, answered: true}
			break
		}
	}
	w.expire(now)
	for free := w.limit.Requests - len(w.sent); free > remaining; free-- {
		w.sent = append(w.sent, sentAt{at: now, answered: true})
	}
	if remaining == 0 && resetIn > w.limit.Per {
		// A longer wait than the window (a daily limit): hold for it.
		if until := now.Add(resetIn); until.After(w.holdUntil) {
			w.holdUntil = until
		}
	}
}

// Hold stops requests until d has passed: an error's Retry-After.
func (w *RollingWindow) Hold(d time.Duration) {
	if d <= 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if until := w.clock.Now().Add(d); until.After(w.holdUntil) {
		w.holdUntil = until
	}
}
