// Package signaljson is the JSON-lines wire format of signals: what
// `caseyos ingest` reads, what the demo scenario is written in, and what
// exports write. docs/signals.md documents it field by field.
//
// Times are RFC 3339. When a Decoder has a base time, a time may instead be
// an offset from it — "-3h", "+20h", "-6d2h", "+90m" — which is how the demo
// scenario stays "this week" whenever it is loaded.
package signaljson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/caseyos/caseyos/backend"
)

// Signal is one line of the format.
type Signal struct {
	Source     string            `json:"source"`
	Type       string            `json:"type"`
	OccurredAt string            `json:"occurred_at"`
	DedupeKey  string            `json:"dedupe_key"`
	ContactID  string            `json:"contact_id,omitempty"`
	CompanyID  string            `json:"company_id,omitempty"`
	DealID     string            `json:"deal_id,omitempty"`
	ThreadID   string            `json:"thread_id,omitempty"`
	Contact    *Contact          `json:"contact,omitempty"`
	Company    *Company          `json:"company,omitempty"`
	Deal       *Deal             `json:"deal,omitempty"`
	Email      *Email            `json:"email,omitempty"`
	Meeting    *Meeting          `json:"meeting,omitempty"`
	Post       *Post             `json:"post,omitempty"`
	Form       *Form             `json:"form,omitempty"`
	Payload    map[string]string `json:"payload,omitempty"`
}

// Contact is a contact snapshot.
type Contact struct {
	ID             string `json:"id,omitempty"`
	Email          string `json:"email,omitempty"`
	Name           string `json:"name,omitempty"`
	Title          string `json:"title,omitempty"`
	CompanyID      string `json:"company_id,omitempty"`
	Lifecycle      string `json:"lifecycle,omitempty"`
	Timezone       string `json:"timezone,omitempty"`
	XHandle        string `json:"x_handle,omitempty"`
	Phone          string `json:"phone,omitempty"`
	Owner          string `json:"owner,omitempty"`
	CreatedAt      string `json:"created_at,omitempty"`
	Source         string `json:"source,omitempty"` // "import": the workspace's own, not the CRM's
	LastActivityAt string `json:"last_activity_at,omitempty"`
}

// Company is a company snapshot.
type Company struct {
	ID          string   `json:"id"`
	Name        string   `json:"name,omitempty"`
	Domain      string   `json:"domain,omitempty"`
	Industry    string   `json:"industry,omitempty"`
	Employees   int      `json:"employees,omitempty"`
	Country     string   `json:"country,omitempty"`
	ExpectedARR float64  `json:"expected_arr,omitempty"`
	Tags        []string `json:"tags,omitempty"`
	Source      string   `json:"source,omitempty"` // "import", as for a contact
}

// Deal is a deal snapshot.
type Deal struct {
	ID             string   `json:"id"`
	Name           string   `json:"name,omitempty"`
	Amount         float64  `json:"amount,omitempty"`
	Currency       string   `json:"currency,omitempty"`
	Stage          string   `json:"stage,omitempty"`
	Pipeline       string   `json:"pipeline,omitempty"`
	CloseDate      string   `json:"close_date,omitempty"`
	CompanyID      string   `json:"company_id,omitempty"`
	ContactIDs     []string `json:"contact_ids,omitempty"`
	LastActivityAt string   `json:"last_activity_at,omitempty"`
}

// Email is an email message.
type Email struct {
	ThreadID   string   `json:"thread_id"`
	MessageID  string   `json:"message_id,omitempty"`
	From       string   `json:"from"`
	FromName   string   `json:"from_name,omitempty"`
	To         []string `json:"to,omitempty"`
	Subject    string   `json:"subject,omitempty"`
	Snippet    string   `json:"snippet,omitempty"`
	Body       string   `json:"body,omitempty"`
	Quoted     string   `json:"quoted,omitempty"`
	ReceivedAt string   `json:"received_at,omitempty"`
}

// Meeting is a calendar event.
type Meeting struct {
	ID        string   `json:"id"`
	Title     string   `json:"title,omitempty"`
	Start     string   `json:"start"`
	End       string   `json:"end"`
	Attendees []string `json:"attendees,omitempty"`
	External  bool     `json:"external,omitempty"`
	Link      string   `json:"link,omitempty"`
}

// Post is a social post.
type Post struct {
	ID             string `json:"id"`
	Author         string `json:"author"`
	Text           string `json:"text,omitempty"`
	URL            string `json:"url,omitempty"`
	Competitor     string `json:"competitor,omitempty"`
	AuthorName     string `json:"author_name,omitempty"`
	Followers      int    `json:"followers,omitempty"`
	Verified       bool   `json:"verified,omitempty"`
	ConversationID string `json:"conversation_id,omitempty"`
	InReplyTo      string `json:"in_reply_to,omitempty"`
	Keyword        string `json:"keyword,omitempty"`
}

// Form is a form submission.
type Form struct {
	Form   string            `json:"form"`
	Fields map[string]string `json:"fields,omitempty"`
}

// Decoder turns lines into signals.
type Decoder struct {
	// Base, when set, allows relative times ("-3h") measured from it.
	Base time.Time
}

// Decode parses one line strictly: unknown fields, trailing data and bad
// times are EINVALID errors naming the field. The signal is normalized and
// validated, so a nil error means the signal can be ingested.
//
// A line must be one JSON object of valid UTF-8 (a byte order mark before
// it is skipped): a file in another encoding is refused line by line
// rather than stored with its names garbled.
func (d Decoder) Decode(line []byte) (*backend.Signal, error) {
	line = bytes.TrimPrefix(line, bom)
	if i := invalidUTF8(line); i >= 0 {
		return nil, backend.Errorf(backend.EINVALID, "the line is not valid UTF-8 (byte %d): save the file as UTF-8", i+1)
	}
	if what := notObject(line); what != "" {
		return nil, backend.Errorf(backend.EINVALID, "not a valid signal: the line must be a JSON object, not %s", what)
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	var w Signal
	if err := dec.Decode(&w); err != nil {
		return nil, backend.Errorf(backend.EINVALID, "not a valid signal: %s", jsonProblem(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, backend.Errorf(backend.EINVALID, "not a valid signal: more than one JSON value on the line")
	}
	s, err := d.toSignal(&w)
	if err != nil {
		return nil, err
	}
	s.Normalize()
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// bom is the UTF-8 byte order mark some editors put at the start of a file.
var bom = []byte{0xEF, 0xBB, 0xBF}

// invalidUTF8 returns the offset of the first byte of b that is not valid
// UTF-8, or -1.
func invalidUTF8(b []byte) int {
	if utf8.Valid(b) {
		return -1
	}
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return -1
}

// notObject names the kind of JSON value line starts with when it is not an
// object ("" when it is, or when it is not JSON at all: the decoder says
// what is wrong then).
func notObject(line []byte) string {
	t := bytes.TrimLeft(line, " \t\r\n")
	if len(t) == 0 {
		return ""
	}
	switch c := t[0]; {
	case c == '{':
		return ""
	case c == '[':
		return "an array"
	case c == '"':
		return "a string"
	case c == '-' || (c >= '0' && c <= '9'):
		return "a number"
	case bytes.HasPrefix(t, []byte("null")):
		return "null"
	case bytes.HasPrefix(t, []byte("true")), bytes.HasPrefix(t, []byte("false")):
		return "a boolean"
	}
	return ""
}

// jsonProblem rewrites encoding/json's errors into something a person fixing
// a file can act on.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("malformed JSON at byte %d (%s)", syn.Offset, syn.Error())
	case errors.As(err, &typ):
		return fmt.Sprintf("field %q must be %s, not %s", typ.Field, typ.Type, typ.Value)
	case errors.Is(err, io.EOF):
		return "the line is empty"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON ends early"
	}
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "json: ")
	return msg
}

func (d Decoder) toSignal(w *Signal) (*backend.Signal, error) {
	var p timeParser
	p.base = d.Base
	s := &backend.Signal{
		Source: backend.Source(w.Source), Type: backend.SignalType(w.Type),
		OccurredAt: p.parse("occurred_at", w.OccurredAt), DedupeKey: w.DedupeKey,
		ContactID: w.ContactID, CompanyID: w.CompanyID, DealID: w.DealID, ThreadID: w.ThreadID, Payload: w.Payload,
	}
	if c := w.Contact; c != nil {
		s.Contact = &backend.Contact{ID: c.ID, Email: c.Email, Name: c.Name, Title: c.Title, CompanyID: c.CompanyID,
			Lifecycle: c.Lifecycle, Timezone: c.Timezone, XHandle: c.XHandle, Phone: c.Phone, Owner: c.Owner,
			CreatedAt: p.parse("contact.created_at", c.CreatedAt), Source: c.Source, LastActivityAt: p.parse("contact.last_activity_at", c.LastActivityAt)}
	}
	if c := w.Company; c != nil {
		s.Company = &backend.Company{ID: c.ID, Name: c.Name, Domain: c.Domain, Industry: c.Industry, Employees: c.Employees,
			Country: c.Country, ExpectedARR: c.ExpectedARR, Tags: c.Tags, Source: c.Source}
	}
	if c := w.Deal; c != nil {
		s.Deal = &backend.Deal{ID: c.ID, Name: c.Name, Amount: c.Amount, Currency: c.Currency, Stage: c.Stage, Pipeline: c.Pipeline,
			CloseDate: p.parse("deal.close_date", c.CloseDate), CompanyID: c.CompanyID, ContactIDs: c.ContactIDs,
			LastActivityAt: p.parse("deal.last_activity_at", c.LastActivityAt)}
	}
	if e := w.Email; e != nil {
		s.Email = &backend.EmailMessage{ThreadID: e.ThreadID, MessageID: e.MessageID, From: e.From, FromName: e.FromName, To: e.To,
			Subject: e.Subject, Snippet: e.Snippet, Body: e.Body, Quoted: e.Quoted, ReceivedAt: p.parse("email.received_at", e.ReceivedAt)}
	}
	if m := w.Meeting; m != nil {
		s.Meeting = &backend.Meeting{ID: m.ID, Title: m.Title, Start: p.parse("meeting.start", m.Start), End: p.parse("meeting.end", m.End),
			Attendees: m.Attendees, External: m.External, Link: m.Link}
	}
	if x := w.Post; x != nil {
		s.Post = &backend.Post{ID: x.ID, Author: strings.TrimPrefix(x.Author, "@"), Text: x.Text, URL: x.URL, Competitor: x.Competitor,
			AuthorName: x.AuthorName, Followers: x.Followers, Verified: x.Verified, ConversationID: x.ConversationID,
			InReplyTo: x.InReplyTo, Keyword: x.Keyword}
	}
	if f := w.Form; f != nil {
		s.Form = &backend.FormSubmission{Form: f.Form, Fields: f.Fields}
	}
	// Payload times (demo_at, returns_at) may be relative too; store them absolute.
	for _, k := range []string{"demo_at", "returns_at"} {
		if v, ok := s.Payload[k]; ok {
			if t := p.parse("payload."+k, v); !t.IsZero() {
				s.Payload[k] = t.UTC().Format(time.RFC3339)
			}
		}
	}
	if p.err != nil {
		return nil, p.err
	}
	return s, nil
}

// timeParser parses times and keeps the first error.
type timeParser struct {
	base time.Time
	err  error
}

func (p *timeParser) parse(field, v string) time.Time {
	v = strings.TrimSpace(v)
	if v == "" || p.err != nil {
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return p.inRange(field, t)
	}
	if (v[0] == '+' || v[0] == '-') && !p.base.IsZero() {
		if d, err := ParseOffset(v); err == nil {
			return p.inRange(field, p.base.Add(d))
		}
	}
	hint := "an RFC 3339 time like 2026-11-22T09:00:00Z"
	if !p.base.IsZero() {
		hint += " or an offset like -3h or +2d4h"
	}
	p.err = backend.Errorf(backend.EINVALID, "%s %q is not %s", field, v, hint)
	return time.Time{}
}

// inRange keeps t when it is within the signal time bounds; a time given
// but out of range (year 1 included, which is Go's zero time) is an error,
// not a missing time.
func (p *timeParser) inRange(field string, t time.Time) time.Time {
	if err := backend.CheckTime(field, t); err != nil {
		p.err = err
		return time.Time{}
	}
	return t
}

// ParseOffset parses a signed offset made of day, hour and minute parts:
// "-6d2h", "+20h", "-90m", "+1d".
func ParseOffset(s string) (time.Duration, error) {
	if len(s) < 3 || (s[0] != '+' && s[0] != '-') {
		return 0, fmt.Errorf("offset %q must start with + or - and have a unit", s)
	}
	sign := time.Duration(1)
	if s[0] == '-' {
		sign = -1
	}
	var total time.Duration
	rest := s[1:]
	for rest != "" {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 || i == len(rest) {
			return 0, fmt.Errorf("offset %q is malformed", s)
		}
		n, err := strconv.Atoi(rest[:i])
		if err != nil {
			return 0, fmt.Errorf("offset %q is malformed", s)
		}
		unit := map[byte]time.Duration{'d': 24 * time.Hour, 'h': time.Hour, 'm': time.Minute}[rest[i]]
		if unit == 0 {
			return 0, fmt.Errorf("offset %q has an unknown unit %q (use d, h, m)", s, rest[i])
		}
		total += time.Duration(n) * unit
		rest = rest[i+1:]
	}
	return sign * total, nil
}

// Encode renders a signal as one line (without the newline), times in RFC 3339.
func Encode(s *backend.Signal) ([]byte, error) {
	ts := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339Nano)
	}
	w := Signal{
		Source: string(s.Source), Type: string(s.Type), OccurredAt: ts(s.OccurredAt), DedupeKey: s.DedupeKey,
		ContactID: s.ContactID, CompanyID: s.CompanyID, DealID: s.DealID, ThreadID: s.ThreadID, Payload: s.Payload,
	}
	if c := s.Contact; c != nil {
		w.Contact = &Contact{ID: c.ID, Email: c.Email, Name: c.Name, Title: c.Title, CompanyID: c.CompanyID, Lifecycle: c.Lifecycle,
			Timezone: c.Timezone, XHandle: c.XHandle, Phone: c.Phone, Owner: c.Owner, CreatedAt: ts(c.CreatedAt), Source: c.Source,
			LastActivityAt: ts(c.LastActivityAt)}
	}
	if c := s.Company; c != nil {
		w.Company = &Company{ID: c.ID, Name: c.Name, Domain: c.Domain, Industry: c.Industry, Employees: c.Employees, Country: c.Country,
			ExpectedARR: c.ExpectedARR, Tags: c.Tags, Source: c.Source}
	}
	if c := s.Deal; c != nil {
		w.Deal = &Deal{ID: c.ID, Name: c.Name, Amount: c.Amount, Currency: c.Currency, Stage: c.Stage, Pipeline: c.Pipeline,
			CloseDate: ts(c.CloseDate), CompanyID: c.CompanyID, ContactIDs: c.ContactIDs, LastActivityAt: ts(c.LastActivityAt)}
	}
	if e := s.Email; e != nil {
		w.Email = &Email{ThreadID: e.ThreadID, MessageID: e.MessageID, From: e.From, FromName: e.FromName, To: e.To, Subject: e.Subject,
			Snippet: e.Snippet, Body: e.Body, Quoted: e.Quoted, ReceivedAt: ts(e.ReceivedAt)}
	}
	if m := s.Meeting; m != nil {
		w.Meeting = &Meeting{ID: m.ID, Title: m.Title, Start: ts(m.Start), End: ts(m.End), Attendees: m.Attendees, External: m.External, Link: m.Link}
	}
	if x := s.Post; x != nil {
		w.Post = &Post{ID: x.ID, Author: x.Author, Text: x.Text, URL: x.URL, Competitor: x.Competitor,
			AuthorName: x.AuthorName, Followers: x.Followers, Verified: x.Verified, ConversationID: x.ConversationID,
			InReplyTo: x.InReplyTo, Keyword: x.Keyword}
	}
	if f := s.Form; f != nil {
		w.Form = &Form{Form: f.Form, Fields: f.Fields}
	}
	return json.Marshal(w)
}
