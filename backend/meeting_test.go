package backend_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

func mustZone(tb testing.TB, name string) *time.Location {
	tb.Helper()
	l, err := time.LoadLocation(name)
	if err != nil {
		tb.Skipf("no time zone data for %s: %v", name, err)
	}
	return l
}

// inHours reports whether [s, s+dur] is inside 9:00–17:00 of a weekday in loc.
func inHours(s time.Time, dur time.Duration, loc *time.Location) bool {
	l, e := s.In(loc), s.Add(dur).In(loc)
	if l.Weekday() == time.Saturday || l.Weekday() == time.Sunday || l.YearDay() != e.YearDay() {
		return false
	}
	return l.Hour() >= 9 && (e.Hour() < 17 || e.Hour() == 17 && e.Minute() == 0)
}

func TestBestSlots(t *testing.T) {
	berlin, la, ny := mustZone(t, "Europe/Berlin"), mustZone(t, "America/Los_Angeles"), mustZone(t, "America/New_York")
	kathmandu := mustZone(t, "Asia/Kathmandu") // UTC+5:45
	const dur = 30 * time.Minute
	tests := []struct {
		name           string
		now            time.Time
		contact, owner *time.Location
		busy           []backend.Busy
		first          time.Time // the first slot
		bothHours      bool      // every slot is inside the contact's hours too
	}{
		{
			name: "busy until an odd minute: the next quarter hour", now: time.Date(2026, 12, 1, 9, 0, 0, 0, ny), contact: ny, owner: ny,
			busy:  []backend.Busy{{Start: time.Date(2026, 12, 1, 9, 0, 0, 0, ny), End: time.Date(2026, 12, 1, 12, 48, 0, 0, ny)}},
			first: time.Date(2026, 12, 1, 13, 0, 0, 0, ny), bothHours: true,
		},
		{
			name: "now at an odd minute: a quarter hour at least an hour ahead", now: time.Date(2026, 12, 1, 10, 2, 0, 0, ny), contact: ny, owner: ny,
			first: time.Date(2026, 12, 1, 11, 15, 0, 0, ny), bothHours: true,
		},
		{
			name: "owner in Berlin, contact in New York: the overlap, Berlin afternoon", now: time.Date(2026, 12, 1, 8, 0, 0, 0, berlin), contact: ny, owner: berlin,
			first: time.Date(2026, 12, 1, 15, 0, 0, 0, berlin), bothHours: true,
		},
		{
			name: "no overlap (Berlin and Los Angeles): the owner's hours win", now: time.Date(2026, 12, 1, 8, 0, 0, 0, berlin), contact: la, owner: berlin,
			first: time.Date(2026, 12, 1, 9, 0, 0, 0, berlin),
		},
		{
			name: "late Friday: Monday morning, not the weekend", now: time.Date(2026, 12, 4, 16, 40, 0, 0, ny), contact: ny, owner: ny,
			first: time.Date(2026, 12, 7, 9, 0, 0, 0, ny), bothHours: true,
		},
		{
			name: "DST ends over the weekend (Berlin, Sunday Oct 25): 9:00 is still 9:00", now: time.Date(2026, 10, 23, 18, 0, 0, 0, berlin), contact: berlin, owner: berlin,
			first: time.Date(2026, 10, 26, 9, 0, 0, 0, berlin), bothHours: true,
		},
		{
			name: "DST starts overnight (New York, Sunday Mar 8)", now: time.Date(2026, 3, 6, 18, 0, 0, 0, ny), contact: ny, owner: ny,
			first: time.Date(2026, 3, 9, 9, 0, 0, 0, ny), bothHours: true,
		},
		{
			name: "a contact at UTC+5:45 sees quarter hours too", now: time.Date(2026, 12, 1, 8, 0, 0, 0, kathmandu), contact: kathmandu, owner: kathmandu,
			first: time.Date(2026, 12, 1, 9, 0, 0, 0, kathmandu), bothHours: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			slots := backend.BestSlots(tt.now, tt.contact, tt.owner, tt.busy, dur, 3)
			if len(slots) != 3 {
				t.Fatalf("BestSlots() = %d slots, want 3", len(slots))
			}
			if !slots[0].Start.Equal(tt.first) {
				t.Errorf("BestSlots()[0] = %v, want %v", slots[0].Start.In(tt.owner), tt.first)
			}
			for _, s := range slots {
				for _, loc := range []*time.Location{tt.owner, tt.contact} {
					if l := s.Start.In(loc); l.Minute()%15 != 0 || l.Second() != 0 {
						t.Errorf("slot %v is not on a quarter hour in %s", l, loc)
					}
				}
				if !inHours(s.Start, dur, tt.owner) {
					t.Errorf("slot %v is outside the owner's working hours", s.Start.In(tt.owner))
				}
				if tt.bothHours && !inHours(s.Start, dur, tt.contact) {
					t.Errorf("slot %v is outside the contact's working hours", s.Start.In(tt.contact))
				}
				if s.Start.Before(tt.now.Add(time.Hour)) {
					t.Errorf("slot %v is less than an hour ahead of %v", s.Start, tt.now)
				}
				if !s.End.Equal(s.Start.Add(dur)) {
					t.Errorf("slot %v–%v is not %v long", s.Start, s.End, dur)
				}
				for _, b := range tt.busy {
					if s.Start.Before(b.End) && b.Start.Before(s.End) {
						t.Errorf("slot %v overlaps busy %v–%v", s.Start, b.Start, b.End)
					}
				}
			}
		})
	}
}

func TestMeetingStart(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	tests := []struct {
		at, want time.Time
	}{
		{time.Date(2026, 12, 1, 10, 2, 0, 0, ny), time.Date(2026, 12, 1, 10, 15, 0, 0, ny)},
		{time.Date(2026, 12, 1, 10, 15, 0, 0, ny), time.Date(2026, 12, 1, 10, 15, 0, 0, ny)},
		{time.Date(2026, 12, 1, 2, 48, 0, 0, ny), time.Date(2026, 12, 1, 9, 0, 0, 0, ny)},  // night: that morning
		{time.Date(2026, 12, 1, 16, 50, 0, 0, ny), time.Date(2026, 12, 2, 9, 0, 0, 0, ny)}, // an hour no longer fits: the next day
		{time.Date(2026, 12, 5, 11, 0, 0, 0, ny), time.Date(2026, 12, 7, 9, 0, 0, 0, ny)},  // Saturday: Monday
	}
	for _, tt := range tests {
		if got := backend.MeetingStart(tt.at, ny, time.Hour); !got.Equal(tt.want) {
			t.Errorf("MeetingStart(%v) = %v, want %v", tt.at, got.In(ny), tt.want)
		}
	}
}

// slotCalendar is a Calendar with nobody busy.
type slotCalendar struct{ backend.Calendar }

func (slotCalendar) FreeBusy(context.Context, time.Time, time.Time, []string) (map[string][]backend.Busy, error) {
	return map[string][]backend.Busy{}, nil
}

// TestMeetingAction_PlanInOwnersZone: the slots are in the owner's working
// hours, shown in the owner's zone with the contact's time beside it.
func TestMeetingAction_PlanInOwnersZone(t *testing.T) {
	berlin, ny := mustZone(t, "Europe/Berlin"), mustZone(t, "America/New_York")
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, berlin)
	m := &backend.Move{ID: 3, Kind: backend.KindScheduleMeeting, Title: "Northwind demo", ContactID: "101",
		Draft: backend.Draft{To: []string{"dana@northwind.io"}, Duration: 30 * time.Minute}}
	p, err := backend.MeetingAction{Calendar: slotCalendar{}}.Plan(context.Background(), backend.PlanInput{Move: m, Settings: backend.DefaultSettings(), Now: now, Zone: berlin,
		Contact: &backend.Contact{ID: "101", Name: "Dana", Email: "dana@northwind.io", Timezone: "America/New_York"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 12, 1, 15, 0, 0, 0, berlin); !p.Meeting.Start.Equal(want) {
		t.Errorf("Plan() starts %v, want %v (9:00 in New York)", p.Meeting.Start.In(berlin), want)
	}
	if got := p.Effects[0]; !strings.Contains(got, "Tue 1 Dec 15:00–15:30 CET") || !strings.Contains(got, "09:00 EST for Dana") {
		t.Errorf("Plan().Effects[0] = %q, want the owner's time and the contact's", got)
	}
	_ = ny
	// Without a contact time zone the owner's zone is used, not UTC.
	m.ContactID = ""
	p, err = backend.MeetingAction{Calendar: slotCalendar{}}.Plan(context.Background(), backend.PlanInput{Move: m, Settings: backend.DefaultSettings(), Now: now, Zone: berlin})
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 12, 1, 9, 0, 0, 0, berlin); !p.Meeting.Start.Equal(want) || p.Meeting.TimeZone != "Europe/Berlin" {
		t.Errorf("Plan() without a contact zone starts %v in %s, want %v Europe/Berlin", p.Meeting.Start.In(berlin), p.Meeting.TimeZone, want)
	}
}
