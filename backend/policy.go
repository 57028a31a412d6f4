package backend

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Every guardrail is checked here, in one place, before an execution is
// recorded and again before its call goes out. A refusal is an *Error
// (ECONFLICT) whose message names the guardrail and says why; its cause is
// a *Refusal, for callers that branch on which guardrail it was.

// Guardrail names.
const (
	GuardKillSwitch   = "kill_switch"
	GuardDailyCap     = "daily_cap"
	GuardSendWindow   = "send_window"
	GuardDoNotContact = "do_not_contact"
	GuardPreview      = "preview"
	GuardAutoApproval = "auto_approval"
)

// Refusal is the cause of an error a guardrail returns.
type Refusal struct {
	Guardrail string
	Reason    string
}

func (r *Refusal) Error() string { return r.Guardrail + ": " + r.Reason }

// RefusedBy returns the guardrail that refused, if err is a refusal.
func RefusedBy(err error) (string, bool) {
	var r *Refusal
	if errors.As(err, &r) {
		return r.Guardrail, true
	}
	return "", false
}

func refuse(guard, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	return &Error{Code: ECONFLICT, Message: msg, Op: "guardrail " + guard, Err: &Refusal{Guardrail: guard, Reason: msg}}
}

// SendWindow is when sends may reach a recipient, in the recipient's own
// time zone: minutes after local midnight, Start inclusive, End exclusive.
type SendWindow struct {
	Start, End   int
	SkipWeekends bool
}

// DefaultSendWindow is 08:00–20:00 every day.
var DefaultSendWindow = SendWindow{Start: 8 * 60, End: 20 * 60}

// Guardrails are the persisted switches the policy reads.
type Guardrails struct {
	KillSwitch       bool
	KillSwitchAt     time.Time
	KillSwitchBy     Actor
	KillSwitchReason string
	SendWindow       SendWindow // zero = DefaultSendWindow
}

// DefaultGuardrails are a new workspace's: kill switch off, 08:00–20:00.
func DefaultGuardrails() *Guardrails { return &Guardrails{SendWindow: DefaultSendWindow} }

// Window returns the send window in force.
func (g *Guardrails) Window() SendWindow {
	if g == nil || g.SendWindow.Start == 0 && g.SendWindow.End == 0 {
		return DefaultSendWindow
	}
	return g.SendWindow
}

// Validate checks the send window.
func (w SendWindow) Validate() error {
	if w.Start < 0 || w.End > 24*60 || w.Start >= w.End {
		return Errorf(EINVALID, "the send window must start before it ends, within one day (got %s–%s)", clockMinutes(w.Start), clockMinutes(w.End))
	}
	return nil
}

func clockMinutes(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// NextOpen returns t if the window is open at t in loc, or else the next
// moment it opens. Local midnight is found with time.Date, so a window
// stays 08:00–20:00 on the wall clock across DST changes.
func (w SendWindow) NextOpen(t time.Time, loc *time.Location) time.Time {
	lt := t.In(loc)
	for day := 0; day < 8; day++ {
		d := time.Date(lt.Year(), lt.Month(), lt.Day()+day, 0, 0, 0, 0, loc)
		if w.SkipWeekends && (d.Weekday() == time.Saturday || d.Weekday() == time.Sunday) {
			continue
		}
		open := time.Date(d.Year(), d.Month(), d.Day(), w.Start/60, w.Start%60, 0, 0, loc)
		closeAt := time.Date(d.Year(), d.Month(), d.Day(), w.End/60, w.End%60, 0, 0, loc)
		if w.End == 24*60 {
			closeAt = time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc)
		}
		if !t.Before(closeAt) {
			continue
		}
		if t.Before(open) {
			return open
		}
		return t
	}
	return t // a window that never opens is refused by Validate
}

// DNC reasons.
const (
	DNCBounced      = "bounced"
	DNCUnsubscribed = "unsubscribed"
	DNCManual       = "manual"
)

// DoNotContact is an address nothing may be sent to.
type DoNotContact struct {
	Email  string // lower case
	Reason string // bounced, unsubscribed, manual
	Note   string
	Actor  Actor
	At     time.Time
}

// Validate checks the entry.
func (d *DoNotContact) Validate() error {
	if !ValidEmail(d.Email) {
		return Errorf(EINVALID, "%q is not an email address", d.Email)
	}
	switch d.Reason {
	case DNCBounced, DNCUnsubscribed, DNCManual:
	default:
		return Errorf(EINVALID, "do-not-contact reason %q is not bounced, unsubscribed or manual", d.Reason)
	}
	return nil
}

// PolicyInput is what CheckPolicy decides on.
type PolicyInput struct {
	Plan       *Plan
	Now        time.Time
	Guardrails *Guardrails
	Settings   *Settings
	// Today counts executions of the plan's kind today (committed or on
	// their way), this one excluded.
	Today int
	// Blocked returns the do-not-contact entry for an address, if any.
	Blocked func(email string) *DoNotContact
}

// Verdict is what the policy allows: go now, or wait in the outbox until
// NotBefore (a send window), with Why in words.
type Verdict struct {
	Queue     bool
	NotBefore time.Time
	Why       string
}

// CheckPolicy applies every guardrail to a plan: the kill switch, the
// do-not-contact list, the daily cap of its kind, then the recipients'
// send window (which queues rather than refuses).
func CheckPolicy(in PolicyInput) (Verdict, error) {
	p, g := in.Plan, in.Guardrails
	if g == nil {
		g = DefaultGuardrails()
	}
	if !p.Outgoing {
		return Verdict{}, nil
	}
	if g.KillSwitch {
		by := ""
		if g.KillSwitchBy != "" {
			by = " by " + string(g.KillSwitchBy)
		}
		return Verdict{}, refuse(GuardKillSwitch, "The kill switch is on (since %s%s): nothing leaves this computer. Turn it off with `caseyos kill-switch off`.",
			Stamp(g.KillSwitchAt, nil), by)
	}
	if in.Blocked != nil {
		for _, r := range p.Recipients {
			if d := in.Blocked(r.Email); d != nil {
				why := map[string]string{DNCBounced: "their address bounced", DNCUnsubscribed: "they unsubscribed", DNCManual: "you added them"}[d.Reason]
				return Verdict{}, refuse(GuardDoNotContact, "%s is on the do-not-contact list (%s on %s).", r.Email, why, DayStamp(d.At, in.Now, nil))
			}
		}
	}
	if in.Settings != nil {
		if limit, ok := in.Settings.DailyCaps[p.Kind]; ok && in.Today >= limit {
			return Verdict{}, refuse(GuardDailyCap, "The daily cap for %s is %d and %d already went out today; it resets at midnight.", p.Kind, limit, in.Today)
		}
	}
	if p.Action == ActionSendEmail && len(p.Recipients) > 0 {
		r := p.Recipients[0]
		loc := time.Local
		if r.TimeZone != "" {
			if l, err := time.LoadLocation(r.TimeZone); err == nil {
				loc = l
			}
		}
		w := g.Window()
		if open := w.NextOpen(in.Now, loc); open.After(in.Now) {
			return Verdict{Queue: true, NotBefore: open, Why: fmt.Sprintf("send window: it is %s for %s (%s); it goes at %s",
				in.Now.In(loc).Format("15:04 Mon"), r.Email, loc, open.In(loc).Format("15:04 Mon"))}, nil
		}
	}
	return Verdict{}, nil
}

// normalizeEmail is the form the do-not-contact list is keyed by.
func normalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
