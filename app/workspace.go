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
	RealFile = "caseyos.db"
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
// your own signals does). Every start comes here first, so it also clears
// what a first import killed before storing anything left (FirstImport).
func ChooseWorkspace(dir string, forceDemo, createsReal bool) Workspace {
	removeAbandonedImports(dir)
	real := filepath.Join(dir, RealFile)
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
	return openWorkspace(ctx, ws, open, clock, nil)
}

// DemoFeed starts in-process fakes seeded with the demo's records at now
// and returns pollers over them, so that the demo's vendor signals arrive
// through the real connector code; stop ends the fakes. Sources lists the
// signal sources the pollers replace in the scenario. The pollers run one
// after the other, in order, and dir answers from what the earlier ones
// stored (mail and calendars find the CRM's contacts).
type DemoFeed func(ctx context.Context, now time.Time, dir backend.Directory) (pollers []backend.Poller, sources []backend.Source, stop func(), err error)

func openWorkspace(ctx context.Context, ws Workspace, open OpenFunc, clock backend.Clock, feed DemoFeed) (backend.Store, error) {
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
	if err := seedDemo(ctx, st, clock, feed); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

func seedDemo(ctx context.Context, st backend.Store, clock backend.Clock, feed DemoFeed) error {
	now := clock.Now()
	sigs, err := demo.Signals(now)
	if err != nil {
		return fmt.Errorf("demo scenario: %w", err)
	}
	var pollers []backend.Poller
	if feed != nil {
		ps, sources, stop, err := feed(ctx, now, backend.NewDirectory(st, clock))
		if err == nil {
			defer stop()
			pollers = ps
			sigs = withoutSources(sigs, sources)
		}
		// A fake that cannot start leaves the scenario's own lines in.
	}
	// The scenario's founder signs the drafts and owns pebblecache.dev (Pebblecache).
	err = st.Update(ctx, func(tx backend.Tx) error {
		return tx.PutSettings(demo.Settings())
	})
	if err != nil {
		return err
	}
	q := backend.NewServices(st, clock, nil)
	rep, err := q.Ingest.Batch(ctx, sigs)
	if err != nil {
		return err
	}
	if len(rep.Invalid) > 0 {
		return &backend.Error{Code: backend.EINTERNAL, Message: "the demo scenario has an invalid signal", Err: rep.Invalid[0].Err}
	}
	if len(pollers) > 0 {
		// One pass of the real connectors over the fakes; their cursors and
		// statuses are forgotten after, so the demo shows no account as
		// connected.
		syncer := backend.NewSyncer(q.Ingest, backend.SyncOptions{Clock: clock})
		for _, p := range pollers {
			if err := syncer.Add(p); err != nil {
				return err
			}
			if _, err := syncer.SyncOnce(ctx, p.Account()); err != nil {
				return &backend.Error{Code: backend.EINTERNAL, Message: "the demo's fake accounts could not be synced", Err: err}
			}
		}
		for _, p := range pollers {
			if err := backend.ForgetSync(ctx, st, p.Account()); err != nil {
				return err
			}
		}
	}
	// The weeks before the scenario: moves carried out and what came of
	// them, for the metrics and the learned scores (after the contacts
	// exist, so each move is on its contact and company).
	if err := q.LoadHistory(ctx, demo.History(now)); err != nil {
		return fmt.Errorf("demo history: %w", err)
	}
	if _, err := q.Moves.Refresh(ctx); err != nil {
		return err
	}
	return st.Update(ctx, func(tx backend.Tx) error {
		return tx.PutWorkspace(&backend.Workspace{Demo: true, CreatedAt: now, SeededAt: now})
	})
}

// withoutSources drops the scenario signals a demo feed brings instead,
// except the ones no vendor produces (CaseyOS derives duplicates itself).
func withoutSources(sigs []*backend.Signal, sources []backend.Source) []*backend.Signal {
	drop := map[backend.Source]bool{}
	for _, s := range sources {
		drop[s] = true
	}
	out := sigs[:0:0]
	for _, s := range sigs {
		if !drop[s.Source] || s.Type == backend.SignalContactDuplicate {
			out = append(out, s)
		}
	}
	return out
}
