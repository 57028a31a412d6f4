//go:build desktop

package app

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	goruntime "runtime"
	"sync"
	"time"

	"fyne.io/systray"
	"github.com/godbus/dbus/v5"

	"github.com/caseyos/caseyos/backend"
)

// The tray (menu-bar) icon, as a person sees it in the panel:
//   - the icon: the CaseyOS mark with the number of moves waiting in a
//     badge ("9+" past nine); grey while an account cannot be reached or
//     an action waits offline in the outbox, red while the kill switch is
//     on (tray_icon.go);
//   - its title and tooltip: the next move, "93 · Reply to Dana…";
//   - its menu: the next move with its APS and "Execute “…”…", both opening
//     the window on the move's preview (the tray never sends blind), Skip,
//     "Undo send (7 s)" while a send waits in its undo window, the kill
//     switch as a checkbox, "Open CaseyOS" and "Quit".
//
// What it shows comes from the App's services (tray_view.go), read again
// on the App's events. On Linux fyne.io/systray speaks StatusNotifierItem
// over the session D-Bus, beside the GTK loop Wails runs; with no tray
// host the icon is simply not shown. tray_dbus_test.go reads it over D-Bus
// as a tray host does.

// tray is the running tray icon; a nil *tray is a tray that is not there
// (every method is a no-op).
type tray struct {
	app    *App
	stderr io.Writer
	open   func(id uint64) // the window on move id's preview; 0: only the window
	quit   func()

	kick        chan struct{}          // a refresh is wanted (capacity 1: requests coalesce)
	clicks      chan *systray.MenuItem // menu clicks, for the loop
	done        chan struct{}          // closed by stop
	end         func()
	unsubscribe func()
	wg          sync.WaitGroup

	mu      sync.Mutex
	next    *MoveDTO            // the move the menu acts on; nil when none
	waiting *backend.UndoWindow // the newest send in its undo window; nil when none

	// Owned by the loop: the last reading, and what the host was given
	// (a host is told only what changed; the icon is drawn only then).
	view  trayView
	shown map[*systray.MenuItem]trayItemState
	title string
	tip   string
	icon  *trayIconState

	mNext, mStatus, mExecute, mSkip, mUndo, mKill, mOpen, mQuit *systray.MenuItem
}

// trayItemState is a menu item as the host last saw it.
type trayItemState struct {
	label            string
	enabled, visible bool
	checked          bool
}

// startTray shows the tray icon, or explains in one line why not and
// returns nil. open shows the window on a move's preview (0: just the
// window); quit closes the app.
func startTray(a *App, stderr io.Writer, open func(id uint64), quit func()) *tray {
	if why := trayUnsupported(); why != "" {
		fmt.Fprintf(stderr, "caseyos: no tray icon: %s\n", why)
		return nil
	}
	t := &tray{app: a, stderr: stderr, open: open, quit: quit,
		kick: make(chan struct{}, 1), clicks: make(chan *systray.MenuItem, 16), done: make(chan struct{}),
		shown: map[*systray.MenuItem]trayItemState{}}
	ready := make(chan struct{})
	start, end := systray.RunWithExternalLoop(func() { t.build(); close(ready) }, nil)
	t.end = end
	start()
	t.unsubscribe = a.Events().Subscribe(t.event)
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		select {
		case <-ready:
		case <-t.done:
			return
		}
		t.wg.Add(1)
		go t.pump()
		t.loop()
	}()
	t.refreshSoon()
	return t
}

// trayUnsupported says why there can be no tray here, or "".
func trayUnsupported() string {
	if os.Getenv("CASEYOS_TRAY") == "0" {
		return "turned off (CASEYOS_TRAY=0)"
	}
	switch goruntime.GOOS {
	case "linux", "freebsd", "openbsd", "netbsd":
		// Without a session bus address godbus would try to autolaunch a bus
		// daemon; a desktop session always has one.
		if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
			if rt := os.Getenv("XDG_RUNTIME_DIR"); rt == "" || !exists(filepath.Join(rt, "bus")) {
				return "no D-Bus session bus"
			}
		}
		return ""
	default:
		// macOS wants both Cocoa loops on the main thread and Windows'
		// tray needs its own message loop: neither is tried yet.
		if os.Getenv("CASEYOS_TRAY") == "1" {
			return ""
		}
		return "not yet supported on " + goruntime.GOOS + " (CASEYOS_TRAY=1 to try)"
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// hosted says whether a tray host shows the icon: a StatusNotifierWatcher
// is on the session bus. Without one the icon is nowhere to be clicked.
func (t *tray) hosted() bool {
	if t == nil {
		return false
	}
	conn, err := dbus.SessionBus()
	if err != nil {
		return false
	}
	const nameHasOwner, watcher = "org.freedesktop.DBus.NameHasOwner", "org.kde.StatusNotifierWatcher"
	var has bool
	if err := conn.BusObject().Call(nameHasOwner, 0, watcher).Store(&has); err != nil {
		return false
	}
	return has
}

// build makes the menu; systray calls it once its loop runs.
func (t *tray) build() {
	st := trayIconState{}
	systray.SetIcon(trayIconPNG(st))
	t.icon = &st
	systray.SetTitle("CaseyOS")
	systray.SetTooltip("CaseyOS")
	t.title, t.tip = "CaseyOS", "CaseyOS"
	t.mNext = systray.AddMenuItem("Loading…", "Open this move's preview")
	t.mStatus = systray.AddMenuItem("", "")
	t.mStatus.Disable()
	t.mStatus.Hide()
	systray.AddSeparator()
	t.mExecute = systray.AddMenuItem("Execute…", "Open the next move's preview to carry it out")
	t.mSkip = systray.AddMenuItem("Skip", "Skip the next move")
	t.mUndo = systray.AddMenuItem(trayUndoLabel, "Take back the send waiting in its undo window")
	t.mUndo.Hide()
	systray.AddSeparator()
	t.mKill = systray.AddMenuItemCheckbox(trayKillLabel, "Stop every outgoing action at once", false)
	systray.AddSeparator()
	t.mOpen = systray.AddMenuItem(trayOpenLabel, "Bring the window forward")
	t.mQuit = systray.AddMenuItem("Quit", "Close CaseyOS")
	for _, it := range []*systray.MenuItem{t.mNext, t.mExecute, t.mSkip} {
		it.Disable()
		t.shown[it] = trayItemState{label: "", enabled: false, visible: true}
	}
	t.shown[t.mStatus] = trayItemState{enabled: false, visible: false}
	t.shown[t.mUndo] = trayItemState{label: trayUndoLabel, enabled: true, visible: false}
	t.shown[t.mKill] = trayItemState{label: trayKillLabel, enabled: true, visible: true}
	// A click on the icon itself (where the host supports it) shows the window.
	systray.SetOnTapped(func() { t.open(0) })
}

// event is the App's event subscriber: it never blocks.
func (t *tray) event(name string, payload any) {
	switch name {
	case backend.EventQueueChanged, backend.EventKillSwitch, backend.EventSyncStatus, backend.EventExecutionQueued:
		t.refreshSoon()
	case backend.EventExecutionUndo:
		if w, ok := payload.(backend.UndoWindow); ok {
			t.undoWindow(w)
		}
	case backend.EventExecutionFinished:
		if f, ok := payload.(backend.ExecutionFinished); ok {
			t.undoWindowEnded(f.MoveID)
		}
	}
}

// pump hands menu clicks to the loop. systray drops a click nobody is
// receiving at that instant, so this receives at once, always, while the
// loop may be busy reading the App.
func (t *tray) pump() {
	defer t.wg.Done()
	forward := func(it *systray.MenuItem) {
		select {
		case t.clicks <- it:
		default: // sixteen clicks behind: the person is clicking faster than anything can happen
		}
	}
	for {
		select {
		case <-t.done:
			return
		case <-t.mNext.ClickedCh:
			forward(t.mNext)
		case <-t.mExecute.ClickedCh:
			forward(t.mExecute)
		case <-t.mSkip.ClickedCh:
			forward(t.mSkip)
		case <-t.mUndo.ClickedCh:
			forward(t.mUndo)
		case <-t.mKill.ClickedCh:
			forward(t.mKill)
		case <-t.mOpen.ClickedCh:
			forward(t.mOpen)
		case <-t.mQuit.ClickedCh:
			forward(t.mQuit)
		case <-t.mStatus.ClickedCh: // a line to read, not to click
		}
	}
}

func (t *tray) loop() {
	// A ticker runs only while a send counts down: at rest nothing wakes.
	var tick *time.Ticker
	var tickC <-chan time.Time
	defer func() {
		if tick != nil {
			tick.Stop()
		}
	}()
	for {
		t.mu.Lock()
		counting := t.waiting != nil
		t.mu.Unlock()
		switch {
		case counting && tick == nil:
			tick = time.NewTicker(time.Second)
			tickC = tick.C
		case !counting && tick != nil:
			tick.Stop()
			tick, tickC = nil, nil
		}
		select {
		case <-t.done:
			return
		case <-t.kick:
			t.refresh()
		case <-tickC:
			t.show() // the countdown: the rest is as last read
		case it := <-t.clicks:
			t.clicked(it)
		}
	}
}

func (t *tray) clicked(it *systray.MenuItem) {
	m := t.current()
	switch it {
	case t.mNext, t.mExecute:
		// The preview, in the window: carrying the move out stays a key
		// or a click there.
		if m != nil {
			t.open(m.ID)
		} else {
			t.open(0)
		}
	case t.mSkip:
		if m != nil {
			if _, err := t.app.bound.Today.Skip(m.ID, "", string(backend.ActorClick)); err != nil {
				t.fail("skip", m.ID, err)
			}
		}
	case t.mUndo:
		t.mu.Lock()
		w := t.waiting
		t.mu.Unlock()
		if w != nil {
			if _, err := t.app.bound.Execution.CancelExecution(w.MoveID, string(backend.ActorClick)); err != nil {
				t.fail("undo", w.MoveID, err)
			}
			t.undoWindowEnded(w.MoveID)
		}
	case t.mKill:
		// What the person saw checked is what they are changing.
		state := "on"
		if t.shown[t.mKill].checked {
			state = "off"
		}
		if _, err := t.app.bound.Execution.KillSwitch(state, "from the tray", string(backend.ActorClick)); err != nil {
			fmt.Fprintf(t.stderr, "caseyos: tray kill switch: %s\n", backend.ErrorMessage(err))
		}
		t.refreshSoon()
	case t.mOpen:
		t.open(0)
	case t.mQuit:
		t.quit()
	}
}

func (t *tray) fail(op string, id uint64, err error) {
	fmt.Fprintf(t.stderr, "caseyos: tray %s move %d: %s\n", op, id, backend.ErrorMessage(err))
}

func (t *tray) current() *MoveDTO {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.next
}

// refreshSoon asks for the tray to be read again; it never blocks, so it
// may be called from an event subscriber.
func (t *tray) refreshSoon() {
	if t == nil {
		return
	}
	select {
	case t.kick <- struct{}{}:
	default:
	}
}

// undoWindow notes a send waiting in its undo window (from any surface).
func (t *tray) undoWindow(w backend.UndoWindow) {
	if t == nil {
		return
	}
	t.mu.Lock()
	t.waiting = &w
	t.mu.Unlock()
	t.refreshSoon()
}

// undoWindowEnded forgets move id's window: it left, was cancelled or failed.
func (t *tray) undoWindowEnded(moveID uint64) {
	if t == nil {
		return
	}
	t.mu.Lock()
	if t.waiting != nil && t.waiting.MoveID == moveID {
		t.waiting = nil
	}
	t.mu.Unlock()
	t.refreshSoon()
}

// refresh reads the App again and shows it.
func (t *tray) refresh() {
	v, err := readTrayView(t.app)
	if err != nil {
		fmt.Fprintf(t.stderr, "caseyos: tray: %s\n", backend.ErrorMessage(err))
		return
	}
	t.mu.Lock()
	t.next = v.next
	t.mu.Unlock()
	t.view = v
	t.show()
}

// show gives the host the last reading, with the undo countdown as of now.
func (t *tray) show() {
	v, now := t.view, t.app.clock.Now()
	t.mu.Lock()
	w := t.waiting
	if w != nil && !now.Before(w.Deadline) {
		t.waiting, w = nil, nil // the window has passed; execution:finished follows
	}
	t.mu.Unlock()

	// The icon first: once the title or the menu shows a state, the
	// icon does too.
	if icon := v.icon(); t.icon == nil || icon != *t.icon {
		systray.SetIcon(trayIconPNG(icon))
		t.icon = &icon
	}
	title := v.title
	if w != nil {
		title = undoTitle(*w, now)
	}
	if title != t.title {
		systray.SetTitle(title)
		t.title = title
	}
	if v.tooltip != t.tip {
		systray.SetTooltip(v.tooltip)
		t.tip = v.tooltip
	}

	line := v.statusLine()
	t.setItem(t.mStatus, trayItemState{label: line, visible: line != ""})
	if w != nil {
		t.setItem(t.mUndo, trayItemState{label: undoItem(*w, now), enabled: true, visible: true})
	} else {
		t.setItem(t.mUndo, trayItemState{label: t.shown[t.mUndo].label, enabled: true})
	}
	t.setItem(t.mKill, trayItemState{label: trayKillLabel, enabled: true, visible: true, checked: v.killOn})
	if v.next == nil {
		t.setItem(t.mNext, trayItemState{label: "Nothing to do right now", visible: true})
		t.setItem(t.mExecute, trayItemState{label: "Execute…", visible: true})
		t.setItem(t.mSkip, trayItemState{label: "Skip", visible: true})
		return
	}
	label, ok := trayExecuteLabel(v.next)
	t.setItem(t.mNext, trayItemState{label: v.title, enabled: true, visible: true})
	t.setItem(t.mExecute, trayItemState{label: label, enabled: ok, visible: true})
	t.setItem(t.mSkip, trayItemState{label: "Skip", enabled: true, visible: true})
}

// setItem gives the host what changed of it: every systray call on an
// item is a D-Bus signal and a new menu layout for the host.
func (t *tray) setItem(it *systray.MenuItem, s trayItemState) {
	old := t.shown[it]
	if s == old {
		return
	}
	if s.label != old.label {
		it.SetTitle(s.label)
	}
	if s.enabled != old.enabled {
		if s.enabled {
			it.Enable()
		} else {
			it.Disable()
		}
	}
	if s.checked != old.checked {
		if s.checked {
			it.Check()
		} else {
			it.Uncheck()
		}
	}
	if s.visible != old.visible {
		if s.visible {
			it.Show()
		} else {
			it.Hide()
		}
	}
	t.shown[it] = s
}

// stop removes the icon and waits for the menu loop.
func (t *tray) stop() {
	if t == nil {
		return
	}
	t.unsubscribe()
	close(t.done)
	t.wg.Wait()
	// systray's end closes the D-Bus connection it made, and panics on a
	// nil one when it could not make it (already logged by systray).
	defer func() { _ = recover() }()
	t.end()
}
