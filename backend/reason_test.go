package backend_test

import (
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

func TestRenderReason(t *testing.T) {
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC) // a Sunday
	tests := []struct {
		in   string
		want string
	}{
		{"Maya replied " + backend.AgoToken(now.Add(-3*time.Hour)), "Maya replied 3 hours ago"},
		{"seen " + backend.AgoToken(now.Add(-20*time.Second)), "seen just now"},
		{"posted " + backend.AgoToken(now.Add(-50*time.Hour)), "posted 2 days ago"},
		{"starts " + backend.AtToken(now.Add(5*time.Hour)), "starts today 14:00"},
		{"starts " + backend.AtToken(now.Add(26*time.Hour)), "starts tomorrow 11:00"},
		{"ended " + backend.AtToken(now.Add(-20*time.Hour)), "ended yesterday 13:00"},
		{"starts " + backend.AtToken(now.Add(4*24*time.Hour)), "starts Thu 09:00"},
		{"back " + backend.DayToken(now.Add(30*24*time.Hour)), "back Tue 22 Dec"},
		{"no tokens {here}", "no tokens {here}"},
	}
	for _, tt := range tests {
		if got := backend.RenderReason(tt.in, now, time.UTC); got != tt.want {
			t.Errorf("RenderReason(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// The same stored reason reads differently a day later.
	r := "replied " + backend.AgoToken(now.Add(-3*time.Hour))
	if got := backend.RenderReason(r, now.Add(24*time.Hour), time.UTC); got != "replied 27 hours ago" {
		t.Errorf("a day later: %q", got)
	}
}
