package backend_test

import (
	"strings"
	"testing"

	"github.com/caseyos/caseyos/backend"
)

func TestParseAccelerator(t *testing.T) {
	for _, tt := range []struct {
		in, want string
	}{
		{"Ctrl+Alt+Space", "Ctrl+Alt+Space"},
		{" alt + ctrl + space ", "Ctrl+Alt+Space"},
		{"CONTROL+OPTION+p", "Ctrl+Alt+P"},
		{"Cmd+Shift+k", "Shift+Super+K"},
		{"⌘+⌥+Space", "Alt+Super+Space"},
		{"Super+return", "Super+Enter"},
		{"Ctrl+Alt+-", "Ctrl+Alt+Minus"},
		{"Ctrl+Alt+/", "Ctrl+Alt+Slash"},
		{"ctrl+alt+f12", "Ctrl+Alt+F12"},
		{"F13", "F13"},
		{"shift+F24", "Shift+F24"},
		{"Ctrl+Alt+pgdn", "Ctrl+Alt+PageDown"},
		{"Win+1", "Super+1"},
	} {
		got, err := backend.ParseAccelerator(tt.in)
		if err != nil || got.String() != tt.want {
			t.Errorf("ParseAccelerator(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
		}
	}
	for _, tt := range []struct {
		in, says string
	}{
		{"", "no keys"},
		{"   ", "no keys"},
		{"Ctrl+Alt+", "empty part"},
		{"Ctrl++", "empty part"},
		{"+Space", "empty part"},
		{"Ctrl+Alt", "ends with the modifier"},
		{"Ctrl+Ctrl+A", "twice"},
		{"Hyper+A", "not a modifier"},
		{"Ctrl+Space+A", "not a modifier"},
		{"Ctrl+Alt+Spacebar", "not a key"},
		{"Ctrl+Alt+é", "not a key"},
		{"Ctrl+F0", "not a key"},
		{"Ctrl+F25", "not a key"},
		{"Ctrl+F01", "not a key"},
		{"s", "every app"},
		{"Shift+S", "every app"},
		{"Space", "every app"},
		{strings.Repeat("Ctrl+", 20) + "A", "too long"},
	} {
		_, err := backend.ParseAccelerator(tt.in)
		if backend.ErrorCode(err) != backend.EINVALID || !strings.Contains(backend.ErrorMessage(err), tt.says) {
			t.Errorf("ParseAccelerator(%q) = %v; want invalid, saying %q", tt.in, err, tt.says)
		}
	}
}

func TestShortcuts_Validate(t *testing.T) {
	if err := backend.DefaultShortcuts().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	if err := (backend.Shortcuts{}).Validate(); err != nil {
		t.Errorf("all off: %v", err)
	}
	t.Run("ErrUnparseable", func(t *testing.T) {
		s := backend.DefaultShortcuts()
		s.Skip = "Ctrl+Alt+Banana"
		err := s.Validate()
		if backend.ErrorCode(err) != backend.EINVALID || !strings.HasPrefix(backend.ErrorMessage(err), "Skip the top move: ") {
			t.Errorf("Validate() = %v; want invalid, naming the skip shortcut", err)
		}
		st := backend.DefaultSettings()
		st.Shortcuts = s
		if backend.ErrorCode(st.Validate()) != backend.EINVALID {
			t.Errorf("Settings.Validate() accepts %q", s.Skip)
		}
	})
	t.Run("ErrSameKeysTwice", func(t *testing.T) {
		s := backend.DefaultShortcuts()
		s.Skip = "alt+ctrl+space"
		err := s.Validate()
		if backend.ErrorCode(err) != backend.EINVALID || !strings.Contains(backend.ErrorMessage(err), "both Ctrl+Alt+Space") {
			t.Errorf("Validate() = %v; want invalid: two actions on Ctrl+Alt+Space", err)
		}
	})
	t.Run("Bindings", func(t *testing.T) {
		s := backend.Shortcuts{ShowHide: "ctrl+alt+space", PushToTalk: "F13"}
		bs := s.Bindings()
		if len(bs) != 2 || bs[0].Action != backend.ShortcutShowHide || bs[0].Accel.String() != "Ctrl+Alt+Space" ||
			bs[1].Action != backend.ShortcutPushToTalk || bs[1].Accel.Key != "F13" || bs[1].Accel.Mods != 0 {
			t.Errorf("Bindings() = %+v", bs)
		}
		if n := s.Normalized(); n.ShowHide != "Ctrl+Alt+Space" || n.Preview != "" {
			t.Errorf("Normalized() = %+v", n)
		}
	})
}

func TestSettings_SetShortcuts(t *testing.T) {
	f := newExecFixture(t)
	in := backend.Shortcuts{ShowHide: "super+space", Skip: " ctrl+alt+k "}
	got, err := f.q.Settings.SetShortcuts(f.ctx, in, backend.ActorClick)
	if err != nil {
		t.Fatal(err)
	}
	want := backend.Shortcuts{ShowHide: "Super+Space", Skip: "Ctrl+Alt+K"}
	if got != want {
		t.Errorf("SetShortcuts() = %+v, want %+v", got, want)
	}
	st, err := f.q.Settings.Get(f.ctx)
	if err != nil || st.Shortcuts != want {
		t.Errorf("stored %+v, %v; want %+v", st.Shortcuts, err, want)
	}
	list, _, err := f.q.Audit.Entries(f.ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, e := range list {
		found = found || (e.Action == backend.AuditSettings && e.Detail == "global shortcuts: show_hide=Super+Space, preview=off, skip=Ctrl+Alt+K, push_to_talk=off")
	}
	if !found {
		t.Errorf("no audit entry for the change in %+v", list)
	}
	t.Run("ErrInvalid", func(t *testing.T) {
		if _, err := f.q.Settings.SetShortcuts(f.ctx, backend.Shortcuts{Preview: "Ctrl+Alt+Nope"}, backend.ActorClick); backend.ErrorCode(err) != backend.EINVALID {
			t.Errorf("SetShortcuts(bad) = %v, want invalid", err)
		}
		if st, _ := f.q.Settings.Get(f.ctx); st.Shortcuts != want {
			t.Errorf("a refused change was stored: %+v", st.Shortcuts)
		}
	})
}
