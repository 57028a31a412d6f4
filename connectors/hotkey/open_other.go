//go:build !linux && !darwin

package hotkey

import (
	"runtime"

	"github.com/caseyos/caseyos/backend"
)

// Open returns Unsupported: CaseyOS has global shortcuts on Linux (X11,
// the Wayland portal) and macOS only.
func Open(_ func(string) string, _ Handler) backend.GlobalShortcuts {
	return Unsupported{Why: "Global shortcuts are not supported on " + runtime.GOOS + " yet."}
}
