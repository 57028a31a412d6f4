package backend

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// PlanVersion is the version of the Plan encoding stored with executions.
const PlanVersion = 1

// Plan is exactly what executing a move will send or create: the preview
// is a Plan, and execution carries out the stored Plan, never the move's
// draft again. Its JSON form (field order fixed by the struct, times in
// UTC) is what the hash covers and what the execution record keeps; the
// fields derived from the idempotency key (Message-ID, event id, task key)
// are filled in after hashing, since the key exists only once the
// execution does.
type Plan struct {
	V       int      `json:"v"`
	MoveID  uint64   `json:"move_id"`
	Kind    MoveKind `json:"kind"`
	Action  string   `json:"action"`
	Account string   `json:"account"` // gmail, gcal, hubspot, x, local
	// Outgoing is true when the action reaches outside the laptop: the
	// kill switch stops it and it waits in the undo window.
	Outgoing bool `json:"outgoing"`

	Email   *PlanEmail   `json:"email,omitempty"`
	Task    *PlanTask    `json:"task,omitempty"`
	Deal    *PlanDeal    `json:"deal,omitempty"`
	Meeting *PlanMeeting `json:"meeting,omitempty"`
	Merge   *PlanMerge   `json:"merge,omitempty"`
	Social  *PlanSocial  `json:"social,omitempty"`
	Note    *PlanNote    `json:"note,omitempty"`

	// Recipients are the people who receive something, for the
	// do-not-contact list and send windows.
	Recipients []PlanRecipient `json:"recipients,omitempty"`
	// Effects says in words what will happen, one line each.
	Effects []string `json:"effects"`
	// Undo says what undo and rollback can do for this action.
	Undo string `json:"undo"`
}

// PlanEmail is an email to send or save as a draft.
type PlanEmail struct {
	To        []string `json:"to"`
	Cc        []string `json:"cc,omitempty"`
	Subject   string   `json:"subject"`
	Body      string   `json:"body"`
	ThreadID  string   `json:"thread_id,omitempty"`
	InReplyTo string   `json:"in_reply_to,omitempty"`
	MessageID string   `json:"message_id,omitempty"` // from the idempotency key
}

// PlanTask is a CRM task to create.
type PlanTask struct {
	Subject   string    `json:"subject"`
	Body      string    `json:"body,omitempty"`
	Due       time.Time `json:"due,omitempty"`
	ContactID string    `json:"contact_id,omitempty"`
	DealID    string    `json:"deal_id,omitempty"`
	Key       string    `json:"key,omitempty"` // the idempotency key, stored on the task
}

// PlanDeal is a deal stage change; FromStage is what rollback restores.
type PlanDeal struct {
	DealID    string `json:"deal_id"`
	FromStage string `json:"from_stage,omitempty"`
	ToStage   string `json:"to_stage"`
}

// PlanMeeting is the meeting to book: the chosen slot and the others proposed.
type PlanMeeting struct {
	Title     string     `json:"title"`
	Attendees []string   `json:"attendees"`
	Start     time.Time  `json:"start"`
	End       time.Time  `json:"end"`
	TimeZone  string     `json:"time_zone"` // the contact's, in which working hours were judged
	Meet      bool       `json:"meet"`
	Slots     []PlanSlot `json:"slots"`
	EventID   string     `json:"event_id,omitempty"` // client-chosen, from the idempotency key
}

// PlanSlot is a proposed meeting time.
type PlanSlot struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// PlanMerge merges MergeID into PrimaryID.
type PlanMerge struct {
	PrimaryID string `json:"primary_id"`
	MergeID   string `json:"merge_id"`
	// Primary and Merged name the two contacts for a person ("Priya
	// Raman <priya@…>"); "" in plans made before they were kept.
	Primary string `json:"primary,omitempty"`
	Merged  string `json:"merged,omitempty"`
	// Local merges here only: one of the contacts was imported and is
	// not in HubSpot (PrimaryID is then the survivor).
	Local bool `json:"local,omitempty"`
}

func (m *PlanMerge) primaryLabel() string { return nonEmpty(m.Primary, "contact "+m.PrimaryID) }
func (m *PlanMerge) mergedLabel() string  { return nonEmpty(m.Merged, "contact "+m.MergeID) }

// PlanSocial is a reply to a post.
type PlanSocial struct {
	PostID string `json:"post_id"`
	Text   string `json:"text"`
	// Author is the handle of the post answered, for people ("" when the
	// draft did not say).
	Author string `json:"author,omitempty"`
	// Length is the text's length in X's count (PostLength).
	Length int `json:"length,omitempty"`
}

// PlanNote is a local note.
type PlanNote struct {
	Subject string `json:"subject,omitempty"`
	Body    string `json:"body"`
}

// PlanRecipient is someone who receives something, with their time zone
// when it is known.
type PlanRecipient struct {
	Email    string `json:"email"`
	TimeZone string `json:"time_zone,omitempty"`
}

// Hash is the hex SHA-256 of the plan's canonical JSON without the fields
// derived from the idempotency key: the preview's hash, checked at execute.
func (p *Plan) Hash() string {
	c := p.clone()
	if c.Email != nil {
		c.Email.MessageID = ""
	}
	if c.Task != nil {
		c.Task.Key = ""
	}
	if c.Meeting != nil {
		c.Meeting.EventID = ""
	}
	b, _ := c.encode()
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// encode is the canonical JSON form, times in UTC.
func (p *Plan) encode() ([]byte, error) {
	c := p.clone()
	c.V = PlanVersion
	utc := func(t *time.Time) {
		if !t.IsZero() {
			*t = t.UTC()
		}
	}
	if c.Task != nil {
		utc(&c.Task.Due)
	}
	if c.Meeting != nil {
		utc(&c.Meeting.Start)
		utc(&c.Meeting.End)
		for i := range c.Meeting.Slots {
			utc(&c.Meeting.Slots[i].Start)
			utc(&c.Meeting.Slots[i].End)
		}
	}
	return json.Marshal(c)
}

// clone copies the plan deeply enough that encoding and hashing never
// touch the caller's values.
func (p *Plan) clone() *Plan {
	c := *p
	if p.Email != nil {
		e := *p.Email
		e.To, e.Cc = append([]string(nil), e.To...), append([]string(nil), e.Cc...)
		c.Email = &e
	}
	if p.Task != nil {
		t := *p.Task
		c.Task = &t
	}
	if p.Deal != nil {
		d := *p.Deal
		c.Deal = &d
	}
	if p.Meeting != nil {
		m := *p.Meeting
		m.Attendees = append([]string(nil), m.Attendees...)
		m.Slots = append([]PlanSlot(nil), m.Slots...)
		c.Meeting = &m
	}
	if p.Merge != nil {
		m := *p.Merge
		c.Merge = &m
	}
	if p.Social != nil {
		s := *p.Social
		c.Social = &s
	}
	if p.Note != nil {
		n := *p.Note
		c.Note = &n
	}
	c.Recipients = append([]PlanRecipient(nil), p.Recipients...)
	c.Effects = append([]string(nil), p.Effects...)
	return &c
}

// bind fills in the fields derived from the idempotency key.
func (p *Plan) bind(key, ownerEmail string) {
	if p.Email != nil {
		p.Email.MessageID = MessageIDFor(key, ownerEmail)
	}
	if p.Task != nil {
		p.Task.Key = key
	}
	if p.Meeting != nil {
		p.Meeting.EventID = EventIDFor(key)
	}
}

// DecodePlan reads a plan stored with an execution.
func DecodePlan(b []byte) (*Plan, error) {
	if len(b) == 0 {
		return nil, Errorf(EINTERNAL, "the execution has no stored plan")
	}
	var p Plan
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, &Error{Code: EINTERNAL, Message: "the execution's stored plan cannot be read", Err: err}
	}
	if p.V != PlanVersion {
		return nil, Errorf(EINTERNAL, "the execution's plan is version %d; this build reads %d", p.V, PlanVersion)
	}
	return &p, nil
}

// MessageIDFor is the Message-ID our email carries for idempotency key
// key, in the owner's domain: a retry or a reconcile looks for it in sent
// mail. The key holds a random part, so two workspaces never share one.
func MessageIDFor(key, ownerEmail string) string {
	domain := "caseyos.local"
	if at := lastIndexByte(ownerEmail, '@'); at >= 0 && at < len(ownerEmail)-1 {
		domain = ownerEmail[at+1:]
	}
	return "<caseyos." + key + "@" + domain + ">"
}

// EventIDFor is the client-chosen calendar event id for key: base32hex
// (lower-case hex digits are), 32 characters, the same for every retry.
func EventIDFor(key string) string {
	sum := sha256.Sum256([]byte("event:" + key))
	return hex.EncodeToString(sum[:16])
}

func lastIndexByte(s string, c byte) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == c {
			return i
		}
	}
	return -1
}
