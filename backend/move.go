package backend

import (
	"fmt"
	"strings"
	"time"
)

// MoveKind is what executing a move does.
type MoveKind string

// Move kinds; each maps to one executor action.
const (
	KindSendEmail       MoveKind = "send_email"
	KindCreateTask      MoveKind = "create_task"
	KindScheduleMeeting MoveKind = "schedule_meeting"
	KindUpdateDeal      MoveKind = "update_deal"
	KindReplySocial     MoveKind = "reply_social"
	KindMergeContacts   MoveKind = "merge_contacts"
	KindNote            MoveKind = "note"
)

// MoveKinds lists every valid MoveKind.
var MoveKinds = []MoveKind{KindSendEmail, KindCreateTask, KindScheduleMeeting, KindUpdateDeal, KindReplySocial, KindMergeContacts, KindNote}

// Domain is the part of go-to-market a move belongs to.
type Domain string

// Domains.
const (
	DomainSales     Domain = "sales"
	DomainMarketing Domain = "marketing"
	DomainCS        Domain = "cs"
)

// Domains lists every valid Domain, in tab order.
var Domains = []Domain{DomainSales, DomainMarketing, DomainCS}

// ParseDomain returns the Domain named s, or an EINVALID error.
func ParseDomain(s string) (Domain, error) {
	for _, d := range Domains {
		if string(d) == strings.ToLower(strings.TrimSpace(s)) {
			return d, nil
		}
	}
	return "", Errorf(EINVALID, "domain %q is not one of sales, marketing, cs", s)
}

// MoveStatus is where a move is in its life.
type MoveStatus string

// Move statuses. Pending, snoozed, executing and failed are open: at most one
// open move exists per (subject, kind).
const (
	StatusPending   MoveStatus = "pending"
	StatusSnoozed   MoveStatus = "snoozed"
	StatusExecuting MoveStatus = "executing"
	StatusDone      MoveStatus = "done"
	StatusFailed    MoveStatus = "failed"
	StatusSkipped   MoveStatus = "skipped"
	StatusUndone    MoveStatus = "undone"
	StatusExpired   MoveStatus = "expired"
)

// MoveStatuses lists every status.
var MoveStatuses = []MoveStatus{StatusPending, StatusSnoozed, StatusExecuting, StatusDone, StatusFailed, StatusSkipped, StatusUndone, StatusExpired}

// transitions is the move state machine: from → allowed targets.
var transitions = map[MoveStatus][]MoveStatus{
	StatusPending:   {StatusExecuting, StatusSkipped, StatusSnoozed, StatusExpired},
	StatusSnoozed:   {StatusPending, StatusExecuting, StatusSkipped, StatusExpired},
	StatusExecuting: {StatusDone, StatusFailed, StatusPending}, // pending: cancelled in the undo window
	StatusFailed:    {StatusPending, StatusExecuting, StatusSkipped, StatusExpired},
	StatusDone:      {StatusUndone},
	StatusSkipped:   {StatusPending}, // undo a skip
	StatusUndone:    {StatusPending}, // restore a rolled-back move, to do again
	StatusExpired:   nil,
}

// CanTransition reports whether a move may go from one status to another.
func CanTransition(from, to MoveStatus) bool {
	for _, t := range transitions[from] {
		if t == to {
			return true
		}
	}
	return false
}

// IsOpen reports whether a move in this status still waits for the founder.
func (s MoveStatus) IsOpen() bool {
	return s == StatusPending || s == StatusSnoozed || s == StatusExecuting || s == StatusFailed
}

// SubjectType names the kind of record a move is about.
type SubjectType string

// Subject types.
const (
	SubjectContact SubjectType = "contact"
	SubjectDeal    SubjectType = "deal"
	SubjectThread  SubjectType = "thread"
	SubjectMeeting SubjectType = "meeting"
	SubjectCompany SubjectType = "company"
	SubjectPost    SubjectType = "post"
	SubjectTopic   SubjectType = "topic" // e.g. a competitor's battle card
)

// Subject is the record a move is about; with the kind it identifies the one
// open move for that record.
type Subject struct {
	Type SubjectType
	ID   string
}

// Key is "type:id", the form used in indexes and the CLI.
func (s Subject) Key() string { return string(s.Type) + ":" + s.ID }

// IsZero reports whether the subject is unset.
func (s Subject) IsZero() bool { return s.Type == "" || s.ID == "" }

// Draft is the exact payload executing the move would send or create. The
// founder may edit it before executing.
type Draft struct {
	To        []string
	Cc        []string
	Subject   string
	Body      string
	ThreadID  string
	InReplyTo string // Message-ID being answered
	TaskTitle string
	TaskDue   time.Time
	DealStage string // target stage for update_deal
	PostID    string // post being answered for reply_social
	MergeIDs  []string
	Duration  time.Duration // meeting length for schedule_meeting
	Fields    map[string]string
}

// Move is a recommended action in the queue.
type Move struct {
	ID        uint64
	Kind      MoveKind
	Domain    Domain
	Title     string
	Why       []string // the recommender's sentences about the signal(s) behind the move
	Reasons   []string // Why followed by the score's reasons; the first is the top reason
	Score     Score
	Status    MoveStatus
	Draft     Draft
	Subject   Subject
	ContactID string
	CompanyID string
	DealID    string
	Source    Source
	SignalIDs []uint64

	DueAt        time.Time // the deadline urgency is computed from; zero = none
	DueLabel     string    // what the deadline is ("demo", "reply window"), for the urgency reason
	ExpiresAt    time.Time // after this the reason has passed; zero = never
	SnoozedUntil time.Time
	SkipReason   string
	LastError    string
	DraftEdited  bool      // the founder edited the draft; newer signals leave it alone
	SignalAt     time.Time // when the newest signal behind the move happened
	// StallNudge marks the nudge of a stalled deal: it never expires, its
	// urgency grows with the deal's silence, and it ends (expired) when
	// the deal has activity or closes.
	StallNudge bool
	// DraftBy, DraftSent and DraftNote say where the draft came from:
	// the model that wrote it ("" = composed offline), exactly what was
	// sent to a model for it, and why the offline draft stands when a
	// model is connected (modeldraft.go).
	DraftBy   string
	DraftSent []ModelMessage
	DraftNote string

	CreatedAt time.Time
	UpdatedAt time.Time
	DoneAt    time.Time
}

// TopReason is the first reason, shown on the move's row.
func (m *Move) TopReason() string {
	if len(m.Reasons) == 0 {
		return ""
	}
	return m.Reasons[0]
}

// Validate checks that a move is complete enough to store.
func (m *Move) Validate() error {
	if m == nil {
		return Errorf(EINVALID, "move is empty")
	}
	if !validKind(m.Kind) {
		return Errorf(EINVALID, "move kind %q is not one of %s", m.Kind, joinKinds())
	}
	if _, err := ParseDomain(string(m.Domain)); err != nil {
		return err
	}
	if strings.TrimSpace(m.Title) == "" {
		return Errorf(EINVALID, "move needs a title")
	}
	if !validStatus(m.Status) {
		return Errorf(EINVALID, "move status %q is unknown", m.Status)
	}
	if m.Subject.IsZero() {
		return Errorf(EINVALID, "move %q needs a subject", m.Title)
	}
	if !(m.Score.APS >= 0 && m.Score.APS <= 100) { // also catches NaN
		return Errorf(EINVALID, "move %q: APS %.1f is outside 0..100", m.Title, m.Score.APS)
	}
	if m.Status == StatusSnoozed && m.SnoozedUntil.IsZero() {
		return Errorf(EINVALID, "snoozed move %d needs a snoozed-until time", m.ID)
	}
	if m.Kind == KindSendEmail && len(m.Draft.To) == 0 {
		return Errorf(EINVALID, "move %q sends an email but has no recipient", m.Title)
	}
	return nil
}

func validKind(k MoveKind) bool {
	for _, v := range MoveKinds {
		if v == k {
			return true
		}
	}
	return false
}

func validStatus(s MoveStatus) bool {
	for _, v := range MoveStatuses {
		if v == s {
			return true
		}
	}
	return false
}

func joinKinds() string {
	out := make([]string, len(MoveKinds))
	for i, v := range MoveKinds {
		out[i] = string(v)
	}
	return strings.Join(out, ", ")
}

// MoveFilter selects moves. With ByScore the result is ordered by APS, highest
// first (through the status-and-score index); otherwise by id.
type MoveFilter struct {
	Status  *MoveStatus
	Domain  *Domain
	ByScore bool
	Offset  int
	Limit   int
}

// String is used in error messages.
func (f MoveFilter) String() string {
	var parts []string
	if f.Status != nil {
		parts = append(parts, "status="+string(*f.Status))
	}
	if f.Domain != nil {
		parts = append(parts, "domain="+string(*f.Domain))
	}
	return fmt.Sprintf("moves(%s)", strings.Join(parts, ","))
}
