//go:build linux && cgo && desktop

package hotkey

import "github.com/caseyos/caseyos/backend"

func openX11(display string, h Handler) (backend.GlobalShortcuts, error) {
	x, err := OpenX11(display, h)
	if err != nil {
		return nil, err
	}
	return x, nil
}
