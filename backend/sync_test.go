package backend_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

// fakeClock is a WaitClock whose timers fire when the test moves it.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []fakeWaiter
	added   chan struct{} // a signal per After call
}

type fakeWaiter struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock(t time.Time) *fakeClock {
	return &fakeClock{now: t, added: make(chan struct{}, 1000)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
	} else {
		c.waiters = append(c.waiters, fakeWaiter{c.now.Add(d), ch})
	}
	c.added <- struct{}{}
	return ch
}

// Advance moves the clock and fires the timers that are due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	keep := c.waiters[:0]
	for _, w := range c.waiters {
		if !w.at.After(c.now) {
			w.ch <- c.now
		} else {
			keep = append(keep, w)
		}
	}
	c.waiters = keep
}

// waitTimer blocks until someone has called After since the last call.
func (c *fakeClock) waitTimer(tb testing.TB) {
	tb.Helper()
	select {
	case <-c.added:
	case <-time.After(10 * time.Second):
		tb.Fatal("nobody started waiting on the clock")
	}
}

// pollResult is one scripted answer of a fakePoller.
type pollResult struct {
	signals []*backend.Signal
	next    string
	err     error
}

// fakePoller answers Poll from a script and records the cursors it was asked with.
type fakePoller struct {
	account string
	mu      sync.Mutex
	script  []pollResult
	asked   []string
	polled  chan string
}

func newFakePoller(account string, script ...pollResult) *fakePoller {
	return &fakePoller{account: account, script: script, polled: make(chan string, 100)}
}

func (p *fakePoller) Account() string { return p.account }

func (p *fakePoller) Poll(ctx context.Context, cursor string) ([]*backend.Signal, string, error) {
	p.mu.Lock()
	p.asked = append(p.asked, cursor)
	var r pollResult
	if len(p.script) > 0 {
		r, p.script = p.script[0], p.script[1:]
	} else {
		r = pollResult{next: cursor}
	}
	p.mu.Unlock()
	p.polled <- cursor
	return r.signals, r.next, r.err
}

func (p *fakePoller) push(r ...pollResult) {
	p.mu.Lock()
	p.script = append(p.script, r...)
	p.mu.Unlock()
}

func (p *fakePoller) waitPoll(tb testing.TB) string {
	tb.Helper()
	select {
	case c := <-p.polled:
		return c
	case <-time.After(10 * time.Second):
		tb.Fatal("the account was not polled")
		return ""
	}
}

func (p *fakePoller) noPoll(tb testing.TB) {
	tb.Helper()
	select {
	case c := <-p.polled:
		tb.Fatalf("the account was polled (cursor %q), want no poll", c)
	case <-time.After(50 * time.Millisecond):
	}
}

// recorder is an Events that keeps the sync statuses published.
type recorder struct {
	mu       sync.Mutex
	statuses []backend.SyncStatus
}

func (r *recorder) Publish(name string, payload any) {
	if name != backend.EventSyncStatus {
		return
	}
	r.mu.Lock()
	r.statuses = append(r.statuses, payload.(backend.SyncStatus))
	r.mu.Unlock()
}

func (r *recorder) states() []backend.SyncState {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []backend.SyncState
	for _, s := range r.statuses {
		if len(out) == 0 || out[len(out)-1] != s.State {
			out = append(out, s.State)
		}
	}
	return out
}

// failingStore fails every cursor write while fail is set.
type failingStore struct {
	backend.Store
	mu   sync.Mutex
	fail bool
}

func (s *failingStore) setFail(v bool) { s.mu.Lock(); s.fail = v; s.mu.Unlock() }

func (s *failingStore) Update(ctx context.Context, fn func(backend.Tx) error) error {
	s.mu.Lock()
	fail := s.fail
	s.mu.Unlock()
	return s.Store.Update(ctx, func(tx backend.Tx) error { return fn(failingTx{tx, fail}) })
}

type failingTx struct {
	backend.Tx
	fail bool
}

func (t failingTx) PutCursor(account, cursor string) error {
	if t.fail {
		return errors.New("disk full")
	}
	return t.Tx.PutCursor(account, cursor)
}

type syncFixture struct {
	db     *store.DB
	st     *failingStore
	clock  *fakeClock
	q      *backend.Services
	events *recorder
	s      *backend.Syncer
}

func newSyncFixture(tb testing.TB) *syncFixture {
	tb.Helper()
	db, err := store.Open(filepath.Join(tb.TempDir(), "caseyos.db"), store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	f := &syncFixture{db: db, st: &failingStore{Store: db}, clock: newFakeClock(testNow), events: &recorder{}}
	f.q = backend.NewServices(f.st, f.clock, nil)
	f.s = backend.NewSyncer(f.q.Ingest, backend.SyncOptions{Clock: f.clock, Events: f.events, Rand: func() float64 { return 0.5 }})
	return f
}

func (f *syncFixture) signals(tb testing.TB) []string {
	tb.Helper()
	sigs, _, err := f.q.Ingest.Signals(context.Background(), 0, 1000)
	if err != nil {
		tb.Fatal(err)
	}
	var keys []string
	for _, s := range sigs {
		keys = append(keys, s.DedupeKey)
	}
	sort.Strings(keys)
	return keys
}

func (f *syncFixture) cursor(tb testing.TB, account string) string {
	tb.Helper()
	var c string
	if err := f.db.View(context.Background(), func(tx backend.Tx) error {
		var err error
		c, err = tx.Cursor(account)
		return err
	}); err != nil {
		tb.Fatal(err)
	}
	return c
}

func mentions(keys ...string) []*backend.Signal {
	var out []*backend.Signal
	for _, k := range keys {
		out = append(out, mentionSignal(k, "post-"+k, testNow.Add(-time.Hour)))
	}
	return out
}

type retryErr struct{ d time.Duration }

func (e retryErr) Error() string             { return "429" }
func (e retryErr) RetryAfter() time.Duration { return e.d }

func TestSyncer_SyncOnce(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		f := newSyncFixture(t)
		p := newFakePoller("hubspot",
			pollResult{signals: mentions("a", "b"), next: "c1"},
			pollResult{signals: mentions("c"), next: "c2"},
			pollResult{next: "c2"},
		)
		if err := f.s.Add(p); err != nil {
			t.Fatal(err)
		}
		sts, err := f.s.SyncOnce(context.Background(), "")
		if err != nil {
			t.Fatalf("SyncOnce: %v", err)
		}
		if got := fmt.Sprint(p.asked); got != "[ c1 c2]" {
			t.Errorf("cursors asked = %s, want [ c1 c2] (a pass polls while it makes progress)", got)
		}
		if got := fmt.Sprint(f.signals(t)); got != "[a b c]" {
			t.Errorf("signals = %s, want [a b c]", got)
		}
		if c := f.cursor(t, "hubspot"); c != "c2" {
			t.Errorf("cursor = %q, want c2", c)
		}
		st := sts[0]
		if st.State != backend.SyncConnected || st.Items != 3 || st.LastItems != 3 || !st.LastSuccess.Equal(testNow) ||
			!st.NextRun.Equal(testNow.Add(backend.DefaultSyncInterval)) || st.LastError != "" {
			t.Errorf("status = %+v, want connected, 3 items, success now, next run in 5 min", st)
		}
		// Another process reads what the pass left.
		stored, found, err := backend.ReadSyncStatus(context.Background(), f.db, "hubspot")
		if err != nil || !found || stored.Items != 3 || !stored.LastSuccess.Equal(testNow) {
			t.Errorf("ReadSyncStatus = %+v, %v, %v; want the pass's status", stored, found, err)
		}
		if got := fmt.Sprint(f.events.states()); got != "[running connected]" {
			t.Errorf("published states = %s, want [running connected]", got)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		f := newSyncFixture(t)
		if _, err := f.s.SyncOnce(context.Background(), "x"); backend.ErrorCode(err) != backend.ENOTFOUND {
			t.Errorf("SyncOnce(unknown) = %v, want not_found", err)
		}
	})
}

// TestSyncer_OneTransaction: the signals of a page and the cursor after it
// land together or not at all.
func TestSyncer_OneTransaction(t *testing.T) {
	f := newSyncFixture(t)
	p := newFakePoller("hubspot", pollResult{signals: mentions("a", "b"), next: "c1"})
	f.s.Add(p)
	f.st.setFail(true)
	st, err := f.s.SyncOnce(context.Background(), "hubspot")
	if err == nil {
		t.Fatal("SyncOnce with a failing cursor write succeeded")
	}
	if keys := f.signals(t); len(keys) != 0 {
		t.Errorf("signals stored although the cursor write failed: %v", keys)
	}
	if c := f.cursor(t, "hubspot"); c != "" {
		t.Errorf("cursor = %q, want none", c)
	}
	if st[0].State != backend.SyncFailing || st[0].ErrorCode != backend.EINTERNAL || st[0].Items != 0 {
		t.Errorf("status = %+v, want error, internal, no items", st[0])
	}
	// The next pass fetches the same page again from the old cursor: each
	// signal is stored once.
	f.st.setFail(false)
	p.push(pollResult{signals: mentions("a", "b"), next: "c1"}, pollResult{signals: mentions("b", "c"), next: "c2"})
	if _, err := f.s.SyncOnce(context.Background(), "hubspot"); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(p.asked); got != "[  c1 c2]" {
		t.Errorf("cursors asked = %s, want [  c1 c2]", got)
	}
	if got := fmt.Sprint(f.signals(t)); got != "[a b c]" {
		t.Errorf("signals = %s, want [a b c], each once", got)
	}
}

func TestSyncer_PartialProgressKept(t *testing.T) {
	f := newSyncFixture(t)
	down := backend.Errorf(backend.EUNAVAILABLE, "HubSpot cannot be reached")
	p := newFakePoller("hubspot", pollResult{signals: mentions("a"), next: "c1", err: down})
	f.s.Add(p)
	st, err := f.s.SyncOnce(context.Background(), "")
	if backend.ErrorCode(err) != backend.EUNAVAILABLE {
		t.Fatalf("SyncOnce = %v, want unavailable", err)
	}
	if got := fmt.Sprint(f.signals(t)); got != "[a]" || f.cursor(t, "hubspot") != "c1" {
		t.Errorf("signals %s, cursor %q; want what came before the failure kept", got, f.cursor(t, "hubspot"))
	}
	if st[0].State != backend.SyncOffline || st[0].LastError != "HubSpot cannot be reached" || st[0].Items != 1 {
		t.Errorf("status = %+v, want offline with the user-safe message", st[0])
	}
}

func TestSyncer_Failures(t *testing.T) {
	tests := []struct {
		name  string
		err   error
		state backend.SyncState
		next  time.Duration // 0: none scheduled
	}{
		{"Unauthorized", backend.WrapError("hubspot", backend.Errorf(backend.EUNAUTHORIZED, "HubSpot refused the token")), backend.SyncReconnect, 0},
		{"Offline", backend.Errorf(backend.EUNAVAILABLE, "HubSpot cannot be reached"), backend.SyncOffline, 7500 * time.Millisecond},
		{"RetryAfter", &backend.Error{Code: backend.EUNAVAILABLE, Message: "HubSpot is rate limiting", Err: retryErr{42 * time.Second}}, backend.SyncOffline, 42 * time.Second},
		{"Internal", errors.New("boom"), backend.SyncFailing, 7500 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newSyncFixture(t)
			f.s.Add(newFakePoller("hubspot", pollResult{err: tt.err}))
			sts, err := f.s.SyncOnce(context.Background(), "hubspot")
			if err == nil {
				t.Fatal("SyncOnce succeeded")
			}
			st := sts[0]
			var want time.Time
			if tt.next > 0 {
				want = testNow.Add(tt.next)
			}
			if st.State != tt.state || !st.NextRun.Equal(want) || st.Failures != 1 || st.LastError == "" {
				t.Errorf("status = %+v, want %s, next run %v", st, tt.state, want)
			}
			if st.ErrorCode == backend.EINTERNAL && st.LastError != "An internal error occurred." {
				t.Errorf("last error = %q: causes must not reach the user", st.LastError)
			}
		})
	}
}

func TestSyncer_Run(t *testing.T) {
	t.Run("IntervalAndKick", func(t *testing.T) {
		f := newSyncFixture(t)
		p := newFakePoller("hubspot", pollResult{signals: mentions("a"), next: "c1"})
		f.s.Add(p)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- f.s.Run(ctx) }()

		p.waitPoll(t) // at once
		p.waitPoll(t) // the same pass: progress was made
		f.clock.waitTimer(t)
		p.noPoll(t)
		f.clock.Advance(backend.DefaultSyncInterval)
		p.waitPoll(t)
		f.clock.waitTimer(t)
		if err := f.s.Kick("hubspot"); err != nil {
			t.Fatal(err)
		}
		p.waitPoll(t)
		f.clock.waitTimer(t)
		if err := f.s.Kick("nobody"); backend.ErrorCode(err) != backend.ENOTFOUND {
			t.Errorf("Kick(unknown) = %v, want not_found", err)
		}
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run = %v, want nil after cancel", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not return after its context ended")
		}
		stopped, stop := context.WithCancel(context.Background())
		stop()
		if err := f.s.Run(stopped); err != nil {
			t.Errorf("Run again after a stop = %v, want nil", err)
		}
	})
	t.Run("ReconnectStopsPolling", func(t *testing.T) {
		f := newSyncFixture(t)
		p := newFakePoller("hubspot", pollResult{err: backend.Errorf(backend.EUNAUTHORIZED, "HubSpot refused the token")})
		f.s.Add(p)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go f.s.Run(ctx)
		p.waitPoll(t)
		waitState(t, f.s, backend.SyncReconnect)
		f.clock.Advance(24 * time.Hour)
		p.noPoll(t)
		// After reconnecting, a kick resumes it.
		p.push(pollResult{signals: mentions("a"), next: "c1"})
		f.s.Kick("hubspot")
		p.waitPoll(t)
		waitState(t, f.s, backend.SyncConnected)
	})
	t.Run("OfflineResumesByItself", func(t *testing.T) {
		f := newSyncFixture(t)
		down := backend.Errorf(backend.EUNAVAILABLE, "HubSpot cannot be reached")
		p := newFakePoller("hubspot", pollResult{err: down}, pollResult{err: down}, pollResult{signals: mentions("a"), next: "c1"})
		f.s.Add(p)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go f.s.Run(ctx)
		p.waitPoll(t)
		f.clock.waitTimer(t)
		waitState(t, f.s, backend.SyncOffline)
		f.clock.Advance(7500 * time.Millisecond) // first backoff
		p.waitPoll(t)
		f.clock.waitTimer(t)
		st, _ := f.s.AccountStatus(ctx, "hubspot")
		if st.Failures != 2 || !st.NextRun.Equal(f.clock.Now().Add(15*time.Second)) {
			t.Errorf("after two failures: %+v, want next run in 15 s", st)
		}
		f.clock.Advance(15 * time.Second)
		p.waitPoll(t)
		waitState(t, f.s, backend.SyncConnected)
		if got := fmt.Sprint(f.signals(t)); got != "[a]" {
			t.Errorf("signals = %s", got)
		}
	})
	t.Run("AddWhileRunning", func(t *testing.T) {
		f := newSyncFixture(t)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { f.s.Run(ctx); close(done) }()
		p := newFakePoller("x")
		for f.s.Add(p) != nil {
			t.Fatal("Add failed")
		}
		p.waitPoll(t)
		if err := f.s.Add(newFakePoller("x")); backend.ErrorCode(err) != backend.ECONFLICT {
			t.Errorf("second Add = %v, want conflict", err)
		}
		if err := f.s.Remove("x"); err != nil {
			t.Fatal(err)
		}
		if got := f.s.Accounts(); len(got) != 0 {
			t.Errorf("accounts after Remove = %v", got)
		}
		cancel()
		<-done
	})
}

func waitState(tb testing.TB, s *backend.Syncer, want backend.SyncState) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, err := s.AccountStatus(context.Background(), "hubspot")
		if err == nil && st.State == want {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("state = %s (%v), want %s", st.State, err, want)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestMarkConnectedAndForget(t *testing.T) {
	f := newSyncFixture(t)
	ctx := context.Background()
	if _, found, _ := backend.ReadSyncStatus(ctx, f.db, "hubspot"); found {
		t.Fatal("an account never connected reads as connected")
	}
	f.s.Add(newFakePoller("hubspot", pollResult{signals: mentions("a"), next: "c1"}, pollResult{err: backend.Errorf(backend.EUNAUTHORIZED, "refused")}))
	f.s.SyncOnce(ctx, "")
	if err := backend.MarkConnected(ctx, f.db, "hubspot"); err != nil {
		t.Fatal(err)
	}
	st, found, err := backend.ReadSyncStatus(ctx, f.db, "hubspot")
	if err != nil || !found || st.State != backend.SyncConnected || st.LastError != "" || st.Items != 1 {
		t.Errorf("after MarkConnected: %+v, %v, %v; want connected, error cleared, items kept", st, found, err)
	}
	if c := f.cursor(t, "hubspot"); c != "c1" {
		t.Errorf("cursor after reconnecting = %q, want c1 kept", c)
	}
	if err := backend.ForgetSync(ctx, f.db, "hubspot"); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := backend.ReadSyncStatus(ctx, f.db, "hubspot"); found || f.cursor(t, "hubspot") != "" {
		t.Error("ForgetSync left the status or the cursor")
	}
}

func TestSyncer_ThrottlesProgress(t *testing.T) {
	f := newSyncFixture(t)
	var script []pollResult
	for i := 0; i < 20; i++ {
		script = append(script, pollResult{signals: mentions(fmt.Sprint("k", i)), next: fmt.Sprint("c", i)})
	}
	f.s.Add(newFakePoller("hubspot", script...))
	if _, err := f.s.SyncOnce(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	// The clock does not move: 20 pages of progress are one event, plus
	// the state changes.
	if n := len(f.events.statuses); n != 2 {
		t.Errorf("%d status events for one pass at one instant, want 2 (running, connected)", n)
	}
}
