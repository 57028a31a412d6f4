//go:build !darwin

package notify

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/godbus/dbus/v5"

	"github.com/caseyos/caseyos/backend"
)

const (
	busName   = "org.freedesktop.Notifications"
	busPath   = dbus.ObjectPath("/org/freedesktop/Notifications")
	busIface  = "org.freedesktop.Notifications"
	maxKept   = 256 // notifications remembered for their actions
	expireDef = int32(-1)
)

// Client sends notifications to the session bus's notification server and
// follows what the person does with them.
type Client struct {
	o    Options
	conn *dbus.Conn
	obj  dbus.BusObject

	// sending is held while a Notify waits for its id: a quick click's
	// signal can come before the reply does.
	sending sync.Mutex

	mu      sync.Mutex
	caps    []string // nil until the server has answered GetCapabilities
	sent    map[uint32]backend.Notification
	order   []uint32
	signals chan *dbus.Signal
	done    chan struct{}
}

// Dial connects to the session bus (DBUS_SESSION_BUS_ADDRESS) and listens
// for the server's action and close signals. The server itself is asked
// on the first Notify, so that one starting after the app (at login) is
// found. EUNAVAILABLE when there is no session bus.
func Dial(o Options) (*Client, error) {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return nil, &backend.Error{Code: backend.EUNAVAILABLE, Op: "notify.Dial", Err: err,
			Message: "no desktop session bus for notifications (" + firstLine(err.Error()) + ")"}
	}
	return newClient(conn, o)
}

// DialAddress is Dial on the bus at address (tests, a private bus).
func DialAddress(address string, o Options) (*Client, error) {
	conn, err := dbus.Connect(address)
	if err != nil {
		return nil, &backend.Error{Code: backend.EUNAVAILABLE, Op: "notify.Dial", Err: err,
			Message: "cannot reach the bus for notifications (" + firstLine(err.Error()) + ")"}
	}
	return newClient(conn, o)
}

func newClient(conn *dbus.Conn, o Options) (*Client, error) {
	if o.AppName == "" {
		o.AppName = "CaseyOS"
	}
	c := &Client{o: o, conn: conn, obj: conn.Object(busName, busPath), sent: map[uint32]backend.Notification{},
		signals: make(chan *dbus.Signal, 16), done: make(chan struct{})}
	if err := conn.AddMatchSignal(dbus.WithMatchObjectPath(busPath), dbus.WithMatchInterface(busIface)); err != nil {
		conn.Close()
		return nil, &backend.Error{Code: backend.EUNAVAILABLE, Op: "notify.Dial", Err: err, Message: "cannot follow notification actions on the session bus"}
	}
	conn.Signal(c.signals)
	go c.follow()
	return c, nil
}

// Close stops following the server and closes the connection.
func (c *Client) Close() error {
	err := c.conn.Close() // closes c.signals
	<-c.done
	return err
}

// Capabilities asks the server what it can do (once; the answer is kept).
func (c *Client) Capabilities(ctx context.Context) ([]string, error) {
	c.mu.Lock()
	caps := c.caps
	c.mu.Unlock()
	if caps != nil {
		return caps, nil
	}
	if err := c.obj.CallWithContext(ctx, busIface+".GetCapabilities", 0).Store(&caps); err != nil {
		return nil, unavailable("notify.Capabilities", err)
	}
	if caps == nil {
		caps = []string{}
	}
	c.mu.Lock()
	c.caps = caps
	c.mu.Unlock()
	return caps, nil
}

// Notify shows n: summary the title, body the reason, with "Open" and
// "Snooze 1h" when n is about a move and the server shows actions.
// EUNAVAILABLE when no notification server answers; it is not retried.
func (c *Client) Notify(ctx context.Context, n backend.Notification) error {
	caps, err := c.Capabilities(ctx)
	if err != nil {
		return err
	}
	var actions []string
	if has(caps, "actions") {
		actions = append(actions, "default", "Open")
		if n.MoveID != 0 {
			actions = append(actions, ActionOpen, "Open", ActionSnooze, "Snooze 1h")
		}
	}
	body := n.Body
	if has(caps, "body-markup") {
		body = escapeMarkup(body)
	}
	hints := map[string]dbus.Variant{
		"category":      dbus.MakeVariant(category(n.Kind)),
		"desktop-entry": dbus.MakeVariant("caseyos"),
		"urgency":       dbus.MakeVariant(urgency(n.Kind)),
	}
	var id uint32
	c.sending.Lock()
	defer c.sending.Unlock()
	call := c.obj.CallWithContext(ctx, busIface+".Notify", 0,
		c.o.AppName, uint32(0), c.o.Icon, n.Title, body, actions, hints, expireDef)
	if err := call.Store(&id); err != nil {
		return unavailable("notify.Notify", err)
	}
	c.mu.Lock()
	c.sent[id] = n
	c.order = append(c.order, id)
	if len(c.order) > maxKept {
		delete(c.sent, c.order[0])
		c.order = c.order[1:]
	}
	c.mu.Unlock()
	return nil
}

// follow handles ActionInvoked and NotificationClosed for the
// notifications this client sent, until the connection closes.
func (c *Client) follow() {
	defer close(c.done)
	for sig := range c.signals {
		if sig.Path != busPath || len(sig.Body) < 2 {
			continue
		}
		id, ok := sig.Body[0].(uint32)
		if !ok {
			continue
		}
		c.sending.Lock() // a Notify in flight records its id first
		c.sending.Unlock()
		c.mu.Lock()
		n, mine := c.sent[id]
		if mine && sig.Name == busIface+".NotificationClosed" {
			delete(c.sent, id)
		}
		c.mu.Unlock()
		if !mine || sig.Name != busIface+".ActionInvoked" {
			continue
		}
		switch key, _ := sig.Body[1].(string); key {
		case ActionOpen, "default":
			if c.o.Open != nil {
				c.o.Open(n.MoveID)
			}
		case ActionSnooze:
			if c.o.Snooze != nil && n.MoveID != 0 {
				c.o.Snooze(n.MoveID)
			}
		}
	}
}

func unavailable(op string, err error) error {
	msg := "no notification server answered on the session bus"
	var de dbus.Error
	if errors.As(err, &de) && de.Name != "org.freedesktop.DBus.Error.ServiceUnknown" && de.Name != "org.freedesktop.DBus.Error.NameHasNoOwner" {
		msg = fmt.Sprintf("the notification server refused: %s", firstLine(err.Error()))
	}
	return &backend.Error{Code: backend.EUNAVAILABLE, Op: op, Err: err, Message: msg}
}
