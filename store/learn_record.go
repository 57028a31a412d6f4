package store

// The disk format of learn_cells/<key>, meta/learn_state and the learned
// line of a move's score. record.go says what every record follows.

import (
	"time"

	"github.com/caseyos/caseyos/backend"
)

// learnCellRecord is a learning cell's evidence: decayed sums as of At and
// plain counts.
type learnCellRecord struct {
	Successes float64   `json:"successes"`
	Failures  float64   `json:"failures"`
	At        time.Time `json:"at"`
	Wins      int       `json:"wins"`
	Count     int       `json:"count"`
}

func toLearnCellRecord(c *backend.LearnCell) learnCellRecord {
	return learnCellRecord{Successes: c.Successes, Failures: c.Failures, At: utc(c.At), Wins: c.Wins, Count: c.Count}
}

func fromLearnCellRecord(key string, r *learnCellRecord) *backend.LearnCell {
	return &backend.LearnCell{Key: key, Successes: r.Successes, Failures: r.Failures, At: r.At, Wins: r.Wins, Count: r.Count}
}

type learnStateRecord struct {
	Epoch   time.Time `json:"epoch"`
	Indexed bool      `json:"indexed,omitempty"`
}

// learnedRecord is a score's learned line; absent in scores from before
// learning, where it reads as zero (no cell, no points).
type learnedRecord struct {
	Cell   string  `json:"cell"`
	Points float64 `json:"points,omitempty"`
	Rate   float64 `json:"rate,omitempty"`
	Prior  float64 `json:"prior,omitempty"`
	Wins   int     `json:"wins,omitempty"`
	Count  int     `json:"count,omitempty"`
	Reason string  `json:"reason,omitempty"`
}

func toLearnedRecord(l backend.Learned) *learnedRecord {
	if l == (backend.Learned{}) {
		return nil
	}
	return &learnedRecord{Cell: l.Cell, Points: l.Points, Rate: l.Rate, Prior: l.Prior, Wins: l.Wins, Count: l.Count, Reason: l.Reason}
}

func fromLearnedRecord(r *learnedRecord) backend.Learned {
	if r == nil {
		return backend.Learned{}
	}
	return backend.Learned{Cell: r.Cell, Points: r.Points, Rate: r.Rate, Prior: r.Prior, Wins: r.Wins, Count: r.Count, Reason: r.Reason}
}

// learningRecord is Settings.Learning; absent in files from before
// learning, where it reads as backend.DefaultLearning.
type learningRecord struct {
	On            bool    `json:"on"`
	MaxPoints     float64 `json:"max_points"`
	HalfLife      int64   `json:"half_life_ns"`
	PriorStrength float64 `json:"prior_strength"`
}

func toLearningRecord(l backend.Learning) *learningRecord {
	return &learningRecord{On: l.On, MaxPoints: l.MaxPoints, HalfLife: int64(l.HalfLife), PriorStrength: l.PriorStrength}
}

func fromLearningRecord(r *learningRecord) backend.Learning {
	if r == nil {
		return backend.DefaultLearning()
	}
	return backend.Learning{On: r.On, MaxPoints: r.MaxPoints, HalfLife: time.Duration(r.HalfLife), PriorStrength: r.PriorStrength}
}
