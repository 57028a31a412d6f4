//go:build desktop

package app

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"fyne.io/systray"

	"github.com/caseyos/caseyos/backend"
)

// The tray (menu-bar) icon: the next move as its title and tooltip, and
// Execute, Skip, the kill switch, Show and Quit. While a send waits in its
// undo window the title counts down and "Undo send" takes it back. On Linux fyne.io/systray speaks
// StatusNotifierItem over the session D-Bus, beside the GTK loop Wails
// runs; with no tray host the icon simply is not shown.

// trayTitleRunes bounds the move title in the tray's title and menu.
const trayTitleRunes = 40

// tray is the running tray icon; a nil *tray is a tray that is not there
// (every method is a no-op).
type tray struct {
	app    *App
	stderr io.Writer
	show   func()
	quit   func()

	kick chan struct{} // a refresh is wanted (capacity 1: requests coalesce)
	done chan struct{} // closed by stop
	end  func()
	wg   sync.WaitGroup

	mu      sync.Mutex
	next    *MoveDTO            // the move Execute and Skip act on; nil when none
	waiting *backend.UndoWindow // the newest send in its undo window; nil when none

	mNext, mExecute, mSkip, mUndo, mKill, mShow, mQuit *systray.MenuItem
}

// startTray shows the tray icon, or explains in one line why not and
// returns nil.
func startTray(a *App, stderr io.Writer, show, quit func()) *tray {
	if why := trayUnsupported(); why != "" {
		fmt.Fprintf(stderr, "caseyos: no tray icon: %s\n", why)
		return nil
	}
	t := &tray{app: a, stderr: stderr, show: show, quit: quit, kick: make(chan struct{}, 1), done: make(chan struct{})}
	ready := make(chan struct{})
	start, end := systray.RunWithExternalLoop(func() { t.build(); close(ready) }, nil)
	t.end = end
	start()
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		select {
		case <-ready:
		case <-t.done:
			return
		}
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

// build makes the menu; systray calls it once its loop runs.
func (t *tray) build() {
	systray.SetIcon(markPNG(64))
	systray.SetTitle("CaseyOS")
	systray.SetTooltip("CaseyOS")
	t.mNext = systray.AddMenuItem("Loading…", "The next move")
	t.mNext.Disable()
	systray.AddSeparator()
	t.mExecute = systray.AddMenuItem("Execute", "Carry out the next move")
	t.mSkip = systray.AddMenuItem("Skip", "Skip the next move")
	t.mUndo = systray.AddMenuItem(trayUndoLabel, "Take back the send waiting in its undo window")
	t.mUndo.Hide()
	systray.AddSeparator()
	t.mKill = systray.AddMenuItemCheckbox(trayKillLabel, "Stop every outgoing action at once", false)
	systray.AddSeparator()
	t.mShow = systray.AddMenuItem("Show CaseyOS", "Bring the window forward")
	t.mQuit = systray.AddMenuItem("Quit", "Close CaseyOS")
	t.mExecute.Disable()
	t.mSkip.Disable()
	// A click on the icon itself (where the host supports it) shows the window.
	systray.SetOnTapped(t.show)
}

func (t *tray) loop() {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-t.done:
			return
		case <-t.kick:
			t.refresh()
		case <-tick.C:
			t.mu.Lock()
			counting := t.waiting != nil
			t.mu.Unlock()
			if counting {
				t.refresh()
			}
		case <-t.mUndo.ClickedCh:
			t.mu.Lock()
			w := t.waiting
			t.mu.Unlock()
			if w != nil {
				if _, err := t.app.bound.Execution.CancelExecution(w.MoveID, string(backend.ActorClick)); err != nil {
					t.fail("undo", w.MoveID, err)
				}
				t.undoWindowEnded(w.MoveID)
			}
		case <-t.mExecute.ClickedCh:
			if m := t.current(); m != nil {
				if _, err := t.app.previewAndExecute(m.ID, string(backend.ActorClick)); err != nil {
					t.fail("execute", m.ID, err)
					// The window says what went wrong and offers the fix.
					t.show()
				}
			}
		case <-t.mSkip.ClickedCh:
			if m := t.current(); m != nil {
				if _, err := t.app.bound.Today.Skip(m.ID, "", string(backend.ActorClick)); err != nil {
					t.fail("skip", m.ID, err)
				}
			}
		case <-t.mKill.ClickedCh:
			state := "on"
			if t.mKill.Checked() {
				state = "off"
			}
			if _, err := t.app.bound.Execution.KillSwitch(state, "from the tray", string(backend.ActorClick)); err != nil {
				fmt.Fprintf(t.stderr, "caseyos: tray kill switch: %s\n", backend.ErrorMessage(err))
			}
			t.refreshSoon()
		case <-t.mShow.ClickedCh:
			t.show()
		case <-t.mQuit.ClickedCh:
			t.quit()
		}
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

// refreshSoon asks for the next move to be read again; it never blocks, so
// it may be called from an event subscriber.
func (t *tray) refreshSoon() {
	if t == nil {
		return
	}
	select {
	case t.kick <- struct{}{}:
	default:
	}
}

// trayKillLabel is the kill switch's menu item (checked = on).
const trayKillLabel = "Kill switch: stop everything"

// trayUndoLabel is the item that takes back a waiting send.
const trayUndoLabel = "Undo send"

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

func (t *tray) refresh() {
	if ks, err := t.app.bound.Execution.KillSwitch("status", "", string(backend.ActorClick)); err == nil {
		if ks.On {
			t.mKill.Check()
		} else {
			t.mKill.Uncheck()
		}
	}
	today, err := t.app.bound.Today.Today("", 1)
	if err != nil {
		fmt.Fprintf(t.stderr, "caseyos: tray: %s\n", backend.ErrorMessage(err))
		return
	}
	var next *MoveDTO
	if len(today.Moves) > 0 {
		m := today.Moves[0]
		next = &m
	}
	t.mu.Lock()
	t.next = next
	t.mu.Unlock()

	title, tooltip := trayText(today)
	t.mu.Lock()
	w := t.waiting
	if w != nil && !time.Now().Before(w.Deadline) {
		t.waiting, w = nil, nil // the window has passed; execution:finished follows
	}
	t.mu.Unlock()
	if w != nil {
		title = undoTitle(*w, time.Now())
		t.mUndo.SetTitle(trayUndoLabel + ": " + shorten(w.Summary, 30))
		t.mUndo.Show()
	} else {
		t.mUndo.Hide()
	}
	systray.SetTitle(title)
	systray.SetTooltip(tooltip)
	if next == nil {
		t.mNext.SetTitle("Nothing to do right now")
		t.mExecute.Disable()
		t.mSkip.Disable()
		return
	}
	t.mNext.SetTitle(title)
	label, ok := trayExecuteLabel(next)
	t.mExecute.SetTitle(label)
	if ok {
		t.mExecute.Enable()
	} else {
		t.mExecute.Disable()
	}
	t.mSkip.Enable()
}

// trayExecuteLabel is the Execute item for m, and whether it may be
// clicked: the tray has no edit step, so a draft that still holds template
// text, or a move nothing can carry out, says why instead.
func trayExecuteLabel(m *MoveDTO) (string, bool) {
	switch {
	case m.NotAvailable != "":
		return "Not available yet: " + shorten(m.NotAvailable, 40), false
	case len(m.TemplateHoles) > 0:
		return "Edit the draft first — " + shorten(m.TemplateHoles[0], 36), false
	}
	return "Execute “" + shorten(m.Title, 24) + "”", true
}

// undoTitle is the tray's title while a send waits: "Sending in 7s — Undo".
func undoTitle(w backend.UndoWindow, now time.Time) string {
	left := int(math.Ceil(w.Deadline.Sub(now).Seconds()))
	if left < 0 {
		left = 0
	}
	return fmt.Sprintf("Sending in %ds — %s", left, trayUndoLabel)
}

// trayText is the tray's title ("93 · Reply to Dana…") and tooltip.
func trayText(t TodayDTO) (title, tooltip string) {
	if len(t.Moves) == 0 {
		return "CaseyOS", "CaseyOS — nothing to do right now"
	}
	m := t.Moves[0]
	title = fmt.Sprintf("%.0f · %s", m.APS, shorten(m.Title, trayTitleRunes))
	tooltip = fmt.Sprintf("CaseyOS — next of %d: %s", t.Pending, title)
	if t.Workspace.Demo {
		tooltip += " (" + t.Workspace.Label + ")"
	}
	return title, tooltip
}

// shorten cuts s to n runes at a word boundary where it can, with "…".
func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	cut := string(r[:n-1])
	// Mid-word: back up to the last space, unless that loses too much.
	if next := r[n-1]; !unicode.IsSpace(next) && !unicode.IsPunct(next) {
		if i := strings.LastIndexByte(cut, ' '); i >= len(cut)/2 {
			cut = cut[:i]
		}
	}
	return strings.TrimRight(cut, " ,.;:-—") + "…"
}

// stop removes the icon and waits for the menu loop.
func (t *tray) stop() {
	if t == nil {
		return
	}
	close(t.done)
	t.wg.Wait()
	// systray's end closes the D-Bus connection it made, and panics on a
	// nil one when it could not make it (already logged by systray).
	defer func() { _ = recover() }()
	t.end()
}
