package backend_test

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// sent carries out the send_email move a reply produced and returns it
// with its execution's Message-ID and thread.
func (f *execFixture) sent(tb testing.TB, key, addr string) (m *backend.Move, msgID, thread string) {
	tb.Helper()
	m = f.reply(tb, key, addr)
	if _, _, err := f.q.Executions.Execute(f.ctx, m.ID, backend.ExecuteOptions{Actor: backend.ActorKey}); err != nil {
		tb.Fatal(err)
	}
	f.clock.Advance(11 * time.Second)
	f.tick(tb)
	e, err := f.q.Executions.Latest(f.ctx, m.ID)
	if err != nil || e.State != backend.ExecCommitted {
		tb.Fatalf("execution = %+v, %v; want committed", e, err)
	}
	p, err := backend.DecodePlan(e.Plan)
	if err != nil {
		tb.Fatal(err)
	}
	return m, p.Email.MessageID, e.RemoteIDs["thread_id"]
}

func (f *execFixture) outcomeTypes(tb testing.TB, id uint64) string {
	tb.Helper()
	os, err := f.q.Outcomes.List(f.ctx, id)
	if err != nil {
		tb.Fatal(err)
	}
	var ts []string
	for _, o := range os {
		ts = append(ts, string(o.Type))
	}
	sort.Strings(ts)
	return strings.Join(ts, ",")
}

func inbound(key, thread, from, subject, body string, at time.Time) *backend.Signal {
	return &backend.Signal{Source: backend.SourceGmail, Type: backend.SignalEmailReplied, OccurredAt: at, DedupeKey: key, ThreadID: thread,
		Contact: &backend.Contact{Email: from, Name: "Maya Chen"},
		Email:   &backend.EmailMessage{ThreadID: thread, From: from, FromName: "Maya Chen", Subject: subject, Body: body, Snippet: body, ReceivedAt: at}}
}

func TestOutcomeDetect_Email(t *testing.T) {
	t.Run("NegativeReplyByMessageID", func(t *testing.T) {
		f := newExecFixture(t)
		m, ours, _ := f.sent(t, "n1", "maya@acme.io")
		f.clock.Advance(time.Hour)
		// Gmail put the answer in a thread of its own; In-Reply-To names our mail.
		s := inbound("g-n1", "thr-elsewhere", "maya@acme.io", "Re: Pricing", "Not now, we just signed with another vendor. Maybe next year.", f.clock.Now())
		s.Email.InReplyTo = ours
		f.ingest(t, s)
		if got := f.outcomeTypes(t, m.ID); got != "negative_reply,replied" {
			t.Fatalf("outcomes = %q, want negative_reply,replied", got)
		}
	})
	t.Run("OurOwnMessageIsNoReply", func(t *testing.T) {
		f := newExecFixture(t)
		m, ours, thread := f.sent(t, "n2", "maya@acme.io")
		f.clock.Advance(time.Minute)
		s := inbound("g-own", thread, "maya@acme.io", "Re: Pricing", "It costs $500 a month.", f.clock.Now())
		s.Email.MessageID = ours
		f.ingest(t, s)
		if got := f.outcomeTypes(t, m.ID); got != "" {
			t.Fatalf("our own mail synced back gave %q, want none", got)
		}
	})
	t.Run("ReplyBeforeTheSendIsNoOutcome", func(t *testing.T) {
		f := newExecFixture(t)
		m, _, thread := f.sent(t, "n3", "maya@acme.io")
		f.ingest(t, inbound("g-early", thread, "maya@acme.io", "Re: Pricing", "One more question", testNow.Add(-30*time.Minute)))
		if got := f.outcomeTypes(t, m.ID); got != "" {
			t.Fatalf("a message from before the send gave %q, want none", got)
		}
	})
	t.Run("Bounced", func(t *testing.T) {
		f := newExecFixture(t)
		m, _, _ := f.sent(t, "b1", "maya@acme.io")
		f.clock.Advance(time.Minute)
		f.ingest(t, &backend.Signal{Source: backend.SourceGmail, Type: backend.SignalEmailBounced, OccurredAt: f.clock.Now(), DedupeKey: "g-bounce",
			ThreadID: "thr-ndr", ContactID: "maya@acme.io", Payload: map[string]string{"bounced_address": "maya@acme.io", "reason": "550 5.1.1 no such user"}})
		if got := f.outcomeTypes(t, m.ID); got != "bounced" {
			t.Fatalf("outcomes = %q, want bounced", got)
		}
		f.clock.Advance(10 * 24 * time.Hour)
		if n, _ := f.q.Outcomes.Sweep(f.ctx); n != 0 {
			t.Errorf("a bounced email got %d no_response", n)
		}
	})
	t.Run("Unsubscribed", func(t *testing.T) {
		f := newExecFixture(t)
		m, _, thread := f.sent(t, "u1", "maya@acme.io")
		f.clock.Advance(time.Minute)
		s := inbound("g-unsub", thread, "maya@acme.io", "Re: Pricing", "Please remove me from your list.", f.clock.Now())
		s.Type = backend.SignalEmailUnsubscribed
		f.ingest(t, s)
		if got := f.outcomeTypes(t, m.ID); got != "unsubscribed" {
			t.Fatalf("outcomes = %q, want unsubscribed", got)
		}
	})
	t.Run("NoResponseInTheOwnersZone", func(t *testing.T) {
		f := newExecFixture(t)
		akl, err := time.LoadLocation("Pacific/Auckland")
		if err != nil {
			t.Skip(err)
		}
		f.q.SetZone(akl)
		// Friday 27 Nov 11:30 UTC is Saturday 00:30 in Auckland: three
		// business days there end Wednesday 00:30, Tuesday 11:30 UTC (in
		// UTC they would end on Wednesday).
		f.clock.Set(time.Date(2026, 11, 27, 11, 29, 49, 0, time.UTC))
		m, _, _ := f.sent(t, "z1", "maya@acme.io")
		due := time.Date(2026, 12, 1, 11, 30, 0, 0, time.UTC)
		f.clock.Set(due.Add(-time.Minute))
		if n, _ := f.q.Outcomes.Sweep(f.ctx); n != 0 {
			t.Fatalf("Sweep a minute before the due time recorded %d", n)
		}
		// The ingest of any signal runs the sweep too.
		f.clock.Set(due)
		f.ingest(t, mentionSignal("x-unrelated", "p-unrelated", due))
		if got := f.outcomeTypes(t, m.ID); got != "no_response" {
			t.Fatalf("outcomes at the due time = %q, want no_response", got)
		}
		f.clock.Advance(time.Hour)
		f.ingest(t, mentionSignal("x-unrelated-2", "p-unrelated-2", f.clock.Now()))
		if n, _ := f.q.Outcomes.Sweep(f.ctx); n != 0 || f.outcomeTypes(t, m.ID) != "no_response" {
			t.Errorf("no_response recorded again")
		}
	})
	t.Run("NoResponseDaysSetting", func(t *testing.T) {
		f := newExecFixture(t)
		st, _ := f.q.Settings.Get(f.ctx)
		st.NoResponseDays = 1
		if err := f.q.Settings.Save(f.ctx, st, backend.ActorCLI); err != nil {
			t.Fatal(err)
		}
		m, _, _ := f.sent(t, "d1", "maya@acme.io") // Sunday: one business day is Monday
		f.clock.Set(time.Date(2026, 11, 23, 9, 0, 11, 0, time.UTC))
		if n, err := f.q.Outcomes.Sweep(f.ctx); n != 1 || err != nil || f.outcomeTypes(t, m.ID) != "no_response" {
			t.Fatalf("Sweep with one business day = %d, %v", n, err)
		}
	})
}

// watched stores a done move of kind with a committed execution and the
// watch its commit would leave, committed at testNow.
func watched(tb testing.TB, f *queueFixture, kind backend.MoveKind, w backend.OutcomeWatch) uint64 {
	tb.Helper()
	err := f.db.Update(f.ctx, func(tx backend.Tx) error {
		m := &backend.Move{Kind: kind, Title: "move", Status: backend.StatusDone, Domain: backend.DomainSales, Subject: backend.Subject{Type: backend.SubjectDeal, ID: "d1"},
			DealID: "d1", CreatedAt: testNow, UpdatedAt: testNow}
		if err := tx.CreateMove(m); err != nil {
			return err
		}
		e := &backend.Execution{MoveID: m.ID, IdempotencyKey: "k-" + itoa(m.ID), State: backend.ExecCommitted, Kind: kind, CreatedAt: testNow, UpdatedAt: testNow, CommittedAt: testNow}
		if err := tx.CreateExecution(e); err != nil {
			return err
		}
		w.ExecutionID, w.MoveID, w.Kind, w.CommittedAt = e.ID, m.ID, kind, testNow
		return tx.PutOutcomeWatch(&w)
	})
	if err != nil {
		tb.Fatal(err)
	}
	var id uint64
	_ = f.db.View(f.ctx, func(tx backend.Tx) error {
		ms, _, err := tx.FindMoves(backend.MoveFilter{})
		for _, m := range ms {
			id = max(id, m.ID)
		}
		return err
	})
	return id
}

func stageSignal(key, from, to string, at time.Time) *backend.Signal {
	return &backend.Signal{Source: backend.SourceHubSpot, Type: backend.SignalDealStageChanged, OccurredAt: at, DedupeKey: key, DealID: "d1",
		Deal: &backend.Deal{ID: "d1", Name: "Acme", Stage: to}, Payload: map[string]string{"previous_stage": from}}
}

func TestOutcomeDetect_SignalsWithoutAFake(t *testing.T) {
	t.Run("OwnStageChangeWithClockSkew", func(t *testing.T) {
		f := newQueue(t)
		id := watched(t, f, backend.KindUpdateDeal, backend.OutcomeWatch{Action: backend.ActionUpdateDeal, Links: []string{"deal:d1"}, Stage: "qualifiedtobuy"})
		// HubSpot's clock runs a minute ahead: our own change comes back
		// stamped after our commit.
		f.ingest(t, stageSignal("s-echo", "appointmentscheduled", "qualifiedtobuy", testNow.Add(time.Minute)))
		if os, _ := f.q.Outcomes.List(f.ctx, id); len(os) != 0 {
			t.Fatalf("our own stage change gave %v, want none", os)
		}
		f.ingest(t, stageSignal("s-back", "qualifiedtobuy", "appointmentscheduled", testNow.Add(2*time.Minute)))
		f.ingest(t, stageSignal("s-on", "appointmentscheduled", "contractsent", testNow.Add(3*time.Hour)))
		os, _ := f.q.Outcomes.List(f.ctx, id)
		if len(os) != 1 || os[0].Type != backend.OutcomeDealAdvanced || !strings.Contains(os[0].Note, "Acme moved from") {
			t.Fatalf("outcomes = %+v, want one deal_advanced (a move backwards is none)", os)
		}
	})
	t.Run("TaskCompletedByID", func(t *testing.T) {
		f := newQueue(t)
		id := watched(t, f, backend.KindCreateTask, backend.OutcomeWatch{Action: backend.ActionCreateTask, Links: []string{"task:9001"}})
		f.ingest(t, &backend.Signal{Source: backend.SourceHubSpot, Type: backend.SignalTaskCompleted, OccurredAt: testNow.Add(time.Hour), DedupeKey: "t-other",
			Payload: map[string]string{"task_id": "9002"}})
		f.ingest(t, &backend.Signal{Source: backend.SourceHubSpot, Type: backend.SignalTaskCompleted, OccurredAt: testNow.Add(2 * time.Hour), DedupeKey: "t-done",
			Payload: map[string]string{"task_id": "9001", "subject": "Send the security review"}})
		os, _ := f.q.Outcomes.List(f.ctx, id)
		if len(os) != 1 || os[0].Type != backend.OutcomeTaskCompleted || !strings.Contains(os[0].Note, "Send the security review") {
			t.Fatalf("outcomes = %+v, want task_completed for task 9001 only", os)
		}
	})
	t.Run("TaskCompleted", func(t *testing.T) {
		f := newQueue(t)
		m := doneNote(t, f)
		// A note makes no task: a task completion names no execution here.
		f.ingest(t, &backend.Signal{Source: backend.SourceHubSpot, Type: backend.SignalTaskCompleted, OccurredAt: testNow.Add(time.Hour), DedupeKey: "t-done",
			Payload: map[string]string{"task_id": "9001"}})
		if os, _ := f.q.Outcomes.List(f.ctx, m.ID); len(os) != 0 {
			t.Fatalf("an unrelated task completion gave %v", os)
		}
		if rep := f.ingest(t, &backend.Signal{Source: backend.SourceHubSpot, Type: backend.SignalTaskCompleted, OccurredAt: testNow, DedupeKey: "t-bad"}); len(rep.Invalid) != 1 {
			t.Errorf("a task.completed without task_id was accepted")
		}
	})
}
