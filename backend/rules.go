package backend

import (
	"strconv"
	"strings"
	"time"
)

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
