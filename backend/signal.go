package backend

import (
	"strings"
	"time"
)

// Source names where a signal came from.
type Source string

// Sources CaseyOS knows.
const (
	SourceGmail   Source = "gmail"
	SourceHubSpot Source = "hubspot"
	SourceGCal    Source = "gcal"
	SourceX       Source = "x"
	SourceForm    Source = "form"
	SourceSystem  Source = "system"
)

// Sources lists every valid Source.
var Sources = []Source{SourceGmail, SourceHubSpot, SourceGCal, SourceX, SourceForm, SourceSystem}

// SignalType names what happened.
type SignalType string

// Signal types. Each is handled by one recommender in recommend.go.
const (
	SignalEmailReplied     SignalType = "email.replied"
	SignalEmailReceived    SignalType = "email.received"
	SignalEmailBounced     SignalType = "email.bounced"
	SignalEmailOutOfOffice SignalType = "email.out_of_office"
	// SignalEmailUnsubscribed is someone asking not to be emailed again: it
	// puts them on the do-not-contact list; it calls for no move.
	SignalEmailUnsubscribed SignalType = "email.unsubscribed"
	SignalDealStageChanged  SignalType = "deal.stage_changed"
	SignalDealStalled       SignalType = "deal.stalled"
	SignalFormSubmitted     SignalType = "form.submitted"
	SignalMeetingUpcoming   SignalType = "meeting.upcoming"
	SignalMeetingEnded      SignalType = "meeting.ended"
	SignalSocialMention     SignalType = "social.mention"
	// SignalSocialCompetitorMention is a post on the watch list that
	// names a competitor (Post.Competitor says which).
	SignalSocialCompetitorMention SignalType = "social.competitor_mention"
	// SignalSocialReply is someone answering one of our own posts
	// (Post.InReplyTo is ours).
	SignalSocialReply      SignalType = "social.reply"
	SignalContactDuplicate SignalType = "contact.duplicate"
	// SignalContactCreated is a new contact in the CRM. It mirrors the
	// contact (and its company) for scoring; it calls for no move.
	SignalContactCreated SignalType = "contact.created"
	// SignalRecordUpdated carries the CRM's new view of a contact, company
	// or deal (an amount, a stage label, the ICP fields). Its dedupe key
	// holds the record's modification time; ingesting it re-scores the
	// open moves that depend on the record. It calls for no move.
	SignalRecordUpdated SignalType = "record.updated"
	// SignalTaskCompleted is a CRM task marked done; Payload task_id names
	// it (and subject, when known). It records the task_completed outcome
	// of the move that created it; it calls for no move.
	SignalTaskCompleted SignalType = "task.completed"
)

// SignalTypes lists every valid SignalType.
var SignalTypes = []SignalType{
	SignalEmailReplied, SignalEmailReceived, SignalEmailBounced, SignalEmailOutOfOffice, SignalEmailUnsubscribed,
	SignalDealStageChanged, SignalDealStalled, SignalFormSubmitted,
	SignalMeetingUpcoming, SignalMeetingEnded, SignalSocialMention, SignalContactDuplicate,
	SignalContactCreated, SignalRecordUpdated, SignalSocialCompetitorMention, SignalSocialReply,
	SignalTaskCompleted,
}

// IsActivity reports whether a signal of type t is activity by or with the
// people involved, so that it moves their last-activity time. A deal going
// quiet, a record being edited, a contact being created or found twice is
// not.
func (t SignalType) IsActivity() bool {
	switch t {
	case SignalDealStalled, SignalRecordUpdated, SignalContactCreated, SignalContactDuplicate, SignalTaskCompleted:
		return false
	}
	return true
}

// Signal is something that happened in the outside world. Re-polling a source
// produces the same DedupeKey, so a signal is stored once.
//
// The optional snapshots (Contact, Company, Deal) carry the source's current
// view of the records the signal is about; ingesting the signal upserts them.
// Email, Meeting, Post and Form hold the type-specific facts.
type Signal struct {
	ID         uint64
	Source     Source
	Type       SignalType
	OccurredAt time.Time
	ReceivedAt time.Time
	DedupeKey  string

	ContactID string // refs to records; filled from the snapshots when empty
	CompanyID string
	DealID    string
	ThreadID  string

	Contact *Contact
	Company *Company
	Deal    *Deal
	Email   *EmailMessage
	Meeting *Meeting
	Post    *Post
	Form    *FormSubmission

	// Payload holds extra, type-specific string facts: previous_stage for
	// deal.stage_changed, duplicate_id for contact.duplicate, returns_at for
	// email.out_of_office.
	Payload map[string]string
}

// EmailMessage is the part of an email a recommender needs.
type EmailMessage struct {
	ThreadID  string
	MessageID string // the RFC 5322 Message-ID, for threading a reply
	// InReplyTo and References are the Message-IDs the message answers
	// (its In-Reply-To and References headers): how a reply is tied to
	// the email of ours it answers.
	InReplyTo  string
	References []string
	From       string // address of the sender
	FromName   string
	To         []string
	Subject    string
	Snippet    string
	// Body is the plain text the sender wrote, without the quoted history
	// of earlier messages (Quoted holds that, apart); both at most MaxText
	// bytes. Empty when the source did not fetch it.
	Body       string
	Quoted     string
	ReceivedAt time.Time
}

// Meeting is a calendar event.
type Meeting struct {
	ID        string
	Title     string
	Start     time.Time
	End       time.Time
	Attendees []string // email addresses, the owner's included
	External  bool     // at least one attendee is outside the owner's domain
	Declined  []string // guests who declined the invitation
	Link      string
}

// Post is a social post that mentions us or a competitor.
type Post struct {
	ID         string
	Author     string // handle without the @
	Text       string
	URL        string
	Competitor string // set when the post is about a competitor rather than us

	// What the network says about the author, when the source tells.
	AuthorName string // display name
	Followers  int    // the author's reach
	Verified   bool
	// ConversationID is the post that started the thread; InReplyTo the
	// post this one answers ("" for a post that answers none).
	ConversationID string
	InReplyTo      string
	// Keyword is the watch-list term the post matched (a product keyword,
	// our product's name) when it came from a search rather than a mention.
	Keyword string
}

// FormSubmission is a web form someone filled in.
type FormSubmission struct {
	Form   string
	Fields map[string]string
}

// Subject returns the record a signal is about, in order of specificity.
func (s *Signal) Subject() Subject {
	switch {
	case s.ThreadID != "":
		return Subject{Type: SubjectThread, ID: s.ThreadID}
	case s.Meeting != nil && s.Meeting.ID != "":
		return Subject{Type: SubjectMeeting, ID: s.Meeting.ID}
	case s.DealID != "":
		return Subject{Type: SubjectDeal, ID: s.DealID}
	case s.ContactID != "":
		return Subject{Type: SubjectContact, ID: s.ContactID}
	case s.Post != nil && s.Post.ID != "":
		return Subject{Type: SubjectPost, ID: s.Post.ID}
	}
	return Subject{}
}

// Normalize fills refs from snapshots, lower-cases email addresses and trims
// whitespace so that equal facts compare equal, and cleans the text a
// person reads (signalcheck.go). It is called before Validate.
func (s *Signal) Normalize() {
	s.DedupeKey = strings.TrimSpace(s.DedupeKey)
	s.cleanText()
	if s.Contact != nil {
		s.Contact.Normalize()
		if s.ContactID == "" {
			s.ContactID = s.Contact.ID
		}
		if s.Contact.CompanyID == "" && s.Company != nil {
			s.Contact.CompanyID = s.Company.ID
		}
	}
	if s.Company != nil && s.CompanyID == "" {
		s.CompanyID = s.Company.ID
	}
	if s.Deal != nil {
		if s.DealID == "" {
			s.DealID = s.Deal.ID
		}
		if s.Deal.CompanyID == "" {
			s.Deal.CompanyID = s.CompanyID
		}
		if len(s.Deal.ContactIDs) == 0 && s.ContactID != "" {
			s.Deal.ContactIDs = []string{s.ContactID}
		}
	}
	if s.Email != nil {
		s.Email.From = strings.ToLower(strings.TrimSpace(s.Email.From))
		if s.ThreadID == "" {
			s.ThreadID = s.Email.ThreadID
		}
	}
}

// Validate reports the first problem with s as an EINVALID error that names
// the field, so a bad line in an import can be fixed by reading the message.
// It needs no clock; ValidateAt also bounds occurred_at by the clock.
func (s *Signal) Validate() error {
	if s == nil {
		return Errorf(EINVALID, "signal is empty")
	}
	if !validSource(s.Source) {
		return Errorf(EINVALID, "signal source %q is not one of %s", s.Source, joinSources())
	}
	if !validSignalType(s.Type) {
		return Errorf(EINVALID, "signal type %q is not one of %s", s.Type, joinSignalTypes())
	}
	if err := s.checkTimes(); err != nil {
		return err
	}
	if s.DedupeKey == "" {
		return Errorf(EINVALID, "signal %s needs a dedupe_key", s.Type)
	}
	if err := s.checkIDs(); err != nil {
		return err
	}
	if err := s.checkAmounts(); err != nil {
		return err
	}
	if s.Contact != nil {
		if err := s.Contact.Validate(); err != nil {
			return err
		}
	}
	if s.Company != nil {
		if err := s.Company.Validate(); err != nil {
			return err
		}
	}
	if s.Deal != nil {
		if err := s.Deal.Validate(); err != nil {
			return err
		}
	}
	need := func(ok bool, what string) error {
		if !ok {
			return Errorf(EINVALID, "signal %s needs %s", s.Type, what)
		}
		return nil
	}
	switch s.Type {
	case SignalEmailReplied, SignalEmailReceived, SignalEmailOutOfOffice, SignalEmailUnsubscribed:
		if err := need(s.Email != nil, "an email"); err != nil {
			return err
		}
		if err := need(s.Email.ThreadID != "", "email.thread_id"); err != nil {
			return err
		}
		if !ValidEmail(s.Email.From) {
			return Errorf(EINVALID, "signal %s: email.from %q is not an email address", s.Type, s.Email.From)
		}
	case SignalEmailBounced:
		if err := need(s.ContactID != "", "the contact whose address bounced"); err != nil {
			return err
		}
	case SignalDealStageChanged, SignalDealStalled:
		if err := need(s.Deal != nil, "a deal"); err != nil {
			return err
		}
		if err := need(s.Deal.Stage != "", "deal.stage"); err != nil {
			return err
		}
	case SignalContactCreated:
		if err := need(s.Contact != nil, "a contact"); err != nil {
			return err
		}
	case SignalTaskCompleted:
		if err := need(s.Payload["task_id"] != "", "payload.task_id"); err != nil {
			return err
		}
	case SignalRecordUpdated:
		if err := need(s.Contact != nil || s.Company != nil || s.Deal != nil, "a contact, company or deal"); err != nil {
			return err
		}
	case SignalFormSubmitted:
		if err := need(s.Form != nil, "a form"); err != nil {
			return err
		}
		if err := need(s.Contact != nil && s.Contact.Email != "", "contact.email of the person who submitted the form"); err != nil {
			return err
		}
	case SignalMeetingUpcoming, SignalMeetingEnded:
		if err := need(s.Meeting != nil, "a meeting"); err != nil {
			return err
		}
		if err := need(s.Meeting.ID != "", "meeting.id"); err != nil {
			return err
		}
		if s.Meeting.Start.IsZero() || s.Meeting.End.IsZero() {
			return Errorf(EINVALID, "signal %s needs meeting.start and meeting.end", s.Type)
		}
		if s.Meeting.End.Before(s.Meeting.Start) {
			return Errorf(EINVALID, "signal %s: meeting ends before it starts", s.Type)
		}
	case SignalSocialMention, SignalSocialCompetitorMention, SignalSocialReply:
		if err := need(s.Post != nil, "a post"); err != nil {
			return err
		}
		if err := need(s.Post.ID != "" && s.Post.Author != "", "post.id and post.author"); err != nil {
			return err
		}
		if s.Post.Followers < 0 {
			return Errorf(EINVALID, "signal %s: post.followers cannot be negative", s.Type)
		}
		if s.Type == SignalSocialCompetitorMention {
			if err := need(s.Post.Competitor != "", "post.competitor (which competitor the post names)"); err != nil {
				return err
			}
		}
		if s.Type == SignalSocialReply {
			if err := need(s.Post.InReplyTo != "", "post.in_reply_to (our post it answers)"); err != nil {
				return err
			}
		}
	case SignalContactDuplicate:
		if err := need(s.ContactID != "", "contact_id"); err != nil {
			return err
		}
		dup := s.Payload["duplicate_id"]
		if err := need(dup != "", "payload.duplicate_id (the contact to merge into contact_id)"); err != nil {
			return err
		}
		if dup == s.ContactID {
			return Errorf(EINVALID, "signal %s: a contact cannot duplicate itself", s.Type)
		}
	}
	return nil
}

func validSource(s Source) bool {
	for _, v := range Sources {
		if v == s {
			return true
		}
	}
	return false
}

func validSignalType(t SignalType) bool {
	for _, v := range SignalTypes {
		if v == t {
			return true
		}
	}
	return false
}

func joinSources() string {
	out := make([]string, len(Sources))
	for i, v := range Sources {
		out[i] = string(v)
	}
	return strings.Join(out, ", ")
}

func joinSignalTypes() string {
	out := make([]string, len(SignalTypes))
	for i, v := range SignalTypes {
		out[i] = string(v)
	}
	return strings.Join(out, ", ")
}

// SignalFilter selects signals, newest first.
type SignalFilter struct {
	Source *Source
	Type   *SignalType
	Since  *time.Time
	Offset int
	Limit  int
}
