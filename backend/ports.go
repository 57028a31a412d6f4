package backend

import (
	"context"
	"errors"
	"time"
)

// The capabilities the domain needs from outside systems. Connectors in
// connectors/<name> implement them; the domain never knows the vendor.

// Poller fetches new signals from one account since a cursor. The sync engine
// stores the signals and the returned cursor in one transaction.
type Poller interface {
	Account() string
	Poll(ctx context.Context, cursor string) (signals []*Signal, next string, err error)
}

// OutgoingEmail is a message to send or save as a draft.
type OutgoingEmail struct {
	To, Cc     []string
	Subject    string
	Body       string
	ThreadID   string
	InReplyTo  string
	References []string
	MessageID  string // our own Message-ID, so a retry can tell whether it was sent
}

// SentEmail identifies a sent message or a draft.
type SentEmail struct {
	ID       string
	ThreadID string
	DraftID  string
}

// Mailbox sends and drafts email.
type Mailbox interface {
	Send(ctx context.Context, m OutgoingEmail) (SentEmail, error)
	CreateDraft(ctx context.Context, m OutgoingEmail) (SentEmail, error)
	DeleteDraft(ctx context.Context, draftID string) error
	// FindSent looks for a sent message carrying our Message-ID.
	FindSent(ctx context.Context, messageID string) (SentEmail, bool, error)
}

// Busy is a time range when someone is not free.
type Busy struct{ Start, End time.Time }

// NewEvent is a calendar event to create.
type NewEvent struct {
	ID        string // client-chosen, so a retry cannot create a second event
	Title     string
	Start     time.Time
	End       time.Time
	Attendees []string
	Meet      bool
}

// Calendar reads availability and creates events.
type Calendar interface {
	FreeBusy(ctx context.Context, from, to time.Time, attendees []string) (map[string][]Busy, error)
	InsertEvent(ctx context.Context, e NewEvent) (string, error)
	CancelEvent(ctx context.Context, id string) error
}

// NewTask is a CRM task to create.
type NewTask struct {
	Subject   string
	Body      string
	Due       time.Time
	ContactID string
	DealID    string
	Key       string // our idempotency key, stored on the task
}

// CRM writes to the customer database.
type CRM interface {
	CreateTask(ctx context.Context, t NewTask) (string, error)
	DeleteTask(ctx context.Context, id string) error
	UpdateDealStage(ctx context.Context, dealID, stage string) error
	MergeContacts(ctx context.Context, primaryID, mergeID string) (string, error)
}

// SocialFeed posts to a social network.
type SocialFeed interface {
	Reply(ctx context.Context, postID, text string) (string, error)
	DeletePost(ctx context.Context, id string) error
}

// Recognizer turns 16 kHz mono PCM into text.
type Recognizer interface {
	Recognize(ctx context.Context, pcm []int16) (text string, ok bool, err error)
}

// PCMSource delivers 16 kHz mono 16-bit PCM: a microphone, or a file in
// tests. Read blocks until some samples are available or ctx ends.
type PCMSource interface {
	Read(ctx context.Context, buf []int16) (int, error)
	Close() error
}

// AudioDevice is one microphone.
type AudioDevice struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Default bool   `json:"default"`
}

// Microphone lists and opens capture devices. Open with "" opens the
// default. "No microphone" is an EUNAVAILABLE error and "permission
// denied" an EUNAUTHORIZED one: normal states the UI shows, not crashes.
type Microphone interface {
	Devices(ctx context.Context) ([]AudioDevice, error)
	Open(ctx context.Context, deviceID string) (PCMSource, error)
}

// MicState names a microphone error for the UI.
func MicState(err error) string {
	switch ErrorCode(err) {
	case EUNAVAILABLE:
		return "no_microphone"
	case EUNAUTHORIZED:
		return "permission_denied"
	}
	return "error"
}

// Secrets keeps credentials in the OS keychain, one entry per account.
type Secrets interface {
	Get(account string) (string, error) // ENOTFOUND when absent
	Set(account, secret string) error
	Delete(account string) error
}

// RateLimiter paces the requests a connector makes for one account. The sync
// engine gives each account one, set from the vendor's published limits; the
// connector calls Wait before every request and Observe with what the
// vendor's rate-limit headers said.
type RateLimiter interface {
	// Wait blocks until a request may go out, or ctx ends.
	Wait(ctx context.Context) error
	// Observe reports the requests left in the vendor's current window and
	// how long until that window resets (0 when the header is absent).
	Observe(remaining int, resetIn time.Duration)
}

// RetryAfterError is implemented by errors that know how long to wait before
// trying again (a 429's Retry-After, a daily limit's reset).
type RetryAfterError interface {
	error
	RetryAfter() time.Duration
}

// RetryAfter returns the wait an error in err's chain asks for, if any.
func RetryAfter(err error) (time.Duration, bool) {
	var r RetryAfterError
	if errors.As(err, &r) {
		return r.RetryAfter(), true
	}
	return 0, false
}
