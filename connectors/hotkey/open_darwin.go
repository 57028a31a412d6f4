//go:build darwin

package hotkey

import "github.com/caseyos/caseyos/backend"

// Open returns macOS's global shortcuts (Carbon's RegisterEventHotKey),
// events going to h. env is unused here.
func Open(_ func(string) string, h Handler) backend.GlobalShortcuts {
	c, err := openCarbon(h)
	if err != nil {
		return Unsupported{Why: backend.ErrorMessage(err)}
	}
	return c
}
