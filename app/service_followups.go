package app

import (
	"time"

	"github.com/caseyos/caseyos/backend"
)

// SequenceDTO is the follow-up sequence a move belongs to: where it is
// and, in Summary, the same in words ("step 2 of 3, started from
// “Pricing” on Tue 24 Nov; next at …" or "…; stopped because they
// replied").
type SequenceDTO struct {
	ID          uint64     `json:"id"`
	State       string     `json:"state"` // active, paused, stopped, finished
	Step        int        `json:"step"`  // mails so far, the first included
	Steps       int        `json:"steps"` // mails in all
	Subject     string     `json:"subject"`
	To          string     `json:"to"`
	ThreadID    string     `json:"thread_id"`
	StartedAt   time.Time  `json:"started_at"`
	NextAt      *time.Time `json:"next_at,omitempty"`
	PausedUntil *time.Time `json:"paused_until,omitempty"`
	StopReason  string     `json:"stop_reason,omitempty"`
	MoveIDs     []uint64   `json:"move_ids"` // one per step, the first mail's first
	Summary     string     `json:"summary"`
}

func toSequenceDTO(q *backend.Sequence) SequenceDTO {
	d := SequenceDTO{ID: q.ID, State: string(q.State), Step: len(q.Steps), Steps: q.MaxSteps, Subject: q.Subject, To: q.To,
		ThreadID: q.ThreadID, StartedAt: q.Steps[0].SentAt.UTC(), StopReason: q.StopReason, Summary: q.Describe(nil), MoveIDs: []uint64{}}
	if d.StartedAt.IsZero() {
		d.StartedAt = q.CreatedAt.UTC()
	}
	if !q.NextAt.IsZero() {
		t := q.NextAt.UTC()
		d.NextAt = &t
	}
	if !q.PausedUntil.IsZero() && q.State == backend.SequencePaused {
		t := q.PausedUntil.UTC()
		d.PausedUntil = &t
	}
	for _, s := range q.Steps {
		d.MoveIDs = append(d.MoveIDs, s.MoveID)
	}
	return d
}

// FollowUps returns the follow-up sequence a move belongs to (its first
// mail or one of its follow-ups); not_found when it is in none.
func (svc *TodayService) FollowUps(moveID uint64) (SequenceDTO, error) {
	q, err := svc.a.queue.FollowUps.ForMove(svc.a.ctx, moveID)
	if err != nil {
		return SequenceDTO{}, err
	}
	return toSequenceDTO(q), nil
}

// StopFollowUps stops the follow-up sequence a move belongs to: nothing
// more is proposed and its open follow-up ends; the audit log records
// who stopped it. via says who: key, click, voice or cli.
func (svc *TodayService) StopFollowUps(moveID uint64, via string) (SequenceDTO, error) {
	who, err := actor(via)
	if err != nil {
		return SequenceDTO{}, err
	}
	q, err := svc.a.queue.FollowUps.Stop(svc.a.ctx, moveID, who)
	if err != nil {
		return SequenceDTO{}, err
	}
	return toSequenceDTO(q), nil
}
