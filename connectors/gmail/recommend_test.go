package gmail_test

import (
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/gmail"
	"github.com/caseyos/caseyos/connectors/gmail/gmailtest"
)

// records is the CRM the recommender sees: the demo's Northwind.
type records struct{}

func (records) Contact(id string) *backend.Contact {
	if id == "1001" {
		return &backend.Contact{ID: "1001", Email: "dana@northwind.io", Name: "Dana Whitfield", CompanyID: "co-northwind", Lifecycle: "opportunity"}
	}
	return nil
}

func (records) Company(id string) *backend.Company {
	if id == "co-northwind" {
		return &backend.Company{ID: "co-northwind", Name: "Northwind Analytics", Domain: "northwind.io", ExpectedARR: 48000}
	}
	return nil
}

func (records) Deal(id string) *backend.Deal {
	if id == "9001" {
		return &backend.Deal{ID: "9001", Name: "Northwind — Team plan", Amount: 48000, Stage: "presentationscheduled", CompanyID: "co-northwind"}
	}
	return nil
}

// A reply in a thread we started becomes exactly one reply move, for Dana
// and her deal, threaded on her message, due by the reply window.
func TestReplyBecomesOneMove(t *testing.T) {
	e := newEnv(t, gmail.Config{}, gmailtest.Options{})
	_, cur := e.poll(t, "")
	sent, err := e.c.Send(t.Context(), backend.OutgoingEmail{To: []string{"dana@northwind.io"}, Subject: "Pilot pricing", Body: "Attached."})
	if err != nil {
		t.Fatal(err)
	}
	_, cur = e.poll(t, cur)
	e.clock.Advance(time.Hour)
	e.fake.Deliver(gmailtest.Message{From: "Dana Whitfield <dana@northwind.io>", To: []string{owner}, Subject: "Re: Pilot pricing",
		MessageID: "<CAN0rth-9@northwind.io>", InReplyTo: e.fake.MessageHeader(sent.ID, "Message-ID"),
		References: []string{e.fake.MessageHeader(sent.ID, "Message-ID")}, Body: "Works for us. Can we start Monday?"})
	sigs, _ := e.poll(t, cur)
	if len(sigs) != 1 {
		t.Fatalf("signals = %v, want one", types(sigs))
	}
	st := backend.DefaultSettings()
	props := backend.Recommend(sigs[0], records{}, st, e.clock.Now(), time.UTC)
	if len(props) != 1 {
		t.Fatalf("Recommend() = %d proposals, want 1", len(props))
	}
	p := props[0]
	if p.Kind != backend.KindSendEmail || p.ContactID != "1001" || p.DealID != "9001" || p.CompanyID != "co-northwind" {
		t.Errorf("proposal = %s for contact %q deal %q company %q, want send_email for 1001 / 9001 / co-northwind", p.Kind, p.ContactID, p.DealID, p.CompanyID)
	}
	if p.Subject != (backend.Subject{Type: backend.SubjectThread, ID: sent.ThreadID}) {
		t.Errorf("subject = %+v, want thread %s", p.Subject, sent.ThreadID)
	}
	if p.Draft.ThreadID != sent.ThreadID || p.Draft.InReplyTo != "<CAN0rth-9@northwind.io>" || len(p.Draft.To) != 1 || p.Draft.To[0] != "dana@northwind.io" {
		t.Errorf("draft = %+v, want a threaded reply to Dana's message", p.Draft)
	}
	if want := e.clock.Now().Add(st.ReplyWindow); !p.DueAt.Equal(want) {
		t.Errorf("due = %v, want the reply window from her reply (%v)", p.DueAt, want)
	}
}
