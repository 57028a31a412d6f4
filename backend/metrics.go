package backend

import (
	"context"
	"time"
)

// Metrics are what the moves carried out achieved, per week and per move
// kind: `caseyos stats` and the Metrics view. Every count is a count of
// executions, each counted in the week it was carried out (in the owner's
// zone, weeks starting on Monday) — the week's cohort — with the outcomes
// that came of it, whenever they came. So a reply on Tuesday to Friday's
// email counts for Friday's week, and a rate never mixes cohorts.
//
// Definitions (docs/cli.md says the same):
//   - Executed: executions carried out (committed), rolled back later or not.
//   - Replied: executed ones with a replied, positive_reply or
//     negative_reply outcome; ReplyRate = Replied / Executed, for the
//     ReplyKinds only (send_email, reply_social).
//   - PositiveReplies: executed ones with a positive_reply outcome;
//     PositiveReplyRate = PositiveReplies / Executed, for the ReplyKinds.
//   - MeetingsBooked, DealsAdvanced, DealsWon: executed ones with a
//     meeting_booked, deal_advanced, deal_won outcome.
//   - AutoApproved: executed ones an auto-approval rule approved (the
//     execution's actor is "rule"); AutoApprovedShare = AutoApproved / Executed.
//   - MinutesSaved: the Settings' EffortMinutes of each executed one's kind.
//   - FollowUpsSent: executed ones that are a step of a follow-up sequence
//     (a move on a follow_up subject); FollowUpsAnswered: those replied to.
//
// An outcome a later one corrects is not counted (EffectiveOutcomes). A
// rate whose denominator is 0 is absent (nil), not 0. The total row of a
// week sums every kind, but its reply rates count only the kinds one can
// reply to (ReplyKinds), and so do its Replied and PositiveReplies: a task
// created is not an unanswered email.
type Metrics struct {
	Zone  string
	Weeks []WeekMetrics // oldest first; the last is the current week, so far
}

// WeekMetrics is one week's row per kind, and their total.
type WeekMetrics struct {
	Start time.Time     // Monday 00:00 in the owner's zone
	End   time.Time     // the next Monday 00:00
	Kinds []KindMetrics // the kinds with at least one execution, in MoveKinds order
	Total KindMetrics   // every kind; Kind is ""
}

// KindMetrics counts one kind's executions in one week.
type KindMetrics struct {
	Kind            MoveKind
	Executed        int
	Replied         int
	PositiveReplies int
	MeetingsBooked  int
	DealsAdvanced   int
	DealsWon        int
	AutoApproved    int
	MinutesSaved    int
	// FollowUpsSent counts the follow-ups of a sequence (followup.go)
	// among the executed, FollowUpsAnswered those of them replied to.
	FollowUpsSent     int
	FollowUpsAnswered int
	// ReplyBase is the denominator of the reply rates: Executed for one
	// of the ReplyKinds, 0 (no rate) for another kind, the executions of
	// the ReplyKinds for a week's total.
	ReplyBase         int
	ReplyRate         *float64
	PositiveReplyRate *float64
	AutoApprovedShare *float64
}

// ReplyKinds are the kinds whose executions someone can reply to: the
// denominator of a week's total reply rates.
var ReplyKinds = []MoveKind{KindSendEmail, KindReplySocial}

// MaxMetricsWeeks bounds how far back Metrics looks.
const MaxMetricsWeeks = 104

// MetricsService computes the metrics from the store.
type MetricsService struct{ *core }

// Metrics returns the last weeks weeks, the current one included (weeks
// ≤ 0: 8), read in one transaction.
func (s *MetricsService) Metrics(ctx context.Context, weeks int) (*Metrics, error) {
	const op = "metrics"
	if weeks <= 0 {
		weeks = 8
	}
	if weeks > MaxMetricsWeeks {
		return nil, &Error{Code: EINVALID, Op: op, Message: "weeks must be at most 104"}
	}
	loc := s.zone
	if loc == nil {
		loc = time.Local
	}
	now := s.clock.Now().In(loc)
	first := WeekStart(now, loc).AddDate(0, 0, -7*(weeks-1))
	out := &Metrics{Zone: loc.String(), Weeks: make([]WeekMetrics, weeks)}
	if loc == time.Local {
		out.Zone, _ = now.Zone() // "Local" says nothing; its abbreviation does
	}
	byKind := make([]map[MoveKind]*KindMetrics, weeks)
	for i := range out.Weeks {
		out.Weeks[i].Start = first.AddDate(0, 0, 7*i)
		out.Weeks[i].End = first.AddDate(0, 0, 7*(i+1))
		byKind[i] = map[MoveKind]*KindMetrics{}
	}
	replyKind := map[MoveKind]bool{}
	for _, k := range ReplyKinds {
		replyKind[k] = true
	}
	replyTotals := make([]KindMetrics, weeks) // the reply kinds only, for the total's rates
	err := s.store.View(ctx, func(tx Tx) error {
		st, err := tx.Settings()
		if err != nil {
			return err
		}
		execs, err := tx.ExecutionsInState(ExecCommitted, ExecUndone)
		if err != nil {
			return err
		}
		// The latest carried-out execution of each move takes the outcomes
		// recorded without one.
		latest := map[uint64]uint64{}
		var counted []*Execution
		for _, e := range execs {
			if e.CommittedAt.IsZero() {
				continue // cancelled in its undo window: nothing happened
			}
			latest[e.MoveID] = e.ID
			if !e.CommittedAt.Before(first) && !e.CommittedAt.After(now) {
				counted = append(counted, e)
			}
		}
		outcomes := map[uint64]map[uint64]map[OutcomeType]bool{} // move → execution → types
		for _, e := range counted {
			if _, ok := outcomes[e.MoveID]; ok {
				continue
			}
			os, err := tx.FindOutcomes(e.MoveID)
			if err != nil {
				return err
			}
			per := map[uint64]map[OutcomeType]bool{}
			for _, o := range EffectiveOutcomes(os) {
				id := o.ExecutionID
				if id == 0 {
					id = latest[e.MoveID]
				}
				if per[id] == nil {
					per[id] = map[OutcomeType]bool{}
				}
				per[id][o.Type] = true
			}
			outcomes[e.MoveID] = per
		}
		followUp := map[uint64]bool{}
		for _, e := range counted {
			if e.Kind != KindSendEmail {
				continue
			}
			m, err := tx.FindMove(e.MoveID)
			if err != nil {
				return err
			}
			followUp[m.ID] = m.Subject.Type == SubjectFollowUp
		}
		for _, e := range counted {
			w := weekOf(out.Weeks, e.CommittedAt)
			if w < 0 {
				continue
			}
			k := byKind[w][e.Kind]
			if k == nil {
				k = &KindMetrics{Kind: e.Kind}
				byKind[w][e.Kind] = k
			}
			has := outcomes[e.MoveID][e.ID]
			for _, row := range []*KindMetrics{k, &out.Weeks[w].Total} {
				countExecution(row, e, has, st, followUp[e.MoveID])
			}
			if replyKind[e.Kind] {
				countExecution(&replyTotals[w], e, has, st, followUp[e.MoveID])
			}
		}
		return nil
	})
	if err != nil {
		return nil, WrapError(op, err)
	}
	for i := range out.Weeks {
		wk := &out.Weeks[i]
		for _, kind := range MoveKinds {
			if k := byKind[i][kind]; k != nil {
				base := 0 // no reply rate for a task created or a note written
				if replyKind[kind] {
					base = k.Executed
				}
				k.rates(base)
				wk.Kinds = append(wk.Kinds, *k)
			}
		}
		wk.Total.Replied, wk.Total.PositiveReplies = replyTotals[i].Replied, replyTotals[i].PositiveReplies
		wk.Total.rates(replyTotals[i].Executed)
	}
	return out, nil
}

func weekOf(weeks []WeekMetrics, t time.Time) int {
	for i, w := range weeks {
		if !t.Before(w.Start) && t.Before(w.End) {
			return i
		}
	}
	return -1
}

func countExecution(k *KindMetrics, e *Execution, has map[OutcomeType]bool, st *Settings, followUp bool) {
	k.Executed++
	replied := has[OutcomeReplied] || has[OutcomePositiveReply] || has[OutcomeNegativeReply]
	if replied {
		k.Replied++
	}
	if followUp {
		k.FollowUpsSent++
		if replied {
			k.FollowUpsAnswered++
		}
	}
	if has[OutcomePositiveReply] {
		k.PositiveReplies++
	}
	if has[OutcomeMeetingBooked] {
		k.MeetingsBooked++
	}
	if has[OutcomeDealAdvanced] {
		k.DealsAdvanced++
	}
	if has[OutcomeDealWon] {
		k.DealsWon++
	}
	if e.Actor == ActorRule {
		k.AutoApproved++
	}
	k.MinutesSaved += st.EffortMinutes[e.Kind]
}

// rates sets the rates over replyBase executions (the reply rates) and
// all executions (the auto-approved share).
func (k *KindMetrics) rates(replyBase int) {
	k.ReplyBase = replyBase
	k.ReplyRate = ratio(k.Replied, replyBase)
	k.PositiveReplyRate = ratio(k.PositiveReplies, replyBase)
	k.AutoApprovedShare = ratio(k.AutoApproved, k.Executed)
}

func ratio(n, d int) *float64 {
	if d == 0 {
		return nil
	}
	r := float64(n) / float64(d)
	return &r
}

// WeekStart returns the Monday 00:00 in loc of the week holding t.
func WeekStart(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	back := (int(t.Weekday()) + 6) % 7 // days since Monday
	y, m, d := t.Date()
	return time.Date(y, m, d-back, 0, 0, 0, 0, loc)
}
