//go:build linux && cgo && desktop

package hotkey

/*
#cgo pkg-config: x11
#include <X11/Xlib.h>
#include <X11/XKBlib.h>
#include <X11/keysym.h>
#include <X11/Xproto.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

// Xlib has one error handler per process, and GTK has installed its own
// by the time the window starts. Ours takes the errors of our connections
// and hands every other display's to the handler it replaced.
#define HK_MAX 16
static Display *hk_ours[HK_MAX];
static Display *hk_grabbing;     // the connection whose grab is being checked
static int hk_grab_error;        // the first error code seen for it
static int (*hk_prev)(Display *, XErrorEvent *);

static int hk_on_error(Display *d, XErrorEvent *e) {
	if (d == hk_grabbing) {
		if (!hk_grab_error) hk_grab_error = e->error_code;
		return 0;
	}
	for (int i = 0; i < HK_MAX; i++)
		if (hk_ours[i] == d) return 0;
	if (hk_prev) return hk_prev(d, e);
	return 0;
}

// hk_install makes ours the handler (again, if someone replaced it since).
static void hk_install(void) {
	int (*cur)(Display *, XErrorEvent *) = XSetErrorHandler(hk_on_error);
	if (cur != hk_on_error) hk_prev = cur;
}

static Display *hk_open(const char *name) {
	Display *d = XOpenDisplay(name);
	if (!d) return NULL;
	for (int i = 0; i < HK_MAX; i++)
		if (!hk_ours[i]) { hk_ours[i] = d; break; }
	hk_install();
	// A held key repeats as presses only, not release+press pairs.
	Bool supported = False;
	XkbSetDetectableAutoRepeat(d, True, &supported);
	XSelectInput(d, DefaultRootWindow(d), KeyPressMask | KeyReleaseMask);
	return d;
}

static void hk_close(Display *d) {
	XCloseDisplay(d);
	for (int i = 0; i < HK_MAX; i++)
		if (hk_ours[i] == d) hk_ours[i] = NULL;
}

// hk_modmask is the modifier mask the key with keysym sym sets (Alt, Super,
// NumLock sit on Mod1–Mod5 as the keymap says); 0 when none.
static unsigned int hk_modmask(Display *d, KeySym sym) {
	KeyCode kc = XKeysymToKeycode(d, sym);
	if (!kc) return 0;
	XModifierKeymap *mm = XGetModifierMapping(d);
	if (!mm) return 0;
	unsigned int mask = 0;
	for (int m = 0; m < 8 && !mask; m++)
		for (int k = 0; k < mm->max_keypermod; k++)
			if (mm->modifiermap[m * mm->max_keypermod + k] == kc) { mask = 1u << m; break; }
	XFreeModifiermap(mm);
	return mask;
}

static int hk_keycode(Display *d, const char *name) {
	KeySym sym = XStringToKeysym(name);
	if (sym == NoSymbol) return 0;
	return XKeysymToKeycode(d, sym);
}

// hk_grab grabs keycode with mods on the root window, with each variant of
// the lock modifiers (CapsLock, NumLock) that should not matter, and says
// how it went: 0, or the X error (BadAccess: another client has it). A
// failed grab leaves none of its variants grabbed.
static int hk_grab(Display *d, int keycode, unsigned int mods, unsigned int numlock) {
	Window root = DefaultRootWindow(d);
	unsigned int extra[4] = {0, LockMask, numlock, numlock | LockMask};
	int n = numlock ? 4 : 2;
	hk_grabbing = d;
	hk_grab_error = 0;
	hk_install();
	for (int i = 0; i < n; i++)
		XGrabKey(d, keycode, mods | extra[i], root, False, GrabModeAsync, GrabModeAsync);
	XSync(d, False);
	int err = hk_grab_error;
	if (err) {
		for (int i = 0; i < n; i++)
			XUngrabKey(d, keycode, mods | extra[i], root);
		XSync(d, False);
	}
	hk_grabbing = NULL;
	return err;
}

static void hk_ungrab_all(Display *d) {
	XUngrabKey(d, AnyKey, AnyModifier, DefaultRootWindow(d));
	XSync(d, False);
}

// hk_next returns the next key event: 1 a press, 2 a release (an
// autorepeat's release+press pair, where the server sends them, is
// dropped), 0 when woken through wakefd, -1 when the connection is gone.
static int hk_next(Display *d, int wakefd, int *keycode, unsigned int *state) {
	for (;;) {
		while (XPending(d) > 0) {
			XEvent ev;
			XNextEvent(d, &ev);
			if (ev.type == KeyPress) {
				*keycode = ev.xkey.keycode;
				*state = ev.xkey.state;
				return 1;
			}
			if (ev.type == KeyRelease) {
				if (XEventsQueued(d, QueuedAfterReading) > 0) {
					XEvent nx;
					XPeekEvent(d, &nx);
					if (nx.type == KeyPress && nx.xkey.keycode == ev.xkey.keycode && nx.xkey.time == ev.xkey.time) {
						XNextEvent(d, &nx);
						continue;
					}
				}
				*keycode = ev.xkey.keycode;
				*state = ev.xkey.state;
				return 2;
			}
		}
		struct pollfd p[2] = {{ConnectionNumber(d), POLLIN, 0}, {wakefd, POLLIN, 0}};
		if (poll(p, 2, -1) < 0) continue;
		if (p[1].revents) return 0;
		if (p[0].revents & (POLLERR | POLLHUP)) return -1;
	}
}
*/
import "C"

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sync"
	"unsafe"

	"github.com/caseyos/caseyos/backend"
)

// grabMu serializes grabs across connections: the error handler knows one
// grabbing connection at a time.
var grabMu sync.Mutex

// X11 grabs global shortcuts on an X server over its own connection.
type X11 struct {
	on   *dispatcher
	wake *os.File // a byte here wakes the event loop
	wr   *os.File
	reqs chan func()
	done chan struct{}

	// Owned by the loop goroutine.
	dpy            *C.Display
	ctrl, shift    C.uint
	alt, super     C.uint
	numlock        C.uint
	grabbed        map[grabKey]backend.ShortcutAction
	down           map[C.int]backend.ShortcutAction // keycode → the action held down
	closeOnce      sync.Once
	mu             sync.Mutex
	connectionLost bool
}

type grabKey struct {
	keycode C.int
	mods    C.uint
}

var _ backend.GlobalShortcuts = (*X11)(nil)

// OpenX11 connects to the X server display (":0"; "" is $DISPLAY as C
// sees it) and starts the event loop; events go to h.
func OpenX11(display string, h Handler) (*X11, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	x := &X11{on: newDispatcher(h), wake: r, wr: w, reqs: make(chan func(), 16), done: make(chan struct{}),
		grabbed: map[grabKey]backend.ShortcutAction{}, down: map[C.int]backend.ShortcutAction{}}
	opened := make(chan error, 1)
	go x.loop(display, opened)
	if err := <-opened; err != nil {
		r.Close()
		w.Close()
		x.on.close()
		return nil, err
	}
	return x, nil
}

func (x *X11) loop(display string, opened chan<- error) {
	// Xlib is not thread-safe without XInitThreads; this connection is
	// only ever used from this goroutine, on this thread.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer close(x.done)
	var name *C.char
	if display != "" {
		name = C.CString(display)
		defer C.free(unsafe.Pointer(name))
	} else {
		display = os.Getenv("DISPLAY")
	}
	x.dpy = C.hk_open(name)
	if x.dpy == nil {
		opened <- backend.Errorf(backend.EUNAVAILABLE, "Cannot open the X display %q for global shortcuts", display)
		return
	}
	x.ctrl, x.shift = C.ControlMask, C.ShiftMask
	x.alt = x.modmask("Alt_L", C.Mod1Mask)
	x.super = x.modmask("Super_L", C.Mod4Mask)
	x.numlock = x.modmask("Num_Lock", 0)
	opened <- nil
	defer C.hk_close(x.dpy)

	fd := C.int(x.wake.Fd())
	var keycode C.int
	var state C.uint
	buf := make([]byte, 64)
	for {
		switch C.hk_next(x.dpy, fd, &keycode, &state) {
		case 1:
			x.pressed(keycode, state)
		case 2:
			x.released(keycode)
		case -1:
			x.mu.Lock()
			x.connectionLost = true
			x.mu.Unlock()
			x.releaseAll()
			return
		case 0:
			_, _ = x.wake.Read(buf)
			for {
				select {
				case f := <-x.reqs:
					if f == nil { // Close
						x.releaseAll()
						C.hk_ungrab_all(x.dpy)
						return
					}
					f()
					continue
				default:
				}
				break
			}
		}
	}
}

func (x *X11) modmask(name string, fallback C.uint) C.uint {
	cs := C.CString(name)
	defer C.free(unsafe.Pointer(cs))
	if m := C.hk_modmask(x.dpy, C.XStringToKeysym(cs)); m != 0 {
		return m
	}
	return fallback
}

// relevant are the modifier bits a binding is matched on (not the locks).
func (x *X11) relevant() C.uint { return x.ctrl | x.shift | x.alt | x.super }

func (x *X11) pressed(keycode C.int, state C.uint) {
	a, ok := x.grabbed[grabKey{keycode, state & x.relevant()}]
	if !ok {
		return // another key while the keyboard is ours (a held push-to-talk)
	}
	if _, held := x.down[keycode]; held {
		return // autorepeat
	}
	x.down[keycode] = a
	x.on.send(backend.ShortcutEvent{Action: a, Down: true})
}

func (x *X11) released(keycode C.int) {
	// Matched on the key alone: the modifiers may already be up.
	a, ok := x.down[keycode]
	if !ok {
		return
	}
	delete(x.down, keycode)
	x.on.send(backend.ShortcutEvent{Action: a, Down: false})
}

func (x *X11) releaseAll() {
	for k, a := range x.down {
		delete(x.down, k)
		x.on.send(backend.ShortcutEvent{Action: a, Down: false})
	}
}

// do runs f on the loop goroutine and waits for it; false when the loop
// has ended.
func (x *X11) do(f func()) bool {
	select {
	case <-x.done:
		return false
	default:
	}
	ran := make(chan struct{})
	// Queued before the wake byte is written: the loop, woken, finds it.
	select {
	case x.reqs <- func() { f(); close(ran) }:
	case <-x.done:
		return false
	}
	_, _ = x.wr.Write([]byte{1})
	select {
	case <-ran:
		return true
	case <-x.done:
		return false
	}
}

// Bind ungrabs every shortcut and grabs bs.
func (x *X11) Bind(_ context.Context, bs []backend.ShortcutBinding) []backend.ShortcutStatus {
	out := make([]backend.ShortcutStatus, len(bs))
	for i, b := range bs {
		out[i] = backend.ShortcutStatus{Action: b.Action, Accelerator: b.Accel.String()}
	}
	ok := x.do(func() {
		x.releaseAll()
		C.hk_ungrab_all(x.dpy)
		x.grabbed = map[grabKey]backend.ShortcutAction{}
		for i, b := range bs {
			x.grab(b, &out[i])
		}
	})
	if !ok {
		for i := range out {
			out[i].State, out[i].Message = backend.ShortcutFailed, "The connection to the X server is closed"
		}
	}
	return out
}

func (x *X11) grab(b backend.ShortcutBinding, st *backend.ShortcutStatus) {
	name := keysymName(b.Accel.Key)
	cs := C.CString(name)
	keycode := C.hk_keycode(x.dpy, cs)
	C.free(unsafe.Pointer(cs))
	if keycode == 0 {
		st.State, st.Message = backend.ShortcutUnsupported, fmt.Sprintf("This keyboard has no %s key", b.Accel.Key)
		return
	}
	var mods C.uint
	if b.Accel.Mods&backend.ModCtrl != 0 {
		mods |= x.ctrl
	}
	if b.Accel.Mods&backend.ModShift != 0 {
		mods |= x.shift
	}
	if b.Accel.Mods&backend.ModAlt != 0 {
		mods |= x.alt
	}
	if b.Accel.Mods&backend.ModSuper != 0 {
		mods |= x.super
	}
	if _, dup := x.grabbed[grabKey{keycode, mods}]; dup {
		st.State, st.Message = backend.ShortcutFailed, fmt.Sprintf("%s is already another CaseyOS shortcut", b.Accel)
		return
	}
	grabMu.Lock()
	code := C.hk_grab(x.dpy, keycode, mods, x.numlock)
	grabMu.Unlock()
	switch code {
	case 0:
		x.grabbed[grabKey{keycode, mods}] = b.Action
		st.State = backend.ShortcutActive
	case C.BadAccess:
		st.State, st.Message = backend.ShortcutTaken, takenMessage(b.Accel)
	default:
		st.State, st.Message = backend.ShortcutFailed, fmt.Sprintf("The X server refused %s (X error %d)", b.Accel, int(code))
	}
}

// Note is "" while the X connection is up.
func (x *X11) Note() string {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.connectionLost {
		return "The connection to the X server was lost: global shortcuts stopped"
	}
	return ""
}

// Close ungrabs everything, closes the connection and waits for the last
// event to have been handled.
func (x *X11) Close() error {
	x.closeOnce.Do(func() {
		select {
		case <-x.done:
		default:
			select {
			case x.reqs <- nil:
				_, _ = x.wr.Write([]byte{1})
			case <-x.done:
			}
			<-x.done
		}
		x.wake.Close()
		x.wr.Close()
		x.on.close()
	})
	return nil
}
