package app

import (
	"strings"

	"github.com/caseyos/caseyos/backend"
)

// SettingsService is bound for the Settings view (the settings and do-not-
// contact stores): settings, the send window, auto-approval rules and their
// simulator, and the do-not-contact list. It runs on the App's core and is bound as
// SettingsService.<Method> in the window and served as POST
// /api/SettingsService.<Method> (docs/api.md).
type SettingsService struct{ a *App }

// Settings returns the workspace's settings.
func (svc *SettingsService) Settings() (SettingsDTO, error) {
	a := svc.a
	st, err := a.queue.Settings.Get(a.ctx)
	if err != nil {
		return SettingsDTO{}, err
	}
	return toSettingsDTO(st), nil
}

// SaveSettings validates and stores the settings; every open move is re-scored.
func (svc *SettingsService) SaveSettings(in SettingsDTO) (SettingsDTO, error) {
	a := svc.a
	st, err := a.queue.Settings.Get(a.ctx)
	if err != nil {
		return SettingsDTO{}, err
	}
	applySettingsDTO(st, in)
	if err := a.queue.Settings.Save(a.ctx, st, backend.ActorClick); err != nil {
		return SettingsDTO{}, err
	}
	return svc.Settings()
}

// SendWindow returns the send window in force.
func (svc *SettingsService) SendWindow() (SendWindowDTO, error) {
	a := svc.a
	g, err := a.queue.Guardrails.Get(a.ctx)
	if err != nil {
		return SendWindowDTO{}, err
	}
	w := g.Window()
	return SendWindowDTO{Start: hhmm(w.Start), End: hhmm(w.End), SkipWeekends: w.SkipWeekends}, nil
}

// SetSendWindow changes the send window; sends held by the old one are
// judged by the new one when their time comes.
func (svc *SettingsService) SetSendWindow(in SendWindowDTO, via string) (SendWindowDTO, error) {
	a := svc.a
	start, err := parseHHMM(in.Start, "start")
	if err != nil {
		return SendWindowDTO{}, err
	}
	end, err := parseHHMM(in.End, "end")
	if err != nil {
		return SendWindowDTO{}, err
	}
	who, err := actor(via)
	if err != nil {
		return SendWindowDTO{}, err
	}
	w := backend.SendWindow{Start: start, End: end, SkipWeekends: in.SkipWeekends}
	if err := a.queue.Guardrails.SetSendWindow(a.ctx, w, who); err != nil {
		return SendWindowDTO{}, err
	}
	return svc.SendWindow()
}

// Rules lists the auto-approval rules (all off until enabled).
func (svc *SettingsService) Rules() ([]RuleDTO, error) {
	a := svc.a
	list, err := a.queue.Guardrails.Rules(a.ctx)
	if err != nil {
		return nil, err
	}
	out := []RuleDTO{}
	for _, r := range list {
		out = append(out, toRuleDTO(r))
	}
	return out, nil
}

// SaveRule stores a rule (new when id is 0).
func (svc *SettingsService) SaveRule(in RuleDTO) (RuleDTO, error) {
	a := svc.a
	r := in.rule()
	if err := a.queue.Guardrails.SaveRule(a.ctx, r, backend.ActorClick); err != nil {
		return RuleDTO{}, err
	}
	return toRuleDTO(r), nil
}

// SimulateRule answers "what would this rule have executed in the last
// days days" (0 = 7) without executing anything.
func (svc *SettingsService) SimulateRule(in RuleDTO, days int) (SimulationDTO, error) {
	a := svc.a
	if days < 0 || days > 90 {
		return SimulationDTO{}, backend.Errorf(backend.EINVALID, "simulate over 1 to 90 days")
	}
	sim, err := a.queue.Guardrails.SimulateRule(a.ctx, in.rule(), days)
	if err != nil {
		return SimulationDTO{}, err
	}
	out := SimulationDTO{Rule: toRuleDTO(sim.Rule), From: sim.From.UTC(), To: sim.To.UTC(), Checked: sim.Checked, Matched: []SimulatedMoveDTO{}}
	for _, s := range sim.Matched {
		out.Matched = append(out.Matched, SimulatedMoveDTO{MoveID: s.Move.ID, Kind: string(s.Move.Kind), Title: s.Move.Title,
			APS: round1(s.Move.Score.APS), CreatedAt: s.Move.CreatedAt.UTC(), Why: s.Why, Blocked: s.Blocked})
	}
	return out, nil
}

// DoNotContact lists the do-not-contact list.
func (svc *SettingsService) DoNotContact() ([]DoNotContactDTO, error) {
	a := svc.a
	list, err := a.queue.Guardrails.DoNotContacts(a.ctx)
	if err != nil {
		return nil, err
	}
	out := []DoNotContactDTO{}
	for _, d := range list {
		out = append(out, DoNotContactDTO{Email: d.Email, Reason: d.Reason, Note: d.Note, By: string(d.Actor), At: d.At.UTC()})
	}
	return out, nil
}

// AddDoNotContact puts an address on the list (reason "" = manual), as
// done by via (the settings' list, `caseyos do-not-contact add`).
func (svc *SettingsService) AddDoNotContact(email, reason, note, via string) ([]DoNotContactDTO, error) {
	a := svc.a
	who, err := actor(via)
	if err != nil {
		return nil, err
	}
	if reason == "" {
		reason = backend.DNCManual
	}
	if _, err := a.queue.Guardrails.AddDoNotContact(a.ctx, email, reason, strings.TrimSpace(note), who); err != nil {
		return nil, err
	}
	return svc.DoNotContact()
}

// RemoveDoNotContact takes an address off the list, as done by via.
func (svc *SettingsService) RemoveDoNotContact(email, via string) ([]DoNotContactDTO, error) {
	a := svc.a
	who, err := actor(via)
	if err != nil {
		return nil, err
	}
	if err := a.queue.Guardrails.RemoveDoNotContact(a.ctx, email, who); err != nil {
		return nil, err
	}
	return svc.DoNotContact()
}
