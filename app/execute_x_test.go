package app

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/x"
	"github.com/caseyos/caseyos/connectors/x/xtest"
)

// xExec is an execEnv whose Social capability is the X client against a
// fake X holding a mention of @pebblecache by @devjess.
type xExec struct {
	*execEnv
	srv     *xtest.Server
	mention string
}

func newXExec(t *testing.T) *xExec {
	t.Helper()
	e := newExecEnv(t)
	srv := xtest.NewTestServer(t, xtest.Options{})
	key, secret := srv.NewConsumer()
	me := srv.AddUser(xtest.User{Username: "pebblecache"})
	tok, ts := srv.NewAccessToken(key, me.ID)
	jess := srv.AddUser(xtest.User{Username: "devjess", Followers: 4800})
	m := srv.AddMention(jess.ID, "@pebblecache CI went from 22 minutes to 6", time.Now().Add(-time.Hour))
	c, err := x.New(x.Config{BaseURL: srv.URL(), Credentials: x.Credentials{ConsumerKey: key, ConsumerSecret: secret, Token: tok, TokenSecret: ts}})
	if err != nil {
		t.Fatal(err)
	}
	e.caps.Social = c
	e.restart()
	return &xExec{execEnv: e, srv: srv, mention: m.ID}
}

func (e *xExec) replyMove() uint64 {
	return e.move(&backend.Move{Kind: backend.KindReplySocial, Title: "Reply to @devjess: CI went from 22 minutes to 6",
		Subject: backend.Subject{Type: backend.SubjectPost, ID: e.mention},
		Draft:   backend.Draft{PostID: e.mention, Body: "Thanks @devjess! That is the cache doing its job.", Fields: map[string]string{"author": "devjess"}}})
}

// A reply goes out exactly once whatever stops the process: recorded
// before the call, and on restart the execution left in flight is
// reconciled by reading our recent posts for that reply.
func TestExecute_ReplySocialCrashes(t *testing.T) {
	crash := errors.New("killed")
	for _, tc := range []struct {
		name  string
		hooks backend.ExecHooks
		fault *xtest.Fault
	}{
		{"BetweenRecordAndCall", backend.ExecHooks{BeforeCall: func(*backend.Execution) error { return crash }}, nil},
		{"AfterCallBeforeResult", backend.ExecHooks{AfterCall: func(*backend.Execution) error { return crash }}, nil},
		{"AnswerLostAfterPosting", backend.ExecHooks{}, &xtest.Fault{Method: "POST", Path: "/2/tweets", AfterCommit: true, Drop: true}},
		{"ServerErrorBeforePosting", backend.ExecHooks{}, &xtest.Fault{Method: "POST", Path: "/2/tweets", Status: 503}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newXExec(t)
			id := e.replyMove()
			e.app.queue.Executions.SetExecHooks(tc.hooks)
			if tc.fault != nil {
				e.srv.Inject(*tc.fault)
			}
			e.execute(id)
			if tc.fault != nil {
				if st := e.status(id); st.State != "queued" {
					t.Fatalf("after %s the execution is %s, want queued in the outbox", tc.name, st.State)
				}
				if _, err := e.app.bound.Execution.RetryOutbox(); err != nil {
					t.Fatal(err)
				}
			} else {
				e.restart()
				if _, err := e.app.queue.Executions.Reconcile(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			replies := e.srv.Replies(e.mention)
			if n := len(replies); n != 1 {
				t.Fatalf("X holds %d replies, want exactly 1", n)
			}
			st := e.status(id)
			if st.State != "committed" {
				t.Fatalf("execution = %+v, want committed", st)
			}
			// Rollback is a real compensating action: it deletes the reply.
			if _, err := e.app.bound.Execution.Rollback(id, "key"); err != nil {
				t.Fatal(err)
			}
			if d := e.srv.Deleted(); len(d) != 1 || d[0] != replies[0].ID {
				t.Errorf("deleted = %v, want our reply", d)
			}
		})
	}
}

// Over X's length the preview refuses, naming the count.
func TestExecute_ReplySocialTooLong(t *testing.T) {
	e := newXExec(t)
	id := e.move(&backend.Move{Kind: backend.KindReplySocial, Title: "Reply", Subject: backend.Subject{Type: backend.SubjectPost, ID: e.mention},
		Draft: backend.Draft{PostID: e.mention, Body: "Read https://pebblecache.dev/" + longText(270)}})
	p, err := e.app.bound.Execution.PreviewExecution(id)
	if err == nil && p.Blocked() == nil {
		t.Fatalf("PreviewExecution of a 298-character reply = %+v, want refused", p)
	}
	if n := e.srv.Count("POST", "/2/tweets"); n != 0 {
		t.Errorf("%d posts reached X", n)
	}
}

func longText(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'a'
	}
	return " " + string(b)
}
