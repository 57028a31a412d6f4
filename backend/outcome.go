package backend

import "time"

// OutcomeType is what happened after a move was executed.
type OutcomeType string

// The eighteen outcome types.
const (
	OutcomeReplied        OutcomeType = "replied"
	OutcomePositiveReply  OutcomeType = "positive_reply"
	OutcomeNegativeReply  OutcomeType = "negative_reply"
	OutcomeOutOfOffice    OutcomeType = "out_of_office"
	OutcomeBounced        OutcomeType = "bounced"
	OutcomeUnsubscribed   OutcomeType = "unsubscribed"
	OutcomeNoResponse     OutcomeType = "no_response"
	OutcomeMeetingBooked  OutcomeType = "meeting_booked"
	OutcomeMeetingHeld    OutcomeType = "meeting_held"
	OutcomeNoShow         OutcomeType = "no_show"
	OutcomeDealAdvanced   OutcomeType = "deal_advanced"
	OutcomeDealWon        OutcomeType = "deal_won"
	OutcomeDealLost       OutcomeType = "deal_lost"
	OutcomeTaskCompleted  OutcomeType = "task_completed"
	OutcomeMerged         OutcomeType = "merged"
	OutcomeMentionEngaged OutcomeType = "mention_engaged"
	OutcomeUndone         OutcomeType = "undone"
	OutcomeError          OutcomeType = "error"
)

// OutcomeTypes lists every outcome type.
var OutcomeTypes = []OutcomeType{
	OutcomeReplied, OutcomePositiveReply, OutcomeNegativeReply, OutcomeOutOfOffice, OutcomeBounced,
	OutcomeUnsubscribed, OutcomeNoResponse, OutcomeMeetingBooked, OutcomeMeetingHeld, OutcomeNoShow,
	OutcomeDealAdvanced, OutcomeDealWon, OutcomeDealLost, OutcomeTaskCompleted, OutcomeMerged,
	OutcomeMentionEngaged, OutcomeUndone, OutcomeError,
}

// Outcome links what happened later to the move and execution that caused it.
type Outcome struct {
	ID          uint64
	MoveID      uint64
	ExecutionID uint64
	Type        OutcomeType
	SignalID    uint64 // the signal it was detected from; 0 when recorded by hand
	Note        string
	Actor       Actor
	OccurredAt  time.Time
	RecordedAt  time.Time
	// Corrects names an earlier outcome of the same move that this one
	// replaces (a correction by hand); 0 when it replaces none.
	Corrects uint64
}

// Validate checks the outcome names a move and a known type.
func (o *Outcome) Validate() error {
	if o.MoveID == 0 {
		return Errorf(EINVALID, "outcome needs a move")
	}
	ok := false
	for _, t := range OutcomeTypes {
		ok = ok || t == o.Type
	}
	if !ok {
		return Errorf(EINVALID, "outcome type %q is unknown", o.Type)
	}
	if o.OccurredAt.IsZero() {
		return Errorf(EINVALID, "outcome needs occurred_at")
	}
	return nil
}

// OutcomeWatch is an execution still open to outcomes: the links later
// signals are matched by ("thread:ID", "msgid:<id>", "event:ID",
// "deal:ID", "task:ID", "post:ID", "contact:address"), and when, if
// nothing has come back by then, it gets a no_response outcome.
type OutcomeWatch struct {
	ExecutionID uint64
	MoveID      uint64
	Kind        MoveKind
	Action      string
	Links       []string
	// Contact names who the execution reached, for the explanation.
	Contact     string
	CommittedAt time.Time
	// RespondBy is when no_response is due; zero once something came
	// back (or when none is awaited).
	RespondBy time.Time
	// Stage is the stage our own update_deal set: its echo from the CRM
	// is no outcome.
	Stage string
	// MeetingEnd is when the meeting we booked ends (schedule_meeting).
	MeetingEnd time.Time
}

// OutcomeWatchStore keeps the executions open to outcomes, indexed by
// link and by RespondBy, so detection never walks all executions.
type OutcomeWatchStore interface {
	// PutOutcomeWatch stores w under its execution, replacing its indexes.
	PutOutcomeWatch(w *OutcomeWatch) error
	// OutcomeWatch returns the watch of an execution, or ENOTFOUND.
	OutcomeWatch(execID uint64) (*OutcomeWatch, error)
	// OutcomeWatchesByLink returns the watches with link, oldest execution first.
	OutcomeWatchesByLink(link string) ([]*OutcomeWatch, error)
	// OutcomeWatchesDue returns up to limit watches whose RespondBy is
	// set and not after t, earliest first.
	OutcomeWatchesDue(t time.Time, limit int) ([]*OutcomeWatch, error)
}
