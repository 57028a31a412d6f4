package app

import (
	"fmt"
	"math"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/caseyos/caseyos/backend"
)

// What the tray shows, read from the App: the next move, how many wait,
// the kill switch and whether CaseyOS is offline. tray.go puts it on the
// tray icon (desktop builds only); nothing here needs the window.

// trayTitleRunes bounds the move title in the tray's title and menu.
const trayTitleRunes = 40

// The menu's fixed labels.
const (
	trayKillLabel  = "Kill switch: stop everything" // a checkbox: checked = on
	trayUndoLabel  = "Undo send"                    // takes back a waiting send
	trayOpenLabel  = "Open CaseyOS"
	trayStatusKill = "Kill switch is on: nothing is sent"
)

// trayView is one reading of what the tray shows.
type trayView struct {
	next    *MoveDTO // nil when nothing waits
	pending int      // the moves waiting (the badge)
	title   string   // "93 · Reply to Dana…"
	tooltip string
	killOn  bool
	offline string // why CaseyOS is offline ("Gmail cannot be reached"), "" when it is not
}

// readTrayView reads the tray's state through the App's services, as the
// window does.
func readTrayView(a *App) (trayView, error) {
	var v trayView
	ks, err := a.bound.Execution.KillSwitch("status", "", string(backend.ActorClick))
	if err != nil {
		return v, err
	}
	today, err := a.bound.Today.Today("", 1)
	if err != nil {
		return v, err
	}
	conns, err := a.bound.Connections.Connections()
	if err != nil {
		return v, err
	}
	outbox, err := a.bound.Execution.Outbox()
	if err != nil {
		return v, err
	}
	v.killOn, v.pending, v.offline = ks.On, today.Pending, offlineReason(conns, outbox)
	if len(today.Moves) > 0 {
		m := today.Moves[0]
		v.next = &m
	}
	v.title, v.tooltip = trayText(today)
	if line := v.statusLine(); line != "" {
		v.tooltip += " — " + line
	}
	return v, nil
}

// statusLine is the menu's line on why nothing leaves, "" when all is well.
func (v trayView) statusLine() string {
	switch {
	case v.killOn:
		return trayStatusKill
	case v.offline != "":
		return "Offline: " + v.offline
	}
	return ""
}

// icon is the icon v asks for.
func (v trayView) icon() trayIconState {
	return trayIconState{Badge: trayBadgeText(v.pending), Offline: v.offline != "", Killed: v.killOn}
}

// offlineReason says why CaseyOS is offline: connected accounts that
// cannot be reached, and actions held in the outbox until they can. ""
// when neither. (An action the outbox holds for the recipient's send
// window is not offline.)
func offlineReason(conns []ConnectionDTO, outbox []ExecutionStatusDTO) string {
	var down []string
	for _, c := range conns {
		if c.State == "offline" {
			down = append(down, c.Label)
		}
	}
	held := 0
	for _, e := range outbox {
		if strings.HasPrefix(e.QueuedReason, "offline") {
			held++
		}
	}
	var parts []string
	if len(down) > 0 {
		parts = append(parts, joinAnd(down)+" cannot be reached")
	}
	switch {
	case held == 1:
		parts = append(parts, "1 action waits in the outbox")
	case held > 1:
		parts = append(parts, fmt.Sprintf("%d actions wait in the outbox", held))
	}
	return strings.Join(parts, "; ")
}

// joinAnd is "a", "a and b", "a, b and c".
func joinAnd(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
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

// trayExecuteTitle is the item that opens the next move's preview to
// carry it out; the "…" says a window comes first.
func trayExecuteTitle(title string) string {
	return "Execute “" + shorten(title, 24) + "”…"
}

// trayExecuteLabel is the Execute item for m, and whether it may be
// clicked. The item opens the move's preview in the window — where a
// draft's template text is edited — and never sends; a move nothing can
// carry out says why instead.
func trayExecuteLabel(m *MoveDTO) (string, bool) {
	switch {
	case m.NotAvailable != "":
		return "Not available yet: " + shorten(m.NotAvailable, 40), false
	case len(m.TemplateHoles) > 0:
		return "Edit the draft first — " + shorten(m.TemplateHoles[0], 36), true
	}
	return trayExecuteTitle(m.Title), true
}

// undoSecondsLeft is the whole seconds left in w's undo window, rounded up.
func undoSecondsLeft(w backend.UndoWindow, now time.Time) int {
	return max(0, int(math.Ceil(w.Deadline.Sub(now).Seconds())))
}

// undoTitle is the tray's title while a send waits: "Sending in 7 s — Undo send".
func undoTitle(w backend.UndoWindow, now time.Time) string {
	return fmt.Sprintf("Sending in %d s — %s", undoSecondsLeft(w, now), trayUndoLabel)
}

// undoItem is the menu item that takes the send back: "Undo send (7 s)".
func undoItem(w backend.UndoWindow, now time.Time) string {
	return fmt.Sprintf("%s (%d s)", trayUndoLabel, undoSecondsLeft(w, now))
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
