package app

import (
	"time"

	"github.com/caseyos/caseyos/backend"
)

// retentionEvery is how often a running App prunes what is older than the
// retention period; it also prunes once as it starts.
const retentionEvery = 24 * time.Hour

// startRetention prunes now and then daily until the App stops. A failure
// is retried at the next turn: a background loop has no one to return it
// to, and the next prune catches up with what this one missed.
func (a *App) startRetention() {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		_, _ = a.queue.Privacy.ApplyRetention(a.ctx)
		t := time.NewTicker(retentionEvery)
		defer t.Stop()
		for {
			select {
			case <-a.ctx.Done():
				return
			case <-t.C:
				_, _ = a.queue.Privacy.ApplyRetention(a.ctx)
			}
		}
	}()
}

// ApplyRetention prunes what is older than the retention period (what
// `caseyos compact` does before it compacts).
func (h *Host) ApplyRetention() (backend.RetentionReport, error) {
	return h.a.queue.Privacy.ApplyRetention(h.a.ctx)
}
