package hubspot

import (
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

func TestIanaZone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"america_slash_new_york", "America/New_York"},
		{"europe_slash_london", "Europe/London"},
		{"America/Denver", "America/Denver"},
		{"america_slash_los_angeles", "America/Los_Angeles"},
		{"mars_slash_olympus", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := ianaZone(tt.in); got != tt.want {
			t.Errorf("ianaZone(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseTime(t *testing.T) {
	want := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	for _, in := range []string{"1772463600000", "2026-03-02T15:00:00Z", "2026-03-02T15:00:00.000Z"} {
		if got := parseTime(in); !got.Equal(want) {
			t.Errorf("parseTime(%q) = %v, want %v", in, got, want)
		}
	}
	if got := parseTime("soon"); !got.IsZero() {
		t.Errorf("parseTime(soon) = %v, want zero", got)
	}
}

func str(s string) *string { return &s }

func TestMapRecords(t *testing.T) {
	c := mapCompany(&hsObject{ID: "7", Properties: map[string]*string{"name": str("Ledgerly"), "numberofemployees": str("520"),
		"country": str("UK"), "industry": str("Fintech"), "hs_is_target_account": str("true"), propExpectedARR: str("120000"), "domain": nil}})
	if c.Name != "Ledgerly" || c.Employees != 520 || c.Country != "UK" || c.ExpectedARR != 120000 || len(c.Tags) != 1 || c.Tags[0] != "target_account" {
		t.Errorf("mapCompany = %+v", c)
	}
	d := mapDeal(&hsObject{ID: "9", Properties: map[string]*string{"amount": str("48000.50"), "dealstage": str("qualifiedtobuy"),
		"closedate": str("2026-04-01T00:00:00Z"), "dealname": str("Team")}})
	if d.Amount != 48000.50 || d.Stage != "qualifiedtobuy" || d.CloseDate.Month() != time.April || d.Name != "Team" {
		t.Errorf("mapDeal = %+v", d)
	}
	ct := mapContact(&hsObject{ID: "1", Properties: map[string]*string{"email": str("not an email"), "firstname": str("Ann")}})
	if ct.Email != "" || ct.Name != "Ann" {
		t.Errorf("mapContact = %+v, want the bad address dropped", ct)
	}
}

func TestDealStalled(t *testing.T) {
	st := backend.DefaultSettings()
	now := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		d    *backend.Deal
		want bool
	}{
		{"Quiet", &backend.Deal{ID: "1", Stage: "qualifiedtobuy", LastActivityAt: now.Add(-15 * 24 * time.Hour)}, true},
		{"Recent", &backend.Deal{ID: "1", Stage: "qualifiedtobuy", LastActivityAt: now.Add(-13 * 24 * time.Hour)}, false},
		{"Won", &backend.Deal{ID: "1", Stage: "closedwon", LastActivityAt: now.Add(-60 * 24 * time.Hour)}, false},
		{"LostAnyCase", &backend.Deal{ID: "1", Stage: "ClosedLost", LastActivityAt: now.Add(-60 * 24 * time.Hour)}, false},
		{"NoActivityKnown", &backend.Deal{ID: "1", Stage: "qualifiedtobuy"}, false},
		{"Nil", nil, false},
	}
	for _, tt := range tests {
		if got := backend.DealStalled(tt.d, st, now); got != tt.want {
			t.Errorf("DealStalled(%s) = %v, want %v", tt.name, got, tt.want)
		}
	}
}
