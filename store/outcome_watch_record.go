package store

// The disk format of outcome_watches/<execution id>. record.go says what
// every record follows.

import (
	"time"

	"github.com/caseyos/caseyos/backend"
)

type watchRecord struct {
	MoveID      uint64    `json:"move_id"`
	Kind        string    `json:"kind"`
	Action      string    `json:"action,omitempty"`
	Links       []string  `json:"links,omitempty"`
	Contact     string    `json:"contact,omitempty"`
	CommittedAt time.Time `json:"committed_at"`
	RespondBy   time.Time `json:"respond_by,omitzero"`
	Stage       string    `json:"stage,omitempty"`
	MeetingEnd  time.Time `json:"meeting_end,omitzero"`
}

func toWatchRecord(w *backend.OutcomeWatch) watchRecord {
	return watchRecord{
		MoveID: w.MoveID, Kind: string(w.Kind), Action: w.Action, Links: cloneStrings(w.Links), Contact: w.Contact,
		CommittedAt: utc(w.CommittedAt), RespondBy: utc(w.RespondBy), Stage: w.Stage, MeetingEnd: utc(w.MeetingEnd),
	}
}

func fromWatchRecord(id uint64, r *watchRecord) *backend.OutcomeWatch {
	return &backend.OutcomeWatch{
		ExecutionID: id, MoveID: r.MoveID, Kind: backend.MoveKind(r.Kind), Action: r.Action, Links: r.Links, Contact: r.Contact,
		CommittedAt: r.CommittedAt, RespondBy: r.RespondBy, Stage: r.Stage, MeetingEnd: r.MeetingEnd,
	}
}
