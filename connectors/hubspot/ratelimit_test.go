package hubspot

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/hubspot/hubspottest"
)

// TestPoll_RateLimitMidPaging: a 429 on the second page of the contact
// list, in each shape HubSpot and the proxies in front of it send, is a
// backend.RateLimited that says what to wait for; the page before it comes
// back with the cursor after it, and polling on from there finishes the
// pass with every contact.
func TestPoll_RateLimitMidPaging(t *testing.T) {
	midnight := time.Date(2026, 3, 3, 0, 1, 0, 0, time.UTC) // the day after t0, a minute past
	tests := []struct {
		name  string
		fault hubspottest.RateLimitFault
		limit string
		wait  time.Duration
		daily bool
	}{
		{"NoHeaders", hubspottest.RateLimitFault{}, "10-second window", 10 * time.Second, false},
		{"WithHeaders", hubspottest.RateLimitFault{Headers: true}, "10-second window", 10 * time.Second, false},
		{"RetryAfterSeconds", hubspottest.RateLimitFault{RetryAfter: "30"}, "10-second window", 30 * time.Second, false},
		{"RetryAfterShorterThanWindow", hubspottest.RateLimitFault{RetryAfter: "2"}, "10-second window", 10 * time.Second, false},
		{"RetryAfterDate", hubspottest.RateLimitFault{RetryAfter: t0.Add(45 * time.Second).Format(http.TimeFormat)}, "10-second window", 45 * time.Second, false},
		{"PlainTextBody", hubspottest.RateLimitFault{Body: "429 Too Many Requests\n"}, "10-second window", 10 * time.Second, false},
		{"Secondly", hubspottest.RateLimitFault{Policy: "SECONDLY"}, "search requests per second", time.Second, false},
		{"Daily", hubspottest.RateLimitFault{Policy: "DAILY"}, "daily limit", midnight.Sub(t0), true},
		{"DailyByHeaderOnly", hubspottest.RateLimitFault{Policy: "DAILY", Headers: true, Body: "Too Many Requests"}, "daily limit", midnight.Sub(t0), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, hubspottest.Options{}, func(c *Config) { c.PageBudget = 10 })
			f.srv.Seed(bulkSeed(250, t0.Add(-48*time.Hour), false))
			fault := tt.fault
			fault.Path, fault.After = "/crm/v3/objects/contacts", 1
			f.srv.InjectRateLimit(fault)

			sigs, cur, err := f.client.Poll(context.Background(), "")
			if backend.ErrorCode(err) != backend.EUNAVAILABLE {
				t.Fatalf("Poll over a 429 = %v, want unavailable", err)
			}
			var rl *backend.RateLimited
			if !errors.As(err, &rl) {
				t.Fatalf("Poll over a 429 = %v, want a backend.RateLimited in the chain", err)
			}
			if rl.Limit != tt.limit || rl.Wait != tt.wait || rl.Daily != tt.daily {
				t.Errorf("RateLimited = %q wait %v daily %v, want %q %v %v", rl.Limit, rl.Wait, rl.Daily, tt.limit, tt.wait, tt.daily)
			}
			if d, ok := backend.RetryAfter(err); !ok || d != tt.wait {
				t.Errorf("RetryAfter = %v, %v, want %v", d, ok, tt.wait)
			}
			if tt.daily {
				if !rl.Reset.Equal(midnight) || !strings.Contains(backend.ErrorMessage(err), "2026-03-03 00:01 UTC") {
					t.Errorf("daily limit resets %v, message %q; want %v named", rl.Reset, backend.ErrorMessage(err), midnight)
				}
			}
			if n := len(ofType(sigs, SignalContactCreated)); n != 100 {
				t.Errorf("signals before the 429 = %d, want the first page's 100", n)
			}
			// The next poll goes on from the cursor: nothing lost, nothing twice.
			rest, _ := f.pollAll(t, cur)
			all := keys(ofType(append(sigs, rest...), SignalContactCreated))
			if len(all) != 250 {
				t.Errorf("contacts after resuming = %d, want 250", len(all))
			}
			for k, n := range all {
				if n != 1 {
					t.Errorf("%s came %d times", k, n)
				}
			}
		})
	}
}
