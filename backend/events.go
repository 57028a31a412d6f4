package backend

// Event names are `area:event`; the UI subscribes to them by name.
const (
	EventQueueChanged      = "queue:changed"
	EventSyncStatus        = "sync:status"
	EventSyncWaiting       = "sync:waiting"
	EventSyncSkipped       = "sync:skipped"
	EventExecutionUndo     = "execution:undo_window"
	EventExecutionFinished = "execution:finished"
	EventExecutionQueued   = "execution:queued"
	EventKillSwitch        = "execution:kill_switch"
	EventSignalsIngested   = "signals:ingested"
	EventOutcomeRecorded   = "outcome:recorded" // *Outcome, recorded by hand
)

// Events carries domain notifications out to the UI. Publish must not block
// for long: implementations drop or coalesce rather than stall the domain.
type Events interface {
	Publish(name string, payload any)
}

// NopEvents discards every event; it serves the CLI, which has no listener.
type NopEvents struct{}

// Publish does nothing.
func (NopEvents) Publish(string, any) {}

// QueueChanged is the payload of EventQueueChanged.
type QueueChanged struct {
	Reason  string   `json:"reason"`
	MoveIDs []uint64 `json:"move_ids,omitempty"`
}
