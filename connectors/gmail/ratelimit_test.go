package gmail_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/gmail"
	"github.com/caseyos/caseyos/connectors/gmail/gmailtest"
)

// deliverMany delivers n mails from Dana after the first sync, so that the
// next Poll pages through history.list (500 records a page).
func deliverMany(e *env, n int) {
	for i := range n {
		e.fake.Deliver(gmailtest.Message{From: "Dana Whitfield <dana@northwind.io>", To: []string{owner},
			Subject: fmt.Sprintf("Question %d", i), Body: "One more thing."})
	}
}

// TestPoll_RateLimitMidPaging: the second page of history.list is refused,
// in each way Google refuses (429 or 403, with or without Retry-After, a
// body that is not JSON, the daily quota). A brief limit is retried
// inside the request; a lasting one, or a long Retry-After, comes back as
// a backend.RateLimited saying what to wait for, and the next Poll from
// the same cursor fetches every mail once.
func TestPoll_RateLimitMidPaging(t *testing.T) {
	pacific := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC) // midnight in Mountain View after t0
	lasting := 1 + gmail.DefaultRetries                     // more than the request retries
	tests := []struct {
		name  string
		fault gmailtest.Fault
		limit string
		wait  time.Duration
		daily bool
	}{
		{"429NoRetryAfter", gmailtest.Fault{Status: 429, Reason: "rateLimitExceeded", Times: lasting}, "rate limit", 0, false},
		{"403UserRateLimit", gmailtest.Fault{Status: 403, Reason: "userRateLimitExceeded", Times: lasting}, "per-user rate limit", 0, false},
		{"429NotJSON", gmailtest.Fault{Status: 429, Body: "<html><title>429 Too Many Requests</title></html>", Times: lasting}, "rate limit", 0, false},
		{"RetryAfterSecondsLong", gmailtest.Fault{Status: 429, Reason: "rateLimitExceeded", RetryAfter: "30"}, "rate limit", 30 * time.Second, false},
		{"RetryAfterDate", gmailtest.Fault{Status: 429, Reason: "rateLimitExceeded", RetryAfter: t0.Add(time.Minute).Format(http.TimeFormat)}, "rate limit", time.Minute, false},
		{"DailyLimit", gmailtest.Fault{Status: 403, Reason: "dailyLimitExceeded"}, "daily limit", pacific.Sub(t0), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, gmail.Config{}, gmailtest.Options{})
			_, cur := e.poll(t, "")
			deliverMany(e, 600)
			f := tt.fault
			f.Method, f.After = "users.history.list", 1
			e.fake.Inject(f)

			_, next, err := e.c.Poll(context.Background(), cur)
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
			if next != "" {
				t.Errorf("cursor after a failed Poll = %q, want none (the pass polls again from the old one)", next)
			}
			sigs, _ := e.poll(t, cur)
			got := keys(byType(sigs, backend.SignalEmailReplied))
			got2 := keys(byType(sigs, backend.SignalEmailReceived))
			if len(got)+len(got2) != 600 {
				t.Errorf("mails after the limit = %d, want 600", len(got)+len(got2))
			}
		})
	}
	t.Run("BriefLimitRetriedInside", func(t *testing.T) {
		e := newEnv(t, gmail.Config{}, gmailtest.Options{})
		_, cur := e.poll(t, "")
		deliverMany(e, 600)
		e.fake.Inject(gmailtest.Fault{Method: "users.history.list", After: 1, Status: 429, Reason: "rateLimitExceeded", RetryAfter: "1"})
		start := time.Now()
		sigs, _ := e.poll(t, cur)
		if el := time.Since(start); el < time.Second {
			t.Errorf("Poll took %v, want the 1 s Retry-After obeyed", el)
		}
		if n := len(sigs); n != 600 {
			t.Errorf("signals = %d, want 600", n)
		}
	})
}

// TestPoll_DailyLimitStopsTheOtherFetches: a daily limit on one message
// holds the account's limiter until midnight; the fetches still queued
// must give up at once instead of waiting for it.
func TestPoll_DailyLimitStopsTheOtherFetches(t *testing.T) {
	clock := backend.NewManualClock(t0)
	lim := backend.NewTokenBucket(backend.Limit{Requests: 1000, Per: time.Second}, clock)
	e := newEnv(t, gmail.Config{Limiter: lim, Concurrency: 4, Clock: clock}, gmailtest.Options{})
	_, cur := e.poll(t, "")
	deliverMany(e, 40)
	e.fake.Inject(gmailtest.Fault{Method: "users.messages.get", After: 2, Status: 403, Reason: "dailyLimitExceeded"})
	done := make(chan error, 1)
	go func() {
		_, _, err := e.c.Poll(context.Background(), cur)
		done <- err
	}()
	select {
	case err := <-done:
		var rl *backend.RateLimited
		if !errors.As(err, &rl) || !rl.Daily {
			t.Errorf("Poll = %v, want the daily limit", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Poll still waits for the limiter after a daily limit")
	}
}
