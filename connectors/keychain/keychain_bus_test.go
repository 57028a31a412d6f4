//go:build linux

package keychain

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/caseyos/caseyos/backend"
)

// noBusChildEnv marks the subprocess TestKeychain_NoSessionBus runs: it
// calls the real keychain (no mock) in an environment without a session bus.
const noBusChildEnv = "CASEYOS_TEST_NO_BUS_CHILD"

// TestKeychain_NoSessionBusChild is the subprocess's body; it does nothing
// in a normal run.
func TestKeychain_NoSessionBusChild(t *testing.T) {
	if os.Getenv(noBusChildEnv) != "1" {
		t.Skip("run by TestKeychain_NoSessionBus")
	}
	k := New()
	enc := json.NewEncoder(os.Stdout)
	for i := 0; i < 3; i++ {
		_, gerr := k.Get("hubspot")
		serr := k.Set("hubspot", token)
		derr := k.Delete("hubspot")
		for _, err := range []error{gerr, serr, derr} {
			_ = enc.Encode(map[string]string{"code": backend.ErrorCode(err), "message": backend.ErrorMessage(err)})
		}
	}
}

// FakeDBusLaunch stands in for dbus-launch the way godbus's autolaunch runs
// it: it records that it ran and starts a real session dbus-daemon, as the
// real one does, printing its address.
const fakeDBusLaunch = `#!/bin/sh
echo ran >> "$CASEYOS_TEST_LAUNCH_LOG"
if command -v dbus-daemon >/dev/null 2>&1; then
  addr=$(dbus-daemon --session --fork --print-address=1 2>/dev/null | head -n 1)
  echo "DBUS_SESSION_BUS_ADDRESS=$addr"
  exit 0
fi
exit 1
`

// markedDaemons lists the dbus-daemon processes whose environment holds
// marker: the ones a process started by this test launched, even after
// they forked away from it.
func markedDaemons(tb testing.TB, marker string) []int {
	tb.Helper()
	comms, _ := filepath.Glob("/proc/[0-9]*/comm")
	var pids []int
	for _, f := range comms {
		comm, err := os.ReadFile(f)
		if err != nil || strings.TrimSpace(string(comm)) != "dbus-daemon" {
			continue
		}
		env, err := os.ReadFile(filepath.Join(filepath.Dir(f), "environ"))
		if err != nil || !bytes.Contains(env, []byte(marker)) {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(f)))
		pids = append(pids, pid)
	}
	return pids
}

// Without a session bus, Get, Set and Delete fail with the clear
// unavailable error and start nothing: godbus's autolaunch (dbus-launch,
// which leaves a dbus-daemon running) is never reached.
func TestKeychain_NoSessionBus(t *testing.T) {
	if os.Getenv(noBusChildEnv) == "1" {
		t.Skip("in the subprocess")
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "bin")
	runtime := filepath.Join(tmp, "runtime")
	for _, d := range []string{bin, runtime} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(bin, "dbus-launch"), []byte(fakeDBusLaunch), 0o755); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 8)
	rand.Read(b)
	marker := "CASEYOS_TEST_BUS_MARKER=" + hex.EncodeToString(b)
	launchLog := filepath.Join(tmp, "launch.log")
	before := markedDaemons(t, marker)
	t.Cleanup(func() {
		for _, pid := range markedDaemons(t, marker) {
			_ = syscall.Kill(pid, syscall.SIGTERM)
		}
	})

	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DBUS_SESSION_BUS_ADDRESS=") && !strings.HasPrefix(kv, "XDG_RUNTIME_DIR=") && !strings.HasPrefix(kv, "PATH=") {
			env = append(env, kv)
		}
	}
	env = append(env, noBusChildEnv+"=1", marker, "XDG_RUNTIME_DIR="+runtime,
		"CASEYOS_TEST_LAUNCH_LOG="+launchLog, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	cmd := exec.Command(os.Args[0], "-test.run=^TestKeychain_NoSessionBusChild$", "-test.count=1")
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("subprocess: %v\n%s", err, out)
	}

	n := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var r map[string]string
		if json.Unmarshal(sc.Bytes(), &r) != nil {
			continue
		}
		n++
		if r["code"] != backend.EUNAVAILABLE || !strings.Contains(r["message"], "no D-Bus session bus") {
			t.Errorf("keychain call without a session bus = %s: %q; want unavailable saying there is no D-Bus session bus", r["code"], r["message"])
		}
	}
	if n != 9 {
		t.Fatalf("subprocess reported %d calls, want 9:\n%s", n, out)
	}
	if log, err := os.ReadFile(launchLog); err == nil {
		t.Errorf("dbus-launch ran %d times; want never", strings.Count(string(log), "ran"))
	}
	if after := markedDaemons(t, marker); len(after) != len(before) {
		t.Errorf("dbus-daemon processes started by the keychain calls: %v (before: %v); want none", after, before)
	}
}
