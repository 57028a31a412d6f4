package hotkey

import (
	"context"
	"fmt"

	"github.com/caseyos/caseyos/backend"
)

// Handler receives the shortcuts' presses and releases, one at a time and
// in order, on a goroutine of the package's own (never the X or D-Bus
// reader: it may block).
type Handler func(backend.ShortcutEvent)

// dispatcher hands events to a Handler in order without blocking the
// reader that produced them.
type dispatcher struct {
	ch   chan backend.ShortcutEvent
	done chan struct{}
}

func newDispatcher(h Handler) *dispatcher {
	d := &dispatcher{ch: make(chan backend.ShortcutEvent, 64), done: make(chan struct{})}
	go func() {
		defer close(d.done)
		for ev := range d.ch {
			if h != nil {
				h(ev)
			}
		}
	}()
	return d
}

// send queues ev; when the handler is this far behind, a press is dropped
// rather than the reader stalled (a release is always kept, so a
// push-to-talk never sticks down).
func (d *dispatcher) send(ev backend.ShortcutEvent) {
	if ev.Down {
		select {
		case d.ch <- ev:
		default:
		}
		return
	}
	d.ch <- ev
}

// close stops the dispatcher after the queued events ran.
func (d *dispatcher) close() {
	close(d.ch)
	<-d.done
}

// Unsupported is the GlobalShortcuts of a desktop that offers none: every
// binding is reported unsupported with the note.
type Unsupported struct{ Why string }

var _ backend.GlobalShortcuts = Unsupported{}

// Bind reports every binding unsupported.
func (u Unsupported) Bind(_ context.Context, bs []backend.ShortcutBinding) []backend.ShortcutStatus {
	out := make([]backend.ShortcutStatus, len(bs))
	for i, b := range bs {
		out[i] = backend.ShortcutStatus{Action: b.Action, Accelerator: b.Accel.String(), State: backend.ShortcutUnsupported, Message: u.Why}
	}
	return out
}

// Note is why there are no global shortcuts here.
func (u Unsupported) Note() string { return u.Why }

// Close does nothing.
func (Unsupported) Close() error { return nil }

// NoteNoPortal is what Settings says on a Wayland desktop whose portal has
// no GlobalShortcuts.
const NoteNoPortal = "Your desktop does not offer global shortcuts (its XDG desktop portal has no GlobalShortcuts interface): use the tray icon or the window's own keys."

func takenMessage(acc backend.Accelerator) string {
	return fmt.Sprintf("Another app already uses %s: choose other keys, or free them in that app", acc)
}
