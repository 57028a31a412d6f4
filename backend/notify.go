package backend

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// What interrupts. A desktop app that lives in the corner of the screen
// must not chatter: four things, and only these, reach the founder as an
// OS notification:
//
//   - a move that enters the top HotTop of the queue with urgency ≥
//     HotUrgency (a reply to an open deal, a demo request, a lead waiting:
//     with the default urgency curve, due within a day);
//   - an execution that failed;
//   - the outbox emptying after executions waited offline;
//   - the kill switch turned on from elsewhere (the CLI, a browser, another
//     instance: not by the person in front of this window, who knows).
//
// A move notifies at most once per kind, remembered in the store across
// restarts; the fact is stored before the notification goes out, so a
// crash between the two loses one notification rather than repeating it.
// Quiet hours and a switched-off kind suppress, and what they suppressed is
// recorded as handled: it is not replayed as a burst when the quiet hours
// end (the queue still shows it).

// HotUrgency is the urgency at or above which a move in the top HotTop
// interrupts.
const HotUrgency = 0.9

// HotTop is how near the top of the queue a hot move must be.
const HotTop = 3

// Notification is one interruption, as the OS shows it.
type Notification struct {
	Kind   NotifyKind
	MoveID uint64 // the move it is about; 0 for the outbox and the kill switch
	Title  string // the summary line: the move's title
	Body   string // why: the APS reason, the error
}

// Notifier puts a notification on the screen (connectors/notify).
type Notifier interface {
	Notify(ctx context.Context, n Notification) error
}

// Interrupts is the rule of what interrupts, fed the domain's events. It
// decides; a Notifier shows. Observe queues an event without blocking (it
// is called in the publisher's goroutine); Run handles them.
type Interrupts struct {
	c    *core
	sink Notifier
	// Failed is told when the notifier fails (no notification server);
	// nil ignores it. It is called from Run's goroutine.
	Failed func(error)

	in chan observed

	mu      sync.Mutex
	offline map[uint64]bool // executions held in the outbox while offline
	sent    int             // of those, how many went out since the outbox last emptied
	killOn  bool            // the kill switch as last seen: turning it "on" again is no news
}

type observed struct {
	name      string
	payload   any
	elsewhere bool
}

// NewInterrupts returns the rule over s, showing through sink.
func NewInterrupts(s *Services, sink Notifier) *Interrupts {
	return &Interrupts{c: s.core, sink: sink, in: make(chan observed, 256), offline: map[uint64]bool{}}
}

// Observe hands the rule one domain event; it never blocks (a full queue
// drops the event: queue changes coalesce, and the rest are rare). elsewhere
// says the event came from outside this app's own window (the command
// line, a browser, another instance); only then does the kill switch
// interrupt.
func (r *Interrupts) Observe(name string, payload any, elsewhere bool) {
	switch name {
	case EventQueueChanged, EventExecutionQueued, EventExecutionFinished, EventKillSwitch:
	default:
		return
	}
	select {
	case r.in <- observed{name, payload, elsewhere}:
	default:
	}
}

// Run learns what waits in the outbox, looks at the top of the queue once,
// then handles observed events until ctx ends. Failures to read the store
// are retried with the next event; it returns ctx's error.
func (r *Interrupts) Run(ctx context.Context) error {
	if err := r.Begin(ctx); err != nil {
		r.failed(err)
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case ev := <-r.in:
			// Many queue changes come at once (a sync): look at the top once.
			queue := ev.name == EventQueueChanged
			if !queue {
				r.handle(ctx, ev)
			}
		drain:
			for {
				select {
				case more := <-r.in:
					if more.name == EventQueueChanged {
						queue = true
					} else {
						r.handle(ctx, more)
					}
				default:
					break drain
				}
			}
			if queue {
				r.handle(ctx, observed{name: EventQueueChanged})
			}
		}
	}
}

// Begin seeds what the rule remembers only in memory (which executions wait
// offline, whether the kill switch is on) and looks at the top of the
// queue: a hot move that came while the app was closed notifies now, once.
func (r *Interrupts) Begin(ctx context.Context) error {
	var (
		queued []*Execution
		g      *Guardrails
	)
	err := r.c.store.View(ctx, func(tx Tx) error {
		var err error
		if g, err = tx.Guardrails(); err != nil {
			return err
		}
		queued, err = tx.ExecutionsInState(ExecQueued)
		return err
	})
	if err != nil {
		return WrapError("interrupts", err)
	}
	r.mu.Lock()
	r.killOn = g.KillSwitch
	for _, e := range queued {
		if offlineReason(e.Queued) {
			r.offline[e.ID] = true
		}
	}
	r.mu.Unlock()
	return r.Handle(ctx, EventQueueChanged, nil, false)
}

func (r *Interrupts) handle(ctx context.Context, ev observed) {
	if err := r.Handle(ctx, ev.name, ev.payload, ev.elsewhere); err != nil && ctx.Err() == nil {
		r.failed(err)
	}
}

func (r *Interrupts) failed(err error) {
	if r.Failed != nil {
		r.Failed(err)
	}
}

// Handle applies the rule to one event at once and shows what it decides;
// Run calls it, tests call it directly.
func (r *Interrupts) Handle(ctx context.Context, name string, payload any, elsewhere bool) error {
	var (
		out []Notification
		err error
	)
	switch name {
	case EventQueueChanged:
		out, err = r.hotMoves(ctx)
	case EventExecutionQueued:
		if q, ok := payload.(ExecutionQueued); ok && offlineReason(q.Reason) {
			r.mu.Lock()
			r.offline[q.ExecutionID] = true
			r.mu.Unlock()
		}
	case EventExecutionFinished:
		f, ok := payload.(ExecutionFinished)
		if !ok {
			return nil
		}
		if n, ok := r.drained(f); ok {
			out, err = r.allowed(ctx, []Notification{n})
		}
		if f.State == string(ExecFailed) && err == nil {
			var more []Notification
			more, err = r.failedMove(ctx, f)
			out = append(out, more...)
		}
	case EventKillSwitch:
		ks, ok := payload.(KillSwitch)
		if !ok {
			return nil
		}
		r.mu.Lock()
		news := ks.On && !r.killOn // "on" when it already was is no news
		r.killOn = ks.On
		r.mu.Unlock()
		if news && elsewhere {
			out, err = r.allowed(ctx, []Notification{killSwitchNote(ks)})
		}
	}
	if err != nil {
		return err
	}
	for _, n := range out {
		if err := r.sink.Notify(ctx, n); err != nil {
			return WrapError("notify", err)
		}
	}
	return nil
}

// allowed keeps the notifications the settings let through now.
func (r *Interrupts) allowed(ctx context.Context, ns []Notification) ([]Notification, error) {
	st, err := r.settings(ctx)
	if err != nil {
		return nil, err
	}
	now := r.c.clock.Now()
	var out []Notification
	for _, n := range ns {
		if st.Notifications.Allows(n.Kind, now, r.c.zone) {
			out = append(out, n)
		}
	}
	return out, nil
}

func (r *Interrupts) settings(ctx context.Context) (*Settings, error) {
	var st *Settings
	err := r.c.store.View(ctx, func(tx Tx) error {
		var err error
		st, err = tx.Settings()
		return err
	})
	return st, WrapError("interrupts", err)
}

// hotMoves finds the moves in the top HotTop with urgency ≥ HotUrgency that
// have never notified, records them and returns those the settings let
// through. Most queue changes find none and write nothing.
func (r *Interrupts) hotMoves(ctx context.Context) ([]Notification, error) {
	hot := func(tx Tx) ([]*Move, error) {
		pending := StatusPending
		top, _, err := tx.FindMoves(MoveFilter{Status: &pending, ByScore: true, Limit: HotTop})
		if err != nil {
			return nil, err
		}
		var out []*Move
		for _, m := range top {
			if m.Score.Urgency.Value < HotUrgency {
				continue
			}
			at, err := tx.Notified(m.ID, NotifyHotMove)
			if err != nil {
				return nil, err
			}
			if at.IsZero() {
				out = append(out, m)
			}
		}
		return out, nil
	}
	var found []*Move
	err := r.c.store.View(ctx, func(tx Tx) error {
		var err error
		found, err = hot(tx)
		return err
	})
	if err != nil || len(found) == 0 {
		return nil, WrapError("interrupts", err)
	}
	now := r.c.clock.Now()
	var out []Notification
	err = r.c.store.Update(ctx, func(tx Tx) error {
		out = nil
		moves, err := hot(tx) // again, in the writing transaction: another pass may have taken them
		if err != nil {
			return err
		}
		st, err := tx.Settings()
		if err != nil {
			return err
		}
		allow := st.Notifications.Allows(NotifyHotMove, now, r.c.zone)
		for _, m := range moves {
			if err := tx.PutNotified(m.ID, NotifyHotMove, now); err != nil {
				return err
			}
			if allow {
				out = append(out, Notification{Kind: NotifyHotMove, MoveID: m.ID, Title: m.Title, Body: r.why(m, now)})
			}
		}
		return nil
	})
	return out, WrapError("interrupts", err)
}

// why is the move's reason in one line: what the signal said and the APS
// reasons that put it on top.
func (r *Interrupts) why(m *Move, now time.Time) string {
	rs := RenderReasons(m.Reasons, now, r.c.zone)
	if len(rs) > 3 {
		rs = rs[:3]
	}
	return fmt.Sprintf("APS %.0f · %s", m.Score.APS, strings.Join(rs, " · "))
}

// failedMove records and returns the notification of a failed execution,
// once per move.
func (r *Interrupts) failedMove(ctx context.Context, f ExecutionFinished) ([]Notification, error) {
	now := r.c.clock.Now()
	var out []Notification
	err := r.c.store.Update(ctx, func(tx Tx) error {
		out = nil
		at, err := tx.Notified(f.MoveID, NotifyExecutionFailed)
		if err != nil || !at.IsZero() {
			return err
		}
		m, err := tx.FindMove(f.MoveID)
		if err != nil {
			return err
		}
		if err := tx.PutNotified(f.MoveID, NotifyExecutionFailed, now); err != nil {
			return err
		}
		st, err := tx.Settings()
		if err != nil {
			return err
		}
		if st.Notifications.Allows(NotifyExecutionFailed, now, r.c.zone) {
			why := strings.TrimSpace(f.Error)
			if why == "" {
				why = strings.TrimSpace(m.LastError)
			}
			if why == "" {
				why = "It failed; open it to see why and try again."
			}
			out = append(out, Notification{Kind: NotifyExecutionFailed, MoveID: m.ID, Title: "Failed: " + m.Title, Body: why})
		}
		return nil
	})
	return out, WrapError("interrupts", err)
}

// drained follows the executions held offline: when the last of them has
// finished and some went out, the outbox has drained.
func (r *Interrupts) drained(f ExecutionFinished) (Notification, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.offline[f.ExecutionID] {
		return Notification{}, false
	}
	delete(r.offline, f.ExecutionID)
	if f.State == string(ExecCommitted) {
		r.sent++
	}
	if len(r.offline) > 0 || r.sent == 0 {
		return Notification{}, false
	}
	n := r.sent
	r.sent = 0
	return Notification{Kind: NotifyOutboxDrained, Title: "Back online: the outbox has gone out",
		Body: countOf(n, "execution") + " that waited offline went out."}, true
}

func killSwitchNote(ks KillSwitch) Notification {
	by := ks.By
	switch Actor(ks.By) {
	case ActorCLI:
		by = "the command line"
	case ActorClick, ActorKey, ActorVoice:
		by = "another window"
	}
	body := "Turned on from " + by
	if ks.Reason != "" {
		body += ": " + ks.Reason
	}
	body += ". Nothing leaves until it is off"
	if n := len(ks.Cancelled); n > 0 {
		body += "; " + countOf(n, "waiting execution") + " taken back"
	}
	return Notification{Kind: NotifyKillSwitch, Title: "Kill switch on", Body: body + "."}
}

func offlineReason(why string) bool { return strings.HasPrefix(why, "offline") }

// countOf is "1 execution", "3 executions".
func countOf(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
