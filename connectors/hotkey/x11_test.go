//go:build linux && cgo && desktop

package hotkey_test

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/hotkey"
)

// The X11 grabs against a real X server (Xvfb, started here), keys typed
// with xdotool (XTEST) as a person would, while another client has focus.

func TestX11(t *testing.T) {
	display := startXvfb(t)
	ctx := context.Background()

	rec := &events{}
	x, err := hotkey.OpenX11(display, rec.handle)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	binds := must(t, backend.Shortcuts{ShowHide: "Ctrl+Alt+Space", Skip: "Ctrl+Alt+S", PushToTalk: "Ctrl+Alt+V", Preview: "Super+F24"})
	st := x.Bind(ctx, binds)
	want := map[backend.ShortcutAction]backend.ShortcutState{
		backend.ShortcutShowHide: backend.ShortcutActive, backend.ShortcutSkip: backend.ShortcutActive,
		backend.ShortcutPushToTalk: backend.ShortcutActive,
		// Xvfb's keymap has no F24 key.
		backend.ShortcutPreview: backend.ShortcutUnsupported,
	}
	for _, s := range st {
		if s.State != want[s.Action] {
			t.Errorf("%s (%s) = %s %q, want %s", s.Action, s.Accelerator, s.State, s.Message, want[s.Action])
		}
	}

	// Another client has the focus: the keys still come to us.
	other := startClient(t, display)
	xdotool(t, display, "windowfocus", "--sync", other)

	t.Run("PressAndRelease", func(t *testing.T) {
		rec.reset()
		xdotool(t, display, "key", "ctrl+alt+space")
		rec.wait(t, "show_hide down, show_hide up")
	})
	t.Run("LocksDoNotMatter", func(t *testing.T) {
		rec.reset()
		xdotool(t, display, "key", "Num_Lock")
		xdotool(t, display, "key", "Caps_Lock")
		xdotool(t, display, "key", "ctrl+alt+s")
		xdotool(t, display, "key", "Num_Lock")
		xdotool(t, display, "key", "Caps_Lock")
		rec.wait(t, "skip down, skip up")
	})
	t.Run("OtherKeysPassThrough", func(t *testing.T) {
		rec.reset()
		xdotool(t, display, "key", "ctrl+alt+x", "s", "ctrl+s")
		time.Sleep(300 * time.Millisecond)
		if got := rec.String(); got != "" {
			t.Errorf("keys that are no shortcut reached us: %s", got)
		}
	})
	t.Run("HeldKeyIsOnePress", func(t *testing.T) {
		// Held past the server's autorepeat delay (660 ms, then 40/s): one
		// down, one up, however many repeats the server made.
		rec.reset()
		xdotool(t, display, "keydown", "ctrl+alt+v")
		time.Sleep(1500 * time.Millisecond)
		if got := rec.String(); got != "push_to_talk down" {
			t.Errorf("while held: %q, want one press", got)
		}
		// The modifiers go up before the key, as people do.
		xdotool(t, display, "keyup", "ctrl")
		xdotool(t, display, "keyup", "alt")
		xdotool(t, display, "keyup", "v")
		rec.wait(t, "push_to_talk down, push_to_talk up")
	})

	t.Run("TakenByAnotherClient", func(t *testing.T) {
		// A second connection — another client, to the X server — asks
		// for a combination we hold: it is told, per shortcut.
		y, err := hotkey.OpenX11(display, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer y.Close()
		st := y.Bind(ctx, must(t, backend.Shortcuts{ShowHide: "ctrl+alt+space", Skip: "Ctrl+Alt+K"}))
		if st[0].State != backend.ShortcutTaken || !strings.Contains(st[0].Message, "Another app already uses Ctrl+Alt+Space") {
			t.Errorf("the held combination = %+v, want taken", st[0])
		}
		if st[1].State != backend.ShortcutActive {
			t.Errorf("a free combination = %+v, want active", st[1])
		}
		// We still have ours.
		rec.reset()
		xdotool(t, display, "key", "ctrl+alt+space")
		rec.wait(t, "show_hide down, show_hide up")
	})

	t.Run("RebindReleases", func(t *testing.T) {
		st := x.Bind(ctx, must(t, backend.Shortcuts{ShowHide: "Ctrl+Alt+J"}))
		if st[0].State != backend.ShortcutActive {
			t.Fatalf("rebind = %+v", st)
		}
		rec.reset()
		xdotool(t, display, "key", "ctrl+alt+space", "ctrl+alt+j")
		rec.wait(t, "show_hide down, show_hide up")
		// Another client can now have what we let go.
		y, err := hotkey.OpenX11(display, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer y.Close()
		if st := y.Bind(ctx, must(t, backend.Shortcuts{Skip: "Ctrl+Alt+Space"})); st[0].State != backend.ShortcutActive {
			t.Errorf("after we let go, another client's grab = %+v", st[0])
		}
	})

	t.Run("Close", func(t *testing.T) {
		if err := x.Close(); err != nil {
			t.Fatal(err)
		}
		if st := x.Bind(ctx, binds[:1]); st[0].State != backend.ShortcutFailed {
			t.Errorf("Bind after Close = %+v, want failed", st)
		}
	})
}

func TestX11_NoDisplay(t *testing.T) {
	if _, err := hotkey.OpenX11(":9999", nil); backend.ErrorCode(err) != backend.EUNAVAILABLE {
		t.Errorf("OpenX11 on no display = %v, want unavailable", err)
	}
}

// --- helpers -----------------------------------------------------------

func needTool(tb testing.TB, tool string) {
	tb.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		if os.Getenv("CI") != "" || os.Getenv("CASEYOS_DESKTOP_SMOKE") == "1" {
			tb.Fatalf("%s is not installed (make desktop-deps)", tool)
		}
		tb.Skipf("%s is not installed (make desktop-deps installs it; in CI this fails)", tool)
	}
}

func startXvfb(tb testing.TB) string {
	tb.Helper()
	needTool(tb, "Xvfb")
	needTool(tb, "xdotool")
	// :91 is this package's own display: nothing else starts or stops a
	// server there while the test runs. Taken, any free one will do.
	for _, display := range []string{":91", ""} {
		if d := tryXvfb(tb, display); d != "" {
			return d
		}
	}
	tb.Fatal("Xvfb did not start")
	return ""
}

func tryXvfb(tb testing.TB, display string) string {
	tb.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		tb.Fatal(err)
	}
	defer r.Close()
	args := []string{"-displayfd", "3", "-screen", "0", "640x480x24", "-nolisten", "tcp", "-noreset"}
	if display != "" {
		args = append([]string{display}, args...)
	}
	cmd := exec.Command("Xvfb", args...)
	cmd.ExtraFiles = []*os.File{w}
	var errBuf bytes.Buffer
	cmd.Stderr = &errBuf
	if err := cmd.Start(); err != nil {
		tb.Fatalf("Xvfb: %v", err)
	}
	w.Close()
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(r).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case n := <-line:
		if _, err := strconv.Atoi(n); err == nil {
			tb.Cleanup(func() {
				_ = cmd.Process.Signal(syscall.SIGTERM)
				<-exited
			})
			return ":" + n
		}
	case <-time.After(20 * time.Second):
	}
	_ = cmd.Process.Kill()
	<-exited
	tb.Logf("Xvfb %s did not start: %s", display, errBuf.String())
	return ""
}

// startClient maps another X client's window (xmessage) and returns its id.
func startClient(tb testing.TB, display string) string {
	tb.Helper()
	needTool(tb, "xmessage")
	cmd := exec.Command("xmessage", "-name", "otherapp", "-title", "Other app", "another app has the focus")
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	var wid string
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		c := exec.Command("xdotool", "search", "--onlyvisible", "--name", "Other app")
		c.Env = cmd.Env
		out, _ := c.Output()
		if wid, _, _ = strings.Cut(strings.TrimSpace(string(out)), "\n"); wid != "" {
			return wid
		}
	}
	tb.Fatal("xmessage's window did not appear")
	return ""
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
