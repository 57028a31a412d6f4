package app_test

import (
	"testing"
	"time"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/backend"
)

// now is a Sunday.
var now = time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC)

func TestParseWhen(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2h", now.Add(2 * time.Hour)},
		{"90m", now.Add(90 * time.Minute)},
		{"3d", now.Add(72 * time.Hour)},
		{"1d4h", now.Add(28 * time.Hour)},
		{"tomorrow", time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)},
		{"monday", time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)},
		{"Sun", time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)},
		{"15:30", time.Date(2026, 11, 22, 15, 30, 0, 0, time.UTC)},
		{"08:00", time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)},
		{"2026-11-24 09:15", time.Date(2026, 11, 24, 9, 15, 0, 0, time.UTC)},
		{"2026-11-24T09:15:00Z", time.Date(2026, 11, 24, 9, 15, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		got, err := app.ParseWhen(tt.in, now)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("ParseWhen(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "soon", "25:00", "-2h"} {
		if _, err := app.ParseWhen(bad, now); backend.ErrorCode(err) != backend.EINVALID {
			t.Errorf("ParseWhen(%q) error = %v, want invalid", bad, err)
		}
	}
}

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
