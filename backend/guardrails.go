package backend

import (
	"context"
	"errors"
	"fmt"
	"strconv"
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
	if d.Reason == DNCForgotten {
		if !IsPersonHash(d.Email) {
			return Errorf(EINVALID, "a forgotten person is on the do-not-contact list by the hash of their address only")
		}
		return nil
	}
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

// GuardrailService keeps what every execution is checked against (the
// kill switch, the send window, the do-not-contact list) and the
// auto-approval rules, with their simulator.
type GuardrailService struct{ *core }

// KillSwitch is the payload of EventKillSwitch.
type KillSwitch struct {
	On        bool      `json:"on"`
	At        time.Time `json:"at"`
	By        string    `json:"by"`
	Reason    string    `json:"reason,omitempty"`
	Cancelled []uint64  `json:"cancelled_move_ids"` // executions taken back when it went on
}

// Get returns the stored guardrails.
func (s *GuardrailService) Get(ctx context.Context) (*Guardrails, error) {
	var g *Guardrails
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		g, err = tx.Guardrails()
		return err
	})
	return g, WrapError("guardrails", err)
}

// SetKillSwitch turns the kill switch on or off, persisted. Turning it on
// stops all outgoing actions at once: every execution still waiting (undo
// window or outbox) is taken back with nothing sent, and nothing new
// leaves until it is off. A call already on the wire finishes.
func (s *GuardrailService) SetKillSwitch(ctx context.Context, on bool, actor Actor, reason string) (KillSwitch, error) {
	now := s.clock.Now()
	out := KillSwitch{On: on, At: now.UTC(), By: string(actor), Reason: reason, Cancelled: []uint64{}}
	err := s.store.Update(ctx, func(tx Tx) error {
		g, err := tx.Guardrails()
		if err != nil {
			return err
		}
		if g.KillSwitch == on {
			out.At, out.By, out.Reason = g.KillSwitchAt.UTC(), string(g.KillSwitchBy), g.KillSwitchReason
			return nil
		}
		g.KillSwitch, g.KillSwitchAt, g.KillSwitchBy, g.KillSwitchReason = on, now, actor, reason
		if err := tx.PutGuardrails(g); err != nil {
			return err
		}
		state := "off"
		if on {
			state = "on"
			waiting, err := tx.ExecutionsInState(ExecWaitingUndo, ExecQueued)
			if err != nil {
				return err
			}
			for _, e := range waiting {
				m, err := tx.FindMove(e.MoveID)
				if err != nil {
					return err
				}
				if err := s.cancelTx(tx, e, m, actor, "stopped by the kill switch before anything was sent", now); err != nil {
					return err
				}
				out.Cancelled = append(out.Cancelled, m.ID)
			}
		}
		return tx.AppendAudit(&AuditEntry{At: now, Actor: actor, Action: AuditKillSwitch,
			Detail: fmt.Sprintf("kill switch %s%s; %d waiting executions taken back", state, clause(": ", reason, ""), len(out.Cancelled))})
	})
	if err != nil {
		return KillSwitch{}, WrapError("kill switch", err)
	}
	s.events.Publish(EventKillSwitch, out)
	if len(out.Cancelled) > 0 {
		s.events.Publish(EventQueueChanged, QueueChanged{Reason: "kill switch", MoveIDs: out.Cancelled})
	}
	return out, nil
}

// SetSendWindow changes the send window.
func (s *GuardrailService) SetSendWindow(ctx context.Context, w SendWindow, actor Actor) error {
	if err := w.Validate(); err != nil {
		return err
	}
	now := s.clock.Now()
	return WrapError("send window", s.store.Update(ctx, func(tx Tx) error {
		g, err := tx.Guardrails()
		if err != nil {
			return err
		}
		g.SendWindow = w
		if err := tx.PutGuardrails(g); err != nil {
			return err
		}
		return tx.AppendAudit(&AuditEntry{At: now, Actor: actor, Action: AuditSettings,
			Detail: fmt.Sprintf("send window %s–%s", clockMinutes(w.Start), clockMinutes(w.End))})
	}))
}

// AddDoNotContact puts an address on the do-not-contact list.
func (s *GuardrailService) AddDoNotContact(ctx context.Context, email, reason, note string, actor Actor) (*DoNotContact, error) {
	d := &DoNotContact{Email: normalizeEmail(email), Reason: reason, Note: note, Actor: actor, At: s.clock.Now()}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	err := s.store.Update(ctx, func(tx Tx) error { return putDNC(tx, d) })
	return d, WrapError("do not contact", err)
}

func putDNC(tx Tx, d *DoNotContact) error {
	if err := tx.PutDoNotContact(d); err != nil {
		return err
	}
	return tx.AppendAudit(&AuditEntry{At: d.At, Actor: d.Actor, Action: AuditDoNotContact,
		Detail: fmt.Sprintf("%s added (%s)%s", d.Email, d.Reason, clause(": ", d.Note, ""))})
}

// RemoveDoNotContact takes an address off the list.
func (s *GuardrailService) RemoveDoNotContact(ctx context.Context, email string, actor Actor) error {
	now := s.clock.Now()
	return WrapError("do not contact", s.store.Update(ctx, func(tx Tx) error {
		if err := tx.DeleteDoNotContact(normalizeEmail(email)); err != nil {
			return err
		}
		return tx.AppendAudit(&AuditEntry{At: now, Actor: actor, Action: AuditDoNotContact, Detail: normalizeEmail(email) + " removed"})
	}))
}

// DoNotContacts lists the do-not-contact list.
func (s *GuardrailService) DoNotContacts(ctx context.Context) ([]*DoNotContact, error) {
	var out []*DoNotContact
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		out, err = tx.FindDoNotContacts()
		return err
	})
	return out, WrapError("do not contact", err)
}

// noteDoNotContact puts a bounced or unsubscribed address on the list as its
// signal is ingested, so nothing more is sent there.
func noteDoNotContact(in *ingester, s *Signal) error {
	reason := DNCBounced
	switch s.Type {
	case SignalEmailBounced:
	case SignalEmailUnsubscribed:
		reason = DNCUnsubscribed
	default:
		return nil
	}
	addr := s.Payload["address"]
	if addr == "" {
		addr = s.Payload["bounced_address"] // what the Gmail connector names it
	}
	if addr == "" && s.Type == SignalEmailUnsubscribed && s.Email != nil {
		addr = s.Email.From
	}
	if addr == "" {
		if c := in.rec.Contact(s.ContactID); c != nil {
			addr = c.Email
		}
	}
	if addr == "" && ValidEmail(normalizeEmail(s.ContactID)) {
		addr = s.ContactID
	}
	addr = normalizeEmail(addr)
	if !ValidEmail(addr) {
		return nil
	}
	if _, err := in.tx.DoNotContact(addr); err == nil {
		return nil
	} else if ErrorCode(err) != ENOTFOUND {
		return err
	}
	return putDNC(in.tx, &DoNotContact{Email: addr, Reason: reason, Note: fmt.Sprintf("signal %d", s.ID), Actor: ActorSystem, At: in.now})
}

// Rules returns the auto-approval rules.
func (s *GuardrailService) Rules(ctx context.Context) ([]*Rule, error) {
	var out []*Rule
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		out, err = tx.FindRules()
		return err
	})
	return out, WrapError("rules", err)
}

// SaveRule validates and stores r (new when r.ID is 0).
func (s *GuardrailService) SaveRule(ctx context.Context, r *Rule, actor Actor) error {
	if err := r.Validate(); err != nil {
		return err
	}
	now := s.clock.Now()
	if r.CreatedAt.IsZero() {
		r.CreatedAt = now
	}
	r.UpdatedAt = now
	return WrapError("save rule", s.store.Update(ctx, func(tx Tx) error {
		if err := tx.PutRule(r); err != nil {
			return err
		}
		state := "disabled"
		if r.Enabled {
			state = "enabled"
		}
		return tx.AppendAudit(&AuditEntry{At: now, Actor: actor, Action: AuditRule, Detail: fmt.Sprintf("rule %d “%s” saved, %s", r.ID, r.Name, state)})
	}))
}

// ApplyRules executes (as ActorRule) the pending moves an enabled rule
// approves, through every guardrail and the undo window. It returns the
// moves it executed; refusals are in the audit log, each recorded once
// (see ExecuteOptions.Rule) while the move is tried again on every pass.
func (s *GuardrailService) ApplyRules(ctx context.Context) ([]uint64, error) {
	var (
		rules []*Rule
		cands []ruleCandidate
	)
	err := s.store.View(ctx, func(tx Tx) error {
		all, err := tx.FindRules()
		if err != nil {
			return err
		}
		for _, r := range all {
			if r.Enabled {
				rules = append(rules, r)
			}
		}
		if len(rules) == 0 {
			return nil
		}
		pending := StatusPending
		moves, _, err := tx.FindMoves(MoveFilter{Status: &pending, ByScore: true})
		if err != nil {
			return err
		}
		for _, m := range moves {
			c, err := findOrNil(tx.FindContact, m.ContactID)
			if err != nil {
				return err
			}
			for _, r := range rules {
				if ok, why := r.Matches(m, c); ok {
					cands = append(cands, ruleCandidate{m.ID, why, r})
					break
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, WrapError("apply rules", err)
	}
	var done []uint64
	for _, c := range cands {
		// A rule executes what it previews, as every other surface does.
		p, err := s.executions().Preview(ctx, c.move)
		if err != nil {
			continue
		}
		if _, _, err := s.executions().Execute(ctx, c.move, ExecuteOptions{Actor: ActorRule, Why: c.why, PreviewHash: p.Hash, Rule: c.rule}); err == nil {
			done = append(done, c.move)
		}
	}
	return done, nil
}

type ruleCandidate struct {
	move uint64
	why  string
	rule *Rule
}

// SimulatedMove is one move a rule would have executed.
type SimulatedMove struct {
	Move    *Move
	Why     string
	Blocked string // the guardrail that would have stopped it, or ""
}

// Simulation says what a rule would have executed over a past period.
type Simulation struct {
	Rule    *Rule
	From    time.Time
	To      time.Time
	Checked int
	Matched []SimulatedMove
}

// SimulateRule answers "what would this rule have executed in the last
// days days": every move created in that period that the rule matches,
// with its score then, and the guardrail (do-not-contact, daily cap) that
// would still have stopped it. Nothing is executed or recorded.
func (s *GuardrailService) SimulateRule(ctx context.Context, r *Rule, days int) (*Simulation, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if days <= 0 {
		days = 7
	}
	now := s.clock.Now()
	sim := &Simulation{Rule: r, From: now.AddDate(0, 0, -days), To: now, Matched: []SimulatedMove{}}
	err := s.store.View(ctx, func(tx Tx) error {
		moves, _, err := tx.FindMoves(MoveFilter{})
		if err != nil {
			return err
		}
		st, err := tx.Settings()
		if err != nil {
			return err
		}
		perDay := map[string]int{}
		for _, m := range moves {
			if m.CreatedAt.Before(sim.From) || m.CreatedAt.After(now) {
				continue
			}
			sim.Checked++
			then := *m
			if aps, ok := createdScore(tx, m.ID); ok {
				then.Score.APS = aps // the score the move had when it was created
			}
			c, err := findOrNil(tx.FindContact, m.ContactID)
			if err != nil {
				return err
			}
			ok, why := r.Matches(&then, c)
			if !ok {
				continue
			}
			sm := SimulatedMove{Move: &then, Why: why}
			for _, to := range append(append([]string{}, m.Draft.To...), m.Draft.Cc...) {
				if d, err := tx.DoNotContact(to); err == nil {
					sm.Blocked = fmt.Sprintf("%s: %s is on the do-not-contact list (%s)", GuardDoNotContact, d.Email, d.Reason)
				}
			}
			day := m.CreatedAt.Format("2006-01-02") + string(m.Kind)
			if limit, capped := st.DailyCaps[m.Kind]; sm.Blocked == "" && capped {
				if perDay[day] >= limit {
					sm.Blocked = fmt.Sprintf("%s: the daily cap of %d %s would have been reached", GuardDailyCap, limit, m.Kind)
				} else {
					perDay[day]++
				}
			}
			sim.Matched = append(sim.Matched, sm)
		}
		return nil
	})
	if err != nil {
		return nil, WrapError("simulate rule", err)
	}
	return sim, nil
}

// createdScore is the APS recorded when the move was created.
func createdScore(tx Tx, moveID uint64) (float64, bool) {
	entries, _, err := tx.FindAudit(AuditFilter{MoveID: &moveID, Limit: 1})
	if err != nil || len(entries) == 0 || entries[0].Action != AuditMoveCreated {
		return 0, false
	}
	return entries[0].APS, true
}

// Rule approves moves automatically: an enabled rule whose conditions all
// hold executes the move as ActorRule, through every guardrail and the
// undo window like a keystroke would. Rules are off until enabled.
type Rule struct {
	ID      uint64
	Name    string
	Enabled bool
	// Conditions; an empty list matches anything.
	Kinds        []MoveKind
	Domains      []Domain // sales, marketing, cs
	EmailDomains []string // the recipient's (or contact's) email domain
	MinScore     float64  // APS at least this
	Segments     []string // the contact's lifecycle stage (lead, opportunity, customer …)
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Validate checks the rule.
func (r *Rule) Validate() error {
	if strings.TrimSpace(r.Name) == "" {
		return Errorf(EINVALID, "a rule needs a name")
	}
	for _, k := range r.Kinds {
		if !validKind(k) {
			return Errorf(EINVALID, "rule %q: kind %q is not one of %s", r.Name, k, joinKinds())
		}
	}
	for _, d := range r.Domains {
		if _, err := ParseDomain(string(d)); err != nil {
			return err
		}
	}
	if r.MinScore < 0 || r.MinScore > 100 {
		return Errorf(EINVALID, "rule %q: the minimum score must be between 0 and 100", r.Name)
	}
	if len(r.Kinds) == 0 && len(r.Domains) == 0 && len(r.EmailDomains) == 0 && r.MinScore == 0 && len(r.Segments) == 0 {
		return Errorf(EINVALID, "rule %q has no condition: it would approve every move", r.Name)
	}
	return nil
}

// Matches reports whether the rule approves m (with its contact, if
// known) and says why in words.
func (r *Rule) Matches(m *Move, c *Contact) (bool, string) {
	var why []string
	if len(r.Kinds) > 0 {
		ok := false
		for _, k := range r.Kinds {
			ok = ok || k == m.Kind
		}
		if !ok {
			return false, ""
		}
		why = append(why, "kind "+string(m.Kind))
	}
	if len(r.Domains) > 0 {
		ok := false
		for _, d := range r.Domains {
			ok = ok || d == m.Domain
		}
		if !ok {
			return false, ""
		}
		why = append(why, "domain "+string(m.Domain))
	}
	if len(r.EmailDomains) > 0 {
		addr := ""
		if len(m.Draft.To) > 0 {
			addr = m.Draft.To[0]
		} else if c != nil {
			addr = c.Email
		}
		_, dom, _ := strings.Cut(normalizeEmail(addr), "@")
		if dom == "" || !containsFold(r.EmailDomains, dom) {
			return false, ""
		}
		why = append(why, "email domain "+dom)
	}
	if r.MinScore > 0 {
		if m.Score.APS < r.MinScore {
			return false, ""
		}
		why = append(why, "APS "+trimFloat(m.Score.APS)+" ≥ "+trimFloat(r.MinScore))
	}
	if len(r.Segments) > 0 {
		if c == nil || !containsFold(r.Segments, c.Lifecycle) {
			return false, ""
		}
		why = append(why, "segment "+c.Lifecycle)
	}
	return true, "rule “" + r.Name + "”: " + strings.Join(why, ", ")
}

func trimFloat(f float64) string {
	s := strings.TrimRight(strings.TrimRight(strconv.FormatFloat(f, 'f', 1, 64), "0"), ".")
	if s == "" {
		return "0"
	}
	return s
}
