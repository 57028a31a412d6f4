package backend

import (
	"sort"
	"time"
)

// SlotQuery is what FindSlots picks meeting slots from.
type SlotQuery struct {
	Now      time.Time
	Theirs   *time.Location // the contact's zone (nil: the owner's)
	Owner    *time.Location // the owner's zone (nil: time.Local)
	Hours    WorkingHours   // the owner's; zero reads as 9:00–17:00
	Busy     []Busy
	Duration time.Duration
	N        int
	// Proposed are the windows the other side proposed ("Thursday
	// afternoon"); slots inside them come first.
	Proposed []PlanSlot
}

// FindSlots returns up to q.N free slots of q.Duration on quarter hours,
// at least an hour after now, inside the owner's working hours. When they
// proposed windows, the slots are inside those when free (inside reports
// how many are, the first ones); the rest are the free slots nearest to
// the windows. Without windows it is BestSlots: soonest, one per day,
// inside the contact's 9–17 too whenever the two overlap.
func FindSlots(q SlotQuery) (slots []PlanSlot, inside int) {
	owner := zoneOr(q.Owner)
	theirs := q.Theirs
	if theirs == nil {
		theirs = owner
	}
	hours := (&Settings{WorkingHours: q.Hours}).Workday()
	dur := q.Duration
	if dur <= 0 {
		dur = defaultMeeting
	}
	if len(q.Proposed) == 0 {
		if s := bestSlots(q.Now, theirs, owner, hours, q.Busy, dur, q.N, true); len(s) > 0 {
			return s, 0
		}
		return bestSlots(q.Now, theirs, owner, hours, q.Busy, dur, q.N, false), 0
	}
	until := q.Now.AddDate(0, 0, slotHorizonDays+4)
	for _, w := range q.Proposed {
		if w.End.After(until) {
			until = w.End
		}
	}
	within := func(s time.Time) bool {
		for _, w := range q.Proposed {
			if !s.Before(w.Start) && !s.Add(dur).After(w.End) {
				return true
			}
		}
		return false
	}
	distance := func(s time.Time) time.Duration {
		best := time.Duration(1<<63 - 1)
		for _, w := range q.Proposed {
			d := w.Start.Sub(s.Add(dur)) // before the window
			if s.After(w.Start) {
				d = s.Sub(w.End) // after it
			}
			if d < 0 {
				d = 0
			}
			if d < best {
				best = d
			}
		}
		return best
	}
	var in, out []PlanSlot
	seen := map[string]bool{} // days (in theirs) that have an in-window slot
	var extra []PlanSlot      // in-window slots on a day that already has one
	for s := ceilQuarter(q.Now.Add(slotLead)); s.Before(until); s = s.Add(slotStep) {
		if !inHours(s, dur, owner, hours) || !free(q.Busy, s, s.Add(dur)) {
			continue
		}
		slot := PlanSlot{Start: s.UTC(), End: s.Add(dur).UTC()}
		switch {
		case within(s):
			if day := s.In(theirs).Format("2006-01-02"); !seen[day] {
				seen[day] = true
				in = append(in, slot)
			} else {
				extra = append(extra, slot)
			}
		case inHours(s, dur, theirs, WorkingHours{WorkdayStart, WorkdayEnd}) || theirs == owner:
			out = append(out, slot)
		}
	}
	// Spread over the days they offered, then fill from within the
	// windows an hour apart, else back to back, soonest first.
	slots = append(slots, in...)
	for _, gap := range []time.Duration{time.Hour, dur} {
		for _, s := range extra {
			if len(slots) >= q.N {
				break
			}
			if apart(slots, s.Start, gap) {
				slots = append(slots, s)
			}
		}
	}
	if len(slots) > q.N {
		slots = slots[:q.N]
	}
	sort.Slice(slots, func(i, j int) bool { return slots[i].Start.Before(slots[j].Start) })
	inside = len(slots)
	if inside < q.N {
		sort.SliceStable(out, func(i, j int) bool { return distance(out[i].Start) < distance(out[j].Start) })
		var near []PlanSlot
		for _, s := range out {
			if len(near)+inside >= q.N {
				break
			}
			if apart(near, s.Start, time.Hour) {
				near = append(near, s)
			}
		}
		slots = append(slots, near...)
	}
	sort.Slice(slots, func(i, j int) bool { return slots[i].Start.Before(slots[j].Start) })
	return slots, inside
}

func free(busy []Busy, s, e time.Time) bool {
	for _, b := range busy {
		if s.Before(b.End) && b.Start.Before(e) {
			return false
		}
	}
	return true
}

// apart reports whether t is at least gap away from every slot's start.
func apart(slots []PlanSlot, t time.Time, gap time.Duration) bool {
	for _, s := range slots {
		if d := s.Start.Sub(t); d < gap && d > -gap {
			return false
		}
	}
	return true
}

// inHours reports whether [s, s+dur] lies inside hours on a weekday in
// loc. The day's bounds come from time.Date in loc, so the hours stay
// put across DST changes.
func inHours(s time.Time, dur time.Duration, loc *time.Location, hours WorkingHours) bool {
	l := s.In(loc)
	if wd := l.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	midnight := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
	open := wallClock(midnight, hours.Start, loc)
	closeAt := wallClock(midnight, hours.End, loc)
	return !s.Before(open) && !s.Add(dur).After(closeAt)
}

// wallClock is the instant at wall-clock offset d after midnight on
// midnight's day in loc (9h is 09:00 even on a day with a DST change).
func wallClock(midnight time.Time, d time.Duration, loc *time.Location) time.Time {
	return time.Date(midnight.Year(), midnight.Month(), midnight.Day(), int(d/time.Hour), int(d%time.Hour/time.Minute), 0, 0, loc)
}
