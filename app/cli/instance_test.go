package cli_test

import (
	"bufio"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/app/cli"
	"github.com/caseyos/caseyos/backend"
)

// writeInstanceFile leaves instance.json as a running instance would.
func writeInstanceFile(tb testing.TB, dir string, pid int, url, path string) {
	tb.Helper()
	b, _ := json.Marshal(map[string]any{"pid": pid, "url": url, "token": "0123456789abcdef", "path": path})
	if err := os.MkdirAll(dir, 0o700); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "instance.json"), b, 0o600); err != nil {
		tb.Fatal(err)
	}
}

// closedURL is a loopback address nothing listens on.
func closedURL(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	url := "http://" + ln.Addr().String() + "/"
	ln.Close()
	return url
}

// TestCLI_StaleInstance: a CLI command that finds instance.json from an
// instance that is gone works on the data file itself and removes the
// file; one from an instance that may be alive stays.
func TestCLI_StaleInstance(t *testing.T) {
	clock := backend.NewManualClock(now)
	exists := func(dir string) bool {
		_, err := os.Stat(filepath.Join(dir, "instance.json"))
		return err == nil
	}
	t.Run("ProcessGone", func(t *testing.T) {
		dir := t.TempDir()
		// A PID that is certainly gone: a child we started and reaped.
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		if err := cmd.Run(); err != nil {
			t.Fatal(err)
		}
		writeInstanceFile(t, dir, cmd.Process.Pid, closedURL(t), filepath.Join(dir, "demo.db"))
		if code, _, errb := runCLI(t, dir, clock, "", "today"); code != 0 {
			t.Fatalf("today: %d %s", code, errb)
		}
		if exists(dir) {
			t.Error("instance.json of a dead process is still there")
		}
	})
	t.Run("PIDReusedNothingListens", func(t *testing.T) {
		dir := t.TempDir()
		// The PID now belongs to a live process (this one), but nothing
		// answers at the address: not a CaseyOS instance.
		writeInstanceFile(t, dir, os.Getpid(), closedURL(t), filepath.Join(dir, "demo.db"))
		if code, _, errb := runCLI(t, dir, clock, "", "today"); code != 0 {
			t.Fatalf("today: %d %s", code, errb)
		}
		if exists(dir) {
			t.Error("instance.json whose address refuses connections is still there")
		}
	})
	t.Run("WrongToken", func(t *testing.T) {
		dir := t.TempDir()
		// Something else now serves that port (another CaseyOS with
		// another token): it refuses ours.
		other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"code":"unauthorized","message":"this request needs the token CaseyOS printed at launch"}`))
		}))
		defer other.Close()
		writeInstanceFile(t, dir, os.Getpid(), other.URL+"/", filepath.Join(dir, "demo.db"))
		if code, _, errb := runCLI(t, dir, clock, "", "today"); code != 0 {
			t.Fatalf("today: %d %s", code, errb)
		}
		if exists(dir) {
			t.Error("instance.json whose address refuses its token is still there")
		}
	})
	t.Run("OtherWorkspaceAliveKept", func(t *testing.T) {
		dir := t.TempDir()
		// A live instance of another workspace of this directory: the
		// command runs locally and leaves the file alone.
		live := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"demo":false,"label":"Workspace","path":"x"}`))
		}))
		defer live.Close()
		writeInstanceFile(t, dir, os.Getpid(), live.URL+"/", filepath.Join(dir, "caseyos.db"))
		if code, _, errb := runCLI(t, dir, clock, "", "--demo", "today"); code != 0 {
			t.Fatalf("today: %d %s", code, errb)
		}
		if !exists(dir) {
			t.Error("instance.json of a live instance was removed")
		}
	})
}

// TestE2E_ServeKilled: after `kill -9` of `caseyos serve`, the next CLI
// command works on the data file itself and leaves no instance.json.
func TestE2E_ServeKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	if runtime.GOOS == "windows" {
		t.Skip("no SIGKILL")
	}
	bin := buildBinary(t)
	data := filepath.Join(t.TempDir(), "data")
	if r := runBin(t, bin, data, signalLines(time.Now()), "ingest", "-"); r.code != cli.ExitPartial {
		t.Fatalf("ingest: %d %s", r.code, r.stderr)
	}
	serve := exec.Command(bin, "--data-dir", data, "serve")
	serve.Env = append(os.Environ(), "CASEYOS_DATA_DIR=")
	out, err := serve.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer serve.Process.Kill()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.Contains(line, "CaseyOS is serving") {
		t.Fatalf("serve printed %q, %v", line, err)
	}
	// While it runs, the CLI goes to it.
	if r := runBin(t, bin, data, "", "today", "--json"); r.code != 0 {
		t.Fatalf("today while serving: %d %s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(data, "instance.json")); err != nil {
		t.Fatalf("no instance.json while serving: %v", err)
	}
	if err := serve.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	serve.Wait()

	r := runBin(t, bin, data, "", "today", "--json")
	var today app.TodayDTO
	if err := json.Unmarshal([]byte(r.stdout), &today); r.code != 0 || err != nil || today.Workspace.Demo || len(today.Moves) == 0 {
		t.Fatalf("today after kill -9: %d %v %q %q; want your workspace's moves", r.code, err, r.stdout, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(data, "instance.json")); !os.IsNotExist(err) {
		t.Errorf("instance.json after kill -9 and a CLI command: %v, want it removed", err)
	}
	// And serve starts again.
	again := exec.Command(bin, "--data-dir", data, "serve")
	again.Env = append(os.Environ(), "CASEYOS_DATA_DIR=")
	out2, _ := again.StdoutPipe()
	if err := again.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { again.Process.Signal(os.Interrupt); again.Wait() }()
	if line, err := bufio.NewReader(out2).ReadString('\n'); err != nil || !strings.Contains(line, "CaseyOS is serving") {
		t.Fatalf("serve after kill -9 printed %q, %v", line, err)
	}
}

// TestCLI_DataDirTightened: a data directory that exists with 0755 ends
// up 0700 once CaseyOS opens it.
func TestCLI_DataDirTightened(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no POSIX modes")
	}
	dir := filepath.Join(t.TempDir(), "caseyos")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	if code, _, errb := runCLI(t, dir, backend.NewManualClock(now), "", "today"); code != 0 {
		t.Fatalf("today: %d %s", code, errb)
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Errorf("data dir mode = %v, want 0700", fi.Mode().Perm())
	}
}
