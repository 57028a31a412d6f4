package backend

import (
	"time"
)

// NotifyKind is one kind of desktop notification: what may interrupt.
type NotifyKind string

// The four kinds of interruption (notify.go says when each fires).
const (
	NotifyHotMove         NotifyKind = "hot_move"         // a move enters the top 3 with urgency ≥ HotUrgency
	NotifyExecutionFailed NotifyKind = "execution_failed" // a send (or any execution) failed
	NotifyOutboxDrained   NotifyKind = "outbox_drained"   // what waited offline has gone out
	NotifyKillSwitch      NotifyKind = "kill_switch"      // the kill switch went on from elsewhere
)

// NotifyKinds lists every kind, in the order Settings shows them.
var NotifyKinds = []NotifyKind{NotifyHotMove, NotifyExecutionFailed, NotifyOutboxDrained, NotifyKillSwitch}

// Notifications are the founder's switches for desktop notifications. The
// zero value (the default, and what files from before it read as) has all
// four kinds on and no quiet hours.
type Notifications struct {
	// Off lists the kinds switched off; empty leaves every kind on, so
	// a kind added later is on by default.
	Off []NotifyKind
	// Quiet are hours, in the owner's zone, when nothing interrupts.
	Quiet QuietHours
}

// QuietHours are a daily span in the owner's zone, from Start to End
// (since midnight); Start after End crosses midnight (22:00–07:00).
type QuietHours struct {
	On    bool
	Start time.Duration
	End   time.Duration
}

// KindOn reports whether kind is switched on.
func (n Notifications) KindOn(kind NotifyKind) bool {
	for _, k := range n.Off {
		if k == kind {
			return false
		}
	}
	return true
}

// Contains reports whether t, read in zone (nil: the computer's), falls in
// the quiet hours.
func (q QuietHours) Contains(t time.Time, zone *time.Location) bool {
	if !q.On {
		return false
	}
	h, m, s := t.In(zoneOr(zone)).Clock()
	at := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second
	if q.Start < q.End {
		return at >= q.Start && at < q.End
	}
	return at >= q.Start || at < q.End // crosses midnight
}

// Allows reports whether a notification of kind may interrupt at t: its
// kind is on and t is outside the quiet hours.
func (n Notifications) Allows(kind NotifyKind, t time.Time, zone *time.Location) bool {
	return n.KindOn(kind) && !n.Quiet.Contains(t, zone)
}

// Validate checks the kinds are known and the quiet hours are two
// different times of day, on the minute.
func (n Notifications) Validate() error {
	for _, k := range n.Off {
		if !validNotifyKind(k) {
			return Errorf(EINVALID, "notification kind %q is not one of hot_move, execution_failed, outbox_drained, kill_switch", k)
		}
	}
	q := n.Quiet
	for _, d := range []time.Duration{q.Start, q.End} {
		if d < 0 || d >= 24*time.Hour || d%time.Minute != 0 {
			return Errorf(EINVALID, "quiet hours must be times of day on the minute (got %s–%s)", clockOf(q.Start), clockOf(q.End))
		}
	}
	if q.On && q.Start == q.End {
		return Errorf(EINVALID, "quiet hours must start and end at different times (both %s)", clockOf(q.Start))
	}
	return nil
}

func validNotifyKind(k NotifyKind) bool {
	for _, v := range NotifyKinds {
		if v == k {
			return true
		}
	}
	return false
}
