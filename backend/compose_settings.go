package backend

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
)

// What the composer may say about the product: the price list and the
// facts list (Settings.Pricing, Settings.Facts). Everything a draft states
// about the product comes from here, so a new workspace, which has neither,
// answers no product question on its own: each one is left as a hole for
// the founder to fill (see ComposeReply).

// FactTopics are the topics a fact answers; they are the topics the
// classifier gives a question (backend/intent's Question.Topic).
var FactTopics = []string{"pricing", "security", "compliance", "integration", "seats", "trial", "contract", "onboarding", "data", "other"}

// Limits on the facts list and the price list, so a draft stays short and
// a settings file stays small.
const (
	MaxFacts        = 100
	MaxFactText     = 1000 // bytes
	MaxFactKeywords = 20
	MaxPriceTiers   = 20
)

// Fact is one true thing the composer may say in answer to a question:
// {Topic: "compliance", Text: "We are SOC 2 Type II audited; the report is
// available under NDA."}. A question matches a fact by a keyword it
// contains (any topic), else by topic when the fact has no keywords.
type Fact struct {
	Topic    string   // one of FactTopics
	Keywords []string // optional words or phrases ("sso", "saml"); matched case-insensitively as whole words
	Text     string   // said as it stands, one short paragraph
}

// Pricing is the price list: per-seat monthly prices in seat tiers, in one
// currency. One currency for the whole list, because a founder quotes one
// list; tiers are sorted by seats and do not overlap, so a seat count
// fits at most one tier.
type Pricing struct {
	Currency string // ISO 4217 code: "USD", "EUR"
	Tiers    []PriceTier
}

// PriceTier is one tier of the price list: "Team, 11–50 seats, $25 per
// seat per month".
type PriceTier struct {
	Name      string
	MinSeats  int     // at least 1
	MaxSeats  int     // 0: no upper bound
	SeatPrice float64 // per seat per month, in Pricing.Currency
}

// Validate checks the price list, naming the first bad tier.
func (p Pricing) Validate() error {
	if len(p.Tiers) == 0 {
		return nil
	}
	if len(p.Tiers) > MaxPriceTiers {
		return Errorf(EINVALID, "the price list holds at most %d tiers", MaxPriceTiers)
	}
	if !validCurrency(p.Currency) {
		return Errorf(EINVALID, "the price list's currency must be a three-letter code such as USD (got %q)", p.Currency)
	}
	for i, t := range p.Tiers {
		name := fmt.Sprintf("price tier %d", i+1)
		if strings.TrimSpace(t.Name) == "" {
			return Errorf(EINVALID, "%s needs a name", name)
		}
		name = fmt.Sprintf("price tier %q", t.Name)
		if math.IsNaN(t.SeatPrice) || math.IsInf(t.SeatPrice, 0) || t.SeatPrice < 0 {
			return Errorf(EINVALID, "%s: the seat price must be zero or more (got %v)", name, t.SeatPrice)
		}
		if t.SeatPrice > 1e7 {
			return Errorf(EINVALID, "%s: the seat price %v is too large", name, t.SeatPrice)
		}
		if t.MinSeats < 1 {
			return Errorf(EINVALID, "%s: the smallest seat count must be at least 1", name)
		}
		if t.MaxSeats != 0 && t.MaxSeats < t.MinSeats {
			return Errorf(EINVALID, "%s: the largest seat count (%d) is below the smallest (%d)", name, t.MaxSeats, t.MinSeats)
		}
		if i > 0 {
			prev := p.Tiers[i-1]
			if prev.MaxSeats == 0 || t.MinSeats <= prev.MaxSeats {
				return Errorf(EINVALID, "%s overlaps %q: list the tiers by seat count, each starting above the one before", name, prev.Name)
			}
		}
	}
	return nil
}

// Tier returns the tier whose seat range holds seats.
func (p Pricing) Tier(seats int) (PriceTier, bool) {
	for _, t := range p.Tiers {
		if seats >= t.MinSeats && (t.MaxSeats == 0 || seats <= t.MaxSeats) {
			return t, true
		}
	}
	return PriceTier{}, false
}

func validCurrency(c string) bool {
	if len(c) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if c[i] < 'A' || c[i] > 'Z' {
			return false
		}
	}
	return true
}

// Validate checks one fact; n is its place in the list, for the message.
func (f Fact) Validate(n int) error {
	name := fmt.Sprintf("fact %d", n)
	if !containsFold(FactTopics, f.Topic) {
		return Errorf(EINVALID, "%s: the topic must be one of %s (got %q)", name, strings.Join(FactTopics, ", "), f.Topic)
	}
	text := strings.TrimSpace(f.Text)
	if text == "" {
		return Errorf(EINVALID, "%s (%s) has no text: write what a reply should say", name, f.Topic)
	}
	if len(f.Text) > MaxFactText || !utf8.ValidString(f.Text) {
		return Errorf(EINVALID, "%s (%s) is longer than %d characters", name, f.Topic, MaxFactText)
	}
	if holes := holesIn("body", f.Text); len(holes) > 0 {
		return Errorf(EINVALID, "%s (%s) holds template text (%s): every draft quoting it would be refused", name, f.Topic, holes[0])
	}
	if len(f.Keywords) > MaxFactKeywords {
		return Errorf(EINVALID, "%s (%s) has more than %d keywords", name, f.Topic, MaxFactKeywords)
	}
	for _, k := range f.Keywords {
		if strings.TrimSpace(k) == "" {
			return Errorf(EINVALID, "%s (%s) has an empty keyword", name, f.Topic)
		}
	}
	return nil
}

// validateReplyFacts checks the price list and the facts list.
func (s *Settings) validateReplyFacts() error {
	if err := s.Pricing.Validate(); err != nil {
		return err
	}
	if len(s.Facts) > MaxFacts {
		return Errorf(EINVALID, "the facts list holds at most %d facts", MaxFacts)
	}
	for i, f := range s.Facts {
		if err := f.Validate(i + 1); err != nil {
			return err
		}
	}
	return nil
}
