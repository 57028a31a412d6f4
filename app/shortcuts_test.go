package app

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/caseyos/caseyos/backend"
)

// fakeGrabber is a desktop whose grabs go as told: taken for the
// accelerators in taken, active otherwise.
type fakeGrabber struct {
	mu     sync.Mutex
	taken  map[string]bool
	binds  [][]backend.ShortcutBinding
	closed bool
}

func (f *fakeGrabber) Bind(_ context.Context, bs []backend.ShortcutBinding) []backend.ShortcutStatus {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.binds = append(f.binds, bs)
	var out []backend.ShortcutStatus
	for _, b := range bs {
		st := backend.ShortcutStatus{Action: b.Action, Accelerator: b.Accel.String(), State: backend.ShortcutActive}
		if f.taken[b.Accel.String()] {
			st.State, st.Message = backend.ShortcutTaken, "Another app already uses "+b.Accel.String()
		}
		out = append(out, st)
	}
	return out
}
func (f *fakeGrabber) Note() string { return "" }
func (f *fakeGrabber) Close() error {
	f.mu.Lock()
	f.closed = true
	f.mu.Unlock()
	return nil
}

func TestShortcutsService(t *testing.T) {
	e := newExecEnv(t)
	svc := e.app.bound.Shortcuts
	byAction := func(d ShortcutsDTO) map[string]ShortcutDTO {
		m := map[string]ShortcutDTO{}
		for _, s := range d.Shortcuts {
			m[s.Action] = s
		}
		return m
	}

	t.Run("NoWindow", func(t *testing.T) {
		got, err := svc.Shortcuts()
		if err != nil {
			t.Fatal(err)
		}
		if got.Note != NoteNoWindow || len(got.Shortcuts) != 4 {
			t.Fatalf("Shortcuts() = %+v", got)
		}
		s := byAction(got)["show_hide"]
		if s.Keys != "Ctrl+Alt+Space" || s.State != ShortcutNotRunning || s.Label != "Show or hide CaseyOS" {
			t.Errorf("show_hide = %+v, want the default keys, not running", s)
		}
	})

	t.Run("ErrUnparseable", func(t *testing.T) {
		_, err := svc.SetShortcuts([]ShortcutDTO{{Action: "skip", Keys: "Ctrl+Alt+Banana"}}, "click")
		if backend.ErrorCode(err) != backend.EINVALID || !strings.Contains(backend.ErrorMessage(err), "Skip the top move") || !strings.Contains(backend.ErrorMessage(err), "Banana") {
			t.Errorf("SetShortcuts(Banana) = %v; want invalid naming the action and the key", err)
		}
		if _, err := svc.SetShortcuts([]ShortcutDTO{{Action: "launch_rockets", Keys: "F13"}}, "click"); backend.ErrorCode(err) != backend.EINVALID {
			t.Errorf("an unknown action = %v, want invalid", err)
		}
		if _, err := svc.SetShortcuts(nil, "telepathy"); backend.ErrorCode(err) != backend.EINVALID {
			t.Errorf("an unknown via = %v, want invalid", err)
		}
	})

	t.Run("GrabbedInTheWindow", func(t *testing.T) {
		g := &fakeGrabber{taken: map[string]bool{"Ctrl+Alt+S": true}}
		var stderr bytes.Buffer
		st, err := e.app.queue.Settings.Get(e.app.ctx)
		if err != nil {
			t.Fatal(err)
		}
		e.app.shortcuts.attach(e.app.ctx, g, st.Shortcuts, &stderr)
		got := byAction(mustShortcuts(t, svc))
		if got["show_hide"].State != "active" || got["skip"].State != "taken" || !strings.Contains(got["skip"].Message, "Ctrl+Alt+S") {
			t.Errorf("states = %+v", got)
		}
		if !strings.Contains(stderr.String(), "global shortcut skip (Ctrl+Alt+S) is taken") {
			t.Errorf("stderr = %q, want the taken shortcut named", stderr.String())
		}

		// Moved to free keys (written canonically), one turned off: stored,
		// grabbed again, and the off one is not asked for.
		out, err := svc.SetShortcuts([]ShortcutDTO{{Action: "skip", Keys: " alt+ctrl+k "}, {Action: "push_to_talk", Keys: ""}}, "click")
		if err != nil {
			t.Fatal(err)
		}
		m := byAction(out)
		if m["skip"].Keys != "Ctrl+Alt+K" || m["skip"].State != "active" || m["push_to_talk"].State != "off" || m["show_hide"].Keys != "Ctrl+Alt+Space" {
			t.Errorf("after SetShortcuts: %+v", m)
		}
		last := g.binds[len(g.binds)-1]
		if len(last) != 3 {
			t.Errorf("bound %+v, want 3 shortcuts (push to talk is off)", last)
		}
		if st, _ := e.app.queue.Settings.Get(e.app.ctx); st.Shortcuts.Skip != "Ctrl+Alt+K" || st.Shortcuts.PushToTalk != "" {
			t.Errorf("stored %+v", st.Shortcuts)
		}

		e.app.shortcuts.detach()
		if !g.closed {
			t.Error("detach did not close the grabber")
		}
		if n := mustShortcuts(t, svc).Note; n != NoteNoWindow {
			t.Errorf("after detach the note is %q", n)
		}
		// A grabber that arrives after the window closed is closed at once.
		late := &fakeGrabber{}
		e.app.shortcuts.attach(e.app.ctx, late, st.Shortcuts, &stderr)
		if !late.closed || len(late.binds) != 0 {
			t.Errorf("a late grabber: closed %v, binds %d", late.closed, len(late.binds))
		}
	})
}

func mustShortcuts(tb testing.TB, svc *ShortcutsService) ShortcutsDTO {
	tb.Helper()
	d, err := svc.Shortcuts()
	if err != nil {
		tb.Fatal(err)
	}
	return d
}
