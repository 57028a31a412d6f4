package app

import (
	"errors"
	"strings"
	"testing"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/backend/intent"
)

// A composed draft with a question it could not answer is refused by the
// preview and execute path, naming the question, until the founder writes
// the answer; then it goes.
func TestApp_UnansweredQuestionRefused(t *testing.T) {
	e := newExecEnv(t)
	st := backend.DefaultSettings()
	st.OwnerName = "Casey"
	r := backend.ComposeReply(backend.ReplyInput{
		Intent:   intent.Result{Intent: intent.Other, Entities: intent.Entities{Questions: []intent.Question{{Text: "Do you support SSO?", Topic: intent.TopicSecurity}}}},
		Email:    &backend.EmailMessage{ThreadID: "t1", MessageID: "<m1@x>", From: "dana@northwind.io", FromName: "Dana Whitfield", Subject: "Questions"},
		Settings: st,
	})
	id := e.move(&backend.Move{Kind: backend.KindSendEmail, Title: "Reply to Dana", Subject: backend.Subject{Type: backend.SubjectThread, ID: "t1"}, ContactID: "101", Draft: r.Draft})
	const want = "line 5: an unanswered question 'Do you support SSO?'"

	p, err := e.app.bound.Execution.PreviewExecution(id)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Holes) != 1 || p.Holes[0].Message != want || p.Holes[0].Kind != backend.HoleUnanswered {
		t.Fatalf("PreviewExecution().Holes = %+v, want %q\n%s", p.Holes, want, r.Draft.Body)
	}
	_, err = e.app.bound.Execution.ExecuteMove(id, ExecuteRequestDTO{PreviewHash: p.Hash, Via: "key"})
	if backend.ErrorCode(err) != backend.EINVALID || !errors.Is(err, backend.ErrTemplateHoles) || !strings.Contains(backend.ErrorMessage(err), want) {
		t.Fatalf("ExecuteMove = %v, want invalid naming %q", err, want)
	}
	if n := len(e.mail.Sent()); n != 0 {
		t.Fatalf("%d emails sent, want 0", n)
	}

	d := r.Draft
	d.Body = strings.Replace(d.Body, backend.AnswerHole("Do you support SSO?"), "Yes: SAML SSO with Okta and Entra ID.", 1)
	if _, err := e.app.bound.Today.UpdateDraft(id, DraftDTO{To: d.To, Subject: d.Subject, Body: d.Body, ThreadID: d.ThreadID, InReplyTo: d.InReplyTo}); err != nil {
		t.Fatal(err)
	}
	p, err = e.app.bound.Execution.PreviewExecution(id)
	if err != nil || len(p.Holes) != 0 {
		t.Fatalf("PreviewExecution after the answer = %+v, %v; want no holes", p.Holes, err)
	}
	if _, err := e.app.bound.Execution.ExecuteMove(id, ExecuteRequestDTO{PreviewHash: p.Hash, Via: "key"}); err != nil {
		t.Fatalf("ExecuteMove after the answer = %v", err)
	}
}
