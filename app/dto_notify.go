package app

import (
	"time"

	"github.com/caseyos/caseyos/backend"
)

// NotificationsDTO is Settings.Notifications as the settings screen edits
// it: a switch per kind (all on by default) and quiet hours in minutes
// from midnight in the owner's zone (start after end crosses midnight).
type NotificationsDTO struct {
	HotMove         bool `json:"hot_move"`
	ExecutionFailed bool `json:"execution_failed"`
	OutboxDrained   bool `json:"outbox_drained"`
	KillSwitch      bool `json:"kill_switch"`
	QuietOn         bool `json:"quiet_on"`
	QuietStart      int  `json:"quiet_start_minutes"`
	QuietEnd        int  `json:"quiet_end_minutes"`
}

// Quiet hours shown before any are set: 22:00–07:00.
const (
	defaultQuietStart = 22 * 60
	defaultQuietEnd   = 7 * 60
)

func toNotificationsDTO(n backend.Notifications) *NotificationsDTO {
	out := &NotificationsDTO{
		HotMove: n.KindOn(backend.NotifyHotMove), ExecutionFailed: n.KindOn(backend.NotifyExecutionFailed),
		OutboxDrained: n.KindOn(backend.NotifyOutboxDrained), KillSwitch: n.KindOn(backend.NotifyKillSwitch),
		QuietOn: n.Quiet.On, QuietStart: int(n.Quiet.Start / time.Minute), QuietEnd: int(n.Quiet.End / time.Minute),
	}
	if n.Quiet == (backend.QuietHours{}) {
		out.QuietStart, out.QuietEnd = defaultQuietStart, defaultQuietEnd
	}
	return out
}

// applyNotificationsDTO overlays in on s; nil keeps the stored settings.
func applyNotificationsDTO(s *backend.Settings, in *NotificationsDTO) {
	if in == nil {
		return
	}
	var n backend.Notifications
	on := map[backend.NotifyKind]bool{
		backend.NotifyHotMove: in.HotMove, backend.NotifyExecutionFailed: in.ExecutionFailed,
		backend.NotifyOutboxDrained: in.OutboxDrained, backend.NotifyKillSwitch: in.KillSwitch,
	}
	for _, k := range backend.NotifyKinds { // in Settings' order: the stored file is stable
		if !on[k] {
			n.Off = append(n.Off, k)
		}
	}
	n.Quiet = backend.QuietHours{On: in.QuietOn, Start: time.Duration(in.QuietStart) * time.Minute, End: time.Duration(in.QuietEnd) * time.Minute}
	if !in.QuietOn && in.QuietStart == defaultQuietStart && in.QuietEnd == defaultQuietEnd {
		n.Quiet = backend.QuietHours{} // the defaults as shown: nothing to store
	}
	s.Notifications = n
}
