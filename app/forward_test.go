package app

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

// TestHost_Call covers the local side of Forward: a command's call runs the
// App's bound method of that name, from the table the API server routes,
// and a call that does not fit the method is an error, never a panic.
func TestHost_Call(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "caseyos.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a := New(Options{Store: st, Clock: backend.NewManualClock(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC))})
	h := &Host{a: a}

	t.Run("OK", func(t *testing.T) {
		want, err := a.bound.Execution.KillSwitch("status", "", "cli")
		if err != nil {
			t.Fatal(err)
		}
		got, err := Forward[KillSwitchDTO](h, "ExecutionService.KillSwitch", "status", "", "cli")
		if err != nil || got.On != want.On {
			t.Fatalf("forward(KillSwitch) = %+v, %v; want %+v", got, err, want)
		}
		if _, err := Forward[TodayDTO](h, "TodayService.Today", "", 0); err != nil {
			t.Fatalf("forward(Today) = %v", err)
		}
	})
	t.Run("ErrFromMethod", func(t *testing.T) {
		_, err := Forward[MoveDTO](h, "TodayService.Skip", uint64(999), "", "cli")
		if got := backend.ErrorCode(err); got != backend.ENOTFOUND {
			t.Fatalf("forward(Skip 999) code = %q (%v), want not_found", got, err)
		}
	})
	for _, tt := range []struct {
		name string
		call func() error
	}{
		{"ErrNoMethod", func() error { _, err := Forward[TodayDTO](h, "Nope"); return err }},
		{"ErrUnexported", func() error { _, err := Forward[BackupDTO](h, "backup", "x"); return err }},
		{"ErrArgCount", func() error { _, err := Forward[TodayDTO](h, "TodayService.Today", ""); return err }},
		{"ErrArgType", func() error { _, err := Forward[MoveDTO](h, "TodayService.Skip", 12, "", "cli"); return err }},
		{"ErrResultType", func() error { _, err := Forward[MoveDTO](h, "TodayService.Today", "", 0); return err }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); backend.ErrorCode(err) != backend.EINTERNAL {
				t.Fatalf("call = %v, want an internal error", err)
			}
		})
	}
}
