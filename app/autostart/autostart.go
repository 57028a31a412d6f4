// Package autostart starts CaseyOS with the user's session: an XDG
// autostart entry (<config>/autostart/caseyos.desktop) on Linux and other
// freedesktop systems, a LaunchAgent (~/Library/LaunchAgents/<label>.plist)
// on macOS. The entry runs the executable with TrayFlag, so a login opens
// the tray only. The truth is the file on disk: nothing is remembered
// elsewhere, and a file someone else wrote (or edited to run something
// else) is reported, never overwritten or removed.
//
// The files are rendered by pure functions (DesktopEntry, LaunchAgent) so
// both are checked on any OS; only Login.Path chooses by GOOS.
package autostart

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/caseyos/caseyos/backend"
)

const (
	// TrayFlag is the global flag that opens the desktop app to its tray
	// only, with the window hidden until "Open CaseyOS".
	TrayFlag = "--tray"
	// Label is the LaunchAgent's label (the app bundle's identifier).
	Label = "com.caseyos.desktop"
	// DesktopFile is the XDG autostart entry's file name.
	DesktopFile = "caseyos.desktop"
)

// Login is the start-at-login entry of one user on one OS.
type Login struct {
	GOOS      string // runtime.GOOS
	Home      string // the user's home directory
	ConfigDir string // $XDG_CONFIG_HOME; empty means Home/.config
	Exe       string // the absolute path of the executable to start
}

// Current is the running executable's entry for the current user.
func Current() (*Login, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, backend.Errorf(backend.EUNAVAILABLE, "cannot tell where caseyos is installed: %v", err)
	}
	if r, err := filepath.EvalSymlinks(exe); err == nil {
		exe = r
	}
	exe, err = filepath.Abs(exe)
	if err != nil {
		return nil, backend.Errorf(backend.EUNAVAILABLE, "cannot tell where caseyos is installed: %v", err)
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return nil, backend.Errorf(backend.EUNAVAILABLE, "cannot find your home directory: %v", err)
	}
	return &Login{GOOS: runtime.GOOS, Home: home, ConfigDir: os.Getenv("XDG_CONFIG_HOME"), Exe: exe}, nil
}

// Path is where the entry lives.
func (l *Login) Path() (string, error) {
	switch l.GOOS {
	case "linux", "freebsd", "openbsd", "netbsd", "dragonfly":
		dir := l.ConfigDir
		if dir == "" || !filepath.IsAbs(dir) { // the spec: a relative value is ignored
			dir = filepath.Join(l.Home, ".config")
		}
		return filepath.Join(dir, "autostart", DesktopFile), nil
	case "darwin":
		return filepath.Join(l.Home, "Library", "LaunchAgents", Label+".plist"), nil
	}
	return "", backend.Errorf(backend.EUNAVAILABLE, "starting at login is not supported on %s", l.GOOS)
}

// render is the file this executable would write.
func (l *Login) render() []byte {
	if l.GOOS == "darwin" {
		return []byte(LaunchAgent(Label, l.Exe))
	}
	return []byte(DesktopEntry(l.Exe))
}

// ours says whether b is an entry that starts this executable the way
// Enable would, and whether that entry is switched on.
func (l *Login) ours(b []byte) (ours, on bool) {
	if l.GOOS == "darwin" {
		want := LaunchAgent(Label, l.Exe)
		return bytes.Equal(bytes.TrimSpace(b), []byte(strings.TrimSpace(want))), true
	}
	keys := desktopKeys(b)
	if keys["Exec"] != desktopExec(l.Exe) {
		return false, false
	}
	off := keys["Hidden"] == "true" || keys["X-GNOME-Autostart-enabled"] == "false"
	return true, !off
}

func (l *Login) foreign(path string) error {
	return backend.Errorf(backend.ECONFLICT, "%s was not written by this CaseyOS (it starts something else): edit or remove it yourself", path)
}

// Enabled says whether the session starts this executable. An entry that
// starts something else is a conflict, reported with its path.
func (l *Login) Enabled() (bool, error) {
	path, err := l.Path()
	if err != nil {
		return false, err
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, backend.Errorf(backend.EUNAVAILABLE, "cannot read %s: %v", path, err)
	}
	ours, on := l.ours(b)
	if !ours {
		return false, l.foreign(path)
	}
	return on, nil
}

// Enable writes the entry (atomically, mode 0644).
func (l *Login) Enable() error {
	path, err := l.Path()
	if err != nil {
		return err
	}
	if b, err := os.ReadFile(path); err == nil {
		if ours, _ := l.ours(b); !ours {
			return l.foreign(path)
		}
	}
	if err := writeAtomic(path, l.render()); err != nil {
		return backend.Errorf(backend.EUNAVAILABLE, "cannot write %s: %v", path, err)
	}
	return nil
}

// Disable removes the entry; there being none is fine.
func (l *Login) Disable() error {
	path, err := l.Path()
	if err != nil {
		return err
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return backend.Errorf(backend.EUNAVAILABLE, "cannot read %s: %v", path, err)
	}
	if ours, _ := l.ours(b); !ours {
		return l.foreign(path)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return backend.Errorf(backend.EUNAVAILABLE, "cannot remove %s: %v", path, err)
	}
	return nil
}

// Set enables or disables the entry.
func (l *Login) Set(on bool) error {
	if on {
		return l.Enable()
	}
	return l.Disable()
}

func writeAtomic(path string, b []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after a successful rename, nothing is there
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
