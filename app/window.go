//go:build desktop

package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	"github.com/wailsapp/wails/v2/pkg/options/mac"
	"github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/caseyos/caseyos/backend"
)

// The window process (window_link.go): a Wails v2 webview showing the UI,
// sized for a menu-bar corner and remembering where it was. It binds one
// method, Shell.Call, through which the page calls the App in the app
// process; the App's events arrive over the link and go into the page.

// eventMoveOpen asks the page to open one move's preview (the frontend's
// moveopen.ts). Only the window gets it: a browser on `caseyos serve` has
// no window to bring forward.
const eventMoveOpen = "move:open"

// MoveOpenEvent is the payload of move:open.
type MoveOpenEvent struct {
	ID uint64 `json:"id"`
}

// Shell is the window's one bound service: the page's calls go through it
// to the App in the app process.
type Shell struct {
	l       *link
	mu      sync.Mutex
	next    uint64
	waiting map[uint64]chan linkMsg
	gone    bool
}

// Call calls the App's bound method ("<Service>.<Method>") with args (a
// JSON array) and returns its result as JSON.
func (s *Shell) Call(method string, args json.RawMessage) (json.RawMessage, error) {
	s.mu.Lock()
	if s.gone {
		s.mu.Unlock()
		return nil, backend.Errorf(backend.EUNAVAILABLE, "CaseyOS has quit")
	}
	s.next++
	id := s.next
	ch := make(chan linkMsg, 1)
	s.waiting[id] = ch
	s.mu.Unlock()
	if err := s.l.send(linkMsg{T: linkCall, ID: id, Method: method, Data: args}); err != nil {
		s.mu.Lock()
		delete(s.waiting, id)
		s.mu.Unlock()
		return nil, backend.Errorf(backend.EUNAVAILABLE, "CaseyOS cannot be reached: %v", err)
	}
	r, ok := <-ch
	if !ok {
		return nil, backend.Errorf(backend.EUNAVAILABLE, "CaseyOS has quit")
	}
	if r.Error != nil {
		return nil, &backend.Error{Code: r.Error.Code, Message: r.Error.Message}
	}
	if len(r.Data) == 0 {
		return json.RawMessage("null"), nil
	}
	return r.Data, nil
}

// answered hands a reply to its call.
func (s *Shell) answered(m linkMsg) {
	s.mu.Lock()
	ch := s.waiting[m.ID]
	delete(s.waiting, m.ID)
	s.mu.Unlock()
	if ch != nil {
		ch <- m
	}
}

// hangUp fails every call waiting and every call after: the app is gone.
func (s *Shell) hangUp() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gone = true
	for id, ch := range s.waiting {
		close(ch)
		delete(s.waiting, id)
	}
}

// window is the window process's one window.
type window struct {
	l       *link
	shell   *Shell
	path    string // window.json
	stderr  io.Writer
	procCtx context.Context // cancelled by SIGINT/SIGTERM

	started  chan struct{} // closed when startup has finished
	restored sync.Once

	mu         sync.Mutex
	ctx        context.Context // Wails' context: nil until startup
	state      windowState
	ready      bool   // the page has loaded
	pending    uint64 // a move to open once it has
	closing    bool   // no more events into the window, no more calls on it
	closeAsked bool   // beforeClose has run
	quitAsked  bool   // the app (or a signal) asked: not the person
	hidden     bool
	pollStop   chan struct{}
	pollDone   chan struct{}
}

// RunWindow is the window process (`caseyos __window`, started by the app
// with the link on fds 3 and 4): it shows the window until the app asks
// it to quit, the person closes it, or the app goes away.
func RunWindow(ctx context.Context, assets fs.FS, stderr io.Writer) (err error) {
	if assets == nil {
		return backend.Errorf(backend.EINTERNAL, "this caseyos was built without its frontend")
	}
	in, out := os.NewFile(3, "from-app"), os.NewFile(4, "to-app")
	if in == nil || out == nil {
		return backend.Errorf(backend.EINVALID, "%s is the window CaseyOS starts for itself: run `caseyos`", WindowCommand)
	}
	defer in.Close()
	defer out.Close()
	l := newLink(in, out)
	first, err := l.recv()
	if err != nil || first.T != linkHello {
		return backend.Errorf(backend.EINVALID, "%s is the window CaseyOS starts for itself: run `caseyos` (%v)", WindowCommand, err)
	}
	var hello windowHello
	if err := json.Unmarshal(first.Data, &hello); err != nil || hello.Dir == "" {
		return backend.Errorf(backend.EINVALID, "the app's hello is not one: %v", err)
	}
	w := &window{
		l: l, shell: &Shell{l: l, waiting: map[uint64]chan linkMsg{}},
		path: filepath.Join(hello.Dir, windowFile), stderr: stderr, procCtx: ctx,
		started: make(chan struct{}), pending: hello.Open,
	}
	w.state = loadWindowState(w.path)
	start := options.Normal
	if w.state.Maximised {
		start = options.Maximised
	}
	// GTK cannot start without a display it can open: Wails panics then.
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "caseyos: the desktop window could not start: %v\nRun `caseyos serve` for the browser UI.\n", r)
			err = ErrReported
		}
	}()
	err = wails.Run(&options.App{
		Title:            hello.Title,
		Width:            w.state.Width,
		Height:           w.state.Height,
		MinWidth:         minWidth,
		MinHeight:        minHeight,
		AlwaysOnTop:      w.state.AlwaysOnTop,
		WindowStartState: start,
		AssetServer:      &assetserver.Options{Assets: assets},
		OnStartup:        w.startup,
		OnDomReady:       w.domReady,
		OnBeforeClose:    w.beforeClose,
		OnShutdown:       w.shutdown,
		Bind:             []any{w.shell},
		ErrorFormatter: func(err error) any {
			return ErrorDTO{Code: backend.ErrorCode(err), Message: backend.ErrorMessage(err)}
		},
		Linux: &linux.Options{
			Icon:        markPNG(256),
			ProgramName: "caseyos",
			// Software rendering: a hardware-accelerated WebKit shows a blank
			// window on some GPUs and VMs (wails#2977) and under Xvfb; a
			// list of moves gains nothing from the GPU.
			WebviewGpuPolicy: linux.WebviewGpuPolicyNever,
		},
		Mac: &mac.Options{
			About: &mac.AboutInfo{Title: "CaseyOS", Message: "Today's go-to-market moves, ranked. " + Version},
		},
	})
	w.shell.hangUp()
	if err != nil {
		return backend.Errorf(backend.EINTERNAL, "the desktop window failed: %v", err)
	}
	return nil
}

// startup runs in its own goroutine while the window loads.
func (w *window) startup(wctx context.Context) {
	defer close(w.started)
	w.mu.Lock()
	w.ctx = wctx
	if w.quitAsked {
		go runtime.Quit(wctx)
	}
	if !w.closing {
		w.pollStop, w.pollDone = make(chan struct{}), make(chan struct{})
		go w.pollGeometry(w.pollStop, w.pollDone)
	}
	w.mu.Unlock()
	go w.listen(wctx)
	// SIGINT/SIGTERM cancel procCtx: close the window as the app would.
	go func() {
		<-w.procCtx.Done()
		w.quit()
	}()
}

// listen carries out what the app says until the link closes; then the
// app is gone and so is the window.
func (w *window) listen(wctx context.Context) {
	for {
		m, err := w.l.recv()
		if err != nil {
			if err != io.EOF {
				fmt.Fprintf(w.stderr, "caseyos: the window's link broke: %v\n", err)
			}
			w.shell.hangUp()
			w.quit()
			return
		}
		switch m.T {
		case linkReply:
			w.shell.answered(m)
		case linkEvent:
			w.mu.Lock()
			closing := w.closing
			w.mu.Unlock()
			if !closing {
				runtime.EventsEmit(wctx, m.Name, m.Data)
			}
		case linkShow:
			w.openMove(m.ID)
		case linkToggle:
			w.toggle()
		case linkQuit:
			w.quit()
		}
	}
}

// domReady runs each time the page has loaded (once, unless it reloads).
func (w *window) domReady(wctx context.Context) {
	<-w.started
	w.restored.Do(func() {
		// Wails centres the window after showing it; a saved position is
		// applied now, after that, when it is on a screen.
		w.mu.Lock()
		st := w.state
		w.mu.Unlock()
		if !st.HasPosition || st.Maximised {
			return
		}
		if positionVisible(st, screens(wctx)) {
			runtime.WindowSetPosition(wctx, st.X, st.Y)
		}
	})
	w.mu.Lock()
	w.ready = true
	id := w.pending
	w.pending = 0
	w.mu.Unlock()
	fmt.Fprintln(w.stderr, "caseyos: DOM ready")
	if id != 0 {
		runtime.EventsEmit(wctx, eventMoveOpen, MoveOpenEvent{ID: id})
	}
}

// openMove shows the window, raises it over whatever has focus, and asks
// the page to open move id's preview (once loaded). It never executes
// anything: carrying the move out stays a key or a click in the window.
func (w *window) openMove(id uint64) {
	w.mu.Lock()
	wctx, closing, ready := w.ctx, w.closing, w.ready
	if !ready && id != 0 {
		w.pending = id
	}
	w.hidden = false
	w.mu.Unlock()
	if wctx == nil || closing {
		return
	}
	runtime.WindowShow(wctx)
	// On Linux this is gtk_window_present: it also raises and focuses a
	// window that was shown but behind others.
	runtime.WindowUnminimise(wctx)
	_ = w.l.send(linkMsg{T: linkShown})
	if ready && id != 0 {
		runtime.EventsEmit(wctx, eventMoveOpen, MoveOpenEvent{ID: id})
	}
}

// toggle hides a showing window, and shows (raised) a minimised one.
func (w *window) toggle() {
	w.mu.Lock()
	wctx, closing, hidden := w.ctx, w.closing, w.hidden
	w.mu.Unlock()
	if wctx == nil || closing {
		return
	}
	if hidden || runtime.WindowIsMinimised(wctx) {
		w.openMove(0)
		return
	}
	// Its place is saved now: the process may end while hidden.
	if w.captureGeometry(wctx) {
		w.save()
	}
	w.mu.Lock()
	w.hidden = true
	w.mu.Unlock()
	runtime.WindowHide(wctx)
	_ = w.l.send(linkMsg{T: linkHidden})
}

// beforeClose runs while the window still exists: the last chance to read
// its geometry.
func (w *window) beforeClose(wctx context.Context) (prevent bool) {
	// Wails asks again for every Quit (its own SIGTERM handler and ours
	// both call it): the first one closes, the others must not touch a
	// window that may be gone.
	w.mu.Lock()
	again, asked := w.closeAsked, w.quitAsked
	w.closeAsked = true
	w.mu.Unlock()
	if again {
		return true
	}
	w.stopPolling()
	w.captureGeometry(wctx)
	w.save()
	if !asked {
		_ = w.l.send(linkMsg{T: linkClosed})
	}
	return false
}

// shutdown runs after the window is gone, before wails.Run returns.
func (w *window) shutdown(context.Context) {
	<-w.started
	w.stopPolling()
	w.save()
}

// stopPolling marks the window as closing (no more events into it, no
// more window calls) and waits for the geometry poller to stop.
func (w *window) stopPolling() {
	w.mu.Lock()
	w.closing = true
	stop, done := w.pollStop, w.pollDone
	w.pollStop = nil
	w.mu.Unlock()
	if stop != nil {
		close(stop)
		<-done
	}
}

func (w *window) pollGeometry(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(geometryEvery)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			w.mu.Lock()
			wctx, hidden := w.ctx, w.hidden
			w.mu.Unlock()
			if !hidden && w.captureGeometry(wctx) {
				w.save()
			}
		}
	}
}

// captureGeometry reads the window's size and position into w.state and
// says whether they changed. A maximised, full-screen or minimised window
// keeps the normal geometry it had.
func (w *window) captureGeometry(wctx context.Context) bool {
	if wctx == nil {
		return false
	}
	if runtime.WindowIsMinimised(wctx) || runtime.WindowIsFullscreen(wctx) {
		return false
	}
	maximised := runtime.WindowIsMaximised(wctx)
	var width, height, x, y int
	if !maximised {
		width, height = runtime.WindowGetSize(wctx)
		x, y = runtime.WindowGetPosition(wctx)
	}
	scr := screens(wctx)
	w.mu.Lock()
	defer w.mu.Unlock()
	old := w.state
	w.state.Maximised = maximised
	if !maximised && width >= minWidth && height >= minHeight {
		w.state.Width, w.state.Height = width, height
		w.state.X, w.state.Y, w.state.HasPosition = x, y, true
		if len(scr) > 0 {
			w.state.Screens = scr
		}
	}
	return !sameState(old, w.state)
}

func (w *window) save() {
	w.mu.Lock()
	st := w.state
	w.mu.Unlock()
	if err := saveWindowState(w.path, st); err != nil {
		fmt.Fprintf(w.stderr, "caseyos: cannot remember the window's place: %v\n", err)
	}
}

// quit closes the window as the app asked (not the person); safe to call
// more than once and from any goroutine.
func (w *window) quit() {
	w.mu.Lock()
	wctx, closing := w.ctx, w.closing
	w.quitAsked = true
	w.mu.Unlock()
	if wctx == nil || closing {
		return
	}
	runtime.Quit(wctx)
}
