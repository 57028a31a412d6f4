package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/app/cli"
	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

// TestDemoMeetingTimes loads the demo late on a Monday evening, at an odd
// minute: the meetings ahead (the Helix Bank review, the Northwind demo)
// still land on quarter hours inside working hours in the owner's zone,
// never at 02:48 and never in the past.
func TestDemoMeetingTimes(t *testing.T) {
	now := time.Date(2026, 12, 7, 23, 48, 13, 0, time.Local) // a Monday
	clock := backend.NewManualClock(now)
	var out, errb bytes.Buffer
	code := cli.Main(context.Background(), []string{"--data-dir", t.TempDir(), "today", "--json", "--limit", "50"}, cli.Env{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Clock: clock,
		Open:     func(p string) (backend.Store, error) { return store.Open(p, store.Options{}) },
		DemoFeed: demoFeed(clock),
	})
	if code != 0 {
		t.Fatalf("today: %d %s", code, errb.String())
	}
	var today app.TodayDTO
	if err := json.Unmarshal(out.Bytes(), &today); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, m := range today.Moves {
		if m.DueAt == nil || (m.DueLabel != "meeting" && m.DueLabel != "demo") {
			continue
		}
		checked++
		at := m.DueAt.In(time.Local)
		if at.Minute()%15 != 0 || at.Second() != 0 || at.Hour() < 9 || at.Hour() >= 17 || at.Weekday() == time.Saturday || at.Weekday() == time.Sunday {
			t.Errorf("%q: %s at %s, want a quarter hour in working hours", m.Title, m.DueLabel, at.Format("Mon 15:04:05"))
		}
		if !at.After(now) {
			t.Errorf("%q: %s at %s, in the past", m.Title, m.DueLabel, at.Format("Mon 15:04"))
		}
	}
	if checked < 2 {
		t.Errorf("found %d moves for meetings ahead, want the Helix review prep and the Northwind demo prep", checked)
	}
}
