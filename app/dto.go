package app

import (
	"math"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// The DTOs below are the documented, stable JSON of CaseyOS (see
// docs/cli.md). Fields are only ever added, never renamed or removed.

// WorkspaceDTO says which data the answer comes from.
type WorkspaceDTO struct {
	Demo  bool   `json:"demo"`
	Label string `json:"label"`
	Path  string `json:"path"`
}

// ComponentDTO is one APS component.
type ComponentDTO struct {
	Value        float64 `json:"value"`
	Weight       float64 `json:"weight"`
	Contribution float64 `json:"contribution"` // points of APS this component adds
	Reason       string  `json:"reason"`
}

// ScoreDTO is the APS with its breakdown.
type ScoreDTO struct {
	APS       float64      `json:"aps"`
	Revenue   ComponentDTO `json:"revenue"`
	Urgency   ComponentDTO `json:"urgency"`
	Effort    ComponentDTO `json:"effort"` // contribution uses 1 − value
	Strategic ComponentDTO `json:"strategic"`
}

// DraftDTO is what executing the move would send or create.
type DraftDTO struct {
	To        []string          `json:"to,omitempty"`
	Cc        []string          `json:"cc,omitempty"`
	Subject   string            `json:"subject,omitempty"`
	Body      string            `json:"body,omitempty"`
	ThreadID  string            `json:"thread_id,omitempty"`
	InReplyTo string            `json:"in_reply_to,omitempty"`
	TaskTitle string            `json:"task_title,omitempty"`
	TaskDue   *time.Time        `json:"task_due,omitempty"`
	DealStage string            `json:"deal_stage,omitempty"`
	PostID    string            `json:"post_id,omitempty"`
	MergeIDs  []string          `json:"merge_ids,omitempty"`
	Fields    map[string]string `json:"fields,omitempty"`
}

// MoveDTO is one move.
type MoveDTO struct {
	ID           uint64     `json:"id"`
	Kind         string     `json:"kind"`
	Domain       string     `json:"domain"`
	Title        string     `json:"title"`
	Status       string     `json:"status"`
	APS          float64    `json:"aps"` // rounded to one decimal
	TopReason    string     `json:"top_reason"`
	Reasons      []string   `json:"reasons"`
	Score        ScoreDTO   `json:"score"`
	Subject      string     `json:"subject"` // "type:id"
	Source       string     `json:"source"`
	ContactID    string     `json:"contact_id,omitempty"`
	CompanyID    string     `json:"company_id,omitempty"`
	DealID       string     `json:"deal_id,omitempty"`
	DueAt        *time.Time `json:"due_at,omitempty"`
	DueLabel     string     `json:"due_label,omitempty"`
	ExpiresAt    *time.Time `json:"expires_at,omitempty"`
	SnoozedUntil *time.Time `json:"snoozed_until,omitempty"`
	SkipReason   string     `json:"skip_reason,omitempty"`
	LastError    string     `json:"last_error,omitempty"`
	SignalIDs    []uint64   `json:"signal_ids"`
	Draft        DraftDTO   `json:"draft"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

// TodayDTO is Today's Moves.
type TodayDTO struct {
	Workspace WorkspaceDTO   `json:"workspace"`
	Domain    string         `json:"domain,omitempty"` // the filter, when one was given
	Pending   int            `json:"pending"`          // pending moves matching the filter
	ByDomain  map[string]int `json:"by_domain"`
	Moves     []MoveDTO      `json:"moves"`
}

// AuditDTO is one audit entry.
type AuditDTO struct {
	Seq    uint64    `json:"seq"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	From   string    `json:"from,omitempty"`
	To     string    `json:"to,omitempty"`
	Detail string    `json:"detail,omitempty"`
	APS    float64   `json:"aps"`
}

// ExplainDTO is a move with its score breakdown and history.
type ExplainDTO struct {
	Workspace WorkspaceDTO `json:"workspace"`
	Move      MoveDTO      `json:"move"`
	Formula   string       `json:"formula"`
	History   []AuditDTO   `json:"history"`
}

// LineErrorDTO is a rejected input line.
type LineErrorDTO struct {
	Line    int    `json:"line"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// IngestDTO reports what an ingest did.
type IngestDTO struct {
	Workspace  WorkspaceDTO   `json:"workspace"`
	Lines      int            `json:"lines"`
	Stored     int            `json:"stored"`
	Duplicates int            `json:"duplicates"`
	Created    []uint64       `json:"moves_created"`
	Updated    []uint64       `json:"moves_updated"`
	Rejected   []LineErrorDTO `json:"rejected"`
}

// ExecutionDTO reports an execution.
type ExecutionDTO struct {
	ID             uint64            `json:"id"`
	MoveID         uint64            `json:"move_id"`
	IdempotencyKey string            `json:"idempotency_key"`
	State          string            `json:"state"`
	Result         string            `json:"result,omitempty"`
	Error          string            `json:"error,omitempty"`
	RemoteIDs      map[string]string `json:"remote_ids,omitempty"`
}

// ErrorDTO is how every surface shows an error.
type ErrorDTO struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }
func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// toMoveDTO renders a move for display at now: the time tokens in its
// reasons read relative to now, in the local time zone.
func toMoveDTO(m *backend.Move, now time.Time) MoveDTO {
	s := m.Score
	w := s.Weights
	comp := func(c backend.Component, weight float64, inverted bool) ComponentDTO {
		v := c.Value
		if inverted {
			v = 1 - v
		}
		return ComponentDTO{Value: round3(c.Value), Weight: weight, Contribution: round1(100 * weight * v), Reason: backend.RenderReason(c.Reason, now, time.Local)}
	}
	reasons := backend.RenderReasons(m.Reasons, now, time.Local)
	top := ""
	if len(reasons) > 0 {
		top = reasons[0]
	}
	ids := m.SignalIDs
	if ids == nil {
		ids = []uint64{}
	}
	return MoveDTO{
		ID: m.ID, Kind: string(m.Kind), Domain: string(m.Domain), Title: m.Title, Status: string(m.Status),
		APS: round1(s.APS), TopReason: top, Reasons: reasons,
		Score: ScoreDTO{
			APS:       round1(s.APS),
			Revenue:   comp(s.Revenue, w.Revenue, false),
			Urgency:   comp(s.Urgency, w.Urgency, false),
			Effort:    comp(s.Effort, w.Effort, true),
			Strategic: comp(s.Strategic, w.Strategic, false),
		},
		Subject: m.Subject.Key(), Source: string(m.Source),
		ContactID: m.ContactID, CompanyID: m.CompanyID, DealID: m.DealID,
		DueAt: timePtr(m.DueAt), DueLabel: m.DueLabel, ExpiresAt: timePtr(m.ExpiresAt), SnoozedUntil: timePtr(m.SnoozedUntil),
		SkipReason: m.SkipReason, LastError: m.LastError, SignalIDs: ids,
		Draft: DraftDTO{
			To: m.Draft.To, Cc: m.Draft.Cc, Subject: m.Draft.Subject, Body: m.Draft.Body, ThreadID: m.Draft.ThreadID,
			InReplyTo: m.Draft.InReplyTo, TaskTitle: m.Draft.TaskTitle, TaskDue: timePtr(m.Draft.TaskDue),
			DealStage: m.Draft.DealStage, PostID: m.Draft.PostID, MergeIDs: m.Draft.MergeIDs, Fields: m.Draft.Fields,
		},
		CreatedAt: m.CreatedAt.UTC(), UpdatedAt: m.UpdatedAt.UTC(),
	}
}

func toAuditDTO(e *backend.AuditEntry) AuditDTO {
	return AuditDTO{Seq: e.Seq, At: e.At.UTC(), Actor: string(e.Actor), Action: e.Action, From: string(e.From), To: string(e.To), Detail: e.Detail, APS: round1(e.APS)}
}

func toExecutionDTO(e *backend.Execution) ExecutionDTO {
	return ExecutionDTO{ID: e.ID, MoveID: e.MoveID, IdempotencyKey: e.IdempotencyKey, State: string(e.State), Result: e.Result, Error: e.Error, RemoteIDs: e.RemoteIDs}
}
