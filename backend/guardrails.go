package backend

import (
	"context"
	"fmt"
	"strings"
	"time"
)

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
				if err := cancelTx(tx, e, m, actor, "stopped by the kill switch before anything was sent", now); err != nil {
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
// moves it executed; refusals are in the audit log.
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
					cands = append(cands, ruleCandidate{m.ID, why})
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
		if _, _, err := s.executions().ExecuteWith(ctx, c.move, ExecuteOptions{Actor: ActorRule, Why: c.why, PreviewHash: p.Hash}); err == nil {
			done = append(done, c.move)
		}
	}
	return done, nil
}

type ruleCandidate struct {
	move uint64
	why  string
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

// AuditCheck is the result of VerifyAudit.
type AuditCheck struct {
	Entries int
	// OK: every entry verified. False when something is wrong (Problem)
	// and when a period's key was lost (Unverifiable), even with nothing
	// found wrong.
	OK      bool
	BadSeq  uint64 // the first entry that does not verify
	Problem string // what is wrong; "" when nothing was found wrong
	Message string
	KeyID   string // the key the log is signed with now
	// Unverifiable are the periods whose key was lost and replaced: their
	// links and numbering were checked, their contents cannot be.
	Unverifiable []AuditPeriod
	Rekeys       []AuditRekey // every replacement of the key, oldest first
}

// VerifyAudit reads the whole audit log and checks it (CheckAuditLogKeys):
// an edited, inserted, dropped or cut-off entry is found, and so is an edit
// whose hashes were recomputed without the audit key. A period signed
// with a key that was lost and replaced (audit --rekey) is reported as
// unverifiable, never as OK. Without the current key it fails
// (EUNAVAILABLE, saying where the key was looked for) rather than vouch
// for what it could not check.
func (q *Queue) VerifyAudit(ctx context.Context) (AuditCheck, error) {
	var out AuditCheck
	err := q.store.View(ctx, func(tx Tx) error {
		entries, total, err := tx.FindAudit(AuditFilter{})
		if err != nil {
			return err
		}
		head, err := tx.AuditHead()
		if err != nil {
			return err
		}
		key, err := tx.AuditKey()
		if err != nil {
			return err
		}
		keys := func(id string) *AuditKey {
			if id == key.ID() {
				return key
			}
			if k, err := tx.AuditKeyWithID(id); err == nil {
				return k // an older period's key, found again
			}
			return nil
		}
		r := CheckAuditLogKeys(entries, total, head, keys)
		out.Entries, out.OK, out.BadSeq, out.Problem = len(entries), r.OK(), r.BadSeq, r.Problem
		out.Unverifiable, out.Rekeys = r.Unverifiable(), r.Rekeys
		out.Message, out.KeyID = auditCheckMessage(&r, len(entries), key), key.ID()
		return nil
	})
	return out, WrapError("verify audit", err)
}

// auditCheckMessage says what r found, in words.
func auditCheckMessage(r *AuditReport, n int, key *AuditKey) string {
	if r.Problem != "" {
		return r.Problem
	}
	var parts []string
	for _, p := range r.Unverifiable() {
		parts = append(parts, fmt.Sprintf("entries %d–%d were signed with key %s, which was replaced on %s because it was lost; they cannot be verified (only their links and numbering were checked)",
			p.From, p.To, p.KeyID, p.Replaced.At.UTC().Format("2006-01-02 15:04 UTC")))
	}
	for _, p := range r.Periods {
		if p.Verified && p.To >= p.From && len(r.Rekeys) > 0 {
			parts = append(parts, fmt.Sprintf("entries %d–%d (key %s) verified", p.From, p.To, p.KeyID))
		}
	}
	for _, rk := range r.Rekeys {
		unverified := ""
		if !rk.Verified {
			unverified = " (this entry is in a period that cannot be verified either)"
		}
		parts = append(parts, fmt.Sprintf("entry %d replaced lost key %s with key %s on %s%s", rk.Seq, rk.OldKeyID, rk.NewKeyID, rk.At.UTC().Format("2006-01-02 15:04 UTC"), unverified))
	}
	parts = append(parts, fmt.Sprintf("%d entries, hash chain, head and seal intact (key %s)", n, key.ID()))
	return strings.Join(parts, "; ")
}

// Audit returns audit entries in sequence order and how many there are.
func (q *Queue) Audit(ctx context.Context, offset, limit int) ([]*AuditEntry, int, error) {
	var out []*AuditEntry
	var total int
	err := q.store.View(ctx, func(tx Tx) error {
		var err error
		out, total, err = tx.FindAudit(AuditFilter{Offset: offset, Limit: limit})
		return err
	})
	return out, total, WrapError("audit", err)
}
