package app

import (
	"github.com/caseyos/caseyos/backend"
)

// cancelNewestWaiting takes back the newest execution still in its undo
// window, from any surface, and returns its move; ok is false when none
// waits. It is what "undo" means right after "confirm" (voice) — the same
// as z in the window.
func (a *App) cancelNewestWaiting(via string) (MoveDTO, bool, error) {
	var newest *backend.Execution
	err := a.store.View(a.ctx, func(tx backend.Tx) error {
		list, err := tx.ExecutionsInState(backend.ExecWaitingUndo)
		if err != nil {
			return err
		}
		for _, e := range list {
			if newest == nil || e.CreatedAt.After(newest.CreatedAt) {
				newest = e
			}
		}
		return nil
	})
	if err != nil || newest == nil {
		return MoveDTO{}, false, err
	}
	if _, err := a.bound.Execution.CancelExecution(newest.MoveID, via); err != nil {
		return MoveDTO{}, true, err
	}
	m, err := a.bound.Today.Move(newest.MoveID)
	return m, true, err
}
