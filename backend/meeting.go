package backend

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Working hours in which meetings are proposed, Monday to Friday: always
// inside the owner's (in the owner's zone), and inside the contact's (in
// theirs) whenever the two overlap. They sit within the default send
// window (08:00–20:00).
const (
	WorkdayStart    = 9 * time.Hour
	WorkdayEnd      = 17 * time.Hour
	slotStep        = 15 * time.Minute // quarter hours
	slotLead        = time.Hour        // the earliest slot is at least this far ahead
	slotHorizonDays = 10
	defaultMeeting  = 30 * time.Minute
)

// MeetingAction books meetings: free/busy, the three best slots inside the
// contact's working hours, then the chosen one with a Meet link.
type MeetingAction struct{ Calendar Calendar }

// Supports reports true for schedule_meeting.
func (MeetingAction) Supports(kind MoveKind) bool { return kind == KindScheduleMeeting }

// Execute plans and books.
func (a MeetingAction) Execute(ctx context.Context, m *Move, exec *Execution) (ExecutionResult, error) {
	return planAndDo(ctx, a, m, exec)
}

// Plan reads free/busy for the owner and the attendees over the next
// working days and proposes the three best slots; the chosen one is
// Draft.Fields["slot"] (an RFC 3339 start among them) or the first.
func (a MeetingAction) Plan(ctx context.Context, in PlanInput) (*Plan, error) {
	m := in.Move
	d := m.Draft
	if len(d.To) == 0 {
		return nil, Errorf(EINVALID, "the meeting has no attendee")
	}
	dur := d.Duration
	if dur <= 0 {
		dur = defaultMeeting
	}
	owner := in.Zone
	if owner == nil {
		owner = time.Local
	}
	// The contact's zone when known, else the owner's: never UTC by default.
	loc, zone := owner, owner.String()
	if in.Contact != nil && in.Contact.Timezone != "" {
		if l, err := time.LoadLocation(in.Contact.Timezone); err == nil {
			loc, zone = l, in.Contact.Timezone
		}
	}
	from := in.Now
	to := from.AddDate(0, 0, slotHorizonDays+4)
	proposed := ProposedWindows(d)
	for _, w := range proposed {
		if w.End.After(to) {
			to = w.End
		}
	}
	hours := in.Settings.Workday()
	busyBy, err := a.Calendar.FreeBusy(ctx, from, to, append([]string{"primary"}, d.To...))
	if err != nil {
		return nil, err
	}
	var busy []Busy
	for _, b := range busyBy {
		busy = append(busy, b...)
	}
	slots, inside := FindSlots(SlotQuery{Now: in.Now, Theirs: loc, Owner: owner, Hours: hours, Busy: busy, Duration: dur, N: 3, Proposed: proposed})
	if len(slots) == 0 {
		return nil, Errorf(ECONFLICT, "no free %s slot in the next %d working days (%s–%s %s)", dur, slotHorizonDays, clockOf(hours.Start), clockOf(hours.End), owner)
	}
	chosen := slots[0]
	if want := d.Fields["slot"]; want != "" {
		t, err := time.Parse(time.RFC3339, want)
		if err != nil {
			return nil, Errorf(EINVALID, "the chosen slot %q is not an RFC 3339 time", want)
		}
		found := false
		for _, s := range slots {
			if s.Start.Equal(t) {
				chosen, found = s, true
			}
		}
		if !found {
			return nil, Errorf(ECONFLICT, "the chosen slot %s is no longer free; preview again to see the current ones", t.In(owner).Format("Mon 2 Jan 15:04 MST"))
		}
	}
	title := strings.TrimSpace(nonEmpty(d.Subject, m.Title))
	mt := &PlanMeeting{Title: title, Attendees: d.To, Start: chosen.Start, End: chosen.End, TimeZone: zone, Meet: true, Slots: slots}
	p := &Plan{MoveID: m.ID, Kind: m.Kind, Action: ActionScheduleMeeting, Account: "gcal", Outgoing: true, Meeting: mt,
		Recipients: recipients(in, d.To),
		Undo:       "Rollback cancels the event and tells the guests."}
	// Times in the owner's zone; the contact's own clock beside them when
	// it differs, and a word when a slot falls outside their hours.
	theirs := func(s PlanSlot) string {
		out := ""
		if len(proposed) > 0 && !insideAny(s, proposed) {
			out = " — not in the times they proposed"
		}
		if l := s.Start.In(loc); l.Format("15:04 MST") != s.Start.In(owner).Format("15:04 MST") {
			out = fmt.Sprintf(" (%s for %s)", l.Format("15:04 MST"), in.Contact.DisplayName())
		}
		if !inWorkingHours(s.Start, s.End.Sub(s.Start), loc) && !insideAny(s, proposed) {
			out += " — outside their working hours"
		}
		return out
	}
	p.Effects = []string{fmt.Sprintf("Book “%s” %s–%s%s with %s, with a Meet link; invitations are sent",
		title, chosen.Start.In(owner).Format("Mon 2 Jan 15:04"), chosen.End.In(owner).Format("15:04 MST"), theirs(chosen), strings.Join(d.To, ", "))}
	if said := nonEmpty(d.Fields[FieldProposedText], "the times they proposed"); len(proposed) > 0 {
		switch {
		case inside == len(slots):
			p.Effects = append(p.Effects, fmt.Sprintf("They proposed %s: every slot is inside it", said))
		case inside == 0:
			p.Effects = append(p.Effects, fmt.Sprintf("They proposed %s, but none of it is free in your working hours: the nearest free slots instead", said))
		default:
			p.Effects = append(p.Effects, fmt.Sprintf("They proposed %s: %d slot(s) inside it, the rest the nearest free ones", said, inside))
		}
	}
	for i, s := range slots {
		p.Effects = append(p.Effects, fmt.Sprintf("Slot %d: %s%s", i+1, s.Start.In(owner).Format("Mon 2 Jan 15:04 MST"), theirs(s)))
	}
	return p, nil
}

// Do inserts the event under its client-chosen id: a retry finds it there.
func (a MeetingAction) Do(ctx context.Context, p *Plan) (ExecutionResult, error) {
	mt := p.Meeting
	id, err := a.Calendar.InsertEvent(ctx, NewEvent{ID: mt.EventID, Title: mt.Title, Start: mt.Start, End: mt.End, Attendees: mt.Attendees, Meet: mt.Meet})
	if err != nil {
		return ExecutionResult{}, err
	}
	return ExecutionResult{RemoteIDs: map[string]string{"event_id": id},
		Summary: fmt.Sprintf("meeting booked %s with %s", Stamp(mt.Start, nil), strings.Join(mt.Attendees, ", "))}, nil
}

// Find reports not found: inserting the same event id again answers that
// it exists, so reconciling re-does the insert without a second event.
func (MeetingAction) Find(context.Context, *Plan) (ExecutionResult, bool, error) {
	return ExecutionResult{}, false, nil
}

// Compensate cancels the event, with notifications to the guests.
func (a MeetingAction) Compensate(ctx context.Context, p *Plan, remote map[string]string) error {
	return a.Calendar.CancelEvent(ctx, nonEmpty(remote["event_id"], p.Meeting.EventID))
}

func insideAny(s PlanSlot, windows []PlanSlot) bool {
	for _, w := range windows {
		if !s.Start.Before(w.Start) && !s.End.After(w.End) {
			return true
		}
	}
	return false
}

// inWorkingHours reports whether [s, s+dur] lies inside WorkdayStart–
// WorkdayEnd of a weekday in loc. The day's bounds come from time.Date in
// loc, so working hours stay 9–17 across DST changes.
func inWorkingHours(s time.Time, dur time.Duration, loc *time.Location) bool {
	return inHours(s, dur, loc, WorkingHours{Start: WorkdayStart, End: WorkdayEnd})
}

// ceilQuarter rounds t up to a quarter hour. Every zone's offset from UTC
// is a whole number of quarter hours, so it is a quarter hour in all.
func ceilQuarter(t time.Time) time.Time {
	q := t.Truncate(slotStep)
	if q.Before(t) {
		q = q.Add(slotStep)
	}
	return q
}

// MeetingStart returns the first quarter hour at or after t at which a
// meeting of dur fits inside working hours in loc (Monday to Friday,
// WorkdayStart–WorkdayEnd): where a meeting proposed for t lands.
func MeetingStart(t time.Time, loc *time.Location, dur time.Duration) time.Time {
	s := ceilQuarter(t)
	for i := 0; i < 8*24*4; i++ { // a week and a day covers any weekend
		if inWorkingHours(s, dur, loc) {
			return s
		}
		s = s.Add(slotStep)
	}
	return ceilQuarter(t)
}

// BestSlots returns up to n free slots of length dur, on quarter hours, at
// least an hour after now, inside the owner's working hours in owner and,
// whenever the two overlap in the coming days, inside the contact's in
// loc too. Best means soonest, spread over days: the first free slot of
// each working day (in loc), then, when there are fewer days than n, the
// next free slots in time order.
func BestSlots(now time.Time, loc, owner *time.Location, busy []Busy, dur time.Duration, n int) []PlanSlot {
	slots, _ := FindSlots(SlotQuery{Now: now, Theirs: loc, Owner: owner, Busy: busy, Duration: dur, N: n})
	return slots
}

func bestSlots(now time.Time, loc, owner *time.Location, hours WorkingHours, busy []Busy, dur time.Duration, n int, theirsToo bool) []PlanSlot {
	var firsts, rest []PlanSlot
	seen := map[string]bool{} // days (in loc) that have their first slot
	until := now.AddDate(0, 0, slotHorizonDays+4)
	for s := ceilQuarter(now.Add(slotLead)); s.Before(until) && len(firsts) < n; s = s.Add(slotStep) {
		if !inHours(s, dur, owner, hours) || theirsToo && !inWorkingHours(s, dur, loc) || !free(busy, s, s.Add(dur)) {
			continue
		}
		slot := PlanSlot{Start: s.UTC(), End: s.Add(dur).UTC()}
		if day := s.In(loc).Format("2006-01-02"); !seen[day] {
			seen[day] = true
			firsts = append(firsts, slot)
		} else if len(rest) < n {
			rest = append(rest, slot)
		}
	}
	out := firsts
	for _, s := range rest {
		if len(out) >= n {
			break
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	if len(out) > n {
		out = out[:n]
	}
	return out
}
