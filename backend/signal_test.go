package backend_test

import (
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

func TestSignal_Validate(t *testing.T) {
	base := func(typ backend.SignalType) *backend.Signal {
		return &backend.Signal{Source: backend.SourceGmail, Type: typ, OccurredAt: testNow, DedupeKey: "k"}
	}
	em := &backend.EmailMessage{ThreadID: "t", From: "a@b.co"}
	meet := func(start, end time.Time) *backend.Meeting { return &backend.Meeting{ID: "e", Start: start, End: end} }
	tests := []struct {
		name string
		sig  *backend.Signal
		ok   bool
	}{
		{"reply OK", func() *backend.Signal { s := base(backend.SignalEmailReplied); s.Email = em; return s }(), true},
		{"nil", nil, false},
		{"unknown source", func() *backend.Signal {
			s := base(backend.SignalEmailReplied)
			s.Source = "fax"
			s.Email = em
			return s
		}(), false},
		{"unknown type", base("email.teleported"), false},
		{"no time", func() *backend.Signal {
			s := base(backend.SignalEmailReplied)
			s.OccurredAt = time.Time{}
			s.Email = em
			return s
		}(), false},
		{"no dedupe key", func() *backend.Signal {
			s := base(backend.SignalEmailReplied)
			s.DedupeKey = ""
			s.Email = em
			return s
		}(), false},
		{"reply without email", base(backend.SignalEmailReplied), false},
		{"reply with bad from", func() *backend.Signal {
			s := base(backend.SignalEmailReplied)
			s.Email = &backend.EmailMessage{ThreadID: "t", From: "nobody"}
			return s
		}(), false},
		{"stage change without deal", base(backend.SignalDealStageChanged), false},
		{"form without contact email", func() *backend.Signal {
			s := base(backend.SignalFormSubmitted)
			s.Form = &backend.FormSubmission{Form: "Demo"}
			return s
		}(), false},
		{"meeting ending before it starts", func() *backend.Signal {
			s := base(backend.SignalMeetingUpcoming)
			s.Meeting = meet(testNow, testNow.Add(-time.Hour))
			return s
		}(), false},
		{"meeting OK", func() *backend.Signal {
			s := base(backend.SignalMeetingUpcoming)
			s.Meeting = meet(testNow, testNow.Add(time.Hour))
			return s
		}(), true},
		{"mention without author", func() *backend.Signal {
			s := base(backend.SignalSocialMention)
			s.Post = &backend.Post{ID: "p"}
			return s
		}(), false},
		{"duplicate of itself", func() *backend.Signal {
			s := base(backend.SignalContactDuplicate)
			s.ContactID = "a"
			s.Payload = map[string]string{"duplicate_id": "a"}
			return s
		}(), false},
		{"bad contact snapshot", func() *backend.Signal {
			s := base(backend.SignalEmailBounced)
			s.ContactID = "x"
			s.Contact = &backend.Contact{ID: "x", Email: "broken"}
			return s
		}(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.sig != nil {
				tt.sig.Normalize()
			}
			err := tt.sig.Validate()
			if tt.ok && err != nil {
				t.Errorf("Validate() = %v, want nil", err)
			}
			if !tt.ok && backend.ErrorCode(err) != backend.EINVALID {
				t.Errorf("Validate() = %v, want an %s error", err, backend.EINVALID)
			}
		})
	}
}

func TestSignal_NormalizeFillsRefs(t *testing.T) {
	s := &backend.Signal{
		Contact: &backend.Contact{Email: " Maya@Acme.IO "},
		Company: &backend.Company{ID: "acme"},
		Deal:    &backend.Deal{ID: "d1"},
		Email:   &backend.EmailMessage{ThreadID: "t9", From: "Maya@Acme.io"},
	}
	s.Normalize()
	if s.ContactID != "maya@acme.io" || s.CompanyID != "acme" || s.DealID != "d1" || s.ThreadID != "t9" {
		t.Errorf("refs = %q %q %q %q", s.ContactID, s.CompanyID, s.DealID, s.ThreadID)
	}
	if s.Contact.CompanyID != "acme" || s.Deal.CompanyID != "acme" || s.Deal.ContactIDs[0] != "maya@acme.io" || s.Email.From != "maya@acme.io" {
		t.Errorf("snapshots not linked: %+v %+v %+v", s.Contact, s.Deal, s.Email)
	}
}
