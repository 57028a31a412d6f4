package backend

import "time"

// Times a person reads are in the owner's zone (Services.SetZone, PlanInput.Zone;
// nil: the computer's, time.Local), in one short form: "Tue 9 Dec 14:00",
// or relative to now where the text is read at once: "today 14:00",
// "tomorrow 09:00". Only a UTC zone is named ("today 14:00 UTC"): a local
// time needs no label on the owner's own computer.

func zoneOr(loc *time.Location) *time.Location {
	if loc == nil {
		return time.Local
	}
	return loc
}

// zoneSuffix is " UTC" when t reads in UTC, else "".
func zoneSuffix(t time.Time) string {
	if name, off := t.Zone(); off == 0 && name == "UTC" {
		return " UTC"
	}
	return ""
}

// DayStamp renders t's date in loc: "Tue 9 Dec", with the year when it is
// not now's: "Tue 9 Dec 2025".
func DayStamp(t, now time.Time, loc *time.Location) string {
	loc = zoneOr(loc)
	l := t.In(loc)
	if l.Year() != now.In(loc).Year() {
		return l.Format("Mon 2 Jan 2006")
	}
	return l.Format("Mon 2 Jan")
}

// Stamp renders t in loc for text that is stored and read later (audit
// details, results), where "today" would go stale: "Tue 9 Dec 14:00".
func Stamp(t time.Time, loc *time.Location) string {
	l := t.In(zoneOr(loc))
	return l.Format("Mon 2 Jan 15:04") + zoneSuffix(l)
}

// When renders t in loc for text read now: "today 14:00", "tomorrow
// 09:00", "yesterday 18:30", the weekday within the coming week ("Fri
// 14:00"), else "Tue 9 Dec 14:00".
func When(t, now time.Time, loc *time.Location) string {
	return whenDay(t, now, loc) + " " + t.In(zoneOr(loc)).Format("15:04") + zoneSuffix(t.In(zoneOr(loc)))
}

// whenDay is When's day: "today", "tomorrow", "yesterday", "Fri", "Tue 9 Dec".
func whenDay(t, now time.Time, loc *time.Location) string {
	loc = zoneOr(loc)
	l, n := t.In(loc), now.In(loc)
	date := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }
	// Calendar days apart, counted on dates so a DST day is still one day.
	days := int(date(l).Sub(date(n)).Hours() / 24)
	switch {
	case days == 0:
		return "today"
	case days == 1:
		return "tomorrow"
	case days == -1:
		return "yesterday"
	case days > 1 && days < 7:
		return l.Format("Mon")
	}
	return DayStamp(t, now, loc)
}

// DueBy places a due time the product chooses for a task (a HubSpot task's
// due date) so it reads like one a person would set, no later than need be:
// t rounded up to the next quarter hour; and, when t is a day or more after
// now, the last working moment (09:00–17:00 on a weekday in loc) at or
// before that, so "in 48 hours" from 23:53 is due 17:00 that day and one
// landing on a Saturday is due Friday 17:00. Should that be no later than
// now, the first working moment after t instead. The zero time stays zero.
// Quarter hours are rounded in absolute time, which is a quarter hour in
// every zone (UTC+5:45 included).
func DueBy(t, now time.Time, loc *time.Location) time.Time {
	if t.IsZero() {
		return t
	}
	q := ceilQuarter(t)
	if t.Sub(now) < day {
		return q
	}
	loc = zoneOr(loc)
	for s, i := q, 0; i < 8*24*4 && s.After(now); s, i = s.Add(-slotStep), i+1 {
		if inWorkingHours(s, 0, loc) {
			return s
		}
	}
	return DueFrom(t, now, loc)
}

// DueFrom places a due time that must not come before t (following up
// when someone is back): the first working moment (09:00–17:00 on a
// weekday in loc) on a quarter hour at or after t, when t is a day or more
// after now; a nearer t is only rounded up to the next quarter hour.
func DueFrom(t, now time.Time, loc *time.Location) time.Time {
	if t.IsZero() {
		return t
	}
	if t.Sub(now) < day {
		return ceilQuarter(t)
	}
	return MeetingStart(t, zoneOr(loc), 0)
}
