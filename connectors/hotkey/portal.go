package hotkey

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/caseyos/caseyos/backend"
)

// The XDG desktop portal's GlobalShortcuts interface
// (https://flatpak.github.io/xdg-desktop-portal/docs/doc-org.freedesktop.portal.GlobalShortcuts.html):
// CreateSession, then BindShortcuts with the shortcuts and the triggers we
// would like; the desktop may ask the person and bind other keys, and says
// which in the response. Activated and Deactivated signals carry the
// shortcut's id. Every call answers through an org.freedesktop.portal.Request
// object's Response signal.
const (
	PortalName      = "org.freedesktop.portal.Desktop"
	PortalPath      = dbus.ObjectPath("/org/freedesktop/portal/desktop")
	PortalInterface = "org.freedesktop.portal.GlobalShortcuts"
	requestIface    = "org.freedesktop.portal.Request"
	sessionIface    = "org.freedesktop.portal.Session"
)

// portalTimeout bounds one request: the desktop's dialog waits for a
// person, so it is generous.
const portalTimeout = 2 * time.Minute

// Portal binds global shortcuts through the XDG desktop portal.
type Portal struct {
	conn *dbus.Conn
	obj  dbus.BusObject
	on   *dispatcher
	sigs chan *dbus.Signal
	done chan struct{}
	wg   sync.WaitGroup

	mu      sync.Mutex
	session dbus.ObjectPath
	ids     map[string]backend.ShortcutAction
	down    map[string]bool
	waiters map[dbus.ObjectPath]chan *dbus.Signal

	closeOnce sync.Once
}

var _ backend.GlobalShortcuts = (*Portal)(nil)

var tokens atomic.Uint64

// OpenPortal uses the portal on conn (the session bus); an error with
// code unavailable says the portal does not offer GlobalShortcuts. conn
// stays the caller's.
func OpenPortal(conn *dbus.Conn, h Handler) (*Portal, error) {
	obj := conn.Object(PortalName, PortalPath)
	v, err := obj.GetProperty(PortalInterface + ".version")
	if err != nil {
		return nil, &backend.Error{Code: backend.EUNAVAILABLE, Message: NoteNoPortal, Op: "hotkey portal", Err: err}
	}
	if n, ok := v.Value().(uint32); !ok || n < 1 {
		return nil, backend.Errorf(backend.EUNAVAILABLE, "%s (version %v)", NoteNoPortal, v.Value())
	}
	p := &Portal{conn: conn, obj: obj, on: newDispatcher(h), sigs: make(chan *dbus.Signal, 64), done: make(chan struct{}),
		ids: map[string]backend.ShortcutAction{}, down: map[string]bool{}, waiters: map[dbus.ObjectPath]chan *dbus.Signal{}}
	for _, m := range []string{"Activated", "Deactivated"} {
		if err := conn.AddMatchSignal(dbus.WithMatchObjectPath(PortalPath), dbus.WithMatchInterface(PortalInterface), dbus.WithMatchMember(m)); err != nil {
			return nil, backend.Errorf(backend.EUNAVAILABLE, "cannot listen to the desktop portal: %v", err)
		}
	}
	if err := conn.AddMatchSignal(dbus.WithMatchInterface(requestIface), dbus.WithMatchMember("Response")); err != nil {
		return nil, backend.Errorf(backend.EUNAVAILABLE, "cannot listen to the desktop portal: %v", err)
	}
	conn.Signal(p.sigs)
	p.wg.Add(1)
	go p.read()
	return p, nil
}

func (p *Portal) read() {
	defer p.wg.Done()
	for {
		select {
		case <-p.done:
			return
		case s, ok := <-p.sigs:
			if !ok {
				return
			}
			p.signal(s)
		}
	}
}

func (p *Portal) signal(s *dbus.Signal) {
	switch s.Name {
	case requestIface + ".Response":
		p.mu.Lock()
		w := p.waiters[s.Path]
		p.mu.Unlock()
		if w != nil {
			select {
			case w <- s:
			default:
			}
		}
	case PortalInterface + ".Activated", PortalInterface + ".Deactivated":
		if len(s.Body) < 2 {
			return
		}
		session, _ := s.Body[0].(dbus.ObjectPath)
		id, _ := s.Body[1].(string)
		down := s.Name == PortalInterface+".Activated"
		p.mu.Lock()
		a, ok := p.ids[id]
		if session != p.session {
			ok = false
		}
		if ok {
			// The portal says Activated once per press; a second one with
			// no Deactivated between is a repeat.
			if down && p.down[id] || !down && !p.down[id] {
				ok = false
			}
			p.down[id] = down
		}
		p.mu.Unlock()
		if ok {
			p.on.send(backend.ShortcutEvent{Action: a, Down: down})
		}
	}
}

// request calls method with options (which gains a handle_token) and
// waits for the Request's Response: its results, or an error.
func (p *Portal) request(ctx context.Context, method string, options map[string]dbus.Variant, args ...any) (map[string]dbus.Variant, error) {
	token := fmt.Sprintf("caseyos%d", tokens.Add(1))
	options["handle_token"] = dbus.MakeVariant(token)
	// The Request's path is known before the call (so no Response is
	// missed): /org/freedesktop/portal/desktop/request/SENDER/TOKEN.
	sender := strings.ReplaceAll(strings.TrimPrefix(p.conn.Names()[0], ":"), ".", "_")
	want := dbus.ObjectPath("/org/freedesktop/portal/desktop/request/" + sender + "/" + token)
	ch := make(chan *dbus.Signal, 1)
	p.mu.Lock()
	p.waiters[want] = ch
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.waiters, want)
		p.mu.Unlock()
	}()
	var handle dbus.ObjectPath
	if err := p.obj.CallWithContext(ctx, PortalInterface+"."+method, 0, append(args, options)...).Store(&handle); err != nil {
		return nil, backend.Errorf(backend.EUNAVAILABLE, "the desktop portal refused %s: %v", method, err)
	}
	if handle != want {
		// An old portal with its own request path.
		p.mu.Lock()
		p.waiters[handle] = ch
		p.mu.Unlock()
		defer func() {
			p.mu.Lock()
			delete(p.waiters, handle)
			p.mu.Unlock()
		}()
	}
	ctx, cancel := context.WithTimeout(ctx, portalTimeout)
	defer cancel()
	select {
	case s := <-ch:
		var code uint32
		var results map[string]dbus.Variant
		if err := dbus.Store(s.Body, &code, &results); err != nil {
			return nil, backend.Errorf(backend.EINTERNAL, "the desktop portal answered %s oddly: %v", method, err)
		}
		switch code {
		case 0:
			return results, nil
		case 1:
			return nil, backend.Errorf(backend.ECONFLICT, "the desktop's shortcut dialog was closed without binding them")
		default:
			return nil, backend.Errorf(backend.EUNAVAILABLE, "the desktop portal could not %s", method)
		}
	case <-ctx.Done():
		return nil, backend.Errorf(backend.EUNAVAILABLE, "the desktop portal did not answer %s", method)
	case <-p.done:
		return nil, backend.Errorf(backend.EUNAVAILABLE, "closed")
	}
}

// Bind starts a new portal session (closing the old one: a session binds
// once) and binds bs in it.
func (p *Portal) Bind(ctx context.Context, bs []backend.ShortcutBinding) []backend.ShortcutStatus {
	out := make([]backend.ShortcutStatus, len(bs))
	for i, b := range bs {
		out[i] = backend.ShortcutStatus{Action: b.Action, Accelerator: b.Accel.String()}
	}
	fail := func(state backend.ShortcutState, err error) []backend.ShortcutStatus {
		for i := range out {
			out[i].State, out[i].Message = state, backend.ErrorMessage(err)
		}
		return out
	}
	p.closeSession()
	if len(bs) == 0 {
		return out
	}
	res, err := p.request(ctx, "CreateSession", map[string]dbus.Variant{
		"session_handle_token": dbus.MakeVariant(fmt.Sprintf("caseyos%d", tokens.Add(1))),
	})
	if err != nil {
		return fail(backend.ShortcutFailed, err)
	}
	var session dbus.ObjectPath
	switch v := res["session_handle"].Value().(type) {
	case string:
		session = dbus.ObjectPath(v)
	case dbus.ObjectPath:
		session = v
	}
	if !session.IsValid() {
		return fail(backend.ShortcutFailed, backend.Errorf(backend.EUNAVAILABLE, "the desktop portal gave no session"))
	}
	type shortcut struct {
		ID      string
		Options map[string]dbus.Variant
	}
	var list []shortcut
	ids := map[string]backend.ShortcutAction{}
	for _, b := range bs {
		id := string(b.Action)
		ids[id] = b.Action
		list = append(list, shortcut{ID: id, Options: map[string]dbus.Variant{
			"description":       dbus.MakeVariant(b.Action.Label()),
			"preferred_trigger": dbus.MakeVariant(portalTrigger(b.Accel)),
		}})
	}
	p.mu.Lock()
	p.session, p.ids, p.down = session, ids, map[string]bool{}
	p.mu.Unlock()
	res, err = p.request(ctx, "BindShortcuts", map[string]dbus.Variant{}, session, list, "")
	if err != nil {
		state := backend.ShortcutFailed
		if backend.ErrorCode(err) == backend.ECONFLICT {
			state = backend.ShortcutTaken
		}
		return fail(state, err)
	}
	var bound []shortcut
	if v, ok := res["shortcuts"]; ok {
		if err := dbus.Store([]any{v.Value()}, &bound); err != nil {
			return fail(backend.ShortcutFailed, backend.Errorf(backend.EUNAVAILABLE, "the desktop portal's shortcuts are unreadable: %v", err))
		}
	}
	got := map[string]string{}
	for _, s := range bound {
		trigger, _ := s.Options["trigger_description"].Value().(string)
		got[s.ID] = trigger
	}
	for i, b := range bs {
		trigger, ok := got[string(b.Action)]
		if !ok {
			out[i].State, out[i].Message = backend.ShortcutTaken, "Your desktop did not bind it (another shortcut has those keys, or it was declined in the desktop's dialog)"
			continue
		}
		out[i].State, out[i].Trigger = backend.ShortcutActive, trigger
	}
	return out
}

// closeSession ends the current session, if any; shortcuts held down in
// it are released.
func (p *Portal) closeSession() {
	p.mu.Lock()
	s := p.session
	var held []backend.ShortcutAction
	for id, d := range p.down {
		if d {
			held = append(held, p.ids[id])
		}
	}
	p.session, p.ids, p.down = "", map[string]backend.ShortcutAction{}, map[string]bool{}
	p.mu.Unlock()
	for _, a := range held {
		p.on.send(backend.ShortcutEvent{Action: a, Down: false})
	}
	if s != "" {
		_ = p.conn.Object(PortalName, s).Call(sessionIface+".Close", 0).Err
	}
}

// Note is "" (the portal offers shortcuts).
func (p *Portal) Note() string { return "" }

// Close closes the session and stops reading signals; the connection
// stays open (it is the caller's).
func (p *Portal) Close() error {
	p.closeOnce.Do(func() {
		p.closeSession()
		p.conn.RemoveSignal(p.sigs)
		close(p.done)
		p.wg.Wait()
		p.on.close()
	})
	return nil
}
