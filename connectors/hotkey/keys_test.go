package hotkey

import (
	"fmt"
	"testing"

	"github.com/caseyos/caseyos/backend"
)

// Every key an accelerator may name has an X keysym name and, but for
// F21–F24, a Mac key code, and no two keys share a Mac key code.
func TestKeys(t *testing.T) {
	var keys []string
	for c := 'A'; c <= 'Z'; c++ {
		keys = append(keys, string(c))
	}
	for c := '0'; c <= '9'; c++ {
		keys = append(keys, string(c))
	}
	for n := 1; n <= 24; n++ {
		keys = append(keys, fmt.Sprintf("F%d", n))
	}
	keys = append(keys, "Space", "Enter", "Tab", "Escape", "Backspace", "Delete", "Insert", "Home", "End", "PageUp", "PageDown",
		"Up", "Down", "Left", "Right", "Minus", "Equal", "Comma", "Period", "Slash", "Semicolon", "Backslash", "Grave", "Quote",
		"BracketLeft", "BracketRight")
	codes := map[uint32]string{}
	for _, k := range keys {
		acc, err := backend.ParseAccelerator("Ctrl+" + k)
		if err != nil || acc.Key != k {
			t.Errorf("ParseAccelerator(Ctrl+%s) = %v, %v", k, acc, err)
			continue
		}
		if n := keysymName(k); n == "" || (len(k) > 1 && k[0] != 'F' && n == k && keysymNames[k] == "") {
			t.Errorf("keysymName(%s) = %q", k, n)
		}
		code, ok := macKeyCodes[k]
		if !ok {
			if k != "F21" && k != "F22" && k != "F23" && k != "F24" {
				t.Errorf("no Mac key code for %s", k)
			}
			continue
		}
		if other, dup := codes[code]; dup {
			t.Errorf("%s and %s share Mac key code %#x", k, other, code)
		}
		codes[code] = k
	}
	acc, _ := backend.ParseAccelerator("Ctrl+Alt+Shift+Super+Space")
	if got := macModifiers(acc); got != macControl|macOption|macShift|macCmd {
		t.Errorf("macModifiers = %#x", got)
	}
	if got := portalTrigger(acc); got != "CTRL+ALT+SHIFT+LOGO+space" {
		t.Errorf("portalTrigger = %q", got)
	}
}
