//go:build linux && !(cgo && desktop)

package hotkey

import "github.com/caseyos/caseyos/backend"

// X11 grabs need cgo and libX11, which only the desktop build links.
func openX11(string, Handler) (backend.GlobalShortcuts, error) {
	return nil, backend.Errorf(backend.EUNAVAILABLE, "This caseyos was built without the desktop window, so it has no X11 global shortcuts")
}
