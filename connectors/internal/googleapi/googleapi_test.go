package googleapi_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	gapi "google.golang.org/api/googleapi"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/internal/googleapi"
)

var t0 = time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)

func gerr(code int, reason, retryAfter string) error {
	e := &gapi.Error{Code: code, Message: "msg", Header: http.Header{}}
	if reason != "" {
		e.Errors = []gapi.ErrorItem{{Reason: reason}}
	}
	if retryAfter != "" {
		e.Header.Set("Retry-After", retryAfter)
	}
	return e
}

func newAPI(count func(string, bool)) *googleapi.API {
	return &googleapi.API{Op: "gcal", Name: "Google Calendar", Product: "Calendar",
		NotFound: "no such event", Conflict: "exists", GoneIsNotFound: true,
		Retries: googleapi.DefaultRetries, Backoff: backend.Backoff{Min: time.Millisecond, Max: 2 * time.Millisecond},
		Clock: backend.NewManualClock(t0), Count: count}
}

func TestRateLimit(t *testing.T) {
	pacific := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		err   error
		limit string // "" = not a rate limit
		wait  time.Duration
		daily bool
	}{
		{"429NoBody", gerr(429, "", ""), "rate limit", 0, false},
		{"429RetryAfter", gerr(429, "rateLimitExceeded", "7"), "rate limit", 7 * time.Second, false},
		{"403UserRate", gerr(403, "userRateLimitExceeded", ""), "per-user rate limit", 0, false},
		{"403Quota", gerr(403, "quotaExceeded", t0.Add(time.Minute).Format(http.TimeFormat)), "rate limit", time.Minute, false},
		{"403Daily", gerr(403, "dailyLimitExceeded", "3"), "daily limit", pacific.Sub(t0), true},
		{"403Forbidden", gerr(403, "insufficientPermissions", ""), "", 0, false},
		{"500", gerr(500, "backendError", ""), "", 0, false},
		{"NotGoogle", errors.New("boom"), "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rl := googleapi.RateLimit(tt.err, t0)
			if tt.limit == "" {
				if rl != nil {
					t.Fatalf("RateLimit(%v) = %+v, want nil", tt.err, rl)
				}
				return
			}
			if rl == nil || rl.Limit != tt.limit || rl.Wait != tt.wait || rl.Daily != tt.daily {
				t.Fatalf("RateLimit(%v) = %+v, want %q wait %v daily %v", tt.err, rl, tt.limit, tt.wait, tt.daily)
			}
			if tt.daily && !rl.Reset.Equal(pacific) {
				t.Errorf("daily Reset = %v, want %v", rl.Reset, pacific)
			}
		})
	}
}

func TestAPI_MapError(t *testing.T) {
	a := newAPI(nil)
	tests := []struct {
		name string
		err  error
		code string
		msg  string
	}{
		{"401", gerr(401, "authError", ""), backend.EUNAUTHORIZED, "Google Calendar no longer accepts CaseyOS's access; reconnect Google."},
		{"403", gerr(403, "insufficientPermissions", ""), backend.EUNAUTHORIZED, "Google Calendar refused access (insufficientPermissions); reconnect Google and allow Calendar."},
		{"404", gerr(404, "notFound", ""), backend.ENOTFOUND, "no such event"},
		{"410", gerr(410, "deleted", ""), backend.ENOTFOUND, "no such event"},
		{"409", gerr(409, "duplicate", ""), backend.ECONFLICT, "exists"},
		{"400", gerr(400, "invalid", ""), backend.EINVALID, "Google Calendar rejected the request: msg"},
		{"503", gerr(503, "backendError", ""), backend.EUNAVAILABLE, "Google Calendar is having trouble; trying again later."},
		{"418", gerr(418, "", ""), backend.EINTERNAL, "Google Calendar answered unexpectedly."},
		{"Canceled", context.Canceled, backend.EUNAVAILABLE, "Google Calendar cannot be reached."},
		{"Other", errors.New("boom"), backend.EINTERNAL, "Google Calendar failed unexpectedly."},
		{"TokenSource", &backend.Error{Code: backend.EUNAUTHORIZED, Message: "reconnect"}, backend.EUNAUTHORIZED, "reconnect"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := a.MapError("gcal.x", tt.err, nil)
			if backend.ErrorCode(err) != tt.code || backend.ErrorMessage(err) != tt.msg {
				t.Errorf("MapError(%v) = %s %q, want %s %q", tt.err, backend.ErrorCode(err), backend.ErrorMessage(err), tt.code, tt.msg)
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("MapError(%v) = %v, want the cause wrapped", tt.err, err)
			}
		})
	}
	t.Run("410WithoutGone", func(t *testing.T) {
		b := newAPI(nil)
		b.GoneIsNotFound = false
		if err := b.MapError("gmail.x", gerr(410, "", ""), nil); backend.ErrorCode(err) != backend.EINTERNAL {
			t.Errorf("MapError(410) = %v, want internal", err)
		}
	})
	t.Run("Daily", func(t *testing.T) {
		err := gerr(403, "dailyLimitExceeded", "")
		got := a.MapError("gcal.x", err, googleapi.RateLimit(err, t0))
		if backend.ErrorCode(got) != backend.EUNAVAILABLE || !strings.Contains(backend.ErrorMessage(got), "daily quota is used up") || !strings.Contains(backend.ErrorMessage(got), "2026-12-02 08:00 UTC") {
			t.Errorf("MapError(daily) = %s %q", backend.ErrorCode(got), backend.ErrorMessage(got))
		}
	})
}

func TestAPI_Do(t *testing.T) {
	tests := []struct {
		name       string
		idempotent bool
		errs       []error // answers in turn; nil after them
		calls      int
		code       string // "" = success
	}{
		{"OK", true, nil, 1, ""},
		{"BriefLimitRetried", false, []error{gerr(429, "", ""), gerr(403, "rateLimitExceeded", "")}, 3, ""},
		{"LastingLimit", true, []error{gerr(429, "", ""), gerr(429, "", ""), gerr(429, "", ""), gerr(429, "", "")}, 4, backend.EUNAVAILABLE},
		{"LongRetryAfterReturned", true, []error{gerr(429, "", "6")}, 1, backend.EUNAVAILABLE},
		{"DailyNotRetried", true, []error{gerr(403, "dailyLimitExceeded", "")}, 1, backend.EUNAVAILABLE},
		{"5xxIdempotentRetried", true, []error{gerr(500, "", "")}, 2, ""},
		{"5xxSendNotRetried", false, []error{gerr(500, "", "")}, 1, backend.EUNAVAILABLE},
		{"404", true, []error{gerr(404, "", "")}, 1, backend.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var counted, retries int
			a := newAPI(func(method string, retry bool) {
				if method != "calendar.events.list" {
					t.Errorf("Count(%q), want the method", method)
				}
				counted++
				if retry {
					retries++
				}
			})
			calls := 0
			err := a.Do(context.Background(), "calendar.events.list", tt.idempotent, func() error {
				calls++
				if calls <= len(tt.errs) {
					return tt.errs[calls-1]
				}
				return nil
			})
			if calls != tt.calls || counted != calls || retries != calls-1 {
				t.Errorf("calls %d counted %d retries %d, want %d, %d, %d", calls, counted, retries, tt.calls, tt.calls, tt.calls-1)
			}
			if got := backend.ErrorCode(err); err != nil && got != tt.code || err == nil && tt.code != "" {
				t.Errorf("Do = %v, want code %q", err, tt.code)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "gcal.calendar.events.list") {
				t.Errorf("Do = %v, want the op gcal.calendar.events.list", err)
			}
		})
	}
}
