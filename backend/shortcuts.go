package backend

import (
	"context"
	"fmt"
	"strings"
)

// Global shortcuts: key combinations that reach CaseyOS while another app
// has focus (connectors/hotkey grabs them from the OS). The settings hold
// one accelerator per action; an empty one is off.

// ShortcutAction names what a global shortcut does.
type ShortcutAction string

// The actions a global shortcut can have.
const (
	// ShortcutShowHide shows the window (raised) or hides it.
	ShortcutShowHide ShortcutAction = "show_hide"
	// ShortcutPreview opens the window on the top move's preview; it never
	// executes: that stays a key or a click in the window.
	ShortcutPreview ShortcutAction = "preview"
	// ShortcutSkip skips the top move (undoable with z, like the s key).
	ShortcutSkip ShortcutAction = "skip"
	// ShortcutPushToTalk listens while held.
	ShortcutPushToTalk ShortcutAction = "push_to_talk"
)

// ShortcutActions are every action, in the order Settings lists them.
var ShortcutActions = []ShortcutAction{ShortcutShowHide, ShortcutPreview, ShortcutSkip, ShortcutPushToTalk}

// Label is how Settings names the action.
func (a ShortcutAction) Label() string {
	switch a {
	case ShortcutShowHide:
		return "Show or hide CaseyOS"
	case ShortcutPreview:
		return "Open the top move's preview"
	case ShortcutSkip:
		return "Skip the top move"
	case ShortcutPushToTalk:
		return "Push to talk (hold)"
	}
	return string(a)
}

// Shortcuts are the global shortcuts' accelerators ("Ctrl+Alt+Space"); ""
// turns that shortcut off.
type Shortcuts struct {
	ShowHide   string
	Preview    string
	Skip       string
	PushToTalk string
}

// DefaultShortcuts are what a new workspace, and a file from before
// shortcuts, has.
func DefaultShortcuts() Shortcuts {
	return Shortcuts{ShowHide: "Ctrl+Alt+Space", Preview: "Ctrl+Alt+P", Skip: "Ctrl+Alt+S", PushToTalk: "Ctrl+Alt+V"}
}

// Get is the accelerator of action a.
func (s Shortcuts) Get(a ShortcutAction) string {
	switch a {
	case ShortcutShowHide:
		return s.ShowHide
	case ShortcutPreview:
		return s.Preview
	case ShortcutSkip:
		return s.Skip
	case ShortcutPushToTalk:
		return s.PushToTalk
	}
	return ""
}

// Set sets the accelerator of action a.
func (s *Shortcuts) Set(a ShortcutAction, accel string) {
	switch a {
	case ShortcutShowHide:
		s.ShowHide = accel
	case ShortcutPreview:
		s.Preview = accel
	case ShortcutSkip:
		s.Skip = accel
	case ShortcutPushToTalk:
		s.PushToTalk = accel
	}
}

// Validate parses every accelerator, naming the first it cannot, and
// refuses one combination for two actions.
func (s Shortcuts) Validate() error {
	seen := map[string]ShortcutAction{}
	for _, a := range ShortcutActions {
		raw := s.Get(a)
		if strings.TrimSpace(raw) == "" {
			continue
		}
		acc, err := ParseAccelerator(raw)
		if err != nil {
			return Errorf(EINVALID, "%s: %s", a.Label(), ErrorMessage(err))
		}
		if other, ok := seen[acc.String()]; ok {
			return Errorf(EINVALID, "%s and %s are both %s: give each its own keys", other.Label(), a.Label(), acc)
		}
		seen[acc.String()] = a
	}
	return nil
}

// Normalized is s with every accelerator written canonically
// ("alt+ctrl+space" → "Ctrl+Alt+Space"); call it on valid settings.
func (s Shortcuts) Normalized() Shortcuts {
	out := s
	for _, a := range ShortcutActions {
		raw := strings.TrimSpace(s.Get(a))
		if acc, err := ParseAccelerator(raw); err == nil {
			raw = acc.String()
		}
		out.Set(a, raw)
	}
	return out
}

// Modifiers are the modifier keys of an accelerator.
type Modifiers uint8

// The modifiers. Alt is ⌥ Option on macOS and Super is ⌘ Command there
// (the Windows or logo key elsewhere).
const (
	ModCtrl Modifiers = 1 << iota
	ModAlt
	ModShift
	ModSuper
)

// Accelerator is one parsed key combination.
type Accelerator struct {
	Mods Modifiers
	// Key is the key's canonical name: "A"–"Z", "0"–"9", "F1"–"F24", or
	// one of the named keys (Space, Enter, Tab, …; see namedKeys).
	Key string
}

// namedKeys maps the names an accelerator may use (lower case) to the
// canonical one.
var namedKeys = map[string]string{
	"space": "Space", "enter": "Enter", "return": "Enter", "tab": "Tab",
	"esc": "Escape", "escape": "Escape", "backspace": "Backspace",
	"delete": "Delete", "del": "Delete", "insert": "Insert", "ins": "Insert",
	"home": "Home", "end": "End", "pageup": "PageUp", "pgup": "PageUp", "pagedown": "PageDown", "pgdn": "PageDown",
	"up": "Up", "down": "Down", "left": "Left", "right": "Right",
	"minus": "Minus", "-": "Minus", "equal": "Equal", "=": "Equal", "comma": "Comma", ",": "Comma",
	"period": "Period", ".": "Period", "slash": "Slash", "/": "Slash", "semicolon": "Semicolon", ";": "Semicolon",
	"backslash": "Backslash", "\\": "Backslash", "grave": "Grave", "`": "Grave", "quote": "Quote", "'": "Quote",
	"bracketleft": "BracketLeft", "[": "BracketLeft", "bracketright": "BracketRight", "]": "BracketRight",
}

var modifierNames = map[string]Modifiers{
	"ctrl": ModCtrl, "control": ModCtrl, "ctl": ModCtrl,
	"alt": ModAlt, "option": ModAlt, "opt": ModAlt, "⌥": ModAlt,
	"shift": ModShift, "⇧": ModShift,
	"super": ModSuper, "cmd": ModSuper, "command": ModSuper, "meta": ModSuper, "win": ModSuper, "logo": ModSuper, "⌘": ModSuper,
	"⌃": ModCtrl,
}

// ParseAccelerator reads "Ctrl+Alt+Space": modifiers (Ctrl, Alt/Option,
// Shift, Super/Cmd), then one key, joined by "+", in any case. A key needs
// Ctrl, Alt or Super with it — a global shortcut on a bare letter would
// take that letter from every app — except the function keys.
func ParseAccelerator(s string) (Accelerator, error) {
	raw := strings.TrimSpace(s)
	if raw == "" {
		return Accelerator{}, Errorf(EINVALID, "no keys given")
	}
	if len(raw) > 64 {
		return Accelerator{}, Errorf(EINVALID, "%.20q… is too long for a key combination", raw)
	}
	parts := strings.Split(raw, "+")
	// "Ctrl++" is Ctrl and the plus key: not supported; say so plainly.
	var acc Accelerator
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			return Accelerator{}, Errorf(EINVALID, "%q: an empty part between the + signs (write keys as Ctrl+Alt+Space)", raw)
		}
		last := i == len(parts)-1
		if m, ok := modifierNames[strings.ToLower(p)]; ok {
			if last {
				return Accelerator{}, Errorf(EINVALID, "%q ends with the modifier %s: add a key after it, such as Space", raw, p)
			}
			if acc.Mods&m != 0 {
				return Accelerator{}, Errorf(EINVALID, "%q names %s twice", raw, p)
			}
			acc.Mods |= m
			continue
		}
		if !last {
			return Accelerator{}, Errorf(EINVALID, "%q: %q is not a modifier (Ctrl, Alt, Shift, Super) and only the last part is the key", raw, p)
		}
		key, ok := keyName(p)
		if !ok {
			return Accelerator{}, Errorf(EINVALID, "%q: %q is not a key CaseyOS knows (letters, digits, F1–F24, Space, Enter, Tab, Escape, arrows, Home, End, PageUp, PageDown, Insert, Delete, punctuation)", raw, p)
		}
		acc.Key = key
	}
	if acc.Mods&(ModCtrl|ModAlt|ModSuper) == 0 && !acc.IsFunctionKey() {
		return Accelerator{}, Errorf(EINVALID, "%q would take that key from every app: add Ctrl, Alt or Super (only F1–F24 may stand alone)", raw)
	}
	return acc, nil
}

func keyName(p string) (string, bool) {
	if len(p) == 1 {
		c := p[0]
		switch {
		case c >= 'a' && c <= 'z':
			return string(c - 'a' + 'A'), true
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			return p, true
		}
	}
	lower := strings.ToLower(p)
	if n, ok := namedKeys[lower]; ok {
		return n, true
	}
	if len(lower) >= 2 && lower[0] == 'f' {
		var n int
		if _, err := fmt.Sscanf(lower[1:], "%d", &n); err == nil && fmt.Sprint(n) == lower[1:] && n >= 1 && n <= 24 {
			return fmt.Sprintf("F%d", n), true
		}
	}
	return "", false
}

// IsFunctionKey says whether the key is F1–F24.
func (a Accelerator) IsFunctionKey() bool {
	return len(a.Key) >= 2 && a.Key[0] == 'F' && a.Key[1] >= '0' && a.Key[1] <= '9'
}

// String writes a canonically: Ctrl+Alt+Shift+Super+Key.
func (a Accelerator) String() string {
	var b strings.Builder
	for _, m := range []struct {
		m    Modifiers
		name string
	}{{ModCtrl, "Ctrl"}, {ModAlt, "Alt"}, {ModShift, "Shift"}, {ModSuper, "Super"}} {
		if a.Mods&m.m != 0 {
			b.WriteString(m.name)
			b.WriteByte('+')
		}
	}
	b.WriteString(a.Key)
	return b.String()
}

// ShortcutState is where one global shortcut stands on this machine.
type ShortcutState string

// Shortcut states.
const (
	ShortcutActive      ShortcutState = "active"      // grabbed: it works while other apps have focus
	ShortcutTaken       ShortcutState = "taken"       // another app holds that combination
	ShortcutUnsupported ShortcutState = "unsupported" // this desktop offers no global shortcuts (or not that key)
	ShortcutOff         ShortcutState = "off"         // no keys set
	ShortcutFailed      ShortcutState = "failed"      // the OS refused for another reason (Message says)
)

// ShortcutBinding is one shortcut to grab.
type ShortcutBinding struct {
	Action ShortcutAction
	Accel  Accelerator
}

// ShortcutStatus is how grabbing one shortcut went.
type ShortcutStatus struct {
	Action ShortcutAction
	// Accelerator is the combination asked for; Trigger is what the desktop
	// says it bound, where it chooses (the portal), else "".
	Accelerator string
	Trigger     string
	State       ShortcutState
	Message     string // why, for taken, unsupported and failed
}

// Bindings are the shortcuts that are set, parsed; call on valid settings.
func (s Shortcuts) Bindings() []ShortcutBinding {
	var out []ShortcutBinding
	for _, a := range ShortcutActions {
		raw := strings.TrimSpace(s.Get(a))
		if raw == "" {
			continue
		}
		if acc, err := ParseAccelerator(raw); err == nil {
			out = append(out, ShortcutBinding{Action: a, Accel: acc})
		}
	}
	return out
}

// ShortcutEvent is a global shortcut pressed (Down) or released.
type ShortcutEvent struct {
	Action ShortcutAction
	Down   bool
}

// GlobalShortcuts grabs key combinations from the whole desktop
// (connectors/hotkey: X11, the XDG desktop portal, macOS). Events go to the
// handler it was opened with.
type GlobalShortcuts interface {
	// Bind replaces every grabbed shortcut with bs and says, per binding,
	// how it went (in the order of bs).
	Bind(ctx context.Context, bs []ShortcutBinding) []ShortcutStatus
	// Note says why nothing can be grabbed here ("" where shortcuts work).
	Note() string
	Close() error
}

// SetShortcuts stores the global shortcuts (validated, written
// canonically), with the change in the audit log. Nothing is re-scored.
func (s *SettingsService) SetShortcuts(ctx context.Context, sc Shortcuts, actor Actor) (Shortcuts, error) {
	if err := sc.Validate(); err != nil {
		return Shortcuts{}, err
	}
	sc = sc.Normalized()
	var parts []string
	for _, a := range ShortcutActions {
		v := sc.Get(a)
		if v == "" {
			v = "off"
		}
		parts = append(parts, string(a)+"="+v)
	}
	err := s.store.Update(ctx, func(tx Tx) error {
		st, err := tx.Settings()
		if err != nil {
			return err
		}
		st.Shortcuts = sc
		if err := tx.PutSettings(st); err != nil {
			return err
		}
		return tx.AppendAudit(&AuditEntry{At: s.clock.Now(), Actor: actor, Action: AuditSettings, Detail: "global shortcuts: " + strings.Join(parts, ", ")})
	})
	if err != nil {
		return Shortcuts{}, WrapError("set shortcuts", err)
	}
	return sc, nil
}
