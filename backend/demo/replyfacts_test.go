package demo_test

import (
	"testing"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/backend/demo"
)

// The demo's price list and facts are valid settings, and the price list
// puts Northwind's 40 engineers on the tier its deal is named after, at
// the deal's amount.
func TestReplyFacts(t *testing.T) {
	s := backend.DefaultSettings()
	s.Pricing, s.Facts = demo.Pricing(), demo.Facts()
	if err := s.Validate(); err != nil {
		t.Fatalf("demo pricing and facts: %v", err)
	}
	tier, ok := s.Pricing.Tier(40)
	if !ok || tier.Name != "Team" || tier.SeatPrice*40*12 != 48_000 {
		t.Errorf("Tier(40) = %+v, %v; want Team at $48,000 a year", tier, ok)
	}
}
