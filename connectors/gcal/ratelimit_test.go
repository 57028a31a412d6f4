package gcal_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/gcal"
	"github.com/caseyos/caseyos/connectors/gcal/gcaltest"
)

// TestPoll_RateLimitMidPaging: the second page of a full sync's
// events.list is refused, in each way Google refuses. A brief limit is
// retried inside the request; a lasting one, or a long Retry-After, comes
// back as a backend.RateLimited saying what to wait for, and the next Poll
// fetches every meeting once.
func TestPoll_RateLimitMidPaging(t *testing.T) {
	pacific := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	lasting := 1 + gcal.DefaultRetries
	tests := []struct {
		name  string
		fault gcaltest.Fault
		limit string
		wait  time.Duration
		daily bool
	}{
		{"429NoRetryAfter", gcaltest.Fault{Status: 429, Reason: "rateLimitExceeded", Times: lasting}, "rate limit", 0, false},
		{"403UserRateLimit", gcaltest.Fault{Status: 403, Reason: "userRateLimitExceeded", Times: lasting}, "per-user rate limit", 0, false},
		{"429NotJSON", gcaltest.Fault{Status: 429, Body: "<html>Too Many Requests</html>", Times: lasting}, "rate limit", 0, false},
		{"RetryAfterSecondsLong", gcaltest.Fault{Status: 429, Reason: "rateLimitExceeded", RetryAfter: "20"}, "rate limit", 20 * time.Second, false},
		{"RetryAfterDate", gcaltest.Fault{Status: 429, Reason: "rateLimitExceeded", RetryAfter: t0.Add(90 * time.Second).Format(http.TimeFormat)}, "rate limit", 90 * time.Second, false},
		{"DailyLimit", gcaltest.Fault{Status: 403, Reason: "dailyLimitExceeded"}, "daily limit", pacific.Sub(t0), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, gcal.Config{}, gcaltest.Options{})
			for i := 0; i < 600; i++ {
				start := t0.Add(-time.Duration(i+1) * 10 * time.Minute)
				e.fake.AddEvent(gcaltest.Event{Summary: "Call", Start: start, End: start.Add(5 * time.Minute),
					Attendees: []gcaltest.Attendee{{Email: owner}, {Email: "dana@northwind.io"}}})
			}
			f := tt.fault
			f.Method, f.After = "calendar.events.list", 1
			e.fake.Inject(f)

			_, _, err := e.c.Poll(context.Background(), "")
			if backend.ErrorCode(err) != backend.EUNAVAILABLE {
				t.Fatalf("Poll over a rate limit = %v, want unavailable", err)
			}
			var rl *backend.RateLimited
			if !errors.As(err, &rl) {
				t.Fatalf("Poll over a rate limit = %v, want a backend.RateLimited", err)
			}
			if rl.Limit != tt.limit || rl.Wait != tt.wait || rl.Daily != tt.daily {
				t.Errorf("RateLimited = %q wait %v daily %v, want %q %v %v", rl.Limit, rl.Wait, rl.Daily, tt.limit, tt.wait, tt.daily)
			}
			if tt.daily && (!rl.Reset.Equal(pacific) || !strings.Contains(backend.ErrorMessage(err), "2026-12-02 08:00 UTC")) {
				t.Errorf("daily reset %v, message %q; want %v named", rl.Reset, backend.ErrorMessage(err), pacific)
			}
			sigs, _ := e.poll(t, "")
			if n := len(summary(sigs)); n != 600 || len(sigs) != 600 {
				t.Errorf("meetings after the limit = %d (%d keys), want 600", len(sigs), n)
			}
		})
	}
	t.Run("BriefLimitRetriedInside", func(t *testing.T) {
		e := newEnv(t, gcal.Config{}, gcaltest.Options{})
		e.fake.Inject(gcaltest.Fault{Method: "calendar.events.list", Status: 403, Reason: "rateLimitExceeded", RetryAfter: "1"})
		start := time.Now()
		if _, _, err := e.c.Poll(context.Background(), ""); err != nil {
			t.Fatalf("Poll after a 1 s Retry-After = %v, want a retry", err)
		}
		if el := time.Since(start); el < time.Second {
			t.Errorf("Poll took %v, want the 1 s Retry-After obeyed", el)
		}
	})
}
