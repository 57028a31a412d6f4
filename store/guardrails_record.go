package store

// The disk format of meta/guardrails, do_not_contact/<address> and
// rules/<id>. record.go says what every record follows.

import (
	"slices"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// guardrailsRecord is meta/guardrails.
type guardrailsRecord struct {
	KillSwitch       bool      `json:"kill_switch"`
	KillSwitchAt     time.Time `json:"kill_switch_at"`
	KillSwitchBy     string    `json:"kill_switch_by,omitempty"`
	KillSwitchReason string    `json:"kill_switch_reason,omitempty"`
	SendWindowStart  int       `json:"send_window_start"` // minutes after local midnight
	SendWindowEnd    int       `json:"send_window_end"`
	SkipWeekends     bool      `json:"skip_weekends"`
}

// dncRecord is one do-not-contact entry; the key is the address.
type dncRecord struct {
	Reason string    `json:"reason"`
	Note   string    `json:"note,omitempty"`
	Actor  string    `json:"actor,omitempty"`
	At     time.Time `json:"at"`
}

// ruleRecord is one auto-approval rule.
type ruleRecord struct {
	Name         string    `json:"name"`
	Enabled      bool      `json:"enabled"`
	Kinds        []string  `json:"kinds,omitempty"`
	Domains      []string  `json:"domains,omitempty"`
	EmailDomains []string  `json:"email_domains,omitempty"`
	MinScore     float64   `json:"min_score,omitempty"`
	Segments     []string  `json:"segments,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

func toGuardrailsRecord(g *backend.Guardrails) guardrailsRecord {
	return guardrailsRecord{
		KillSwitch: g.KillSwitch, KillSwitchAt: utc(g.KillSwitchAt), KillSwitchBy: string(g.KillSwitchBy), KillSwitchReason: g.KillSwitchReason,
		SendWindowStart: g.SendWindow.Start, SendWindowEnd: g.SendWindow.End, SkipWeekends: g.SendWindow.SkipWeekends,
	}
}

func fromGuardrailsRecord(r *guardrailsRecord) *backend.Guardrails {
	return &backend.Guardrails{
		KillSwitch: r.KillSwitch, KillSwitchAt: r.KillSwitchAt, KillSwitchBy: backend.Actor(r.KillSwitchBy), KillSwitchReason: r.KillSwitchReason,
		SendWindow: backend.SendWindow{Start: r.SendWindowStart, End: r.SendWindowEnd, SkipWeekends: r.SkipWeekends},
	}
}

func toDNCRecord(d *backend.DoNotContact) dncRecord {
	return dncRecord{Reason: d.Reason, Note: d.Note, Actor: string(d.Actor), At: utc(d.At)}
}

func fromDNCRecord(email string, r *dncRecord) *backend.DoNotContact {
	return &backend.DoNotContact{Email: email, Reason: r.Reason, Note: r.Note, Actor: backend.Actor(r.Actor), At: r.At}
}

func toRuleRecord(r *backend.Rule) ruleRecord {
	out := ruleRecord{Name: r.Name, Enabled: r.Enabled, EmailDomains: slices.Clone(r.EmailDomains), MinScore: r.MinScore,
		Segments: slices.Clone(r.Segments), CreatedAt: utc(r.CreatedAt), UpdatedAt: utc(r.UpdatedAt)}
	for _, k := range r.Kinds {
		out.Kinds = append(out.Kinds, string(k))
	}
	for _, d := range r.Domains {
		out.Domains = append(out.Domains, string(d))
	}
	return out
}

func fromRuleRecord(id uint64, r *ruleRecord) *backend.Rule {
	out := &backend.Rule{ID: id, Name: r.Name, Enabled: r.Enabled, EmailDomains: r.EmailDomains, MinScore: r.MinScore,
		Segments: r.Segments, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	for _, k := range r.Kinds {
		out.Kinds = append(out.Kinds, backend.MoveKind(k))
	}
	for _, d := range r.Domains {
		out.Domains = append(out.Domains, backend.Domain(d))
	}
	return out
}
