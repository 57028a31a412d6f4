package store

// The disk format of outcomes/<id>. record.go says what every record
// follows.

import (
	"time"

	"github.com/caseyos/caseyos/backend"
)

type outcomeRecord struct {
	MoveID      uint64    `json:"move_id"`
	ExecutionID uint64    `json:"execution_id,omitempty"`
	Type        string    `json:"type"`
	SignalID    uint64    `json:"signal_id,omitempty"`
	Note        string    `json:"note,omitempty"`
	Actor       string    `json:"actor,omitempty"`
	OccurredAt  time.Time `json:"occurred_at"`
	RecordedAt  time.Time `json:"recorded_at"`
	Corrects    uint64    `json:"corrects,omitempty"`
}

func toOutcomeRecord(o *backend.Outcome) outcomeRecord {
	return outcomeRecord{
		MoveID: o.MoveID, ExecutionID: o.ExecutionID, Type: string(o.Type), SignalID: o.SignalID,
		Note: o.Note, Actor: string(o.Actor), OccurredAt: utc(o.OccurredAt), RecordedAt: utc(o.RecordedAt), Corrects: o.Corrects,
	}
}

func fromOutcomeRecord(id uint64, r *outcomeRecord) *backend.Outcome {
	return &backend.Outcome{
		ID: id, MoveID: r.MoveID, ExecutionID: r.ExecutionID, Type: backend.OutcomeType(r.Type),
		SignalID: r.SignalID, Note: r.Note, Actor: backend.Actor(r.Actor),
		OccurredAt: r.OccurredAt, RecordedAt: r.RecordedAt, Corrects: r.Corrects,
	}
}
