package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/backend/demo"
)

// DemoLabel is how the demo workspace is labelled everywhere it shows.
const DemoLabel = demo.Label

// File names inside the data directory.
const (
	realFile = "caseyos.db"
	demoFile = "demo.db"
)

// demoMaxAge is how long a loaded demo scenario stays before it is loaded
// afresh, so its "this week" stays this week.
const demoMaxAge = 12 * time.Hour

// Workspace is the data file the app runs on.
type Workspace struct {
	Dir  string
	Path string
	Demo bool
}

// DataDir returns where CaseyOS keeps its data: flagValue, else
// $CASEYOS_DATA_DIR, else the OS user data directory.
func DataDir(flagValue string) (string, error) {
	if flagValue != "" {
		return filepath.Abs(flagValue)
	}
	if env := os.Getenv("CASEYOS_DATA_DIR"); env != "" {
		return filepath.Abs(env)
	}
	home, err := os.UserHomeDir()
	switch runtime.GOOS {
	case "darwin":
		if err == nil {
			return filepath.Join(home, "Library", "Application Support", "CaseyOS"), nil
		}
	case "windows":
		if d := os.Getenv("AppData"); d != "" {
			return filepath.Join(d, "CaseyOS"), nil
		}
	default:
		if d := os.Getenv("XDG_DATA_HOME"); d != "" {
			return filepath.Join(d, "caseyos"), nil
		}
		if err == nil {
			return filepath.Join(home, ".local", "share", "caseyos"), nil
		}
	}
	return "", backend.Errorf(backend.EINVALID, "cannot find a data directory: set --data-dir or CASEYOS_DATA_DIR")
}

// ChooseWorkspace picks the data file: the demo when asked for, or when no
// real workspace exists yet and the command does not create one (ingesting
// your own signals does).
func ChooseWorkspace(dir string, forceDemo, createsReal bool) Workspace {
	real := filepath.Join(dir, realFile)
	if forceDemo {
		return Workspace{Dir: dir, Path: filepath.Join(dir, demoFile), Demo: true}
	}
	if _, err := os.Stat(real); err == nil || createsReal {
		return Workspace{Dir: dir, Path: real}
	}
	return Workspace{Dir: dir, Path: filepath.Join(dir, demoFile), Demo: true}
}

// OpenFunc opens the store at a path.
type OpenFunc func(path string) (backend.Store, error)

// OpenWorkspace opens ws with open. A demo workspace that is new or older
// than demoMaxAge is (re)loaded with the demo scenario, timed relative to
// now; a real workspace is only marked with its creation time.
func OpenWorkspace(ctx context.Context, ws Workspace, open OpenFunc, clock backend.Clock) (backend.Store, error) {
	st, err := open(ws.Path)
	if err != nil {
		return nil, err
	}
	var w *backend.Workspace
	if err := st.View(ctx, func(tx backend.Tx) error {
		var err error
		w, err = tx.Workspace()
		return err
	}); err != nil {
		st.Close()
		return nil, err
	}
	now := clock.Now()
	if !ws.Demo {
		if w.CreatedAt.IsZero() {
			err := st.Update(ctx, func(tx backend.Tx) error { return tx.PutWorkspace(&backend.Workspace{CreatedAt: now}) })
			if err != nil {
				st.Close()
				return nil, err
			}
		}
		return st, nil
	}
	if w.Demo && now.Sub(w.SeededAt) < demoMaxAge && !w.SeededAt.After(now) {
		return st, nil
	}
	// Start the demo afresh: it is sample data, and a scenario from another
	// day would be all expired moves.
	if err := st.Close(); err != nil {
		return nil, err
	}
	if err := os.Remove(ws.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, &backend.Error{Code: backend.EINTERNAL, Message: "cannot reset the demo workspace", Err: err}
	}
	if st, err = open(ws.Path); err != nil {
		return nil, err
	}
	if err := seedDemo(ctx, st, clock); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

func seedDemo(ctx context.Context, st backend.Store, clock backend.Clock) error {
	now := clock.Now()
	sigs, err := demo.Signals(now)
	if err != nil {
		return fmt.Errorf("demo scenario: %w", err)
	}
	// The scenario's founder signs the drafts and owns caseyos.dev.
	err = st.Update(ctx, func(tx backend.Tx) error {
		s := backend.DefaultSettings()
		s.OwnerName, s.OwnerEmail = demo.OwnerName, demo.OwnerEmail
		return tx.PutSettings(s)
	})
	if err != nil {
		return err
	}
	q := backend.NewQueue(st, clock, nil)
	rep, err := q.Ingest(ctx, sigs)
	if err != nil {
		return err
	}
	if len(rep.Invalid) > 0 {
		return &backend.Error{Code: backend.EINTERNAL, Message: "the demo scenario has an invalid signal", Err: rep.Invalid[0].Err}
	}
	if _, err := q.Refresh(ctx); err != nil {
		return err
	}
	return st.Update(ctx, func(tx backend.Tx) error {
		return tx.PutWorkspace(&backend.Workspace{Demo: true, CreatedAt: now, SeededAt: now})
	})
}
