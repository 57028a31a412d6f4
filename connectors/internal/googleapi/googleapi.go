package googleapi

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"time"

	gapi "google.golang.org/api/googleapi"

	"github.com/caseyos/caseyos/backend"
)

// Defaults the connectors give their Config.
const (
	DefaultRetries = 3
	// MaxInlineWait is the longest Retry-After a request waits for itself;
	// a longer one is returned for the caller to wait out.
	MaxInlineWait = 5 * time.Second
)

// DefaultBackoff paces retries after a rate-limit answer.
var DefaultBackoff = backend.Backoff{Min: time.Second, Max: 32 * time.Second}

// API is one Google API as the loop sees it: how to name it to people and
// how to pace and count its requests. Its fields are set once, before use.
type API struct {
	// Op prefixes an error's Op: "gmail" gives "gmail.users.messages.get".
	Op string
	// Name starts the messages people read: "Gmail", "Google Calendar".
	Name string
	// Product is what to allow when reconnecting, and what sync was
	// stopped: "Gmail", "Calendar".
	Product string
	// NotFound and Conflict are the messages for a 404 and a 409.
	NotFound, Conflict string
	// GoneIsNotFound maps a 410 to not_found too (a deleted event).
	GoneIsNotFound bool

	Limiter backend.RateLimiter // paces every request (may be nil)
	// Retries is how many times a brief rate limit (and, for idempotent
	// calls, a 5xx) is retried inside the request; negative = none.
	Retries int
	Backoff backend.Backoff
	Clock   backend.Clock
	// Count is told of every request before it goes out (retry after the
	// first attempt); may be nil.
	Count func(method string, retry bool)
}

// Do runs one API call: it waits for the limiter, counts it, and retries
// rate-limit answers (and, for idempotent calls, server errors) with
// jittered backoff. A rate-limit 403/429 is Google refusing before doing
// anything, so even a send may be retried; a 5xx on a send may have sent.
// A lasting limit, or a Retry-After over MaxInlineWait, is returned at once
// as a backend.RateLimited for the sync pass to wait out.
func (a *API) Do(ctx context.Context, method string, idempotent bool, call func() error) error {
	for attempt := 1; ; attempt++ {
		if a.Limiter != nil {
			if err := a.Limiter.Wait(ctx); err != nil {
				return &backend.Error{Code: backend.EUNAVAILABLE, Message: a.Product + " sync was stopped.", Op: a.Op + "." + method, Err: err}
			}
		}
		if a.Count != nil {
			a.Count(method, attempt > 1)
		}
		err := call()
		if err == nil {
			return nil
		}
		rl := RateLimit(err, a.Clock.Now())
		retry := rl != nil && !rl.Daily || idempotent && Code(err) >= 500
		wait := a.Backoff.Delay(attempt, rand.Float64())
		if rl != nil && rl.Wait > 0 {
			wait = rl.Wait // the server's Retry-After, or the daily reset
		}
		if rl != nil && a.Limiter != nil {
			a.Limiter.Observe(0, wait) // Google sends no rate headers: hold the bucket ourselves
		}
		if !retry || attempt > a.Retries || ctx.Err() != nil || wait > MaxInlineWait {
			return a.MapError(a.Op+"."+method, err, rl)
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return a.MapError(a.Op+"."+method, ctx.Err(), nil)
		}
	}
}

// Code is the HTTP status of a Google API error, 0 for anything else.
func Code(err error) int {
	var ge *gapi.Error
	if errors.As(err, &ge) {
		return ge.Code
	}
	return 0
}

// RateLimit describes a usage-limit answer — a 429 (whatever its body),
// or a 403 with a rate or quota reason — and nil for anything else. Wait
// is the Retry-After when Google sent one, 0 when it did not; a daily
// limit waits until Google's quotas reset.
func RateLimit(err error, now time.Time) *backend.RateLimited {
	var ge *gapi.Error
	if !errors.As(err, &ge) || ge.Code != http.StatusTooManyRequests && ge.Code != http.StatusForbidden {
		return nil
	}
	rl := &backend.RateLimited{Limit: "rate limit", Err: err}
	known := ge.Code == http.StatusTooManyRequests
	for _, e := range ge.Errors {
		switch e.Reason {
		case "userRateLimitExceeded":
			rl.Limit, known = "per-user rate limit", true
		case "rateLimitExceeded", "quotaExceeded":
			known = true
		case "dailyLimitExceeded":
			rl.Limit, rl.Daily, rl.Wait = "daily limit", true, untilPacificMidnight(now)
			rl.Reset = now.Add(rl.Wait)
			return rl
		}
	}
	if !known {
		return nil
	}
	if d, ok := backend.ParseRetryAfter(ge.Header.Get("Retry-After"), now); ok {
		rl.Wait = d
	}
	return rl
}

// untilPacificMidnight is when Google's daily quotas reset.
func untilPacificMidnight(now time.Time) time.Duration {
	loc, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		return time.Hour
	}
	n := now.In(loc)
	next := time.Date(n.Year(), n.Month(), n.Day()+1, 0, 0, 0, 0, loc)
	return next.Sub(n)
}

// MapError turns a client error into a backend.Error: 401 and missing
// permissions mean reconnect, rate limits (rl, from RateLimit) and 5xx are
// retryable, 404 is not_found. An error that already is a backend.Error
// (from the token source) keeps its code.
func (a *API) MapError(op string, err error, rl *backend.RateLimited) error {
	var be *backend.Error
	if errors.As(err, &be) {
		return backend.WrapError(op, err)
	}
	if rl != nil {
		msg := a.Name + " is rate limiting CaseyOS (" + rl.Limit + ")."
		if rl.Daily {
			msg = a.Name + "'s daily quota is used up; it resets at midnight Pacific time (" + rl.Reset.UTC().Format("2006-01-02 15:04 MST") + ")."
		}
		return &backend.Error{Code: backend.EUNAVAILABLE, Op: op, Err: rl, Message: msg}
	}
	var ge *gapi.Error
	if errors.As(err, &ge) {
		reason := ""
		if len(ge.Errors) > 0 {
			reason = ge.Errors[0].Reason
		}
		switch {
		case ge.Code == http.StatusUnauthorized:
			return &backend.Error{Code: backend.EUNAUTHORIZED, Message: a.Name + " no longer accepts CaseyOS's access; reconnect Google.", Op: op, Err: err}
		case ge.Code == http.StatusForbidden:
			return &backend.Error{Code: backend.EUNAUTHORIZED, Message: a.Name + " refused access (" + reason + "); reconnect Google and allow " + a.Product + ".", Op: op, Err: err}
		case ge.Code == http.StatusNotFound, ge.Code == http.StatusGone && a.GoneIsNotFound:
			return &backend.Error{Code: backend.ENOTFOUND, Message: a.NotFound, Op: op, Err: err}
		case ge.Code == http.StatusConflict:
			return &backend.Error{Code: backend.ECONFLICT, Message: a.Conflict, Op: op, Err: err}
		case ge.Code == http.StatusBadRequest:
			return &backend.Error{Code: backend.EINVALID, Message: a.Name + " rejected the request: " + ge.Message, Op: op, Err: err}
		case ge.Code >= 500:
			return &backend.Error{Code: backend.EUNAVAILABLE, Message: a.Name + " is having trouble; trying again later.", Op: op, Err: err}
		}
		return &backend.Error{Code: backend.EINTERNAL, Message: a.Name + " answered unexpectedly.", Op: op, Err: err}
	}
	var ne net.Error
	var ue *url.Error
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) || errors.As(err, &ue) {
		return &backend.Error{Code: backend.EUNAVAILABLE, Message: a.Name + " cannot be reached.", Op: op, Err: err}
	}
	return &backend.Error{Code: backend.EINTERNAL, Message: a.Name + " failed unexpectedly.", Op: op, Err: err}
}
