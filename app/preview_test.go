package app

import (
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

func TestSignalSummary(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		s    *backend.Signal
		want string
	}{
		{"StageChanged", &backend.Signal{Type: backend.SignalDealStageChanged, Deal: &backend.Deal{ID: "9003", Name: "Brightpath — Pilot", Stage: "qualifiedtobuy"}},
			"Brightpath — Pilot → Qualified to buy"},
		{"Stalled", &backend.Signal{Type: backend.SignalDealStalled, OccurredAt: now, Deal: &backend.Deal{ID: "9003", Name: "Brightpath — Pilot", Stage: "qualifiedtobuy", LastActivityAt: now.Add(-18 * 24 * time.Hour)}},
			"Brightpath — Pilot: no activity for 18 days"},
		{"StalledNoName", &backend.Signal{Type: backend.SignalDealStalled, OccurredAt: now, Deal: &backend.Deal{ID: "9004"}},
			"Deal 9004: no recent activity"},
		{"Duplicate", &backend.Signal{Type: backend.SignalContactDuplicate, ContactID: "1001", Payload: map[string]string{"duplicate_id": "1009"}},
			"1009 duplicates 1001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := signalSummary(tt.s); got != tt.want {
				t.Errorf("signalSummary() = %q, want %q", got, tt.want)
			}
		})
	}
}
