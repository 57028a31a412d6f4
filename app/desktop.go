//go:build desktop

package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	goruntime "runtime"
	"sync"
	"time"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	"github.com/wailsapp/wails/v2/pkg/options/mac"
	"github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/caseyos/caseyos/backend"
)

// The desktop window: the App bound to a Wails v2 webview, sized for a
// menu-bar corner, remembering where it was, with a tray icon (tray.go).
// Built only with `-tags desktop,production` (and `webkit2_41` on Linux when
// webkit2gtk-4.1 is what is installed); desktop_other.go is the stand-in
// for builds without the window.

// Window defaults and limits, in logical pixels.
const (
	defaultWidth  = 440
	defaultHeight = 760
	minWidth      = 360
	minHeight     = 480
	maxSavedSide  = 10000 // a saved size beyond this is junk, not a window

	windowFile = "window.json"
	// geometryEvery is how often the window's size and position are read
	// back: Wails v2 has no move/resize event, and a crash or SIGKILL
	// should lose at most this much.
	geometryEvery = 2 * time.Second
)

// windowState is what <data dir>/window.json holds.
type windowState struct {
	Width       int  `json:"width"`
	Height      int  `json:"height"`
	X           int  `json:"x"`
	Y           int  `json:"y"`
	HasPosition bool `json:"has_position"`
	Maximised   bool `json:"maximised,omitempty"`
	AlwaysOnTop bool `json:"always_on_top,omitempty"`
	// Screens are the screen sizes when the position was saved, primary
	// first: with the same screens a position seen before is trusted.
	Screens []screenSize `json:"screens,omitempty"`
}

type screenSize struct {
	W int `json:"w"`
	H int `json:"h"`
}

// loadWindowState reads path; a missing or unreadable file, or nonsense in
// it, gives the defaults (the window is a convenience, never a reason not
// to start).
func loadWindowState(path string) windowState {
	st := windowState{Width: defaultWidth, Height: defaultHeight}
	b, err := os.ReadFile(path)
	if err != nil {
		return st
	}
	var saved windowState
	if json.Unmarshal(b, &saved) != nil {
		return st
	}
	if saved.Width >= minWidth && saved.Width <= maxSavedSide && saved.Height >= minHeight && saved.Height <= maxSavedSide {
		st.Width, st.Height = saved.Width, saved.Height
	}
	if saved.HasPosition && abs(saved.X) <= maxSavedSide && abs(saved.Y) <= maxSavedSide {
		st.X, st.Y, st.HasPosition, st.Screens = saved.X, saved.Y, true, saved.Screens
	}
	st.Maximised, st.AlwaysOnTop = saved.Maximised, saved.AlwaysOnTop
	return st
}

func saveWindowState(path string, st windowState) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// positionVisible says whether a saved position may be restored on the
// screens there are now (primary first). Wails reports screen sizes but
// not where secondary screens sit, so: a window whose title strip is on
// the primary screen is fine; one elsewhere is trusted only while the
// screens are the ones it was saved with (the user put it there); anything
// else is centred rather than risk a window nobody can reach.
func positionVisible(st windowState, screens []screenSize) bool {
	if !st.HasPosition || len(screens) == 0 {
		return false
	}
	// The strip a person grabs: the top 32 px of the window. At least
	// 80×16 px of it must be on a screen.
	const stripH, needW, needH = 32, 80, 16
	overlap := func(x0, y0, x1, y1 int) bool {
		w := min(st.X+st.Width, x1) - max(st.X, x0)
		h := min(st.Y+stripH, y1) - max(st.Y, y0)
		return w >= needW && h >= needH
	}
	p := screens[0]
	if overlap(0, 0, p.W, p.H) {
		return true
	}
	if !sameScreens(st.Screens, screens) {
		return false
	}
	sumW, sumH := 0, 0
	for _, s := range screens {
		sumW += s.W
		sumH += s.H
	}
	return overlap(-sumW, -sumH, sumW, sumH)
}

func sameScreens(a, b []screenSize) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// desktop is one open window on an App.
type desktop struct {
	app     *App
	path    string // window.json
	stderr  io.Writer
	procCtx context.Context // cancelled by SIGINT/SIGTERM

	started  chan struct{} // closed when startup has finished
	restored sync.Once

	mu         sync.Mutex
	ctx        context.Context // Wails' context: nil until startup
	state      windowState
	closing    bool // no more events into the window, no more calls on it
	closeAsked bool // beforeClose has run
	hidden     bool // hidden by --tray or the show/hide shortcut (desktop_shortcuts.go)
	pollStop   chan struct{}
	pollDone   chan struct{}

	unsubscribe func()
	tray        *tray
	stopNotify  func() // desktop notifications (notify.go)
}

// RunDesktop opens the workspace (of dataDir, the demo's when demo) in the
// desktop window and returns when the window has closed (Quit, the
// window's close button, SIGINT or SIGTERM). A window that cannot start
// at all has said so on o.Stderr and returns ErrReported.
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
	// The App lives as long as the window, so it starts before wails.Run
	// and stops after it returns (after OnShutdown): no bound call can come
	// before it has started, and none after it has stopped.
	a.startup(ctx)
	defer a.shutdown()
	// The loopback API lets `caseyos today|skip|…` reach this window's App
	// while it holds the data file.
	if stop, err := a.startInstance(ctx, dir); err != nil {
		fmt.Fprintf(o.Stderr, "caseyos: the command line cannot reach this window: %v\n", err)
	} else {
		defer stop()
	}

	d := &desktop{
		app: a, path: filepath.Join(dir, windowFile), stderr: o.Stderr, procCtx: ctx,
		started: make(chan struct{}),
	}
	d.state = loadWindowState(d.path)

	title := "CaseyOS"
	if ws.Demo {
		title += " — " + DemoLabel
	}
	// --tray (how the login entry starts it) keeps the window hidden, but
	// only where there is a tray to bring it back from.
	hidden := o.TrayOnly
	if why := trayUnsupported(); hidden && why != "" {
		fmt.Fprintf(o.Stderr, "caseyos: --tray but no tray icon (%s): opening the window\n", why)
		hidden = false
	}
	d.hidden = hidden
	start := options.Normal
	if d.state.Maximised {
		start = options.Maximised
	}
	// GTK cannot start without a display it can open: Wails panics then.
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(o.Stderr, "caseyos: the desktop window could not start: %v\nRun `caseyos serve` for the browser UI.\n", r)
			err = ErrReported
		}
	}()
	err = wails.Run(&options.App{
		Title:            title,
		Width:            d.state.Width,
		Height:           d.state.Height,
		MinWidth:         minWidth,
		MinHeight:        minHeight,
		AlwaysOnTop:      d.state.AlwaysOnTop,
		WindowStartState: start,
		StartHidden:      hidden, // "Open CaseyOS" in the tray shows it
		AssetServer:      &assetserver.Options{Assets: o.Assets},
		OnStartup:        d.startup,
		OnDomReady:       d.domReady,
		OnBeforeClose:    d.beforeClose,
		OnShutdown:       d.shutdown,
		Bind:             a.boundServices(),
		ErrorFormatter: func(err error) any {
			return ErrorDTO{Code: backend.ErrorCode(err), Message: backend.ErrorMessage(err)}
		},
		Linux: &linux.Options{
			Icon:        markPNG(256),
			ProgramName: "caseyos",
			// Software rendering: a hardware-accelerated WebKit shows a blank
			// window on some GPUs and VMs (wails#2977) and under Xvfb; a
			// list of moves gains nothing from the GPU.
			WebviewGpuPolicy: linux.WebviewGpuPolicyNever,
		},
		Mac: &mac.Options{
			About: &mac.AboutInfo{Title: "CaseyOS", Message: "Today's go-to-market moves, ranked. " + Version},
		},
	})
	if err != nil {
		return backend.Errorf(backend.EINTERNAL, "the desktop window failed: %v", err)
	}
	return nil
}

// startup runs in its own goroutine while the window loads.
func (d *desktop) startup(wctx context.Context) {
	defer close(d.started)
	d.mu.Lock()
	d.ctx = wctx
	d.mu.Unlock()

	d.tray = startTray(d.app, d.stderr, d.openMove, d.quit)
	d.startShortcuts()
	d.stopNotify = d.app.startDesktopNotifications(d.stderr, d.openMove)
	d.unsubscribe = d.app.Events().Subscribe(func(name string, payload any) {
		d.mu.Lock()
		closing := d.closing
		d.mu.Unlock()
		if !closing {
			runtime.EventsEmit(wctx, name, payload)
		}
	})
	d.mu.Lock()
	if !d.closing {
		d.pollStop, d.pollDone = make(chan struct{}), make(chan struct{})
		go d.pollGeometry(d.pollStop, d.pollDone)
	}
	d.mu.Unlock()
	d.settleSoon()
	// SIGINT/SIGTERM cancel procCtx: close the window as its close button
	// would, so that everything below runs.
	go func() {
		<-d.procCtx.Done()
		d.quit()
	}()
}

// domReady runs each time the page has loaded (once, unless it reloads).
func (d *desktop) domReady(wctx context.Context) {
	<-d.started
	d.restored.Do(func() {
		// Wails centres the window after showing it; a saved position is
		// applied now, after that, when it is on a screen.
		d.mu.Lock()
		st := d.state
		d.mu.Unlock()
		if !st.HasPosition || st.Maximised {
			return
		}
		if positionVisible(st, screens(wctx)) {
			runtime.WindowSetPosition(wctx, st.X, st.Y)
		}
	})
	fmt.Fprintln(d.stderr, "caseyos: DOM ready")
}

// beforeClose runs while the window still exists: the last chance to read
// its geometry.
func (d *desktop) beforeClose(wctx context.Context) (prevent bool) {
	// Wails asks again for every Quit (its own SIGTERM handler and ours
	// both call it): the first one closes, the others must not touch a
	// window that may be gone.
	d.mu.Lock()
	again := d.closeAsked
	d.closeAsked = true
	d.mu.Unlock()
	if again {
		return true
	}
	d.stopPolling()
	d.captureGeometry(wctx)
	d.save()
	return false
}

// shutdown runs after the window is gone, before wails.Run returns.
// The App, its loopback API and the store are stopped by runDesktop after.
func (d *desktop) shutdown(context.Context) {
	<-d.started
	d.stopPolling()
	if d.unsubscribe != nil {
		d.unsubscribe()
	}
	d.tray.stop()
	d.stopShortcuts()
	if d.stopNotify != nil {
		d.stopNotify()
	}
	d.save()
}

// stopPolling marks the window as closing (no more events into it, no
// more window calls) and waits for the geometry poller to stop.
func (d *desktop) stopPolling() {
	d.mu.Lock()
	d.closing = true
	stop, done := d.pollStop, d.pollDone
	d.pollStop = nil
	d.mu.Unlock()
	if stop != nil {
		close(stop)
		<-done
	}
}

func (d *desktop) pollGeometry(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(geometryEvery)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			d.mu.Lock()
			wctx := d.ctx
			d.mu.Unlock()
			if d.captureGeometry(wctx) {
				d.save()
			}
		}
	}
}

// captureGeometry reads the window's size and position into d.state and
// says whether they changed. A maximised, full-screen or minimised window
// keeps the normal geometry it had.
func (d *desktop) captureGeometry(wctx context.Context) bool {
	if wctx == nil {
		return false
	}
	if runtime.WindowIsMinimised(wctx) || runtime.WindowIsFullscreen(wctx) {
		return false
	}
	maximised := runtime.WindowIsMaximised(wctx)
	var w, h, x, y int
	if !maximised {
		w, h = runtime.WindowGetSize(wctx)
		x, y = runtime.WindowGetPosition(wctx)
	}
	scr := screens(wctx)
	d.mu.Lock()
	defer d.mu.Unlock()
	old := d.state
	d.state.Maximised = maximised
	if !maximised && w >= minWidth && h >= minHeight {
		d.state.Width, d.state.Height = w, h
		d.state.X, d.state.Y, d.state.HasPosition = x, y, true
		if len(scr) > 0 {
			d.state.Screens = scr
		}
	}
	return !sameState(old, d.state)
}

func sameState(a, b windowState) bool {
	return a.Width == b.Width && a.Height == b.Height && a.X == b.X && a.Y == b.Y &&
		a.HasPosition == b.HasPosition && a.Maximised == b.Maximised && a.AlwaysOnTop == b.AlwaysOnTop &&
		sameScreens(a.Screens, b.Screens)
}

func (d *desktop) save() {
	d.mu.Lock()
	st := d.state
	d.mu.Unlock()
	if err := saveWindowState(d.path, st); err != nil {
		fmt.Fprintf(d.stderr, "caseyos: cannot remember the window's place: %v\n", err)
	}
}

// screens lists the screens, primary first.
func screens(wctx context.Context) []screenSize {
	all, err := runtime.ScreenGetAll(wctx)
	if err != nil {
		return nil
	}
	var out []screenSize
	for _, s := range all {
		sz := screenSize{W: s.Size.Width, H: s.Size.Height}
		if s.IsPrimary {
			out = append([]screenSize{sz}, out...)
		} else {
			out = append(out, sz)
		}
	}
	return out
}

// quit closes the window; safe to call more than once and from any
// goroutine.
func (d *desktop) quit() {
	d.mu.Lock()
	wctx, closing := d.ctx, d.closing
	d.mu.Unlock()
	if wctx == nil || closing {
		return
	}
	runtime.Quit(wctx)
}
