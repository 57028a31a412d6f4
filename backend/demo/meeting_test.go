package demo_test

import (
	"testing"
	"time"
)

// TestDemo_MeetingsAheadInWorkingHours: loaded late in the evening at an
// odd minute, the scenario's external meetings ahead (and the Northwind
// demo date) land on quarter hours inside working hours, in the future.
func TestDemo_MeetingsAheadInWorkingHours(t *testing.T) {
	now := time.Date(2026, 12, 7, 23, 48, 13, 0, time.Local)
	ok := func(at time.Time) bool {
		l := at.In(time.Local)
		return at.After(now) && l.Minute()%15 == 0 && l.Second() == 0 && l.Hour() >= 9 && l.Hour() < 17 &&
			l.Weekday() != time.Saturday && l.Weekday() != time.Sunday
	}
	n := 0
	for _, s := range mustSignals(t, now) {
		if m := s.Meeting; m != nil && m.External && m.Start.After(now) {
			n++
			if !ok(m.Start) || m.End.In(time.Local).Hour() > 17 {
				t.Errorf("%s: meeting %q at %s–%s", s.DedupeKey, m.Title, m.Start.In(time.Local).Format("Mon 15:04:05"), m.End.In(time.Local).Format("15:04"))
			}
		}
		if at, err := time.Parse(time.RFC3339, s.Payload["demo_at"]); err == nil && at.After(now) {
			n++
			if !ok(at) {
				t.Errorf("%s: demo_at %s", s.DedupeKey, at.In(time.Local).Format("Mon 15:04:05"))
			}
		}
	}
	if n < 2 {
		t.Errorf("found %d meetings ahead, want at least the Helix review and the Northwind demo", n)
	}
}
