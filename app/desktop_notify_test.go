//go:build desktop && !darwin

package app

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/connectors/notify"
	"github.com/caseyos/caseyos/connectors/notify/notifytest"
)

// TestDesktop_Notifications runs the real window on the demo under Xvfb
// with a fake notification server on its session bus, as a person's
// desktop would have one: the demo's hot moves reach it once each, a
// restart does not repeat them, the kill switch turned on from the
// command line while the window runs does, "Open" brings the hidden
// window back, and "Snooze 1h" snoozes (checked through the CLI).
func TestDesktop_Notifications(t *testing.T) {
	bin := smokeBinary(t)
	display := startXvfb(t)
	tmp := t.TempDir()
	data := filepath.Join(tmp, "data")
	addr := notifytest.StartBus(t)
	var env []string
	for _, kv := range smokeEnv(tmp, display) {
		if !strings.HasPrefix(kv, "DBUS_SESSION_BUS_ADDRESS=") {
			env = append(env, kv)
		}
	}
	env = append(env, "DBUS_SESSION_BUS_ADDRESS="+addr)
	srv := notifytest.Start(t, addr, "actions", "body")

	w := startDesktop(t, bin, env, data)
	today := cliToday(t, bin, env, data)
	top3 := map[string]uint64{}
	for i, m := range today.Moves {
		if i < 3 {
			top3[m.Title] = m.ID
		}
	}
	calls := srv.WaitCalls(1, 20*time.Second)
	time.Sleep(time.Second) // every hot move of the top 3 has had its chance
	calls = srv.Calls()
	if len(calls) == 0 {
		t.Fatalf("no notification reached the server; top 3 %v; output:\n%s", top3, w.output())
	}
	seen := map[string]bool{}
	for _, c := range calls {
		if _, ok := top3[c.Summary]; !ok || seen[c.Summary] || c.AppName != "CaseyOS" {
			t.Errorf("notification %q from %q: want each of the top 3's hot moves once, from CaseyOS (top 3: %v)", c.Summary, c.AppName, top3)
		}
		seen[c.Summary] = true
	}
	hot := len(calls)
	t.Logf("%d hot moves of the demo's top 3 notified: %v", hot, summaries(calls))

	killSwitch := func(state string) {
		t.Helper()
		cmd := exec.Command(bin, "kill-switch", state, "--reason", "from the test", "--data-dir", data)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("caseyos kill-switch %s: %v\n%s", state, err, out)
		}
	}
	waitSummary := func(summary string, n int) []notifytest.Call {
		t.Helper()
		got := srv.WaitCalls(n, 10*time.Second)
		if len(got) < n || got[n-1].Summary != summary {
			t.Fatalf("server got %v, want %q as notification %d", summaries(got), summary, n)
		}
		return got
	}

	t.Run("KillSwitchFromCLI", func(t *testing.T) {
		killSwitch("on")
		got := waitSummary("Kill switch on", hot+1)
		if !strings.Contains(got[hot].Body, "the command line: from the test") {
			t.Errorf("body = %q, want who and why", got[hot].Body)
		}
		killSwitch("off")
	})

	t.Run("Snooze1h", func(t *testing.T) {
		id := top3[calls[0].Summary]
		if err := srv.Invoke(calls[0].ID, notify.ActionSnooze); err != nil {
			t.Fatal(err)
		}
		waitStatus(t, bin, env, data, id, "snoozed")
	})

	t.Run("OpenShowsTheHiddenWindow", func(t *testing.T) {
		if hot < 2 {
			t.Skip("the demo's top 3 had one hot move, already snoozed")
		}
		wid := findWindow(t, display, "Demo workspace")
		xdotool(t, display, "windowunmap", wid)
		waitFor(t, "the window hidden", func() (bool, string) {
			v := visibleWindows(display, "Demo workspace")
			return v == "", v
		})
		if err := srv.Invoke(calls[1].ID, notify.ActionOpen); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the window shown by Open", func() (bool, string) {
			v := visibleWindows(display, "Demo workspace")
			return v != "", v
		})
		// Open never executes: the move is still pending.
		waitStatus(t, bin, env, data, top3[calls[1].Summary], "pending")
	})

	t.Run("RestartDoesNotRepeat", func(t *testing.T) {
		w.stop(t)
		n := len(srv.Calls())
		w = startDesktop(t, bin, env, data)
		defer w.stop(t)
		// The kill switch from the command line is the sentinel: it is
		// handled after what the start looked at.
		time.Sleep(time.Second)
		killSwitch("on")
		got := waitSummary("Kill switch on", n+1)
		if len(got) != n+1 {
			t.Errorf("after a restart: %v, want only the kill switch", summaries(got[n:]))
		}
		killSwitch("off")
	})
}

// TestDesktop_NotificationsNoServer: a session bus with no notification
// server (a bare window manager session). The demo's hot moves find none:
// one line on stderr, and the window runs on.
func TestDesktop_NotificationsNoServer(t *testing.T) {
	bin := smokeBinary(t)
	display := startXvfb(t)
	tmp := t.TempDir()
	data := filepath.Join(tmp, "data")
	addr := notifytest.StartBus(t)
	var env []string
	for _, kv := range smokeEnv(tmp, display) {
		if !strings.HasPrefix(kv, "DBUS_SESSION_BUS_ADDRESS=") {
			env = append(env, kv)
		}
	}
	env = append(env, "DBUS_SESSION_BUS_ADDRESS="+addr)
	w := startDesktop(t, bin, env, data)
	defer w.stop(t)
	const line = "caseyos: notifications: no notification server answered on the session bus"
	waitFor(t, "the note that there is no notification server", func() (bool, string) {
		return strings.Contains(w.output(), line), w.output()
	})
	time.Sleep(time.Second)
	if n := strings.Count(w.output(), "caseyos: notifications:"); n != 1 {
		t.Errorf("%d notification lines on stderr, want 1:\n%s", n, w.output())
	}
	if today := cliToday(t, bin, env, data); len(today.Moves) == 0 {
		t.Errorf("the window's App answers no moves after the note")
	}
}
