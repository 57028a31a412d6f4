//go:build desktop

package app

import "github.com/wailsapp/wails/v2/pkg/runtime"

// eventMoveOpen asks the page to open one move's preview (the frontend's
// moveopen.ts). It goes only to this window, never through the Broker: a
// browser on `caseyos serve` has no window to bring forward.
const eventMoveOpen = "move:open"

// MoveOpenEvent is the payload of move:open.
type MoveOpenEvent struct {
	ID uint64 `json:"id"`
}

// openMove shows the window, raises it over whatever has focus, and asks
// the page to open move id's preview. It never executes anything: carrying
// the move out stays a key or a click in the window. id 0 only shows the
// window. The global shortcuts, a notification's "Open" and the tray call
// it; safe from any goroutine, and a no-op before startup or once closing.
func (d *desktop) openMove(id uint64) {
	d.mu.Lock()
	wctx, closing := d.ctx, d.closing
	if wctx != nil && !closing {
		d.hidden = false
	}
	d.mu.Unlock()
	if wctx == nil || closing {
		return
	}
	runtime.WindowShow(wctx)
	// On Linux this is gtk_window_present: it also raises and focuses a
	// window that was shown but behind others.
	runtime.WindowUnminimise(wctx)
	if id != 0 {
		runtime.EventsEmit(wctx, eventMoveOpen, MoveOpenEvent{ID: id})
	}
}
