package app

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/backend/signaljson"
)

// Options wires an App.
type Options struct {
	Store     backend.Store
	Clock     backend.Clock
	Workspace Workspace
	Executors []backend.Executor
	Assets    fs.FS // the built frontend, for browser mode; nil in tests
	Voice     VoiceEnv
	// Secrets is the keychain; nil when there is none.
	Secrets backend.Secrets
	// Connectors are the kinds of account that can be connected.
	Connectors []Connector
	// WebhookAddr is where the webhook receiver listens (loopback only);
	// "" turns it off.
	WebhookAddr string
	// Open opens a data file. With the demo workspace open, connecting the
	// online recognizer in Settings uses it to write to your own
	// workspace, as `caseyos connect whisper` does; nil cannot.
	Open OpenFunc
	// Model builds the optional language model's client (model.go); nil
	// in a build without one.
	Model ModelFunc
}

// Version is set at build time with -ldflags "-X github.com/caseyos/caseyos/app.Version=…".
var Version = "dev"

// App is the core every surface calls through the bound services
// (services.go): the window binds them and serve routes POST
// /api/<Service>.<Method> to them. The services hold the UI calls; the App
// holds what they share (store, clock, events, accounts, wiring) and the
// lifecycle, and exports only Events and Services. The services' methods
// take no context: they run under the App's own, set at startup and
// cancelled at shutdown.
type App struct {
	store  backend.Store
	clock  backend.Clock
	queue  *backend.Services
	events *Broker
	ws     Workspace
	open   OpenFunc // your own workspace, from the demo (transcription.go)
	assets fs.FS

	secrets     backend.Secrets
	connectors  []Connector
	syncer      *backend.Syncer
	dir         *backend.StoreDirectory // addresses → CRM records, for the pollers
	webhookAddr string
	syncMu      sync.Mutex
	limiters    map[string]backend.RateLimiter // per account, kept across reconnects
	exec        execWiring                     // connected accounts' clients as executors (executors.go)
	// demoEndpoints are the demo's fake accounts, when it runs on them (demo.go).
	demoEndpoints map[string]string
	voice         voiceService // voice.go
	httpTimeouts  httpTimeouts // the API server's (http.go)
	hookSecret    secretCache  // the webhook secret, as last read (webhook.go)
	bound         *Services    // what the window binds and serve routes (services.go)
	model         ModelFunc    // builds the language model's client (model.go)
	notify        notifyState  // desktop notifications (notify.go)

	// shortcuts are the desktop window's global shortcuts (service_shortcuts.go).
	shortcuts shortcutsHost

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New returns an App over an open store.
func New(o Options) *App {
	if o.Clock == nil {
		o.Clock = backend.SystemClock{}
	}
	events := NewBroker()
	ctx, cancel := context.WithCancel(context.Background())
	q := backend.NewServices(o.Store, o.Clock, events, o.Executors...)
	q.WatchDuplicates() // a sync or an import finds the contacts it brought twice
	a := &App{
		store: o.Store, clock: o.Clock, ws: o.Workspace, open: o.Open, events: events, ctx: ctx, cancel: cancel, assets: o.Assets,
		queue: q, secrets: o.Secrets, connectors: o.Connectors, webhookAddr: o.WebhookAddr,
		syncer:   backend.NewSyncer(q.Ingest, backend.SyncOptions{Clock: o.Clock, Events: syncEvents{events, connectorLabels(o.Connectors)}}),
		limiters: map[string]backend.RateLimiter{},
		dir:      backend.NewDirectory(o.Store, o.Clock),
		exec:     execWiring{base: o.Executors},
		voice:    voiceService{env: o.Voice},
		model:    o.Model,

		httpTimeouts: defaultHTTPTimeouts(),
	}
	a.bound = newServices(a)
	return a
}

// Events is where the App publishes what changed, for the window and the
// browser to subscribe to.
func (a *App) Events() *Broker { return a.events }

// refreshEvery is how often a running App brings the queue up to date
// with the clock (snoozes ending, reasons passing, urgency drifting).
const refreshEvery = 30 * time.Second

// startup ties the App to the surface's lifetime and starts its background
// refresh. It is unexported so that Wails does not bind it.
func (a *App) startup(ctx context.Context) {
	a.cancel()
	a.ctx, a.cancel = context.WithCancel(ctx)
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		t := time.NewTicker(refreshEvery)
		defer t.Stop()
		for {
			select {
			case <-a.ctx.Done():
				return
			case <-t.C:
				// Failures surface on the next call; a background loop has
				// no one to return them to.
				_, _ = a.queue.Moves.Refresh(a.ctx)
			}
		}
	}()
	a.startSync()
	a.startWebhooks()
	a.startExecutions()
	a.startRetention()
	a.startModel()
}

// shutdown stops the background work and waits for it.
func (a *App) shutdown() {
	a.cancel()
	a.wg.Wait()
}

func (a *App) workspaceDTO() WorkspaceDTO {
	label := "Workspace"
	if a.ws.Demo {
		label = DemoLabel
	}
	return WorkspaceDTO{Demo: a.ws.Demo, Label: label, Path: a.ws.Path, DemoAccounts: a.demoEndpoints}
}

// MaxTodayLimit bounds how many moves one Today call returns.
const MaxTodayLimit = 500

// notAvailable says why no move of kind can be carried out in this build
// (no connector for it), or "".
func (a *App) notAvailable(kind backend.MoveKind) string {
	if err := a.queue.Executions.CanExecute(kind); errors.Is(err, backend.ErrNoConnector) {
		return backend.ErrorMessage(err)
	}
	return ""
}

// records reads the stored contact and deal with these ids, and the
// contacts a merge names, for their names; a missing or unreadable one is
// nil (the preview then shows its id).
func (a *App) records(contactID, dealID string, mergeIDs []string) (*backend.Contact, *backend.Deal, []*backend.Contact) {
	var c *backend.Contact
	var d *backend.Deal
	var merging []*backend.Contact
	_ = a.store.View(a.ctx, func(tx backend.Tx) error {
		if contactID != "" {
			c, _ = tx.FindContact(contactID)
		}
		if dealID != "" {
			d, _ = tx.FindDeal(dealID)
		}
		for _, id := range mergeIDs {
			mc, _ := tx.FindContact(id)
			merging = append(merging, mc)
		}
		return nil
	})
	return c, d, merging
}

// actor maps the UI's "via" to the audit log's actor.
func actor(via string) (backend.Actor, error) {
	switch via {
	case "", "key":
		return backend.ActorKey, nil
	case "click":
		return backend.ActorClick, nil
	case "voice":
		return backend.ActorVoice, nil
	case "cli":
		return backend.ActorCLI, nil
	}
	return "", backend.Errorf(backend.EINVALID, "via %q is not one of key, click, voice, cli", via)
}

// maxSignalsPage bounds one page of the signals feed.
const maxSignalsPage = 200

// ingestBatch is how many signals go into one transaction: large enough to
// amortize the commit, small enough to keep a transaction short.
const ingestBatch = 20_000

// ingestBatchBytes also ends a batch: a batch of long signals is held
// decoded until it is stored, and a streamed import over the API must not
// make the process grow with the size of its lines.
const ingestBatchBytes = 8 << 20

// maxLine bounds one JSON line.
const maxLine = 4 << 20

// ingest reads JSON-lines signals from r. A bad line — not JSON, not a
// valid signal, longer than maxLine — is reported with its line number and
// reason and skipped; good ones are stored in batches. Only a read or store
// error stops the import, and what was read before it is stored first
// (re-running the import is safe: stored signals are recognized by their
// dedupe key).
func (a *App) ingest(r io.Reader) (IngestDTO, error) {
	return a.ingestThen(r, nil)
}

// ingestThen is ingest calling stored, when not nil, after each batch that
// stored a signal has committed; an error from it stops the import. A
// first import gives its new workspace file its name there (FirstImport).
func (a *App) ingestThen(r io.Reader, stored func() error) (IngestDTO, error) {
	var rej rejections
	out, err := a.ingestLines(r, &rej, stored)
	rej.report(&out)
	return out, err
}

func (a *App) ingestLines(r io.Reader, rej *rejections, stored func() error) (IngestDTO, error) {
	ctx := a.ctx
	out := IngestDTO{Workspace: a.workspaceDTO(), Created: []uint64{}, Updated: []uint64{}, Rejected: []LineErrorDTO{}}
	dec := signaljson.Decoder{}
	lr := newLineReader(r, maxLine)
	var batch []*backend.Signal
	var lines []int
	batchBytes := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		rep, err := a.queue.Ingest.Batch(ctx, batch)
		if err != nil {
			return err
		}
		if rep.Stored > 0 && stored != nil {
			if err := stored(); err != nil {
				return err
			}
		}
		out.Stored += rep.Stored
		out.Duplicates += rep.Duplicates
		out.Created = append(out.Created, rep.Created...)
		out.Updated = append(out.Updated, rep.Updated...)
		for _, inv := range rep.Invalid {
			rej.add(lines[inv.Index], inv.Err)
		}
		batch, lines, batchBytes = batch[:0], lines[:0], 0
		return nil
	}
	reject := rej.add
	n := 0
	for {
		raw, tooLong, err := lr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if ferr := flush(); ferr != nil {
				return out, ferr
			}
			return out, &backend.Error{Code: backend.EINVALID, Message: fmt.Sprintf("reading signals failed after line %d", n), Err: err}
		}
		n++
		if tooLong {
			out.Lines++
			reject(n, backend.Errorf(backend.EINVALID, "the line is longer than %d MB", maxLine>>20))
			continue
		}
		if n == 1 {
			raw = bytes.TrimPrefix(raw, utf8BOM)
		}
		line := bytes.TrimSpace(raw)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		out.Lines++
		s, err := dec.Decode(line)
		if err != nil {
			reject(n, err)
			continue
		}
		batch, lines = append(batch, s), append(lines, n)
		batchBytes += len(line)
		if len(batch) == ingestBatch || batchBytes >= ingestBatchBytes {
			if err := flush(); err != nil {
				return out, err
			}
		}
	}
	if err := flush(); err != nil {
		return out, err
	}
	return out, nil
}

// maxRejected is how many rejected lines an import reports one by one;
// past it they are only counted (in all and per reason), so that a stream
// of millions of bad lines is not held in memory.
const maxRejected = 100

// maxReasons is how many different reasons are counted one by one; lines
// rejected for any other reason are in the total only. A reason holds the
// value it refused, so there can be as many as there are lines.
const maxReasons = 10

// rejections collects an import's rejected lines: the first maxRejected
// by line number, an exact count, and counts for the first maxReasons
// reasons. Lines arrive nearly in order (a batch's own rejections come
// when it is stored, after lines that were refused while reading it).
type rejections struct {
	first   []LineErrorDTO
	total   int
	reasons []ReasonCountDTO
}

func (r *rejections) add(line int, err error) {
	r.total++
	msg := backend.ErrorMessage(err)
	counted := false
	for i := range r.reasons {
		if r.reasons[i].Message == msg {
			r.reasons[i].Count++
			counted = true
			break
		}
	}
	if !counted && len(r.reasons) < maxReasons {
		r.reasons = append(r.reasons, ReasonCountDTO{Message: msg, Count: 1})
	}
	if len(r.first) == maxRejected && line > r.first[maxRejected-1].Line {
		return // the list is sorted and full: a later line stays out
	}
	r.first = append(r.first, LineErrorDTO{Line: line, Code: backend.ErrorCode(err), Message: msg})
	if len(r.first) >= 2*maxRejected {
		r.trim()
	}
}

// trim keeps the maxRejected lowest line numbers, in order.
func (r *rejections) trim() {
	sort.SliceStable(r.first, func(i, j int) bool { return r.first[i].Line < r.first[j].Line })
	if len(r.first) > maxRejected {
		r.first = r.first[:maxRejected]
	}
}

func (r *rejections) report(out *IngestDTO) {
	r.trim()
	out.Rejected = append(out.Rejected[:0], r.first...)
	out.RejectedTotal = r.total
	out.RejectedCut = r.total > len(r.first)
	out.RejectedReasons = append([]ReasonCountDTO{}, r.reasons...)
}

// utf8BOM is the byte order mark some editors put at the start of a file.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// lineReader reads lines of at most max bytes (line ending excluded). A
// longer line is read to its end, never held whole, and reported as too
// long, so that the lines after it are read as usual.
type lineReader struct {
	r   *bufio.Reader
	max int
	buf []byte
}

func newLineReader(r io.Reader, max int) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, 64<<10), max: max}
}

// next returns the next line without its "\n" or "\r\n", or tooLong (and
// no line) when it is longer than the bound; io.EOF after the last line.
func (l *lineReader) next() (line []byte, tooLong bool, err error) {
	l.buf = l.buf[:0]
	read := false
	for {
		frag, err := l.r.ReadSlice('\n')
		read = read || len(frag) > 0
		if !tooLong {
			// Room for the line ending on top of the bound.
			if len(l.buf)+len(frag) > l.max+2 {
				tooLong, l.buf = true, l.buf[:0]
			} else {
				l.buf = append(l.buf, frag...)
			}
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err == io.EOF && read:
			// The last line has no newline; the next call says EOF.
		case err != nil:
			return nil, false, err
		}
		break
	}
	if tooLong {
		return nil, true, nil
	}
	line = bytes.TrimSuffix(l.buf, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if len(line) > l.max {
		return nil, true, nil
	}
	return line, false, nil
}

// ParseWhen turns what a person types for "until when" into a time:
// a duration ("90m", "2h", "3d", "1d4h"), "tomorrow" or a weekday (9:00
// local), a clock time today or tomorrow ("15:30"), "2026-11-24 09:00"
// (local), or RFC 3339. A duration lands on a round time: an hour or more
// on the next quarter hour ("2h" at 14:07 is 16:15), less on the next
// minute, so a snooze reads "until 16:15", not 16:07:42.
func ParseWhen(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if s == "" {
		return time.Time{}, backend.Errorf(backend.EINVALID, "say until when: 2h, tomorrow, monday, 15:30 or 2026-11-24 09:00")
	}
	if d, err := signaljson.ParseOffset("+" + strings.TrimPrefix(s, "+")); err == nil {
		at, step := now.Add(d), time.Minute
		if d >= time.Hour {
			step = 15 * time.Minute // a quarter hour in every zone, UTC+5:45 included
		}
		if r := at.Truncate(step); r.Before(at) {
			at = r.Add(step)
		}
		return at, nil
	}
	at9 := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 9, 0, 0, 0, t.Location()) }
	if s == "tomorrow" {
		return at9(now.AddDate(0, 0, 1)), nil
	}
	for i := 0; i < 7; i++ {
		wd := time.Weekday(i)
		if s == strings.ToLower(wd.String()) || s == strings.ToLower(wd.String()[:3]) {
			days := (int(wd) - int(now.Weekday()) + 7) % 7
			if days == 0 {
				days = 7
			}
			return at9(now.AddDate(0, 0, days)), nil
		}
	}
	if t, err := time.ParseInLocation("15:04", s, now.Location()); err == nil {
		at := time.Date(now.Year(), now.Month(), now.Day(), t.Hour(), t.Minute(), 0, 0, now.Location())
		if !at.After(now) {
			at = at.AddDate(0, 0, 1)
		}
		return at, nil
	}
	if t, err := time.ParseInLocation("2006-01-02 15:04", s, now.Location()); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, strings.ToUpper(s)); err == nil {
		return t, nil
	}
	return time.Time{}, backend.Errorf(backend.EINVALID, "%q is not a time: use 2h, 3d, tomorrow, monday, 15:30, 2026-11-24 09:00 or RFC 3339", s)
}
