package app

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/backend/signaljson"
)

// Options wires an App.
type Options struct {
	Store     backend.Store
	Clock     backend.Clock
	Events    backend.Events
	Workspace Workspace
	Executors []backend.Executor
}

// App is the facade the UI and the CLI call.
type App struct {
	store backend.Store
	clock backend.Clock
	queue *backend.Queue
	ws    Workspace
}

// New returns an App over an open store.
func New(o Options) *App {
	if o.Clock == nil {
		o.Clock = backend.SystemClock{}
	}
	return &App{store: o.Store, clock: o.Clock, ws: o.Workspace, queue: backend.NewQueue(o.Store, o.Clock, o.Events, o.Executors...)}
}

// Queue exposes the domain queue to the wiring in main (background refresh).
func (a *App) Queue() *backend.Queue { return a.queue }

func (a *App) workspaceDTO() WorkspaceDTO {
	label := "Workspace"
	if a.ws.Demo {
		label = DemoLabel
	}
	return WorkspaceDTO{Demo: a.ws.Demo, Label: label, Path: a.ws.Path}
}

// MaxTodayLimit bounds how many moves one Today call returns.
const MaxTodayLimit = 500

// Today returns the top pending moves by APS. domain is "", "all", "sales",
// "marketing" or "cs"; limit 0 means the configured default.
func (a *App) Today(ctx context.Context, domain string, limit int) (TodayDTO, error) {
	var f backend.TodayFilter
	if d := strings.TrimSpace(domain); d != "" && d != "all" {
		dom, err := backend.ParseDomain(d)
		if err != nil {
			return TodayDTO{}, err
		}
		f.Domain = &dom
	}
	if limit < 0 || limit > MaxTodayLimit {
		return TodayDTO{}, backend.Errorf(backend.EINVALID, "limit must be between 1 and %d", MaxTodayLimit)
	}
	f.Limit = limit
	res, err := a.queue.Today(ctx, f)
	if err != nil {
		return TodayDTO{}, err
	}
	out := TodayDTO{Workspace: a.workspaceDTO(), Pending: res.Pending, ByDomain: map[string]int{}, Moves: []MoveDTO{}}
	if f.Domain != nil {
		out.Domain = string(*f.Domain)
	}
	for d, n := range res.ByDomain {
		out.ByDomain[string(d)] = n
	}
	for _, m := range res.Moves {
		out.Moves = append(out.Moves, toMoveDTO(m, a.clock.Now()))
	}
	return out, nil
}

// Move returns one move.
func (a *App) Move(ctx context.Context, id uint64) (MoveDTO, error) {
	m, err := a.queue.Move(ctx, id)
	if err != nil {
		return MoveDTO{}, err
	}
	return toMoveDTO(m, a.clock.Now()), nil
}

// Explain returns a move's score breakdown, reasons and history.
func (a *App) Explain(ctx context.Context, id uint64) (ExplainDTO, error) {
	m, err := a.queue.Move(ctx, id)
	if err != nil {
		return ExplainDTO{}, err
	}
	hist, err := a.queue.History(ctx, id)
	if err != nil {
		return ExplainDTO{}, err
	}
	dto := toMoveDTO(m, a.clock.Now())
	s := dto.Score
	out := ExplainDTO{
		Workspace: a.workspaceDTO(), Move: dto, History: []AuditDTO{},
		Formula: fmt.Sprintf("APS %.1f = 100 × (%.2f×%.2f revenue + %.2f×%.2f urgency + %.2f×(1−%.2f) effort + %.2f×%.2f strategic)",
			s.APS, s.Revenue.Weight, s.Revenue.Value, s.Urgency.Weight, s.Urgency.Value, s.Effort.Weight, s.Effort.Value, s.Strategic.Weight, s.Strategic.Value),
	}
	for _, e := range hist {
		out.History = append(out.History, toAuditDTO(e))
	}
	return out, nil
}

// Skip skips a move with an optional reason.
func (a *App) Skip(ctx context.Context, id uint64, reason string, actor backend.Actor) (MoveDTO, error) {
	m, err := a.queue.Skip(ctx, id, reason, actor)
	if err != nil {
		return MoveDTO{}, err
	}
	return toMoveDTO(m, a.clock.Now()), nil
}

// Snooze hides a move until when, which ParseWhen understands ("2h", "tomorrow", an RFC 3339 time …).
func (a *App) Snooze(ctx context.Context, id uint64, when string, actor backend.Actor) (MoveDTO, error) {
	until, err := ParseWhen(when, a.clock.Now())
	if err != nil {
		return MoveDTO{}, err
	}
	m, err := a.queue.Snooze(ctx, id, until, actor)
	if err != nil {
		return MoveDTO{}, err
	}
	return toMoveDTO(m, a.clock.Now()), nil
}

// Restore brings a skipped or snoozed move back to pending.
func (a *App) Restore(ctx context.Context, id uint64, actor backend.Actor) (MoveDTO, error) {
	m, err := a.queue.Restore(ctx, id, actor)
	if err != nil {
		return MoveDTO{}, err
	}
	return toMoveDTO(m, a.clock.Now()), nil
}

// Execute carries out a move now.
func (a *App) Execute(ctx context.Context, id uint64, actor backend.Actor) (ExecutionDTO, error) {
	_, exec, err := a.queue.Execute(ctx, id, actor)
	if exec != nil {
		return toExecutionDTO(exec), err
	}
	return ExecutionDTO{}, err
}

// ingestBatch is how many signals go into one transaction: large enough to
// amortize the commit, small enough to keep a transaction short.
const ingestBatch = 20_000

// maxLine bounds one JSON line.
const maxLine = 4 << 20

// Ingest reads JSON-lines signals from r. Bad lines are reported with their
// line number and skipped; good ones are stored in batches. An I/O or store
// error stops the import; batches already stored stay stored (re-running
// the import is safe: stored signals are recognized by their dedupe key).
func (a *App) Ingest(ctx context.Context, r io.Reader) (IngestDTO, error) {
	out := IngestDTO{Workspace: a.workspaceDTO(), Created: []uint64{}, Updated: []uint64{}, Rejected: []LineErrorDTO{}}
	dec := signaljson.Decoder{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	var batch []*backend.Signal
	var lines []int
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		rep, err := a.queue.Ingest(ctx, batch)
		if err != nil {
			return err
		}
		out.Stored += rep.Stored
		out.Duplicates += rep.Duplicates
		out.Created = append(out.Created, rep.Created...)
		out.Updated = append(out.Updated, rep.Updated...)
		for _, inv := range rep.Invalid {
			out.Rejected = append(out.Rejected, LineErrorDTO{Line: lines[inv.Index], Code: backend.ErrorCode(inv.Err), Message: backend.ErrorMessage(inv.Err)})
		}
		batch, lines = batch[:0], lines[:0]
		return nil
	}
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out.Lines++
		s, err := dec.Decode([]byte(line))
		if err != nil {
			out.Rejected = append(out.Rejected, LineErrorDTO{Line: n, Code: backend.ErrorCode(err), Message: backend.ErrorMessage(err)})
			continue
		}
		batch, lines = append(batch, s), append(lines, n)
		if len(batch) == ingestBatch {
			if err := flush(); err != nil {
				return out, err
			}
		}
	}
	if err := sc.Err(); err != nil {
		if err == bufio.ErrTooLong {
			return out, backend.Errorf(backend.EINVALID, "line %d is longer than %d MB", n+1, maxLine>>20)
		}
		return out, &backend.Error{Code: backend.EINVALID, Message: fmt.Sprintf("reading signals failed after line %d", n), Err: err}
	}
	return out, flush()
}

// Backup writes a consistent copy of the workspace to path while the app
// keeps running and returns its size. A failure never leaves a half-written
// backup under the requested name.
func (a *App) Backup(ctx context.Context, path string) (int64, error) {
	if strings.TrimSpace(path) == "" {
		return 0, backend.Errorf(backend.EINVALID, "backup needs a file name")
	}
	if err := a.store.BackupToFile(ctx, path); err != nil {
		return 0, err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return 0, &backend.Error{Code: backend.EINTERNAL, Message: fmt.Sprintf("the backup %s cannot be read back", path), Err: err}
	}
	return fi.Size(), nil
}

// ParseWhen turns what a person types for "until when" into a time:
// a duration ("90m", "2h", "3d", "1d4h"), "tomorrow" or a weekday (9:00
// local), a clock time today or tomorrow ("15:30"), "2026-11-24 09:00"
// (local), or RFC 3339.
func ParseWhen(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if s == "" {
		return time.Time{}, backend.Errorf(backend.EINVALID, "say until when: 2h, tomorrow, monday, 15:30 or 2026-11-24 09:00")
	}
	if d, err := signaljson.ParseOffset("+" + strings.TrimPrefix(s, "+")); err == nil {
		return now.Add(d), nil
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
