//go:build linux

package keychain

import (
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"path/filepath"
	"testing"
)

func listen(tb testing.TB, network, addr string) string {
	tb.Helper()
	l, err := net.Listen(network, addr)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { l.Close() })
	return l.Addr().String()
}

func TestSessionBus(t *testing.T) {
	dir := t.TempDir()
	live := filepath.Join(dir, "live.sock")
	listen(t, "unix", live)
	b := make([]byte, 6)
	rand.Read(b)
	abstract := "caseyos-test-" + hex.EncodeToString(b)
	listen(t, "unix", "@"+abstract)
	tcp := listen(t, "tcp", "127.0.0.1:0")
	host, port, _ := net.SplitHostPort(tcp)

	stale := filepath.Join(dir, "stale.sock") // a socket nobody listens on
	l, err := net.Listen("unix", stale)
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()

	runtimeLive := filepath.Join(dir, "rt-live")
	runtimeFile := filepath.Join(dir, "rt-file")
	runtimeEmpty := filepath.Join(dir, "rt-empty")
	for _, d := range []string{runtimeLive, runtimeFile, runtimeEmpty} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	listen(t, "unix", filepath.Join(runtimeLive, "bus"))
	if err := os.WriteFile(filepath.Join(runtimeFile, "bus"), nil, 0o600); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name, addr, runtime string
		want                bool
		wantAddr            string
	}{
		{"UnixPath", "unix:path=" + live, runtimeEmpty, true, "unix:path=" + live},
		{"UnixPathEscaped", "unix:path=" + escapeBusValue(live), runtimeEmpty, true, ""},
		{"UnixAbstract", "unix:abstract=" + abstract + ",guid=0123", runtimeEmpty, true, ""},
		{"TCP", "tcp:host=" + host + ",port=" + port, runtimeEmpty, true, ""},
		{"SecondOfTwo", "unix:path=" + stale + ";unix:path=" + live, runtimeEmpty, true, ""},
		{"UnknownTransportTrusted", "launchd:env=DBUS_LAUNCHD_SESSION_BUS_SOCKET", runtimeEmpty, true, ""},
		{"StalePath", "unix:path=" + stale, runtimeLive, false, ""},
		{"MissingPath", "unix:path=" + filepath.Join(dir, "nothing"), runtimeEmpty, false, ""},
		{"Autolaunch", "autolaunch:", runtimeEmpty, false, ""},
		{"RuntimeBus", "", runtimeLive, true, "unix:path=" + filepath.Join(runtimeLive, "bus")},
		{"RuntimeBusNotASocket", "", runtimeFile, false, ""},
		{"NoBusAnywhere", "", runtimeEmpty, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"DBUS_SESSION_BUS_ADDRESS": tc.addr, "XDG_RUNTIME_DIR": tc.runtime}
			addr, ok := sessionBus(func(k string) string { return env[k] })
			if ok != tc.want || (tc.wantAddr != "" && addr != tc.wantAddr) {
				t.Errorf("sessionBus(%q, XDG_RUNTIME_DIR=%s) = %q, %v; want %v %s", tc.addr, filepath.Base(tc.runtime), addr, ok, tc.want, tc.wantAddr)
			}
		})
	}
}
