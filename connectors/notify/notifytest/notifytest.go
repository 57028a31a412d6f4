//go:build !darwin

// Package notifytest is a fake freedesktop notification server
// (org.freedesktop.Notifications: GetCapabilities, Notify,
// CloseNotification, GetServerInformation) on a private session bus that
// the test starts, recording every call and able to emit ActionInvoked and
// NotificationClosed as a person clicking would.
package notifytest

import (
	"bufio"
	"context"
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
	name  = "org.freedesktop.Notifications"
	path  = dbus.ObjectPath("/org/freedesktop/Notifications")
	iface = "org.freedesktop.Notifications"
)

// Call is one Notify the server received.
type Call struct {
	ID       uint32
	AppName  string
	Replaces uint32
	Icon     string
	Summary  string
	Body     string
	Actions  []string // key, label, key, label…
	Hints    map[string]dbus.Variant
	Expire   int32
}

// Server is the fake notification server.
type Server struct {
	conn *dbus.Conn

	mu     sync.Mutex
	caps   []string
	calls  []Call
	closed []uint32
	next   uint32
	asked  int // GetCapabilities calls
	notify chan struct{}
}

// StartBus starts a private session bus (dbus-daemon --session) for the
// test and returns its address; the bus stops when the test ends. It
// skips the test when dbus-daemon is missing, unless CI is set.
func StartBus(tb testing.TB) string {
	tb.Helper()
	bin, err := exec.LookPath("dbus-daemon")
	if err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("dbus-daemon is not installed (apt install dbus-daemon): %v", err)
		}
		tb.Skip("dbus-daemon is not installed: the notification tests need a private session bus")
	}
	dir := tb.TempDir()
	conf := filepath.Join(dir, "session.conf")
	// A session bus with no service activation: only what the test
	// starts answers.
	if err := os.WriteFile(conf, []byte(`<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=`+dir+`</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`), 0o600); err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "--config-file="+conf, "--nofork", "--print-address=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		tb.Fatalf("dbus-daemon: %v", err)
	}
	tb.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	got := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		got <- strings.TrimSpace(line)
	}()
	select {
	case addr := <-got:
		if addr == "" {
			tb.Fatal("dbus-daemon printed no address")
		}
		return addr
	case <-time.After(10 * time.Second):
		tb.Fatal("dbus-daemon did not start within 10s")
	}
	return ""
}

// Start serves a notification server on the bus at address with the given
// capabilities ("actions", "body", …); it stops when the test ends.
func Start(tb testing.TB, address string, caps ...string) *Server {
	tb.Helper()
	conn, err := dbus.Connect(address)
	if err != nil {
		tb.Fatalf("connect to %s: %v", address, err)
	}
	s := &Server{conn: conn, caps: caps, notify: make(chan struct{}, 1)}
	if err := conn.Export(handler{s}, path, iface); err != nil {
		tb.Fatal(err)
	}
	reply, err := conn.RequestName(name, dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		tb.Fatalf("own %s: %v (reply %d)", name, err, reply)
	}
	tb.Cleanup(func() { conn.Close() })
	return s
}

// Stop releases the name and closes the server's connection: the server
// is gone, as when the notification daemon exits.
func (s *Server) Stop() {
	_, _ = s.conn.ReleaseName(name)
	s.conn.Close()
}

// Calls returns the Notify calls so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// CapabilitiesAsked is how many times GetCapabilities was called.
func (s *Server) CapabilitiesAsked() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.asked
}

// Closed returns the ids CloseNotification was called with.
func (s *Server) Closed() []uint32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]uint32(nil), s.closed...)
}

// WaitCalls waits until at least n Notify calls have come, or d has
// passed, and returns them.
func (s *Server) WaitCalls(n int, d time.Duration) []Call {
	deadline := time.After(d)
	for {
		if c := s.Calls(); len(c) >= n {
			return c
		}
		select {
		case <-s.notify:
		case <-deadline:
			return s.Calls()
		}
	}
}

// Invoke emits ActionInvoked(id, key) and then NotificationClosed(id, 2),
// as a server does when a person picks an action.
func (s *Server) Invoke(id uint32, key string) error {
	if err := s.conn.Emit(path, iface+".ActionInvoked", id, key); err != nil {
		return err
	}
	return s.conn.Emit(path, iface+".NotificationClosed", id, uint32(2))
}

type handler struct{ s *Server }

// GetCapabilities answers the configured capabilities.
func (h handler) GetCapabilities() ([]string, *dbus.Error) {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	h.s.asked++
	return append([]string{}, h.s.caps...), nil
}

// Notify records the call and answers a new id (or replaces_id).
func (h handler) Notify(app string, replaces uint32, icon, summary, body string, actions []string, hints map[string]dbus.Variant, expire int32) (uint32, *dbus.Error) {
	if len(actions)%2 != 0 {
		return 0, dbus.NewError("org.freedesktop.DBus.Error.InvalidArgs", []any{"actions must be key, label pairs"})
	}
	h.s.mu.Lock()
	id := replaces
	if id == 0 {
		h.s.next++
		id = h.s.next
	}
	h.s.calls = append(h.s.calls, Call{ID: id, AppName: app, Replaces: replaces, Icon: icon, Summary: summary, Body: body, Actions: actions, Hints: hints, Expire: expire})
	h.s.mu.Unlock()
	select {
	case h.s.notify <- struct{}{}:
	default:
	}
	return id, nil
}

// CloseNotification records the id and emits NotificationClosed(id, 3).
func (h handler) CloseNotification(id uint32) *dbus.Error {
	h.s.mu.Lock()
	h.s.closed = append(h.s.closed, id)
	h.s.mu.Unlock()
	_ = h.s.conn.Emit(path, iface+".NotificationClosed", id, uint32(3))
	return nil
}

// GetServerInformation answers as a small server following spec 1.2.
func (h handler) GetServerInformation() (string, string, string, string, *dbus.Error) {
	return "caseyos-notifytest", "CaseyOS", "1", "1.2", nil
}
