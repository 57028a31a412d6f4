package app

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/caseyos/caseyos/backend"
)

// ShortcutsService is bound for Settings' global shortcuts section: the
// keys of each action and, where the desktop window runs, whether the
// desktop gave them to CaseyOS. Served as POST /api/ShortcutsService.<Method>.
type ShortcutsService struct{ a *App }

// ShortcutsDTO are the global shortcuts and their state on this desktop.
type ShortcutsDTO struct {
	Shortcuts []ShortcutDTO `json:"shortcuts"`
	// Note says why no shortcut can work here ("your desktop does not offer
	// global shortcuts", "only the desktop window has global shortcuts"),
	// or is "".
	Note string `json:"note"`
}

// ShortcutDTO is one global shortcut.
type ShortcutDTO struct {
	Action string `json:"action"` // show_hide, preview, skip, push_to_talk
	Label  string `json:"label"`
	// Keys is the accelerator ("Ctrl+Alt+Space"); "" is off.
	Keys string `json:"keys"`
	// State: active, taken (another app holds the keys), unsupported (not
	// on this desktop, or no such key), failed, off, pending (the desktop
	// has not answered yet), or not_running (no desktop window in this
	// process to grab them).
	State   string `json:"state"`
	Message string `json:"message"`
	// Trigger is what the desktop bound instead, where it chooses (the
	// Wayland portal), else "".
	Trigger string `json:"trigger"`
}

// ShortcutNotRunning is the state of every shortcut where no desktop
// window runs (caseyos serve, a CLI with no window open).
const ShortcutNotRunning = "not_running"

// ShortcutPending is the state of a shortcut the desktop has not answered
// for yet (a portal's dialog is open).
const ShortcutPending = "pending"

// NoteNoWindow is the Note where no desktop window runs.
const NoteNoWindow = "Global shortcuts work while the CaseyOS desktop app runs; this is the browser UI or the command line."

// shortcutsHost is the App's side of the desktop's global shortcuts: the
// grabber the window attached (nil in serve and the CLI) and the state of
// the last Bind.
type shortcutsHost struct {
	// bindMu serializes binds (a portal's may wait for the person in the
	// desktop's dialog); mu guards the fields, never held while binding.
	bindMu sync.Mutex
	mu     sync.Mutex
	g      backend.GlobalShortcuts
	status map[backend.ShortcutAction]backend.ShortcutStatus
	stderr io.Writer
	closed bool // detached: a late attach closes its grabber at once
}

// attach hands the window's grabber to the App and grabs sc with it.
func (h *shortcutsHost) attach(ctx context.Context, g backend.GlobalShortcuts, sc backend.Shortcuts, stderr io.Writer) {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		_ = g.Close()
		return
	}
	h.g, h.stderr = g, stderr
	h.mu.Unlock()
	h.bind(ctx, sc)
}

// detach closes the grabber (the window is closing).
func (h *shortcutsHost) detach() {
	h.mu.Lock()
	g := h.g
	h.g, h.status, h.closed = nil, nil, true
	h.mu.Unlock()
	if g != nil {
		_ = g.Close()
	}
}

// bind grabs sc's shortcuts (when a grabber is attached) and says on
// stderr which could not be had.
func (h *shortcutsHost) bind(ctx context.Context, sc backend.Shortcuts) {
	h.bindMu.Lock()
	defer h.bindMu.Unlock()
	h.mu.Lock()
	g, stderr := h.g, h.stderr
	h.mu.Unlock()
	if g == nil {
		return
	}
	status := map[backend.ShortcutAction]backend.ShortcutStatus{}
	for _, st := range g.Bind(ctx, sc.Bindings()) {
		status[st.Action] = st
		if st.State != backend.ShortcutActive && stderr != nil {
			fmt.Fprintf(stderr, "caseyos: global shortcut %s (%s) is %s: %s\n", st.Action, st.Accelerator, st.State, st.Message)
		}
	}
	if n := g.Note(); n != "" && stderr != nil {
		fmt.Fprintf(stderr, "caseyos: no global shortcuts: %s\n", n)
	}
	h.mu.Lock()
	if h.g == g {
		h.status = status
	}
	h.mu.Unlock()
}

// dto renders sc with the state of each shortcut.
func (h *shortcutsHost) dto(sc backend.Shortcuts) ShortcutsDTO {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := ShortcutsDTO{Shortcuts: []ShortcutDTO{}}
	if h.g == nil {
		out.Note = NoteNoWindow
	} else {
		out.Note = h.g.Note()
	}
	for _, a := range backend.ShortcutActions {
		d := ShortcutDTO{Action: string(a), Label: a.Label(), Keys: sc.Get(a)}
		st, grabbed := h.status[a]
		switch {
		case d.Keys == "":
			d.State = string(backend.ShortcutOff)
		case h.g == nil:
			d.State = ShortcutNotRunning
		case !grabbed:
			d.State, d.Message = ShortcutPending, "Waiting for the desktop to answer"
		default:
			d.State, d.Message, d.Trigger = string(st.State), st.Message, st.Trigger
		}
		out.Shortcuts = append(out.Shortcuts, d)
	}
	return out
}

// Shortcuts returns the global shortcuts and, in the desktop app, each
// one's state (active, taken by another app, unsupported here).
func (svc *ShortcutsService) Shortcuts() (ShortcutsDTO, error) {
	a := svc.a
	st, err := a.queue.Settings.Get(a.ctx)
	if err != nil {
		return ShortcutsDTO{}, err
	}
	return a.shortcuts.dto(st.Shortcuts), nil
}

// SetShortcuts stores the keys of every action (by action name; "" turns
// one off; an action left out keeps its keys), grabs them in the desktop
// app and returns their state. An accelerator that cannot be parsed, or
// the same keys for two actions, is invalid, naming the action.
func (svc *ShortcutsService) SetShortcuts(in []ShortcutDTO, via string) (ShortcutsDTO, error) {
	a := svc.a
	who, err := actor(via)
	if err != nil {
		return ShortcutsDTO{}, err
	}
	st, err := a.queue.Settings.Get(a.ctx)
	if err != nil {
		return ShortcutsDTO{}, err
	}
	sc := st.Shortcuts
	for _, d := range in {
		act, ok := shortcutAction(d.Action)
		if !ok {
			return ShortcutsDTO{}, backend.Errorf(backend.EINVALID, "%q is not a shortcut action (%s)", d.Action, shortcutActionNames())
		}
		sc.Set(act, strings.TrimSpace(d.Keys))
	}
	if sc, err = a.queue.Settings.SetShortcuts(a.ctx, sc, who); err != nil {
		return ShortcutsDTO{}, err
	}
	a.shortcuts.bind(a.ctx, sc)
	return a.shortcuts.dto(sc), nil
}

func shortcutAction(name string) (backend.ShortcutAction, bool) {
	for _, a := range backend.ShortcutActions {
		if string(a) == name {
			return a, true
		}
	}
	return "", false
}

func shortcutActionNames() string {
	var names []string
	for _, a := range backend.ShortcutActions {
		names = append(names, string(a))
	}
	return strings.Join(names, ", ")
}
