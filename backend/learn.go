package backend

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Learning: the score learns from what happened after moves were carried
// out. Outcomes are counted per cell — move kind × domain × segment (ICP
// tier, company size band, channel) — as decayed sums of successes and
// failures (LearnCell). A move's learned term compares the cell's success
// rate, shrunk towards a prior by a Beta prior, with that prior, and adds
// or takes at most Learning.MaxPoints APS points. With learning off, or no
// evidence in the move's cell, the APS is exactly the four-component one.

// Learning are the settings of the learned score term.
type Learning struct {
	On bool
	// MaxPoints bounds the learned term: it adds or takes at most this
	// many APS points.
	MaxPoints float64
	// HalfLife is the age at which an outcome counts half as much as one
	// that happened now.
	HalfLife time.Duration
	// PriorStrength is how many outcomes the prior is worth: with 10, ten
	// outcomes move the estimate halfway from the prior to what they say.
	PriorStrength float64
}

// DefaultLearning is on, ±10 points, a 90-day half-life and a prior worth
// ten outcomes.
func DefaultLearning() Learning {
	return Learning{On: true, MaxPoints: 10, HalfLife: 90 * day, PriorStrength: 10}
}

// Validate checks each learning setting is in its range.
func (l Learning) Validate() error {
	if l.MaxPoints < 0 || l.MaxPoints > 30 || math.IsNaN(l.MaxPoints) {
		return Errorf(EINVALID, "learned points must be between 0 and 30 (got %.3g)", l.MaxPoints)
	}
	if l.HalfLife < day || l.HalfLife > 3650*day {
		return Errorf(EINVALID, "learning half-life must be between 1 and 3650 days")
	}
	if l.PriorStrength < 1 || l.PriorStrength > 1000 || math.IsNaN(l.PriorStrength) {
		return Errorf(EINVALID, "learning prior strength must be between 1 and 1000 outcomes (got %.3g)", l.PriorStrength)
	}
	return nil
}

// OutcomeClass is what an outcome says about the move that caused it.
type OutcomeClass int8

// Outcome classes. A weak class counts only when no strong one was seen
// for the move: a bare "replied" is a success until the reply is read as
// negative; "no_response" is a failure until a late reply arrives.
const (
	ClassNone OutcomeClass = iota
	ClassSuccess
	ClassFailure
	ClassWeakSuccess
	ClassWeakFailure
)

// LearnRule says, for one move kind, which outcomes are successes and
// failures, the prior success rate and how the kind and success read.
type LearnRule struct {
	Prior   float64 // prior success rate of the kind
	Noun    string  // "emails"
	Success string  // "a positive reply or a meeting"
	Classes map[OutcomeType]OutcomeClass
}

// LearnRules is the one table of what counts: per move kind, the outcomes
// that are a success or a failure; any other outcome (out_of_office,
// merged, error, undone — the founder taking a move back says nothing
// about how the market answered) is not counted. Kinds missing here
// (merge_contacts, note) learn nothing. docs/learning.md prints it.
var LearnRules = map[MoveKind]LearnRule{
	KindSendEmail: {Prior: 0.30, Noun: "emails", Success: "a positive reply or a meeting", Classes: map[OutcomeType]OutcomeClass{
		OutcomePositiveReply: ClassSuccess, OutcomeMeetingBooked: ClassSuccess, OutcomeDealAdvanced: ClassSuccess, OutcomeDealWon: ClassSuccess,
		OutcomeReplied:       ClassWeakSuccess,
		OutcomeNegativeReply: ClassFailure, OutcomeBounced: ClassFailure, OutcomeUnsubscribed: ClassFailure, OutcomeDealLost: ClassFailure,
		OutcomeNoResponse: ClassWeakFailure,
	}},
	KindScheduleMeeting: {Prior: 0.60, Noun: "meeting invites", Success: "the meeting held", Classes: map[OutcomeType]OutcomeClass{
		OutcomeMeetingHeld: ClassSuccess, OutcomeDealAdvanced: ClassSuccess, OutcomeDealWon: ClassSuccess,
		OutcomeNoShow: ClassFailure, OutcomeNegativeReply: ClassFailure, OutcomeDealLost: ClassFailure,
		OutcomeNoResponse: ClassWeakFailure,
	}},
	KindCreateTask: {Prior: 0.50, Noun: "tasks", Success: "the task done or the deal moved on", Classes: map[OutcomeType]OutcomeClass{
		OutcomeTaskCompleted: ClassSuccess, OutcomeDealAdvanced: ClassSuccess, OutcomeDealWon: ClassSuccess,
		OutcomeDealLost:   ClassFailure,
		OutcomeNoResponse: ClassWeakFailure,
	}},
	KindUpdateDeal: {Prior: 0.50, Noun: "deal updates", Success: "the deal moved on", Classes: map[OutcomeType]OutcomeClass{
		OutcomeDealAdvanced: ClassSuccess, OutcomeDealWon: ClassSuccess,
		OutcomeDealLost: ClassFailure,
	}},
	KindReplySocial: {Prior: 0.30, Noun: "social replies", Success: "engagement", Classes: map[OutcomeType]OutcomeClass{
		OutcomeMentionEngaged: ClassSuccess, OutcomePositiveReply: ClassSuccess, OutcomeMeetingBooked: ClassSuccess,
		OutcomeReplied:       ClassWeakSuccess,
		OutcomeNegativeReply: ClassFailure,
		OutcomeNoResponse:    ClassWeakFailure,
	}},
}

// OutcomeVerdict is what a move's outcomes say: the class of the latest strong
// outcome, else of the latest weak one, and when that outcome happened.
type OutcomeVerdict struct {
	Success bool
	At      time.Time
	Outcome uint64 // the deciding outcome; 0: no verdict
}

// MoveVerdict reads a move's effective outcomes (EffectiveOutcomes) by the
// kind's rule; ok is false when none of them counts.
func MoveVerdict(kind MoveKind, outs []*Outcome) (v OutcomeVerdict, ok bool) {
	rule, has := LearnRules[kind]
	if !has {
		return OutcomeVerdict{}, false
	}
	var strong, weak *Outcome
	later := func(a, b *Outcome) bool {
		return b == nil || a.OccurredAt.After(b.OccurredAt) || a.OccurredAt.Equal(b.OccurredAt) && a.ID > b.ID
	}
	for _, o := range outs {
		switch rule.Classes[o.Type] {
		case ClassSuccess, ClassFailure:
			if later(o, strong) {
				strong = o
			}
		case ClassWeakSuccess, ClassWeakFailure:
			if later(o, weak) {
				weak = o
			}
		}
	}
	d := strong
	if d == nil {
		d = weak
	}
	if d == nil {
		return OutcomeVerdict{}, false
	}
	c := rule.Classes[d.Type]
	return OutcomeVerdict{Success: c == ClassSuccess || c == ClassWeakSuccess, At: d.OccurredAt, Outcome: d.ID}, true
}

// Segment is who a move is for, as learning groups them.
type Segment struct {
	Tier    string // ICP tier from the strategic fit: "A" (≥ 0.7), "B" (≥ 0.4), "C"; "" without account data
	Size    string // company size band: "1-10", "11-50", "51-200", "201-1000", "1001+"; "" unknown
	Channel string // email, social, meeting, crm
}

// SegmentOf places a move of kind for a contact and company, with their
// strategic fit.
func SegmentOf(kind MoveKind, contact *Contact, company *Company, fit float64) Segment {
	var s Segment
	if contact != nil || company != nil {
		switch {
		case fit >= 0.7:
			s.Tier = "A"
		case fit >= 0.4:
			s.Tier = "B"
		default:
			s.Tier = "C"
		}
	}
	if company != nil && company.Employees > 0 {
		switch n := company.Employees; {
		case n <= 10:
			s.Size = "1-10"
		case n <= 50:
			s.Size = "11-50"
		case n <= 200:
			s.Size = "51-200"
		case n <= 1000:
			s.Size = "201-1000"
		default:
			s.Size = "1001+"
		}
	}
	switch kind {
	case KindSendEmail:
		s.Channel = "email"
	case KindReplySocial:
		s.Channel = "social"
	case KindScheduleMeeting:
		s.Channel = "meeting"
	default:
		s.Channel = "crm"
	}
	return s
}

// CellKey names the learning cell of a kind, domain and segment:
// "send_email|sales|A|51-200|email".
func CellKey(kind MoveKind, domain Domain, s Segment) string {
	return strings.Join([]string{string(kind), string(domain), s.Tier, s.Size, s.Channel}, "|")
}

// describe reads a segment as a phrase: "tier-A accounts of 51–200
// employees".
func (s Segment) describe() string {
	who := "accounts we know nothing about"
	if s.Tier != "" {
		who = "tier-" + s.Tier + " accounts"
	}
	if s.Size != "" {
		who += " of " + strings.Replace(s.Size, "-", "–", 1) + " employees"
	}
	return who
}

// LearnCell is the evidence of one cell: successes and failures, each
// outcome weighted 2^(−age/half-life), summed as of At; and the plain
// counts, for reading.
type LearnCell struct {
	Key       string
	Successes float64
	Failures  float64
	At        time.Time
	Wins      int // successes counted, undecayed
	Count     int // outcomes counted, undecayed
}

// decay is the weight now of evidence from at.
func decay(at, now time.Time, halfLife time.Duration) float64 {
	return math.Exp2(-float64(now.Sub(at)) / float64(halfLife))
}

// add counts (sign +1) or takes back (sign −1) a verdict of at.
func (c *LearnCell) add(success bool, at time.Time, sign float64, halfLife time.Duration) {
	ref := c.At
	if at.After(ref) || ref.IsZero() {
		ref = at
	}
	k := 1.0
	if !c.At.IsZero() {
		k = decay(c.At, ref, halfLife)
	}
	c.Successes, c.Failures, c.At = c.Successes*k, c.Failures*k, ref
	w := sign * decay(at, ref, halfLife)
	n := int(sign)
	if success {
		c.Successes = max(c.Successes+w, 0)
		c.Wins += n
	} else {
		c.Failures = max(c.Failures+w, 0)
	}
	c.Count += n
	c.Wins, c.Count = max(c.Wins, 0), max(c.Count, 0)
}

// Evidence returns the decayed successes and failures as of now.
func (c *LearnCell) Evidence(now time.Time, halfLife time.Duration) (successes, failures float64) {
	if c == nil || c.At.IsZero() {
		return 0, 0
	}
	k := decay(c.At, now, halfLife)
	return c.Successes * k, c.Failures * k
}

// LearnSource gives the scorer the learning cells; a missing cell is nil.
type LearnSource interface {
	LearnCell(key string) *LearnCell
}

// Learned is the fifth line of a score: the learned adjustment.
type Learned struct {
	// Cell is the move's learning cell; set even when learning is off,
	// so the store can find the moves an outcome affects.
	Cell   string
	Points float64 // added to the four-component APS; 0 when off or without evidence
	Rate   float64 // the cell's plain success rate (Wins/Count)
	Prior  float64 // the kind's prior success rate
	Wins   int
	Count  int
	Reason string // "learned: emails to … → +2.6"; "" for kinds that learn nothing
}

// learnedTerm computes the learned line for a move in cell key, the
// plain APS being aps.
func learnedTerm(l Learning, kind MoveKind, domain Domain, seg Segment, src LearnSource, aps float64, now time.Time) Learned {
	out := Learned{Cell: CellKey(kind, domain, seg)}
	rule, ok := LearnRules[kind]
	if !ok {
		return out
	}
	out.Prior = rule.Prior
	if !l.On {
		out.Reason = "learned: off"
		return out
	}
	var c *LearnCell
	if src != nil {
		c = src.LearnCell(out.Cell)
	}
	s, f := c.Evidence(now, l.HalfLife)
	who := rule.Noun + " (" + string(domain) + ") to " + seg.describe()
	if c == nil || c.Count == 0 || s+f < 1e-9 {
		out.Reason = "learned: no outcomes yet for " + who + " (prior " + percent(rule.Prior) + ") → 0"
		return out
	}
	out.Wins, out.Count = c.Wins, c.Count
	out.Rate = float64(c.Wins) / float64(c.Count)
	post := (l.PriorStrength*rule.Prior + s) / (l.PriorStrength + s + f)
	d := post - rule.Prior
	norm := rule.Prior
	if d > 0 {
		norm = 1 - rule.Prior
	}
	pts := 0.0
	if norm > 0 {
		pts = l.MaxPoints * d / norm
	}
	pts = max(min(pts, l.MaxPoints, 100-aps), -l.MaxPoints, -aps)
	out.Points = pts
	sign := "+"
	if pts < 0 || pts == 0 && math.Signbit(pts) {
		sign = ""
	}
	out.Reason = "learned: " + who + " got " + rule.Success + " " + strconv.Itoa(c.Wins) + " of " + strconv.Itoa(c.Count) +
		" times (" + percent(out.Rate) + ", prior " + percent(rule.Prior) + "; recent ones weigh more) → " +
		sign + strconv.FormatFloat(pts, 'f', 1, 64)
	return out
}

// percent renders a rate as "64 %".
func percent(v float64) string { return strconv.FormatFloat(100*v, 'f', 0, 64) + " %" }
