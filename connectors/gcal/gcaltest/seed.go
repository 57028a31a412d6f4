package gcaltest

import (
	"time"

	"github.com/caseyos/caseyos/backend"
)

// DemoSeed fills the calendar with the demo workspace's meetings,
// consistent with the Calendar lines of backend/demo/scenario.jsonl: the
// same ids, titles, people and times relative to now; plus the owner's own
// blocks, which are not meetings. The external meeting ahead lands as a
// person books it, on a quarter hour inside working hours in the owner's
// zone (the computer's), like the scenario's (backend.MeetingStart).
func (s *Server) DemoSeed(now time.Time) {
	const casey = "casey@pebblecache.dev"
	at := func(d time.Duration) time.Time { return now.Add(d).Truncate(time.Minute) }
	ahead := func(d, length time.Duration) (time.Time, time.Time) {
		start := backend.MeetingStart(now.Add(d), time.Local, length)
		return start, start.Add(length)
	}
	qbrStart, qbrEnd := ahead(24*time.Hour+3*time.Hour, time.Hour)
	h, d := time.Hour, 24*time.Hour
	people := func(emails ...string) []Attendee {
		out := []Attendee{{Email: casey, ResponseStatus: "accepted"}}
		for _, e := range emails {
			out = append(out, Attendee{Email: e, ResponseStatus: "accepted"})
		}
		return out
	}
	events := []Event{
		{ID: "gcal-bp-discovery", Summary: "Brightpath × Pebblecache discovery", Start: at(-22*d - h), End: at(-22 * d),
			Attendees: people("maya.chen@brightpath.health")},
		{ID: "gcal-ledgerly-demo", Summary: "Ledgerly × Pebblecache demo", Start: at(-10*d - h), End: at(-10 * d),
			Attendees: people("tom.ashby@ledgerly.com")},
		{ID: "gcal-nw-intro", Summary: "Northwind × Pebblecache intro", Start: at(-8 * d), End: at(-8*d + 30*time.Minute),
			Attendees: people("dana@northwind.io"), HangoutLink: "https://meet.google.com/nwi-ntro-cal"},
		{ID: "gcal-quarry-demo", Summary: "Quarry Labs × Pebblecache demo", Start: at(-7*d - 3*h), End: at(-7*d - 2*h),
			Attendees: people("jonas@quarrylabs.dev")},
		{ID: "gcal-pipeline-review-1", Summary: "Weekly pipeline review", Start: at(-7*d - h), End: at(-7 * d),
			Attendees: people("alex@pebblecache.dev")},
		{ID: "gcal-finch-deepdive", Summary: "Finch Payments × Pebblecache technical deep dive", Start: at(-22 * h), End: at(-21 * h),
			Attendees: people("priya@finchpay.com", "wei.zhang@finchpay.com"), HangoutLink: "https://meet.google.com/fin-chdd-ive"},
		{ID: "gcal-cobalt-review", Summary: "Cobalt Cloud architecture review", Start: at(-h), End: at(0),
			Attendees: people("emma.clarke@cobaltcloud.io"), HangoutLink: "https://meet.google.com/cob-altr-evw"},
		{ID: "gcal-pipeline-review-2", Summary: "Weekly pipeline review", Start: at(3 * h), End: at(4 * h),
			Attendees: people("alex@pebblecache.dev")},
		{ID: "gcal-helix-qbr", Summary: "Helix Bank × Pebblecache quarterly review", Start: qbrStart, End: qbrEnd,
			Attendees: people("rachel.kim@helixbank.com", "devon.ward@helixbank.com"), HangoutLink: "https://meet.google.com/hlx-qbrr-evw"},
		// The founder's own time: no guests, not meetings.
		{ID: "gcal-focus-1", Summary: "Focus: board deck", Start: at(-d + 2*h), End: at(-d + 4*h)},
		{ID: "gcal-gym", Summary: "Gym", Start: at(5 * h), End: at(6 * h), Transparent: true},
	}
	for _, e := range events {
		s.AddEvent(e)
	}
	// Others' calendars for free/busy: Dana is busy tomorrow morning.
	s.AddBusy("dana@northwind.io", at(d-2*h), at(d))
	s.AddBusy("alex@pebblecache.dev", at(2*h), at(3*h))
}
