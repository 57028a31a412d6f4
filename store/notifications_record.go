package store

import (
	"time"

	"github.com/caseyos/caseyos/backend"
)

// notificationsRecord is Settings.Notifications: the kinds switched off
// and the quiet hours. Absent (nil) when every kind is on and there are no
// quiet hours; quiet is absent while the quiet hours have never been set.
type notificationsRecord struct {
	Off   []string          `json:"off,omitempty"`
	Quiet *quietHoursRecord `json:"quiet,omitempty"`
}

type quietHoursRecord struct {
	On    bool  `json:"on"`
	Start int64 `json:"start_ns"`
	End   int64 `json:"end_ns"`
}

func toNotificationsRecord(n backend.Notifications) *notificationsRecord {
	if len(n.Off) == 0 && n.Quiet == (backend.QuietHours{}) {
		return nil
	}
	r := &notificationsRecord{}
	for _, k := range n.Off {
		r.Off = append(r.Off, string(k))
	}
	if q := n.Quiet; q != (backend.QuietHours{}) {
		r.Quiet = &quietHoursRecord{On: q.On, Start: int64(q.Start), End: int64(q.End)}
	}
	return r
}

func fromNotificationsRecord(r *notificationsRecord) backend.Notifications {
	var n backend.Notifications
	if r == nil {
		return n
	}
	for _, k := range r.Off {
		n.Off = append(n.Off, backend.NotifyKind(k))
	}
	if q := r.Quiet; q != nil {
		n.Quiet = backend.QuietHours{On: q.On, Start: time.Duration(q.Start), End: time.Duration(q.End)}
	}
	return n
}
