package backend_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

// followStart is Tuesday 24 November 2026, 10:00 in New York (the
// owner's zone) and 15:00 in London (Maya's, inside her send window).
var followStart = time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)

type followFixture struct {
	*execFixture
	ny     *time.Location
	origin *backend.Move
}

// newFollowFixture sends the first mail (a reply to Maya in thread
// thr-g1) on Tuesday and returns it done.
func newFollowFixture(tb testing.TB) *followFixture {
	tb.Helper()
	f := &followFixture{execFixture: newExecFixture(tb), ny: mustZone(tb, "America/New_York")}
	f.q.SetZone(f.ny)
	f.clock.Set(followStart)
	f.origin = f.reply(tb, "g1", "maya@acme.io")
	f.send(tb, f.origin.ID)
	return f
}

// send executes a move and lets its undo window pass: it leaves once.
func (f *followFixture) send(tb testing.TB, id uint64) {
	tb.Helper()
	before := f.mail.count()
	if _, _, err := f.q.Executions.Execute(f.ctx, id, backend.ExecuteOptions{Actor: backend.ActorKey}); err != nil {
		tb.Fatalf("Execute(%d) = %v", id, err)
	}
	f.clock.Advance(10 * time.Second)
	f.tick(tb)
	if f.mail.count() != before+1 || f.status(tb, id) != backend.StatusDone {
		tb.Fatalf("executing %d: %d sent (want %d), move %s", id, f.mail.count(), before+1, f.status(tb, id))
	}
}

// outcome records what came back for a move, through the outcome path
// every detector uses (the observers see it in its transaction).
func (f *followFixture) outcome(tb testing.TB, moveID uint64, typ backend.OutcomeType) {
	tb.Helper()
	if _, err := f.q.Outcomes.Record(f.ctx, backend.OutcomeInput{MoveID: moveID, Type: typ, Actor: backend.ActorSystem}); err != nil {
		tb.Fatalf("Record(%d, %s) = %v", moveID, typ, err)
	}
}

func (f *followFixture) sequence(tb testing.TB) *backend.Sequence {
	tb.Helper()
	q, err := f.q.FollowUps.ForMove(f.ctx, f.origin.ID)
	if err != nil {
		tb.Fatalf("ForMove(%d) = %v", f.origin.ID, err)
	}
	return q
}

// followUpMoves lists every follow-up move in the store, by id.
func followUpMoves(tb testing.TB, db backend.Store) []*backend.Move {
	tb.Helper()
	var out []*backend.Move
	err := db.View(context.Background(), func(tx backend.Tx) error {
		ms, _, err := tx.FindMoves(backend.MoveFilter{})
		for _, m := range ms {
			if m.Subject.Type == backend.SubjectFollowUp {
				out = append(out, m)
			}
		}
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// at moves the clock to a wall time in New York.
func (f *followFixture) at(y int, m time.Month, d, h, min int) {
	f.clock.Set(time.Date(y, m, d, h, min, 0, 0, f.ny))
}

func (f *followFixture) refresh(tb testing.TB) backend.RefreshReport {
	tb.Helper()
	rep, err := f.q.Moves.Refresh(f.ctx)
	if err != nil {
		tb.Fatal(err)
	}
	return rep
}

func TestFollowUps_Sequence(t *testing.T) {
	f := newFollowFixture(t)
	first := f.mail.sent[0]

	// Friday, three business days after Tuesday's mail: no answer.
	f.at(2026, 11, 27, 10, 1)
	f.outcome(t, f.origin.ID, backend.OutcomeNoResponse)
	q := f.sequence(t)
	if len(q.Steps) != 2 || q.State != backend.SequenceActive {
		t.Fatalf("after no_response: %d steps, %s; want the first follow-up proposed", len(q.Steps), q.State)
	}
	fu, err := f.q.Moves.Move(f.ctx, q.Steps[1].MoveID)
	if err != nil {
		t.Fatal(err)
	}
	d := fu.Draft
	if fu.Status != backend.StatusPending || fu.Kind != backend.KindSendEmail || d.ThreadID != "thr-g1" || d.InReplyTo != first.MessageID || d.InReplyTo == "" ||
		len(d.To) != 1 || d.To[0] != "maya@acme.io" || d.Subject != "Re: Pricing" {
		t.Fatalf("follow-up = %s %s %+v; want a pending reply to %q in thr-g1", fu.Status, fu.Kind, d, first.MessageID)
	}
	if !strings.Contains(d.Body, "Following up on my note from Tuesday about “Pricing”") || !strings.HasPrefix(d.Body, "Hi Maya,") {
		t.Errorf("follow-up body = %q; want it to greet Maya and name Tuesday's note about Pricing", d.Body)
	}
	if got := q.Describe(f.ny); !strings.HasPrefix(got, "step 2 of 3, started from “Pricing” on Tue 24 Nov") {
		t.Errorf("Describe = %q", got)
	}

	// Sent on Friday; the following Wednesday (three business days,
	// the weekend skipped) it has no answer either.
	f.send(t, fu.ID)
	second := f.mail.sent[1]
	if second.ThreadID != "thr-g1" || second.InReplyTo != first.MessageID {
		t.Fatalf("follow-up sent %+v; want it in thr-g1 answering %q", second, first.MessageID)
	}
	f.at(2026, 12, 1, 10, 5) // Tuesday: the gap has not passed
	f.outcome(t, fu.ID, backend.OutcomeNoResponse)
	if q := f.sequence(t); len(q.Steps) != 2 || q.NextAt.IsZero() || !strings.Contains(q.Describe(f.ny), "next at") {
		t.Fatalf("early no_response: %d steps, next %v (%s); want the next step waiting for Wednesday", len(q.Steps), q.NextAt, q.Describe(f.ny))
	}
	f.at(2026, 12, 2, 10, 0)
	if rep := f.refresh(t); rep.FollowUps != 0 {
		t.Fatalf("Wednesday 10:00, before Friday's send time: refresh proposed %d", rep.FollowUps)
	}
	f.at(2026, 12, 2, 10, 2)
	if rep := f.refresh(t); rep.FollowUps != 1 {
		t.Fatalf("Wednesday after the gap: refresh proposed %d, want 1", rep.FollowUps)
	}
	q = f.sequence(t)
	last, _ := f.q.Moves.Move(f.ctx, q.Steps[2].MoveID)
	if last.Draft.InReplyTo != second.MessageID || !strings.Contains(last.Draft.Body, "One last note") || !strings.Contains(last.Draft.Body, "Tuesday 24 November") {
		t.Errorf("last follow-up = %+v; want it to answer %q, say it is the last and name the first mail's day", last.Draft, second.MessageID)
	}
	f.send(t, last.ID)
	f.at(2026, 12, 7, 11, 0)
	f.outcome(t, last.ID, backend.OutcomeNoResponse)
	f.refresh(t)
	if q := f.sequence(t); q.State != backend.SequenceFinished || len(followUpMoves(t, f.db)) != 2 {
		t.Fatalf("after the last step: %s with %d follow-ups; want finished with 2", q.State, len(followUpMoves(t, f.db)))
	}
}

func TestFollowUps_NeverTwice(t *testing.T) {
	f := newFollowFixture(t)
	f.at(2026, 11, 27, 10, 1)
	f.outcome(t, f.origin.ID, backend.OutcomeNoResponse)
	f.outcome(t, f.origin.ID, backend.OutcomeNoResponse) // a duplicate
	for i := 0; i < 3; i++ {
		if n, err := f.q.FollowUps.Pass(f.ctx); err != nil || n != 0 {
			t.Fatalf("Pass #%d = %d, %v; want nothing new", i, n, err)
		}
		f.refresh(t)
	}
	if ms := followUpMoves(t, f.db); len(ms) != 1 {
		t.Fatalf("%d follow-up moves after a duplicate no_response and re-runs, want 1", len(ms))
	}

	t.Run("Restart", func(t *testing.T) {
		path := f.path
		f.db.Close()
		db, err := store.Open(path, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		q := backend.NewServices(db, f.clock, nil, backend.NewActions(backend.Capabilities{Mailbox: f.mail})...)
		q.SetZone(f.ny)
		f.clock.Advance(24 * time.Hour)
		if n, err := q.FollowUps.Pass(f.ctx); err != nil || n != 0 {
			t.Fatalf("Pass after a restart = %d, %v; want nothing new", n, err)
		}
		if _, err := q.Outcomes.Record(f.ctx, backend.OutcomeInput{MoveID: f.origin.ID, Type: backend.OutcomeNoResponse}); err != nil {
			t.Fatal(err)
		}
		ms := followUpMoves(t, db)
		if len(ms) != 1 {
			t.Fatalf("%d follow-up moves after a restart, want 1", len(ms))
		}
		// Executing it is the normal exactly-once path: a second
		// execute is refused and one mail leaves.
		if _, _, err := q.Executions.Execute(f.ctx, ms[0].ID, backend.ExecuteOptions{Actor: backend.ActorKey}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := q.Executions.Execute(f.ctx, ms[0].ID, backend.ExecuteOptions{Actor: backend.ActorKey}); backend.ErrorCode(err) != backend.ECONFLICT {
			t.Errorf("second Execute = %v, want conflict", err)
		}
		f.clock.Advance(time.Minute)
		q.Executions.Tick(f.ctx)
		q.Executions.Tick(f.ctx)
		if f.mail.count() != 2 {
			t.Errorf("%d mails sent, want the first and one follow-up", f.mail.count())
		}
	})
}

func TestFollowUps_Stops(t *testing.T) {
	for _, tt := range []struct {
		typ    backend.OutcomeType
		reason string
	}{
		{backend.OutcomeReplied, "they replied"},
		{backend.OutcomePositiveReply, "they replied"},
		{backend.OutcomeNegativeReply, "they replied"},
		{backend.OutcomeBounced, "the mail bounced"},
		{backend.OutcomeUnsubscribed, "they unsubscribed"},
		{backend.OutcomeMeetingBooked, "a meeting was booked"},
	} {
		t.Run(string(tt.typ), func(t *testing.T) {
			f := newFollowFixture(t)
			f.at(2026, 11, 27, 10, 1)
			f.outcome(t, f.origin.ID, backend.OutcomeNoResponse)
			fu := f.sequence(t).Last().MoveID
			f.clock.Advance(time.Hour)
			f.outcome(t, f.origin.ID, tt.typ)
			q := f.sequence(t)
			if q.State != backend.SequenceStopped || q.StopReason != tt.reason || f.status(t, fu) != backend.StatusExpired {
				t.Fatalf("after %s: %s (%q), follow-up %s; want stopped because %s, follow-up ended", tt.typ, q.State, q.StopReason, f.status(t, fu), tt.reason)
			}
			if !strings.Contains(q.Describe(f.ny), "stopped because "+tt.reason) {
				t.Errorf("Describe = %q", q.Describe(f.ny))
			}
			// Nothing more: not a late no_response, not the pass.
			f.outcome(t, f.origin.ID, backend.OutcomeNoResponse)
			f.at(2026, 12, 10, 10, 0)
			f.refresh(t)
			if ms := followUpMoves(t, f.db); len(ms) != 1 || f.mail.count() != 1 {
				t.Errorf("after stopping: %d follow-ups, %d sent; want the ended one, the first mail", len(ms), f.mail.count())
			}
		})
	}
	t.Run("ReplyToTheFollowUp", func(t *testing.T) {
		f := newFollowFixture(t)
		f.at(2026, 11, 27, 10, 1)
		f.outcome(t, f.origin.ID, backend.OutcomeNoResponse)
		fu := f.sequence(t).Last().MoveID
		f.send(t, fu)
		f.clock.Advance(2 * time.Hour)
		f.outcome(t, fu, backend.OutcomeReplied)
		f.at(2026, 12, 3, 10, 0)
		f.outcome(t, fu, backend.OutcomeNoResponse) // a stale timer
		f.refresh(t)
		if q := f.sequence(t); q.State != backend.SequenceStopped || len(q.Steps) != 2 {
			t.Fatalf("reply to the follow-up: %s with %d steps; want stopped at step 2", q.State, len(q.Steps))
		}
	})
}

func TestFollowUps_OutOfOffice(t *testing.T) {
	// Maya's auto-reply says she is back on Wednesday 2 December.
	back := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	ooo := func(f *followFixture, key string) {
		s := &backend.Signal{
			Source: backend.SourceGmail, Type: backend.SignalEmailOutOfOffice, OccurredAt: f.clock.Now(), DedupeKey: key, ThreadID: "thr-g1",
			Contact: &backend.Contact{Email: "maya@acme.io"},
			Email:   &backend.EmailMessage{ThreadID: "thr-g1", From: "maya@acme.io", Subject: "Automatic reply: Pricing", ReceivedAt: f.clock.Now()},
			Payload: map[string]string{"returns_at": back.Format(time.RFC3339)},
		}
		f.ingest(t, s)
		f.outcome(t, f.origin.ID, backend.OutcomeOutOfOffice)
	}
	t.Run("HoldsTheOpenFollowUp", func(t *testing.T) {
		f := newFollowFixture(t)
		f.at(2026, 11, 27, 10, 1)
		f.outcome(t, f.origin.ID, backend.OutcomeNoResponse)
		fu := f.sequence(t).Last().MoveID
		ooo(f, "ooo-1")
		q := f.sequence(t)
		m, _ := f.q.Moves.Move(f.ctx, fu)
		resume := backend.AddBusinessDays(back, 1, f.ny) // Thursday 3 December
		if q.State != backend.SequencePaused || !q.PausedUntil.Equal(back) || m.Status != backend.StatusSnoozed || !m.SnoozedUntil.Equal(resume) {
			t.Fatalf("out of office: %s until %v, follow-up %s until %v; want paused until %v, snoozed until %v", q.State, q.PausedUntil, m.Status, m.SnoozedUntil, back, resume)
		}
		f.clock.Set(resume.Add(-time.Minute))
		f.refresh(t)
		if f.status(t, fu) != backend.StatusSnoozed || f.sequence(t).State != backend.SequencePaused {
			t.Fatalf("before the return: follow-up %s, sequence %s", f.status(t, fu), f.sequence(t).State)
		}
		f.clock.Set(resume.Add(time.Minute))
		f.refresh(t)
		if f.status(t, fu) != backend.StatusPending || f.sequence(t).State != backend.SequenceActive || len(followUpMoves(t, f.db)) != 1 {
			t.Fatalf("after the return: follow-up %s, sequence %s, %d follow-ups; want the same one pending, active", f.status(t, fu), f.sequence(t).State, len(followUpMoves(t, f.db)))
		}
	})
	t.Run("BeforeNoResponse", func(t *testing.T) {
		f := newFollowFixture(t)
		f.clock.Advance(time.Hour)
		ooo(f, "ooo-2")
		q := f.sequence(t)
		if q.State != backend.SequencePaused || len(q.Steps) != 1 {
			t.Fatalf("auto-reply to the first mail: %s with %d steps; want paused at step 1", q.State, len(q.Steps))
		}
		f.at(2026, 11, 30, 10, 0) // Monday: three business days have passed, she is away
		f.refresh(t)
		if len(followUpMoves(t, f.db)) != 0 {
			t.Fatal("a follow-up was proposed while she is out of office")
		}
		f.clock.Set(backend.AddBusinessDays(back, 1, f.ny))
		if rep := f.refresh(t); rep.FollowUps != 1 || f.sequence(t).State != backend.SequenceActive {
			t.Fatalf("after the return: refresh proposed %d, sequence %s; want 1, active", rep.FollowUps, f.sequence(t).State)
		}
	})
}

func TestFollowUps_Guardrails(t *testing.T) {
	propose := func(t *testing.T) (*followFixture, uint64) {
		f := newFollowFixture(t)
		f.at(2026, 11, 27, 10, 1)
		f.outcome(t, f.origin.ID, backend.OutcomeNoResponse)
		return f, f.sequence(t).Last().MoveID
	}
	t.Run("KillSwitch", func(t *testing.T) {
		f, fu := propose(t)
		if _, err := f.q.Guardrails.SetKillSwitch(f.ctx, true, backend.ActorCLI, "testing"); err != nil {
			t.Fatal(err)
		}
		_, _, err := f.q.Executions.Execute(f.ctx, fu, backend.ExecuteOptions{Actor: backend.ActorKey})
		if g, _ := backend.RefusedBy(err); g != backend.GuardKillSwitch {
			t.Fatalf("Execute(follow-up) under the kill switch = %v, want refused by it", err)
		}
		f.clock.Advance(time.Minute)
		f.tick(t)
		if f.mail.count() != 1 || f.status(t, fu) != backend.StatusPending {
			t.Fatalf("kill switch on: %d sent, follow-up %s; want only the first mail", f.mail.count(), f.status(t, fu))
		}
	})
	t.Run("DailyCap", func(t *testing.T) {
		f, fu := propose(t)
		st, _ := f.q.Settings.Get(f.ctx)
		st.DailyCaps[backend.KindSendEmail] = 1
		if err := f.q.Settings.Save(f.ctx, st, backend.ActorCLI); err != nil {
			t.Fatal(err)
		}
		f.send(t, f.reply(t, "g2", "li@beta.io").ID) // today's one email
		_, _, err := f.q.Executions.Execute(f.ctx, fu, backend.ExecuteOptions{Actor: backend.ActorKey})
		if g, _ := backend.RefusedBy(err); g != backend.GuardDailyCap {
			t.Fatalf("Execute(follow-up) over the cap = %v, want refused by the daily cap", err)
		}
	})
	t.Run("SendWindow", func(t *testing.T) {
		f, fu := propose(t)
		f.clock.Set(time.Date(2026, 11, 27, 21, 30, 0, 0, time.UTC)) // 21:30 in London
		if _, _, err := f.q.Executions.Execute(f.ctx, fu, backend.ExecuteOptions{Actor: backend.ActorKey}); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Minute)
		f.tick(t)
		if f.mail.count() != 1 {
			t.Fatalf("outside Maya's send window %d mails left, want the follow-up held", f.mail.count())
		}
		f.clock.Set(time.Date(2026, 11, 28, 8, 1, 0, 0, time.UTC))
		f.tick(t)
		f.tick(t)
		if f.mail.count() != 2 || f.status(t, fu) != backend.StatusDone {
			t.Fatalf("when the window opens: %d sent, follow-up %s; want it sent once", f.mail.count(), f.status(t, fu))
		}
	})
	t.Run("ReplyWhileQueuedForTheSendWindow", func(t *testing.T) {
		f, fu := propose(t)
		f.clock.Set(time.Date(2026, 11, 27, 21, 30, 0, 0, time.UTC)) // 21:30 in London: it waits for the morning
		if _, _, err := f.q.Executions.Execute(f.ctx, fu, backend.ExecuteOptions{Actor: backend.ActorKey}); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Minute)
		f.tick(t)
		f.outcome(t, f.origin.ID, backend.OutcomeReplied) // she answers overnight
		f.clock.Set(time.Date(2026, 11, 28, 8, 1, 0, 0, time.UTC))
		f.tick(t)
		f.tick(t)
		if f.mail.count() != 1 || f.status(t, fu) != backend.StatusExpired {
			t.Fatalf("a reply while the follow-up was queued: %d sent, follow-up %s; want it taken back and ended", f.mail.count(), f.status(t, fu))
		}
	})
	t.Run("DoNotContact", func(t *testing.T) {
		f := newFollowFixture(t)
		if _, err := f.q.Guardrails.AddDoNotContact(f.ctx, "Maya@Acme.io", "manual", "asked not to be written to", backend.ActorCLI); err != nil {
			t.Fatal(err)
		}
		f.at(2026, 11, 27, 10, 1)
		f.outcome(t, f.origin.ID, backend.OutcomeNoResponse)
		q := f.sequence(t)
		if len(followUpMoves(t, f.db)) != 0 || q.State != backend.SequenceStopped || !strings.Contains(q.StopReason, "do-not-contact") {
			t.Fatalf("do-not-contact address: %d follow-ups, sequence %s (%q); want none, stopped", len(followUpMoves(t, f.db)), q.State, q.StopReason)
		}
	})
	t.Run("Off", func(t *testing.T) {
		f := newFollowFixture(t)
		st, _ := f.q.Settings.Get(f.ctx)
		st.FollowUps.On = false
		if err := f.q.Settings.Save(f.ctx, st, backend.ActorCLI); err != nil {
			t.Fatal(err)
		}
		f.at(2026, 11, 27, 10, 1)
		f.outcome(t, f.origin.ID, backend.OutcomeNoResponse)
		f.refresh(t)
		if len(followUpMoves(t, f.db)) != 0 {
			t.Fatal("follow-ups are off but one was proposed")
		}
	})
}

func TestFollowUpService_Stop(t *testing.T) {
	f := newFollowFixture(t)
	f.at(2026, 11, 27, 10, 1)
	f.outcome(t, f.origin.ID, backend.OutcomeNoResponse)
	fu := f.sequence(t).Last().MoveID
	t.Run("OK", func(t *testing.T) {
		q, err := f.q.FollowUps.Stop(f.ctx, fu, backend.ActorKey)
		if err != nil || q.State != backend.SequenceStopped || q.StopReason != "stopped by hand" || f.status(t, fu) != backend.StatusExpired {
			t.Fatalf("Stop = %+v, %v; follow-up %s", q, err, f.status(t, fu))
		}
		var logged bool
		for _, e := range f.audit(t, fu) {
			logged = logged || e.Action == backend.AuditSequence && e.Actor == backend.ActorKey && strings.Contains(e.Detail, "stopped by hand")
		}
		if !logged {
			t.Error("stopping by hand is not in the audit log")
		}
		f.at(2026, 12, 10, 10, 0)
		f.refresh(t)
		if len(followUpMoves(t, f.db)) != 1 {
			t.Error("a stopped sequence proposed another follow-up")
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		if _, err := f.q.FollowUps.Stop(f.ctx, f.origin.ID, backend.ActorKey); backend.ErrorCode(err) != backend.ECONFLICT {
			t.Fatalf("Stop(stopped) = %v, want conflict", err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if _, err := f.q.FollowUps.Stop(f.ctx, 9999, backend.ActorKey); backend.ErrorCode(err) != backend.ENOTFOUND {
			t.Fatalf("Stop(no sequence) = %v, want not_found", err)
		}
	})
}

func TestAddBusinessDays(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	for _, tt := range []struct {
		name     string
		from     time.Time
		n        int
		wantDate string
	}{
		{"MidWeek", time.Date(2026, 11, 24, 10, 0, 0, 0, ny), 3, "Fri 2026-11-27 10:00"},
		{"OverTheWeekend", time.Date(2026, 11, 27, 10, 0, 0, 0, ny), 3, "Wed 2026-12-02 10:00"},
		{"FromSaturday", time.Date(2026, 11, 28, 10, 0, 0, 0, ny), 1, "Mon 2026-11-30 10:00"},
		// Friday 22:00 in New York is Saturday in UTC: the owner's Friday counts.
		{"OwnersZoneNotUTC", time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC), 1, "Mon 2026-11-30 22:00"},
		// Across the end of daylight saving time the wall clock holds.
		{"DST", time.Date(2026, 10, 30, 9, 0, 0, 0, ny), 1, "Mon 2026-11-02 09:00"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := backend.AddBusinessDays(tt.from, tt.n, ny).In(ny).Format("Mon 2006-01-02 15:04")
			if got != tt.wantDate {
				t.Errorf("AddBusinessDays(%v, %d) = %s, want %s", tt.from, tt.n, got, tt.wantDate)
			}
		})
	}
}

func TestComposeFollowUp(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	st := backend.DefaultSettings()
	st.OwnerName = "Casey"
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, ny)
	in := backend.FollowUpInput{Step: 2, Steps: 3, Subject: "Pricing [draft] {x}", To: "maya@acme.io", ThreadID: "thr-1", InReplyTo: "<m1@caseyos>",
		FirstSentAt: now.AddDate(0, 0, -3), LastSentAt: now.AddDate(0, 0, -3), Contact: &backend.Contact{Name: "Maya Chen"}, Settings: st, Owner: ny, Now: now}
	d := backend.ComposeFollowUp(in)
	if d.ThreadID != "thr-1" || d.InReplyTo != "<m1@caseyos>" || !strings.HasSuffix(d.Body, "\n\nCasey") || strings.ContainsAny(d.Body, "[]{}") {
		t.Errorf("ComposeFollowUp = %+v; want a threaded, signed draft with no template holes", d)
	}
	if d2 := backend.ComposeFollowUp(in); d2.Body != d.Body {
		t.Error("ComposeFollowUp is not deterministic")
	}
	in.LastSentAt = now.AddDate(0, 0, -20)
	in.Step = 3
	if d := backend.ComposeFollowUp(in); !strings.Contains(d.Body, "One last note") {
		t.Errorf("last step body = %q", d.Body)
	}
}

// TestFollowUps_DetectedOutcomes drives a sequence through the real
// detection path: the no_response sweep, then Maya's auto-reply and her
// reply arriving by ingest.
func TestFollowUps_DetectedOutcomes(t *testing.T) {
	f := newFollowFixture(t)
	f.at(2026, 11, 27, 10, 1) // Friday: three business days after the send
	if n, err := f.q.Outcomes.Sweep(f.ctx); err != nil || n != 1 {
		t.Fatalf("Sweep = %d, %v; want the first mail's no_response", n, err)
	}
	q := f.sequence(t)
	if len(q.Steps) != 2 {
		t.Fatalf("after the detected no_response: %d steps, want the first follow-up proposed", len(q.Steps))
	}
	fu := q.Last().MoveID
	if n, _ := f.q.Outcomes.Sweep(f.ctx); n != 0 || len(followUpMoves(t, f.db)) != 1 {
		t.Fatalf("a second sweep recorded %d and left %d follow-ups; want 0 and 1", n, len(followUpMoves(t, f.db)))
	}

	back := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	f.at(2026, 11, 27, 11, 0)
	f.ingest(t, &backend.Signal{
		Source: backend.SourceGmail, Type: backend.SignalEmailOutOfOffice, OccurredAt: f.clock.Now(), DedupeKey: "ooo-d", ThreadID: "thr-g1",
		Contact: &backend.Contact{Email: "maya@acme.io"},
		Email:   &backend.EmailMessage{ThreadID: "thr-g1", From: "maya@acme.io", Subject: "Automatic reply: Pricing", ReceivedAt: f.clock.Now()},
		Payload: map[string]string{"returns_at": back.Format(time.RFC3339)},
	})
	if q := f.sequence(t); q.State != backend.SequencePaused || !q.PausedUntil.Equal(back) || f.status(t, fu) != backend.StatusSnoozed {
		t.Fatalf("after the detected auto-reply: %s until %v, follow-up %s; want paused until %v, snoozed", q.State, q.PausedUntil, f.status(t, fu), back)
	}

	f.at(2026, 12, 3, 10, 0) // she is back
	f.refresh(t)
	if f.status(t, fu) != backend.StatusPending {
		t.Fatalf("after the return the follow-up is %s, want pending", f.status(t, fu))
	}
	f.ingest(t, replySignal("g1-reply", "thr-g1", "maya@acme.io", f.clock.Now()))
	q = f.sequence(t)
	if q.State != backend.SequenceStopped || q.StopReason != "they replied" || f.status(t, fu) != backend.StatusExpired {
		t.Fatalf("after her reply: %s (%q), follow-up %s; want stopped because they replied, the follow-up ended", q.State, q.StopReason, f.status(t, fu))
	}
}
