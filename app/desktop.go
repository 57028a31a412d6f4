//go:build desktop

package app

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	goruntime "runtime"
	"sync"

	"github.com/caseyos/caseyos/backend"
)

// The desktop app: the App with its tray icon (tray.go), global shortcuts
// (desktop_shortcuts.go) and notifications (notify.go), and a window that
// runs in a process of its own (window.go, window_proc.go), started when
// it is shown. Built only with `-tags desktop,production` (and
// `webkit2_41` on Linux when webkit2gtk-4.1 is what is installed);
// desktop_other.go is the stand-in for builds without the window.

// desktop is the app process of the desktop app.
type desktop struct {
	app    *App
	stderr io.Writer
	win    *windowProc

	tray       *tray
	stopNotify func() // desktop notifications (notify.go)

	quitOnce sync.Once
	quitCh   chan struct{}
}

// RunDesktop opens the workspace (of dataDir, the demo's when demo) with
// its window, tray icon and shortcuts, and returns when the app quits (the
// tray's Quit, the window's close button where there is no tray, SIGINT or
// SIGTERM). A window that cannot start at all has said so on o.Stderr.
func RunDesktop(ctx context.Context, dataDir string, demo bool, o HostOptions) (err error) {
	if o.Assets == nil {
		return backend.Errorf(backend.EINTERNAL, "this caseyos was built without its frontend")
	}
	if _, err := fs.Stat(o.Assets, "index.html"); err != nil {
		return backend.Errorf(backend.EUNAVAILABLE, "this caseyos was built before its frontend: run `make desktop-build` (it builds frontend/dist first)")
	}
	if goruntime.GOOS == "linux" && os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return backend.Errorf(backend.EUNAVAILABLE, "no display to open a window on (DISPLAY is not set): run `caseyos serve` for the browser UI")
	}
	exe, err := os.Executable()
	if err != nil {
		return backend.Errorf(backend.EINTERNAL, "cannot find this program to open its window: %v", err)
	}
	dir, err := DataDir(dataDir)
	if err != nil {
		return err
	}
	ws := ChooseWorkspace(dir, demo, false)
	if info, err := ReadInstance(dir); err == nil && FindInstance(dir, ws) != nil {
		return backend.Errorf(backend.ECONFLICT, "CaseyOS is already running on this workspace (pid %d): open %s?token=%s", info.PID, info.URL, info.Token)
	}
	a, done, err := openLocal(ctx, ws, o)
	if err != nil {
		return err
	}
	defer done()
	a.startup(ctx)
	defer a.shutdown()
	// The loopback API lets `caseyos today|skip|…` reach this App while it
	// holds the data file.
	if stop, err := a.startInstance(ctx, dir); err != nil {
		fmt.Fprintf(o.Stderr, "caseyos: the command line cannot reach this app: %v\n", err)
	} else {
		defer stop()
	}

	d := &desktop{app: a, stderr: o.Stderr, quitCh: make(chan struct{})}
	title := "CaseyOS"
	if ws.Demo {
		title += " — " + DemoLabel
	}
	d.win = newWindowProc(a, []string{exe, WindowCommand}, windowHello{Title: title, Dir: dir}, o.Stderr, d.windowClosed)
	d.win.exited = d.restSoon
	d.tray = startTray(a, o.Stderr, d.openMove, d.quit)
	d.startShortcuts()
	d.stopNotify = a.startDesktopNotifications(o.Stderr, d.openMove)
	d.restSoon()

	// --tray (how the login entry starts it) opens no window, but only
	// where there is a tray to open it from.
	hidden := o.TrayOnly
	if hidden && d.tray == nil {
		fmt.Fprintf(o.Stderr, "caseyos: --tray but no tray icon (%s): opening the window\n", trayUnsupported())
		hidden = false
	}
	if hidden {
		fmt.Fprintln(o.Stderr, "caseyos: ready in the tray")
	} else {
		d.win.show(0)
	}

	select {
	case <-d.quitCh:
	case <-ctx.Done():
	}
	d.win.stop()
	d.tray.stop()
	d.stopShortcuts()
	d.stopNotify()
	return nil
}

// openMove shows the window on move id's preview (0: just the window),
// starting the window's process if it is not running. It never executes
// anything. The global shortcuts, a notification's "Open" and the tray
// call it; safe from any goroutine.
func (d *desktop) openMove(id uint64) { d.win.show(id) }

// toggleWindow hides a showing window, and shows (raised) a hidden or
// minimised one.
func (d *desktop) toggleWindow() { d.win.toggle() }

// windowClosed runs when the person closed the window: with a tray icon to
// bring it back, CaseyOS stays there; without one, it quits.
func (d *desktop) windowClosed() {
	if d.tray != nil && d.tray.hosted() {
		fmt.Fprintln(d.stderr, "caseyos: the window is closed; CaseyOS stays in the tray (Quit is there)")
		return
	}
	d.quit()
}

// quit ends the app; safe to call more than once and from any goroutine.
func (d *desktop) quit() { d.quitOnce.Do(func() { close(d.quitCh) }) }
