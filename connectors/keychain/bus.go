//go:build !darwin && !windows

package keychain

import (
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// NoSessionBus is the message of the error every call returns when there is
// no D-Bus session bus to reach a Secret Service over.
const NoSessionBus = "no D-Bus session bus: the keychain needs a desktop session (or set DBUS_SESSION_BUS_ADDRESS)"

// busDialTimeout bounds the check that a session bus answers.
const busDialTimeout = time.Second

// checkBus makes sure a session bus is there before go-keyring is called.
// Without one, godbus would "autolaunch" it by running dbus-launch, which
// leaves a dbus-daemon behind on every attempt and still finds no Secret
// Service. A bus found only as $XDG_RUNTIME_DIR/bus is put into
// DBUS_SESSION_BUS_ADDRESS, so that godbus uses exactly that bus and never
// reaches its autolaunch.
func checkBus(op string) error {
	addr, ok := sessionBus(os.Getenv)
	if !ok {
		return &backend.Error{Code: backend.EUNAVAILABLE, Op: op, Message: NoSessionBus}
	}
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") != addr {
		_ = os.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	}
	return nil
}

// sessionBus finds the session bus: DBUS_SESSION_BUS_ADDRESS when one of
// its addresses answers, else $XDG_RUNTIME_DIR/bus when it is a socket that
// answers (or /run/user/<uid>/bus without XDG_RUNTIME_DIR, where godbus
// would look). "autolaunch:" counts as no address: it is the very thing to
// avoid.
func sessionBus(getenv func(string) string) (addr string, ok bool) {
	if a := getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" && a != "autolaunch:" {
		return a, busAnswers(a, getenv)
	}
	dir := getenv("XDG_RUNTIME_DIR")
	if dir == "" {
		dir = filepath.Join("/run/user", strconv.Itoa(os.Getuid()))
	}
	sock := filepath.Join(dir, "bus")
	if fi, err := os.Stat(sock); err != nil || fi.Mode()&os.ModeSocket == 0 {
		return "", false
	}
	if !dialAnswers("unix", sock) {
		return "", false
	}
	return "unix:path=" + escapeBusValue(sock), true
}

// busAnswers reports whether any of the ;-separated addresses in a D-Bus
// address list can be connected to. Transports it does not know (those
// godbus may still reach) are taken as answering: the check is there to
// tell an absent bus from a present one, never to stand in for godbus.
func busAnswers(list string, getenv func(string) string) bool {
	for _, a := range strings.Split(list, ";") {
		transport, rest, found := strings.Cut(a, ":")
		if !found {
			continue
		}
		kv := map[string]string{}
		for _, pair := range strings.Split(rest, ",") {
			k, v, _ := strings.Cut(pair, "=")
			if u, err := url.PathUnescape(v); err == nil {
				v = u
			}
			kv[k] = v
		}
		switch transport {
		case "unix":
			switch {
			case kv["path"] != "":
				if dialAnswers("unix", kv["path"]) {
					return true
				}
			case kv["abstract"] != "":
				if dialAnswers("unix", "@"+kv["abstract"]) {
					return true
				}
			case kv["runtime"] == "yes" && getenv("XDG_RUNTIME_DIR") != "":
				if dialAnswers("unix", filepath.Join(getenv("XDG_RUNTIME_DIR"), "bus")) {
					return true
				}
			}
		case "tcp", "nonce-tcp":
			if kv["host"] != "" && kv["port"] != "" && dialAnswers("tcp", net.JoinHostPort(kv["host"], kv["port"])) {
				return true
			}
		case "autolaunch":
		default:
			return true
		}
	}
	return false
}

func dialAnswers(network, addr string) bool {
	c, err := net.DialTimeout(network, addr, busDialTimeout)
	if err != nil {
		return false
	}
	_ = c.Close()
	return true
}

// escapeBusValue escapes a value for a D-Bus address: every byte outside
// [-0-9A-Za-z_/.\*] becomes %XX.
func escapeBusValue(s string) string {
	const hex = "0123456789abcdef"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '-' || c == '_' || c == '/' || c == '.' || c == '\\' || c == '*' ||
			('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
