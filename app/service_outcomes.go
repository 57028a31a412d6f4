package app

import (
	"time"

	"github.com/caseyos/caseyos/backend"
)

// OutcomesService is bound for what happened after moves were carried
// out: the outcomes detected from later signals, and recording or
// correcting one by hand. It is bound as OutcomesService.<Method> in the
// window and served as POST /api/OutcomesService.<Method> (docs/api.md).
type OutcomesService struct{ a *App }

// MaxRecentOutcomes bounds how many outcomes RecentOutcomes returns.
const MaxRecentOutcomes = 500

// OutcomeDTO is one outcome of a move.
type OutcomeDTO struct {
	ID          uint64    `json:"id"`
	MoveID      uint64    `json:"move_id"`
	MoveTitle   string    `json:"move_title,omitempty"`
	ExecutionID uint64    `json:"execution_id,omitempty"`
	Type        string    `json:"type"`
	Label       string    `json:"label"`
	SignalID    uint64    `json:"signal_id,omitempty"` // 0: recorded by hand, or by the execution itself
	Note        string    `json:"note,omitempty"`      // what happened, for a detected one: which signal, when
	Actor       string    `json:"actor,omitempty"`
	OccurredAt  time.Time `json:"occurred_at"`
	RecordedAt  time.Time `json:"recorded_at"`
	Corrects    uint64    `json:"corrects,omitempty"`     // the outcome this one replaces
	CorrectedBy uint64    `json:"corrected_by,omitempty"` // the outcome that replaces this one
}

// OutcomeTypeDTO is an outcome type and its label, for the picker.
type OutcomeTypeDTO struct {
	Type  string `json:"type"`
	Label string `json:"label"`
}

func outcomeDTOs(os []*backend.Outcome, moves map[uint64]*backend.Move) []OutcomeDTO {
	by := backend.CorrectedBy(os)
	out := make([]OutcomeDTO, 0, len(os))
	for _, o := range os {
		d := OutcomeDTO{ID: o.ID, MoveID: o.MoveID, ExecutionID: o.ExecutionID, Type: string(o.Type), Label: backend.OutcomeLabel(o.Type),
			SignalID: o.SignalID, Note: o.Note, Actor: string(o.Actor), OccurredAt: o.OccurredAt.UTC(), RecordedAt: o.RecordedAt.UTC(),
			Corrects: o.Corrects, CorrectedBy: by[o.ID]}
		if m := moves[o.MoveID]; m != nil {
			d.MoveTitle = m.Title
		}
		out = append(out, d)
	}
	return out
}

// Outcomes lists a move's outcomes, oldest first.
func (svc *OutcomesService) Outcomes(moveID uint64) ([]OutcomeDTO, error) {
	os, err := svc.a.queue.Outcomes.List(svc.a.ctx, moveID)
	if err != nil {
		return nil, err
	}
	return outcomeDTOs(os, nil), nil
}

// RecentOutcomes lists the outcomes of every move, the last recorded first, at
// most limit (0 or more than MaxRecentOutcomes: MaxRecentOutcomes).
func (svc *OutcomesService) RecentOutcomes(limit int) ([]OutcomeDTO, error) {
	if limit <= 0 || limit > MaxRecentOutcomes {
		limit = MaxRecentOutcomes
	}
	os, moves, err := svc.a.queue.Outcomes.Recent(svc.a.ctx, limit)
	if err != nil {
		return nil, err
	}
	return outcomeDTOs(os, moves), nil
}

// RecordOutcome records an outcome of a carried-out move by hand; corrects, when
// not 0, names the outcome of the same move it replaces. via says who:
// key, click, voice or cli.
func (svc *OutcomesService) RecordOutcome(moveID uint64, outcomeType, note string, corrects uint64, via string) (OutcomeDTO, error) {
	who, err := actor(via)
	if err != nil {
		return OutcomeDTO{}, err
	}
	o, err := svc.a.queue.Outcomes.Record(svc.a.ctx, backend.OutcomeInput{MoveID: moveID, Type: backend.OutcomeType(outcomeType),
		Note: note, Actor: who, Corrects: corrects})
	if err != nil {
		return OutcomeDTO{}, err
	}
	return outcomeDTOs([]*backend.Outcome{o}, nil)[0], nil
}

// OutcomeTypes lists the outcome types with their labels, in a fixed order.
func (svc *OutcomesService) OutcomeTypes() ([]OutcomeTypeDTO, error) {
	out := make([]OutcomeTypeDTO, 0, len(backend.OutcomeTypes))
	for _, t := range backend.OutcomeTypes {
		out = append(out, OutcomeTypeDTO{Type: string(t), Label: backend.OutcomeLabel(t)})
	}
	return out, nil
}
