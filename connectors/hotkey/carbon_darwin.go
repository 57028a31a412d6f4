//go:build darwin && cgo

package hotkey

/*
#cgo LDFLAGS: -framework Carbon
#include <Carbon/Carbon.h>
#include <dispatch/dispatch.h>
#include <pthread.h>

extern void hkCarbonEvent(uint32_t id, int down);

static OSStatus hk_carbon_handler(EventHandlerCallRef next, EventRef ev, void *data) {
	EventHotKeyID hk;
	if (GetEventParameter(ev, kEventParamDirectObject, typeEventHotKeyID, NULL, sizeof(hk), NULL, &hk) != noErr)
		return eventNotHandledErr;
	hkCarbonEvent(hk.id, GetEventKind(ev) == kEventHotKeyPressed);
	return noErr;
}

// One call on the main thread (Carbon's event target lives there).
typedef struct {
	int op;             // 0 install, 1 register, 2 unregister
	UInt32 keycode, mods, id;
	EventHotKeyRef ref;
	OSStatus status;
} hk_carbon_call;

static EventHandlerRef hk_carbon_installed;

static void hk_carbon_run(void *p) {
	hk_carbon_call *c = p;
	switch (c->op) {
	case 0:
		if (hk_carbon_installed) { c->status = noErr; return; }
		{
			EventTypeSpec types[2] = {{kEventClassKeyboard, kEventHotKeyPressed}, {kEventClassKeyboard, kEventHotKeyReleased}};
			c->status = InstallEventHandler(GetApplicationEventTarget(), NewEventHandlerUPP(hk_carbon_handler), 2, types, NULL, &hk_carbon_installed);
		}
		return;
	case 1: {
		EventHotKeyID hk = {'CsOS', c->id};
		c->status = RegisterEventHotKey(c->keycode, c->mods, hk, GetApplicationEventTarget(), 0, &c->ref);
		return;
	}
	case 2:
		c->status = UnregisterEventHotKey(c->ref);
		return;
	}
}

static void hk_carbon_do(hk_carbon_call *c) {
	if (pthread_main_np()) hk_carbon_run(c);
	else dispatch_sync_f(dispatch_get_main_queue(), c, hk_carbon_run);
}

static OSStatus hk_carbon_install(void) {
	hk_carbon_call c = {0};
	hk_carbon_do(&c);
	return c.status;
}

static OSStatus hk_carbon_register(UInt32 keycode, UInt32 mods, UInt32 id, EventHotKeyRef *ref) {
	hk_carbon_call c = {1, keycode, mods, id, NULL, 0};
	hk_carbon_do(&c);
	*ref = c.ref;
	return c.status;
}

static void hk_carbon_unregister(EventHotKeyRef ref) {
	hk_carbon_call c = {2, 0, 0, 0, ref, 0};
	hk_carbon_do(&c);
}
*/
import "C"

import (
	"context"
	"fmt"
	"sync"

	"github.com/caseyos/caseyos/backend"
)

// Carbon registers global shortcuts with RegisterEventHotKey. The events
// arrive on the main thread's event loop (the window's), so they work
// only while the app runs one.
type Carbon struct {
	on *dispatcher

	// mu serializes Bind and Close, which wait for the main thread; evMu
	// guards what the handler reads on the main thread, and is never held
	// while waiting for it.
	mu   sync.Mutex
	refs []C.EventHotKeyRef
	evMu sync.Mutex
	ids  map[uint32]backend.ShortcutAction
	down map[uint32]bool
}

var _ backend.GlobalShortcuts = (*Carbon)(nil)

// carbonActive is the Carbon the process's handler reports to (one app,
// one set of shortcuts).
var (
	carbonMu     sync.Mutex
	carbonActive *Carbon
)

func openCarbon(h Handler) (backend.GlobalShortcuts, error) {
	if st := C.hk_carbon_install(); st != C.noErr {
		return nil, backend.Errorf(backend.EUNAVAILABLE, "macOS refused the global shortcut handler (OSStatus %d)", int(st))
	}
	c := &Carbon{on: newDispatcher(h), ids: map[uint32]backend.ShortcutAction{}, down: map[uint32]bool{}}
	carbonMu.Lock()
	carbonActive = c
	carbonMu.Unlock()
	return c, nil
}

func carbonEvent(id uint32, down bool) {
	carbonMu.Lock()
	c := carbonActive
	carbonMu.Unlock()
	if c == nil {
		return
	}
	c.evMu.Lock()
	a, ok := c.ids[id]
	if ok {
		if c.down[id] == down {
			ok = false // a repeat
		}
		c.down[id] = down
	}
	c.evMu.Unlock()
	if ok {
		c.on.send(backend.ShortcutEvent{Action: a, Down: down})
	}
}

// unregisterAll drops every registration (c.mu held); a shortcut held
// down is released.
func (c *Carbon) unregisterAll() {
	c.evMu.Lock()
	var held []backend.ShortcutAction
	for id, d := range c.down {
		if d {
			held = append(held, c.ids[id])
		}
	}
	c.ids, c.down = map[uint32]backend.ShortcutAction{}, map[uint32]bool{}
	c.evMu.Unlock()
	for _, a := range held {
		c.on.send(backend.ShortcutEvent{Action: a, Down: false})
	}
	for _, r := range c.refs {
		C.hk_carbon_unregister(r)
	}
	c.refs = nil
}

// Bind unregisters every shortcut and registers bs.
func (c *Carbon) Bind(_ context.Context, bs []backend.ShortcutBinding) []backend.ShortcutStatus {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.unregisterAll()
	ids := map[uint32]backend.ShortcutAction{}
	out := make([]backend.ShortcutStatus, len(bs))
	for i, b := range bs {
		out[i] = backend.ShortcutStatus{Action: b.Action, Accelerator: b.Accel.String()}
		code, ok := macKeyCodes[b.Accel.Key]
		if !ok {
			out[i].State, out[i].Message = backend.ShortcutUnsupported, fmt.Sprintf("A Mac keyboard has no %s key", b.Accel.Key)
			continue
		}
		id := uint32(i + 1)
		var ref C.EventHotKeyRef
		st := C.hk_carbon_register(C.UInt32(code), C.UInt32(macModifiers(b.Accel)), C.UInt32(id), &ref)
		switch st {
		case C.noErr:
			c.refs = append(c.refs, ref)
			ids[id] = b.Action
			out[i].State = backend.ShortcutActive
		case C.eventHotKeyExistsErr:
			out[i].State, out[i].Message = backend.ShortcutTaken, takenMessage(b.Accel)
		default:
			out[i].State, out[i].Message = backend.ShortcutFailed, fmt.Sprintf("macOS refused %s (OSStatus %d)", b.Accel, int(st))
		}
	}
	c.evMu.Lock()
	c.ids = ids
	c.evMu.Unlock()
	return out
}

// Note is "": macOS always has global shortcuts.
func (c *Carbon) Note() string { return "" }

// Close unregisters every shortcut.
func (c *Carbon) Close() error {
	c.mu.Lock()
	c.unregisterAll()
	c.mu.Unlock()
	carbonMu.Lock()
	if carbonActive == c {
		carbonActive = nil
	}
	carbonMu.Unlock()
	c.on.close()
	return nil
}
