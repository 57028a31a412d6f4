package backend_test

import (
	"math"
	"strings"
	"testing"

	"github.com/caseyos/caseyos/backend"
)

func TestSettings_ValidateReplyFacts(t *testing.T) {
	tiers := func() []backend.PriceTier {
		return []backend.PriceTier{
			{Name: "Starter", MinSeats: 1, MaxSeats: 10, SeatPrice: 30},
			{Name: "Team", MinSeats: 11, MaxSeats: 50, SeatPrice: 25},
			{Name: "Scale", MinSeats: 51, SeatPrice: 20},
		}
	}
	tests := []struct {
		name string
		edit func(s *backend.Settings)
		want string // a phrase of the error's message; "" = valid
	}{
		{"a new workspace has neither", func(s *backend.Settings) {}, ""},
		{"a price list and facts", func(s *backend.Settings) {
			s.Pricing = backend.Pricing{Currency: "USD", Tiers: tiers()}
			s.Facts = []backend.Fact{{Topic: "security", Keywords: []string{"sso"}, Text: "SSO comes with every plan."}}
		}, ""},
		{"a free tier", func(s *backend.Settings) {
			s.Pricing = backend.Pricing{Currency: "EUR", Tiers: []backend.PriceTier{{Name: "Free", MinSeats: 1, MaxSeats: 3}}}
		}, ""},
		{"a negative price", func(s *backend.Settings) {
			s.Pricing = backend.Pricing{Currency: "USD", Tiers: tiers()}
			s.Pricing.Tiers[1].SeatPrice = -5
		}, `price tier "Team": the seat price must be zero or more`},
		{"a NaN price", func(s *backend.Settings) {
			s.Pricing = backend.Pricing{Currency: "USD", Tiers: tiers()}
			s.Pricing.Tiers[0].SeatPrice = math.NaN()
		}, "seat price must be zero or more"},
		{"no currency", func(s *backend.Settings) { s.Pricing = backend.Pricing{Tiers: tiers()} }, "three-letter code"},
		{"a currency symbol", func(s *backend.Settings) { s.Pricing = backend.Pricing{Currency: "$", Tiers: tiers()} }, "three-letter code"},
		{"a tier without a name", func(s *backend.Settings) {
			s.Pricing = backend.Pricing{Currency: "USD", Tiers: tiers()}
			s.Pricing.Tiers[2].Name = " "
		}, "price tier 3 needs a name"},
		{"zero seats", func(s *backend.Settings) {
			s.Pricing = backend.Pricing{Currency: "USD", Tiers: tiers()}
			s.Pricing.Tiers[0].MinSeats = 0
		}, "at least 1"},
		{"a range upside down", func(s *backend.Settings) {
			s.Pricing = backend.Pricing{Currency: "USD", Tiers: tiers()}
			s.Pricing.Tiers[1].MaxSeats = 5
		}, "below the smallest"},
		{"overlapping tiers", func(s *backend.Settings) {
			s.Pricing = backend.Pricing{Currency: "USD", Tiers: tiers()}
			s.Pricing.Tiers[1].MinSeats = 10
		}, `price tier "Team" overlaps "Starter"`},
		{"a tier after an open-ended one", func(s *backend.Settings) {
			s.Pricing = backend.Pricing{Currency: "USD", Tiers: append(tiers(), backend.PriceTier{Name: "Huge", MinSeats: 500, SeatPrice: 10})}
		}, `overlaps "Scale"`},
		{"a fact with empty text", func(s *backend.Settings) {
			s.Facts = []backend.Fact{{Topic: "security", Text: "ok"}, {Topic: "compliance", Text: "  \n"}}
		}, "fact 2 (compliance) has no text"},
		{"a fact with an unknown topic", func(s *backend.Settings) {
			s.Facts = []backend.Fact{{Topic: "weather", Text: "Sunny."}}
		}, "the topic must be one of"},
		{"a fact holding a placeholder", func(s *backend.Settings) {
			s.Facts = []backend.Fact{{Topic: "security", Text: "Our security page: [link]"}}
		}, "holds template text"},
		{"a fact too long", func(s *backend.Settings) {
			s.Facts = []backend.Fact{{Topic: "data", Text: strings.Repeat("a", backend.MaxFactText+1)}}
		}, "longer than"},
		{"an empty keyword", func(s *backend.Settings) {
			s.Facts = []backend.Fact{{Topic: "security", Keywords: []string{"sso", ""}, Text: "SSO."}}
		}, "empty keyword"},
		{"too many facts", func(s *backend.Settings) {
			for i := 0; i <= backend.MaxFacts; i++ {
				s.Facts = append(s.Facts, backend.Fact{Topic: "other", Text: "x"})
			}
		}, "at most"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := backend.DefaultSettings()
			tt.edit(s)
			err := s.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if backend.ErrorCode(err) != backend.EINVALID || !strings.Contains(backend.ErrorMessage(err), tt.want) {
				t.Fatalf("Validate() = %v (%s), want invalid with %q", err, backend.ErrorCode(err), tt.want)
			}
		})
	}
}

func TestDefaultSettings_NoClaims(t *testing.T) {
	s := backend.DefaultSettings()
	if len(s.Pricing.Tiers) != 0 || s.Pricing.Currency != "" || len(s.Facts) != 0 {
		t.Errorf("DefaultSettings() has pricing %+v and facts %+v, want none: a new workspace states nothing it was not told", s.Pricing, s.Facts)
	}
}

func TestPricing_Tier(t *testing.T) {
	p := backend.Pricing{Currency: "USD", Tiers: []backend.PriceTier{
		{Name: "Starter", MinSeats: 1, MaxSeats: 10, SeatPrice: 30},
		{Name: "Team", MinSeats: 11, MaxSeats: 50, SeatPrice: 25},
		{Name: "Scale", MinSeats: 51, SeatPrice: 20},
	}}
	for seats, want := range map[int]string{1: "Starter", 10: "Starter", 11: "Team", 40: "Team", 50: "Team", 51: "Scale", 100000: "Scale", 0: "", -3: ""} {
		got, ok := p.Tier(seats)
		if got.Name != want || ok != (want != "") {
			t.Errorf("Tier(%d) = %q, %v, want %q", seats, got.Name, ok, want)
		}
	}
	capped := backend.Pricing{Currency: "USD", Tiers: p.Tiers[:2]}
	if got, ok := capped.Tier(51); ok {
		t.Errorf("Tier(51) over a list ending at 50 = %q, want none", got.Name)
	}
}
