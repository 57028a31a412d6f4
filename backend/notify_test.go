package backend_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

// shown records what the rule put on the screen.
type shown struct {
	mu  sync.Mutex
	got []backend.Notification
	err error // returned by every Notify when set
}

func (s *shown) Notify(_ context.Context, n backend.Notification) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	s.got = append(s.got, n)
	return nil
}

func (s *shown) take() []backend.Notification {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.got
	s.got = nil
	return out
}

// heard keeps the domain's events for the test to hand to the rule.
type heard struct {
	mu     sync.Mutex
	events []struct {
		name    string
		payload any
	}
}

func (h *heard) Publish(name string, payload any) {
	h.mu.Lock()
	h.events = append(h.events, struct {
		name    string
		payload any
	}{name, payload})
	h.mu.Unlock()
}

// scriptedExecutor carries out notes, failing with err when it is set.
type scriptedExecutor struct {
	backend.LocalExecutor
	mu  sync.Mutex
	err error
}

func (e *scriptedExecutor) fail(err error) {
	e.mu.Lock()
	e.err = err
	e.mu.Unlock()
}

func (e *scriptedExecutor) Do(ctx context.Context, p *backend.Plan) (backend.ExecutionResult, error) {
	e.mu.Lock()
	err := e.err
	e.mu.Unlock()
	if err != nil {
		return backend.ExecutionResult{}, err
	}
	return e.LocalExecutor.Do(ctx, p)
}

func (e *scriptedExecutor) Execute(ctx context.Context, m *backend.Move, exec *backend.Execution) (backend.ExecutionResult, error) {
	return backend.ExecutionResult{}, errors.New("unused: the services plan and do")
}

type notifyFixture struct {
	path   string
	db     *store.DB
	q      *backend.Services
	clock  *backend.ManualClock
	events *heard
	exec   *scriptedExecutor
	rule   *backend.Interrupts
	sink   *shown
	ctx    context.Context
}

func newNotifyFixture(tb testing.TB) *notifyFixture {
	tb.Helper()
	f := &notifyFixture{path: filepath.Join(tb.TempDir(), "caseyos.db"), clock: backend.NewManualClock(testNow), ctx: context.Background()}
	f.open(tb)
	tb.Cleanup(func() { f.db.Close() })
	st, err := f.q.Settings.Get(f.ctx)
	if err != nil {
		tb.Fatal(err)
	}
	st.UndoWindow = 0 // executions leave at once
	if err := f.q.Settings.Save(f.ctx, st, backend.ActorKey); err != nil {
		tb.Fatal(err)
	}
	return f
}

// open (re)opens the store and builds the services and the rule over it,
// as a start of the app does.
func (f *notifyFixture) open(tb testing.TB) {
	tb.Helper()
	db, err := store.Open(f.path, store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	f.db, f.events, f.exec, f.sink = db, &heard{}, &scriptedExecutor{}, &shown{}
	f.q = backend.NewServices(db, f.clock, f.events, f.exec)
	f.q.SetZone(time.UTC)
	f.rule = backend.NewInterrupts(f.q, f.sink)
	if err := f.rule.Begin(f.ctx); err != nil {
		tb.Fatalf("Begin: %v", err)
	}
}

// restart closes the store and opens it again.
func (f *notifyFixture) restart(tb testing.TB) {
	tb.Helper()
	f.db.Close()
	f.open(tb)
}

// feed hands every event published so far to the rule.
func (f *notifyFixture) feed(tb testing.TB, elsewhere bool) {
	tb.Helper()
	f.events.mu.Lock()
	evs := f.events.events
	f.events.events = nil
	f.events.mu.Unlock()
	for _, ev := range evs {
		if err := f.rule.Handle(f.ctx, ev.name, ev.payload, elsewhere); err != nil {
			tb.Fatalf("Handle(%s): %v", ev.name, err)
		}
	}
}

func (f *notifyFixture) ingest(tb testing.TB, sigs ...*backend.Signal) {
	tb.Helper()
	if _, err := f.q.Ingest.Batch(f.ctx, sigs); err != nil {
		tb.Fatal(err)
	}
	f.feed(tb, false)
}

func (f *notifyFixture) saveNotifications(tb testing.TB, n backend.Notifications) {
	tb.Helper()
	st, err := f.q.Settings.Get(f.ctx)
	if err != nil {
		tb.Fatal(err)
	}
	st.Notifications = n
	if err := f.q.Settings.Save(f.ctx, st, backend.ActorKey); err != nil {
		tb.Fatal(err)
	}
	f.feed(tb, false)
}

// upcomingMeeting makes a prep note due soon: urgency ≥ 0.9.
func upcomingMeeting(key string, start time.Time) *backend.Signal {
	return &backend.Signal{Source: backend.SourceGCal, Type: backend.SignalMeetingUpcoming, OccurredAt: testNow, DedupeKey: key,
		Meeting: &backend.Meeting{ID: "ev-" + key, Title: "Call " + key, Start: start, End: start.Add(time.Hour), External: true, Attendees: []string{key + "@acme.io"}}}
}

func titlesOf(ns []backend.Notification) []string {
	var out []string
	for _, n := range ns {
		out = append(out, string(n.Kind)+": "+n.Title)
	}
	return out
}

func TestInterrupts_HotMove(t *testing.T) {
	f := newNotifyFixture(t)
	f.ingest(t, replySignal("g1", "t1", "maya@acme.io", testNow.Add(-time.Hour)))
	top := f.today(t)
	if len(top) != 1 || top[0].Score.Urgency.Value < backend.HotUrgency {
		t.Fatalf("the reply's move = %+v, want one move with urgency ≥ %v", top, backend.HotUrgency)
	}
	got := f.sink.take()
	if len(got) != 1 || got[0].Kind != backend.NotifyHotMove || got[0].MoveID != top[0].ID || got[0].Title != top[0].Title {
		t.Fatalf("after the reply arrived, shown = %+v, want one hot_move for %q", got, top[0].Title)
	}
	if !strings.Contains(got[0].Body, "APS") || strings.Contains(got[0].Body, "{due:") {
		t.Errorf("body = %q, want the APS and its reasons rendered", got[0].Body)
	}

	t.Run("OnceAcrossRerankResyncRestart", func(t *testing.T) {
		// A re-sync of the same signal, a re-score (settings saved), the
		// clock moving on, and a restart: still once.
		f.ingest(t, replySignal("g1", "t1", "maya@acme.io", testNow.Add(-time.Hour)))
		f.saveNotifications(t, backend.Notifications{})
		f.clock.Advance(time.Hour)
		if _, err := f.q.Moves.Refresh(f.ctx); err != nil {
			t.Fatal(err)
		}
		f.feed(t, false)
		f.restart(t)
		f.feed(t, false)
		if got := f.sink.take(); len(got) != 0 {
			t.Errorf("shown again = %v, want nothing", titlesOf(got))
		}
	})
	t.Run("SnoozedAndBack", func(t *testing.T) {
		// Snoozed, it leaves the queue; when the snooze ends it is back on
		// top, and does not notify again.
		if _, err := f.q.Moves.Snooze(f.ctx, top[0].ID, f.clock.Now().Add(time.Hour), backend.ActorKey); err != nil {
			t.Fatal(err)
		}
		f.feed(t, false)
		f.clock.Advance(2 * time.Hour)
		if _, err := f.q.Moves.Refresh(f.ctx); err != nil {
			t.Fatal(err)
		}
		f.feed(t, false)
		if back := f.today(t); len(back) != 1 || back[0].ID != top[0].ID {
			t.Fatalf("after the snooze: %v, want the reply back", titles(back))
		}
		if got := f.sink.take(); len(got) != 0 {
			t.Errorf("the reply's move came back into the top 3: shown %v, want nothing", titlesOf(got))
		}
	})
}

func (f *notifyFixture) today(tb testing.TB) []*backend.Move {
	tb.Helper()
	res, err := f.q.Moves.Today(f.ctx, backend.TodayFilter{Limit: 50})
	if err != nil {
		tb.Fatal(err)
	}
	return res.Moves
}

func TestInterrupts_NotHot(t *testing.T) {
	f := newNotifyFixture(t)
	f.ingest(t, upcomingMeeting("m1", testNow.Add(5*24*time.Hour))) // days away: urgency below 0.9
	top := f.today(t)
	if len(top) == 0 || top[0].Score.Urgency.Value >= backend.HotUrgency {
		t.Fatalf("the meeting's move = %v (urgency %+v), want urgency below %v", titles(top), top[0].Score.Urgency, backend.HotUrgency)
	}
	if got := f.sink.take(); len(got) != 0 {
		t.Errorf("a move with urgency %.2f: shown %v, want nothing", top[0].Score.Urgency.Value, titlesOf(got))
	}
}

func TestInterrupts_OutsideTop3(t *testing.T) {
	f := newNotifyFixture(t)
	for _, k := range []string{"1", "2", "3"} {
		f.ingest(t, replySignal("g"+k, "t"+k, "maya"+k+"@acme.io", testNow.Add(-time.Hour)))
	}
	if got := f.sink.take(); len(got) != 3 {
		t.Fatalf("three hot replies: shown %v, want three", titlesOf(got))
	}
	// A fourth hot move, below the three: not in the top 3, no interruption.
	f.ingest(t, upcomingMeeting("m1", testNow.Add(30*time.Minute)))
	top := f.today(t)
	if len(top) != 4 || top[3].Kind != backend.KindNote || top[3].Score.Urgency.Value < backend.HotUrgency {
		t.Fatalf("queue = %v, want the meeting's note fourth and hot", titles(top))
	}
	if got := f.sink.take(); len(got) != 0 {
		t.Errorf("a hot move fourth in the queue: shown %v, want nothing", titlesOf(got))
	}
}

func TestInterrupts_QuietHours(t *testing.T) {
	tests := []struct {
		name  string
		quiet backend.QuietHours
		at    time.Duration // since midnight UTC
		want  int
	}{
		{"CrossingMidnightLate", backend.QuietHours{On: true, Start: 22 * time.Hour, End: 7 * time.Hour}, 23 * time.Hour, 0},
		{"CrossingMidnightEarly", backend.QuietHours{On: true, Start: 22 * time.Hour, End: 7 * time.Hour}, 6*time.Hour + 59*time.Minute, 0},
		{"CrossingMidnightAfter", backend.QuietHours{On: true, Start: 22 * time.Hour, End: 7 * time.Hour}, 7 * time.Hour, 1},
		{"SameDay", backend.QuietHours{On: true, Start: 12 * time.Hour, End: 14 * time.Hour}, 13 * time.Hour, 0},
		{"SameDayOutside", backend.QuietHours{On: true, Start: 12 * time.Hour, End: 14 * time.Hour}, 9 * time.Hour, 1},
		{"Off", backend.QuietHours{On: false, Start: 0, End: 23 * time.Hour}, 9 * time.Hour, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newNotifyFixture(t)
			day := time.Date(testNow.Year(), testNow.Month(), testNow.Day(), 0, 0, 0, 0, time.UTC)
			f.clock.Set(day.Add(tt.at))
			f.saveNotifications(t, backend.Notifications{Quiet: tt.quiet})
			now := f.clock.Now()
			f.ingest(t, replySignal("g1", "t1", "maya@acme.io", now.Add(-time.Hour)))
			if got := f.sink.take(); len(got) != tt.want {
				t.Fatalf("at %s with quiet hours %+v: shown %v, want %d", now.Format("15:04"), tt.quiet, titlesOf(got), tt.want)
			}
			if tt.want == 0 {
				// When the quiet hours end, what they suppressed is not
				// replayed.
				f.clock.Set(day.Add(36 * time.Hour))
				f.feed(t, false)
				if err := f.rule.Handle(f.ctx, backend.EventQueueChanged, nil, false); err != nil {
					t.Fatal(err)
				}
				if got := f.sink.take(); len(got) != 0 {
					t.Errorf("after the quiet hours: shown %v, want nothing replayed", titlesOf(got))
				}
			}
		})
	}
}

func TestInterrupts_KindOff(t *testing.T) {
	f := newNotifyFixture(t)
	f.saveNotifications(t, backend.Notifications{Off: []backend.NotifyKind{backend.NotifyHotMove}})
	f.ingest(t, replySignal("g1", "t1", "maya@acme.io", testNow.Add(-time.Hour)))
	if got := f.sink.take(); len(got) != 0 {
		t.Errorf("hot moves switched off: shown %v, want nothing", titlesOf(got))
	}
	// Other kinds still interrupt.
	f.killSwitch(t, true, backend.ActorCLI, true)
	if got := f.sink.take(); len(got) != 1 || got[0].Kind != backend.NotifyKillSwitch {
		t.Errorf("kill switch with hot moves off: shown %v, want the kill switch", titlesOf(got))
	}
}

func (f *notifyFixture) killSwitch(tb testing.TB, on bool, by backend.Actor, elsewhere bool) {
	tb.Helper()
	if _, err := f.q.Guardrails.SetKillSwitch(f.ctx, on, by, "checking"); err != nil {
		tb.Fatal(err)
	}
	f.feed(tb, elsewhere)
}

func TestInterrupts_ExecutionFailed(t *testing.T) {
	f := newNotifyFixture(t)
	f.ingest(t, upcomingMeeting("m1", testNow.Add(30*time.Minute)))
	f.sink.take()
	note := f.today(t)[0]
	f.exec.fail(backend.Errorf(backend.EINVALID, "the note is too long"))
	if _, _, err := f.q.Executions.Execute(f.ctx, note.ID, backend.ExecuteOptions{Actor: backend.ActorKey}); err == nil {
		t.Fatal("Execute succeeded, want the scripted failure")
	}
	f.feed(t, false)
	got := f.sink.take()
	if len(got) != 1 || got[0].Kind != backend.NotifyExecutionFailed || got[0].MoveID != note.ID ||
		!strings.Contains(got[0].Title, note.Title) || !strings.Contains(got[0].Body, "too long") {
		t.Fatalf("after a failed execution: shown %+v, want one execution_failed for %q saying why", got, note.Title)
	}
	// Retried and failed again: still one per move.
	if _, _, err := f.q.Executions.Execute(f.ctx, note.ID, backend.ExecuteOptions{Actor: backend.ActorKey}); err == nil {
		t.Fatal("Execute succeeded, want the scripted failure")
	}
	f.feed(t, false)
	if got := f.sink.take(); len(got) != 0 {
		t.Errorf("a second failure of the same move: shown %v, want nothing", titlesOf(got))
	}
}

func TestInterrupts_OutboxDrained(t *testing.T) {
	f := newNotifyFixture(t)
	f.ingest(t, upcomingMeeting("m1", testNow.Add(30*time.Minute)), upcomingMeeting("m2", testNow.Add(40*time.Minute)))
	f.sink.take()
	f.exec.fail(backend.Errorf(backend.EUNAVAILABLE, "offline"))
	for _, m := range f.today(t) {
		if _, _, err := f.q.Executions.Execute(f.ctx, m.ID, backend.ExecuteOptions{Actor: backend.ActorKey}); err != nil && backend.ErrorCode(err) != backend.EUNAVAILABLE {
			t.Fatal(err)
		}
	}
	f.feed(t, false)
	out, err := f.q.Executions.Outbox(f.ctx)
	if err != nil || len(out) != 2 {
		t.Fatalf("outbox = %d, %v, want both held offline", len(out), err)
	}
	if got := f.sink.take(); len(got) != 0 {
		t.Fatalf("going offline: shown %v, want nothing", titlesOf(got))
	}
	// A restart while offline: the rule learns the outbox from the store.
	f.restart(t)
	f.exec.fail(nil)
	if _, err := f.q.Executions.RetryOutbox(f.ctx); err != nil {
		t.Fatal(err)
	}
	f.feed(t, false)
	got := f.sink.take()
	if len(got) != 1 || got[0].Kind != backend.NotifyOutboxDrained || !strings.Contains(got[0].Body, "2 executions") {
		t.Fatalf("outbox drained: shown %+v, want one outbox_drained saying 2 executions", got)
	}
}

func TestInterrupts_KillSwitch(t *testing.T) {
	tests := []struct {
		name      string
		by        backend.Actor
		elsewhere bool
		want      int
	}{
		{"FromCLI", backend.ActorCLI, true, 1},
		{"FromBrowser", backend.ActorClick, true, 1},
		{"FromThisWindow", backend.ActorClick, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newNotifyFixture(t)
			f.killSwitch(t, true, tt.by, tt.elsewhere)
			got := f.sink.take()
			if len(got) != tt.want {
				t.Fatalf("kill switch on by %s (elsewhere %v): shown %v, want %d", tt.by, tt.elsewhere, titlesOf(got), tt.want)
			}
			if tt.want == 1 && (got[0].Kind != backend.NotifyKillSwitch || !strings.Contains(got[0].Body, "checking")) {
				t.Errorf("kill switch notification = %+v, want the reason", got[0])
			}
			// On again (already on), then off: nothing more.
			f.killSwitch(t, true, tt.by, tt.elsewhere)
			f.killSwitch(t, false, tt.by, tt.elsewhere)
			if got := f.sink.take(); len(got) != 0 {
				t.Errorf("kill switch on again and off: shown %v, want nothing", titlesOf(got))
			}
		})
	}
}

// A kill switch that was on before the app started is no news when the
// command line says "on" again.
func TestInterrupts_KillSwitchAlreadyOn(t *testing.T) {
	f := newNotifyFixture(t)
	f.killSwitch(t, true, backend.ActorCLI, true)
	if got := f.sink.take(); len(got) != 1 {
		t.Fatalf("kill switch on: shown %v, want one", titlesOf(got))
	}
	f.restart(t)
	f.killSwitch(t, true, backend.ActorCLI, true)
	if got := f.sink.take(); len(got) != 0 {
		t.Errorf("on again after a restart: shown %v, want nothing", titlesOf(got))
	}
	f.killSwitch(t, false, backend.ActorCLI, true)
	f.killSwitch(t, true, backend.ActorCLI, true)
	if got := f.sink.take(); len(got) != 1 {
		t.Errorf("off, then on again: shown %v, want one", titlesOf(got))
	}
}

func TestInterrupts_Run(t *testing.T) {
	f := newNotifyFixture(t)
	var mu sync.Mutex
	var failures []error
	f.rule.Failed = func(err error) {
		mu.Lock()
		failures = append(failures, err)
		mu.Unlock()
	}
	ctx, cancel := context.WithCancel(f.ctx)
	done := make(chan error, 1)
	go func() { done <- f.rule.Run(ctx) }()
	f.sink.mu.Lock()
	f.sink.err = errors.New("no notification server")
	f.sink.mu.Unlock()
	if _, err := f.q.Ingest.Batch(f.ctx, []*backend.Signal{replySignal("g1", "t1", "maya@acme.io", testNow.Add(-time.Hour))}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50; i++ { // a burst of queue changes: one look at the top
		f.rule.Observe(backend.EventQueueChanged, backend.QueueChanged{Reason: "sync"}, false)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		n := len(failures)
		mu.Unlock()
		if n > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v, want context.Canceled", err)
	}
	mu.Lock()
	defer mu.Unlock()
	// The move was recorded before the notifier failed: one failure, not a
	// retry for every queue change.
	if len(failures) != 1 {
		t.Errorf("notifier failures = %v, want exactly one", failures)
	}
}

func TestNotifications_Validate(t *testing.T) {
	tests := []struct {
		name string
		n    backend.Notifications
		ok   bool
	}{
		{"Default", backend.Notifications{}, true},
		{"QuietCrossingMidnight", backend.Notifications{Quiet: backend.QuietHours{On: true, Start: 22 * time.Hour, End: 7 * time.Hour}}, true},
		{"UnknownKind", backend.Notifications{Off: []backend.NotifyKind{"everything"}}, false},
		{"QuietSameTimes", backend.Notifications{Quiet: backend.QuietHours{On: true, Start: 8 * time.Hour, End: 8 * time.Hour}}, false},
		{"QuietPastMidnight", backend.Notifications{Quiet: backend.QuietHours{On: true, Start: 25 * time.Hour, End: 7 * time.Hour}}, false},
		{"QuietNegative", backend.Notifications{Quiet: backend.QuietHours{Start: -time.Minute, End: 7 * time.Hour}}, false},
		{"QuietSeconds", backend.Notifications{Quiet: backend.QuietHours{On: true, Start: 22*time.Hour + time.Second, End: 7 * time.Hour}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.n.Validate()
			if (err == nil) != tt.ok || (err != nil && backend.ErrorCode(err) != backend.EINVALID) {
				t.Errorf("Validate(%+v) = %v, want ok %v", tt.n, err, tt.ok)
			}
			st := backend.DefaultSettings()
			st.Notifications = tt.n
			if err := st.Validate(); (err == nil) != tt.ok {
				t.Errorf("Settings.Validate with %+v = %v, want ok %v", tt.n, err, tt.ok)
			}
		})
	}
}

func TestQuietHours_Contains(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no zone database")
	}
	q := backend.QuietHours{On: true, Start: 22 * time.Hour, End: 7 * time.Hour}
	// 03:30 UTC is 22:30 the evening before in New York: quiet there, not in UTC.
	at := time.Date(2026, 11, 22, 3, 30, 0, 0, time.UTC)
	if !q.Contains(at, ny) {
		t.Errorf("Contains(%v, New York) = false, want true", at)
	}
	if q.Contains(at.Add(12*time.Hour), ny) {
		t.Errorf("Contains(%v, New York) = true, want false", at.Add(12*time.Hour))
	}
}
