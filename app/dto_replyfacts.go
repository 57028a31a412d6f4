package app

import (
	"strings"

	"github.com/caseyos/caseyos/backend"
)

// PricingDTO is the price list: per-seat monthly prices in seat tiers.
type PricingDTO struct {
	Currency string         `json:"currency"`
	Tiers    []PriceTierDTO `json:"tiers"`
}

// PriceTierDTO is one seat tier; MaxSeats 0 has no upper bound.
type PriceTierDTO struct {
	Name      string  `json:"name"`
	MinSeats  int     `json:"min_seats"`
	MaxSeats  int     `json:"max_seats"`
	SeatPrice float64 `json:"seat_price"`
}

// FactDTO is one entry of the facts list reply drafts answer from.
type FactDTO struct {
	Topic    string   `json:"topic"`
	Keywords []string `json:"keywords"`
	Text     string   `json:"text"`
}

func toReplyFactsDTO(s *backend.Settings) (*PricingDTO, []FactDTO) {
	p := &PricingDTO{Currency: s.Pricing.Currency, Tiers: []PriceTierDTO{}}
	for _, t := range s.Pricing.Tiers {
		p.Tiers = append(p.Tiers, PriceTierDTO{Name: t.Name, MinSeats: t.MinSeats, MaxSeats: t.MaxSeats, SeatPrice: t.SeatPrice})
	}
	facts := []FactDTO{}
	for _, f := range s.Facts {
		facts = append(facts, FactDTO{Topic: f.Topic, Keywords: append([]string{}, f.Keywords...), Text: f.Text})
	}
	return p, facts
}

// applyReplyFactsDTO sets the price list and the facts list as edited
// (nil keeps each as stored); blank keywords are dropped and text is
// trimmed.
func applyReplyFactsDTO(s *backend.Settings, p *PricingDTO, facts []FactDTO) {
	if p != nil {
		applyPricingDTO(s, *p)
	}
	if facts == nil {
		return
	}
	s.Facts = nil
	for _, f := range facts {
		var kw []string
		for _, k := range f.Keywords {
			if k = strings.TrimSpace(k); k != "" {
				kw = append(kw, k)
			}
		}
		s.Facts = append(s.Facts, backend.Fact{Topic: strings.TrimSpace(f.Topic), Keywords: kw, Text: strings.TrimSpace(f.Text)})
	}
}

func applyPricingDTO(s *backend.Settings, p PricingDTO) {
	s.Pricing = backend.Pricing{Currency: strings.ToUpper(strings.TrimSpace(p.Currency))}
	for _, t := range p.Tiers {
		s.Pricing.Tiers = append(s.Pricing.Tiers, backend.PriceTier{Name: strings.TrimSpace(t.Name), MinSeats: t.MinSeats, MaxSeats: t.MaxSeats, SeatPrice: t.SeatPrice})
	}
	if len(s.Pricing.Tiers) == 0 {
		s.Pricing = backend.Pricing{} // a currency alone prices nothing
	}
}
