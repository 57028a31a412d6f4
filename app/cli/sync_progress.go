package cli

import (
	"fmt"
	"io"
	"sync"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/backend"
)

// syncProgress writes "hubspot: 34,200 items…" over itself on a terminal
// while a pass runs (a long first sync), from the pass's sync:status
// events (throttled to ten a second by the syncer); nothing when standard
// error is not a terminal or --json is given.
type syncProgress struct {
	w  io.Writer
	on bool

	mu    sync.Mutex
	shown bool
}

func (c *command) syncProgress() *syncProgress {
	return &syncProgress{w: c.env.Stderr, on: !c.json && isTerminal(c.env.Stderr)}
}

// event takes in one event of the app's bus.
func (p *syncProgress) event(name string, payload any) {
	st, ok := payload.(app.SyncStatusDTO)
	if !p.on || !ok || name != backend.EventSyncStatus || st.State != string(backend.SyncRunning) || st.Progress <= 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "\r\033[K%s: %s items…", st.Account, thousands(st.Progress))
	p.shown = true
}

// clear takes the line away before anything else is printed.
func (p *syncProgress) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
	}
}
