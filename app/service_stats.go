package app

import (
	"time"

	"github.com/caseyos/caseyos/backend"
)

// StatsService is bound for the Metrics view and `caseyos stats`: what the
// moves carried out achieved, per week and per kind, counted from the
// outcomes table (backend.MetricsService). It is bound as
// StatsService.<Method> in the window and served as POST
// /api/StatsService.<Method> (docs/api.md).
type StatsService struct{ a *App }

// MetricsDTO is the metrics of the last weeks, oldest week first.
type MetricsDTO struct {
	Workspace WorkspaceDTO `json:"workspace"`
	// Zone is the owner's time zone the weeks are cut in (Monday 00:00).
	Zone  string           `json:"zone"`
	Weeks []MetricsWeekDTO `json:"weeks"`
}

// MetricsWeekDTO is one week: a row per kind carried out, and the total.
type MetricsWeekDTO struct {
	Start string          `json:"start"` // the Monday, YYYY-MM-DD in the owner's zone
	End   string          `json:"end"`   // the next Monday
	Kinds []MetricsRowDTO `json:"kinds"`
	Total MetricsRowDTO   `json:"total"`
}

// MetricsRowDTO counts executions carried out in a week (docs/cli.md says
// what each column counts). A rate is null when its denominator is 0.
type MetricsRowDTO struct {
	Kind              string   `json:"kind"` // "" in a week's total
	Executed          int      `json:"executed"`
	Replied           int      `json:"replied"`
	PositiveReplies   int      `json:"positive_replies"`
	MeetingsBooked    int      `json:"meetings_booked"`
	DealsAdvanced     int      `json:"deals_advanced"`
	DealsWon          int      `json:"deals_won"`
	AutoApproved      int      `json:"auto_approved"`
	MinutesSaved      int      `json:"minutes_saved"`
	FollowUpsSent     int      `json:"follow_ups_sent"`
	FollowUpsAnswered int      `json:"follow_ups_answered"`
	ReplyBase         int      `json:"reply_base"` // the reply rates' denominator
	ReplyRate         *float64 `json:"reply_rate"`
	PositiveReplyRate *float64 `json:"positive_reply_rate"`
	AutoApprovedShare *float64 `json:"auto_approved_share"`
}

// Metrics returns the metrics of the last weeks weeks, this one included
// (0: 8, at most 104).
func (svc *StatsService) Metrics(weeks int) (MetricsDTO, error) {
	a := svc.a
	if weeks < 0 {
		return MetricsDTO{}, backend.Errorf(backend.EINVALID, "weeks cannot be negative")
	}
	m, err := a.queue.Metrics.Metrics(a.ctx, weeks)
	if err != nil {
		return MetricsDTO{}, err
	}
	out := MetricsDTO{Workspace: a.workspaceDTO(), Zone: m.Zone, Weeks: []MetricsWeekDTO{}}
	for _, w := range m.Weeks {
		wk := MetricsWeekDTO{Start: w.Start.Format(time.DateOnly), End: w.End.Format(time.DateOnly), Kinds: []MetricsRowDTO{}, Total: metricsRowDTO(w.Total)}
		for _, k := range w.Kinds {
			wk.Kinds = append(wk.Kinds, metricsRowDTO(k))
		}
		out.Weeks = append(out.Weeks, wk)
	}
	return out, nil
}

func metricsRowDTO(k backend.KindMetrics) MetricsRowDTO {
	return MetricsRowDTO{Kind: string(k.Kind), Executed: k.Executed, Replied: k.Replied, PositiveReplies: k.PositiveReplies,
		MeetingsBooked: k.MeetingsBooked, DealsAdvanced: k.DealsAdvanced, DealsWon: k.DealsWon, AutoApproved: k.AutoApproved,
		MinutesSaved: k.MinutesSaved, FollowUpsSent: k.FollowUpsSent, FollowUpsAnswered: k.FollowUpsAnswered, ReplyBase: k.ReplyBase, ReplyRate: k.ReplyRate, PositiveReplyRate: k.PositiveReplyRate,
		AutoApprovedShare: k.AutoApprovedShare}
}
