//go:build desktop && !(linux && cgo)

package wmclose

import "errors"

// Close needs X11 (Linux, cgo).
func Close(display string, wid uint64) error {
	return errors.New("closing a window by its client message needs X11 (Linux, cgo)")
}
