//go:build linux && cgo && desktop

// Package wmclose closes an X11 window the way a window manager's close
// button does: a WM_PROTOCOLS ClientMessage carrying WM_DELETE_WINDOW,
// sent to the window's client. The desktop tests run under Xvfb with no
// window manager, and xdotool 3.2016's windowclose destroys the window
// instead of asking its client to close it.
package wmclose

/*
#cgo pkg-config: x11
#include <X11/Xlib.h>
#include <stdlib.h>
#include <string.h>

static int caseyos_close(const char *display, unsigned long wid) {
	Display *dpy = XOpenDisplay(display);
	if (dpy == NULL) {
		return 1;
	}
	XEvent ev;
	memset(&ev, 0, sizeof ev);
	ev.xclient.type = ClientMessage;
	ev.xclient.window = (Window)wid;
	ev.xclient.message_type = XInternAtom(dpy, "WM_PROTOCOLS", False);
	ev.xclient.format = 32;
	ev.xclient.data.l[0] = (long)XInternAtom(dpy, "WM_DELETE_WINDOW", False);
	ev.xclient.data.l[1] = CurrentTime;
	Status ok = XSendEvent(dpy, (Window)wid, False, NoEventMask, &ev);
	XSync(dpy, False);
	XCloseDisplay(dpy);
	return ok ? 0 : 2;
}
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// Close asks the client of window wid on display to close it.
func Close(display string, wid uint64) error {
	d := C.CString(display)
	defer C.free(unsafe.Pointer(d))
	switch C.caseyos_close(d, C.ulong(wid)) {
	case 0:
		return nil
	case 1:
		return fmt.Errorf("cannot open the X display %q", display)
	default:
		return fmt.Errorf("the close request to window %d could not be sent", wid)
	}
}
