package hotkey_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/hotkey"
	"github.com/caseyos/caseyos/connectors/hotkey/hotkeytest"
)

// The Wayland path against a fake portal on a private session bus that
// the test starts (dbus-daemon), reached the way the app reaches it:
// through Open with XDG_SESSION_TYPE=wayland.
func TestPortal(t *testing.T) {
	addr := hotkeytest.StartBus(t)
	fake := hotkeytest.Serve(t, hotkeytest.Connect(t, addr), true)
	ctx := context.Background()
	env := envOf(map[string]string{"XDG_SESSION_TYPE": "wayland", "DISPLAY": ":0", "DBUS_SESSION_BUS_ADDRESS": addr})

	ev := &events{}
	g := hotkey.Open(env, ev.handle)
	defer g.Close()
	if n := g.Note(); n != "" {
		t.Fatalf("Note() = %q, want none: the portal offers shortcuts", n)
	}
	binds := must(t, backend.Shortcuts{ShowHide: "Ctrl+Alt+Space", Skip: "Ctrl+Alt+S", PushToTalk: "Super+Shift+V"})
	st := g.Bind(ctx, binds)

	t.Run("BindShortcutsRequest", func(t *testing.T) {
		calls := fake.Binds()
		if len(calls) != 1 {
			t.Fatalf("%d BindShortcuts calls, want 1", len(calls))
		}
		got := calls[0]
		want := []hotkeytest.Shortcut{
			{ID: "show_hide", Description: "Show or hide CaseyOS", PreferredTrigger: "CTRL+ALT+space"},
			{ID: "skip", Description: "Skip the top move", PreferredTrigger: "CTRL+ALT+s"},
			{ID: "push_to_talk", Description: "Push to talk (hold)", PreferredTrigger: "SHIFT+LOGO+v"},
		}
		if len(got.Shortcuts) != len(want) {
			t.Fatalf("shortcuts = %+v, want %+v", got.Shortcuts, want)
		}
		for i := range want {
			if got.Shortcuts[i] != want[i] {
				t.Errorf("shortcut %d = %+v, want %+v", i, got.Shortcuts[i], want[i])
			}
		}
		if !strings.HasPrefix(string(got.Session), "/org/freedesktop/portal/desktop/session/") {
			t.Errorf("bound in session %q", got.Session)
		}
		for _, s := range st {
			if s.State != backend.ShortcutActive || !strings.HasPrefix(s.Trigger, "Press ") {
				t.Errorf("%s = %+v, want active with the desktop's trigger", s.Action, s)
			}
		}
	})

	t.Run("ActivatedTriggersTheAction", func(t *testing.T) {
		ev.reset()
		fake.Activate(t, "skip")
		fake.Deactivate(t, "skip")
		ev.wait(t, "skip down, skip up")
		// Held: the portal may repeat Activated; one press is one press.
		ev.reset()
		fake.Activate(t, "push_to_talk")
		fake.Activate(t, "push_to_talk")
		fake.Deactivate(t, "push_to_talk")
		ev.wait(t, "push_to_talk down, push_to_talk up")
	})

	t.Run("TakenIsReported", func(t *testing.T) {
		fake.SetTaken("CTRL+ALT+space", true)
		defer fake.SetTaken("CTRL+ALT+space", false)
		st := g.Bind(ctx, binds)
		if st[0].State != backend.ShortcutTaken || !strings.Contains(st[0].Message, "did not bind") {
			t.Errorf("show_hide = %+v, want taken", st[0])
		}
		if st[1].State != backend.ShortcutActive {
			t.Errorf("skip = %+v, want active", st[1])
		}
		// A rebind ends the old session: one open session, the new one.
		if s := fake.Sessions(); len(s) != 1 || s[0] != fake.Binds()[len(fake.Binds())-1].Session {
			t.Errorf("open sessions %v after a rebind, want only the newest", s)
		}
		// The old session's signals are not ours any more.
		ev.reset()
		fake.Activate(t, "skip")
		ev.wait(t, "skip down")
	})

	t.Run("DialogClosed", func(t *testing.T) {
		fake.SetCancel(true)
		defer fake.SetCancel(false)
		for _, s := range g.Bind(ctx, binds) {
			if s.State != backend.ShortcutTaken || !strings.Contains(s.Message, "dialog was closed") {
				t.Errorf("%s = %+v, want taken: the person closed the desktop's dialog", s.Action, s)
			}
		}
	})

	t.Run("CloseEndsTheSession", func(t *testing.T) {
		g.Bind(ctx, binds)
		if err := g.Close(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(2 * time.Second)
		for len(fake.Sessions()) != 0 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if s := fake.Sessions(); len(s) != 0 {
			t.Errorf("sessions still open after Close: %v", s)
		}
	})
}

func TestPortal_NotOffered(t *testing.T) {
	addr := hotkeytest.StartBus(t)
	hotkeytest.Serve(t, hotkeytest.Connect(t, addr), false)
	for _, env := range []map[string]string{
		{"XDG_SESSION_TYPE": "wayland", "DISPLAY": ":0", "DBUS_SESSION_BUS_ADDRESS": addr},
		{"DBUS_SESSION_BUS_ADDRESS": addr}, // no DISPLAY: not X11 either
		{"XDG_SESSION_TYPE": "wayland"},    // no session bus at all
	} {
		g := hotkey.Open(envOf(env), nil)
		if !strings.Contains(g.Note(), "does not offer global shortcuts") {
			t.Errorf("Open(%v).Note() = %q, want the desktop does not offer them", env, g.Note())
		}
		st := g.Bind(context.Background(), must(t, backend.Shortcuts{ShowHide: "Ctrl+Alt+Space"}))
		if st[0].State != backend.ShortcutUnsupported || st[0].Message != g.Note() {
			t.Errorf("Bind = %+v, want unsupported with the note", st)
		}
		g.Close()
	}
}

// --- helpers -----------------------------------------------------------

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func must(tb testing.TB, s backend.Shortcuts) []backend.ShortcutBinding {
	tb.Helper()
	if err := s.Validate(); err != nil {
		tb.Fatal(err)
	}
	return s.Bindings()
}

type events struct {
	mu  sync.Mutex
	got []string
}

func (e *events) handle(ev backend.ShortcutEvent) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := string(ev.Action) + " up"
	if ev.Down {
		s = string(ev.Action) + " down"
	}
	e.got = append(e.got, s)
}

func (e *events) reset() {
	e.mu.Lock()
	e.got = nil
	e.mu.Unlock()
}

func (e *events) String() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return strings.Join(e.got, ", ")
}

func (e *events) wait(tb testing.TB, want string) {
	tb.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for e.String() != want && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	if got := e.String(); got != want {
		tb.Errorf("events = %q, want %q", got, want)
	}
}
