package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The window process's life as the app runs it (window_proc.go), with a
// stand-in window: this test binary started as `fakeWindow` (TestMain),
// which speaks the link as window.go does and writes down what it was
// told. The real window over the same link: TestDesktop_* (Xvfb).

const (
	fakeWindowEnv = "CASEYOS_FAKE_WINDOW" // the file the fake writes what it saw to
	fakeOpenClose = 99                    // hello.Open: the person closes the window at once
	fakeOpenCrash = 98                    // hello.Open: the window crashes at once
)

func TestMain(m *testing.M) {
	if path := os.Getenv(fakeWindowEnv); path != "" {
		os.Exit(fakeWindow(path))
	}
	os.Exit(m.Run())
}

// fakeWindow is the stand-in window process.
func fakeWindow(logPath string) int {
	logf, err := os.OpenFile(logPath, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		return 2
	}
	defer logf.Close()
	note := func(format string, args ...any) { fmt.Fprintf(logf, format+"\n", args...) }
	l := newLink(os.NewFile(3, "from-app"), os.NewFile(4, "to-app"))
	m, err := l.recv()
	if err != nil || m.T != linkHello {
		note("no hello: %v %+v", err, m)
		return 2
	}
	var hello windowHello
	_ = json.Unmarshal(m.Data, &hello)
	note("hello %s open=%d", hello.Title, hello.Open)
	switch hello.Open {
	case fakeOpenClose:
		_ = l.send(linkMsg{T: linkClosed})
		return 0
	case fakeOpenCrash:
		return 3
	}
	// The page's first calls: one that works, one that does not exist,
	// one with arguments of the wrong type.
	_ = l.send(linkMsg{T: linkCall, ID: 1, Method: "TodayService.Today", Data: json.RawMessage(`["", 3]`)})
	_ = l.send(linkMsg{T: linkCall, ID: 2, Method: "TodayService.NoSuchMethod", Data: json.RawMessage(`[]`)})
	_ = l.send(linkMsg{T: linkCall, ID: 3, Method: "TodayService.Skip", Data: json.RawMessage(`["seven", "", "key"]`)})
	for {
		m, err := l.recv()
		if err != nil {
			note("link closed: %v", err)
			return 0
		}
		switch m.T {
		case linkReply:
			if m.Error != nil {
				note("reply %d error %s: %s", m.ID, m.Error.Code, m.Error.Message)
			} else {
				note("reply %d %s", m.ID, m.Data)
			}
		case linkEvent:
			note("event %s %s", m.Name, m.Data)
		case linkShow:
			note("show %d", m.ID)
			_ = l.send(linkMsg{T: linkShown})
		case linkToggle:
			note("toggle")
			_ = l.send(linkMsg{T: linkHidden})
		case linkQuit:
			note("quit")
			return 0
		}
	}
}

// fakeLog reads what the fake window wrote down.
func fakeLog(t *testing.T, path string) string {
	t.Helper()
	b, _ := os.ReadFile(path)
	return string(b)
}

func waitLog(t *testing.T, path, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(fakeLog(t, path), want) {
		if time.Now().After(deadline) {
			t.Fatalf("the window never saw %q; it saw:\n%s", want, fakeLog(t, path))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// lockedBuffer is a bytes.Buffer safe for concurrent use (stderr written
// from other goroutines), for this package's tests.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestWindowProc(t *testing.T) {
	a := newWebhookApp(t)
	log := filepath.Join(t.TempDir(), "window.log")
	t.Setenv(fakeWindowEnv, log)
	t.Setenv("CASEYOS_WINDOW_KEEP", "300ms")
	var stderr lockedBuffer
	closed, exited := make(chan struct{}, 4), make(chan struct{}, 8)
	p := newWindowProc(a, []string{os.Args[0], "-test.run=^$"}, windowHello{Title: "CaseyOS — test", Dir: t.TempDir()}, &stderr,
		func() { closed <- struct{}{} })
	p.exited = func() { exited <- struct{}{} }
	defer p.stop()

	// Shown: the process starts and is told who it is.
	p.show(0)
	waitLog(t, log, "hello CaseyOS — test open=0")
	first, ok := p.running()
	if !ok {
		t.Fatal("no window process after show")
	}
	// Its calls reach the App's bound methods, errors coded as the API's.
	waitLog(t, log, `reply 1 {"workspace":`)
	waitLog(t, log, "reply 2 error not_found: there is no method \"TodayService.NoSuchMethod\"")
	waitLog(t, log, "reply 3 error invalid:")
	// The App's events reach it.
	a.Events().Publish("queue:changed", map[string]int{"pending": 4})
	waitLog(t, log, `event queue:changed {"pending":4}`)
	// Shown again while running: the same process, told which move.
	p.show(42)
	waitLog(t, log, "show 42")
	if pid, _ := p.running(); pid != first {
		t.Errorf("show started another process (%d, was %d)", pid, first)
	}

	// Hidden: the process stays for the keep time, then is asked to quit.
	p.toggle()
	waitLog(t, log, "toggle")
	waitLog(t, log, "quit")
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		t.Fatal("the hidden window's process did not end")
	}
	if _, ok := p.running(); ok {
		t.Error("a window process still runs after it ended")
	}
	// Events are not sent anywhere now, and showing starts a new one.
	a.Events().Publish("queue:changed", map[string]int{"pending": 5})
	p.show(7)
	waitLog(t, log, "hello CaseyOS — test open=7")
	if pid, _ := p.running(); pid == first {
		t.Error("showing after the process ended did not start a new one")
	}
	if strings.Contains(fakeLog(t, log), `"pending":5`) {
		t.Error("an event published with no window was kept and sent later")
	}
	// Shown again before the keep time ran out: it stays.
	p.toggle()
	for deadline := time.Now().Add(10 * time.Second); strings.Count(fakeLog(t, log), "toggle\n") < 2; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the second toggle never arrived:\n%s", fakeLog(t, log))
		}
	}
	p.show(0)
	time.Sleep(600 * time.Millisecond)
	if _, ok := p.running(); !ok {
		t.Error("a window shown again within the keep time was ended")
	}
	p.stop()
	<-exited

	// The person closes the window: the app hears it.
	p = newWindowProc(a, []string{os.Args[0], "-test.run=^$"}, windowHello{Title: "CaseyOS — test", Dir: t.TempDir()}, &stderr,
		func() { closed <- struct{}{} })
	p.exited = func() { exited <- struct{}{} }
	p.show(fakeOpenClose)
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("closing the window was not reported")
	}
	<-exited

	// A crash is reported, and the next show starts a new window.
	p.show(fakeOpenCrash)
	<-exited
	if !strings.Contains(stderr.String(), "the window exited by itself") {
		t.Errorf("the crash was not reported:\n%s", stderr.String())
	}
	select {
	case <-closed:
		t.Error("a crash was taken for the person closing the window")
	default:
	}
	p.show(0)
	waitLog(t, log, "hello CaseyOS — test open=0\n")
	p.stop()
	<-exited
}

// The link refuses a line over its limit rather than holding it.
func TestLink_LineLimit(t *testing.T) {
	big := bytes.Repeat([]byte("x"), maxLinkLine+10)
	l := newLink(bytes.NewReader(append(append([]byte(`{"t":"call","data":"`), big...), []byte("\"}\n")...)), nil)
	if _, err := l.recv(); err != errLinkLine {
		t.Errorf("recv of an oversized line = %v, want errLinkLine", err)
	}
	var out bytes.Buffer
	l = newLink(nil, &out)
	if err := l.send(linkMsg{T: linkReply, Data: json.RawMessage(`"` + string(big) + `"`)}); err == nil {
		t.Error("send of an oversized message succeeded")
	}
	if out.Len() != 0 {
		t.Errorf("an oversized message was partly written (%d bytes)", out.Len())
	}
	l = newLink(strings.NewReader("not json\n"), nil)
	if _, err := l.recv(); err == nil {
		t.Error("recv of a line that is not JSON succeeded")
	}
}
