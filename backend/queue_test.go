package backend_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

// queueFixture is the Services over a real bbolt store in a temp dir and a
// manual clock.
type queueFixture struct {
	q     *backend.Services
	db    *store.DB
	clock *backend.ManualClock
	ctx   context.Context
}

func newQueue(tb testing.TB) *queueFixture {
	tb.Helper()
	db, err := store.Open(filepath.Join(tb.TempDir(), "caseyos.db"), store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	clock := backend.NewManualClock(testNow)
	return &queueFixture{q: backend.NewServices(db, clock, nil, backend.LocalExecutor{}), db: db, clock: clock, ctx: context.Background()}
}

func (f *queueFixture) ingest(tb testing.TB, sigs ...*backend.Signal) backend.IngestReport {
	tb.Helper()
	rep, err := f.q.Ingest.Batch(f.ctx, sigs)
	if err != nil {
		tb.Fatalf("Ingest: %v", err)
	}
	return rep
}

func (f *queueFixture) today(tb testing.TB, domain *backend.Domain) backend.TodayResult {
	tb.Helper()
	res, err := f.q.Moves.Today(f.ctx, backend.TodayFilter{Domain: domain, Limit: 50})
	if err != nil {
		tb.Fatalf("Today: %v", err)
	}
	return res
}

func (f *queueFixture) audit(tb testing.TB, moveID uint64) []*backend.AuditEntry {
	tb.Helper()
	h, err := f.q.Audit.History(f.ctx, moveID)
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

func replySignal(key, thread, from string, at time.Time) *backend.Signal {
	return &backend.Signal{
		Source: backend.SourceGmail, Type: backend.SignalEmailReplied, OccurredAt: at, DedupeKey: key,
		Contact: &backend.Contact{Email: from, Name: "Maya Chen", Title: "CEO", CompanyID: "acme"},
		Company: &backend.Company{ID: "acme", Name: "Acme", Industry: "SaaS", Employees: 200},
		Email:   &backend.EmailMessage{ThreadID: thread, From: from, Subject: "Pricing", ReceivedAt: at},
	}
}

func mentionSignal(key, post string, at time.Time) *backend.Signal {
	return &backend.Signal{Source: backend.SourceX, Type: backend.SignalSocialMention, OccurredAt: at, DedupeKey: key,
		Post: &backend.Post{ID: post, Author: "jane", Text: "nice"}}
}

func TestQueue_Ingest(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		f := newQueue(t)
		rep := f.ingest(t, replySignal("g1", "t1", "maya@acme.io", testNow.Add(-time.Hour)), mentionSignal("x1", "p1", testNow.Add(-time.Hour)))
		if rep.Stored != 2 || len(rep.Created) != 2 || len(rep.Invalid) != 0 {
			t.Fatalf("report = %+v, want 2 stored, 2 created", rep)
		}
		res := f.today(t, nil)
		if len(res.Moves) != 2 || res.Moves[0].Kind != backend.KindSendEmail || res.Moves[0].Score.APS <= res.Moves[1].Score.APS {
			t.Errorf("today = %v, want the reply first", titles(res.Moves))
		}
		if h := f.audit(t, res.Moves[0].ID); len(h) != 1 || h[0].Action != backend.AuditMoveCreated || h[0].APS != res.Moves[0].Score.APS {
			t.Errorf("audit of a new move = %+v, want one creation entry with the score", h)
		}
	})
	t.Run("Dedupe", func(t *testing.T) {
		f := newQueue(t)
		s := replySignal("g1", "t1", "maya@acme.io", testNow.Add(-time.Hour))
		f.ingest(t, s)
		rep := f.ingest(t, replySignal("g1", "t1", "maya@acme.io", testNow.Add(-time.Hour)))
		if rep.Stored != 0 || rep.Duplicates != 1 || len(rep.Created)+len(rep.Updated) != 0 {
			t.Errorf("re-ingest = %+v, want a no-op", rep)
		}
		// Duplicates inside one batch are caught too.
		rep = f.ingest(t, mentionSignal("x1", "p1", testNow), mentionSignal("x1", "p1", testNow))
		if rep.Stored != 1 || rep.Duplicates != 1 {
			t.Errorf("batch with a duplicate = %+v", rep)
		}
	})
	t.Run("InvalidSignalsAreReportedNotFatal", func(t *testing.T) {
		f := newQueue(t)
		bad := &backend.Signal{Source: backend.SourceGmail, Type: backend.SignalEmailReplied, OccurredAt: testNow, DedupeKey: "bad"}
		rep := f.ingest(t, bad, nil, mentionSignal("x1", "p1", testNow))
		if rep.Stored != 1 || len(rep.Invalid) != 2 || rep.Invalid[0].Index != 0 || rep.Invalid[1].Index != 1 {
			t.Errorf("report = %+v, want the good one stored and items 0 and 1 rejected", rep)
		}
		if backend.ErrorCode(rep.Invalid[0].Err) != backend.EINVALID {
			t.Errorf("invalid code = %q", backend.ErrorCode(rep.Invalid[0].Err))
		}
	})
	t.Run("OneOpenMovePerSubjectAndKind", func(t *testing.T) {
		f := newQueue(t)
		f.ingest(t, replySignal("g1", "t1", "maya@acme.io", testNow.Add(-3*time.Hour)))
		rep := f.ingest(t, replySignal("g2", "t1", "maya@acme.io", testNow.Add(-time.Hour)))
		if len(rep.Created) != 0 || len(rep.Updated) != 1 {
			t.Fatalf("second reply on the thread = %+v, want one update", rep)
		}
		res := f.today(t, nil)
		if len(res.Moves) != 1 || len(res.Moves[0].SignalIDs) != 2 {
			t.Fatalf("today = %v, want one move carrying both signals", titles(res.Moves))
		}
		m := res.Moves[0]
		// The newer reply, what it was read as, the older reply.
		if !m.DueAt.Equal(testNow.Add(-time.Hour).Add(24*time.Hour)) || len(m.Why) != 3 || !strings.HasPrefix(m.Why[2], "Maya Chen replied") {
			t.Errorf("move due %v with why %q; want the newer reply's deadline and both replies remembered", m.DueAt, m.Why)
		}
		// An older signal arriving late attaches but does not rewind the move.
		f.ingest(t, replySignal("g0", "t1", "maya@acme.io", testNow.Add(-10*time.Hour)))
		m2, _ := f.q.Moves.Move(f.ctx, m.ID)
		if !m2.DueAt.Equal(m.DueAt) || len(m2.SignalIDs) != 3 {
			t.Errorf("after a late old signal: due %v signals %v", m2.DueAt, m2.SignalIDs)
		}
		// Once the move is closed, a new signal makes a new move.
		if _, err := f.q.Moves.Skip(f.ctx, m.ID, "", backend.ActorKey); err != nil {
			t.Fatal(err)
		}
		rep = f.ingest(t, replySignal("g3", "t1", "maya@acme.io", testNow))
		if len(rep.Created) != 1 || rep.Created[0] == m.ID {
			t.Errorf("reply after skip = %+v, want a new move", rep)
		}
	})
	t.Run("ProposalWhoseReasonPassedIsDropped", func(t *testing.T) {
		f := newQueue(t)
		s := &backend.Signal{Source: backend.SourceGCal, Type: backend.SignalMeetingUpcoming, OccurredAt: testNow.Add(-48 * time.Hour), DedupeKey: "cal1",
			Meeting: &backend.Meeting{ID: "ev1", Title: "Call", Start: testNow.Add(-time.Hour), End: testNow, External: true}}
		rep := f.ingest(t, s)
		if rep.Stored != 1 || len(rep.Created) != 0 {
			t.Errorf("a meeting that already started = %+v, want the signal stored and no move", rep)
		}
	})
}

func TestQueue_SnoozeSkipRestore(t *testing.T) {
	f := newQueue(t)
	f.ingest(t, replySignal("g1", "t1", "maya@acme.io", testNow.Add(-time.Hour)), mentionSignal("x1", "p1", testNow.Add(-time.Hour)))
	res := f.today(t, nil)
	reply, mention := res.Moves[0], res.Moves[1]

	t.Run("SnoozeInThePastIsInvalid", func(t *testing.T) {
		_, err := f.q.Moves.Snooze(f.ctx, reply.ID, testNow.Add(-time.Minute), backend.ActorKey)
		if backend.ErrorCode(err) != backend.EINVALID {
			t.Errorf("err = %v, want invalid", err)
		}
	})
	t.Run("SnoozedMovesReturnWhenDue", func(t *testing.T) {
		if _, err := f.q.Moves.Snooze(f.ctx, reply.ID, testNow.Add(2*time.Hour), backend.ActorKey); err != nil {
			t.Fatal(err)
		}
		if got := f.today(t, nil); len(got.Moves) != 1 || got.Moves[0].ID != mention.ID {
			t.Fatalf("while snoozed, today = %v", titles(got.Moves))
		}
		f.clock.Advance(2*time.Hour + time.Second)
		got := f.today(t, nil)
		if len(got.Moves) != 2 || got.Moves[0].ID != reply.ID {
			t.Fatalf("after the snooze, today = %v, want the reply back on top", titles(got.Moves))
		}
		h := f.audit(t, reply.ID)
		last := h[len(h)-1]
		if last.From != backend.StatusSnoozed || last.To != backend.StatusPending || last.Actor != backend.ActorSystem {
			t.Errorf("last audit = %+v, want snoozed → pending by the system", last)
		}
	})
	t.Run("SkipWithReason", func(t *testing.T) {
		m, err := f.q.Moves.Skip(f.ctx, mention.ID, "not our audience", backend.ActorVoice)
		if err != nil || m.Status != backend.StatusSkipped || m.SkipReason != "not our audience" {
			t.Fatalf("Skip = %+v, %v", m, err)
		}
		if _, err := f.q.Moves.Skip(f.ctx, mention.ID, "", backend.ActorKey); backend.ErrorCode(err) != backend.ECONFLICT {
			t.Errorf("skipping twice: %v, want conflict", err)
		}
		h := f.audit(t, mention.ID)
		if last := h[len(h)-1]; last.Actor != backend.ActorVoice || !strings.Contains(last.Detail, "not our audience") {
			t.Errorf("audit = %+v", last)
		}
	})
	t.Run("Restore", func(t *testing.T) {
		m, err := f.q.Moves.Restore(f.ctx, mention.ID, backend.ActorKey)
		if err != nil || m.Status != backend.StatusPending || m.SkipReason != "" {
			t.Fatalf("Restore = %+v, %v", m, err)
		}
		if _, err := f.q.Moves.Restore(f.ctx, mention.ID, backend.ActorKey); backend.ErrorCode(err) != backend.ECONFLICT {
			t.Errorf("restoring a pending move: %v, want conflict", err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if _, err := f.q.Moves.Skip(f.ctx, 9999, "", backend.ActorKey); backend.ErrorCode(err) != backend.ENOTFOUND {
			t.Errorf("skip of a missing move: %v", err)
		}
	})
	t.Run("AuditChainIntact", func(t *testing.T) {
		var all []*backend.AuditEntry
		f.db.View(f.ctx, func(tx backend.Tx) error {
			var err error
			all, _, err = tx.FindAudit(backend.AuditFilter{})
			return err
		})
		if len(all) < 6 {
			t.Fatalf("only %d audit entries", len(all))
		}
		if chk, err := f.q.Audit.Verify(f.ctx); err != nil || !chk.OK {
			t.Errorf("VerifyAudit() = %+v, %v; want an intact log", chk, err)
		}
	})
}

func TestQueue_Refresh(t *testing.T) {
	t.Run("UrgencyRisesAsTimePasses", func(t *testing.T) {
		f := newQueue(t)
		// A nurture touch due in a week.
		f.ingest(t, &backend.Signal{Source: backend.SourceHubSpot, Type: backend.SignalDealStageChanged, OccurredAt: testNow, DedupeKey: "h1",
			Contact: &backend.Contact{Email: "li@acme.io"}, Deal: &backend.Deal{ID: "d1", Name: "Acme", Stage: "closedlost", Amount: 10000}})
		before := f.today(t, nil).Moves[0]
		f.clock.Advance(6 * 24 * time.Hour)
		after := f.today(t, nil).Moves[0]
		if after.Score.Urgency.Value <= before.Score.Urgency.Value || after.Score.APS <= before.Score.APS {
			t.Errorf("urgency %v → %v, APS %v → %v; want both to rise", before.Score.Urgency.Value, after.Score.Urgency.Value, before.Score.APS, after.Score.APS)
		}
		if r := backend.RenderReason(after.Score.Urgency.Reason, f.clock.Now(), time.UTC); r != "nurture touch due in 24 hours" {
			t.Errorf("urgency reason = %q", r)
		}
	})
	t.Run("ExpiresMovesWhoseReasonPassed", func(t *testing.T) {
		f := newQueue(t)
		f.ingest(t, &backend.Signal{Source: backend.SourceGCal, Type: backend.SignalMeetingUpcoming, OccurredAt: testNow, DedupeKey: "cal1",
			Meeting: &backend.Meeting{ID: "ev1", Title: "Call", Start: testNow.Add(3 * time.Hour), End: testNow.Add(4 * time.Hour), External: true, Attendees: []string{"li@acme.io"}}})
		m := f.today(t, nil).Moves[0]
		f.clock.Advance(3 * time.Hour)
		rep, err := f.q.Moves.Refresh(f.ctx)
		if err != nil || len(rep.Expired) != 1 || rep.Expired[0] != m.ID {
			t.Fatalf("Refresh = %+v, %v; want the prep expired", rep, err)
		}
		if got := f.today(t, nil); len(got.Moves) != 0 {
			t.Errorf("today after the meeting started = %v", titles(got.Moves))
		}
		h := f.audit(t, m.ID)
		if last := h[len(h)-1]; last.To != backend.StatusExpired {
			t.Errorf("last audit = %+v, want → expired", last)
		}
	})
	t.Run("DerivesStalledDealsOncePerQuietSpell", func(t *testing.T) {
		f := newQueue(t)
		f.ingest(t, &backend.Signal{Source: backend.SourceHubSpot, Type: backend.SignalDealStageChanged, OccurredAt: testNow.Add(-20 * 24 * time.Hour), DedupeKey: "h1",
			Contact: &backend.Contact{Email: "li@acme.io", Name: "Li Wu"}, Deal: &backend.Deal{ID: "d1", Name: "Acme pilot", Stage: "qualifiedtobuy", Amount: 30000}})
		rep, err := f.q.Moves.Refresh(f.ctx)
		if err != nil || rep.Stalled != 1 {
			t.Fatalf("Refresh = %+v, %v; want one stalled deal", rep, err)
		}
		m := f.today(t, nil).Moves[0]
		if m.Kind != backend.KindSendEmail || m.Subject.Key() != "deal:d1" || !strings.Contains(backend.RenderReason(m.Why[0], f.clock.Now(), time.UTC), "No activity on Acme pilot for 20 days") {
			t.Errorf("stalled move = %s %s %q", m.Kind, m.Subject.Key(), m.Why)
		}
		if rep, _ := f.q.Moves.Refresh(f.ctx); rep.Stalled != 0 {
			t.Errorf("second Refresh derived %d stalled signals, want 0", rep.Stalled)
		}
		// New activity, then another quiet spell, stalls it again.
		f.q.Moves.Skip(f.ctx, m.ID, "", backend.ActorKey)
		f.ingest(t, &backend.Signal{Source: backend.SourceHubSpot, Type: backend.SignalDealStageChanged, OccurredAt: testNow, DedupeKey: "h2",
			Deal: &backend.Deal{ID: "d1", Stage: "decisionmakerboughtin"}})
		f.clock.Advance(15 * 24 * time.Hour)
		if rep, _ := f.q.Moves.Refresh(f.ctx); rep.Stalled != 1 {
			t.Errorf("after new activity and 15 quiet days, Refresh derived %d, want 1", rep.Stalled)
		}
	})
	t.Run("ClosedDealsNeverStall", func(t *testing.T) {
		f := newQueue(t)
		f.ingest(t, &backend.Signal{Source: backend.SourceHubSpot, Type: backend.SignalDealStageChanged, OccurredAt: testNow.Add(-40 * 24 * time.Hour), DedupeKey: "h1",
			Deal: &backend.Deal{ID: "d1", Stage: "closedwon"}})
		if rep, _ := f.q.Moves.Refresh(f.ctx); rep.Stalled != 0 {
			t.Errorf("a won deal stalled: %+v", rep)
		}
	})
}

func TestQueue_TodayFilters(t *testing.T) {
	f := newQueue(t)
	f.ingest(t, replySignal("g1", "t1", "maya@acme.io", testNow.Add(-time.Hour)), mentionSignal("x1", "p1", testNow), mentionSignal("x2", "p2", testNow))
	mk := backend.DomainMarketing
	res := f.today(t, &mk)
	if len(res.Moves) != 2 || res.Pending != 2 || res.ByDomain[backend.DomainSales] != 1 || res.ByDomain[backend.DomainMarketing] != 2 {
		t.Errorf("marketing = %v pending %d by domain %v", titles(res.Moves), res.Pending, res.ByDomain)
	}
	one, err := f.q.Moves.Today(f.ctx, backend.TodayFilter{Limit: 1})
	if err != nil || len(one.Moves) != 1 || one.Pending != 3 {
		t.Errorf("limit 1 = %v (pending %d), %v", titles(one.Moves), one.Pending, err)
	}
}

func TestQueue_Execute(t *testing.T) {
	f := newQueue(t)
	f.ingest(t,
		replySignal("g1", "t1", "maya@acme.io", testNow.Add(-time.Hour)),
		&backend.Signal{Source: backend.SourceGCal, Type: backend.SignalMeetingUpcoming, OccurredAt: testNow, DedupeKey: "cal1",
			Meeting: &backend.Meeting{ID: "ev1", Title: "Call", Start: testNow.Add(3 * time.Hour), End: testNow.Add(4 * time.Hour), External: true, Attendees: []string{"li@acme.io"}}})
	var email, note *backend.Move
	for _, m := range f.today(t, nil).Moves {
		switch m.Kind {
		case backend.KindSendEmail:
			email = m
		case backend.KindNote:
			note = m
		}
	}
	t.Run("UnconnectedAccountIsUnavailable", func(t *testing.T) {
		_, _, err := f.q.Executions.Execute(f.ctx, email.ID, backend.ExecuteOptions{Actor: backend.ActorKey})
		if backend.ErrorCode(err) != backend.EUNAVAILABLE || !strings.Contains(backend.ErrorMessage(err), "Gmail") {
			t.Fatalf("Execute(send_email) = %v, want unavailable naming Gmail", err)
		}
		m, _ := f.q.Moves.Move(f.ctx, email.ID)
		if m.Status != backend.StatusPending {
			t.Errorf("after a refused execute the move is %s, want pending", m.Status)
		}
	})
	t.Run("NoteRunsLocally", func(t *testing.T) {
		m, exec, err := f.q.Executions.Execute(f.ctx, note.ID, backend.ExecuteOptions{Actor: backend.ActorKey})
		if err != nil {
			t.Fatal(err)
		}
		if m.Status != backend.StatusDone || exec.State != backend.ExecCommitted || !strings.HasPrefix(exec.IdempotencyKey, "move-"+itoa(note.ID)+"-attempt-1-") {
			t.Errorf("execute = move %s, execution %+v", m.Status, exec)
		}
		var transitions []string
		for _, e := range f.audit(t, note.ID) {
			if e.Action == backend.AuditMoveTransition {
				transitions = append(transitions, string(e.From)+"→"+string(e.To))
			}
		}
		if strings.Join(transitions, ",") != "pending→executing,executing→done" {
			t.Errorf("transitions = %v", transitions)
		}
		if _, _, err := f.q.Executions.Execute(f.ctx, note.ID, backend.ExecuteOptions{Actor: backend.ActorKey}); backend.ErrorCode(err) != backend.ECONFLICT {
			t.Errorf("executing a done move: %v, want conflict", err)
		}
	})
}

func titles(ms []*backend.Move) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Title)
	}
	return out
}

func itoa(n uint64) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func TestQueue_UndoEditStatsSettings(t *testing.T) {
	f := newQueue(t)
	f.ingest(t, replySignal("g1", "t1", "maya@acme.io", testNow.Add(-time.Hour)), mentionSignal("x1", "p1", testNow.Add(-time.Hour)))
	res := f.today(t, nil)
	reply, mention := res.Moves[0], res.Moves[1]

	t.Run("UndoNothing", func(t *testing.T) {
		if _, err := f.q.Moves.Undo(f.ctx, backend.ActorKey); backend.ErrorCode(err) != backend.ENOTFOUND {
			t.Errorf("Undo with nothing to undo: %v", err)
		}
	})
	t.Run("UndoTakesBackTheLatestDecision", func(t *testing.T) {
		f.q.Moves.Skip(f.ctx, reply.ID, "", backend.ActorKey)
		f.clock.Advance(time.Second)
		f.q.Moves.Snooze(f.ctx, mention.ID, testNow.Add(5*time.Hour), backend.ActorClick)
		m, err := f.q.Moves.Undo(f.ctx, backend.ActorKey)
		if err != nil || m.ID != mention.ID || m.Status != backend.StatusPending {
			t.Fatalf("first Undo = %+v, %v; want the snooze taken back", m, err)
		}
		m, err = f.q.Moves.Undo(f.ctx, backend.ActorKey)
		if err != nil || m.ID != reply.ID || m.Status != backend.StatusPending {
			t.Fatalf("second Undo = %+v, %v; want the skip taken back", m, err)
		}
		if _, err := f.q.Moves.Undo(f.ctx, backend.ActorKey); backend.ErrorCode(err) != backend.ENOTFOUND {
			t.Errorf("third Undo: %v, want nothing left", err)
		}
	})
	t.Run("EditDraftSurvivesNewerSignals", func(t *testing.T) {
		d := reply.Draft
		d.Body = "Hi Maya — 40 seats works. Contract attached."
		if _, err := f.q.Moves.EditDraft(f.ctx, reply.ID, d, backend.ActorKey); err != nil {
			t.Fatal(err)
		}
		f.ingest(t, replySignal("g2", "t1", "maya@acme.io", testNow))
		m, _ := f.q.Moves.Move(f.ctx, reply.ID)
		if m.Draft.Body != d.Body || !m.DraftEdited || len(m.SignalIDs) != 2 {
			t.Errorf("after a newer reply the draft is %q (edited %v)", m.Draft.Body, m.DraftEdited)
		}
		d.To = nil
		if _, err := f.q.Moves.EditDraft(f.ctx, reply.ID, d, backend.ActorKey); backend.ErrorCode(err) != backend.EINVALID {
			t.Errorf("an email draft without a recipient: %v, want invalid", err)
		}
	})
	t.Run("Stats", func(t *testing.T) {
		note := &backend.Signal{Source: backend.SourceGCal, Type: backend.SignalMeetingUpcoming, OccurredAt: f.clock.Now(), DedupeKey: "cal1",
			Meeting: &backend.Meeting{ID: "ev1", Title: "Call", Start: f.clock.Now().Add(3 * time.Hour), End: f.clock.Now().Add(4 * time.Hour), External: true, Attendees: []string{"li@acme.io"}}}
		rep := f.ingest(t, note)
		if _, _, err := f.q.Executions.Execute(f.ctx, rep.Created[0], backend.ExecuteOptions{Actor: backend.ActorKey}); err != nil {
			t.Fatal(err)
		}
		f.q.Moves.Skip(f.ctx, mention.ID, "", backend.ActorKey)
		st, err := f.q.Moves.Stats(f.ctx, testNow.Truncate(24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		// The reply's skip was undone, so one skip counts: the mention's.
		if st.DoneToday != 1 || st.SkippedToday != 1 || st.TimeSavedMinutes != backend.DefaultSettings().EffortMinutes[backend.KindNote] || st.Pending != 1 {
			t.Errorf("stats = %+v", st)
		}
		later, _ := f.q.Moves.Stats(f.ctx, testNow.Add(48*time.Hour))
		if later.DoneToday != 0 || later.SkippedToday != 0 {
			t.Errorf("stats for a later day = %+v", later)
		}
	})
	t.Run("SaveSettingsRescores", func(t *testing.T) {
		before, _ := f.q.Moves.Move(f.ctx, reply.ID)
		st := backend.DefaultSettings()
		st.Weights = backend.Weights{Revenue: 0.1, Urgency: 0.7, Effort: 0.1, Strategic: 0.1}
		if err := f.q.Settings.Save(f.ctx, st, backend.ActorClick); err != nil {
			t.Fatal(err)
		}
		after, _ := f.q.Moves.Move(f.ctx, reply.ID)
		if after.Score.Weights != st.Weights || after.Score.APS == before.Score.APS {
			t.Errorf("after new weights: %+v → %+v", before.Score, after.Score)
		}
		st.Weights.Revenue = 0.5
		if err := f.q.Settings.Save(f.ctx, st, backend.ActorClick); backend.ErrorCode(err) != backend.EINVALID {
			t.Errorf("weights summing to 1.4: %v", err)
		}
	})
}
