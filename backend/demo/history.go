package demo

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// HistoryWeeks is how many weeks the demo's history fills, the current
// one included.
const HistoryWeeks = 8

// followUpHorizon is how recent a history email must be to carry its
// thread, and so to be followed up when nobody answered it.
const followUpHorizon = 14 * 24 * time.Hour

// historySeed makes the history the same on every load: the same moves,
// the same replies, only moved along with now.
const historySeed = 23

// person is someone the founder worked with in the weeks before the
// scenario; fit says whether their company fits the default ICP (SaaS or
// fintech, 50–1000 people), which is who replies more often.
type person struct {
	email, first, company string
	fit                   bool
}

var historyPeople = []person{
	{"dana@northwind.io", "Dana", "Northwind Analytics", true},
	{"lena.ortiz@northwind.io", "Lena", "Northwind Analytics", true},
	{"tom.ashby@ledgerly.com", "Tom", "Ledgerly", true},
	{"priya@finchpay.com", "Priya", "Finch Payments", true},
	{"emma.clarke@cobaltcloud.io", "Emma", "Cobalt Cloud", true},
	{"oliver@cobaltcloud.io", "Oliver", "Cobalt Cloud", true},
	{"maya.chen@brightpath.health", "Maya", "Brightpath Health", false},
	{"jonas@quarrylabs.dev", "Jonas", "Quarry Labs", false},
	{"rachel.kim@helixbank.com", "Rachel", "Helix Bank", false},
	{"mark.ellis@verdantschools.org", "Mark", "Verdant Schools", false},
	{"sam.patel@acmerobotics.com", "Sam", "Acme Robotics", false},
}

// historyPlan is how many moves of each kind the founder carried out in
// the eight weeks, and in which domain: mostly emails, as a founder's
// weeks are.
var historyPlan = []struct {
	kind   backend.MoveKind
	domain backend.Domain
	n      int
	title  string
}{
	{backend.KindSendEmail, backend.DomainSales, 34, "Follow up with %s at %s"},
	{backend.KindCreateTask, backend.DomainSales, 7, "Prepare the proposal for %s at %s"},
	{backend.KindScheduleMeeting, backend.DomainSales, 6, "Book a call with %s at %s"},
	{backend.KindUpdateDeal, backend.DomainSales, 6, "Move %s's deal at %s forward"},
	{backend.KindReplySocial, backend.DomainMarketing, 5, "Answer %s (%s) on X"},
	{backend.KindNote, backend.DomainCS, 4, "Write up the call with %s at %s"},
}

// History returns the moves the demo's founder carried out in the
// HistoryWeeks weeks before now, with what came of each, oldest first.
// It is the same on every call for the same now (seeded): about sixty
// moves, a fifth of the emails approved by an auto-approval rule, emails
// to people whose company fits the ICP answered about twice as often, and
// most emails answered by nobody (no outcome here: LoadHistory watches
// them, and the sweep records no_response after three business days).
// Every time is at least a day before now, so nothing counts as today's.
func History(now time.Time) []backend.PastMove {
	r := rand.New(rand.NewPCG(historySeed, historySeed))
	var out []backend.PastMove
	threads := 0
	for _, p := range historyPlan {
		for range p.n {
			who := historyPeople[r.IntN(len(historyPeople))]
			// A weekday working hour, from one day to seven weeks ago:
			// inside the eight weeks `caseyos stats` shows by default.
			at := now.Add(-time.Duration(24+r.IntN((HistoryWeeks-1)*7*24-24)) * time.Hour)
			at = time.Date(at.Year(), at.Month(), at.Day(), 9+r.IntN(8), r.IntN(4)*15, 0, 0, at.Location())
			for at.Weekday() == time.Saturday || at.Weekday() == time.Sunday {
				at = at.AddDate(0, 0, -1)
			}
			for now.Sub(at) < 24*time.Hour || at.Weekday() == time.Saturday || at.Weekday() == time.Sunday {
				at = at.AddDate(0, 0, -1)
			}
			m := &backend.Move{Kind: p.kind, Domain: p.domain, Title: fmt.Sprintf(p.title, who.first, who.company)}
			switch p.kind {
			case backend.KindSendEmail:
				m.Draft = backend.Draft{To: []string{who.email}, Subject: "Pebblecache for " + who.company,
					Body: fmt.Sprintf("Hi %s,\n\nFollowing up on remote build caching for %s.\n\n— %s", who.first, who.company, OwnerName)}
				// The last fortnight's emails carry their thread, so the
				// ones nobody answered have their follow-ups waiting
				// (FollowUps); older sequences are over.
				if now.Sub(at) <= followUpHorizon {
					threads++
					m.Draft.ThreadID = fmt.Sprintf("18c%013x", threads)
				}
			case backend.KindReplySocial:
				m.Draft = backend.Draft{Body: "Thanks for the kind words about Pebblecache!"}
			}
			actor := backend.ActorKey
			if p.kind == backend.KindSendEmail && r.IntN(5) == 0 {
				actor = backend.ActorRule
			}
			pm := backend.PastMove{Move: m, Email: who.email, Actor: actor, ExecutedAt: at}
			pm.Outcomes = historyOutcomes(r, p.kind, who, at, now)
			out = append(out, pm)
		}
	}
	// Two cold emails of the last fortnight nobody answered, to prospects
	// the scenario does not otherwise touch: their follow-ups are due
	// (FollowUps), so a sequence shows on first run whatever the day.
	for i, c := range coldProspects {
		at := businessDaysBefore(now, c.businessDays)
		at = time.Date(at.Year(), at.Month(), at.Day(), 10+i, 30, 0, 0, at.Location())
		out = append(out, backend.PastMove{
			Move: &backend.Move{Kind: backend.KindSendEmail, Domain: backend.DomainSales, Title: fmt.Sprintf("Introduce Pebblecache to %s at %s", c.first, c.company),
				Draft: backend.Draft{To: []string{c.email}, Subject: "Faster CI builds at " + c.company, ThreadID: fmt.Sprintf("18cf%012x", i+1),
					Body: fmt.Sprintf("Hi %s,\n\nTeams like yours cut CI build times in half with a remote build cache. Worth a 20-minute look?\n\n— %s", c.first, OwnerName)}},
			Email: c.email, Actor: backend.ActorKey, ExecutedAt: at,
		})
	}
	// Oldest first, as they happened.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].ExecutedAt.Before(out[j-1].ExecutedAt); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// coldProspects are the history's unanswered cold emails, sent that many
// business days before now.
var coldProspects = []struct {
	email, first, company string
	businessDays          int
}{
	{"alex.romero@kestrelsystems.io", "Alex", "Kestrel Systems", 7},
	{"nina.park@tidewave.dev", "Nina", "Tidewave", 9},
}

// businessDaysBefore goes back n weekdays from t.
func businessDaysBefore(t time.Time, n int) time.Time {
	for n > 0 {
		t = t.AddDate(0, 0, -1)
		if t.Weekday() != time.Saturday && t.Weekday() != time.Sunday {
			n--
		}
	}
	return t
}

// historyOutcomes draws what came of one move, keeping only what had
// happened by now.
func historyOutcomes(r *rand.Rand, kind backend.MoveKind, who person, at, now time.Time) []backend.PastOutcome {
	var out []backend.PastOutcome
	add := func(t backend.OutcomeType, after time.Duration) {
		if when := at.Add(after); when.Before(now) {
			out = append(out, backend.PastOutcome{Type: t, At: when})
		}
	}
	hours := func(lo, hi int) time.Duration { return time.Duration(lo+r.IntN(hi-lo+1)) * time.Hour }
	roll := r.Float64()
	switch kind {
	case backend.KindSendEmail:
		reply := 0.2
		if who.fit {
			reply = 0.45
		}
		switch {
		case roll < 0.03:
			add(backend.OutcomeBounced, time.Minute)
		case roll < 0.06:
			add(backend.OutcomeOutOfOffice, 10*time.Minute)
		case roll < 0.06+reply:
			after := hours(2, 48)
			add(backend.OutcomeReplied, after)
			switch tone := r.Float64(); {
			case tone < 0.55:
				add(backend.OutcomePositiveReply, after)
				if r.IntN(2) == 0 {
					add(backend.OutcomeMeetingBooked, after+hours(1, 24))
				}
			case tone < 0.8:
				add(backend.OutcomeNegativeReply, after)
			}
		}
		// Otherwise nothing came back: the outcome sweep records
		// no_response once the wait (three business days) is over.
	case backend.KindScheduleMeeting:
		add(backend.OutcomeMeetingBooked, hours(1, 6))
		if roll < 0.8 {
			add(backend.OutcomeMeetingHeld, hours(48, 120))
		} else {
			add(backend.OutcomeNoShow, hours(48, 120))
		}
	case backend.KindUpdateDeal:
		add(backend.OutcomeDealAdvanced, hours(24, 96))
		if roll < 0.3 {
			add(backend.OutcomeDealWon, hours(120, 240))
		}
	case backend.KindCreateTask:
		if roll < 0.75 {
			add(backend.OutcomeTaskCompleted, hours(4, 72))
		}
		if roll < 0.25 {
			add(backend.OutcomeDealAdvanced, hours(96, 160))
		}
	case backend.KindReplySocial:
		if roll < 0.6 {
			add(backend.OutcomeMentionEngaged, hours(1, 12))
		}
		if roll < 0.3 {
			add(backend.OutcomeReplied, hours(1, 12))
		}
	}
	return out
}
