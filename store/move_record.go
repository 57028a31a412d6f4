package store

// The disk format of moves/<id>: the move, with its score and its draft
// (which an execution carries too). record.go says what every record
// follows.

import (
	"time"

	"github.com/caseyos/caseyos/backend"
)

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

	// The draft's provenance, absent for an offline draft (model_record.go).
	DraftBy   string               `json:"draft_by,omitempty"`
	DraftSent []modelMessageRecord `json:"draft_sent,omitempty"`
	DraftNote string               `json:"draft_note,omitempty"`
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
	Learned    *learnedRecord  `json:"learned,omitempty"`
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
		DraftBy:      m.DraftBy,
		DraftSent:    toModelMessageRecords(m.DraftSent),
		DraftNote:    m.DraftNote,
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
		DraftBy:      r.DraftBy,
		DraftSent:    fromModelMessageRecords(r.DraftSent),
		DraftNote:    r.DraftNote,
	}
}

func toScoreRecord(s backend.Score) scoreRecord {
	c := func(c backend.Component) componentRecord { return componentRecord{Value: c.Value, Reason: c.Reason} }
	return scoreRecord{
		APS: s.APS, Revenue: c(s.Revenue), Urgency: c(s.Urgency), Effort: c(s.Effort), Strategic: c(s.Strategic),
		Weights: toWeightsRecord(s.Weights), ComputedAt: utc(s.ComputedAt), RescoreAt: utc(s.RescoreAt),
		Learned: toLearnedRecord(s.Learned),
	}
}

func fromScoreRecord(r scoreRecord) backend.Score {
	c := func(c componentRecord) backend.Component { return backend.Component{Value: c.Value, Reason: c.Reason} }
	return backend.Score{
		APS: r.APS, Revenue: c(r.Revenue), Urgency: c(r.Urgency), Effort: c(r.Effort), Strategic: c(r.Strategic),
		Weights: fromWeightsRecord(r.Weights), ComputedAt: r.ComputedAt, RescoreAt: r.RescoreAt,
		Learned: fromLearnedRecord(r.Learned),
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
