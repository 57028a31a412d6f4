package app_test

import (
	"testing"
	"time"

	"github.com/caseyos/caseyos/app"
)

// TestParseWhen_RoundTimes: a snooze for a duration comes back at a round
// time in the person's zone, not to the second: an hour or more on the
// next quarter hour, less on the next minute; named times are exact.
func TestParseWhen_RoundTimes(t *testing.T) {
	for _, tz := range []string{"Europe/Berlin", "America/Los_Angeles", "Asia/Kathmandu"} {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			t.Skipf("no zone data: %v", err)
		}
		now := time.Date(2026, 12, 7, 14, 7, 42, 0, loc)
		at := func(d, h, m int) time.Time { return time.Date(2026, 12, d, h, m, 0, 0, loc) }
		tests := []struct {
			in   string
			want time.Time
		}{
			{"1h", at(7, 15, 15)},
			{"2h", at(7, 16, 15)},
			{"90m", at(7, 15, 45)},
			{"3d", at(10, 14, 15)},
			{"10m", at(7, 14, 18)},
			{"tomorrow", at(8, 9, 0)},
			{"15:30", at(7, 15, 30)},
		}
		for _, tt := range tests {
			if got, err := app.ParseWhen(tt.in, now); err != nil || !got.Equal(tt.want) {
				t.Errorf("%s: ParseWhen(%q) at 14:07:42 = %v, %v; want %v", tz, tt.in, got.In(loc), err, tt.want)
			}
		}
	}
	// On the quarter hour already: nothing added.
	now := time.Date(2026, 12, 7, 14, 0, 0, 0, time.UTC)
	if got, _ := app.ParseWhen("2h", now); !got.Equal(now.Add(2 * time.Hour)) {
		t.Errorf("ParseWhen(2h) at 14:00 = %v, want 16:00", got)
	}
}
