package app

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/notify"
)

// Desktop notifications: the desktop window runs backend.Interrupts (the
// rule of what interrupts) over the App's events and shows what it decides
// through connectors/notify (freedesktop notifications over D-Bus; macOS's
// notification center). `caseyos serve` does not: its UI is a browser tab,
// possibly on another machine, and the window is the app that lives in the
// corner of the screen.

// killSwitchMethod is the bound method that turns the kill switch; a call
// to it over the loopback API (the CLI, a browser) came from elsewhere.
const killSwitchMethod = "ExecutionService.KillSwitch"

// notifyState is what the App keeps for notifications.
type notifyState struct {
	overAPI atomic.Int32 // kill-switch calls in progress over the loopback API

	mu     sync.Mutex
	client backend.Notifier // nil while no notifier runs
	warned map[string]bool  // failures already reported on stderr
}

// calledOverAPI marks a bound call that arrived over the loopback API
// (http.go) for as long as it runs; call the returned function after.
func (a *App) calledOverAPI(method string) (done func()) {
	if method != killSwitchMethod {
		return func() {}
	}
	a.notify.overAPI.Add(1)
	return func() { a.notify.overAPI.Add(-1) }
}

// notifyOptions are the connector's options for this App: "Open" opens
// the window on the move, "Snooze 1h" snoozes it as the list's snooze does.
func (a *App) notifyOptions(stderr io.Writer, open func(moveID uint64)) notify.Options {
	return notify.Options{
		AppName: "CaseyOS",
		Icon:    "caseyos",
		Open:    open,
		Snooze: func(id uint64) {
			if _, err := a.bound.Today.Snooze(id, "1h", string(backend.ActorClick)); err != nil {
				fmt.Fprintf(stderr, "caseyos: snoozing move %d from its notification: %s\n", id, backend.ErrorMessage(err))
			}
		},
	}
}

// startDesktopNotifications connects to the desktop's notification service
// and runs the rule until the App shuts down. Without one it says so in
// one line and the app runs on without notifications.
func (a *App) startDesktopNotifications(stderr io.Writer, open func(moveID uint64)) (stop func()) {
	c, err := notify.Dial(a.notifyOptions(stderr, open))
	if err != nil {
		fmt.Fprintf(stderr, "caseyos: no desktop notifications: %s\n", backend.ErrorMessage(err))
		return func() {}
	}
	return a.runNotifications(c, c.Close, stderr)
}

// runNotifications runs the rule over the App's events, showing through
// n, until stop (or the App's shutdown); closeN is called after.
func (a *App) runNotifications(n backend.Notifier, closeN func() error, stderr io.Writer) (stop func()) {
	rule := backend.NewInterrupts(a.queue, n)
	rule.Failed = func(err error) { a.notifyFailed(stderr, err) }
	ctx, cancel := context.WithCancel(a.ctx)
	unsubscribe := a.events.Subscribe(func(name string, payload any) {
		elsewhere := false
		if ks, ok := payload.(backend.KillSwitch); ok && name == backend.EventKillSwitch {
			// The command line, or a browser on this App's loopback API:
			// not the person at this window or its tray.
			elsewhere = ks.By == string(backend.ActorCLI) || a.notify.overAPI.Load() > 0
		}
		rule.Observe(name, payload, elsewhere)
	})
	a.notify.mu.Lock()
	a.notify.client = n
	a.notify.mu.Unlock()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = rule.Run(ctx)
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			unsubscribe()
			cancel()
			<-done
			a.notify.mu.Lock()
			a.notify.client = nil
			a.notify.mu.Unlock()
			if closeN != nil {
				_ = closeN()
			}
		})
	}
}

// notifyFailed reports a notification that could not be shown, once per
// distinct reason: a missing server is one line, not one per move.
func (a *App) notifyFailed(stderr io.Writer, err error) {
	msg := backend.ErrorMessage(err)
	a.notify.mu.Lock()
	if a.notify.warned == nil {
		a.notify.warned = map[string]bool{}
	}
	seen := a.notify.warned[msg]
	a.notify.warned[msg] = true
	a.notify.mu.Unlock()
	if !seen {
		fmt.Fprintf(stderr, "caseyos: notifications: %s\n", msg)
	}
}
