package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/caseyos/caseyos/app/autostart"
	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

// The Settings switch writes and removes the XDG autostart entry of the
// running executable, reads its state from the file, and audits changes.
func TestApp_StartAtLoginSwitchWritesAndRemovesTheEntry(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the XDG autostart entry is Linux's")
	}
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	db, err := store.Open(filepath.Join(t.TempDir(), "caseyos.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a := New(Options{Store: db})
	a.ctx = context.Background()
	path := filepath.Join(cfg, "autostart", "caseyos.desktop")
	exe, _ := os.Executable()
	exe, _ = filepath.EvalSymlinks(exe)

	if s, err := a.bound.Settings.StartAtLogin(); err != nil || s != (StartAtLoginDTO{On: false, Entry: path}) {
		t.Fatalf("before: StartAtLogin = %+v, %v", s, err)
	}
	if s, err := a.bound.Settings.SetStartAtLogin(true, "click"); err != nil || s != (StartAtLoginDTO{On: true, Entry: path}) {
		t.Fatalf("SetStartAtLogin(true) = %+v, %v", s, err)
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != autostart.DesktopEntry(exe) {
		t.Fatalf("entry = %q, %v; want the entry for %s", b, err, exe)
	}
	if !strings.Contains(string(b), " --tray\n") {
		t.Errorf("the entry does not start to the tray: %q", b)
	}
	if s, err := a.bound.Settings.SetStartAtLogin(true, "click"); err != nil || !s.On { // no change, no audit
		t.Fatalf("SetStartAtLogin(true) again = %+v, %v", s, err)
	}
	if s, err := a.bound.Settings.SetStartAtLogin(false, "cli"); err != nil || s.On {
		t.Fatalf("SetStartAtLogin(false) = %+v, %v", s, err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("entry still there: %v", err)
	}
	if _, err := a.bound.Settings.SetStartAtLogin(true, "telepathy"); backend.ErrorCode(err) != backend.EINVALID {
		t.Errorf("an unknown via = %v, want invalid", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("an invalid call wrote the entry: %v", err)
	}
	list, _, err := a.queue.Audit.Entries(a.ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range list {
		if strings.Contains(e.Detail, "start at login") {
			got = append(got, string(e.Actor)+": "+e.Detail)
		}
	}
	want := []string{"click: start at login on (" + path + ")", "cli: start at login off (" + path + ")"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit = %q, want %q", got, want)
	}

	// A user's own entry is reported, never replaced.
	theirs := "[Desktop Entry]\nType=Application\nName=Mine\nExec=/usr/local/bin/caseyos\n"
	if err := os.WriteFile(path, []byte(theirs), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := a.bound.Settings.SetStartAtLogin(true, "click"); backend.ErrorCode(err) != backend.ECONFLICT {
		t.Errorf("over a user's entry: %v, want a conflict", err)
	}
	if b, _ := os.ReadFile(path); string(b) != theirs {
		t.Errorf("the user's entry was changed: %q", b)
	}
}
