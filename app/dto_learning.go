package app

import (
	"time"

	"github.com/caseyos/caseyos/backend"
)

// LearnedDTO is the fifth line of a score: what outcomes in the move's
// cell (kind × domain × ICP tier × size band × channel) add or take.
type LearnedDTO struct {
	Points float64 `json:"points"` // APS points added (negative: taken)
	Rate   float64 `json:"rate"`   // the cell's plain success rate, 0..1
	Prior  float64 `json:"prior"`  // the kind's prior success rate, 0..1
	Wins   int     `json:"wins"`
	Count  int     `json:"count"`
	Reason string  `json:"reason"` // "learned: emails (sales) to … → +2.9", "learned: off"
}

// toLearnedDTO renders the learned line; nil for kinds that learn nothing.
func toLearnedDTO(l backend.Learned) *LearnedDTO {
	if l.Reason == "" {
		return nil
	}
	return &LearnedDTO{Points: round1(l.Points), Rate: round3(l.Rate), Prior: round3(l.Prior), Wins: l.Wins, Count: l.Count, Reason: l.Reason}
}

// LearningDTO is Settings.Learning as the settings screen edits it.
type LearningDTO struct {
	On            bool    `json:"on"`
	MaxPoints     float64 `json:"max_points"`
	HalfLifeDays  float64 `json:"half_life_days"`
	PriorStrength float64 `json:"prior_strength"`
}

func toLearningDTO(l backend.Learning) *LearningDTO {
	return &LearningDTO{On: l.On, MaxPoints: l.MaxPoints, HalfLifeDays: l.HalfLife.Hours() / 24, PriorStrength: l.PriorStrength}
}

// applyLearningDTO overlays in on s; nil keeps the stored learning settings.
func applyLearningDTO(s *backend.Settings, in *LearningDTO) {
	if in == nil {
		return
	}
	s.Learning = backend.Learning{On: in.On, MaxPoints: in.MaxPoints,
		HalfLife: time.Duration(in.HalfLifeDays * float64(24*time.Hour)), PriorStrength: in.PriorStrength}
}

// ResetLearning forgets the learned statistics from now on (outcomes are
// kept; only those recorded later count), re-scores the open moves and
// writes the reset to the audit log. via is key, click, voice or cli.
func (svc *SettingsService) ResetLearning(via string) (SettingsDTO, error) {
	a := svc.a
	who, err := actor(via)
	if err != nil {
		return SettingsDTO{}, err
	}
	if err := a.queue.Settings.ResetLearning(a.ctx, who); err != nil {
		return SettingsDTO{}, err
	}
	return svc.Settings()
}
