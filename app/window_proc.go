package app

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"time"
)

// WindowCommand is the hidden command the app starts its window process
// with (`caseyos __window`); the link's pipes are its fds 3 (from the app)
// and 4 (to the app).
const WindowCommand = "__window"

// windowKeep is how long a hidden window's process stays, so that showing
// it again is instant; after that the process ends and its memory (GTK,
// WebKit and WebKit's own processes) goes back to the system.
// CASEYOS_WINDOW_KEEP (a Go duration) changes it, for tests.
const windowKeep = 3 * time.Minute

// windowStop is how long a window process has to save its place and exit
// when asked, before it is killed.
const windowStop = 15 * time.Second

// windowProc runs the window process for the app: at most one at a time,
// started when the window is shown, ended windowKeep after it is hidden.
type windowProc struct {
	a      *App
	calls  *windowCalls
	argv   []string // the window process's command line
	hello  windowHello
	stderr io.Writer
	keep   time.Duration
	// closed runs when the person closes the window (not when it is
	// hidden, and not when the app asked it to quit).
	closed func()
	// exited, when set, runs after each window process has exited.
	exited func()

	mu      sync.Mutex
	cur     *windowChild
	hidden  bool // the current window is hidden (or there is none)
	timer   *time.Timer
	stopped bool
	unsub   func()
}

// windowChild is one window process.
type windowChild struct {
	cmd    *exec.Cmd
	l      *link
	out    chan linkMsg // events and commands to send, in order
	done   chan struct{}
	asked  bool // the app asked it to quit
	closed bool // the person closed it
}

func newWindowProc(a *App, argv []string, hello windowHello, stderr io.Writer, closed func()) *windowProc {
	keep := windowKeep
	if v, err := time.ParseDuration(os.Getenv("CASEYOS_WINDOW_KEEP")); err == nil && v > 0 {
		keep = v
	}
	p := &windowProc{a: a, calls: newWindowCalls(a), argv: argv, hello: hello, stderr: stderr, keep: keep, closed: closed, hidden: true}
	p.unsub = a.Events().Subscribe(p.event)
	return p
}

// show shows the window, starting its process if there is none, and opens
// move id's preview (0: none).
func (p *windowProc) show(id uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return
	}
	p.disarm()
	p.hidden = false
	if p.cur != nil {
		p.post(p.cur, linkMsg{T: linkShow, ID: id})
		return
	}
	c, err := p.start(id)
	if err != nil {
		p.hidden = true
		fmt.Fprintf(p.stderr, "caseyos: the window cannot open: %v\n", err)
		return
	}
	p.cur = c
}

// toggle hides a showing window and shows a hidden one; the window process
// decides which, since only it knows whether it is minimised.
func (p *windowProc) toggle() {
	p.mu.Lock()
	if p.cur == nil || p.hidden {
		p.mu.Unlock()
		p.show(0)
		return
	}
	defer p.mu.Unlock()
	p.post(p.cur, linkMsg{T: linkToggle})
}

// running says whether a window process is running, and its pid.
func (p *windowProc) running() (pid int, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cur == nil {
		return 0, false
	}
	return p.cur.cmd.Process.Pid, true
}

// stop asks the window process to save its place and exit, waits for it
// (killing it after windowStop), and starts no other.
func (p *windowProc) stop() {
	p.mu.Lock()
	p.stopped = true
	p.disarm()
	c := p.cur
	p.mu.Unlock()
	p.unsub()
	if c != nil {
		p.end(c)
	}
}

// end asks c to quit and waits for it.
func (p *windowProc) end(c *windowChild) {
	p.mu.Lock()
	c.asked = true
	p.post(c, linkMsg{T: linkQuit})
	p.mu.Unlock()
	select {
	case <-c.done:
	case <-time.After(windowStop):
		fmt.Fprintf(p.stderr, "caseyos: the window did not close in %s: stopping it\n", windowStop)
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

// start runs a window process (p.mu held).
func (p *windowProc) start(open uint64) (*windowChild, error) {
	// fd 3: app → window; fd 4: window → app.
	toR, toW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	fromR, fromW, err := os.Pipe()
	if err != nil {
		toR.Close()
		toW.Close()
		return nil, err
	}
	cmd := exec.Command(p.argv[0], p.argv[1:]...)
	cmd.ExtraFiles = []*os.File{toR, fromW}
	cmd.Stdout, cmd.Stderr = p.stderr, p.stderr
	err = cmd.Start()
	toR.Close()
	fromW.Close()
	if err != nil {
		toW.Close()
		fromR.Close()
		return nil, err
	}
	c := &windowChild{cmd: cmd, l: newLink(fromR, toW), out: make(chan linkMsg, 1024), done: make(chan struct{})}
	hello := p.hello
	hello.Open = open
	b, _ := json.Marshal(hello)
	c.out <- linkMsg{T: linkHello, Data: b}
	go p.write(c, toW)
	go p.read(c, fromR)
	return c, nil
}

// post queues m for c (p.mu held). Events that do not fit are dropped and
// the page is told to reload what it shows instead.
func (p *windowProc) post(c *windowChild, m linkMsg) {
	select {
	case c.out <- m:
	default:
		if m.T != linkEvent {
			// A command must not be lost: the queue is full of events the
			// window is not reading, so it is stuck.
			fmt.Fprintf(p.stderr, "caseyos: the window is not answering: stopping it\n")
			_ = c.cmd.Process.Kill()
		}
	}
}

// write sends what is queued for c until it exits.
func (p *windowProc) write(c *windowChild, w io.Closer) {
	defer w.Close()
	for {
		select {
		case <-c.done:
			return
		case m := <-c.out:
			if err := c.l.send(m); err != nil {
				return
			}
		}
	}
}

// read handles what c says, then waits for it to exit.
func (p *windowProc) read(c *windowChild, r io.Closer) {
	for {
		m, err := c.l.recv()
		if err != nil {
			if err != io.EOF {
				fmt.Fprintf(p.stderr, "caseyos: the window's link broke: %v\n", err)
				_ = c.cmd.Process.Kill()
			}
			break
		}
		switch m.T {
		case linkCall:
			go func() {
				reply := c.l.send(p.calls.answer(m))
				if reply != nil {
					fmt.Fprintf(p.stderr, "caseyos: answering the window's %s: %v\n", m.Method, reply)
				}
			}()
		case linkShown:
			p.mu.Lock()
			if p.cur == c {
				p.hidden = false
				p.disarm()
			}
			p.mu.Unlock()
		case linkHidden:
			p.mu.Lock()
			if p.cur == c {
				p.hidden = true
				p.arm(c)
			}
			p.mu.Unlock()
		case linkClosed:
			p.mu.Lock()
			c.closed = true
			p.mu.Unlock()
		}
	}
	r.Close()
	err := c.cmd.Wait()
	p.mu.Lock()
	if p.cur == c {
		p.cur, p.hidden = nil, true
		p.disarm()
	}
	asked, closed, stopped := c.asked, c.closed, p.stopped
	p.mu.Unlock()
	close(c.done)
	switch {
	case asked || stopped:
	case closed:
		if p.closed != nil {
			p.closed()
		}
	default:
		fmt.Fprintf(p.stderr, "caseyos: the window exited by itself (%v); the tray, the shortcuts and the command line still work\n", err)
	}
	if p.exited != nil {
		p.exited()
	}
}

// arm ends c's process p.keep from now unless it is shown again (p.mu held).
func (p *windowProc) arm(c *windowChild) {
	p.disarm()
	p.timer = time.AfterFunc(p.keep, func() {
		p.mu.Lock()
		idle := p.cur == c && p.hidden && !p.stopped
		p.mu.Unlock()
		if idle {
			p.end(c)
		}
	})
}

func (p *windowProc) disarm() {
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
}

// event forwards an App event to the window, if one is running.
func (p *windowProc) event(name string, payload any) {
	b, err := json.Marshal(payload)
	if err != nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cur == nil {
		return
	}
	select {
	case p.cur.out <- linkMsg{T: linkEvent, Name: name, Data: b}:
	default:
		// The page will miss events: it reloads what it shows when told.
		select {
		case p.cur.out <- linkMsg{T: linkEvent, Name: "api:reload", Data: json.RawMessage("{}")}:
		default:
		}
	}
}
