//go:build desktop

package app

import (
	"fmt"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/hotkey"
)

// The global shortcuts: grabbed from the desktop (connectors/hotkey) by
// the app process while it runs, window shown or not; released when it
// quits. Settings'
// ShortcutsService changes them and reports their state.

// startShortcuts grabs the workspace's shortcuts; a portal may show the
// desktop's own dialog first, so it does not hold up the window.
func (d *desktop) startShortcuts() {
	a := d.app
	g := hotkey.Open(nil, d.onShortcut)
	sc := backend.DefaultShortcuts()
	if st, err := a.queue.Settings.Get(a.ctx); err == nil {
		sc = st.Shortcuts
	} else {
		fmt.Fprintf(d.stderr, "caseyos: global shortcuts: %v\n", err)
	}
	go a.shortcuts.attach(a.ctx, g, sc, d.stderr)
}

// stopShortcuts releases them (the app is quitting).
func (d *desktop) stopShortcuts() { d.app.shortcuts.detach() }

// onShortcut carries out a global shortcut. It runs on the grabber's own
// goroutine, one event at a time.
func (d *desktop) onShortcut(ev backend.ShortcutEvent) {
	switch ev.Action {
	case backend.ShortcutShowHide:
		if ev.Down {
			d.toggleWindow()
		}
	case backend.ShortcutPreview:
		// Opens the window on the move; executing it stays a key or a
		// click there.
		if ev.Down {
			id := d.topMove()
			fmt.Fprintf(d.stderr, "caseyos: shortcut preview: move %d\n", id)
			d.openMove(id)
		}
	case backend.ShortcutSkip:
		if !ev.Down {
			return
		}
		id := d.topMove()
		if id == 0 {
			return
		}
		if _, err := d.app.bound.Today.Skip(id, "", "key"); err != nil {
			fmt.Fprintf(d.stderr, "caseyos: shortcut skip: move %d: %v\n", id, err)
			return
		}
		fmt.Fprintf(d.stderr, "caseyos: shortcut skip: move %d\n", id)
	case backend.ShortcutPushToTalk:
		// The voice entry point loads what it needs on the press and lets
		// it go after the release (app/voice.go).
		if _, err := d.app.bound.Voice.VoicePushToTalk(ev.Down, 0); err != nil {
			fmt.Fprintf(d.stderr, "caseyos: shortcut push to talk: %v\n", err)
		}
	}
}

// topMove is the first of Today's Moves (all domains), 0 when none.
func (d *desktop) topMove() uint64 {
	t, err := d.app.bound.Today.Today("", 1)
	if err != nil || len(t.Moves) == 0 {
		return 0
	}
	return t.Moves[0].ID
}
