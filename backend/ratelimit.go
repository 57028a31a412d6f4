package backend

import (
	"context"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Limit is a vendor's published request rate for one account: Requests per
// Per (HubSpot private apps: 100 or 190 per 10 s; X: 180 per 15 min).
type Limit struct {
	Requests int
	Per      time.Duration
}

// Valid says whether l describes a rate.
func (l Limit) Valid() bool { return l.Requests > 0 && l.Per > 0 }

// TokenBucket is a RateLimiter for one account. Vendors count requests in a
// rolling window, so the bucket is sized never to exceed the limit in any
// window of length Per: a burst of a tenth of the limit, refilled at the
// rest of it (100 per 10 s → a burst of 10, then 9 per second; at most 100
// in any 10 s). The vendor's headers, reported through Observe, override
// what the bucket believes: fewer requests left than tokens lowers the
// tokens, and none left holds every request until the window resets.
type TokenBucket struct {
	clock WaitClock

	mu        sync.Mutex
	limit     Limit
	burst     float64
	rate      float64 // tokens per second
	tokens    float64
	last      time.Time // when tokens was last brought up to date
	holdUntil time.Time // no request before this (the vendor's window is spent)
}

var _ RateLimiter = (*TokenBucket)(nil)

// NewTokenBucket returns a full bucket for l. clock waits when it is a
// WaitClock, else real timers do the waiting. An invalid l panics: limits
// are constants wired at startup.
func NewTokenBucket(l Limit, clock Clock) *TokenBucket {
	if !l.Valid() {
		panic("backend: NewTokenBucket with an invalid limit")
	}
	w := waitClock(clock)
	b := &TokenBucket{clock: w, limit: l, last: w.Now()}
	b.burst = math.Max(1, math.Floor(float64(l.Requests)/10))
	if float64(l.Requests) <= b.burst {
		b.burst = 1
	}
	b.rate = (float64(l.Requests) - b.burst) / l.Per.Seconds()
	if b.rate <= 0 {
		b.rate = float64(l.Requests) / l.Per.Seconds()
	}
	b.tokens = b.burst
	return b
}

// Limit returns the limit the bucket was made for.
func (b *TokenBucket) Limit() Limit { return b.limit }

// refill brings tokens up to date with now; b.mu is held.
func (b *TokenBucket) refill(now time.Time) {
	if el := now.Sub(b.last); el > 0 {
		b.tokens = math.Min(b.burst, b.tokens+el.Seconds()*b.rate)
		b.last = now
	}
}

// reserve takes a token when one is there, else says how long to wait.
func (b *TokenBucket) reserve() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.clock.Now()
	b.refill(now)
	if now.Before(b.holdUntil) {
		return b.holdUntil.Sub(now)
	}
	if b.tokens >= 1 {
		b.tokens--
		return 0
	}
	d := time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
	return max(d, time.Millisecond)
}

// Wait blocks until a request may go out, or ctx ends.
func (b *TokenBucket) Wait(ctx context.Context) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		d := b.reserve()
		if d == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-b.clock.After(d):
		}
	}
}

// Observe takes in the vendor's view of the window: remaining requests and
// the time until the window resets (0 when unknown).
func (b *TokenBucket) Observe(remaining int, resetIn time.Duration) {
	if remaining < 0 {
		return // header absent or unreadable
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.clock.Now()
	b.refill(now)
	if float64(remaining) < b.tokens {
		b.tokens = float64(remaining)
	}
	if remaining == 0 {
		wait := resetIn
		if wait <= 0 {
			// The vendor says the window is spent but not for how long:
			// wait out a whole window rather than hammer it.
			wait = b.limit.Per
		}
		if until := now.Add(wait); until.After(b.holdUntil) {
			b.holdUntil = until
		}
	}
}

// Hold stops requests until d has passed: an error's Retry-After, obeyed
// by everything that shares the bucket.
func (b *TokenBucket) Hold(d time.Duration) {
	if d <= 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if until := b.clock.Now().Add(d); until.After(b.holdUntil) {
		b.holdUntil = until
	}
}

// RateLimited is a vendor refusing a request for its rate limits (an HTTP
// 429, one of Google's rate-limit 403s). Connectors return it as the cause
// of an EUNAVAILABLE Error, so that whoever retries knows what to wait for:
// a sync pass waits out a window itself and stops at a daily limit
// (Syncer).
type RateLimited struct {
	// Limit names what is spent, for people: "10-second window",
	// "per-user rate limit", "daily limit".
	Limit string
	// Wait is how long the vendor asked to wait (Retry-After, or its
	// published window); 0 when it did not say, and the waiter backs off.
	// For a daily limit it is the time until Reset.
	Wait time.Duration
	// Daily says the day's quota is spent: waiting minutes will not help.
	Daily bool
	// Reset is when a daily limit resets (the vendor's midnight, a best
	// guess when the vendor does not tell).
	Reset time.Time
	// Err is the vendor's answer.
	Err error
}

var _ RetryAfterError = (*RateLimited)(nil)

func (e *RateLimited) Error() string {
	s := "rate limited (" + e.Limit + ")"
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the vendor's answer.
func (e *RateLimited) Unwrap() error { return e.Err }

// RetryAfter returns Wait (RetryAfterError).
func (e *RateLimited) RetryAfter() time.Duration { return e.Wait }

// ParseRetryAfter reads an HTTP Retry-After header: delay seconds or an
// HTTP date (RFC 9110 §10.2.3), relative to now. ok is false when the
// header is absent or unreadable; a date already past is a wait of 0.
func ParseRetryAfter(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		const most = int64(365 * 24 * time.Hour / time.Second)
		return time.Duration(min(n, most)) * time.Second, true
	}
	for _, layout := range []string{time.RFC1123, "Monday, 02-Jan-06 15:04:05 MST", time.ANSIC} {
		if t, err := time.Parse(layout, v); err == nil {
			return max(t.Sub(now), 0), true
		}
	}
	return 0, false
}
