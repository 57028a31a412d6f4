package hotkey

import (
	"strings"

	"github.com/caseyos/caseyos/backend"
)

// keysymName is the X keysym (and xkb) name of an accelerator's key, as
// XStringToKeysym and the XDG shortcuts specification spell it.
func keysymName(key string) string {
	if len(key) == 1 {
		return strings.ToLower(key) // "a", "1"
	}
	if n, ok := keysymNames[key]; ok {
		return n
	}
	return key // F1–F24
}

var keysymNames = map[string]string{
	"Space": "space", "Enter": "Return", "Tab": "Tab", "Escape": "Escape", "Backspace": "BackSpace",
	"Delete": "Delete", "Insert": "Insert", "Home": "Home", "End": "End", "PageUp": "Prior", "PageDown": "Next",
	"Up": "Up", "Down": "Down", "Left": "Left", "Right": "Right",
	"Minus": "minus", "Equal": "equal", "Comma": "comma", "Period": "period", "Slash": "slash",
	"Semicolon": "semicolon", "Backslash": "backslash", "Grave": "grave", "Quote": "apostrophe",
	"BracketLeft": "bracketleft", "BracketRight": "bracketright",
}

// portalTrigger writes acc as the XDG shortcuts specification does for a
// preferred trigger: "CTRL+ALT+space".
func portalTrigger(acc backend.Accelerator) string {
	var parts []string
	for _, m := range []struct {
		m    backend.Modifiers
		name string
	}{{backend.ModCtrl, "CTRL"}, {backend.ModAlt, "ALT"}, {backend.ModShift, "SHIFT"}, {backend.ModSuper, "LOGO"}} {
		if acc.Mods&m.m != 0 {
			parts = append(parts, m.name)
		}
	}
	return strings.Join(append(parts, keysymName(acc.Key)), "+")
}

// macKeyCodes are the macOS virtual key codes (HIToolbox's kVK_*) of the
// keys an accelerator may name; F21–F24 have none.
var macKeyCodes = map[string]uint32{
	"A": 0x00, "S": 0x01, "D": 0x02, "F": 0x03, "H": 0x04, "G": 0x05, "Z": 0x06, "X": 0x07, "C": 0x08, "V": 0x09,
	"B": 0x0B, "Q": 0x0C, "W": 0x0D, "E": 0x0E, "R": 0x0F, "Y": 0x10, "T": 0x11,
	"1": 0x12, "2": 0x13, "3": 0x14, "4": 0x15, "6": 0x16, "5": 0x17, "Equal": 0x18, "9": 0x19, "7": 0x1A,
	"Minus": 0x1B, "8": 0x1C, "0": 0x1D, "BracketRight": 0x1E, "O": 0x1F, "U": 0x20, "BracketLeft": 0x21,
	"I": 0x22, "P": 0x23, "Enter": 0x24, "L": 0x25, "J": 0x26, "Quote": 0x27, "K": 0x28, "Semicolon": 0x29,
	"Backslash": 0x2A, "Comma": 0x2B, "Slash": 0x2C, "N": 0x2D, "M": 0x2E, "Period": 0x2F,
	"Tab": 0x30, "Space": 0x31, "Grave": 0x32, "Backspace": 0x33, "Escape": 0x35,
	"F17": 0x40, "F18": 0x4F, "F19": 0x50, "F20": 0x5A, "F5": 0x60, "F6": 0x61, "F7": 0x62, "F3": 0x63,
	"F8": 0x64, "F9": 0x65, "F11": 0x67, "F13": 0x69, "F16": 0x6A, "F14": 0x6B, "F10": 0x6D, "F12": 0x6F,
	"F15": 0x71, "Insert": 0x72, "Home": 0x73, "PageUp": 0x74, "Delete": 0x75, "F4": 0x76, "End": 0x77,
	"F2": 0x78, "PageDown": 0x79, "F1": 0x7A, "Left": 0x7B, "Right": 0x7C, "Down": 0x7D, "Up": 0x7E,
}

// Carbon's modifier bits (Events.h: cmdKey, shiftKey, optionKey, controlKey).
const (
	macCmd     = 0x0100
	macShift   = 0x0200
	macOption  = 0x0800
	macControl = 0x1000
)

// macModifiers are acc's modifiers as RegisterEventHotKey takes them: Alt
// is ⌥ Option, Super is ⌘ Command.
func macModifiers(acc backend.Accelerator) uint32 {
	var m uint32
	if acc.Mods&backend.ModCtrl != 0 {
		m |= macControl
	}
	if acc.Mods&backend.ModAlt != 0 {
		m |= macOption
	}
	if acc.Mods&backend.ModShift != 0 {
		m |= macShift
	}
	if acc.Mods&backend.ModSuper != 0 {
		m |= macCmd
	}
	return m
}
