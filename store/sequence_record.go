package store

// The disk format of sequences/<id>. record.go says what every record
// follows.

import (
	"time"

	"github.com/caseyos/caseyos/backend"
)

type sequenceRecord struct {
	ThreadID    string               `json:"thread_id"`
	To          string               `json:"to"`
	ContactID   string               `json:"contact_id,omitempty"`
	CompanyID   string               `json:"company_id,omitempty"`
	DealID      string               `json:"deal_id,omitempty"`
	Domain      string               `json:"domain,omitempty"`
	Subject     string               `json:"subject"`
	Steps       []sequenceStepRecord `json:"steps"`
	MaxSteps    int                  `json:"max_steps"`
	GapDays     int                  `json:"gap_days"`
	State       string               `json:"state"`
	NextAt      *time.Time           `json:"next_at,omitempty"`
	PausedUntil *time.Time           `json:"paused_until,omitempty"`
	StopReason  string               `json:"stop_reason,omitempty"`
	StoppedAt   *time.Time           `json:"stopped_at,omitempty"`
	CreatedAt   time.Time            `json:"created_at"`
	UpdatedAt   time.Time            `json:"updated_at"`
}

type sequenceStepRecord struct {
	N         int        `json:"n"`
	MoveID    uint64     `json:"move_id"`
	SentAt    *time.Time `json:"sent_at,omitempty"`
	MessageID string     `json:"message_id,omitempty"`
}

func toSequenceRecord(q *backend.Sequence) sequenceRecord {
	steps := make([]sequenceStepRecord, len(q.Steps))
	for i, s := range q.Steps {
		steps[i] = sequenceStepRecord{N: s.N, MoveID: s.MoveID, SentAt: optTime(s.SentAt), MessageID: s.MessageID}
	}
	return sequenceRecord{
		ThreadID: q.ThreadID, To: q.To, ContactID: q.ContactID, CompanyID: q.CompanyID, DealID: q.DealID,
		Domain: string(q.Domain), Subject: q.Subject, Steps: steps, MaxSteps: q.MaxSteps, GapDays: q.GapDays,
		State: string(q.State), NextAt: optTime(q.NextAt), PausedUntil: optTime(q.PausedUntil), StopReason: q.StopReason,
		StoppedAt: optTime(q.StoppedAt), CreatedAt: utc(q.CreatedAt), UpdatedAt: utc(q.UpdatedAt),
	}
}

func fromSequenceRecord(id uint64, r *sequenceRecord) *backend.Sequence {
	steps := make([]backend.SequenceStep, len(r.Steps))
	for i, s := range r.Steps {
		steps[i] = backend.SequenceStep{N: s.N, MoveID: s.MoveID, SentAt: fromOptTime(s.SentAt), MessageID: s.MessageID}
	}
	return &backend.Sequence{
		ID: id, ThreadID: r.ThreadID, To: r.To, ContactID: r.ContactID, CompanyID: r.CompanyID, DealID: r.DealID,
		Domain: backend.Domain(r.Domain), Subject: r.Subject, Steps: steps, MaxSteps: r.MaxSteps, GapDays: r.GapDays,
		State: backend.SequenceState(r.State), NextAt: fromOptTime(r.NextAt), PausedUntil: fromOptTime(r.PausedUntil), StopReason: r.StopReason,
		StoppedAt: fromOptTime(r.StoppedAt), CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}
