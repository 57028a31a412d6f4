package backend

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Component is one of the four APS inputs with the reason behind its value.
type Component struct {
	Value  float64
	Reason string
}

// Score is the Action Priority Score of a move with its breakdown.
type Score struct {
	APS        float64 // 0..100
	Revenue    Component
	Urgency    Component
	Effort     Component
	Strategic  Component
	Weights    Weights
	ComputedAt time.Time
	// RescoreAt is when, as time passes, urgency will have moved by
	// RescoreStep; zero when it no longer changes (no deadline, or passed).
	// Refresh re-scores a move then, and not every time it runs.
	RescoreAt time.Time
}

// RescoreStep is how far urgency may drift before a move is re-scored:
// 0.02 moves APS by half a point at the default urgency weight.
const RescoreStep = 0.02

// Reasons returns the components' reasons, most heavily weighted first.
func (s Score) Reasons() []string {
	var out []string
	for _, c := range []Component{s.Revenue, s.Urgency, s.Strategic, s.Effort} {
		if c.Reason != "" {
			out = append(out, c.Reason)
		}
	}
	return out
}

// APS combines four components in [0, 1] with weights that sum to 1:
// 100 × (wR·revenue + wU·urgency + wE·(1 − effort) + wS·strategic).
func APS(w Weights, revenue, urgency, effort, strategic float64) (float64, error) {
	if err := w.Validate(); err != nil {
		return 0, err
	}
	for _, v := range []float64{revenue, urgency, effort, strategic} {
		if v < 0 || v > 1 || math.IsNaN(v) {
			return 0, Errorf(EINVALID, "APS components must be between 0 and 1 (got %.3g)", v)
		}
	}
	return 100 * (w.Revenue*revenue + w.Urgency*urgency + w.Effort*(1-effort) + w.Strategic*strategic), nil
}

// ScoreInput is the data a move is scored from.
type ScoreInput struct {
	Kind     MoveKind
	DueAt    time.Time // zero = no deadline
	DueLabel string    // what the deadline is: "demo", "reply window", "meeting"
	// QuietSince, when set, is the last activity of the stalled deal the
	// move nudges: urgency then comes from the silence, not from DueAt.
	QuietSince time.Time
	Deal       *Deal
	Company    *Company
	Contact    *Contact
	Now        time.Time
}

// Scorer computes APS from data with the founder's settings.
type Scorer struct {
	Settings *Settings
}

// Score computes the four components and the APS for in.
func (sc Scorer) Score(in ScoreInput) (Score, error) {
	st := sc.Settings
	s := Score{Weights: st.Weights, ComputedAt: in.Now}
	s.Revenue = sc.revenue(in)
	s.Urgency = sc.urgency(in)
	s.Effort = sc.effort(in.Kind)
	s.Strategic = sc.strategic(in)
	aps, err := APS(st.Weights, s.Revenue.Value, s.Urgency.Value, s.Effort.Value, s.Strategic.Value)
	if err != nil {
		return Score{}, err
	}
	s.APS = aps
	s.RescoreAt = sc.rescoreAt(in.DueAt, in.Now, s.Urgency.Value)
	if !in.QuietSince.IsZero() {
		s.RescoreAt = silenceRescoreAt(silenceCurve(st), in.QuietSince, in.Now, s.Urgency.Value)
	}
	return s, nil
}

// rescoreAt finds when the urgency curve, walked from the hours left now
// towards the deadline, first differs from u0 by RescoreStep.
func (sc Scorer) rescoreAt(due, now time.Time, u0 float64) time.Time {
	if due.IsZero() || !due.After(now) {
		return time.Time{}
	}
	c := sc.Settings.UrgencyCurve
	h0 := due.Sub(now).Hours()
	var knots []float64
	for i := len(c) - 1; i >= 0; i-- {
		if c[i].X < h0 && c[i].X > 0 {
			knots = append(knots, c[i].X)
		}
	}
	knots = append(knots, 0)
	prevH, prevU := h0, u0
	for _, x := range knots {
		ux := c.At(x)
		if d := ux - u0; math.Abs(d) >= RescoreStep {
			target := u0 + math.Copysign(RescoreStep, d)
			h := prevH + (target-prevU)*(x-prevH)/(ux-prevU)
			return due.Add(-time.Duration(h * float64(time.Hour)))
		}
		prevH, prevU = x, ux
	}
	return time.Time{}
}

func (sc Scorer) revenue(in ScoreInput) Component {
	st := sc.Settings
	switch {
	case in.Deal != nil && in.Deal.Amount > 0:
		return Component{st.RevenueCurve.At(in.Deal.Amount), money(in.Deal.Amount) + " ARR deal"}
	case in.Company != nil && in.Company.ExpectedARR > 0:
		name := in.Company.Name
		if name == "" {
			name = in.Company.ID
		}
		return Component{st.RevenueCurve.At(in.Company.ExpectedARR), money(in.Company.ExpectedARR) + " expected ARR at " + name}
	case in.Deal != nil:
		return Component{st.UnknownRevenue, "deal has no amount yet"}
	}
	return Component{st.UnknownRevenue, "no deal or expected ARR on record"}
}

func (sc Scorer) urgency(in ScoreInput) Component {
	st := sc.Settings
	if !in.QuietSince.IsZero() {
		// The reason holds a token: "quiet for 30 days", later "… 40 days".
		quiet := max(in.Now.Sub(in.QuietSince), 0)
		return Component{silenceCurve(st).At(quiet.Hours()), "quiet for " + ForToken(in.QuietSince)}
	}
	if in.DueAt.IsZero() {
		return Component{st.NoDeadlineUrgency, "no deadline"}
	}
	label := in.DueLabel
	if label == "" {
		label = "due"
	}
	// The reason holds a token so it reads right whenever it is shown:
	// "reply window closes in 3 hours", later "… passed 2 hours ago".
	reason := label + " " + DueToken(in.DueAt)
	d := in.DueAt.Sub(in.Now)
	if d <= 0 {
		return Component{st.UrgencyCurve.At(0), reason}
	}
	return Component{st.UrgencyCurve.At(d.Hours()), reason}
}

func (sc Scorer) effort(kind MoveKind) Component {
	st := sc.Settings
	min := st.EffortMinutes[kind]
	v := clamp01(float64(min) / float64(st.MaxEffortMinutes))
	reason := fmt.Sprintf("about %d min", min)
	if min <= 15 {
		reason = fmt.Sprintf("quick win: about %d min", min)
	}
	return Component{v, reason}
}

func (sc Scorer) strategic(in ScoreInput) Component {
	v, reasons := sc.Settings.ICP.Fit(in.Contact, in.Company)
	// One sentence: "ICP fit: SaaS company, 240 employees; poor fit: agency".
	var fits, rest []string
	for _, r := range reasons {
		if f, ok := strings.CutPrefix(r, "ICP: "); ok {
			fits = append(fits, f)
		} else {
			rest = append(rest, r)
		}
	}
	if len(fits) > 0 {
		rest = append([]string{"ICP fit: " + strings.Join(fits, ", ")}, rest...)
	}
	return Component{v, strings.Join(rest, "; ")}
}

// money renders dollars the way a founder says them: $50k, $1.2M, $800.
func money(v float64) string {
	switch {
	case v >= 1_000_000:
		return trimZero(fmt.Sprintf("$%.1fM", v/1_000_000))
	case v >= 1_000:
		return trimZero(fmt.Sprintf("$%.1fk", v/1_000))
	}
	return fmt.Sprintf("$%.0f", v)
}

func trimZero(s string) string {
	// "$50.0k" → "$50k"
	for i := 0; i+2 < len(s); i++ {
		if s[i] == '.' && s[i+1] == '0' {
			return s[:i] + s[i+2:]
		}
	}
	return s
}

// humanDuration renders d coarsely: "45 minutes", "20 hours", "3 days".
func humanDuration(d time.Duration) string {
	switch {
	case d < 2*time.Minute:
		return "1 minute"
	case d < 90*time.Minute:
		return fmt.Sprintf("%d minutes", int(math.Round(d.Minutes())))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d hours", int(math.Round(d.Hours())))
	}
	return fmt.Sprintf("%d days", int(math.Round(d.Hours()/24)))
}
