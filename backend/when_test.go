package backend_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

func utc(y int, mo time.Month, d, h, mi int) time.Time {
	return time.Date(y, mo, d, h, mi, 0, 0, time.UTC)
}

// TestWhen: a time reads in the owner's zone, relative to that zone's
// calendar days (DST days are 23 and 25 hours long), with "UTC" only when
// the zone is UTC.
func TestWhen(t *testing.T) {
	berlin, la, ktm := mustZone(t, "Europe/Berlin"), mustZone(t, "America/Los_Angeles"), mustZone(t, "Asia/Kathmandu")
	mon := utc(2026, 12, 7, 9, 0) // Mon 10:00 in Berlin, Mon 01:00 in Los Angeles, Mon 14:45 in Kathmandu
	tests := []struct {
		name     string
		loc      *time.Location
		now, t   time.Time
		want     string
		wantDay  string // DayStamp
		wantStmp string // Stamp
	}{
		{"Berlin/Today", berlin, mon, utc(2026, 12, 7, 13, 0), "today 14:00", "Mon 7 Dec", "Mon 7 Dec 14:00"},
		{"Berlin/Tomorrow", berlin, mon, utc(2026, 12, 8, 8, 0), "tomorrow 09:00", "Tue 8 Dec", "Tue 8 Dec 09:00"},
		{"Berlin/PastMidnightIsTomorrow", berlin, mon, utc(2026, 12, 7, 23, 30), "tomorrow 00:30", "Tue 8 Dec", "Tue 8 Dec 00:30"},
		{"Berlin/Yesterday", berlin, mon, utc(2026, 12, 6, 22, 30), "yesterday 23:30", "Sun 6 Dec", "Sun 6 Dec 23:30"},
		{"Berlin/ThisWeek", berlin, mon, utc(2026, 12, 10, 13, 0), "Thu 14:00", "Thu 10 Dec", "Thu 10 Dec 14:00"},
		{"Berlin/NextWeek", berlin, mon, utc(2026, 12, 15, 13, 0), "Tue 15 Dec 14:00", "Tue 15 Dec", "Tue 15 Dec 14:00"},
		{"Berlin/LastWeek", berlin, mon, utc(2026, 12, 3, 13, 0), "Thu 3 Dec 14:00", "Thu 3 Dec", "Thu 3 Dec 14:00"},
		{"Berlin/NextYear", berlin, mon, utc(2027, 1, 5, 13, 0), "Tue 5 Jan 2027 14:00", "Tue 5 Jan 2027", "Tue 5 Jan 14:00"},
		{"LosAngeles/Tomorrow", la, mon, utc(2026, 12, 8, 17, 0), "tomorrow 09:00", "Tue 8 Dec", "Tue 8 Dec 09:00"},
		{"LosAngeles/TodayWhileUTCSaysTomorrow", la, mon, utc(2026, 12, 8, 5, 0), "today 21:00", "Mon 7 Dec", "Mon 7 Dec 21:00"},
		{"Kathmandu/QuarterOffset", ktm, mon, utc(2026, 12, 7, 8, 20), "today 14:05", "Mon 7 Dec", "Mon 7 Dec 14:05"},
		{"Kathmandu/Tomorrow", ktm, mon, utc(2026, 12, 7, 18, 20), "tomorrow 00:05", "Tue 8 Dec", "Tue 8 Dec 00:05"},
		{"UTC/Named", time.UTC, mon, utc(2026, 12, 7, 14, 0), "today 14:00 UTC", "Mon 7 Dec", "Mon 7 Dec 14:00 UTC"},
		// Berlin springs forward on Sun 29 Mar 2026 (a 23-hour day) and
		// falls back on Sun 25 Oct (25 hours).
		{"Berlin/SpringForward", berlin, utc(2026, 3, 28, 12, 0), utc(2026, 3, 29, 7, 0), "tomorrow 09:00", "Sun 29 Mar", "Sun 29 Mar 09:00"},
		{"Berlin/SpringForwardShortDay", berlin, utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 22, 30), "tomorrow 00:30", "Mon 30 Mar", "Mon 30 Mar 00:30"},
		{"Berlin/FallBackLongDay", berlin, utc(2026, 10, 24, 22, 30), utc(2026, 10, 25, 22, 45), "today 23:45", "Sun 25 Oct", "Sun 25 Oct 23:45"},
		// Los Angeles falls back on Sun 1 Nov 2026.
		{"LosAngeles/FallBackLongDay", la, utc(2026, 11, 1, 7, 30), utc(2026, 11, 2, 7, 45), "today 23:45", "Sun 1 Nov", "Sun 1 Nov 23:45"},
		{"LosAngeles/SpringForward", la, utc(2026, 3, 7, 20, 0), utc(2026, 3, 8, 17, 0), "tomorrow 10:00", "Sun 8 Mar", "Sun 8 Mar 10:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := backend.When(tt.t, tt.now, tt.loc); got != tt.want {
				t.Errorf("When(%v) = %q, want %q", tt.t, got, tt.want)
			}
			if got := backend.DayStamp(tt.t, tt.now, tt.loc); got != tt.wantDay {
				t.Errorf("DayStamp(%v) = %q, want %q", tt.t, got, tt.wantDay)
			}
			if got := backend.Stamp(tt.t, tt.loc); got != tt.wantStmp {
				t.Errorf("Stamp(%v) = %q, want %q", tt.t, got, tt.wantStmp)
			}
			// A reason's {at:} token reads the same, without the zone.
			if got, want := backend.RenderReason("starts "+backend.AtToken(tt.t), tt.now, tt.loc), "starts "+strings.TrimSuffix(tt.want, " UTC"); got != want {
				t.Errorf("RenderReason(at) = %q, want %q", got, want)
			}
		})
	}
}

// TestDueBy: a task due time the product chooses lands on a quarter hour,
// and when a day or more away, on the last working moment (9–17 on a
// weekday, in the owner's zone) at or before the deadline.
func TestDueBy(t *testing.T) {
	berlin, la, ktm := mustZone(t, "Europe/Berlin"), mustZone(t, "America/Los_Angeles"), mustZone(t, "Asia/Kathmandu")
	late := utc(2026, 12, 7, 22, 53) // Mon 23:53 in Berlin
	tests := []struct {
		name   string
		loc    *time.Location
		now, t time.Time
		want   time.Time
	}{
		{"Berlin/WithinTheHour", berlin, late, late.Add(time.Hour), utc(2026, 12, 8, 0, 0)}, // 01:00, not 00:53
		{"Berlin/OnTheQuarter", berlin, late, utc(2026, 12, 8, 1, 30), utc(2026, 12, 8, 1, 30)},
		{"Berlin/SecondsRoundUp", berlin, late, utc(2026, 12, 8, 1, 30).Add(time.Second), utc(2026, 12, 8, 1, 45)},
		{"Berlin/EveningToFive", berlin, late, late.Add(48 * time.Hour), utc(2026, 12, 9, 16, 0)},                             // Wed 17:00
		{"Berlin/EarlyToTheDayBeforeFive", berlin, utc(2026, 12, 7, 5, 10), utc(2026, 12, 8, 5, 10), utc(2026, 12, 7, 16, 0)}, // Mon 17:00
		{"Berlin/InHoursToQuarter", berlin, utc(2026, 12, 7, 10, 7), utc(2026, 12, 9, 10, 7), utc(2026, 12, 9, 10, 15)},
		{"Berlin/SaturdayToFriday", berlin, utc(2026, 12, 10, 12, 0), utc(2026, 12, 12, 12, 0), utc(2026, 12, 11, 16, 0)},
		{"Berlin/FridayGoneToMonday", berlin, utc(2026, 12, 11, 17, 30), utc(2026, 12, 14, 6, 0), utc(2026, 12, 14, 8, 0)},     // Mon 09:00
		{"LosAngeles/EveningToFive", la, utc(2026, 12, 7, 4, 33), utc(2026, 12, 9, 4, 33), utc(2026, 12, 9, 1, 0)},             // Tue 17:00 PST
		{"Kathmandu/BeforeNineToYesterdayFive", ktm, utc(2026, 12, 7, 3, 0), utc(2026, 12, 9, 3, 0), utc(2026, 12, 8, 11, 15)}, // Tue 17:00 NPT
		{"Kathmandu/Quarter", ktm, utc(2026, 12, 7, 3, 0), utc(2026, 12, 7, 3, 7), utc(2026, 12, 7, 3, 15)},                    // 09:00 NPT
		// Berlin springs forward on Sun 29 Mar 2026: Monday's 09:00 is 07:00 UTC, Friday's 17:00 16:00 UTC.
		{"Berlin/SpringForwardMonday", berlin, utc(2026, 3, 27, 17, 0), utc(2026, 3, 30, 6, 30), utc(2026, 3, 30, 7, 0)},
		{"Berlin/SpringForwardFriday", berlin, utc(2026, 3, 26, 20, 0), utc(2026, 3, 30, 6, 30), utc(2026, 3, 27, 16, 0)},
		{"Berlin/SpringForwardEvening", berlin, utc(2026, 3, 27, 10, 0), utc(2026, 3, 31, 16, 30), utc(2026, 3, 31, 15, 0)},
		// Los Angeles falls back on Sun 1 Nov 2026: Friday 17:00 is still PDT.
		{"LosAngeles/FallBackFriday", la, utc(2026, 10, 29, 20, 0), utc(2026, 11, 2, 16, 10), utc(2026, 10, 31, 0, 0)},
		{"Zero", berlin, late, time.Time{}, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := backend.DueBy(tt.t, tt.now, tt.loc)
			if !got.Equal(tt.want) {
				t.Fatalf("DueBy(%v, now %v) = %v (%s), want %v (%s)", tt.t, tt.now, got, got.In(tt.loc).Format("Mon 15:04 MST"), tt.want, tt.want.In(tt.loc).Format("Mon 15:04 MST"))
			}
			if got.IsZero() {
				return
			}
			if l := got.In(tt.loc); l.Minute()%15 != 0 || l.Second() != 0 {
				t.Errorf("DueBy = %s, not on a quarter hour in %s", l.Format("15:04:05"), tt.loc)
			}
			if !got.After(tt.now) {
				t.Errorf("DueBy = %v, not after now %v", got, tt.now)
			}
			if tt.t.Sub(tt.now) >= 24*time.Hour && !inHours(got, 0, tt.loc) {
				t.Errorf("DueBy = %s, a day or more away but outside working hours", got.In(tt.loc).Format("Mon 15:04"))
			}
		})
	}
}

// TestDueFrom: following up when someone is back is due at the first
// working quarter hour at or after their return, in the owner's zone.
func TestDueFrom(t *testing.T) {
	berlin, la, ktm := mustZone(t, "Europe/Berlin"), mustZone(t, "America/Los_Angeles"), mustZone(t, "Asia/Kathmandu")
	now := utc(2026, 12, 7, 9, 0)
	tests := []struct {
		name   string
		loc    *time.Location
		now, t time.Time
		want   time.Time
	}{
		{"Berlin/MidnightToNine", berlin, now, utc(2026, 12, 13, 23, 0), utc(2026, 12, 14, 8, 0)},
		{"Berlin/SaturdayToMonday", berlin, now, utc(2026, 12, 11, 23, 0), utc(2026, 12, 14, 8, 0)},
		{"Berlin/InHoursToQuarter", berlin, now, utc(2026, 12, 9, 13, 7), utc(2026, 12, 9, 13, 15)},
		{"Berlin/EveningToNextMorning", berlin, now, utc(2026, 12, 9, 17, 0), utc(2026, 12, 10, 8, 0)},
		{"Berlin/SoonOnlyRounded", berlin, now, now.Add(3*time.Hour + 7*time.Minute), utc(2026, 12, 7, 12, 15)},
		{"LosAngeles/SpringForward", la, utc(2026, 3, 2, 12, 0), utc(2026, 3, 8, 8, 0), utc(2026, 3, 9, 16, 0)}, // Mon 09:00 PDT
		{"Kathmandu/MidnightToNine", ktm, now, utc(2026, 12, 13, 18, 15), utc(2026, 12, 14, 3, 15)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := backend.DueFrom(tt.t, tt.now, tt.loc); !got.Equal(tt.want) {
				t.Errorf("DueFrom(%v) = %v (%s), want %v", tt.t, got, got.In(tt.loc).Format("Mon 15:04 MST"), tt.want)
			}
		})
	}
}

// TestRecommend_TaskDueInOwnersHours: the due dates Recommend chooses for
// HubSpot tasks are rounded in the owner's zone, while the move's DueAt,
// which urgency reads, stays the exact deadline.
func TestRecommend_TaskDueInOwnersHours(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	at := utc(2026, 12, 7, 22, 53) // Mon 23:53 in Berlin
	now := at.Add(time.Minute)
	demo := utc(2026, 12, 10, 8, 0) // Thu 09:00 in Berlin
	tests := []struct {
		name    string
		sig     backend.Signal
		dueAt   time.Time // exact, as before
		taskDue time.Time
	}{
		{"BounceFixIn48h", backend.Signal{Type: backend.SignalEmailBounced, OccurredAt: at, ContactID: "li@acme.io"},
			at.Add(48 * time.Hour), utc(2026, 12, 9, 16, 0)}, // Wed 17:00, not Wed 23:53
		{"HandoffWithinADay", backend.Signal{Type: backend.SignalDealStageChanged, OccurredAt: at, DealID: "d1", Deal: &backend.Deal{ID: "d1", Stage: "closedwon"}},
			at.Add(24 * time.Hour), utc(2026, 12, 8, 23, 0)}, // Wed 00:00, not 23:53
		{"DemoPrepTheDayBefore", backend.Signal{Type: backend.SignalDealStageChanged, OccurredAt: at, DealID: "d1",
			Deal: &backend.Deal{ID: "d1", Stage: "presentationscheduled"}, Payload: map[string]string{"demo_at": demo.Format(time.RFC3339)}},
			demo, utc(2026, 12, 9, 16, 0)}, // Wed 17:00, not Thu 08:00
		{"FollowUpWhenBack", backend.Signal{Type: backend.SignalEmailOutOfOffice, OccurredAt: at, ContactID: "maya@acme.io",
			Email:   &backend.EmailMessage{ThreadID: "t1", MessageID: "<m1@acme.io>", From: "maya@acme.io", Subject: "Pricing", ReceivedAt: at},
			Payload: map[string]string{"returns_at": "2026-12-14T00:00:00+01:00"}},
			utc(2026, 12, 13, 23, 0), utc(2026, 12, 14, 8, 0)}, // Mon 09:00, not midnight
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := backend.Recommend(&tt.sig, testRecords(), backend.DefaultSettings(), now, berlin)
			if len(ps) != 1 || ps[0].Kind != backend.KindCreateTask {
				t.Fatalf("Recommend(%s) = %+v, want one task", tt.sig.Type, ps)
			}
			p := ps[0]
			if !p.DueAt.Equal(tt.dueAt) {
				t.Errorf("DueAt = %v, want the exact deadline %v", p.DueAt, tt.dueAt)
			}
			if !p.Draft.TaskDue.Equal(tt.taskDue) {
				t.Errorf("TaskDue = %v (%s), want %v (%s)", p.Draft.TaskDue, p.Draft.TaskDue.In(berlin).Format("Mon 15:04:05"), tt.taskDue, tt.taskDue.In(berlin).Format("Mon 15:04"))
			}
		})
	}
}

// TestTaskAction_PlanDueInOwnersZone: the preview of a HubSpot task says
// its due time in the owner's zone, naming the zone only when it is UTC.
func TestTaskAction_PlanDueInOwnersZone(t *testing.T) {
	berlin, ktm := mustZone(t, "Europe/Berlin"), mustZone(t, "Asia/Kathmandu")
	now := utc(2026, 12, 7, 22, 53)
	m := &backend.Move{ID: 1, Kind: backend.KindCreateTask, Title: "CS handoff", Draft: backend.Draft{TaskTitle: "CS handoff: Globex", TaskDue: utc(2026, 12, 8, 0, 0)}}
	for _, tt := range []struct {
		loc  *time.Location
		want string
	}{
		{berlin, "Due Tue 8 Dec 01:00"},
		{ktm, "Due Tue 8 Dec 05:45"},
		{time.UTC, "Due Tue 8 Dec 00:00 UTC"},
	} {
		p, err := backend.TaskAction{}.Plan(context.Background(), backend.PlanInput{Move: m, Settings: backend.DefaultSettings(), Now: now, Zone: tt.loc})
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(p.Effects, "; "); !strings.Contains(got, tt.want+";") && !strings.HasSuffix(got, tt.want) {
			t.Errorf("Plan in %s: effects %q, want %q", tt.loc, got, tt.want)
		}
	}
}

// TestQueue_TimesInOwnersZone: the queue hands its Zone to what it
// chooses and writes: a task's due time lands in the owner's working
// hours, and the snooze in the history reads in the owner's zone.
func TestQueue_TimesInOwnersZone(t *testing.T) {
	berlin, la := mustZone(t, "Europe/Berlin"), mustZone(t, "America/Los_Angeles")
	at := testNow.Add(-47 * time.Minute) // 08:13 UTC: due 48 hours later, Tue 08:13 UTC
	for _, tt := range []struct {
		loc     *time.Location
		taskDue time.Time
		snoozed string
	}{
		{berlin, utc(2026, 11, 24, 8, 15), "snoozed until Sun 22 Nov 12:00"}, // Tue 09:15 CET
		{la, utc(2026, 11, 24, 1, 0), "snoozed until Sun 22 Nov 03:00"},      // Mon 17:00 PST, not Tue 00:13
	} {
		t.Run(tt.loc.String(), func(t *testing.T) {
			f := newQueue(t)
			f.q.SetZone(tt.loc)
			f.ingest(t, &backend.Signal{Source: backend.SourceGmail, Type: backend.SignalEmailBounced, OccurredAt: at, DedupeKey: "b1",
				ContactID: "li@acme.io", Contact: &backend.Contact{ID: "li@acme.io", Email: "li@acme.io", Name: "Li Wu"},
				Email: &backend.EmailMessage{ThreadID: "t1", MessageID: "<b1@x>", From: "mailer-daemon@x.io", Subject: "Undeliverable", ReceivedAt: at}})
			res := f.today(t, nil)
			if len(res.Moves) != 1 {
				t.Fatalf("today = %v, want the bounce fix", titles(res.Moves))
			}
			m := res.Moves[0]
			if !m.Draft.TaskDue.Equal(tt.taskDue) || !m.DueAt.Equal(at.Add(48*time.Hour)) {
				t.Errorf("TaskDue = %v, DueAt = %v; want %v and the exact %v", m.Draft.TaskDue, m.DueAt, tt.taskDue, at.Add(48*time.Hour))
			}
			if _, err := f.q.Moves.Snooze(f.ctx, m.ID, testNow.Add(2*time.Hour), backend.ActorKey); err != nil {
				t.Fatal(err)
			}
			h := f.audit(t, m.ID)
			if last := h[len(h)-1]; last.Detail != tt.snoozed {
				t.Errorf("snooze audit detail = %q, want %q", last.Detail, tt.snoozed)
			}
		})
	}
}
