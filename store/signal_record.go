package store

// The disk format of signals/<id>: the signal, with the contact, company
// and deal snapshots it carries. record.go says what every record follows.

import (
	"time"

	"github.com/caseyos/caseyos/backend"
)

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
	InReplyTo  string    `json:"in_reply_to,omitempty"`
	References []string  `json:"references,omitempty"`
	From       string    `json:"from,omitempty"`
	FromName   string    `json:"from_name,omitempty"`
	To         []string  `json:"to,omitempty"`
	Subject    string    `json:"subject,omitempty"`
	Snippet    string    `json:"snippet,omitempty"`
	Body       string    `json:"body,omitempty"`
	Quoted     string    `json:"quoted,omitempty"`
	ReceivedAt time.Time `json:"received_at"`
}

type meetingRecord struct {
	ID        string    `json:"id,omitempty"`
	Title     string    `json:"title,omitempty"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	Attendees []string  `json:"attendees,omitempty"`
	External  bool      `json:"external,omitempty"`
	Declined  []string  `json:"declined,omitempty"`
	Link      string    `json:"link,omitempty"`
}

type postRecord struct {
	ID         string `json:"id,omitempty"`
	Author     string `json:"author,omitempty"`
	Text       string `json:"text,omitempty"`
	URL        string `json:"url,omitempty"`
	Competitor string `json:"competitor,omitempty"`
	// Added with the X connector; absent in older files.
	AuthorName     string `json:"author_name,omitempty"`
	Followers      int    `json:"followers,omitempty"`
	Verified       bool   `json:"verified,omitempty"`
	ConversationID string `json:"conversation_id,omitempty"`
	InReplyTo      string `json:"in_reply_to,omitempty"`
	Keyword        string `json:"keyword,omitempty"`
}

type formRecord struct {
	Form   string            `json:"form,omitempty"`
	Fields map[string]string `json:"fields,omitempty"`
}

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
			To: cloneStrings(e.To), Subject: e.Subject, Snippet: e.Snippet,
			Body: e.Body, Quoted: e.Quoted, ReceivedAt: utc(e.ReceivedAt),
			InReplyTo: e.InReplyTo, References: cloneStrings(e.References),
		}
	}
	if m := s.Meeting; m != nil {
		r.Meeting = &meetingRecord{
			ID: m.ID, Title: m.Title, Start: utc(m.Start), End: utc(m.End),
			Attendees: cloneStrings(m.Attendees), External: m.External, Link: m.Link, Declined: cloneStrings(m.Declined),
		}
	}
	if p := s.Post; p != nil {
		r.Post = &postRecord{ID: p.ID, Author: p.Author, Text: p.Text, URL: p.URL, Competitor: p.Competitor,
			AuthorName: p.AuthorName, Followers: p.Followers, Verified: p.Verified, ConversationID: p.ConversationID,
			InReplyTo: p.InReplyTo, Keyword: p.Keyword}
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
			To: e.To, Subject: e.Subject, Snippet: e.Snippet, Body: e.Body, Quoted: e.Quoted, ReceivedAt: e.ReceivedAt,
			InReplyTo: e.InReplyTo, References: e.References,
		}
	}
	if m := r.Meeting; m != nil {
		s.Meeting = &backend.Meeting{
			ID: m.ID, Title: m.Title, Start: m.Start, End: m.End,
			Attendees: m.Attendees, External: m.External, Link: m.Link, Declined: m.Declined,
		}
	}
	if p := r.Post; p != nil {
		s.Post = &backend.Post{ID: p.ID, Author: p.Author, Text: p.Text, URL: p.URL, Competitor: p.Competitor,
			AuthorName: p.AuthorName, Followers: p.Followers, Verified: p.Verified, ConversationID: p.ConversationID,
			InReplyTo: p.InReplyTo, Keyword: p.Keyword}
	}
	if f := r.Form; f != nil {
		s.Form = &backend.FormSubmission{Form: f.Form, Fields: f.Fields}
	}
	return s
}
