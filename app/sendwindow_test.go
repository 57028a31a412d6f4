package app

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

func TestApp_SendWindow(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "caseyos.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a := New(Options{Store: db})
	a.ctx = context.Background()
	t.Run("Default", func(t *testing.T) {
		w, err := a.bound.Settings.SendWindow()
		if err != nil || w != (SendWindowDTO{Start: "08:00", End: "20:00"}) {
			t.Errorf("SendWindow() = %+v, %v; want 08:00–20:00", w, err)
		}
	})
	t.Run("OK", func(t *testing.T) {
		w, err := a.bound.Settings.SetSendWindow(SendWindowDTO{Start: "7:30", End: "24:00", SkipWeekends: true}, "click")
		if err != nil || w != (SendWindowDTO{Start: "07:30", End: "24:00", SkipWeekends: true}) {
			t.Errorf("SetSendWindow = %+v, %v", w, err)
		}
	})
	for name, in := range map[string]SendWindowDTO{
		"ErrBackwards": {Start: "20:00", End: "08:00"},
		"ErrNotATime":  {Start: "eight", End: "20:00"},
		"ErrEmpty":     {},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := a.bound.Settings.SetSendWindow(in, "click"); backend.ErrorCode(err) != backend.EINVALID {
				t.Errorf("SetSendWindow(%+v) = %v, want invalid", in, err)
			}
		})
	}
	if w, _ := a.bound.Settings.SendWindow(); w.Start != "07:30" {
		t.Errorf("a refused change changed the window to %+v", w)
	}
}
