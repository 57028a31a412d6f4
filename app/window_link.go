package app

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sync"

	"github.com/caseyos/caseyos/backend"
)

// The desktop app is two processes (docs/desktop.md). The app process
// holds the workspace and everything that runs all day: its API, the tray,
// the global shortcuts, notifications, voice. The window process holds
// GTK and WebKit and shows the UI; the app starts it when the window is
// shown and ends it a while after the window is hidden, so that at rest
// CaseyOS costs what `caseyos serve` costs, not what a browser engine does.
//
// They talk over two pipes, one JSON object per line (a linkMsg). The
// window's page calls the App's bound methods through the window's one
// bound method, Shell.Call, which forwards each call over the link; the
// App's events come back the same way. The pipes are private to the two
// processes: no token, no port, and nothing on the link is reachable from
// a browser.

// Link message types, app → window.
const (
	linkHello  = "hello"  // the first message: Data is a windowHello
	linkShow   = "show"   // show and raise the window; ID: a move to open, or 0
	linkToggle = "toggle" // hide a showing window, show a hidden or minimised one
	linkQuit   = "quit"   // save the window's place and exit
	linkEvent  = "event"  // an App event: Name, Data
	linkReply  = "reply"  // the answer to call ID: Data or Error
)

// Link message types, window → app.
const (
	linkCall   = "call"   // call bound method Method with the arguments in Data (a JSON array)
	linkShown  = "shown"  // the window is showing
	linkHidden = "hidden" // the window was hidden (the process stays, for a while)
	linkClosed = "closed" // the person closed the window; the process is exiting
)

// maxLinkLine bounds one message: the largest call the API takes (a
// draft, settings) with room for JSON's escaping.
const maxLinkLine = 8 << 20

type linkMsg struct {
	T      string          `json:"t"`
	ID     uint64          `json:"id,omitempty"`
	Method string          `json:"method,omitempty"`
	Name   string          `json:"name,omitempty"`
	Data   json.RawMessage `json:"data,omitempty"`
	Error  *ErrorDTO       `json:"error,omitempty"`
}

// windowHello is what the window process is told first.
type windowHello struct {
	Title string `json:"title"`
	// Dir is the data directory: the window keeps its place in
	// <Dir>/window.json.
	Dir string `json:"dir"`
	// Open is a move whose preview the page opens once loaded (0: none).
	Open uint64 `json:"open,omitempty"`
}

// link is one end of the pipes.
type link struct {
	wmu sync.Mutex
	w   io.Writer
	r   *bufio.Reader
}

func newLink(r io.Reader, w io.Writer) *link {
	return &link{r: bufio.NewReaderSize(r, 64<<10), w: w}
}

// send writes m as one line; safe from any goroutine.
func (l *link) send(m linkMsg) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if len(b) > maxLinkLine {
		return fmt.Errorf("a %s message of %s is over the link's %s", m.T, byteSize(int64(len(b))), byteSize(maxLinkLine))
	}
	b = append(b, '\n')
	l.wmu.Lock()
	defer l.wmu.Unlock()
	_, err = l.w.Write(b)
	return err
}

// errLinkLine is a line over maxLinkLine: the other end is not the
// CaseyOS this one expects, and the link is dropped.
var errLinkLine = errors.New("a message over the link's size limit")

// recv reads the next message; io.EOF when the other end has gone.
func (l *link) recv() (linkMsg, error) {
	var line []byte
	for {
		chunk, err := l.r.ReadSlice('\n')
		if len(line)+len(chunk) > maxLinkLine+1 {
			return linkMsg{}, errLinkLine
		}
		line = append(line, chunk...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			if err == io.EOF && len(bytes.TrimSpace(line)) > 0 {
				err = io.ErrUnexpectedEOF
			}
			return linkMsg{}, err
		}
		break
	}
	var m linkMsg
	if err := json.Unmarshal(line, &m); err != nil {
		return linkMsg{}, fmt.Errorf("a message that is not JSON: %w", err)
	}
	return m, nil
}

// windowCalls answers the window's calls with the App's bound methods, as
// the loopback API does for a browser (the same argument decoding and
// size limits), but as the person at the window: not "over the API".
type windowCalls struct {
	methods map[string]reflect.Value
}

func newWindowCalls(a *App) *windowCalls { return &windowCalls{methods: apiMethods(a)} }

// answer runs call m and returns its reply.
func (c *windowCalls) answer(m linkMsg) linkMsg {
	reply := linkMsg{T: linkReply, ID: m.ID}
	data, err := c.call(m.Method, m.Data)
	if err != nil {
		reply.Error = &ErrorDTO{Code: backend.ErrorCode(err), Message: backend.ErrorMessage(err)}
		return reply
	}
	reply.Data = data
	return reply
}

func (c *windowCalls) call(name string, args json.RawMessage) (json.RawMessage, error) {
	m, ok := c.methods[name]
	if !ok {
		return nil, backend.Errorf(backend.ENOTFOUND, "there is no method %q", name)
	}
	if limit := bodyLimit(name); int64(len(args)) > limit {
		return nil, backend.Errorf(backend.EINVALID, "request too large (limit %s for %s)", byteSize(limit), name)
	}
	if len(bytes.TrimSpace(args)) == 0 {
		args = json.RawMessage("[]")
	}
	in, err := decodeArgs(name, m.Type(), args)
	if err != nil {
		return nil, backend.WrapError(name, err)
	}
	out := m.Call(in)
	if e, _ := out[1].Interface().(error); e != nil {
		return nil, e
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out[0].Interface()); err != nil {
		return nil, backend.Errorf(backend.EINTERNAL, "%s returned something that cannot be sent: %v", name, err)
	}
	return json.RawMessage(bytes.TrimRight(buf.Bytes(), "\n")), nil
}
