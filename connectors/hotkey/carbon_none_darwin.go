//go:build darwin && !cgo

package hotkey

import "github.com/caseyos/caseyos/backend"

func openCarbon(Handler) (backend.GlobalShortcuts, error) {
	return nil, backend.Errorf(backend.EUNAVAILABLE, "This caseyos was built without cgo, so it has no macOS global shortcuts")
}
