package backend

import (
	"fmt"
	"strconv"
	"strings"
)

// ICP is the ideal-customer-profile rule set behind the strategic component:
// strategic = Base + the weights of the rules that match, capped to [0, 1].
type ICP struct {
	Base  float64
	Rules []ICPRule
}

// ICP rule fields.
const (
	FieldIndustry  = "company.industry"
	FieldEmployees = "company.employees"
	FieldCountry   = "company.country"
	FieldTags      = "company.tags"
	FieldTitle     = "contact.title"
	FieldLifecycle = "contact.lifecycle"
)

// ICP rule operators.
const (
	OpIn          = "in"           // the field equals one of Values (case-insensitive)
	OpContainsAny = "contains_any" // the field contains one of Values as a word or phrase
	OpBetween     = "between"      // Min ≤ field ≤ Max, for numbers
)

var icpFieldOps = map[string][]string{
	FieldIndustry:  {OpIn, OpContainsAny},
	FieldEmployees: {OpBetween},
	FieldCountry:   {OpIn},
	FieldTags:      {OpIn},
	FieldTitle:     {OpIn, OpContainsAny},
	FieldLifecycle: {OpIn},
}

// ICPRule adds Weight to the strategic component when it matches.
type ICPRule struct {
	Field  string
	Op     string
	Values []string
	Min    float64
	Max    float64
	Weight float64 // may be negative, to mark a poor fit
	Label  string  // how the match reads in a reason: "SaaS company"
}

// DefaultICP describes a B2B SaaS founder's typical buyer.
func DefaultICP() ICP {
	return ICP{Base: 0.2, Rules: []ICPRule{
		{Field: FieldIndustry, Op: OpIn, Values: []string{"saas", "software", "fintech", "developer tools"}, Weight: 0.3, Label: "%s company"},
		{Field: FieldEmployees, Op: OpBetween, Min: 50, Max: 1000, Weight: 0.2, Label: "%s employees"},
		{Field: FieldTitle, Op: OpContainsAny, Values: []string{"founder", "ceo", "cto", "vp", "head of", "director"}, Weight: 0.2, Label: "decision-maker (%s)"},
		{Field: FieldTags, Op: OpIn, Values: []string{"target_account", "strategic"}, Weight: 0.2, Label: "target account"},
		{Field: FieldCountry, Op: OpIn, Values: []string{"us", "usa", "united states", "gb", "uk", "united kingdom", "ca", "canada", "de", "germany"}, Weight: 0.1, Label: "in a core market (%s)"},
	}}
}

// Validate checks every rule uses a known field with an operator that fits it.
func (p ICP) Validate() error {
	if p.Base < 0 || p.Base > 1 {
		return Errorf(EINVALID, "ICP base must be between 0 and 1")
	}
	for i, r := range p.Rules {
		ops, ok := icpFieldOps[r.Field]
		if !ok {
			return Errorf(EINVALID, "ICP rule %d: field %q is not one of %s", i+1, r.Field, strings.Join(icpFields(), ", "))
		}
		if !containsFold(ops, r.Op) {
			return Errorf(EINVALID, "ICP rule %d: operator %q does not apply to %s (use %s)", i+1, r.Op, r.Field, strings.Join(ops, " or "))
		}
		if r.Op == OpBetween && r.Min > r.Max {
			return Errorf(EINVALID, "ICP rule %d: min %.0f is above max %.0f", i+1, r.Min, r.Max)
		}
		if r.Op != OpBetween && len(r.Values) == 0 {
			return Errorf(EINVALID, "ICP rule %d: needs at least one value", i+1)
		}
		if r.Weight < -1 || r.Weight > 1 {
			return Errorf(EINVALID, "ICP rule %d: weight must be between -1 and 1", i+1)
		}
		if strings.TrimSpace(r.Label) == "" {
			return Errorf(EINVALID, "ICP rule %d: needs a label for its reason", i+1)
		}
	}
	return nil
}

func icpFields() []string {
	return []string{FieldIndustry, FieldEmployees, FieldCountry, FieldTags, FieldTitle, FieldLifecycle}
}

// Fit returns the strategic component for a contact and company and the
// reasons for it: one per matching rule, or one saying nothing matched.
func (p ICP) Fit(contact *Contact, company *Company) (float64, []string) {
	v := p.Base
	var reasons []string
	for _, r := range p.Rules {
		matched, what := r.match(contact, company)
		if !matched {
			continue
		}
		v += r.Weight
		label := r.Label
		if strings.Contains(label, "%s") {
			label = fmt.Sprintf(label, what)
		}
		if r.Weight < 0 {
			reasons = append(reasons, "poor fit: "+label)
		} else {
			reasons = append(reasons, "ICP: "+label)
		}
	}
	if len(reasons) == 0 {
		if contact == nil && company == nil {
			reasons = append(reasons, "no account data for ICP fit")
		} else {
			reasons = append(reasons, "no ICP rule matches")
		}
	}
	return clamp01(v), reasons
}

func (r ICPRule) match(contact *Contact, company *Company) (bool, string) {
	var text string
	switch r.Field {
	case FieldIndustry:
		if company == nil {
			return false, ""
		}
		text = company.Industry
	case FieldCountry:
		if company == nil {
			return false, ""
		}
		text = company.Country
	case FieldTitle:
		if contact == nil {
			return false, ""
		}
		text = contact.Title
	case FieldLifecycle:
		if contact == nil {
			return false, ""
		}
		text = contact.Lifecycle
	case FieldTags:
		if company == nil {
			return false, ""
		}
		for _, tag := range company.Tags {
			if containsFold(r.Values, tag) {
				return true, tag
			}
		}
		return false, ""
	case FieldEmployees:
		if company == nil || company.Employees == 0 {
			return false, ""
		}
		n := float64(company.Employees)
		return n >= r.Min && n <= r.Max, strconv.Itoa(company.Employees)
	}
	if text == "" {
		return false, ""
	}
	switch r.Op {
	case OpIn:
		return containsFold(r.Values, strings.TrimSpace(text)), text
	case OpContainsAny:
		for _, v := range r.Values {
			if containsPhrase(text, v) {
				return true, text
			}
		}
	}
	return false, ""
}

// containsPhrase reports whether phrase occurs in text as whole words, case
// folded: "VP" is in "VP Sales" and "SVP, VP" but not in "MVP lead".
func containsPhrase(text, phrase string) bool {
	text, phrase = strings.ToLower(text), strings.ToLower(strings.TrimSpace(phrase))
	if phrase == "" {
		return false
	}
	isLetter := func(b byte) bool { return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' }
	for i := 0; ; {
		j := strings.Index(text[i:], phrase)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(phrase)
		if (start == 0 || !isLetter(text[start-1])) && (end == len(text) || !isLetter(text[end])) {
			return true
		}
		i = start + 1
	}
}

func equalFold(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

func clamp01(v float64) float64 {
	switch {
	case v < 0:
		return 0
	case v > 1:
		return 1
	}
	return v
}
