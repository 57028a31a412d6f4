package main

import (
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// TestDemoDanaDraftOffersSlots: the demo runs a fake Calendar, so Dana's
// reply offers three free times from it — her Thursday afternoon when it
// is free inside the owner's hours — with no holes, where the offline
// draft alone could only thank her for suggesting it.
func TestDemoDanaDraftOffersSlots(t *testing.T) {
	_, today, _ := demoCLI(t)
	var found bool
	for _, m := range today.Moves {
		if m.Kind != "send_email" || !strings.Contains(m.Title, "Dana Whitfield") {
			continue
		}
		found = true
		body := m.Draft.Body
		t.Logf("Dana's draft:\n%s", body)
		slots, missed := backend.DraftSlots(backend.Draft{Fields: m.Draft.Fields})
		if len(slots) != 3 {
			t.Fatalf("Dana's draft offers %d slots (fields %v), want 3:\n%s", len(slots), m.Draft.Fields, body)
		}
		lines := 0
		for _, l := range strings.Split(body, "\n") {
			if strings.HasPrefix(l, "- ") && strings.Contains(l, ":") && strings.Contains(l, "–") {
				lines++
			}
		}
		if lines != 3 {
			t.Errorf("%d slot lines in the draft, want 3:\n%s", lines, body)
		}
		for _, s := range slots {
			if s.Start.Minute()%15 != 0 || s.End.Sub(s.Start) != 30*time.Minute || !s.Start.After(time.Date(2026, 3, 11, 16, 0, 0, 0, time.UTC)) {
				t.Errorf("slot %v–%v: want a half hour on a quarter hour, ahead", s.Start, s.End)
			}
		}
		if !strings.Contains(body, "You mentioned Thursday afternoon") || strings.Contains(body, "I'll confirm a time shortly") {
			t.Errorf("Dana's draft does not answer her Thursday afternoon with the slots:\n%s", body)
		}
		// Dana writes from New York: her Thursday afternoon is 12:00–17:00
		// there; a slot outside it is said to be the nearest.
		ny, err := time.LoadLocation("America/New_York")
		if err != nil {
			t.Skip(err)
		}
		inside := 0
		for _, s := range slots {
			l := s.Start.In(ny)
			in := l.Weekday() == time.Thursday && l.Hour() >= 12 && s.End.In(ny).Hour() < 17 || s.End.In(ny).Hour() == 17 && s.End.In(ny).Minute() == 0
			line := ""
			for _, x := range strings.Split(body, "\n") {
				if strings.HasPrefix(x, "- "+l.Format("Mon 2 Jan, 15:04–")) {
					line = x
				}
			}
			if line == "" {
				t.Errorf("no line for the slot at %v (her clock)", l)
			}
			if in {
				inside++
			}
			if !missed && in == strings.Contains(line, "nearest") {
				t.Errorf("slot line %q: inside her afternoon %v", line, in)
			}
		}
		if missed || inside == 0 {
			t.Errorf("%d slots inside her free Thursday afternoon (missed %v), want them there", inside, missed)
		}
		if len(m.TemplateHoles) != 0 || strings.Contains(body, "[") || strings.Contains(body, "TODO") {
			t.Errorf("Dana's draft has holes %v:\n%s", m.TemplateHoles, body)
		}
	}
	if !found {
		t.Fatal("no reply to Dana in the demo")
	}
}
