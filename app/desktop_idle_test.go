//go:build desktop

package app

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestDesktop_IdleMemory runs the real window on the demo under Xvfb, lets
// it settle, idles, and reports each process's memory and CPU: the app
// (Go + GTK + the WebKit UI side), WebKitWebProcess and
// WebKitNetworkProcess. Then it presses push-to-talk through the window's
// loopback API, measures the app with the voice models loaded, and checks
// that they are released after the grace period. `make bench-desktop-idle`
// runs it with a longer idle and prints the table (docs/benchmarks.md).
//
// CASEYOS_IDLE_SETTLE (default 10s) and CASEYOS_IDLE_FOR (default 20s) set
// the waits; CASEYOS_IDLE_REPORT names a file the table is written to.
func TestDesktop_IdleMemory(t *testing.T) {
	bin := smokeBinary(t)
	display := startXvfb(t)
	tmp := t.TempDir()
	data := filepath.Join(tmp, "data")
	env := smokeEnv(tmp, display)

	w := startDesktop(t, bin, env, data)
	defer w.stop(t)
	waitDrawn(t, display, findWindow(t, display, "Demo workspace"))
	time.Sleep(envDuration(t, "CASEYOS_IDLE_SETTLE", 10*time.Second))

	app := w.cmd.Process.Pid
	procs := append([]int{app}, childPIDs(app)...)
	idle := envDuration(t, "CASEYOS_IDLE_FOR", 20*time.Second)
	before := map[int]int64{}
	for _, p := range procs {
		before[p] = cpuTicks(t, p)
	}
	start := time.Now()
	time.Sleep(idle)
	elapsed := time.Since(start)

	var report bytes.Buffer
	fmt.Fprintf(&report, "idle %s on the demo, Xvfb, voice off\n", idle)
	fmt.Fprintf(&report, "%-22s %8s %8s %8s %8s %8s %7s\n", "process", "VmRSS", "RssAnon", "RssFile", "Pss", "USS", "CPU%")
	var rest procMem
	for _, p := range procs {
		m := readProcMem(t, p)
		cpu := float64(cpuTicks(t, p)-before[p]) / clockTicks / elapsed.Seconds() * 100
		fmt.Fprintf(&report, "%-22s %8s %8s %8s %8s %8s %7.2f\n", m.name, mb(m.rss), mb(m.anon), mb(m.file), mb(m.pss), mb(m.uss), cpu)
		if p == app {
			rest = m
		}
	}

	// Voice is off at rest: no model loaded.
	var st VoiceStatusDTO
	apiCall(t, data, "VoiceService.VoiceStatus", "[]", &st)
	if st.Recognizer != "not_loaded" || st.Running {
		t.Errorf("voice at rest = %+v, want no model loaded and no microphone", st)
	}

	// Push-to-talk: the models load (the microphone may be missing under
	// Xvfb: that is reported, and the models were loaded first).
	apiCall(t, data, "VoiceService.VoicePushToTalk", "[true, 0]", nil)
	apiCall(t, data, "VoiceService.VoiceStatus", "[]", &st)
	on := readProcMem(t, app)
	fmt.Fprintf(&report, "%-22s %8s %8s %8s %8s %8s  (recognizer %s)\n", "app, voice on", mb(on.rss), mb(on.anon), mb(on.file), mb(on.pss), mb(on.uss), st.Recognizer)
	apiCall(t, data, "VoiceService.VoicePushToTalk", "[false, 0]", nil)
	waitForLong(t, "voice models released after push-to-talk", VoiceGrace+20*time.Second, func() (bool, string) {
		apiCall(t, data, "VoiceService.VoiceStatus", "[]", &st)
		return st.Recognizer != "ready", st.Recognizer
	})
	time.Sleep(2 * time.Second)
	after := readProcMem(t, app)
	fmt.Fprintf(&report, "%-22s %8s %8s %8s %8s %8s  (recognizer %s)\n", "app, voice released", mb(after.rss), mb(after.anon), mb(after.file), mb(after.pss), mb(after.uss), st.Recognizer)
	t.Logf("\n%s", report.String())
	if path := os.Getenv("CASEYOS_IDLE_REPORT"); path != "" {
		if err := os.WriteFile(path, report.Bytes(), 0o644); err != nil {
			t.Error(err)
		}
	}

	// The app's anonymous memory (the Go heap and what GTK and WebKit's UI
	// side allocate) must come back to within a few MB of rest once the
	// models are released.
	if after.anon > rest.anon+idleVoiceSlack {
		t.Errorf("the app holds %s anonymous memory after voice was released, %s at rest: the models were not freed", mb(after.anon), mb(rest.anon))
	}
	// The target is 80 MB resident for the app process with voice
	// off. It is not met (docs/benchmarks-methods.md says why: WebKitGTK's
	// UI side maps Mesa and LLVM, and file-backed pages count whole large
	// folios on this kernel); this guard holds the figure measured when
	// the models were made lazy, so that loading them — or anything as big —
	// at rest fails here.
	if rest.rss > idleRSSGuard {
		t.Errorf("the app process holds %s resident at rest with voice off, over the %s guard (target 80 MB)", mb(rest.rss), mb(idleRSSGuard))
	}
}

const (
	clockTicks = 100 // USER_HZ on Linux
	// idleRSSGuard is the measured rest figure (≈190 MB) plus 15 %.
	idleRSSGuard = 220 << 20
	// idleVoiceSlack is how much more anonymous memory the app may hold
	// after the models are released than before they were loaded.
	idleVoiceSlack = 12 << 20
)

func envDuration(tb testing.TB, name string, def time.Duration) time.Duration {
	tb.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		tb.Fatalf("%s=%q: %v", name, v, err)
	}
	return d
}

func waitForLong(tb testing.TB, what string, within time.Duration, ok func() (bool, string)) {
	tb.Helper()
	deadline := time.Now().Add(within)
	for {
		done, last := ok()
		if done {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s: not within %v (last: %s)", what, within, last)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// procMem is one process's memory, in bytes.
type procMem struct {
	name                      string
	rss, anon, file, pss, uss int64
}

func readProcMem(tb testing.TB, pid int) procMem {
	tb.Helper()
	m := procMem{}
	comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err != nil {
		tb.Fatalf("process %d: %v", pid, err)
	}
	m.name = strings.TrimSpace(string(comm))
	kb := func(file string, fields map[string]*int64) {
		f, err := os.Open(fmt.Sprintf("/proc/%d/%s", pid, file))
		if err != nil {
			tb.Fatalf("process %d: %v", pid, err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), ":")
			if p := fields[k]; ok && p != nil {
				n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				*p += n << 10
			}
		}
	}
	kb("status", map[string]*int64{"VmRSS": &m.rss, "RssAnon": &m.anon, "RssFile": &m.file})
	kb("smaps_rollup", map[string]*int64{"Pss": &m.pss, "Private_Clean": &m.uss, "Private_Dirty": &m.uss})
	return m
}

// cpuTicks is the process's user + system time in clock ticks.
func cpuTicks(tb testing.TB, pid int) int64 {
	tb.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		tb.Fatalf("process %d: %v", pid, err)
	}
	// The command name may hold spaces: the fields start after its ')'.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return utime + stime
}

// childPIDs lists the processes whose parent is pid (WebKit's).
func childPIDs(pid int) []int {
	ents, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range ents {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", n))
		if err != nil {
			continue
		}
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		if ppid, _ := strconv.Atoi(f[1]); ppid == pid {
			out = append(out, n)
		}
	}
	return out
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/(1<<20)) }

// apiCall calls the window's loopback API as the CLI does, decoding the
// answer into v when it is not nil. An error answer is logged, not fatal.
func apiCall(tb testing.TB, data, method, args string, v any) {
	tb.Helper()
	info, err := ReadInstance(data)
	if err != nil {
		tb.Fatalf("the window's instance file: %v", err)
	}
	req, err := http.NewRequest(http.MethodPost, strings.TrimSuffix(info.URL, "/")+"/api/"+method, strings.NewReader(args))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+info.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s: %v", method, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		tb.Logf("%s: %s %s", method, resp.Status, bytes.TrimSpace(body))
		return
	}
	if v != nil {
		if err := json.Unmarshal(body, v); err != nil {
			tb.Fatalf("%s: %v in %s", method, err, body)
		}
	}
}
