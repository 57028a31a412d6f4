package app

import (
	"math"
	"strings"
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
	// DemoAccounts are the addresses of the demo's fake Gmail, Calendar
	// and HubSpot, which its moves execute against (demo only).
	DemoAccounts map[string]string `json:"demo_accounts,omitempty"`
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
	// Learned is the fifth line, added to the four components; absent for
	// kinds that learn nothing (notes, merges).
	Learned *LearnedDTO `json:"learned,omitempty"`
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
	// NotAvailable, in Today's moves, says why no connector of this build
	// can carry out a move of this kind (an X reply): the UI offers no
	// Execute for it.
	NotAvailable string `json:"not_available,omitempty"`
	// TemplateHoles names the template text its draft still holds ("line
	// 3: an empty bullet '- '"): executing refuses it until edited or
	// explicitly allowed.
	TemplateHoles []string  `json:"template_holes,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
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
	// FollowUps is the follow-up sequence the move belongs to, if any.
	FollowUps *SequenceDTO `json:"follow_ups,omitempty"`
}

// LineErrorDTO is a rejected input line.
type LineErrorDTO struct {
	Line    int    `json:"line"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ReasonCountDTO is how many lines were rejected for one reason.
type ReasonCountDTO struct {
	Message string `json:"message"`
	Count   int    `json:"count"`
}

// IngestDTO reports what an ingest did. Rejected holds the first 100
// rejected lines; RejectedTotal counts them all, RejectedCut says the list
// stops short of it, and RejectedReasons counts the lines per reason for
// the first 10 different reasons.
type IngestDTO struct {
	Workspace       WorkspaceDTO     `json:"workspace"`
	Lines           int              `json:"lines"`
	Stored          int              `json:"stored"`
	Duplicates      int              `json:"duplicates"`
	Created         []uint64         `json:"moves_created"`
	Updated         []uint64         `json:"moves_updated"`
	Rejected        []LineErrorDTO   `json:"rejected"`
	RejectedTotal   int              `json:"rejected_total"`
	RejectedCut     bool             `json:"rejected_cut"`
	RejectedReasons []ReasonCountDTO `json:"rejected_reasons"`
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
			Learned:   toLearnedDTO(s.Learned),
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
		TemplateHoles: holeMessages(backend.DraftHoles(m)),
		CreatedAt:     m.CreatedAt.UTC(), UpdatedAt: m.UpdatedAt.UTC(),
	}
}

func holeMessages(holes []backend.TemplateHole) []string {
	var out []string
	for _, h := range holes {
		out = append(out, h.String())
	}
	return out
}

func toAuditDTO(e *backend.AuditEntry) AuditDTO {
	return AuditDTO{Seq: e.Seq, At: e.At.UTC(), Actor: string(e.Actor), Action: e.Action, From: string(e.From), To: string(e.To), Detail: e.Detail, APS: round1(e.APS)}
}

// SignalDTO is one entry of the signals feed.
type SignalDTO struct {
	ID         uint64    `json:"id"`
	Source     string    `json:"source"`
	Type       string    `json:"type"`
	OccurredAt time.Time `json:"occurred_at"`
	Summary    string    `json:"summary"`
	MoveIDs    []uint64  `json:"move_ids"`
}

// SignalsDTO is a page of the signals feed.
type SignalsDTO struct {
	Total   int         `json:"total"`
	Signals []SignalDTO `json:"signals"`
}

// StatsDTO is the header's day so far.
type StatsDTO struct {
	Pending               int            `json:"pending"`
	ByDomain              map[string]int `json:"by_domain"`
	DoneToday             int            `json:"done_today"`
	SkippedToday          int            `json:"skipped_today"`
	TimeSavedMinutesToday int            `json:"time_saved_minutes_today"`
}

// WeightsDTO are the APS weights.
type WeightsDTO struct {
	Revenue   float64 `json:"revenue"`
	Urgency   float64 `json:"urgency"`
	Effort    float64 `json:"effort"`
	Strategic float64 `json:"strategic"`
}

// ICPRuleDTO is one strategic-fit rule.
type ICPRuleDTO struct {
	Field  string   `json:"field"`
	Op     string   `json:"op"`
	Values []string `json:"values"`
	Min    float64  `json:"min"`
	Max    float64  `json:"max"`
	Weight float64  `json:"weight"`
	Label  string   `json:"label"`
}

// ICPDTO is the strategic-fit rule set.
type ICPDTO struct {
	Base  float64      `json:"base"`
	Rules []ICPRuleDTO `json:"rules"`
}

// SettingsDTO is what the settings screen edits.
type SettingsDTO struct {
	Weights           WeightsDTO     `json:"weights"`
	ICP               ICPDTO         `json:"icp"`
	UndoWindowSeconds float64        `json:"undo_window_seconds"`
	DailyCaps         map[string]int `json:"daily_caps"`
	TodayLimit        int            `json:"today_limit"`
	StalledDealDays   int            `json:"stalled_deal_days"`
	OwnerName         string         `json:"owner_name"`
	OwnerEmail        string         `json:"owner_email"`
	// Competitors are the names mentions and emails are matched against;
	// absent (null) keeps the stored list, [] clears it.
	Competitors []string `json:"competitors"`
	// WorkingHours are the owner's, in minutes from midnight; absent
	// keeps the stored hours.
	WorkingHours *WorkingHoursDTO `json:"working_hours,omitempty"`
	// Pricing and Facts are what reply drafts may say about the product;
	// absent (null) keeps the stored ones.
	Pricing *PricingDTO `json:"pricing,omitempty"`
	Facts   []FactDTO   `json:"facts"`
	// ProductName and ProductKeywords are the X watch list's own terms,
	// searched with the competitors; absent (null) keeps the stored ones,
	// "" and [] clear them.
	ProductName     *string  `json:"product_name,omitempty"`
	ProductKeywords []string `json:"product_keywords,omitempty"`
	// RetentionMonths: signals and audit contents older than this are
	// pruned; absent (0) keeps the stored period.
	RetentionMonths int `json:"retention_months,omitempty"`
	// FollowUps say whether and how often an unanswered email is
	// followed up; absent keeps the stored ones.
	FollowUps *FollowUpsDTO `json:"follow_ups,omitempty"`
	// Learning is the learned score line's settings; absent keeps them.
	Learning *LearningDTO `json:"learning,omitempty"`
	// Notifications say what may interrupt (dto_notify.go); absent keeps them.
	Notifications *NotificationsDTO `json:"notifications,omitempty"`
}

// FollowUpsDTO are the follow-up settings: on, how many follow-ups after
// the first mail (1–5), and the business days between mails (0: the
// no-response time).
type FollowUpsDTO struct {
	On      bool `json:"on"`
	Steps   int  `json:"steps"`
	GapDays int  `json:"gap_days"`
}

// WorkingHoursDTO is a working day in minutes from midnight (540–1020 is
// 9:00–17:00), Monday to Friday, in the owner's zone.
type WorkingHoursDTO struct {
	StartMinutes int `json:"start_minutes"`
	EndMinutes   int `json:"end_minutes"`
}

// ConnectionDTO is the state of one outside account.
type ConnectionDTO struct {
	Account     string `json:"account"`
	Label       string `json:"label"`
	State       string `json:"state"` // not_connected, connected, reconnect, offline; coming_soon when no connector exists yet
	Detail      string `json:"detail"`
	ConnectHint string `json:"connect_hint"`
	// Sync is the account's last sync, when it is connected.
	Sync *SyncStatusDTO `json:"sync,omitempty"`
}

// SyncStatusDTO is one account's sync: the sync:status event's payload and
// a row of `caseyos status --json`. State is connected, running, offline,
// error or reconnect (not_connected after a disconnect).
type SyncStatusDTO struct {
	Account     string     `json:"account"`
	State       string     `json:"state"`
	LastSuccess *time.Time `json:"last_success,omitempty"`
	LastError   string     `json:"last_error,omitempty"` // safe to show
	ErrorCode   string     `json:"error_code,omitempty"`
	LastErrorAt *time.Time `json:"last_error_at,omitempty"`
	NextRun     *time.Time `json:"next_run,omitempty"`
	Items       int        `json:"items"`                 // signals fetched since connected
	LastItems   int        `json:"last_items"`            // by the last successful pass
	Progress    int        `json:"progress,omitempty"`    // fetched so far by the pass under way (a long first sync)
	Failures    int        `json:"failures"`              // passes failed in a row
	Skipped     int        `json:"skipped"`               // items the last pass fetched and could not store
	SkipReason  string     `json:"skip_reason,omitempty"` // why the first of them could not be stored; safe to show
	Note        string     `json:"note,omitempty"`        // what the last pass could not read while the rest synced; safe to show
}

// SyncSkippedDTO is the payload of sync:skipped: a pass fetched items it
// could not store and went on without them. Message says so for a person:
// "3 items from HubSpot could not be stored: occurred_at … is out of range".
type SyncSkippedDTO struct {
	Account string `json:"account"`
	Count   int    `json:"count"`
	Reason  string `json:"reason"` // why the first of them could not be stored
	Message string `json:"message"`
}

// SyncWaitDTO is the payload of sync:waiting: a pass is waiting out a
// vendor's rate limit and goes on by itself at Until.
type SyncWaitDTO struct {
	Account     string    `json:"account"`
	Limit       string    `json:"limit"` // what is spent: "10-second window", "per-user rate limit"
	WaitSeconds float64   `json:"wait_seconds"`
	Until       time.Time `json:"until"`
	Attempt     int       `json:"attempt"` // rate limits in a row in this pass
}

func toSyncWaitDTO(w backend.SyncWait) SyncWaitDTO {
	return SyncWaitDTO{Account: w.Account, Limit: w.Limit, WaitSeconds: w.Wait.Seconds(), Until: w.Until.UTC(), Attempt: w.Attempt}
}

func toSyncStatusDTO(st backend.SyncStatus) SyncStatusDTO {
	t := func(v time.Time) *time.Time {
		if v.IsZero() {
			return nil
		}
		u := v.UTC()
		return &u
	}
	return SyncStatusDTO{
		Account: st.Account, State: string(st.State), LastSuccess: t(st.LastSuccess), LastError: st.LastError, ErrorCode: st.ErrorCode,
		LastErrorAt: t(st.LastErrorAt), NextRun: t(st.NextRun), Items: st.Items, LastItems: st.LastItems, Failures: st.Failures,
		Skipped: st.Skipped, SkipReason: st.SkipReason, Note: st.Note, Progress: st.Progress,
	}
}

// WebhookDTO is the webhook receiver's state; the secret never comes back.
type WebhookDTO struct {
	Addr      string `json:"addr"` // where it listens ("" = off: CASEYOS_WEBHOOK_ADDR is not set)
	HasSecret bool   `json:"has_secret"`
}

// BackupDTO reports a backup.
type BackupDTO struct {
	Path   string `json:"path"`
	Source string `json:"source"`
	Bytes  int64  `json:"bytes"`
}

func fromDraftDTO(d DraftDTO) backend.Draft {
	out := backend.Draft{To: d.To, Cc: d.Cc, Subject: d.Subject, Body: d.Body, ThreadID: d.ThreadID, InReplyTo: d.InReplyTo,
		TaskTitle: d.TaskTitle, DealStage: d.DealStage, PostID: d.PostID, MergeIDs: d.MergeIDs, Fields: d.Fields}
	if d.TaskDue != nil {
		out.TaskDue = *d.TaskDue
	}
	return out
}

func toSettingsDTO(s *backend.Settings) SettingsDTO {
	out := SettingsDTO{
		Weights:           WeightsDTO{s.Weights.Revenue, s.Weights.Urgency, s.Weights.Effort, s.Weights.Strategic},
		ICP:               ICPDTO{Base: s.ICP.Base, Rules: []ICPRuleDTO{}},
		UndoWindowSeconds: s.UndoWindow.Seconds(), DailyCaps: map[string]int{}, TodayLimit: s.TodayLimit,
		StalledDealDays: s.StalledDealDays, OwnerName: s.OwnerName, OwnerEmail: s.OwnerEmail,
		Competitors: append([]string{}, s.Competitors...),
		ProductName: &s.ProductName, ProductKeywords: append([]string{}, s.ProductKeywords...), RetentionMonths: s.Retention(),
	}
	out.FollowUps = &FollowUpsDTO{On: s.FollowUps.On, Steps: s.FollowUps.Steps, GapDays: s.FollowUps.GapDays}
	w := s.Workday()
	out.WorkingHours = &WorkingHoursDTO{StartMinutes: int(w.Start / time.Minute), EndMinutes: int(w.End / time.Minute)}
	for _, r := range s.ICP.Rules {
		out.ICP.Rules = append(out.ICP.Rules, ICPRuleDTO{r.Field, r.Op, r.Values, r.Min, r.Max, r.Weight, r.Label})
	}
	for k, n := range s.DailyCaps {
		out.DailyCaps[string(k)] = n
	}
	out.Pricing, out.Facts = toReplyFactsDTO(s)
	out.Learning = toLearningDTO(s.Learning)
	out.Notifications = toNotificationsDTO(s.Notifications)
	return out
}

// applySettingsDTO overlays what the settings screen edits onto s; the
// rest of s (curves, windows) is kept.
func applySettingsDTO(s *backend.Settings, in SettingsDTO) {
	s.Weights = backend.Weights{Revenue: in.Weights.Revenue, Urgency: in.Weights.Urgency, Effort: in.Weights.Effort, Strategic: in.Weights.Strategic}
	s.ICP = backend.ICP{Base: in.ICP.Base}
	for _, r := range in.ICP.Rules {
		s.ICP.Rules = append(s.ICP.Rules, backend.ICPRule{Field: r.Field, Op: r.Op, Values: r.Values, Min: r.Min, Max: r.Max, Weight: r.Weight, Label: r.Label})
	}
	s.UndoWindow = time.Duration(in.UndoWindowSeconds * float64(time.Second))
	s.DailyCaps = map[backend.MoveKind]int{}
	for k, n := range in.DailyCaps {
		s.DailyCaps[backend.MoveKind(k)] = n
	}
	s.TodayLimit, s.StalledDealDays, s.OwnerName, s.OwnerEmail = in.TodayLimit, in.StalledDealDays, in.OwnerName, in.OwnerEmail
	if in.Competitors != nil {
		s.Competitors = nil
		for _, c := range in.Competitors {
			if c = strings.TrimSpace(c); c != "" {
				s.Competitors = append(s.Competitors, c)
			}
		}
	}
	if w := in.WorkingHours; w != nil {
		s.WorkingHours = backend.WorkingHours{Start: time.Duration(w.StartMinutes) * time.Minute, End: time.Duration(w.EndMinutes) * time.Minute}
	}
	applyReplyFactsDTO(s, in.Pricing, in.Facts)
	applyLearningDTO(s, in.Learning)
	applyNotificationsDTO(s, in.Notifications)
	if in.ProductName != nil {
		s.ProductName = strings.TrimSpace(*in.ProductName)
	}
	if in.ProductKeywords != nil {
		s.ProductKeywords = nil
		for _, k := range in.ProductKeywords {
			if k = strings.TrimSpace(k); k != "" {
				s.ProductKeywords = append(s.ProductKeywords, k)
			}
		}
	}
	if f := in.FollowUps; f != nil {
		s.FollowUps = backend.FollowUps{On: f.On, Steps: f.Steps, GapDays: f.GapDays}
	}
	if in.RetentionMonths != 0 {
		s.RetentionMonths = in.RetentionMonths
	}
}
