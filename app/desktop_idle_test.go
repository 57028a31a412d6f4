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
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestDesktop_IdleMemory runs the real app on the demo under Xvfb and
// reports each process's memory and CPU, in the three states a person
// leaves it in: the window open and idle (the app process; the window
// process, Go + GTK + WebKit's UI side; WebKitWebProcess and
// WebKitNetworkProcess under it); push-to-talk pressed and released (the
// voice models load in the app process and are let go); and at rest, the
// window hidden with the show/hide shortcut until its process has ended,
// where the app process must hold under 80 MB with voice off.
// `make bench-desktop-idle` runs it with a longer idle and prints the table
// (docs/benchmarks.md).
//
// CASEYOS_IDLE_SETTLE (default 12s) and CASEYOS_IDLE_FOR (default 20s) set
// the waits; CASEYOS_IDLE_REPORT names a file the table is written to.
func TestDesktop_IdleMemory(t *testing.T) {
	bin := smokeBinary(t)
	display := startXvfb(t)
	tmp := t.TempDir()
	data := filepath.Join(tmp, "data")
	// X11 global shortcuts (the show/hide key hides the window), and a
	// hidden window's process ends 2 s after it is hidden.
	env := append(smokeEnv(tmp, display), "XDG_SESSION_TYPE=x11", "CASEYOS_WINDOW_KEEP=2s")
	settle := envDuration(t, "CASEYOS_IDLE_SETTLE", 12*time.Second)
	idle := envDuration(t, "CASEYOS_IDLE_FOR", 20*time.Second)

	w := startDesktop(t, bin, env, data)
	defer w.stop(t)
	waitDrawn(t, display, findWindow(t, display, "Demo workspace"))
	time.Sleep(settle)
	app := w.cmd.Process.Pid
	if len(childPIDs(app)) != 1 {
		t.Fatalf("the app runs %d child processes, want its window's alone", len(childPIDs(app)))
	}

	var report bytes.Buffer
	header := func(what string) {
		fmt.Fprintf(&report, "%s\n%-22s %8s %8s %8s %8s %8s %7s\n", what, "process", "VmRSS", "RssAnon", "RssFile", "Pss", "USS", "CPU%")
	}
	header(fmt.Sprintf("window open, idle %s on the demo, Xvfb, voice off", idle))
	measureIdle(t, &report, descendants(app), idle)

	// Voice is off: no model loaded.
	var st VoiceStatusDTO
	apiCall(t, data, "VoiceService.VoiceStatus", "[]", &st)
	if st.Recognizer != "not_loaded" || st.Running {
		t.Errorf("voice at rest = %+v, want no model loaded and no microphone", st)
	}
	// Push-to-talk: the models load (the microphone may be missing under
	// Xvfb: that is reported, and the models were loaded first).
	before := readProcMem(t, app)
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
	// The app's anonymous memory must come back to within a few MB of what
	// it was once the models are released.
	if after.anon > before.anon+idleVoiceSlack {
		t.Errorf("the app holds %s anonymous memory after voice was released, %s before: the models were not freed", mb(after.anon), mb(before.anon))
	}

	// At rest: the window hidden with its shortcut; its process ends after
	// the keep time and the app settles (restAfter).
	waitShortcuts(t, bin, env, data, map[string]string{"show_hide": "active"})
	xdotool(t, display, "key", "ctrl+alt+space")
	waitForLong(t, "the hidden window's process to end", 30*time.Second, func() (bool, string) {
		kids := childPIDs(app)
		return len(kids) == 0, fmt.Sprint(kids)
	})
	time.Sleep(restAfter + 5*time.Second)
	header(fmt.Sprintf("at rest: window hidden, its process ended; idle %s", idle))
	rest := measureIdle(t, &report, []int{app}, idle)[0]
	fmt.Fprintf(&report, "the app's largest mappings at rest: %s\n", largestMappings(t, app, 6))

	t.Logf("\n%s", report.String())
	if path := os.Getenv("CASEYOS_IDLE_REPORT"); path != "" {
		if err := os.WriteFile(path, report.Bytes(), 0o644); err != nil {
			t.Error(err)
		}
	}
	// The target: the app process under 80 MB resident at rest
	// with voice off.
	if rest.rss > idleRSSTarget {
		t.Errorf("the app process holds %s resident at rest with voice off, over %s", mb(rest.rss), mb(idleRSSTarget))
	}
	// And the window comes back on the same shortcut.
	xdotool(t, display, "key", "ctrl+alt+space")
	findWindow(t, display, "Demo workspace")
}

// measureIdle idles for idle and writes one row per process; it returns
// their memory, in the order of pids.
func measureIdle(t *testing.T, report *bytes.Buffer, pids []int, idle time.Duration) []procMem {
	t.Helper()
	before := map[int]int64{}
	for _, p := range pids {
		before[p] = cpuTicks(t, p)
	}
	start := time.Now()
	time.Sleep(idle)
	elapsed := time.Since(start)
	var out []procMem
	for i, p := range pids {
		m := readProcMem(t, p)
		cpu := float64(cpuTicks(t, p)-before[p]) / clockTicks / elapsed.Seconds() * 100
		name := m.name
		switch {
		case i == 0:
			name = "app"
		case m.name == "caseyos":
			name = "window"
		}
		fmt.Fprintf(report, "%-22s %8s %8s %8s %8s %8s %7.2f\n", name, mb(m.rss), mb(m.anon), mb(m.file), mb(m.pss), mb(m.uss), cpu)
		out = append(out, m)
	}
	return out
}

// largestMappings lists pid's n largest mappings by resident size, a
// file's mappings summed ("[anon]" for anonymous memory).
func largestMappings(t *testing.T, pid, n int) string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps", pid))
	if err != nil {
		t.Fatal(err)
	}
	rss := map[string]int64{}
	name := ""
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 5 && strings.Contains(f[0], "-") && !strings.HasSuffix(f[0], ":"):
			name = "[anon]"
			if len(f) >= 6 {
				name = filepath.Base(f[5])
			}
		case len(f) >= 2 && f[0] == "Rss:":
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			rss[name] += kb << 10
		}
	}
	names := make([]string, 0, len(rss))
	for k := range rss {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool { return rss[names[i]] > rss[names[j]] })
	var out []string
	for i := 0; i < n && i < len(names); i++ {
		out = append(out, fmt.Sprintf("%s %s", names[i], mb(rss[names[i]])))
	}
	return strings.Join(out, ", ")
}

// descendants is pid and every process under it, parents first.
func descendants(pid int) []int {
	out := []int{pid}
	for i := 0; i < len(out); i++ {
		out = append(out, childPIDs(out[i])...)
	}
	return out
}

const (
	clockTicks = 100 // USER_HZ on Linux
	// idleRSSTarget is issue 25's limit for the app process at rest.
	idleRSSTarget = 80 << 20
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
