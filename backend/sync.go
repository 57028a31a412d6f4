package backend

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"time"
)

// The ingest loop's engine. A Syncer runs one goroutine per connected
// account. Each pass asks the account's Poller for what is new since the
// stored cursor and stores the signals with the new cursor in one
// transaction (IngestService.From), so a crash between the two cannot lose a signal
// (the cursor only moves with them) nor double one (dedupe keys). A pass
// keeps polling while the poller makes progress — its cursor moved and it
// returned signals, or it says it has more (MorePoller) — so a first full
// sync lands page by page, each page committed.
//
// A vendor's rate limit (RateLimited) does not end a pass: the pass waits
// out the window — the vendor's Retry-After or published window, else
// jittered backoff — on the Syncer's clock, says so (EventSyncWaiting),
// and goes on from the stored cursor, up to RateWait of waiting in all. A
// daily limit, or a window longer than what is left of RateWait, ends it.
// The background loop and SyncOnce run the same pass.
//
// Failures set the account's state: unauthorized → reconnect (polling
// stops until the account is kicked, after reconnecting); unavailable →
// offline, retried with jittered exponential backoff until it works again;
// an error with a RetryAfter waits exactly that long; anything else → error,
// retried with backoff.

// DefaultSyncInterval is how often an account is polled.
const DefaultSyncInterval = 5 * time.Minute

// DefaultRateWait bounds the time one pass spends waiting out rate limits:
// a dozen of HubSpot's 10-second windows, a minute-long Google quota
// window twice over.
const DefaultRateWait = 2 * time.Minute

// RateLimitBackoff paces a pass's retries after a rate limit that does not
// say how long to wait: 0.5–1 s, doubling up to 32 s (Google's advice for
// its 429s and rate-limit 403s).
var RateLimitBackoff = Backoff{Min: time.Second, Max: 32 * time.Second}

// maxPagesPerPass bounds one pass, so a poller that always reports progress
// cannot hold its account forever.
const maxPagesPerPass = 1000

// MorePoller is implemented by pollers that fetch in pages and know that
// their last successful Poll stopped before the end.
type MorePoller interface {
	Poller
	More() bool
}

// SyncOptions configures a Syncer. Zero values take the defaults.
type SyncOptions struct {
	// Clock tells the time; when it is a WaitClock, the Syncer waits on it.
	Clock Clock
	// Events receives EventSyncStatus with a SyncStatus payload.
	Events Events
	// Interval between passes; DefaultSyncInterval when zero.
	Interval time.Duration
	// Backoff after failures; DefaultBackoff when zero.
	Backoff Backoff
	// Rand returns numbers in [0, 1) for jitter; math/rand when nil.
	Rand func() float64
	// PublishEvery throttles status events of an unchanged state; 100 ms
	// (at most 10 a second) when zero. A change of state is always sent.
	PublishEvery time.Duration
	// RateWait bounds the waiting for rate limits in one pass;
	// DefaultRateWait when zero, none (the pass ends) when negative.
	RateWait time.Duration
}

// Syncer polls accounts in the background. Its constructor starts nothing:
// Run does, and returns when its context ends.
type Syncer struct {
	ingest       *IngestService
	clock        WaitClock
	events       Events
	interval     time.Duration
	backoff      Backoff
	rnd          func() float64
	publishEvery time.Duration
	rateWait     time.Duration

	mu       sync.Mutex
	accounts map[string]*syncAccount
	runCtx   context.Context // while Run runs
	wg       sync.WaitGroup
}

// syncAccount is one account's poller and status. status and the
// publishing fields are guarded by Syncer.mu.
type syncAccount struct {
	poller Poller
	kick   chan struct{} // buffered 1: a kick during a pass runs one more
	cancel context.CancelFunc
	done   chan struct{} // closed when the account's goroutine ends
	pass   sync.Mutex    // one pass at a time (the loop, SyncOnce)

	status    SyncStatus
	loaded    bool // status read from the store
	published time.Time
	lastState SyncState
}

// NewSyncer returns a Syncer storing through in.
func NewSyncer(in *IngestService, o SyncOptions) *Syncer {
	s := &Syncer{
		ingest: in, clock: waitClock(o.Clock), events: o.Events, interval: o.Interval, backoff: o.Backoff,
		rnd: o.Rand, publishEvery: o.PublishEvery, rateWait: o.RateWait, accounts: map[string]*syncAccount{},
	}
	if s.rateWait == 0 {
		s.rateWait = DefaultRateWait
	}
	if o.Clock == nil {
		s.clock = waitClock(in.clock)
	}
	if s.events == nil {
		s.events = NopEvents{}
	}
	if s.interval <= 0 {
		s.interval = DefaultSyncInterval
	}
	if s.backoff == (Backoff{}) {
		s.backoff = DefaultBackoff
	}
	if s.rnd == nil {
		s.rnd = rand.Float64
	}
	if s.publishEvery <= 0 {
		s.publishEvery = 100 * time.Millisecond
	}
	return s
}

// Add starts syncing p's account (at once when Run is running). An account
// already added is an ECONFLICT error.
func (s *Syncer) Add(p Poller) error {
	name := p.Account()
	if name == "" || name[0] == '~' {
		return Errorf(EINVALID, "account name %q is not usable", name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.accounts[name]; ok {
		return Errorf(ECONFLICT, "%s is already syncing", name)
	}
	a := &syncAccount{poller: p, kick: make(chan struct{}, 1), status: SyncStatus{Account: name, State: SyncConnected}}
	s.accounts[name] = a
	if s.runCtx != nil {
		s.start(a)
	}
	return nil
}

// Remove stops syncing account and waits for its goroutine to end.
func (s *Syncer) Remove(account string) error {
	s.mu.Lock()
	a, ok := s.accounts[account]
	if ok {
		delete(s.accounts, account)
	}
	s.mu.Unlock()
	if !ok {
		return Errorf(ENOTFOUND, "%s is not syncing", account)
	}
	if a.cancel != nil {
		a.cancel()
		<-a.done
	}
	return nil
}

// Accounts lists the accounts added, sorted.
func (s *Syncer) Accounts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.accounts))
	for name := range s.accounts {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// start runs a's loop under the Run context; s.mu is held.
func (s *Syncer) start(a *syncAccount) {
	ctx, cancel := context.WithCancel(s.runCtx)
	a.cancel, a.done = cancel, make(chan struct{})
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(a.done)
		s.loop(ctx, a)
	}()
}

// Run syncs every account, each in its own goroutine, until ctx ends; then
// it waits for them and returns nil. A second concurrent Run is an
// ECONFLICT error.
func (s *Syncer) Run(ctx context.Context) error {
	s.mu.Lock()
	if s.runCtx != nil {
		s.mu.Unlock()
		return Errorf(ECONFLICT, "the syncer is already running")
	}
	s.runCtx = ctx
	for _, a := range s.accounts {
		s.start(a)
	}
	s.mu.Unlock()
	<-ctx.Done()
	s.mu.Lock()
	s.runCtx = nil
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

// Kick asks for a pass now ("sync now"): of account, or of every account
// when account is "". An account waiting to be reconnected tries again,
// since a kick usually follows reconnecting it.
func (s *Syncer) Kick(account string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if account == "" {
		for _, a := range s.accounts {
			a.kickNow()
		}
		return nil
	}
	a, ok := s.accounts[account]
	if !ok {
		return Errorf(ENOTFOUND, "%s is not connected", account)
	}
	a.kickNow()
	return nil
}

func (a *syncAccount) kickNow() {
	select {
	case a.kick <- struct{}{}:
	default: // a kick is already waiting
	}
}

// Status returns every account's status, sorted by account.
func (s *Syncer) Status(ctx context.Context) ([]SyncStatus, error) {
	var out []SyncStatus
	for _, name := range s.Accounts() {
		st, err := s.AccountStatus(ctx, name)
		if err != nil {
			if ErrorCode(err) == ENOTFOUND {
				continue // removed meanwhile
			}
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// AccountStatus returns one account's status.
func (s *Syncer) AccountStatus(ctx context.Context, account string) (SyncStatus, error) {
	s.mu.Lock()
	a, ok := s.accounts[account]
	s.mu.Unlock()
	if !ok {
		return SyncStatus{}, Errorf(ENOTFOUND, "%s is not connected", account)
	}
	if err := s.load(ctx, a); err != nil {
		return SyncStatus{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return a.status, nil
}

// load reads a's stored status once.
func (s *Syncer) load(ctx context.Context, a *syncAccount) error {
	s.mu.Lock()
	loaded := a.loaded
	s.mu.Unlock()
	if loaded {
		return nil
	}
	st, _, err := ReadSyncStatus(ctx, s.ingest.store, a.poller.Account())
	if err != nil {
		return err
	}
	s.mu.Lock()
	if !a.loaded {
		a.status, a.loaded, a.lastState = st, true, st.State
	}
	s.mu.Unlock()
	return nil
}

// SyncOnce runs one pass of account, or of every account when account is
// "", in the caller's goroutine, and returns the statuses after. The error
// joins the passes that failed.
func (s *Syncer) SyncOnce(ctx context.Context, account string) ([]SyncStatus, error) {
	names := s.Accounts()
	if account != "" {
		s.mu.Lock()
		_, ok := s.accounts[account]
		s.mu.Unlock()
		if !ok {
			return nil, Errorf(ENOTFOUND, "%s is not connected", account)
		}
		names = []string{account}
	}
	var out []SyncStatus
	var errs []error
	for _, name := range names {
		s.mu.Lock()
		a, ok := s.accounts[name]
		s.mu.Unlock()
		if !ok {
			continue
		}
		if err := s.load(ctx, a); err != nil {
			return out, err
		}
		st, err := s.runPass(ctx, a)
		out = append(out, st)
		if err != nil {
			errs = append(errs, err)
		}
	}
	return out, errors.Join(errs...)
}

// loop is one account's goroutine: a pass at once, then one whenever the
// next run is due or a kick comes.
func (s *Syncer) loop(ctx context.Context, a *syncAccount) {
	for ctx.Err() == nil && s.load(ctx, a) != nil {
		// The store cannot be read (it is closing, or broken): try again
		// later rather than sync from a status we cannot see.
		select {
		case <-ctx.Done():
			return
		case <-s.clock.After(s.backoff.Max):
		}
	}
	for {
		if ctx.Err() != nil {
			return
		}
		_, _ = s.runPass(ctx, a) // the outcome is in the status
		s.mu.Lock()
		next, state := a.status.NextRun, a.status.State
		s.mu.Unlock()
		var timer <-chan time.Time // nil: wait for a kick only
		if state != SyncReconnect {
			timer = s.clock.After(max(next.Sub(s.clock.Now()), 0))
		}
		select {
		case <-ctx.Done():
			return
		case <-a.kick:
		case <-timer:
		}
	}
}

// runPass runs one pass of a and records its outcome.
func (s *Syncer) runPass(ctx context.Context, a *syncAccount) (SyncStatus, error) {
	a.pass.Lock()
	defer a.pass.Unlock()
	name := a.poller.Account()
	s.update(a, func(st *SyncStatus) { st.State, st.Skipped, st.SkipReason = SyncRunning, 0, "" })

	items, err := s.poll(ctx, a)
	s.mu.Lock()
	skipped := SyncSkipped{Account: name, Count: a.status.Skipped, Reason: a.status.SkipReason}
	s.mu.Unlock()
	if skipped.Count > 0 {
		s.events.Publish(EventSyncSkipped, skipped)
	}

	note, hasNote := "", false
	if np, ok := a.poller.(NotePoller); ok {
		note, hasNote = np.Note(), true
	}
	now := s.clock.Now()
	if err != nil && ctx.Err() != nil {
		// Stopped, not failed: the next start picks up from the cursor.
		st := s.update(a, func(st *SyncStatus) {
			st.State, st.Items, st.Progress = SyncConnected, st.Items+items, 0
			if st.Failures > 0 {
				st.State = stateFor(st.ErrorCode)
			}
		})
		return st, WrapError("sync "+name, ctx.Err())
	}
	st := s.update(a, func(st *SyncStatus) {
		st.Items, st.Progress = st.Items+items, 0
		if hasNote {
			st.Note = note
		}
		if err == nil {
			st.State, st.LastSuccess, st.LastItems = SyncConnected, now, items
			st.LastError, st.ErrorCode, st.Failures = "", "", 0
			st.NextRun = now.Add(s.jitter(s.interval))
			return
		}
		st.Failures++
		st.LastError, st.ErrorCode, st.LastErrorAt = ErrorMessage(err), ErrorCode(err), now
		st.State = stateFor(st.ErrorCode)
		st.NextRun = time.Time{}
		if st.State != SyncReconnect {
			st.NextRun = now.Add(s.retryDelay(err, st.Failures, s.backoff))
		}
	})
	// Persisting the status is for other processes (`caseyos status`):
	// failing to is not a failed sync.
	_ = s.ingest.store.Update(context.WithoutCancel(ctx), func(tx Tx) error { return putSyncStatus(tx, st) })
	if err != nil {
		return st, WrapError("sync "+name, err)
	}
	return st, nil
}

// stateFor is the state a failure with code leaves an account in.
func stateFor(code string) SyncState {
	switch code {
	case EUNAUTHORIZED:
		return SyncReconnect
	case EUNAVAILABLE:
		return SyncOffline
	}
	return SyncFailing
}

// retryDelay is how long to wait before trying again after err, the nth
// failure in a row: what the vendor asked for (a Retry-After, its window,
// a daily limit's reset), else jittered backoff on bo. Both the passes'
// rate-limit waits and the schedule after a failed pass use it.
func (s *Syncer) retryDelay(err error, n int, bo Backoff) time.Duration {
	if d, ok := RetryAfter(err); ok && d > 0 {
		return max(d, time.Second)
	}
	return bo.Delay(n, s.rnd())
}

// waitFor says whether a pass waits out err, a rate limit met after
// limits others in a row and waited (in all) this pass, and for how long.
func (s *Syncer) waitFor(err error, limits int, waited time.Duration) (time.Duration, *RateLimited, bool) {
	var rl *RateLimited
	if s.rateWait < 0 || !errors.As(err, &rl) || rl.Daily {
		return 0, nil, false
	}
	d := s.retryDelay(err, limits+1, RateLimitBackoff)
	if waited+d > s.rateWait {
		return d, rl, false
	}
	return d, rl, true
}

// jitter spreads d by ±10%.
func (s *Syncer) jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.9 + 0.2*s.rnd()))
}

// poll polls a until it stops making progress and returns how many
// signals it fetched. A rate limit is waited out (waitFor) and the poll
// repeated from the cursor stored before it.
func (s *Syncer) poll(ctx context.Context, a *syncAccount) (int, error) {
	name := a.poller.Account()
	items := 0
	limits, waited := 0, time.Duration(0) // rate limits in a row; time waited for them
	for page := 0; page < maxPagesPerPass; page++ {
		var cursor string
		if err := s.ingest.store.View(ctx, func(tx Tx) error {
			var err error
			cursor, err = tx.Cursor(name)
			return err
		}); err != nil {
			return items, WrapError("read cursor", err)
		}
		sigs, next, perr := a.poller.Poll(ctx, cursor)
		if perr != nil && next == "" {
			next = cursor // no progress reported with the failure
		}
		if len(sigs) > 0 || next != cursor {
			// A poller that failed after some pages may return what it
			// got and the cursor after it: keep that progress.
			rep, err := s.ingest.From(ctx, name, sigs, next)
			if err != nil {
				return items, err
			}
			s.skip(a, rep.Invalid)
			items += len(sigs)
			limits = 0
			s.update(a, func(st *SyncStatus) { st.Progress = items }) // progress, throttled
		}
		if perr != nil {
			d, rl, ok := s.waitFor(perr, limits, waited)
			if rl != nil && !ok {
				why := fmt.Sprintf("still limited after waiting %s in this pass", waited.Round(time.Second))
				if waited == 0 {
					why = fmt.Sprintf("it asks for %s, longer than one pass waits", d.Round(time.Second))
				}
				return items, &Error{Code: EUNAVAILABLE, Err: perr, Message: fmt.Sprintf(
					"%s; %s; the next pass goes on from where this one stopped", strings.TrimSuffix(ErrorMessage(perr), "."), why)}
			}
			if !ok {
				return items, perr
			}
			limits++
			waited += d
			s.events.Publish(EventSyncWaiting, SyncWait{Account: name, Limit: rl.Limit, Wait: d, Until: s.clock.Now().Add(d), Attempt: limits})
			select {
			case <-ctx.Done():
				return items, ctx.Err()
			case <-s.clock.After(d):
			}
			page-- // the same page again
			continue
		}
		more := next != cursor && len(sigs) > 0
		if mp, ok := a.poller.(MorePoller); ok {
			more = mp.More()
		}
		if !more {
			return items, nil
		}
	}
	return items, nil
}

// skip counts the signals of a page that could not be stored: the pass
// goes on without them (their cursor is stored), and its status and
// EventSyncSkipped say how many and why the first was refused.
func (s *Syncer) skip(a *syncAccount, invalid []InvalidSignal) {
	if len(invalid) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if a.status.Skipped == 0 {
		a.status.SkipReason = ErrorMessage(invalid[0].Err)
	}
	a.status.Skipped += len(invalid)
}

// update changes a's status with fn and publishes it: at once when the
// state changed, else at most once per publishEvery.
func (s *Syncer) update(a *syncAccount, fn func(*SyncStatus)) SyncStatus {
	s.mu.Lock()
	fn(&a.status)
	st := a.status
	now := s.clock.Now()
	send := st.State != a.lastState || now.Sub(a.published) >= s.publishEvery
	if send {
		a.lastState, a.published = st.State, now
	}
	s.mu.Unlock()
	if send {
		s.events.Publish(EventSyncStatus, st)
	}
	return st
}

// String renders a status for logs and the CLI.
func (st SyncStatus) String() string {
	return fmt.Sprintf("%s %s (%d items)", st.Account, st.State, st.Items)
}
