// Package hotkeytest holds a fake XDG desktop portal that offers
// org.freedesktop.portal.GlobalShortcuts on a D-Bus bus (a private one the
// tests start with StartBus), the way xdg-desktop-portal does: requests
// answered through Request objects' Response signal, sessions closable,
// Activated/Deactivated signals when a shortcut is pressed and released.
package hotkeytest

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

const (
	portalName  = "org.freedesktop.portal.Desktop"
	portalPath  = dbus.ObjectPath("/org/freedesktop/portal/desktop")
	portalIface = "org.freedesktop.portal.GlobalShortcuts"
)

// Shortcut is one shortcut as BindShortcuts received it.
type Shortcut struct {
	ID               string
	Description      string
	PreferredTrigger string
}

// Bind is one BindShortcuts call.
type Bind struct {
	Session   dbus.ObjectPath
	Shortcuts []Shortcut
	Parent    string
}

// Portal is the fake portal.
type Portal struct {
	conn *dbus.Conn

	mu sync.Mutex
	// taken are the preferred triggers the desktop will not bind (another
	// shortcut of the session has them).
	taken map[string]bool
	// cancel makes BindShortcuts answer "cancelled" (the person closed
	// the dialog).
	cancel   bool
	binds    []Bind
	sessions map[dbus.ObjectPath]bool
	bound    map[dbus.ObjectPath][]string
	next     int
}

// StartBus starts a private D-Bus session bus (dbus-daemon) for the test
// and returns its address; it stops with the test.
func StartBus(tb testing.TB) string {
	tb.Helper()
	if _, err := exec.LookPath("dbus-daemon"); err != nil {
		if os.Getenv("CI") != "" || os.Getenv("CASEYOS_DESKTOP_SMOKE") == "1" {
			tb.Fatalf("dbus-daemon is not installed (apt install dbus)")
		}
		tb.Skip("dbus-daemon is not installed (apt install dbus; in CI this fails)")
	}
	dir := tb.TempDir()
	addr := "unix:path=" + filepath.Join(dir, "bus")
	cmd := exec.Command("dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1", "--address="+addr)
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("dbus-daemon: %v", err)
	}
	tb.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(out).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case a := <-line:
		if a == "" {
			tb.Fatal("dbus-daemon printed no address")
		}
		return a
	case <-time.After(10 * time.Second):
		tb.Fatal("dbus-daemon did not start in 10s")
	}
	return ""
}

// Connect opens a private connection to the bus at addr, closed with the test.
func Connect(tb testing.TB, addr string) *dbus.Conn {
	tb.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		tb.Fatalf("connect %s: %v", addr, err)
	}
	tb.Cleanup(func() { conn.Close() })
	return conn
}

// Serve claims the portal's name on conn and serves GlobalShortcuts; with
// offer false the portal is there without that interface (as on desktops
// whose portal backend has none).
func Serve(tb testing.TB, conn *dbus.Conn, offer bool) *Portal {
	tb.Helper()
	p := &Portal{conn: conn, taken: map[string]bool{}, sessions: map[dbus.ObjectPath]bool{}, bound: map[dbus.ObjectPath][]string{}}
	if err := conn.Export(props{p, offer}, portalPath, "org.freedesktop.DBus.Properties"); err != nil {
		tb.Fatal(err)
	}
	if offer {
		if err := conn.Export(shortcuts{p}, portalPath, portalIface); err != nil {
			tb.Fatal(err)
		}
	}
	reply, err := conn.RequestName(portalName, dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		tb.Fatalf("request %s: %v %v", portalName, reply, err)
	}
	return p
}

// SetTaken marks trigger as taken by another shortcut (or frees it): the
// portal will not bind it. Safe while the portal is serving calls.
func (p *Portal) SetTaken(trigger string, taken bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if taken {
		p.taken[trigger] = true
	} else {
		delete(p.taken, trigger)
	}
}

// SetCancel makes BindShortcuts answer "cancelled" (the person closed the
// dialog) until it is set back.
func (p *Portal) SetCancel(cancel bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cancel = cancel
}

// Binds are the BindShortcuts calls so far.
func (p *Portal) Binds() []Bind {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Bind(nil), p.binds...)
}

// Sessions are the sessions still open.
func (p *Portal) Sessions() []dbus.ObjectPath {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []dbus.ObjectPath
	for s, open := range p.sessions {
		if open {
			out = append(out, s)
		}
	}
	return out
}

// Activate presses shortcut id of the newest session (Activated), and
// Deactivate releases it.
func (p *Portal) Activate(tb testing.TB, id string) { p.emit(tb, "Activated", id) }

// Deactivate releases shortcut id (Deactivated).
func (p *Portal) Deactivate(tb testing.TB, id string) { p.emit(tb, "Deactivated", id) }

func (p *Portal) emit(tb testing.TB, member, id string) {
	tb.Helper()
	p.mu.Lock()
	var session dbus.ObjectPath
	for s, ids := range p.bound {
		if p.sessions[s] && contains(ids, id) {
			session = s
		}
	}
	p.mu.Unlock()
	if session == "" {
		tb.Fatalf("no open session has shortcut %q bound", id)
	}
	if err := p.conn.Emit(portalPath, portalIface+"."+member, session, id, uint64(time.Now().UnixMilli()), map[string]dbus.Variant{}); err != nil {
		tb.Fatal(err)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// requestPath is where a request's Response comes from.
func requestPath(sender dbus.Sender, options map[string]dbus.Variant) (dbus.ObjectPath, *dbus.Error) {
	token, _ := options["handle_token"].Value().(string)
	if token == "" {
		return "", dbus.MakeFailedError(fmt.Errorf("no handle_token"))
	}
	s := strings.ReplaceAll(strings.TrimPrefix(string(sender), ":"), ".", "_")
	return dbus.ObjectPath("/org/freedesktop/portal/desktop/request/" + s + "/" + token), nil
}

// respond sends the Response signal a moment after the method returned,
// as the real portal does once the backend has answered.
func (p *Portal) respond(path dbus.ObjectPath, code uint32, results map[string]dbus.Variant) {
	go func() {
		time.Sleep(10 * time.Millisecond)
		_ = p.conn.Emit(path, "org.freedesktop.portal.Request.Response", code, results)
	}()
}

type shortcuts struct{ p *Portal }

func (s shortcuts) CreateSession(sender dbus.Sender, options map[string]dbus.Variant) (dbus.ObjectPath, *dbus.Error) {
	req, derr := requestPath(sender, options)
	if derr != nil {
		return "", derr
	}
	p := s.p
	p.mu.Lock()
	p.next++
	token, _ := options["session_handle_token"].Value().(string)
	snd := strings.ReplaceAll(strings.TrimPrefix(string(sender), ":"), ".", "_")
	session := dbus.ObjectPath(fmt.Sprintf("/org/freedesktop/portal/desktop/session/%s/%s%d", snd, token, p.next))
	p.sessions[session] = true
	p.mu.Unlock()
	if err := p.conn.Export(sessionObj{p, session}, session, "org.freedesktop.portal.Session"); err != nil {
		return "", dbus.MakeFailedError(err)
	}
	p.respond(req, 0, map[string]dbus.Variant{"session_handle": dbus.MakeVariant(string(session))})
	return req, nil
}

type wireShortcut struct {
	ID      string
	Options map[string]dbus.Variant
}

func (s shortcuts) BindShortcuts(sender dbus.Sender, session dbus.ObjectPath, list []wireShortcut, parent string, options map[string]dbus.Variant) (dbus.ObjectPath, *dbus.Error) {
	req, derr := requestPath(sender, options)
	if derr != nil {
		return "", derr
	}
	p := s.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.sessions[session] {
		return "", dbus.MakeFailedError(fmt.Errorf("no session %s", session))
	}
	b := Bind{Session: session, Parent: parent}
	var results []wireShortcut
	var ids []string
	for _, w := range list {
		desc, _ := w.Options["description"].Value().(string)
		trig, _ := w.Options["preferred_trigger"].Value().(string)
		b.Shortcuts = append(b.Shortcuts, Shortcut{ID: w.ID, Description: desc, PreferredTrigger: trig})
		if p.taken[trig] {
			continue
		}
		ids = append(ids, w.ID)
		results = append(results, wireShortcut{ID: w.ID, Options: map[string]dbus.Variant{
			"description":         dbus.MakeVariant(desc),
			"trigger_description": dbus.MakeVariant("Press " + trig),
		}})
	}
	p.binds = append(p.binds, b)
	if p.cancel {
		p.respond(req, 1, map[string]dbus.Variant{})
		return req, nil
	}
	p.bound[session] = ids
	p.respond(req, 0, map[string]dbus.Variant{"shortcuts": dbus.MakeVariant(results)})
	return req, nil
}

type sessionObj struct {
	p    *Portal
	path dbus.ObjectPath
}

func (s sessionObj) Close() *dbus.Error {
	s.p.mu.Lock()
	s.p.sessions[s.path] = false
	s.p.mu.Unlock()
	_ = s.p.conn.Emit(s.path, "org.freedesktop.portal.Session.Closed", map[string]dbus.Variant{})
	return nil
}

type props struct {
	p     *Portal
	offer bool
}

func (pr props) Get(iface, name string) (dbus.Variant, *dbus.Error) {
	if pr.offer && iface == portalIface && name == "version" {
		return dbus.MakeVariant(uint32(1)), nil
	}
	return dbus.Variant{}, dbus.NewError("org.freedesktop.DBus.Error.InvalidArgs", []any{"No such interface “" + iface + "”"})
}

func (pr props) GetAll(iface string) (map[string]dbus.Variant, *dbus.Error) {
	if pr.offer && iface == portalIface {
		return map[string]dbus.Variant{"version": dbus.MakeVariant(uint32(1))}, nil
	}
	return nil, dbus.NewError("org.freedesktop.DBus.Error.InvalidArgs", []any{"No such interface “" + iface + "”"})
}

// WaitBinds waits until n BindShortcuts calls have come.
func (p *Portal) WaitBinds(ctx context.Context, n int) error {
	for len(p.Binds()) < n {
		select {
		case <-ctx.Done():
			return fmt.Errorf("%d BindShortcuts calls, want %d", len(p.Binds()), n)
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}
