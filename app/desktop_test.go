//go:build desktop

package app

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/caseyos/caseyos/app/autostart"
	"github.com/caseyos/caseyos/app/internal/wmclose"
	"github.com/caseyos/caseyos/backend"
)

// The desktop smoke test runs the real binary (built by `make desktop-build`)
// in a real Wails window under Xvfb, types into it with xdotool, and checks
// through the CLI — which reaches the running window's loopback API — that
// the key did what it says. `make desktop-smoke` runs it inside
// dbus-run-session with CASEYOS_DESKTOP_SMOKE=1, where anything missing is
// a failure; elsewhere a missing binary or tool skips it.
//
// Environment: CASEYOS_BIN (default ../build/bin/caseyos), CASEYOS_ARTIFACTS
// (default ../build/artifacts: the screenshots).

func TestDesktop_Smoke(t *testing.T) {
	bin := smokeBinary(t)
	display := startXvfb(t)
	tmp := t.TempDir()
	data := filepath.Join(tmp, "data")
	env := smokeEnv(tmp, display)
	artifacts := artifactsDir(t)

	t.Run("SkipWithKey", func(t *testing.T) {
		w := startDesktop(t, bin, env, data)
		defer w.stop(t)

		today := cliToday(t, bin, env, data)
		if !today.Workspace.Demo {
			t.Fatalf("workspace = %+v, want the demo workspace", today.Workspace)
		}
		if len(today.Moves) < 3 {
			t.Fatalf("today has %d moves, want at least 3", len(today.Moves))
		}
		top := today.Moves[0]
		wid := findWindow(t, display, "Demo workspace")
		// DOM ready is the page's HTML, not yet the moves it fetches and
		// draws: a key pressed before the list exists does nothing.
		waitDrawn(t, display, wid)
		if g := geometry(t, display, wid); g.w != defaultWidth || g.h != defaultHeight {
			t.Errorf("window is %dx%d, want %dx%d", g.w, g.h, defaultWidth, defaultHeight)
		}
		screenshot(t, display, filepath.Join(artifacts, "desktop-before.png"))

		// No window manager under Xvfb: give the window the keyboard focus
		// ourselves, then type as a person would (XTEST). Keys sent to a
		// window with XSendEvent do not reach the WebKit page.
		xdotool(t, display, "windowfocus", wid)
		xdotool(t, display, "key", "s")
		waitStatus(t, bin, env, data, top.ID, "skipped")
		if next := cliToday(t, bin, env, data); len(next.Moves) == 0 || next.Moves[0].ID == top.ID {
			t.Errorf("after s, the top move is still %d", top.ID)
		}
		time.Sleep(700 * time.Millisecond) // let the page redraw from queue:changed
		screenshot(t, display, filepath.Join(artifacts, "desktop.png"))
		t.Logf("skipped move %d %q with the s key; screenshot in %s", top.ID, top.Title, filepath.Join(artifacts, "desktop.png"))
	})

	t.Run("Tray", func(t *testing.T) {
		if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
			t.Skip("no D-Bus session bus (make desktop-smoke runs the test inside dbus-run-session)")
		}
		w := startDesktop(t, bin, env, data)
		defer w.stop(t)
		conn, err := dbus.SessionBus()
		if err != nil {
			t.Fatalf("session bus: %v", err)
		}
		name := fmt.Sprintf("org.kde.StatusNotifierItem-%d-1", w.cmd.Process.Pid)
		item := conn.Object(name, "/StatusNotifierItem")
		top := cliToday(t, bin, env, data).Moves[0]
		want := fmt.Sprintf("%.0f · %s", top.APS, shorten(top.Title, trayTitleRunes))
		waitFor(t, "tray title "+want, func() (bool, string) {
			v, err := item.GetProperty("org.kde.StatusNotifierItem.Title")
			got, _ := v.Value().(string)
			return err == nil && got == want, fmt.Sprintf("%q (%v)", got, err)
		})
		// The icon's badge counts the moves waiting (the icon is set before
		// the title).
		h := trayHost{t: t, item: item}
		if got, want := readBadge(h.icon()), trayBadgeText(cliToday(t, bin, env, data).Pending); got != want {
			t.Errorf("the tray icon's badge reads %q, want %q", got, want)
		}
		// Click "Skip" in the tray's menu, as a tray host would.
		menu := conn.Object(name, "/StatusNotifierItem/menu")
		id := menuItemID(t, menu, "Skip")
		if call := menu.Call("com.canonical.dbusmenu.Event", 0, id, "clicked", dbus.MakeVariant(""), uint32(0)); call.Err != nil {
			t.Fatalf("menu click: %v", call.Err)
		}
		waitStatus(t, bin, env, data, top.ID, "skipped")
		// …and the title moves on to the new next move (queue:changed).
		next := cliToday(t, bin, env, data).Moves[0]
		want = fmt.Sprintf("%.0f · %s", next.APS, shorten(next.Title, trayTitleRunes))
		waitFor(t, "tray title "+want, func() (bool, string) {
			v, err := item.GetProperty("org.kde.StatusNotifierItem.Title")
			got, _ := v.Value().(string)
			return err == nil && got == want, fmt.Sprintf("%q (%v)", got, err)
		})
		// A send executed elsewhere (here: the CLI, through the window's
		// API) counts down in the tray, and the tray's Undo takes it back.
		today := cliToday(t, bin, env, data)
		var task *MoveDTO
		for i, m := range today.Moves {
			if m.Kind == "create_task" {
				task = &today.Moves[i]
				break
			}
		}
		if task == nil {
			t.Fatalf("the demo has no task move: %+v", today.Moves)
		}
		var st ExecutionStatusDTO
		cliJSON(t, bin, env, &st, "execute", strconv.FormatUint(task.ID, 10), "--yes", "--json", "--data-dir", data)
		if st.State != "waiting_undo" {
			t.Fatalf("execute %d = %+v, want it waiting in its undo window", task.ID, st)
		}
		waitFor(t, "tray countdown", func() (bool, string) {
			v, err := item.GetProperty("org.kde.StatusNotifierItem.Title")
			got, _ := v.Value().(string)
			return err == nil && strings.HasPrefix(got, "Sending in ") && strings.HasSuffix(got, trayUndoLabel), fmt.Sprintf("%q (%v)", got, err)
		})
		undo := menuItemPrefix(t, menu, trayUndoLabel+" (")
		if call := menu.Call("com.canonical.dbusmenu.Event", 0, undo, "clicked", dbus.MakeVariant(""), uint32(0)); call.Err != nil {
			t.Fatalf("menu click: %v", call.Err)
		}
		waitStatus(t, bin, env, data, task.ID, "pending")

		// The kill switch from the tray: on, seen by the CLI; off again.
		kill := menuItemID(t, menu, trayKillLabel)
		for _, want := range []bool{true, false} {
			if call := menu.Call("com.canonical.dbusmenu.Event", 0, kill, "clicked", dbus.MakeVariant(""), uint32(0)); call.Err != nil {
				t.Fatalf("menu click: %v", call.Err)
			}
			waitFor(t, fmt.Sprintf("kill switch on=%v", want), func() (bool, string) {
				var ks KillSwitchDTO
				cliJSON(t, bin, env, &ks, "kill-switch", "status", "--json", "--data-dir", data)
				return ks.On == want, fmt.Sprintf("%+v", ks)
			})
		}
	})

	// How the login entry (app/autostart) starts it: the tray only, no
	// window mapped, until the tray's "Open CaseyOS".
	t.Run("TrayOnly", func(t *testing.T) {
		if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
			t.Skip("no D-Bus session bus (make desktop-smoke runs the test inside dbus-run-session)")
		}
		w := startDesktop(t, bin, env, data, autostart.TrayFlag)
		defer w.stop(t)
		if today := cliToday(t, bin, env, data); len(today.Moves) == 0 {
			t.Fatalf("the tray-only app serves no moves: %+v", today)
		}
		conn, err := dbus.SessionBus()
		if err != nil {
			t.Fatalf("session bus: %v", err)
		}
		name := fmt.Sprintf("org.kde.StatusNotifierItem-%d-1", w.cmd.Process.Pid)
		menu := conn.Object(name, "/StatusNotifierItem/menu")
		show := menuItemID(t, menu, trayOpenLabel)
		// Watch for a while: a window mapped late is as wrong as one mapped at once.
		for end := time.Now().Add(3 * time.Second); time.Now().Before(end); time.Sleep(250 * time.Millisecond) {
			if ids := visibleWindows(display, "CaseyOS"); ids != "" {
				t.Fatalf("started with %s, window %s is mapped:\n%s", autostart.TrayFlag, ids, w.output())
			}
		}
		if call := menu.Call("com.canonical.dbusmenu.Event", 0, show, "clicked", dbus.MakeVariant(""), uint32(0)); call.Err != nil {
			t.Fatalf("menu click: %v", call.Err)
		}
		findWindow(t, display, "Demo workspace")
	})

	t.Run("RestoresSizeAndPosition", func(t *testing.T) {
		saved := windowState{Width: 520, Height: 700, X: 30, Y: 40, HasPosition: true, AlwaysOnTop: true,
			Screens: []screenSize{{1280, 800}}}
		if err := saveWindowState(filepath.Join(data, windowFile), saved); err != nil {
			t.Fatal(err)
		}
		w := startDesktop(t, bin, env, data)
		wid := findWindow(t, display, "Demo workspace")
		waitFor(t, "window at 30,40 520x700", func() (bool, string) {
			g := geometry(t, display, wid)
			return g == rect{30, 40, 520, 700}, fmt.Sprintf("%+v", g)
		})
		w.stop(t)
		got := loadWindowState(filepath.Join(data, windowFile))
		if got.Width != 520 || got.Height != 700 || got.X != 30 || got.Y != 40 || !got.AlwaysOnTop {
			t.Errorf("window.json after closing = %+v, want 520x700 at 30,40, always on top", got)
		}
	})

	t.Run("IgnoresOffScreenPosition", func(t *testing.T) {
		// Saved on a big second screen that is no longer there.
		saved := windowState{Width: 440, Height: 600, X: 3000, Y: 1500, HasPosition: true,
			Screens: []screenSize{{1280, 800}, {3840, 2160}}}
		if err := saveWindowState(filepath.Join(data, windowFile), saved); err != nil {
			t.Fatal(err)
		}
		w := startDesktop(t, bin, env, data)
		defer w.stop(t)
		wid := findWindow(t, display, "Demo workspace")
		g := geometry(t, display, wid)
		if g.w != 440 || g.h != 600 {
			t.Errorf("window is %dx%d, want the saved 440x600", g.w, g.h)
		}
		if g.x < 0 || g.y < 0 || g.x+g.w > 1280 || g.y+g.h > 800 {
			t.Errorf("window at %d,%d (%dx%d): not on the 1280x800 screen", g.x, g.y, g.w, g.h)
		}
	})

	// The window is a process of its own (window_link.go): when the app
	// dies without a word (SIGKILL, a crash), the window goes with it
	// rather than show a UI nothing answers.
	t.Run("WindowEndsWithTheApp", func(t *testing.T) {
		w := startDesktop(t, bin, env, data)
		findWindow(t, display, "Demo workspace")
		kids := childPIDs(w.cmd.Process.Pid)
		if len(kids) != 1 {
			t.Fatalf("the app runs %d child processes, want its window's alone", len(kids))
		}
		w.kill()
		waitFor(t, "the window process to end with the app", func() (bool, string) {
			_, err := os.Stat(fmt.Sprintf("/proc/%d", kids[0]))
			return os.IsNotExist(err), fmt.Sprint(err)
		})
		if ids := visibleWindows(display, "CaseyOS"); ids != "" {
			t.Errorf("window %s is still mapped after the app died", ids)
		}
	})

	// The window's close button (WM_DELETE_WINDOW, as a window manager
	// sends it) with no tray host on the bus: nothing could bring the
	// window back, so the app quits, cleanly.
	t.Run("CloseQuitsWithoutATrayHost", func(t *testing.T) {
		w := startDesktop(t, bin, env, data)
		wid := findWindow(t, display, "Demo workspace")
		closeWindow(t, display, wid)
		select {
		case <-w.exited:
		case <-time.After(20 * time.Second):
			t.Fatalf("the app still runs 20 s after its window was closed with no tray host:\n%s", w.output())
		}
		if w.err != nil {
			t.Errorf("the app exited with %v after its window was closed:\n%s", w.err, w.output())
		}
		if _, err := os.Stat(filepath.Join(data, instanceFile)); !os.IsNotExist(err) {
			t.Errorf("%s left behind (%v)", instanceFile, err)
		}
	})

	// With a tray host (a panel's StatusNotifierWatcher), closing the
	// window leaves CaseyOS in the tray: the window's processes end, the
	// app and the CLI go on, and "Open CaseyOS" brings the window back.
	t.Run("CloseKeepsTheTray", func(t *testing.T) {
		if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
			t.Skip("no D-Bus session bus (make desktop-smoke runs the test inside dbus-run-session)")
		}
		startFakeWatcher(t)
		w := startDesktop(t, bin, env, data)
		defer w.stop(t)
		wid := findWindow(t, display, "Demo workspace")
		closeWindow(t, display, wid)
		waitFor(t, "the window's process to end", func() (bool, string) {
			kids := childPIDs(w.cmd.Process.Pid)
			return len(kids) == 0, fmt.Sprint(kids)
		})
		if !strings.Contains(w.output(), "CaseyOS stays in the tray") {
			t.Errorf("the app did not say it stays in the tray:\n%s", w.output())
		}
		if today := cliToday(t, bin, env, data); len(today.Moves) == 0 {
			t.Fatalf("the app in the tray serves no moves: %+v", today)
		}
		conn, err := dbus.SessionBus()
		if err != nil {
			t.Fatalf("session bus: %v", err)
		}
		menu := conn.Object(fmt.Sprintf("org.kde.StatusNotifierItem-%d-1", w.cmd.Process.Pid), "/StatusNotifierItem/menu")
		if call := menu.Call("com.canonical.dbusmenu.Event", 0, menuItemID(t, menu, trayOpenLabel), "clicked", dbus.MakeVariant(""), uint32(0)); call.Err != nil {
			t.Fatalf("menu click: %v", call.Err)
		}
		findWindow(t, display, "Demo workspace")
	})
}

// closeWindow closes window wid as a window manager's close button does.
func closeWindow(t *testing.T, display, wid string) {
	t.Helper()
	n, err := strconv.ParseUint(wid, 10, 64)
	if err != nil {
		t.Fatalf("window id %q: %v", wid, err)
	}
	if err := wmclose.Close(display, n); err != nil {
		t.Fatal(err)
	}
}

func TestDesktop_WindowState(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, windowFile)
	def := windowState{Width: defaultWidth, Height: defaultHeight}
	for _, tt := range []struct {
		name, file string
		want       windowState
	}{
		{"Missing", "", def},
		{"Garbage", "{not json", def},
		{"OK", `{"width":500,"height":800,"x":10,"y":20,"has_position":true,"always_on_top":true,"screens":[{"w":1920,"h":1080}]}`,
			windowState{Width: 500, Height: 800, X: 10, Y: 20, HasPosition: true, AlwaysOnTop: true, Screens: []screenSize{{1920, 1080}}}},
		{"TooSmall", `{"width":100,"height":100}`, def},
		{"Huge", `{"width":50000,"height":800}`, def},
		{"JunkPosition", `{"width":500,"height":800,"x":99999,"y":0,"has_position":true}`, windowState{Width: 500, Height: 800}},
		{"Maximised", `{"width":500,"height":800,"maximised":true}`, windowState{Width: 500, Height: 800, Maximised: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(path)
			if tt.file != "" {
				if err := os.WriteFile(path, []byte(tt.file), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if got := loadWindowState(path); !sameState(got, tt.want) {
				t.Errorf("loadWindowState(%s) = %+v, want %+v", tt.file, got, tt.want)
			}
		})
	}
	t.Run("RoundTrip", func(t *testing.T) {
		st := windowState{Width: 600, Height: 900, X: -5, Y: 7, HasPosition: true, Screens: []screenSize{{2560, 1440}, {1920, 1080}}}
		if err := saveWindowState(path, st); err != nil {
			t.Fatal(err)
		}
		if got := loadWindowState(path); !sameState(got, st) {
			t.Errorf("round trip = %+v, want %+v", got, st)
		}
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("window.json mode = %v, %v; want 0600", fi.Mode().Perm(), err)
		}
	})
}

func TestDesktop_PositionVisible(t *testing.T) {
	one := []screenSize{{1280, 800}}
	two := []screenSize{{1920, 1080}, {2560, 1440}}
	for _, tt := range []struct {
		name    string
		st      windowState
		screens []screenSize
		want    bool
	}{
		{"NoPosition", windowState{Width: 440, Height: 760}, one, false},
		{"NoScreens", windowState{Width: 440, Height: 760, X: 10, Y: 10, HasPosition: true}, nil, false},
		{"OnPrimary", windowState{Width: 440, Height: 760, X: 800, Y: 20, HasPosition: true}, one, true},
		{"PartlyOffRight", windowState{Width: 440, Height: 760, X: 1180, Y: 20, HasPosition: true}, one, true},
		{"TitleBarJustOff", windowState{Width: 440, Height: 760, X: 1220, Y: 20, HasPosition: true}, one, false},
		{"AboveTheTop", windowState{Width: 440, Height: 760, X: 100, Y: -30, HasPosition: true}, one, false},
		{"Below", windowState{Width: 440, Height: 760, X: 100, Y: 900, HasPosition: true}, one, false},
		{"SecondScreenStillThere", windowState{Width: 440, Height: 760, X: 2500, Y: 100, HasPosition: true, Screens: two}, two, true},
		{"SecondScreenGone", windowState{Width: 440, Height: 760, X: 2500, Y: 100, HasPosition: true, Screens: two}, two[:1], false},
		{"SecondScreenSwapped", windowState{Width: 440, Height: 760, X: 2500, Y: 100, HasPosition: true, Screens: two}, []screenSize{{1920, 1080}, {1280, 1024}}, false},
		{"FarAwayEvenWithSameScreens", windowState{Width: 440, Height: 760, X: 9000, Y: 100, HasPosition: true, Screens: two}, two, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := positionVisible(tt.st, tt.screens); got != tt.want {
				t.Errorf("positionVisible(%+v, %v) = %v, want %v", tt.st, tt.screens, got, tt.want)
			}
		})
	}
}

func TestDesktop_TrayText(t *testing.T) {
	for _, tt := range []struct {
		in   string
		n    int
		want string
	}{
		{"Reply to Dana", 40, "Reply to Dana"},
		{"Reply to Dana Whitfield: Re: Pricing and security questions", 24, "Reply to Dana Whitfield…"},
		{"Reply   to\nDana", 40, "Reply to Dana"},
		{"Supercalifragilisticexpialidocious", 10, "Supercali…"},
		{"Prep for “Helix Bank × Pebblecache quarterly review”", 30, "Prep for “Helix Bank ×…"},
	} {
		if got := shorten(tt.in, tt.n); got != tt.want {
			t.Errorf("shorten(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
	title, tip := trayText(TodayDTO{Pending: 14, Workspace: WorkspaceDTO{Demo: true, Label: DemoLabel},
		Moves: []MoveDTO{{ID: 1, APS: 93.4, Title: "Reply to Dana Whitfield: Re: Pricing and security questions for 40 engineers"}}})
	if want := "93 · Reply to Dana Whitfield: Re: Pricing…"; title != want {
		t.Errorf("title = %q, want %q", title, want)
	}
	if !strings.Contains(tip, "next of 14") || !strings.Contains(tip, DemoLabel) {
		t.Errorf("tooltip = %q", tip)
	}
	if title, _ := trayText(TodayDTO{}); title != "CaseyOS" {
		t.Errorf("empty title = %q, want CaseyOS", title)
	}
}

// TestDesktop_AppIcon keeps build/appicon.png the mark the tray draws.
// CASEYOS_WRITE_ICON=1 rewrites it.
func TestDesktop_AppIcon(t *testing.T) {
	path := filepath.Join("..", "build", "appicon.png")
	want := markPNG(512)
	if os.Getenv("CASEYOS_WRITE_ICON") == "1" {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (CASEYOS_WRITE_ICON=1 writes it)", err)
	}
	img, err := png.Decode(bytes.NewReader(got))
	if err != nil {
		t.Fatalf("appicon.png: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 512 || b.Dy() != 512 {
		t.Errorf("appicon.png is %dx%d, want 512x512", b.Dx(), b.Dy())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("build/appicon.png is not markPNG(512): run CASEYOS_WRITE_ICON=1 go test -tags desktop,webkit2_41 -run TestDesktop_AppIcon ./app/")
	}
}

// --- helpers -----------------------------------------------------------

func smokeRequired() bool { return os.Getenv("CASEYOS_DESKTOP_SMOKE") == "1" }

func smokeSkip(tb testing.TB, format string, args ...any) {
	tb.Helper()
	if smokeRequired() {
		tb.Fatalf(format, args...)
	}
	tb.Skipf(format+" (make desktop-smoke sets everything up)", args...)
}

func smokeBinary(tb testing.TB) string {
	tb.Helper()
	for _, tool := range []string{"Xvfb", "xdotool", "import"} {
		if _, err := exec.LookPath(tool); err != nil {
			smokeSkip(tb, "%s is not installed (make desktop-deps)", tool)
		}
	}
	bin := os.Getenv("CASEYOS_BIN")
	if bin == "" {
		bin = filepath.Join("..", "build", "bin", "caseyos")
	}
	bin, _ = filepath.Abs(bin)
	if _, err := os.Stat(bin); err != nil {
		smokeSkip(tb, "no desktop binary at %s (make desktop-build)", bin)
	}
	return bin
}

func artifactsDir(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv("CASEYOS_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "build", "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	abs, _ := filepath.Abs(dir)
	return abs
}

// startXvfb starts a virtual screen on a free display and returns ":N".
func startXvfb(tb testing.TB) string {
	tb.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		tb.Fatal(err)
	}
	defer r.Close()
	// -displayfd: Xvfb picks a free display and writes its number to fd 3
	// once it accepts connections.
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp", "-noreset")
	cmd.ExtraFiles = []*os.File{w}
	var errBuf bytes.Buffer
	cmd.Stderr = &errBuf
	if err := cmd.Start(); err != nil {
		tb.Fatalf("Xvfb: %v", err)
	}
	w.Close()
	tb.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(r).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case n := <-line:
		if _, err := strconv.Atoi(n); err != nil {
			tb.Fatalf("Xvfb did not start: %q %s", n, errBuf.String())
		}
		return ":" + n
	case <-time.After(20 * time.Second):
		tb.Fatalf("Xvfb did not start in 20s: %s", errBuf.String())
	}
	return ""
}

// smokeEnv is the process environment with the display set and every XDG
// directory (WebKit's caches, GTK's settings) inside tmp.
func smokeEnv(tmp, display string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "DISPLAY", "WAYLAND_DISPLAY", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "CASEYOS_DATA_DIR", "GDK_BACKEND":
			continue
		}
		env = append(env, kv)
	}
	for _, d := range []string{"data", "cache", "config", "state"} {
		os.MkdirAll(filepath.Join(tmp, "xdg", d), 0o700)
	}
	return append(env,
		"DISPLAY="+display,
		"GDK_BACKEND=x11",
		"XDG_DATA_HOME="+filepath.Join(tmp, "xdg", "data"),
		"XDG_CACHE_HOME="+filepath.Join(tmp, "xdg", "cache"),
		"XDG_CONFIG_HOME="+filepath.Join(tmp, "xdg", "config"),
		"XDG_STATE_HOME="+filepath.Join(tmp, "xdg", "state"),
	)
}

type desktopProc struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	out    bytes.Buffer
	exited chan struct{}
	err    error
	once   sync.Once
}

func (p *desktopProc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// startDesktop runs the window and waits for the page to have loaded.
func startDesktop(tb testing.TB, bin string, env []string, data string, flags ...string) *desktopProc {
	tb.Helper()
	// The data directory stays the last argument: stop reads it there.
	p := &desktopProc{cmd: exec.Command(bin, append(flags, "--data-dir", data)...), exited: make(chan struct{})}
	p.cmd.Env = env
	pr, pw := io.Pipe()
	p.cmd.Stdout, p.cmd.Stderr = pw, pw
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(pr)
		var once sync.Once
		for sc.Scan() {
			p.mu.Lock()
			p.out.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
			// The window's page has loaded, or (--tray) the app is up with no window.
			if strings.Contains(sc.Text(), "DOM ready") || strings.Contains(sc.Text(), "caseyos: ready in the tray") {
				once.Do(func() { close(ready) })
			}
		}
	}()
	start := time.Now()
	if err := p.cmd.Start(); err != nil {
		tb.Fatalf("start %s: %v", bin, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		pw.Close()
		close(p.exited)
	}()
	tb.Cleanup(func() { p.kill() })
	select {
	case <-ready:
		tb.Logf("DOM ready after %v", time.Since(start).Round(time.Millisecond))
	case <-p.exited:
		tb.Fatalf("the desktop exited before DOM ready (%v):\n%s", p.err, p.output())
	case <-time.After(60 * time.Second):
		tb.Fatalf("no DOM ready in 60s:\n%s", p.output())
	}
	return p
}

// stop sends SIGTERM and expects a clean exit that tidies up.
func (p *desktopProc) stop(tb testing.TB) {
	tb.Helper()
	done := false
	p.once.Do(func() { done = true })
	if !done {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(20 * time.Second):
		p.cmd.Process.Kill()
		tb.Fatalf("no exit 20s after SIGTERM:\n%s", p.output())
	}
	if p.err != nil {
		tb.Errorf("exit after SIGTERM: %v\n%s", p.err, p.output())
	}
	dataDir := p.cmd.Args[len(p.cmd.Args)-1]
	if _, err := os.Stat(filepath.Join(dataDir, instanceFile)); !os.IsNotExist(err) {
		tb.Errorf("%s left behind after exit (%v)", instanceFile, err)
	}
	if _, err := os.Stat(filepath.Join(dataDir, windowFile)); err != nil {
		tb.Errorf("%s not written: %v", windowFile, err)
	}
}

func (p *desktopProc) kill() {
	p.once.Do(func() {
		_ = p.cmd.Process.Kill()
		<-p.exited
	})
}

func cliToday(tb testing.TB, bin string, env []string, data string) TodayDTO {
	tb.Helper()
	var t TodayDTO
	cliJSON(tb, bin, env, &t, "today", "--json", "--data-dir", data)
	return t
}

func cliJSON(tb testing.TB, bin string, env []string, v any, args ...string) {
	tb.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("caseyos %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	if err := json.Unmarshal(out, v); err != nil {
		tb.Fatalf("caseyos %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func waitStatus(tb testing.TB, bin string, env []string, data string, id uint64, want string) {
	tb.Helper()
	waitFor(tb, fmt.Sprintf("move %d %s", id, want), func() (bool, string) {
		var e ExplainDTO
		cliJSON(tb, bin, env, &e, "explain", strconv.FormatUint(id, 10), "--json", "--data-dir", data)
		return e.Move.Status == want, e.Move.Status
	})
}

func waitFor(tb testing.TB, what string, ok func() (bool, string)) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		good, got := ok()
		if good {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("waited 10s for %s; last: %s", what, got)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func xdotool(tb testing.TB, display string, args ...string) string {
	tb.Helper()
	cmd := exec.Command("xdotool", args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("xdotool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// visibleWindows lists the mapped windows whose name holds name, now.
func visibleWindows(display, name string) string {
	cmd := exec.Command("xdotool", "search", "--onlyvisible", "--name", name)
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	out, _ := cmd.Output() // exit 1: none
	return strings.TrimSpace(string(out))
}

func findWindow(tb testing.TB, display, name string) string {
	tb.Helper()
	var wid string
	waitFor(tb, "a visible window named "+name, func() (bool, string) {
		cmd := exec.Command("xdotool", "search", "--onlyvisible", "--name", name)
		cmd.Env = append(os.Environ(), "DISPLAY="+display)
		out, _ := cmd.Output()
		wid, _, _ = strings.Cut(strings.TrimSpace(string(out)), "\n")
		return wid != "", string(out)
	})
	return wid
}

// waitDrawn waits until the window shows more than a blank page and has
// stopped changing (two identical captures 300 ms apart).
func waitDrawn(tb testing.TB, display, wid string) {
	tb.Helper()
	start, last := time.Now(), ""
	waitFor(tb, "the page to draw", func() (bool, string) {
		time.Sleep(300 * time.Millisecond)
		cmd := exec.Command("import", "-display", display, "-window", wid, "-format", "%k %#", "info:")
		out, err := cmd.Output()
		if err != nil {
			return false, err.Error()
		}
		colours, sig, _ := strings.Cut(strings.TrimSpace(string(out)), " ")
		n, _ := strconv.Atoi(colours)
		drawn := n >= 64 && sig == last
		last = sig
		return drawn, fmt.Sprintf("%d colours", n)
	})
	tb.Logf("page drawn %v after DOM ready", time.Since(start).Round(10*time.Millisecond))
}

type rect struct{ x, y, w, h int }

func geometry(tb testing.TB, display, wid string) rect {
	tb.Helper()
	var g rect
	for _, line := range strings.Split(xdotool(tb, display, "getwindowgeometry", "--shell", wid), "\n") {
		k, v, _ := strings.Cut(line, "=")
		n, _ := strconv.Atoi(v)
		switch k {
		case "X":
			g.x = n
		case "Y":
			g.y = n
		case "WIDTH":
			g.w = n
		case "HEIGHT":
			g.h = n
		}
	}
	return g
}

func screenshot(tb testing.TB, display, path string) {
	tb.Helper()
	cmd := exec.Command("import", "-display", display, "-window", "root", path)
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Errorf("screenshot: %v\n%s", err, out)
	}
}

// menuItemID finds a tray menu item by its label through the
// com.canonical.dbusmenu interface a tray host reads.
func menuItemID(tb testing.TB, menu dbus.BusObject, label string) int32 {
	tb.Helper()
	return menuItemWhere(tb, menu, fmt.Sprintf("%q", label), func(l string) bool { return l == label })
}

// menuItemPrefix finds the tray menu item whose label starts with prefix.
func menuItemPrefix(tb testing.TB, menu dbus.BusObject, prefix string) int32 {
	tb.Helper()
	return menuItemWhere(tb, menu, fmt.Sprintf("%q…", prefix), func(l string) bool { return strings.HasPrefix(l, prefix) })
}

func menuItemWhere(tb testing.TB, menu dbus.BusObject, what string, match func(string) bool) int32 {
	tb.Helper()
	var rev uint32
	var layout struct {
		ID       int32
		Props    map[string]dbus.Variant
		Children []dbus.Variant
	}
	call := menu.Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{"label"})
	if call.Err != nil {
		tb.Fatalf("GetLayout: %v", call.Err)
	}
	if err := call.Store(&rev, &layout); err != nil {
		tb.Fatalf("GetLayout: %v", err)
	}
	var labels []string
	for _, c := range layout.Children {
		fields, ok := c.Value().([]interface{})
		if !ok || len(fields) < 2 {
			continue
		}
		id, _ := fields[0].(int32)
		props, _ := fields[1].(map[string]dbus.Variant)
		l, _ := props["label"].Value().(string)
		labels = append(labels, l)
		if match(l) {
			return id
		}
	}
	tb.Fatalf("no %s in the tray menu %q", what, labels)
	return 0
}

func TestDesktop_UndoTitle(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		left time.Duration
		want string
	}{
		{10 * time.Second, "Sending in 10 s — Undo send"},
		{2500 * time.Millisecond, "Sending in 3 s — Undo send"},
		{-time.Second, "Sending in 0 s — Undo send"},
	} {
		w := backend.UndoWindow{Deadline: now.Add(tt.left)}
		if got := undoTitle(w, now); got != tt.want {
			t.Errorf("undoTitle(%v left) = %q, want %q", tt.left, got, tt.want)
		}
		left := strings.TrimSuffix(strings.TrimPrefix(tt.want, "Sending in "), " — Undo send")
		if got, want := undoItem(w, now), "Undo send ("+left+")"; got != want {
			t.Errorf("undoItem(%v left) = %q, want %q", tt.left, got, want)
		}
	}
}

func TestDesktop_TrayExecuteLabel(t *testing.T) {
	tests := []struct {
		name string
		m    MoveDTO
		want string
		ok   bool
	}{
		{"OK", MoveDTO{Title: "Reply to Dana"}, "Execute “Reply to Dana”…", true},
		// It opens the preview, where the draft is edited: it may be clicked.
		{"TemplateHoles", MoveDTO{Title: "Follow up", TemplateHoles: []string{"line 5: an empty bullet '- '"}}, "Edit the draft first — line 5: an empty bullet '- '", true},
		{"NotAvailable", MoveDTO{Title: "Engage", NotAvailable: "Replying on X is not available yet"}, "Not available yet: Replying on X is not available yet", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := trayExecuteLabel(&tt.m)
			if got != tt.want || ok != tt.ok {
				t.Errorf("trayExecuteLabel() = %q, %v; want %q, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}
