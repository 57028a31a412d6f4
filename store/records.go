package store

import (
	"fmt"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	// goccy/go-json is a drop-in for encoding/json that encodes and decodes
	// the records about twice as fast; ingest spends a third of its time
	// here (docs/benchmarks.md).
	json "github.com/goccy/go-json"

	"github.com/caseyos/caseyos/backend"
)

// The records below are the disk format. They are mapped to and from the
// backend types by hand so that renaming or adding a domain field never
// silently changes what is on disk: a change here is a schema change (see
// migrate.go). Times are stored in UTC (RFC 3339 with nanoseconds) and come
// back in UTC; empty slices and maps come back nil.

type signalRecord struct {
	Source     string            `json:"source"`
	Type       string            `json:"type"`
	OccurredAt time.Time         `json:"occurred_at"`
	ReceivedAt time.Time         `json:"received_at"`
	DedupeKey  string            `json:"dedupe_key"`
	ContactID  string            `json:"contact_id,omitempty"`
	CompanyID  string            `json:"company_id,omitempty"`
	DealID     string            `json:"deal_id,omitempty"`
	ThreadID   string            `json:"thread_id,omitempty"`
	Contact    *contactRecord    `json:"contact,omitempty"`
	Company    *companyRecord    `json:"company,omitempty"`
	Deal       *dealRecord       `json:"deal,omitempty"`
	Email      *emailRecord      `json:"email,omitempty"`
	Meeting    *meetingRecord    `json:"meeting,omitempty"`
	Post       *postRecord       `json:"post,omitempty"`
	Form       *formRecord       `json:"form,omitempty"`
	Payload    map[string]string `json:"payload,omitempty"`
}

type emailRecord struct {
	ThreadID   string    `json:"thread_id,omitempty"`
	MessageID  string    `json:"message_id,omitempty"`
	From       string    `json:"from,omitempty"`
	FromName   string    `json:"from_name,omitempty"`
	To         []string  `json:"to,omitempty"`
	Subject    string    `json:"subject,omitempty"`
	Snippet    string    `json:"snippet,omitempty"`
	ReceivedAt time.Time `json:"received_at"`
}

type meetingRecord struct {
	ID        string    `json:"id,omitempty"`
	Title     string    `json:"title,omitempty"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	Attendees []string  `json:"attendees,omitempty"`
	External  bool      `json:"external,omitempty"`
	Link      string    `json:"link,omitempty"`
}

type postRecord struct {
	ID         string `json:"id,omitempty"`
	Author     string `json:"author,omitempty"`
	Text       string `json:"text,omitempty"`
	URL        string `json:"url,omitempty"`
	Competitor string `json:"competitor,omitempty"`
}

type formRecord struct {
	Form   string            `json:"form,omitempty"`
	Fields map[string]string `json:"fields,omitempty"`
}

type contactRecord struct {
	ID             string    `json:"id"`
	Email          string    `json:"email,omitempty"`
	Name           string    `json:"name,omitempty"`
	Title          string    `json:"title,omitempty"`
	CompanyID      string    `json:"company_id,omitempty"`
	Lifecycle      string    `json:"lifecycle,omitempty"`
	Timezone       string    `json:"timezone,omitempty"`
	LastActivityAt time.Time `json:"last_activity_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

type companyRecord struct {
	ID          string    `json:"id"`
	Name        string    `json:"name,omitempty"`
	Domain      string    `json:"domain,omitempty"`
	Industry    string    `json:"industry,omitempty"`
	Employees   int       `json:"employees,omitempty"`
	Country     string    `json:"country,omitempty"`
	ExpectedARR float64   `json:"expected_arr,omitempty"`
	Tags        []string  `json:"tags,omitempty"`
	UpdatedAt   time.Time `json:"updated_at"`
}

type dealRecord struct {
	ID             string    `json:"id"`
	Name           string    `json:"name,omitempty"`
	Amount         float64   `json:"amount,omitempty"`
	Currency       string    `json:"currency,omitempty"`
	Stage          string    `json:"stage,omitempty"`
	Pipeline       string    `json:"pipeline,omitempty"`
	CloseDate      time.Time `json:"close_date"`
	CompanyID      string    `json:"company_id,omitempty"`
	ContactIDs     []string  `json:"contact_ids,omitempty"`
	LastActivityAt time.Time `json:"last_activity_at"`
	StageChangedAt time.Time `json:"stage_changed_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

type moveRecord struct {
	Kind         string      `json:"kind"`
	Domain       string      `json:"domain"`
	Title        string      `json:"title"`
	Why          []string    `json:"why,omitempty"`
	Reasons      []string    `json:"reasons,omitempty"`
	Score        scoreRecord `json:"score"`
	Status       string      `json:"status"`
	Draft        draftRecord `json:"draft"`
	SubjectType  string      `json:"subject_type"`
	SubjectID    string      `json:"subject_id"`
	ContactID    string      `json:"contact_id,omitempty"`
	CompanyID    string      `json:"company_id,omitempty"`
	DealID       string      `json:"deal_id,omitempty"`
	Source       string      `json:"source,omitempty"`
	SignalIDs    []uint64    `json:"signal_ids,omitempty"`
	DueAt        time.Time   `json:"due_at"`
	DueLabel     string      `json:"due_label,omitempty"`
	ExpiresAt    time.Time   `json:"expires_at"`
	SnoozedUntil time.Time   `json:"snoozed_until"`
	SkipReason   string      `json:"skip_reason,omitempty"`
	LastError    string      `json:"last_error,omitempty"`
	DraftEdited  bool        `json:"draft_edited,omitempty"`
	StallNudge   bool        `json:"stall_nudge,omitempty"`
	SignalAt     time.Time   `json:"signal_at"`
	CreatedAt    time.Time   `json:"created_at"`
	UpdatedAt    time.Time   `json:"updated_at"`
	DoneAt       time.Time   `json:"done_at"`
}

type scoreRecord struct {
	APS        float64         `json:"aps"`
	Revenue    componentRecord `json:"revenue"`
	Urgency    componentRecord `json:"urgency"`
	Effort     componentRecord `json:"effort"`
	Strategic  componentRecord `json:"strategic"`
	Weights    weightsRecord   `json:"weights"`
	ComputedAt time.Time       `json:"computed_at"`
	RescoreAt  time.Time       `json:"rescore_at"`
}

type componentRecord struct {
	Value  float64 `json:"value"`
	Reason string  `json:"reason,omitempty"`
}

type weightsRecord struct {
	Revenue   float64 `json:"revenue"`
	Urgency   float64 `json:"urgency"`
	Effort    float64 `json:"effort"`
	Strategic float64 `json:"strategic"`
}

type draftRecord struct {
	To        []string          `json:"to,omitempty"`
	Cc        []string          `json:"cc,omitempty"`
	Subject   string            `json:"subject,omitempty"`
	Body      string            `json:"body,omitempty"`
	ThreadID  string            `json:"thread_id,omitempty"`
	InReplyTo string            `json:"in_reply_to,omitempty"`
	TaskTitle string            `json:"task_title,omitempty"`
	TaskDue   time.Time         `json:"task_due"`
	DealStage string            `json:"deal_stage,omitempty"`
	PostID    string            `json:"post_id,omitempty"`
	MergeIDs  []string          `json:"merge_ids,omitempty"`
	Duration  int64             `json:"duration_ns,omitempty"`
	Fields    map[string]string `json:"fields,omitempty"`
}

type executionRecord struct {
	MoveID         uint64            `json:"move_id"`
	IdempotencyKey string            `json:"idempotency_key"`
	State          string            `json:"state"`
	Kind           string            `json:"kind"`
	Actor          string            `json:"actor,omitempty"`
	Draft          draftRecord       `json:"draft"`
	RemoteIDs      map[string]string `json:"remote_ids,omitempty"`
	Result         string            `json:"result,omitempty"`
	Error          string            `json:"error,omitempty"`
	CreatedAt      time.Time         `json:"created_at"`
	UpdatedAt      time.Time         `json:"updated_at"`
	CommittedAt    time.Time         `json:"committed_at"`
	// Written since the execution engine (issue 6); absent in older files,
	// where they read as zero.
	Action       string     `json:"action,omitempty"`
	Plan         string     `json:"plan,omitempty"` // backend.Plan's canonical JSON, kept as written (a string: byte-exact)
	PlanHash     string     `json:"plan_hash,omitempty"`
	UndoUntil    *time.Time `json:"undo_until,omitempty"`
	NotBefore    *time.Time `json:"not_before,omitempty"`
	Queued       string     `json:"queued,omitempty"`
	Attempts     int        `json:"attempts,omitempty"`
	RolledBackAt *time.Time `json:"rolled_back_at,omitempty"`
}

// guardrailsRecord is meta/guardrails.
type guardrailsRecord struct {
	KillSwitch       bool      `json:"kill_switch"`
	KillSwitchAt     time.Time `json:"kill_switch_at"`
	KillSwitchBy     string    `json:"kill_switch_by,omitempty"`
	KillSwitchReason string    `json:"kill_switch_reason,omitempty"`
	SendWindowStart  int       `json:"send_window_start"` // minutes after local midnight
	SendWindowEnd    int       `json:"send_window_end"`
	SkipWeekends     bool      `json:"skip_weekends"`
}

// dncRecord is one do-not-contact entry; the key is the address.
type dncRecord struct {
	Reason string    `json:"reason"`
	Note   string    `json:"note,omitempty"`
	Actor  string    `json:"actor,omitempty"`
	At     time.Time `json:"at"`
}

// ruleRecord is one auto-approval rule.
type ruleRecord struct {
	Name         string    `json:"name"`
	Enabled      bool      `json:"enabled"`
	Kinds        []string  `json:"kinds,omitempty"`
	Domains      []string  `json:"domains,omitempty"`
	EmailDomains []string  `json:"email_domains,omitempty"`
	MinScore     float64   `json:"min_score,omitempty"`
	Segments     []string  `json:"segments,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

type outcomeRecord struct {
	MoveID      uint64    `json:"move_id"`
	ExecutionID uint64    `json:"execution_id,omitempty"`
	Type        string    `json:"type"`
	SignalID    uint64    `json:"signal_id,omitempty"`
	Note        string    `json:"note,omitempty"`
	Actor       string    `json:"actor,omitempty"`
	OccurredAt  time.Time `json:"occurred_at"`
	RecordedAt  time.Time `json:"recorded_at"`
}

type auditRecord struct {
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	Action   string    `json:"action"`
	MoveID   uint64    `json:"move_id,omitempty"`
	From     string    `json:"from,omitempty"`
	To       string    `json:"to,omitempty"`
	Detail   string    `json:"detail,omitempty"`
	APS      float64   `json:"aps,omitempty"`
	Reasons  []string  `json:"reasons,omitempty"`
	Version  int       `json:"v,omitempty"` // backend.AuditKeyed; absent (schema 2 and older): plain
	PrevHash string    `json:"prev_hash,omitempty"`
	Hash     string    `json:"hash"`
}

// settingsRecord has no omitempty: every setting is written out, so a
// stored file shows exactly what the founder chose.
type settingsRecord struct {
	Weights           weightsRecord      `json:"weights"`
	RevenueCurve      []curvePointRecord `json:"revenue_curve"`
	UnknownRevenue    float64            `json:"unknown_revenue"`
	UrgencyCurve      []curvePointRecord `json:"urgency_curve"`
	NoDeadlineUrgency float64            `json:"no_deadline_urgency"`
	EffortMinutes     map[string]int     `json:"effort_minutes"`
	MaxEffortMinutes  int                `json:"max_effort_minutes"`
	ICP               icpRecord          `json:"icp"`
	StalledDealDays   int                `json:"stalled_deal_days"`
	ReplyWindow       int64              `json:"reply_window_ns"`
	LeadResponse      int64              `json:"lead_response_ns"`
	MeetingFollowUp   int64              `json:"meeting_follow_up_ns"`
	MentionWindow     int64              `json:"mention_window_ns"`
	StageSLA          int64              `json:"stage_sla_ns"`
	DemoStages        []string           `json:"demo_stages"`
	WonStages         []string           `json:"won_stages"`
	LostStages        []string           `json:"lost_stages"`
	TodayLimit        int                `json:"today_limit"`
	UndoWindow        int64              `json:"undo_window_ns"`
	DailyCaps         map[string]int     `json:"daily_caps"`
	OwnerName         string             `json:"owner_name"`
	OwnerEmail        string             `json:"owner_email"`
	// Transcription is absent in files from before the online recognizer
	// and when none is configured.
	Transcription *transcriptionRecord `json:"transcription,omitempty"`
}

type transcriptionRecord struct {
	URL     string `json:"url"`
	Model   string `json:"model,omitempty"`
	Timeout int64  `json:"timeout_ns,omitempty"`
}

type curvePointRecord struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

type icpRecord struct {
	Base  float64         `json:"base"`
	Rules []icpRuleRecord `json:"rules"`
}

type icpRuleRecord struct {
	Field  string   `json:"field"`
	Op     string   `json:"op"`
	Values []string `json:"values"`
	Min    float64  `json:"min"`
	Max    float64  `json:"max"`
	Weight float64  `json:"weight"`
	Label  string   `json:"label"`
}

type workspaceRecord struct {
	Demo      bool      `json:"demo"`
	CreatedAt time.Time `json:"created_at"`
	SeededAt  time.Time `json:"seeded_at"`
}

// utc drops the location and monotonic reading; the zero time stays zero.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

func cloneStrings(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return append([]string(nil), s...)
}

func cloneMap[K ~string, V any](m map[K]V) map[string]V {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]V, len(m))
	for k, v := range m {
		out[string(k)] = v
	}
	return out
}

func cloneStringMap(m map[string]string) map[string]string { return cloneMap(m) }

// --- signals ---

func toSignalRecord(s *backend.Signal) signalRecord {
	r := signalRecord{
		Source:     string(s.Source),
		Type:       string(s.Type),
		OccurredAt: utc(s.OccurredAt),
		ReceivedAt: utc(s.ReceivedAt),
		DedupeKey:  s.DedupeKey,
		ContactID:  s.ContactID,
		CompanyID:  s.CompanyID,
		DealID:     s.DealID,
		ThreadID:   s.ThreadID,
		Payload:    cloneStringMap(s.Payload),
	}
	if s.Contact != nil {
		c := toContactRecord(s.Contact)
		r.Contact = &c
	}
	if s.Company != nil {
		c := toCompanyRecord(s.Company)
		r.Company = &c
	}
	if s.Deal != nil {
		d := toDealRecord(s.Deal)
		r.Deal = &d
	}
	if e := s.Email; e != nil {
		r.Email = &emailRecord{
			ThreadID: e.ThreadID, MessageID: e.MessageID, From: e.From, FromName: e.FromName,
			To: cloneStrings(e.To), Subject: e.Subject, Snippet: e.Snippet, ReceivedAt: utc(e.ReceivedAt),
		}
	}
	if m := s.Meeting; m != nil {
		r.Meeting = &meetingRecord{
			ID: m.ID, Title: m.Title, Start: utc(m.Start), End: utc(m.End),
			Attendees: cloneStrings(m.Attendees), External: m.External, Link: m.Link,
		}
	}
	if p := s.Post; p != nil {
		r.Post = &postRecord{ID: p.ID, Author: p.Author, Text: p.Text, URL: p.URL, Competitor: p.Competitor}
	}
	if f := s.Form; f != nil {
		r.Form = &formRecord{Form: f.Form, Fields: cloneStringMap(f.Fields)}
	}
	return r
}

func fromSignalRecord(id uint64, r *signalRecord) *backend.Signal {
	s := &backend.Signal{
		ID:         id,
		Source:     backend.Source(r.Source),
		Type:       backend.SignalType(r.Type),
		OccurredAt: r.OccurredAt,
		ReceivedAt: r.ReceivedAt,
		DedupeKey:  r.DedupeKey,
		ContactID:  r.ContactID,
		CompanyID:  r.CompanyID,
		DealID:     r.DealID,
		ThreadID:   r.ThreadID,
		Payload:    r.Payload,
	}
	if r.Contact != nil {
		s.Contact = fromContactRecord(r.Contact)
	}
	if r.Company != nil {
		s.Company = fromCompanyRecord(r.Company)
	}
	if r.Deal != nil {
		s.Deal = fromDealRecord(r.Deal)
	}
	if e := r.Email; e != nil {
		s.Email = &backend.EmailMessage{
			ThreadID: e.ThreadID, MessageID: e.MessageID, From: e.From, FromName: e.FromName,
			To: e.To, Subject: e.Subject, Snippet: e.Snippet, ReceivedAt: e.ReceivedAt,
		}
	}
	if m := r.Meeting; m != nil {
		s.Meeting = &backend.Meeting{
			ID: m.ID, Title: m.Title, Start: m.Start, End: m.End,
			Attendees: m.Attendees, External: m.External, Link: m.Link,
		}
	}
	if p := r.Post; p != nil {
		s.Post = &backend.Post{ID: p.ID, Author: p.Author, Text: p.Text, URL: p.URL, Competitor: p.Competitor}
	}
	if f := r.Form; f != nil {
		s.Form = &backend.FormSubmission{Form: f.Form, Fields: f.Fields}
	}
	return s
}

// --- CRM ---

func toContactRecord(c *backend.Contact) contactRecord {
	return contactRecord{
		ID: c.ID, Email: c.Email, Name: c.Name, Title: c.Title, CompanyID: c.CompanyID,
		Lifecycle: c.Lifecycle, Timezone: c.Timezone,
		LastActivityAt: utc(c.LastActivityAt), UpdatedAt: utc(c.UpdatedAt),
	}
}

func fromContactRecord(r *contactRecord) *backend.Contact {
	return &backend.Contact{
		ID: r.ID, Email: r.Email, Name: r.Name, Title: r.Title, CompanyID: r.CompanyID,
		Lifecycle: r.Lifecycle, Timezone: r.Timezone,
		LastActivityAt: r.LastActivityAt, UpdatedAt: r.UpdatedAt,
	}
}

func toCompanyRecord(c *backend.Company) companyRecord {
	return companyRecord{
		ID: c.ID, Name: c.Name, Domain: c.Domain, Industry: c.Industry, Employees: c.Employees,
		Country: c.Country, ExpectedARR: c.ExpectedARR, Tags: cloneStrings(c.Tags), UpdatedAt: utc(c.UpdatedAt),
	}
}

func fromCompanyRecord(r *companyRecord) *backend.Company {
	return &backend.Company{
		ID: r.ID, Name: r.Name, Domain: r.Domain, Industry: r.Industry, Employees: r.Employees,
		Country: r.Country, ExpectedARR: r.ExpectedARR, Tags: r.Tags, UpdatedAt: r.UpdatedAt,
	}
}

func toDealRecord(d *backend.Deal) dealRecord {
	return dealRecord{
		ID: d.ID, Name: d.Name, Amount: d.Amount, Currency: d.Currency, Stage: d.Stage,
		Pipeline: d.Pipeline, CloseDate: utc(d.CloseDate), CompanyID: d.CompanyID,
		ContactIDs: cloneStrings(d.ContactIDs), LastActivityAt: utc(d.LastActivityAt),
		StageChangedAt: utc(d.StageChangedAt), UpdatedAt: utc(d.UpdatedAt),
	}
}

func fromDealRecord(r *dealRecord) *backend.Deal {
	return &backend.Deal{
		ID: r.ID, Name: r.Name, Amount: r.Amount, Currency: r.Currency, Stage: r.Stage,
		Pipeline: r.Pipeline, CloseDate: r.CloseDate, CompanyID: r.CompanyID,
		ContactIDs: r.ContactIDs, LastActivityAt: r.LastActivityAt,
		StageChangedAt: r.StageChangedAt, UpdatedAt: r.UpdatedAt,
	}
}

// --- moves ---

func toMoveRecord(m *backend.Move) moveRecord {
	return moveRecord{
		Kind:         string(m.Kind),
		Domain:       string(m.Domain),
		Title:        m.Title,
		Why:          cloneStrings(m.Why),
		Reasons:      cloneStrings(m.Reasons),
		Score:        toScoreRecord(m.Score),
		Status:       string(m.Status),
		Draft:        toDraftRecord(m.Draft),
		SubjectType:  string(m.Subject.Type),
		SubjectID:    m.Subject.ID,
		ContactID:    m.ContactID,
		CompanyID:    m.CompanyID,
		DealID:       m.DealID,
		Source:       string(m.Source),
		SignalIDs:    append([]uint64(nil), m.SignalIDs...),
		DueAt:        utc(m.DueAt),
		DueLabel:     m.DueLabel,
		ExpiresAt:    utc(m.ExpiresAt),
		SnoozedUntil: utc(m.SnoozedUntil),
		SkipReason:   m.SkipReason,
		LastError:    m.LastError,
		DraftEdited:  m.DraftEdited,
		StallNudge:   m.StallNudge,
		SignalAt:     utc(m.SignalAt),
		CreatedAt:    utc(m.CreatedAt),
		UpdatedAt:    utc(m.UpdatedAt),
		DoneAt:       utc(m.DoneAt),
	}
}

func fromMoveRecord(id uint64, r *moveRecord) *backend.Move {
	return &backend.Move{
		ID:           id,
		Kind:         backend.MoveKind(r.Kind),
		Domain:       backend.Domain(r.Domain),
		Title:        r.Title,
		Why:          r.Why,
		Reasons:      r.Reasons,
		Score:        fromScoreRecord(r.Score),
		Status:       backend.MoveStatus(r.Status),
		Draft:        fromDraftRecord(r.Draft),
		Subject:      backend.Subject{Type: backend.SubjectType(r.SubjectType), ID: r.SubjectID},
		ContactID:    r.ContactID,
		CompanyID:    r.CompanyID,
		DealID:       r.DealID,
		Source:       backend.Source(r.Source),
		SignalIDs:    r.SignalIDs,
		DueAt:        r.DueAt,
		DueLabel:     r.DueLabel,
		ExpiresAt:    r.ExpiresAt,
		SnoozedUntil: r.SnoozedUntil,
		SkipReason:   r.SkipReason,
		LastError:    r.LastError,
		DraftEdited:  r.DraftEdited,
		StallNudge:   r.StallNudge,
		SignalAt:     r.SignalAt,
		CreatedAt:    r.CreatedAt,
		UpdatedAt:    r.UpdatedAt,
		DoneAt:       r.DoneAt,
	}
}

func toScoreRecord(s backend.Score) scoreRecord {
	c := func(c backend.Component) componentRecord { return componentRecord{Value: c.Value, Reason: c.Reason} }
	return scoreRecord{
		APS: s.APS, Revenue: c(s.Revenue), Urgency: c(s.Urgency), Effort: c(s.Effort), Strategic: c(s.Strategic),
		Weights: toWeightsRecord(s.Weights), ComputedAt: utc(s.ComputedAt), RescoreAt: utc(s.RescoreAt),
	}
}

func fromScoreRecord(r scoreRecord) backend.Score {
	c := func(c componentRecord) backend.Component { return backend.Component{Value: c.Value, Reason: c.Reason} }
	return backend.Score{
		APS: r.APS, Revenue: c(r.Revenue), Urgency: c(r.Urgency), Effort: c(r.Effort), Strategic: c(r.Strategic),
		Weights: fromWeightsRecord(r.Weights), ComputedAt: r.ComputedAt, RescoreAt: r.RescoreAt,
	}
}

func toWeightsRecord(w backend.Weights) weightsRecord {
	return weightsRecord{Revenue: w.Revenue, Urgency: w.Urgency, Effort: w.Effort, Strategic: w.Strategic}
}

func fromWeightsRecord(r weightsRecord) backend.Weights {
	return backend.Weights{Revenue: r.Revenue, Urgency: r.Urgency, Effort: r.Effort, Strategic: r.Strategic}
}

func toDraftRecord(d backend.Draft) draftRecord {
	return draftRecord{
		To: cloneStrings(d.To), Cc: cloneStrings(d.Cc), Subject: d.Subject, Body: d.Body,
		ThreadID: d.ThreadID, InReplyTo: d.InReplyTo, TaskTitle: d.TaskTitle, TaskDue: utc(d.TaskDue),
		DealStage: d.DealStage, PostID: d.PostID, MergeIDs: cloneStrings(d.MergeIDs),
		Duration: int64(d.Duration), Fields: cloneStringMap(d.Fields),
	}
}

func fromDraftRecord(r draftRecord) backend.Draft {
	return backend.Draft{
		To: r.To, Cc: r.Cc, Subject: r.Subject, Body: r.Body,
		ThreadID: r.ThreadID, InReplyTo: r.InReplyTo, TaskTitle: r.TaskTitle, TaskDue: r.TaskDue,
		DealStage: r.DealStage, PostID: r.PostID, MergeIDs: r.MergeIDs,
		Duration: time.Duration(r.Duration), Fields: r.Fields,
	}
}

// --- executions and outcomes ---

func toExecutionRecord(e *backend.Execution) executionRecord {
	return executionRecord{
		MoveID: e.MoveID, IdempotencyKey: e.IdempotencyKey, State: string(e.State), Kind: string(e.Kind),
		Actor: string(e.Actor), Draft: toDraftRecord(e.Draft), RemoteIDs: cloneStringMap(e.RemoteIDs),
		Result: e.Result, Error: e.Error,
		CreatedAt: utc(e.CreatedAt), UpdatedAt: utc(e.UpdatedAt), CommittedAt: utc(e.CommittedAt),
		Action: e.Action, Plan: string(e.Plan), PlanHash: e.PlanHash,
		UndoUntil: optTime(e.UndoUntil), NotBefore: optTime(e.NotBefore), Queued: e.Queued, Attempts: e.Attempts,
		RolledBackAt: optTime(e.RolledBackAt),
	}
}

func planBytes(s string) []byte {
	if s == "" {
		return nil
	}
	return []byte(s)
}

// optTime is nil for the zero time, so unset times are left out.
func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func fromOptTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

func fromExecutionRecord(id uint64, r *executionRecord) *backend.Execution {
	return &backend.Execution{
		ID: id, MoveID: r.MoveID, IdempotencyKey: r.IdempotencyKey, State: backend.ExecutionState(r.State),
		Kind: backend.MoveKind(r.Kind), Actor: backend.Actor(r.Actor), Draft: fromDraftRecord(r.Draft),
		RemoteIDs: r.RemoteIDs, Result: r.Result, Error: r.Error,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, CommittedAt: r.CommittedAt,
		Action: r.Action, Plan: planBytes(r.Plan), PlanHash: r.PlanHash,
		UndoUntil: fromOptTime(r.UndoUntil), NotBefore: fromOptTime(r.NotBefore), Queued: r.Queued, Attempts: r.Attempts,
		RolledBackAt: fromOptTime(r.RolledBackAt),
	}
}

// --- guardrails ---

func toGuardrailsRecord(g *backend.Guardrails) guardrailsRecord {
	return guardrailsRecord{
		KillSwitch: g.KillSwitch, KillSwitchAt: utc(g.KillSwitchAt), KillSwitchBy: string(g.KillSwitchBy), KillSwitchReason: g.KillSwitchReason,
		SendWindowStart: g.SendWindow.Start, SendWindowEnd: g.SendWindow.End, SkipWeekends: g.SendWindow.SkipWeekends,
	}
}

func fromGuardrailsRecord(r *guardrailsRecord) *backend.Guardrails {
	return &backend.Guardrails{
		KillSwitch: r.KillSwitch, KillSwitchAt: r.KillSwitchAt, KillSwitchBy: backend.Actor(r.KillSwitchBy), KillSwitchReason: r.KillSwitchReason,
		SendWindow: backend.SendWindow{Start: r.SendWindowStart, End: r.SendWindowEnd, SkipWeekends: r.SkipWeekends},
	}
}

func toDNCRecord(d *backend.DoNotContact) dncRecord {
	return dncRecord{Reason: d.Reason, Note: d.Note, Actor: string(d.Actor), At: utc(d.At)}
}

func fromDNCRecord(email string, r *dncRecord) *backend.DoNotContact {
	return &backend.DoNotContact{Email: email, Reason: r.Reason, Note: r.Note, Actor: backend.Actor(r.Actor), At: r.At}
}

func toRuleRecord(r *backend.Rule) ruleRecord {
	out := ruleRecord{Name: r.Name, Enabled: r.Enabled, EmailDomains: slices.Clone(r.EmailDomains), MinScore: r.MinScore,
		Segments: slices.Clone(r.Segments), CreatedAt: utc(r.CreatedAt), UpdatedAt: utc(r.UpdatedAt)}
	for _, k := range r.Kinds {
		out.Kinds = append(out.Kinds, string(k))
	}
	for _, d := range r.Domains {
		out.Domains = append(out.Domains, string(d))
	}
	return out
}

func fromRuleRecord(id uint64, r *ruleRecord) *backend.Rule {
	out := &backend.Rule{ID: id, Name: r.Name, Enabled: r.Enabled, EmailDomains: r.EmailDomains, MinScore: r.MinScore,
		Segments: r.Segments, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	for _, k := range r.Kinds {
		out.Kinds = append(out.Kinds, backend.MoveKind(k))
	}
	for _, d := range r.Domains {
		out.Domains = append(out.Domains, backend.Domain(d))
	}
	return out
}

func toOutcomeRecord(o *backend.Outcome) outcomeRecord {
	return outcomeRecord{
		MoveID: o.MoveID, ExecutionID: o.ExecutionID, Type: string(o.Type), SignalID: o.SignalID,
		Note: o.Note, Actor: string(o.Actor), OccurredAt: utc(o.OccurredAt), RecordedAt: utc(o.RecordedAt),
	}
}

func fromOutcomeRecord(id uint64, r *outcomeRecord) *backend.Outcome {
	return &backend.Outcome{
		ID: id, MoveID: r.MoveID, ExecutionID: r.ExecutionID, Type: backend.OutcomeType(r.Type),
		SignalID: r.SignalID, Note: r.Note, Actor: backend.Actor(r.Actor),
		OccurredAt: r.OccurredAt, RecordedAt: r.RecordedAt,
	}
}

// --- audit ---

func toAuditRecord(e *backend.AuditEntry) auditRecord {
	r := auditRecord{
		At: utc(e.At), Actor: string(e.Actor), Action: e.Action, MoveID: e.MoveID,
		From: string(e.From), To: string(e.To), Detail: e.Detail, APS: e.APS,
		Reasons: cloneStrings(e.Reasons), PrevHash: e.PrevHash, Hash: e.Hash,
	}
	if e.Version != backend.AuditPlain {
		r.Version = e.Version
	}
	return r
}

func fromAuditRecord(seq uint64, r *auditRecord) *backend.AuditEntry {
	e := &backend.AuditEntry{
		Seq: seq, At: r.At, Actor: backend.Actor(r.Actor), Action: r.Action, MoveID: r.MoveID,
		From: backend.MoveStatus(r.From), To: backend.MoveStatus(r.To), Detail: r.Detail, APS: r.APS,
		Reasons: r.Reasons, Version: r.Version, PrevHash: r.PrevHash, Hash: r.Hash,
	}
	if e.Version == 0 {
		e.Version = backend.AuditPlain
	}
	return e
}

// --- settings and workspace ---

func toCurveRecord(c backend.Curve) []curvePointRecord {
	out := make([]curvePointRecord, len(c))
	for i, p := range c {
		out[i] = curvePointRecord{X: p.X, Y: p.Y}
	}
	return out
}

func fromCurveRecord(r []curvePointRecord) backend.Curve {
	if r == nil {
		return nil
	}
	out := make(backend.Curve, len(r))
	for i, p := range r {
		out[i] = backend.CurvePoint{X: p.X, Y: p.Y}
	}
	return out
}

func fromKindMap(m map[string]int) map[backend.MoveKind]int {
	if m == nil {
		return nil
	}
	out := make(map[backend.MoveKind]int, len(m))
	for k, v := range m {
		out[backend.MoveKind(k)] = v
	}
	return out
}

func toSettingsRecord(s *backend.Settings) settingsRecord {
	rules := make([]icpRuleRecord, len(s.ICP.Rules))
	for i, r := range s.ICP.Rules {
		rules[i] = icpRuleRecord{
			Field: r.Field, Op: r.Op, Values: cloneStrings(r.Values),
			Min: r.Min, Max: r.Max, Weight: r.Weight, Label: r.Label,
		}
	}
	return settingsRecord{
		Weights:           toWeightsRecord(s.Weights),
		RevenueCurve:      toCurveRecord(s.RevenueCurve),
		UnknownRevenue:    s.UnknownRevenue,
		UrgencyCurve:      toCurveRecord(s.UrgencyCurve),
		NoDeadlineUrgency: s.NoDeadlineUrgency,
		EffortMinutes:     cloneMap(s.EffortMinutes),
		MaxEffortMinutes:  s.MaxEffortMinutes,
		ICP:               icpRecord{Base: s.ICP.Base, Rules: rules},
		StalledDealDays:   s.StalledDealDays,
		ReplyWindow:       int64(s.ReplyWindow),
		LeadResponse:      int64(s.LeadResponse),
		MeetingFollowUp:   int64(s.MeetingFollowUp),
		MentionWindow:     int64(s.MentionWindow),
		StageSLA:          int64(s.StageSLA),
		DemoStages:        cloneStrings(s.DemoStages),
		WonStages:         cloneStrings(s.WonStages),
		LostStages:        cloneStrings(s.LostStages),
		TodayLimit:        s.TodayLimit,
		UndoWindow:        int64(s.UndoWindow),
		DailyCaps:         cloneMap(s.DailyCaps),
		OwnerName:         s.OwnerName,
		OwnerEmail:        s.OwnerEmail,
		Transcription:     toTranscriptionRecord(s.Transcription),
	}
}

func toTranscriptionRecord(t backend.Transcription) *transcriptionRecord {
	if t == (backend.Transcription{}) {
		return nil
	}
	return &transcriptionRecord{URL: t.URL, Model: t.Model, Timeout: int64(t.Timeout)}
}

func fromSettingsRecord(r *settingsRecord) *backend.Settings {
	var rules []backend.ICPRule
	if len(r.ICP.Rules) > 0 {
		rules = make([]backend.ICPRule, len(r.ICP.Rules))
		for i, x := range r.ICP.Rules {
			rules[i] = backend.ICPRule{
				Field: x.Field, Op: x.Op, Values: x.Values,
				Min: x.Min, Max: x.Max, Weight: x.Weight, Label: x.Label,
			}
		}
	}
	return &backend.Settings{
		Weights:           fromWeightsRecord(r.Weights),
		RevenueCurve:      fromCurveRecord(r.RevenueCurve),
		UnknownRevenue:    r.UnknownRevenue,
		UrgencyCurve:      fromCurveRecord(r.UrgencyCurve),
		NoDeadlineUrgency: r.NoDeadlineUrgency,
		EffortMinutes:     fromKindMap(r.EffortMinutes),
		MaxEffortMinutes:  r.MaxEffortMinutes,
		ICP:               backend.ICP{Base: r.ICP.Base, Rules: rules},
		StalledDealDays:   r.StalledDealDays,
		ReplyWindow:       time.Duration(r.ReplyWindow),
		LeadResponse:      time.Duration(r.LeadResponse),
		MeetingFollowUp:   time.Duration(r.MeetingFollowUp),
		MentionWindow:     time.Duration(r.MentionWindow),
		StageSLA:          time.Duration(r.StageSLA),
		DemoStages:        r.DemoStages,
		WonStages:         r.WonStages,
		LostStages:        r.LostStages,
		TodayLimit:        r.TodayLimit,
		UndoWindow:        time.Duration(r.UndoWindow),
		DailyCaps:         fromKindMap(r.DailyCaps),
		OwnerName:         r.OwnerName,
		OwnerEmail:        r.OwnerEmail,
		Transcription:     fromTranscriptionRecord(r.Transcription),
	}
}

func fromTranscriptionRecord(r *transcriptionRecord) backend.Transcription {
	if r == nil {
		return backend.Transcription{}
	}
	return backend.Transcription{URL: r.URL, Model: r.Model, Timeout: time.Duration(r.Timeout)}
}

func toWorkspaceRecord(w *backend.Workspace) workspaceRecord {
	return workspaceRecord{Demo: w.Demo, CreatedAt: utc(w.CreatedAt), SeededAt: utc(w.SeededAt)}
}

func fromWorkspaceRecord(r *workspaceRecord) *backend.Workspace {
	return &backend.Workspace{Demo: r.Demo, CreatedAt: r.CreatedAt, SeededAt: r.SeededAt}
}

// --- encoding ---

// encode marshals a record. The only values JSON cannot hold are NaN,
// infinities and years outside 0–9999; they are the caller's mistake.
func encode(op, what string, rec any) ([]byte, error) {
	b, err := json.MarshalNoEscape(rec)
	if err != nil {
		return nil, &backend.Error{
			Code:    backend.EINVALID,
			Message: fmt.Sprintf("%s has a number or time that cannot be stored (NaN, infinity, or a year outside 0–9999)", what),
			Op:      op, Err: err,
		}
	}
	return b, nil
}

// decode unmarshals the value stored under key in bucket. Anything but a
// JSON object of the right shape is a damaged record, never a zero value.
func decode(bucket, key, v []byte, rec any) error {
	if len(v) == 0 || v[0] != '{' {
		return corrupt(bucket, key, fmt.Errorf("value is not a JSON object"))
	}
	if err := json.Unmarshal(v, rec); err != nil {
		return corrupt(bucket, key, err)
	}
	return nil
}

// corrupt is the EINTERNAL error for a record or index entry that cannot be
// read; its message names where it is so it can be found with a bbolt tool.
func corrupt(bucket, key []byte, err error) error {
	return &backend.Error{
		Code:    backend.EINTERNAL,
		Message: fmt.Sprintf("the data file has a damaged record (bucket %s, key %s); restore it from a backup", bucket, keyString(key)),
		Err:     err,
	}
}

// keyString renders a key for a message: ids as numbers, text as quoted
// text, anything else as hex.
func keyString(key []byte) string {
	if id, ok := decodeU64(key); ok {
		return strconv.FormatUint(id, 10)
	}
	if utf8.Valid(key) {
		printable := true
		for _, r := range string(key) {
			if r < 0x20 {
				printable = false
				break
			}
		}
		if printable {
			return strconv.Quote(string(key))
		}
	}
	return fmt.Sprintf("%x", key)
}
