//go:build linux

package hotkey

import (
	"os"

	"github.com/godbus/dbus/v5"

	"github.com/caseyos/caseyos/backend"
)

// Open returns the global shortcuts of this session, events going to h:
// on Wayland (XDG_SESSION_TYPE=wayland, or no DISPLAY) the desktop
// portal's, where it offers them; else X11's. What cannot work here comes
// back as Unsupported with the reason. env reads the environment (nil:
// the process's).
func Open(env func(string) string, h Handler) backend.GlobalShortcuts {
	if env == nil {
		env = os.Getenv
	}
	if env("XDG_SESSION_TYPE") == "wayland" || env("DISPLAY") == "" {
		return openPortal(env, h)
	}
	x, err := openX11(env("DISPLAY"), h)
	if err != nil {
		return Unsupported{Why: backend.ErrorMessage(err)}
	}
	return x
}

func openPortal(env func(string) string, h Handler) backend.GlobalShortcuts {
	addr := env("DBUS_SESSION_BUS_ADDRESS")
	if addr == "" {
		return Unsupported{Why: "Your desktop does not offer global shortcuts here: there is no D-Bus session bus to reach its portal."}
	}
	conn, err := dbus.Connect(addr)
	if err != nil {
		return Unsupported{Why: "Your desktop does not offer global shortcuts here: its D-Bus session bus cannot be reached (" + err.Error() + ")."}
	}
	p, err := OpenPortal(conn, h)
	if err != nil {
		conn.Close()
		return Unsupported{Why: NoteNoPortal}
	}
	return &ownedPortal{Portal: p, conn: conn}
}

// ownedPortal is a Portal on a connection of its own, closed with it.
type ownedPortal struct {
	*Portal
	conn *dbus.Conn
}

func (o *ownedPortal) Close() error {
	err := o.Portal.Close()
	o.conn.Close()
	return err
}
