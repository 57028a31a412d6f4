package store_test

import (
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

func TestStatsStore_SumStat(t *testing.T) {
	db := MustOpenStore(t)
	base := time.Date(2026, 11, 22, 18, 20, 0, 0, time.UTC) // slot 18:15
	update(t, db, func(tx backend.Tx) error {
		for _, a := range []struct {
			at    time.Time
			name  string
			delta int
		}{
			{base.Add(-24 * time.Hour), "done", 5}, // yesterday
			{base, "done", 1},
			{base.Add(10 * time.Minute), "done", 1}, // slot 18:30
			{base.Add(40 * time.Minute), "done", 2}, // slot 19:00
			{base, "skipped", 1},
			{base, "skipped", -3}, // never below zero
			{base, "minutes_saved", 15},
		} {
			if err := tx.AddStat(a.name, a.at, a.delta); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, db, func(tx backend.Tx) error {
		for _, tt := range []struct {
			name     string
			from, to time.Time
			want     int
		}{
			{"done", base.Truncate(24 * time.Hour), base.Add(41 * time.Minute), 4},
			{"done", base.Truncate(24 * time.Hour), base.Add(11 * time.Minute), 2}, // the slot holding "to" counts
			{"done", base.Truncate(24 * time.Hour), base.Add(10 * time.Minute), 1}, // "to" itself is excluded
			{"done", base.Add(-48 * time.Hour), base.Add(time.Hour), 9},
			// A day starting at a half hour (UTC+5:30 midnight is 18:30 UTC).
			{"done", time.Date(2026, 11, 22, 18, 30, 0, 0, time.UTC), base.Add(time.Hour), 3},
			{"skipped", base.Add(-time.Hour), base.Add(time.Hour), 0},
			{"minutes_saved", base.Add(-time.Hour), base.Add(time.Hour), 15},
			{"nothing", base.Add(-time.Hour), base.Add(time.Hour), 0},
		} {
			got, err := tx.SumStat(tt.name, tt.from, tt.to)
			if err != nil || got != tt.want {
				t.Errorf("SumStat(%s, %v, %v) = %d, %v; want %d", tt.name, tt.from, tt.to, got, err, tt.want)
			}
		}
		return nil
	})
}
