package backend

import (
	"fmt"
	"math"
	"time"
)

// The stalled-deal rule lives here so that the queue's own derivation and
// the connectors that report deal.stalled decide alike and produce the same
// dedupe key: a deal seen stalled by both is stored once.

// StalledCutoff is the last-activity time before which an open deal counts
// as stalled at now.
func StalledCutoff(st *Settings, now time.Time) time.Time {
	return now.Add(-time.Duration(st.StalledDealDays) * 24 * time.Hour)
}

// DealStalled reports whether d has stalled at now: it is open (in neither a
// won nor a lost stage) and its last activity, which must be known, is
// before StalledCutoff.
func DealStalled(d *Deal, st *Settings, now time.Time) bool {
	if d == nil || d.LastActivityAt.IsZero() {
		return false
	}
	if containsFold(st.WonStages, d.Stage) || containsFold(st.LostStages, d.Stage) {
		return false
	}
	return d.LastActivityAt.Before(StalledCutoff(st, now))
}

// StalledDedupeKey is the dedupe key of d's deal.stalled signal. It holds the
// last activity time, so a deal stalls once per quiet spell and again only
// after new activity followed by new silence.
func StalledDedupeKey(d *Deal) string {
	return fmt.Sprintf("deal.stalled:%s:%d", d.ID, d.LastActivityAt.Unix())
}

// silenceCurve maps how long a stalled deal has been quiet, in hours, to the
// urgency of its nudge. It is anchored on StalledDealDays (S): 0.5 when the
// deal stalls, 0.7 at 2S, 0.85 at 4S and 0.95 from 8S on (with the default
// 14 days: 15 days quiet ≈ 0.51, 30 ≈ 0.71, 90 ≈ 0.91). The longer a deal
// is silent the more its nudge matters, yet a deadline that is about to
// pass (a reply window closing) still comes first.
func silenceCurve(st *Settings) Curve {
	s := float64(st.StalledDealDays) * 24
	return Curve{{X: 0, Y: 0.5}, {X: s, Y: 0.5}, {X: 2 * s, Y: 0.7}, {X: 4 * s, Y: 0.85}, {X: 8 * s, Y: 0.95}}
}

// silenceRescoreAt is when, as the silence since since goes on, the curve
// first differs from u0 by RescoreStep; zero once it no longer changes.
func silenceRescoreAt(c Curve, since, now time.Time, u0 float64) time.Time {
	prevX, prevU := now.Sub(since).Hours(), u0
	for _, p := range c {
		if p.X <= prevX {
			continue
		}
		if d := p.Y - u0; math.Abs(d) >= RescoreStep {
			target := u0 + math.Copysign(RescoreStep, d)
			x := prevX + (target-prevU)*(p.X-prevX)/(p.Y-prevU)
			return since.Add(time.Duration(x * float64(time.Hour)))
		}
		prevX, prevU = p.X, p.Y
	}
	return time.Time{}
}

// stallEnded reports whether deal d's stall is over at now, and why: it
// closed, or it has had activity since StalledCutoff. A deal whose last
// activity is unknown has not been seen to end its stall.
func stallEnded(d *Deal, st *Settings, now time.Time) (bool, string) {
	switch {
	case d == nil:
		return false, ""
	case containsFold(st.WonStages, d.Stage) || containsFold(st.LostStages, d.Stage):
		return true, "the deal closed (" + StageLabel(d.Stage) + ")"
	case !d.LastActivityAt.IsZero() && !d.LastActivityAt.Before(StalledCutoff(st, now)):
		return true, "the deal has had activity since it stalled (" + Stamp(d.LastActivityAt, nil) + ")"
	}
	return false, ""
}

// endStalls closes the open stalled-deal nudges of the deals this
// transaction changed whose stall is over: the reason for the nudge has
// passed. It runs at flush, after every signal of the batch, so a batch
// that holds both the stall and later activity leaves no nudge.
func (in *ingester) endStalls() error {
	for _, id := range in.dealsTouched {
		d := in.rec.Deal(id)
		ended, why := stallEnded(d, in.st, in.now)
		if !ended {
			continue
		}
		for _, kind := range []MoveKind{KindSendEmail, KindCreateTask} {
			m, err := in.moves.find(Subject{SubjectDeal, id}, kind)
			if err != nil {
				return err
			}
			if m == nil || !m.StallNudge || m.Status == StatusExecuting {
				continue // an execution in flight finishes first
			}
			if err := transition(in.tx, m, StatusExpired, ActorSystem, why, in.now); err != nil {
				return err
			}
			in.rep.updated(m.ID)
		}
	}
	in.dealsTouched = nil
	return in.rec.err
}
