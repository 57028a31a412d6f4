//go:build linux

package cli_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Without a D-Bus session bus, `connect` says the keychain needs one and
// starts nothing: no dbus-launch, no dbus-daemon left behind.
func TestE2E_ConnectWithoutSessionBus(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	tmp := t.TempDir()
	fakeBin, runtime := filepath.Join(tmp, "bin"), filepath.Join(tmp, "runtime")
	for _, d := range []string{fakeBin, runtime} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	launchLog := filepath.Join(tmp, "launch.log")
	// dbus-launch as godbus's autolaunch would run it: it only records.
	script := "#!/bin/sh\necho ran >> " + launchLog + "\nexit 1\n"
	if err := os.WriteFile(filepath.Join(fakeBin, "dbus-launch"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DBUS_SESSION_BUS_ADDRESS=") && !strings.HasPrefix(kv, "XDG_RUNTIME_DIR=") && !strings.HasPrefix(kv, "PATH=") {
			env = append(env, kv)
		}
	}
	env = append(env, "CASEYOS_DATA_DIR=", "XDG_RUNTIME_DIR="+runtime, "PATH="+fakeBin+string(os.PathListSeparator)+os.Getenv("PATH"))
	for _, args := range [][]string{{"connect", "webhook", "--secret-stdin"}, {"disconnect", "webhook"}} {
		cmd := exec.Command(bin, append([]string{"--data-dir", filepath.Join(tmp, "data")}, args...)...)
		cmd.Env = env
		cmd.Stdin = strings.NewReader("a-webhook-secret-of-some-length\n")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		if err == nil || !strings.Contains(stderr.String(), "no D-Bus session bus") {
			t.Errorf("%v without a session bus: %v, stderr %q; want it to fail saying there is no D-Bus session bus", args, err, stderr.String())
		}
	}
	if log, err := os.ReadFile(launchLog); err == nil {
		t.Errorf("dbus-launch ran %d times; want never", strings.Count(string(log), "ran"))
	}
}
