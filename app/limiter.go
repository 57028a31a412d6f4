package app

import (
	"time"

	"github.com/caseyos/caseyos/backend"
)

// NewLimiter returns the rate limiter an account's requests share, for its
// connector's published limit (100 per 10 s when it publishes none): a
// rolling window that spends all of it when the vendor counts in one, else
// a token bucket that stays safely under it.
func NewLimiter(c Connector, clock backend.Clock) backend.RateLimiter {
	lim := c.Limit
	if !lim.Valid() {
		lim = backend.Limit{Requests: 100, Per: 10 * time.Second}
	}
	if c.RollingWindow {
		return backend.NewRollingWindow(lim, clock)
	}
	return backend.NewTokenBucket(lim, clock)
}
