//go:build desktop

package app

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/prop"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/gmail/gmailtest"
)

// TestDesktop_TrayOverDBus reads the tray as a tray host (a panel, KDE's
// system tray, GNOME's AppIndicator extension) reads it: on a private
// session bus, a fake org.kde.StatusNotifierWatcher takes the item's
// registration, and the test reads the item's properties and its
// com.canonical.dbusmenu menu and clicks its items over D-Bus. The tray
// runs in-process on a real App (the execution tests' workspace: fake
// Gmail, Calendar and HubSpot behind the real connectors), without the
// window: on Linux fyne.io/systray is D-Bus only.
//
// systray is a process-wide singleton that can start once, and godbus
// shares one session-bus connection per process: the test runs its body
// in a child process of the test binary, with its own dbus-daemon.
// Without dbus-daemon it is skipped, unless CI or CASEYOS_DESKTOP_SMOKE
// is set (make desktop-smoke), where that is a failure.
func TestDesktop_TrayOverDBus(t *testing.T) {
	if goruntime.GOOS != "linux" {
		t.Skip("the tray speaks StatusNotifierItem over D-Bus on Linux only")
	}
	if os.Getenv(trayChildEnv) == "1" {
		trayOverDBus(t)
		return
	}
	daemon, err := exec.LookPath("dbus-daemon")
	if err != nil {
		if os.Getenv("CI") != "" || smokeRequired() {
			t.Fatalf("dbus-daemon is not installed (apt install dbus): %v", err)
		}
		t.Skip("dbus-daemon is not installed (apt install dbus)")
	}
	addr := startSessionBus(t, daemon)
	child := exec.Command(os.Args[0], "-test.run=^TestDesktop_TrayOverDBus$", "-test.count=1", "-test.v", "-test.timeout=3m")
	child.Env = append(withoutEnv(os.Environ(), "DBUS_SESSION_BUS_ADDRESS", "CASEYOS_TRAY", trayChildEnv),
		"DBUS_SESSION_BUS_ADDRESS="+addr, trayChildEnv+"=1")
	out, err := child.CombinedOutput()
	t.Logf("the tray test's process on %s:\n%s", addr, out)
	if err != nil {
		t.Fatalf("the tray test failed: %v", err)
	}
	if !bytes.Contains(out, []byte("--- PASS: TestDesktop_TrayOverDBus")) {
		t.Fatal("the tray test's process did not pass")
	}
}

const trayChildEnv = "CASEYOS_TRAY_TEST_CHILD"

func withoutEnv(env []string, keys ...string) []string {
	var out []string
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		drop := false
		for _, key := range keys {
			drop = drop || k == key
		}
		if !drop {
			out = append(out, kv)
		}
	}
	return out
}

// startSessionBus runs a private session bus for the test and returns its
// address.
func startSessionBus(t *testing.T, daemon string) string {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "bus")
	cmd := exec.Command(daemon, "--session", "--nofork", "--nopidfile", "--address=unix:path="+sock, "--print-address")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("dbus-daemon: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line := make(chan string, 1)
	go func() {
		var b [512]byte
		n, _ := stdout.Read(b[:])
		line <- strings.TrimSpace(string(b[:n]))
	}()
	select {
	case addr := <-line:
		if !strings.HasPrefix(addr, "unix:") {
			t.Fatalf("dbus-daemon printed %q: %s", addr, stderr.String())
		}
		return addr
	case <-time.After(10 * time.Second):
		t.Fatalf("dbus-daemon did not start in 10s: %s", stderr.String())
	}
	return ""
}

// trayOverDBus is the test itself, in the child process.
func trayOverDBus(t *testing.T) {
	e := newExecEnv(t)
	e.mail.Deliver(gmailtest.Message{ThreadID: "thr-nw", From: "Dana <dana@northwind.io>", To: []string{execOwner},
		Subject: "Pricing", Body: "What does it cost?", MessageID: "<CAN-1@northwind.io>", Date: execNow.Add(-time.Hour)})
	reply := e.move(&backend.Move{Kind: backend.KindSendEmail, Title: "Reply to Dana Whitfield: Re: Pricing and security questions for 40 engineers",
		Subject: backend.Subject{Type: backend.SubjectThread, ID: "thr-nw"}, ContactID: "101",
		Draft: backend.Draft{To: []string{"dana@northwind.io"}, Subject: "Re: Pricing", Body: "It costs $500 a month.", ThreadID: "thr-nw"}})
	// Nine more: ten pending in all, more than the badge shows.
	var others []uint64
	for i := 0; i < 9; i++ {
		others = append(others, e.move(&backend.Move{Kind: backend.KindCreateTask, Title: fmt.Sprintf("Follow up with lead %d", i+1),
			Subject: backend.Subject{Type: backend.SubjectTopic, ID: fmt.Sprintf("lead-%d", i+1)}, ContactID: "101"}))
	}
	setAPS(t, e, reply, 93.4)
	for i, id := range others {
		setAPS(t, e, id, float64(40+i))
	}
	today, err := e.app.bound.Today.Today("", 1)
	if err != nil || len(today.Moves) == 0 || today.Moves[0].ID != reply || today.Pending != 10 {
		t.Fatalf("Today = %+v, %v; want the reply first of 10", today, err)
	}
	top := today.Moves[0]

	watcher := startFakeWatcher(t)
	host, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatalf("the host's connection: %v", err)
	}
	defer host.Close()

	opened := make(chan uint64, 16)
	quit := make(chan struct{}, 1)
	var logBuf lockedBuffer
	tr := startTray(e.app, &logBuf, func(id uint64) { opened <- id }, func() { quit <- struct{}{} })
	if tr == nil {
		t.Fatalf("no tray: %s", logBuf.String())
	}
	defer tr.stop()
	defer func() {
		if t.Failed() {
			t.Logf("the tray said:\n%s", logBuf.String())
		}
	}()

	sender, path := watcher.item(t)
	h := trayHost{t: t, item: host.Object(sender, path)}
	var menuPath dbus.ObjectPath
	h.get("Menu", &menuPath)
	h.menu = host.Object(sender, menuPath)

	wantTitle := fmt.Sprintf("93 · %s", shorten(top.Title, trayTitleRunes))
	t.Run("NextMove", func(t *testing.T) {
		h.t = t
		h.waitProp("Title", func(v dbus.Variant) (bool, string) {
			s, _ := v.Value().(string)
			return s == wantTitle, s
		})
		var status string
		h.get("Status", &status)
		if status != "Active" {
			t.Errorf("Status = %q, want Active", status)
		}
		if tip := h.tooltip(); !strings.Contains(tip, wantTitle) || !strings.Contains(tip, "next of 10") {
			t.Errorf("ToolTip = %q, want the next move of 10", tip)
		}
		m := h.layout()
		want := []string{wantTitle, trayExecuteTitle(top.Title), "Skip", trayKillLabel, "Open CaseyOS", "Quit"}
		var got []string
		for _, it := range m {
			if it.visible && it.typ != "separator" {
				got = append(got, it.label)
			}
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("visible menu items = %q, want %q", got, want)
		}
		if k := h.find(m, trayKillLabel); k.toggleType != "checkmark" || k.toggleState != 0 {
			t.Errorf("kill switch item = %+v, want an unchecked checkmark", k)
		}
	})

	// The icon is read once the title, tooltip or menu show the state it
	// goes with: the tray sets the icon first in each update, as a host
	// reads it after the NewIcon signal. (Reading the pixmap while it
	// changes races inside systray and godbus, which overwrite the
	// property's pixel array in place.)
	t.Run("Icon", func(t *testing.T) {
		h.t = t
		icon := h.icon()
		if b := readBadge(icon); b != "9+" {
			t.Errorf("the badge reads %q, want 9+ for 10 moves", b)
		}
		if c := bodyColour(icon); c != "indigo" {
			t.Errorf("the icon's body is %s, want indigo", c)
		}
		// Skipping (as the window or `caseyos skip` does) changes the count.
		for _, id := range others[:2] {
			if _, err := e.app.bound.Today.Skip(id, "", "cli"); err != nil {
				t.Fatal(err)
			}
		}
		h.waitTooltip("next of 8")
		if b := readBadge(h.icon()); b != "8" {
			t.Errorf("the badge reads %q, want 8", b)
		}
	})

	t.Run("OpenNeverSends", func(t *testing.T) {
		h.t = t
		drain(opened)
		for _, label := range []string{wantTitle, trayExecuteTitle(top.Title)} {
			h.click(label)
			select {
			case id := <-opened:
				if id != reply {
					t.Errorf("%q opened move %d, want %d", label, id, reply)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("%q did not open the window on the move", label)
			}
		}
		h.click("Open CaseyOS")
		select {
		case id := <-opened:
			if id != 0 {
				t.Errorf("Open CaseyOS opened move %d, want 0 (just the window)", id)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Open CaseyOS did not open the window")
		}
		e.pass()
		if _, err := e.app.bound.Execution.ExecutionStatus(reply); backend.ErrorCode(err) != backend.ENOTFOUND {
			t.Errorf("after the tray's items the move has an execution (%v): the tray sent blind", err)
		}
		if n := len(e.mail.Sent()); n != 0 {
			t.Errorf("Gmail received %d messages from the tray", n)
		}
	})

	var normal []byte
	t.Run("KillSwitch", func(t *testing.T) {
		h.t = t
		normal = h.iconBytes()
		if _, err := e.app.bound.Execution.KillSwitch("on", "board meeting", "cli"); err != nil {
			t.Fatal(err)
		}
		h.waitMenu(trayKillLabel, func(it trayItem) bool { return it.toggleState == 1 })
		if st := h.find(h.layout(), trayStatusKill); !st.visible {
			t.Errorf("no %q line while the kill switch is on", trayStatusKill)
		}
		icon := h.icon()
		if c := bodyColour(icon); c != "red" {
			t.Errorf("the kill switch's icon is %s, want red", c)
		}
		if b := readBadge(icon); b != "8" {
			t.Errorf("the kill switch's icon shows badge %q, want 8", b)
		}
		// A click in the tray turns it off in the store.
		h.click(trayKillLabel)
		waitTrue(t, "the kill switch off in the store", func() (bool, string) {
			ks, err := e.app.bound.Execution.KillSwitch("status", "", "")
			return err == nil && !ks.On, fmt.Sprintf("%+v %v", ks, err)
		})
		h.waitMenu(trayKillLabel, func(it trayItem) bool { return it.toggleState == 0 })
		if c := bodyColour(h.icon()); c != "indigo" {
			t.Errorf("with the kill switch off again the icon is %s, want indigo", c)
		}
		for _, it := range h.layout() {
			if it.visible && strings.HasPrefix(it.label, "Kill switch is on") {
				t.Errorf("%q still shown with the kill switch off", it.label)
			}
		}
		// And on again from the tray.
		h.click(trayKillLabel)
		waitTrue(t, "the kill switch on in the store", func() (bool, string) {
			ks, err := e.app.bound.Execution.KillSwitch("status", "", "")
			return err == nil && ks.On, fmt.Sprintf("%+v %v", ks, err)
		})
		h.waitMenu(trayKillLabel, func(it trayItem) bool { return it.toggleState == 1 })
		if _, err := e.app.bound.Execution.KillSwitch("off", "", "cli"); err != nil {
			t.Fatal(err)
		}
		h.waitMenu(trayKillLabel, func(it trayItem) bool { return it.toggleState == 0 })
	})

	t.Run("UndoCountdown", func(t *testing.T) {
		h.t = t
		// Executed in the window: the send waits in its 10 s undo window.
		p, err := e.app.bound.Execution.PreviewExecution(reply)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.app.bound.Execution.ExecuteMove(reply, ExecuteRequestDTO{PreviewHash: p.Hash, Via: "key"}); err != nil {
			t.Fatal(err)
		}
		h.waitMenu("Undo send (10 s)", func(it trayItem) bool { return it.visible })
		h.waitProp("Title", func(v dbus.Variant) (bool, string) {
			s, _ := v.Value().(string)
			return s == "Sending in 10 s — Undo send", s
		})
		e.clock.Advance(4 * time.Second)
		h.waitMenu("Undo send (6 s)", func(it trayItem) bool { return it.visible })
		h.click("Undo send (6 s)")
		waitTrue(t, "the send undone", func() (bool, string) {
			st, err := e.app.bound.Execution.ExecutionStatus(reply)
			return err == nil && st.State == "undone", fmt.Sprintf("%+v %v", st, err)
		})
		waitTrue(t, "no undo item", func() (bool, string) {
			for _, it := range h.layout() {
				if strings.HasPrefix(it.label, trayUndoLabel) && it.visible {
					return false, it.label
				}
			}
			return true, ""
		})
		e.pass()
		if n := len(e.mail.Sent()); n != 0 {
			t.Errorf("Gmail received %d messages after the tray's undo", n)
		}
		h.waitProp("Title", func(v dbus.Variant) (bool, string) {
			s, _ := v.Value().(string)
			return s == wantTitle, s
		})
	})

	t.Run("Offline", func(t *testing.T) {
		h.t = t
		// Gmail cannot be reached: the send goes to the outbox.
		e.mail.Inject(gmailtest.Fault{Method: "users.messages.send", Status: 503, Reason: "backendError"})
		e.execute(reply)
		if st := e.status(reply); st.State != "queued" {
			t.Fatalf("execution = %+v, want queued in the outbox", st)
		}
		st := h.waitMenu("Offline: 1 action waits in the outbox", func(it trayItem) bool { return it.visible })
		icon := h.icon()
		if c := bodyColour(icon); c != "grey" {
			t.Errorf("the offline icon is %s, want grey", c)
		}
		if b := readBadge(icon); b != "7" {
			t.Errorf("the offline icon shows badge %q, want 7", b)
		}
		if st.enabled {
			t.Errorf("the offline line can be clicked: %+v", st)
		}
		if tip := h.tooltip(); !strings.Contains(tip, "Offline: 1 action waits in the outbox") {
			t.Errorf("ToolTip = %q, want the outbox's send", tip)
		}
		offline := h.iconBytes()
		if _, err := e.app.bound.Execution.KillSwitch("on", "", "cli"); err != nil {
			t.Fatal(err)
		}
		h.waitMenu(trayKillLabel, func(it trayItem) bool { return it.toggleState == 1 })
		killed := h.iconBytes()
		if c := bodyColour(h.icon()); c != "red" {
			t.Errorf("offline with the kill switch on, the icon is %s, want red", c)
		}
		if bytes.Equal(normal, offline) || bytes.Equal(normal, killed) || bytes.Equal(offline, killed) {
			t.Error("the normal, offline and kill-switch icons are not three different icons")
		}
	})

	t.Run("Quit", func(t *testing.T) {
		h.t = t
		h.click("Quit")
		select {
		case <-quit:
		case <-time.After(5 * time.Second):
			t.Fatal("Quit did not quit")
		}
	})
}

func setAPS(t *testing.T, e *execEnv, id uint64, aps float64) {
	t.Helper()
	err := e.db.Update(context.Background(), func(tx backend.Tx) error {
		m, err := tx.FindMove(id)
		if err != nil {
			return err
		}
		m.Score.APS = aps
		return tx.UpdateMove(m)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func drain(c chan uint64) {
	for {
		select {
		case <-c:
		default:
			return
		}
	}
}

func waitTrue(t *testing.T, what string, ok func() (bool, string)) {
	t.Helper()
	waitFor(t, what, ok)
}

// --- a fake org.kde.StatusNotifierWatcher --------------------------------

// fakeWatcher is the part of a desktop's StatusNotifierWatcher an item
// talks to: it takes registrations and says a host is there.
type fakeWatcher struct {
	conn  *dbus.Conn
	mu    sync.Mutex
	items []string // "sender/path", as the watcher's RegisteredStatusNotifierItems
	got   chan [2]string
}

func startFakeWatcher(t *testing.T) *fakeWatcher {
	t.Helper()
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatalf("the watcher's connection: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	w := &fakeWatcher{conn: conn, got: make(chan [2]string, 4)}
	const path, iface = "/StatusNotifierWatcher", "org.kde.StatusNotifierWatcher"
	if err := conn.ExportMethodTable(map[string]any{
		"RegisterStatusNotifierItem": w.registerItem,
		"RegisterStatusNotifierHost": func(string) *dbus.Error { return nil },
	}, path, iface); err != nil {
		t.Fatal(err)
	}
	if _, err := prop.Export(conn, path, map[string]map[string]*prop.Prop{iface: {
		"RegisteredStatusNotifierItems":  {Value: []string{}, Emit: prop.EmitTrue},
		"IsStatusNotifierHostRegistered": {Value: true, Emit: prop.EmitTrue},
		"ProtocolVersion":                {Value: int32(0), Emit: prop.EmitTrue},
	}}); err != nil {
		t.Fatal(err)
	}
	reply, err := conn.RequestName(iface, dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("own %s: %v, %v", iface, reply, err)
	}
	return w
}

// registerItem is RegisterStatusNotifierItem(s): service is a bus name, or
// (as fyne.io/systray and libappindicator send) an object path on the
// caller's connection.
func (w *fakeWatcher) registerItem(sender dbus.Sender, service string) *dbus.Error {
	name, path := service, "/StatusNotifierItem"
	if strings.HasPrefix(service, "/") {
		name, path = string(sender), service
	}
	w.mu.Lock()
	w.items = append(w.items, name+path)
	w.mu.Unlock()
	_ = w.conn.Emit("/StatusNotifierWatcher", "org.kde.StatusNotifierWatcher.StatusNotifierItemRegistered", name+path)
	w.got <- [2]string{name, path}
	return nil
}

func (w *fakeWatcher) item(t *testing.T) (string, dbus.ObjectPath) {
	t.Helper()
	select {
	case it := <-w.got:
		return it[0], dbus.ObjectPath(it[1])
	case <-time.After(10 * time.Second):
		t.Fatal("no StatusNotifierItem registered with the watcher in 10s")
	}
	return "", ""
}

// --- the host's side -----------------------------------------------------

type trayHost struct {
	t          *testing.T
	item, menu dbus.BusObject
}

func (h *trayHost) get(name string, v any) {
	h.t.Helper()
	p, err := h.item.GetProperty("org.kde.StatusNotifierItem." + name)
	if err != nil {
		h.t.Fatalf("%s: %v", name, err)
	}
	if err := p.Store(v); err != nil {
		h.t.Fatalf("%s = %v: %v", name, p, err)
	}
}

func (h *trayHost) waitProp(name string, ok func(dbus.Variant) (bool, string)) {
	h.t.Helper()
	waitFor(h.t, name, func() (bool, string) {
		p, err := h.item.GetProperty("org.kde.StatusNotifierItem." + name)
		if err != nil {
			return false, err.Error()
		}
		return ok(p)
	})
}

// tooltip is the ToolTip's title: (icon name, icon pixmaps, title, text).
func (h *trayHost) tooltip() string {
	h.t.Helper()
	var tip struct {
		Name  string
		Icons []struct {
			W, H int32
			Pix  []byte
		}
		Title, Text string
	}
	h.get("ToolTip", &tip)
	return tip.Title
}

// iconBytes is the IconPixmap as sent: width, height and ARGB bytes.
func (h *trayHost) iconBytes() []byte {
	h.t.Helper()
	img := h.icon()
	var b bytes.Buffer
	fmt.Fprintf(&b, "%v", img.Bounds())
	b.Write(img.(*image.NRGBA).Pix)
	return b.Bytes()
}

// icon decodes the IconPixmap (an array of (width, height, ARGB32 in
// network byte order)) as a host draws it.
func (h *trayHost) icon() image.Image {
	h.t.Helper()
	var px []struct {
		W, H int32
		Pix  []byte
	}
	h.get("IconPixmap", &px)
	if len(px) == 0 {
		h.t.Fatal("IconPixmap is empty")
	}
	p := px[0]
	if p.W <= 0 || p.H <= 0 || len(p.Pix) != int(p.W*p.H*4) {
		h.t.Fatalf("IconPixmap is %dx%d with %d bytes", p.W, p.H, len(p.Pix))
	}
	img := image.NewNRGBA(image.Rect(0, 0, int(p.W), int(p.H)))
	for i := 0; i < len(p.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = p.Pix[i+1], p.Pix[i+2], p.Pix[i+3], p.Pix[i]
	}
	return img
}

func (h *trayHost) waitTooltip(part string) {
	h.t.Helper()
	waitFor(h.t, "a tooltip with "+part, func() (bool, string) {
		tip := h.tooltip()
		return strings.Contains(tip, part), tip
	})
}

type trayItem struct {
	id                     int32
	label, typ, toggleType string
	visible, enabled       bool
	toggleState            int32
}

// layout is the menu's top level as GetLayout(0, -1, []) gives it.
func (h *trayHost) layout() []trayItem {
	h.t.Helper()
	var rev uint32
	var root struct {
		ID       int32
		Props    map[string]dbus.Variant
		Children []dbus.Variant
	}
	call := h.menu.Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{})
	if call.Err != nil {
		h.t.Fatalf("GetLayout: %v", call.Err)
	}
	if err := call.Store(&rev, &root); err != nil {
		h.t.Fatalf("GetLayout: %v", err)
	}
	var out []trayItem
	for _, c := range root.Children {
		fields, ok := c.Value().([]any)
		if !ok || len(fields) < 2 {
			h.t.Fatalf("a menu child is %v", c)
		}
		it := trayItem{visible: true, enabled: true}
		it.id, _ = fields[0].(int32)
		props, _ := fields[1].(map[string]dbus.Variant)
		for k, v := range props {
			switch k {
			case "label":
				it.label, _ = v.Value().(string)
			case "type":
				it.typ, _ = v.Value().(string)
			case "visible":
				it.visible, _ = v.Value().(bool)
			case "enabled":
				it.enabled, _ = v.Value().(bool)
			case "toggle-type":
				it.toggleType, _ = v.Value().(string)
			case "toggle-state":
				n, _ := v.Value().(int32)
				it.toggleState = n
			}
		}
		out = append(out, it)
	}
	return out
}

func (h *trayHost) find(items []trayItem, label string) trayItem {
	h.t.Helper()
	var labels []string
	for _, it := range items {
		if it.label == label {
			return it
		}
		labels = append(labels, it.label)
	}
	h.t.Fatalf("no %q in the tray menu %q", label, labels)
	return trayItem{}
}

func (h *trayHost) waitMenu(label string, ok func(trayItem) bool) trayItem {
	h.t.Helper()
	var it trayItem
	waitFor(h.t, "menu item "+label, func() (bool, string) {
		var labels []string
		for _, x := range h.layout() {
			if x.label == label && ok(x) {
				it = x
				return true, ""
			}
			labels = append(labels, fmt.Sprintf("%q visible=%v toggle=%d", x.label, x.visible, x.toggleState))
		}
		return false, strings.Join(labels, ", ")
	})
	return it
}

// click sends the "clicked" event a host sends when a person picks the item.
func (h *trayHost) click(label string) {
	h.t.Helper()
	it := h.find(h.layout(), label)
	if call := h.menu.Call("com.canonical.dbusmenu.Event", 0, it.id, "clicked", dbus.MakeVariant(""), uint32(time.Now().Unix())); call.Err != nil {
		h.t.Fatalf("click %q: %v", label, call.Err)
	}
}
