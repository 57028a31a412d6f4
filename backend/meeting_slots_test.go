package backend_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// busyCalendar is a Calendar whose free/busy answer is fixed.
type busyCalendar struct {
	backend.Calendar
	busy []backend.Busy
}

func (c busyCalendar) FreeBusy(context.Context, time.Time, time.Time, []string) (map[string][]backend.Busy, error) {
	return map[string][]backend.Busy{"primary": c.busy}, nil
}

// TestFindSlots_Proposed: with the windows they proposed, the slots are
// inside them when free, on quarter hours, in the owner's working hours,
// across zones and DST changes; else the nearest free ones, said so.
func TestFindSlots_Proposed(t *testing.T) {
	ny, berlin, la := mustZone(t, "America/New_York"), mustZone(t, "Europe/Berlin"), mustZone(t, "America/Los_Angeles")
	at := func(loc *time.Location, y int, mo time.Month, d, h, mi int) time.Time {
		return time.Date(y, mo, d, h, mi, 0, 0, loc)
	}
	win := func(s, e time.Time) backend.PlanSlot { return backend.PlanSlot{Start: s, End: e} }
	tests := []struct {
		name       string
		q          backend.SlotQuery
		wantInside int
		check      func(t *testing.T, slots []backend.PlanSlot)
	}{
		{
			name: "Thursday afternoon in New York, owner in Berlin", wantInside: 3,
			// Thu 3 Dec 2026 12:00–17:00 EST is 18:00–23:00 in Berlin: only
			// 18:00–… is outside Berlin's 9–17, so the owner's hours are widened.
			q: backend.SlotQuery{Now: at(berlin, 2026, 12, 1, 8, 0), Theirs: ny, Owner: berlin, Hours: backend.WorkingHours{Start: 9 * time.Hour, End: 20 * time.Hour},
				Proposed: []backend.PlanSlot{win(at(ny, 2026, 12, 3, 12, 0), at(ny, 2026, 12, 3, 17, 0))}},
			check: func(t *testing.T, slots []backend.PlanSlot) {
				if got := slots[0].Start.In(ny); got.Hour() != 12 || got.Minute() != 0 || got.Day() != 3 {
					t.Errorf("first slot %v, want Thu 12:00 New York", got)
				}
				for _, s := range slots {
					if b := s.End.In(berlin); b.Hour() > 20 || b.Hour() == 20 && b.Minute() > 0 {
						t.Errorf("slot ends %v, after the owner's 20:00", b)
					}
				}
			},
		},
		{
			name: "busy at the start of the window → later inside it", wantInside: 3,
			q: backend.SlotQuery{Now: at(ny, 2026, 12, 1, 8, 0), Theirs: ny, Owner: ny,
				Busy:     []backend.Busy{{Start: at(ny, 2026, 12, 3, 12, 0), End: at(ny, 2026, 12, 3, 13, 10)}},
				Proposed: []backend.PlanSlot{win(at(ny, 2026, 12, 3, 12, 0), at(ny, 2026, 12, 3, 17, 0))}},
			check: func(t *testing.T, slots []backend.PlanSlot) {
				if got := slots[0].Start.In(ny); got.Hour() != 13 || got.Minute() != 15 {
					t.Errorf("first slot %v, want 13:15 (the next quarter hour after the busy block)", got)
				}
			},
		},
		{
			name: "window all busy → the nearest free slots", wantInside: 0,
			q: backend.SlotQuery{Now: at(ny, 2026, 12, 1, 8, 0), Theirs: ny, Owner: ny,
				Busy:     []backend.Busy{{Start: at(ny, 2026, 12, 3, 0, 0), End: at(ny, 2026, 12, 4, 0, 0)}},
				Proposed: []backend.PlanSlot{win(at(ny, 2026, 12, 3, 12, 0), at(ny, 2026, 12, 3, 17, 0))}},
			check: func(t *testing.T, slots []backend.PlanSlot) {
				for _, s := range slots {
					if d := s.Start.In(ny).Day(); d != 2 && d != 4 {
						t.Errorf("slot %v, want the day before or after the busy Thursday", s.Start.In(ny))
					}
				}
			},
		},
		{
			name: "a 3pm in Los Angeles across the US DST change", wantInside: 1,
			// Sun 1 Nov 2026 ends DST; Mon 2 Nov 15:00 PST = 18:00 EST.
			q: backend.SlotQuery{Now: at(ny, 2026, 10, 30, 9, 0), Theirs: la, Owner: ny, Hours: backend.WorkingHours{Start: 9 * time.Hour, End: 19 * time.Hour},
				Proposed: []backend.PlanSlot{win(at(la, 2026, 11, 2, 15, 0), at(la, 2026, 11, 2, 15, 30))}},
			check: func(t *testing.T, slots []backend.PlanSlot) {
				found := false
				for _, s := range slots {
					found = found || s.Start.Equal(at(la, 2026, 11, 2, 15, 0))
				}
				if !found {
					t.Errorf("slots %v, want 15:00 PST (18:00 EST) among them", slots)
				}
			},
		},
		{
			name: "the owner's working hours bound the window", wantInside: 3,
			q: backend.SlotQuery{Now: at(ny, 2026, 12, 1, 8, 0), Theirs: ny, Owner: ny, Hours: backend.WorkingHours{Start: 10 * time.Hour, End: 14 * time.Hour},
				Proposed: []backend.PlanSlot{win(at(ny, 2026, 12, 3, 9, 0), at(ny, 2026, 12, 3, 17, 0))}},
			check: func(t *testing.T, slots []backend.PlanSlot) {
				for _, s := range slots {
					if l := s.Start.In(ny); l.Hour() < 10 || s.End.In(ny).Hour() > 14 || s.End.In(ny).Hour() == 14 && s.End.In(ny).Minute() > 0 {
						t.Errorf("slot %v outside the owner's 10–14", l)
					}
				}
			},
		},
		{
			name: "no proposal → three slots as before", wantInside: 0,
			q: backend.SlotQuery{Now: at(ny, 2026, 12, 1, 8, 0), Theirs: ny, Owner: ny},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.q.Duration, tt.q.N = 30*time.Minute, 3
			slots, inside := backend.FindSlots(tt.q)
			if len(slots) != 3 || inside != tt.wantInside {
				t.Fatalf("FindSlots() = %d slots, %d inside; want 3, %d (%v)", len(slots), inside, tt.wantInside, slots)
			}
			for i, s := range slots {
				if s.Start.Minute()%15 != 0 || !s.End.Equal(s.Start.Add(30*time.Minute)) || s.Start.Before(tt.q.Now.Add(time.Hour)) {
					t.Errorf("slot %v–%v: off the quarter hour, not 30 minutes, or under an hour ahead", s.Start, s.End)
				}
				if i > 0 && !slots[i-1].Start.Before(s.Start) {
					t.Errorf("slots out of order: %v", slots)
				}
				for _, b := range tt.q.Busy {
					if s.Start.Before(b.End) && b.Start.Before(s.End) {
						t.Errorf("slot %v overlaps busy %v", s.Start, b)
					}
				}
			}
			if tt.check != nil {
				tt.check(t, slots)
			}
		})
	}
}

// TestMeetingAction_PlanProposed: a schedule_meeting move carrying their
// windows is planned inside them; when none is free the preview says the
// slots are the nearest instead.
func TestMeetingAction_PlanProposed(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, ny)
	thu := backend.PlanSlot{Start: time.Date(2026, 12, 3, 12, 0, 0, 0, ny), End: time.Date(2026, 12, 3, 17, 0, 0, 0, ny)}
	m := &backend.Move{ID: 4, Kind: backend.KindScheduleMeeting, Title: "Book the call", ContactID: "101",
		Draft: backend.Draft{To: []string{"dana@northwind.io"}, Subject: "Northwind × Casey", Duration: 30 * time.Minute,
			Fields: map[string]string{backend.FieldProposed: thu.Start.Format(time.RFC3339) + "/" + thu.End.Format(time.RFC3339), backend.FieldProposedText: "Thursday afternoon"}}}
	in := backend.PlanInput{Move: m, Settings: backend.DefaultSettings(), Now: now, Zone: ny,
		Contact: &backend.Contact{ID: "101", Name: "Dana", Email: "dana@northwind.io", Timezone: "America/New_York"}}
	p, err := backend.MeetingAction{Calendar: busyCalendar{}}.Plan(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Meeting.Slots) != 3 || !p.Meeting.Start.Equal(thu.Start) || !strings.Contains(strings.Join(p.Effects, "\n"), "They proposed Thursday afternoon: every slot is inside it") {
		t.Errorf("Plan() = start %v, slots %v, effects %q; want three Thursday-afternoon slots", p.Meeting.Start.In(ny), p.Meeting.Slots, p.Effects)
	}
	p, err = backend.MeetingAction{Calendar: busyCalendar{busy: []backend.Busy{{Start: thu.Start.Add(-3 * time.Hour), End: thu.End.Add(time.Hour)}}}}.Plan(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	eff := strings.Join(p.Effects, "\n")
	if len(p.Meeting.Slots) != 3 || !strings.Contains(eff, "none of it is free") || !strings.Contains(eff, "not in the times they proposed") {
		t.Errorf("Plan() with Thursday busy = slots %v, effects %q; want the nearest free, said so", p.Meeting.Slots, p.Effects)
	}
	// The owner's working hours from Settings bound every slot.
	st := backend.DefaultSettings()
	st.WorkingHours = backend.WorkingHours{Start: 14 * time.Hour, End: 16 * time.Hour}
	in.Settings = st
	p, err = backend.MeetingAction{Calendar: busyCalendar{}}.Plan(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range p.Meeting.Slots {
		if l := s.Start.In(ny); l.Hour() < 14 || l.Hour() >= 16 {
			t.Errorf("slot %v outside the owner's 14:00–16:00", l)
		}
	}
}
