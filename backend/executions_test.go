package backend_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

// memMailbox is an in-memory Mailbox that can fail or lose answers.
type memMailbox struct {
	mu       sync.Mutex
	sent     []backend.OutgoingEmail
	drafts   map[string]backend.OutgoingEmail
	failNext int  // fail this many sends with unavailable, nothing sent
	loseNext bool // send, then answer unavailable (the answer was lost)
}

func (m *memMailbox) Send(_ context.Context, e backend.OutgoingEmail) (backend.SentEmail, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failNext > 0 {
		m.failNext--
		return backend.SentEmail{}, backend.Errorf(backend.EUNAVAILABLE, "Gmail did not answer")
	}
	m.sent = append(m.sent, e)
	id := "gm-" + itoa(uint64(len(m.sent)))
	if m.loseNext {
		m.loseNext = false
		return backend.SentEmail{}, backend.Errorf(backend.EUNAVAILABLE, "the connection dropped")
	}
	return backend.SentEmail{ID: id, ThreadID: e.ThreadID}, nil
}

func (m *memMailbox) CreateDraft(_ context.Context, e backend.OutgoingEmail) (backend.SentEmail, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.drafts == nil {
		m.drafts = map[string]backend.OutgoingEmail{}
	}
	id := "d-" + itoa(uint64(len(m.drafts)+1))
	m.drafts[id] = e
	return backend.SentEmail{DraftID: id}, nil
}

func (m *memMailbox) DeleteDraft(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.drafts, id)
	return nil
}

func (m *memMailbox) FindSent(_ context.Context, mid string) (backend.SentEmail, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, e := range m.sent {
		if e.MessageID == mid {
			return backend.SentEmail{ID: "gm-" + itoa(uint64(i+1))}, true, nil
		}
	}
	return backend.SentEmail{}, false, nil
}

func (m *memMailbox) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.sent)
}

type execFixture struct {
	*queueFixture
	mail *memMailbox
	path string
}

func newExecFixture(tb testing.TB) *execFixture {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "caseyos.db")
	db, err := store.Open(path, store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	clock := backend.NewManualClock(testNow)
	mail := &memMailbox{}
	q := backend.NewServices(db, clock, nil, backend.NewActions(backend.Capabilities{Mailbox: mail})...)
	return &execFixture{queueFixture: &queueFixture{q: q, db: db, clock: clock, ctx: context.Background()}, mail: mail, path: path}
}

// reply ingests a reply from addr (in London, where testNow is 09:00) and
// returns the send_email move it produced.
func (f *execFixture) reply(tb testing.TB, key, addr string) *backend.Move {
	tb.Helper()
	s := replySignal(key, "thr-"+key, addr, testNow.Add(-time.Hour))
	s.Contact.Timezone = "Europe/London"
	rep := f.ingest(tb, s)
	for _, id := range rep.Created {
		if m, _ := f.q.Moves.Move(f.ctx, id); m.Kind == backend.KindSendEmail {
			return m
		}
	}
	tb.Fatalf("reply %s produced no send_email move", key)
	return nil
}

func (f *execFixture) status(tb testing.TB, id uint64) backend.MoveStatus {
	tb.Helper()
	m, err := f.q.Moves.Move(f.ctx, id)
	if err != nil {
		tb.Fatal(err)
	}
	return m.Status
}

func (f *execFixture) tick(tb testing.TB) backend.TickReport {
	tb.Helper()
	rep, err := f.q.Executions.Tick(f.ctx)
	if err != nil {
		tb.Fatal(err)
	}
	return rep
}

func TestQueue_ExecuteUndoWindow(t *testing.T) {
	f := newExecFixture(t)
	m := f.reply(t, "g1", "maya@acme.io")
	_, exec, err := f.q.Executions.Execute(f.ctx, m.ID, backend.ExecuteOptions{Actor: backend.ActorKey})
	if err != nil {
		t.Fatal(err)
	}
	if exec.State != backend.ExecWaitingUndo || !exec.UndoUntil.Equal(testNow.Add(10*time.Second)) {
		t.Fatalf("execute = %s until %v, want waiting_undo for 10 s", exec.State, exec.UndoUntil)
	}
	f.clock.Advance(9 * time.Second)
	if rep := f.tick(t); len(rep.Committed) != 0 || f.mail.count() != 0 {
		t.Fatalf("inside the window: tick %+v, %d sent; want nothing", rep, f.mail.count())
	}
	if _, _, err := f.q.Executions.Execute(f.ctx, m.ID, backend.ExecuteOptions{Actor: backend.ActorClick}); backend.ErrorCode(err) != backend.ECONFLICT {
		t.Errorf("a second execute in the window = %v, want conflict", err)
	}
	t.Run("CancelSendsNothing", func(t *testing.T) {
		if _, ex, err := f.q.Executions.Cancel(f.ctx, m.ID, backend.ActorKey); err != nil || ex.State != backend.ExecUndone {
			t.Fatalf("CancelExecution = %v, %v", ex, err)
		}
		f.clock.Advance(time.Minute)
		f.tick(t)
		if f.mail.count() != 0 || f.status(t, m.ID) != backend.StatusPending {
			t.Errorf("after cancel: %d sent, move %s; want none, pending", f.mail.count(), f.status(t, m.ID))
		}
	})
	t.Run("AfterTheWindowItLeavesOnce", func(t *testing.T) {
		_, exec, err := f.q.Executions.Execute(f.ctx, m.ID, backend.ExecuteOptions{Actor: backend.ActorKey})
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(10 * time.Second)
		if rep := f.tick(t); len(rep.Committed) != 1 {
			t.Fatalf("tick = %+v, want one commit", rep)
		}
		f.tick(t)
		if f.mail.count() != 1 || f.status(t, m.ID) != backend.StatusDone {
			t.Fatalf("after the window: %d sent, move %s; want 1, done", f.mail.count(), f.status(t, m.ID))
		}
		got := f.mail.sent[0]
		if got.ThreadID != "thr-g1" || got.MessageID != backend.MessageIDFor(exec.IdempotencyKey, "") || got.To[0] != "maya@acme.io" {
			t.Errorf("sent %+v, want the threaded reply with our Message-ID", got)
		}
		if _, _, err := f.q.Executions.Cancel(f.ctx, m.ID, backend.ActorKey); backend.ErrorCode(err) != backend.ENOTFOUND {
			t.Errorf("cancel after it left = %v, want not_found", err)
		}
		if _, _, err := f.q.Executions.Rollback(f.ctx, m.ID, backend.ActorKey); backend.ErrorCode(err) != backend.ECONFLICT || !strings.Contains(backend.ErrorMessage(err), "cannot be recalled") {
			t.Errorf("rollback of a sent email = %v, want an honest refusal", err)
		}
	})
}

func TestQueue_ExecutePreviewHash(t *testing.T) {
	f := newExecFixture(t)
	m := f.reply(t, "g1", "maya@acme.io")
	p, err := f.q.Executions.Preview(f.ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Plan.Email == nil || p.Plan.Email.ThreadID != "thr-g1" || p.UndoWindow != 10*time.Second || p.Refused != nil {
		t.Fatalf("preview = %+v", p)
	}
	again, _ := f.q.Executions.Preview(f.ctx, m.ID)
	if again.Hash != p.Hash {
		t.Fatalf("two previews of the same move hash %s and %s", p.Hash, again.Hash)
	}
	d := m.Draft
	d.Body = "Edited after the preview."
	if _, err := f.q.Moves.EditDraft(f.ctx, m.ID, d, backend.ActorKey); err != nil {
		t.Fatal(err)
	}
	_, _, err = f.q.Executions.Execute(f.ctx, m.ID, backend.ExecuteOptions{Actor: backend.ActorKey, PreviewHash: p.Hash})
	if g, _ := backend.RefusedBy(err); g != backend.GuardPreview || backend.ErrorCode(err) != backend.ECONFLICT {
		t.Fatalf("execute with a stale preview = %v, want a preview conflict", err)
	}
	fresh, _ := f.q.Executions.Preview(f.ctx, m.ID)
	_, exec, err := f.q.Executions.Execute(f.ctx, m.ID, backend.ExecuteOptions{Actor: backend.ActorKey, PreviewHash: fresh.Hash})
	if err != nil || exec.PlanHash != fresh.Hash {
		t.Fatalf("execute with the fresh preview = %v, %v", exec, err)
	}
	f.clock.Advance(10 * time.Second)
	f.tick(t)
	if f.mail.count() != 1 || f.mail.sent[0].Body != "Edited after the preview." {
		t.Errorf("sent %+v, want the edited body once", f.mail.sent)
	}
}

func TestQueue_ExecuteDoubleClick(t *testing.T) {
	f := newExecFixture(t)
	m := f.reply(t, "g1", "maya@acme.io")
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, errs[i] = f.q.Executions.Execute(f.ctx, m.ID, backend.ExecuteOptions{Actor: backend.ActorClick})
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch backend.ErrorCode(err) {
		case "":
			ok++
		case backend.ECONFLICT:
		default:
			t.Errorf("concurrent execute = %v", err)
		}
	}
	f.clock.Advance(time.Minute)
	f.tick(t)
	if ok != 1 || f.mail.count() != 1 {
		t.Errorf("8 concurrent executes: %d accepted, %d sent; want 1 and 1", ok, f.mail.count())
	}
}

var errCrash = errors.New("simulated crash")

func TestQueue_ReconcileAfterCrash(t *testing.T) {
	for _, tc := range []struct {
		name  string
		hooks backend.ExecHooks
		lose  bool
	}{
		{"BetweenRecordAndCall", backend.ExecHooks{BeforeCall: func(*backend.Execution) error { return errCrash }}, false},
		{"AfterCallBeforeResult", backend.ExecHooks{AfterCall: func(*backend.Execution) error { return errCrash }}, false},
		{"DuringCallAnswerLost", backend.ExecHooks{AfterCall: func(*backend.Execution) error { return errCrash }}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newExecFixture(t)
			m := f.reply(t, "g1", "maya@acme.io")
			f.mail.loseNext = tc.lose
			if _, _, err := f.q.Executions.Execute(f.ctx, m.ID, backend.ExecuteOptions{Actor: backend.ActorKey}); err != nil {
				t.Fatal(err)
			}
			f.q.Executions.SetExecHooks(tc.hooks)
			f.clock.Advance(10 * time.Second)
			f.tick(t)
			// The process "died": new services over the same store reconcile.
			q2 := backend.NewServices(f.db, f.clock, nil, backend.NewActions(backend.Capabilities{Mailbox: f.mail})...)
			rep, err := q2.Executions.Reconcile(f.ctx)
			if err != nil {
				t.Fatal(err)
			}
			if f.mail.count() != 1 || f.status(t, m.ID) != backend.StatusDone {
				t.Fatalf("after reconcile (%+v): %d sent, move %s; want exactly 1, done", rep, f.mail.count(), f.status(t, m.ID))
			}
			if again, _ := q2.Executions.Reconcile(f.ctx); len(again.Found)+len(again.Redone) != 0 {
				t.Errorf("a second reconcile did %+v", again)
			}
		})
	}
}

func TestQueue_Outbox(t *testing.T) {
	f := newExecFixture(t)
	a := f.reply(t, "g1", "maya@acme.io")
	b := f.reply(t, "g2", "li@acme.io")
	f.mail.failNext = 3 // offline for a, then b, then a's first retry
	for _, m := range []*backend.Move{a, b} {
		if _, _, err := f.q.Executions.Execute(f.ctx, m.ID, backend.ExecuteOptions{Actor: backend.ActorKey}); err != nil {
			t.Fatal(err)
		}
	}
	f.clock.Advance(10 * time.Second)
	rep := f.tick(t)
	if len(rep.Queued) != 1 || f.mail.count() != 0 {
		t.Fatalf("offline tick = %+v, %d sent; want a queued and b held behind it", rep, f.mail.count())
	}
	out, _ := f.q.Executions.Outbox(f.ctx)
	if len(out) != 1 || out[0].MoveID != a.ID || !strings.HasPrefix(out[0].Queued, "offline") {
		t.Fatalf("outbox = %+v", out)
	}
	f.clock.Advance(time.Minute)
	f.tick(t) // b's turn comes only after a: a fails once more (failNext), b waits
	f.mail.failNext = 0
	f.clock.Advance(10 * time.Minute)
	f.tick(t)
	f.tick(t)
	if f.mail.count() != 2 || f.mail.sent[0].To[0] != "maya@acme.io" {
		t.Fatalf("back online: sent %v; want a then b, once each", f.mail.sent)
	}
	if f.status(t, a.ID) != backend.StatusDone || f.status(t, b.ID) != backend.StatusDone {
		t.Errorf("moves = %s, %s; want done", f.status(t, a.ID), f.status(t, b.ID))
	}
	t.Run("LostAnswerIsNotResent", func(t *testing.T) {
		c := f.reply(t, "g3", "kim@acme.io")
		f.mail.loseNext = true
		f.q.Executions.Execute(f.ctx, c.ID, backend.ExecuteOptions{Actor: backend.ActorKey})
		f.clock.Advance(10 * time.Second)
		f.tick(t)
		f.clock.Advance(10 * time.Minute)
		f.tick(t)
		if f.mail.count() != 3 || f.status(t, c.ID) != backend.StatusDone {
			t.Errorf("after a lost answer: %d sent, move %s; want 3 (one for c), done", f.mail.count(), f.status(t, c.ID))
		}
	})
}

func TestQueue_KillSwitch(t *testing.T) {
	f := newExecFixture(t)
	m := f.reply(t, "g1", "maya@acme.io")
	if _, _, err := f.q.Executions.Execute(f.ctx, m.ID, backend.ExecuteOptions{Actor: backend.ActorKey}); err != nil {
		t.Fatal(err)
	}
	ks, err := f.q.Guardrails.SetKillSwitch(f.ctx, true, backend.ActorCLI, "testing")
	if err != nil || len(ks.Cancelled) != 1 {
		t.Fatalf("SetKillSwitch(on) = %+v, %v; want the waiting send taken back", ks, err)
	}
	f.clock.Advance(time.Minute)
	f.tick(t)
	_, _, err = f.q.Executions.Execute(f.ctx, m.ID, backend.ExecuteOptions{Actor: backend.ActorKey})
	if g, _ := backend.RefusedBy(err); g != backend.GuardKillSwitch {
		t.Fatalf("execute with the kill switch on = %v, want the kill switch", err)
	}
	if f.mail.count() != 0 || f.status(t, m.ID) != backend.StatusPending {
		t.Fatalf("kill switch on: %d sent, move %s", f.mail.count(), f.status(t, m.ID))
	}
	// A note is local: it still works.
	f.q.Guardrails.SetKillSwitch(f.ctx, false, backend.ActorCLI, "")
	if _, _, err := f.q.Executions.Execute(f.ctx, m.ID, backend.ExecuteOptions{Actor: backend.ActorKey}); err != nil {
		t.Errorf("execute after the kill switch went off = %v", err)
	}
	g, _ := f.q.Guardrails.Get(f.ctx)
	if g.KillSwitch {
		t.Error("kill switch still on")
	}
}

func TestQueue_DoNotContactAndCaps(t *testing.T) {
	f := newExecFixture(t)
	m := f.reply(t, "g1", "maya@acme.io")
	if _, err := f.q.Guardrails.AddDoNotContact(f.ctx, "Maya@Acme.io", backend.DNCUnsubscribed, "", backend.ActorClick); err != nil {
		t.Fatal(err)
	}
	p, _ := f.q.Executions.Preview(f.ctx, m.ID)
	if g, _ := backend.RefusedBy(p.Refused); g != backend.GuardDoNotContact {
		t.Errorf("preview refusal = %v, want do_not_contact", p.Refused)
	}
	_, _, err := f.q.Executions.Execute(f.ctx, m.ID, backend.ExecuteOptions{Actor: backend.ActorKey})
	if g, _ := backend.RefusedBy(err); g != backend.GuardDoNotContact || !strings.Contains(backend.ErrorMessage(err), "unsubscribed") {
		t.Fatalf("execute to a do-not-contact address = %v", err)
	}
	f.q.Guardrails.RemoveDoNotContact(f.ctx, "maya@acme.io", backend.ActorClick)

	st, _ := f.q.Settings.Get(f.ctx)
	st.DailyCaps[backend.KindSendEmail] = 1
	st.UndoWindow = 0
	if err := f.q.Settings.Save(f.ctx, st, backend.ActorClick); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.q.Executions.Execute(f.ctx, m.ID, backend.ExecuteOptions{Actor: backend.ActorKey}); err != nil {
		t.Fatalf("first send under the cap = %v", err)
	}
	n := f.reply(t, "g2", "li@acme.io")
	_, _, err = f.q.Executions.Execute(f.ctx, n.ID, backend.ExecuteOptions{Actor: backend.ActorKey})
	if g, _ := backend.RefusedBy(err); g != backend.GuardDailyCap {
		t.Fatalf("second send over a cap of 1 = %v, want daily_cap", err)
	}
	f.clock.Advance(24 * time.Hour)
	if _, _, err := f.q.Executions.Execute(f.ctx, n.ID, backend.ExecuteOptions{Actor: backend.ActorKey}); err != nil {
		t.Errorf("the next day = %v, want it sent", err)
	}
	if f.mail.count() != 2 {
		t.Errorf("%d sent, want 2", f.mail.count())
	}
	t.Run("BounceAddsToTheList", func(t *testing.T) {
		f.ingest(t, &backend.Signal{Source: backend.SourceGmail, Type: backend.SignalEmailBounced, OccurredAt: testNow, DedupeKey: "b1",
			ContactID: "maya@acme.io", Payload: map[string]string{"address": "maya@acme.io"}})
		list, _ := f.q.Guardrails.DoNotContacts(f.ctx)
		if len(list) != 1 || list[0].Reason != backend.DNCBounced {
			t.Errorf("do-not-contact list = %+v, want maya as bounced", list)
		}
	})
	t.Run("UnsubscribeAddsToTheListAndStopsSends", func(t *testing.T) {
		m := f.reply(t, "g3", "li@acme.io")
		sent := f.mail.count()
		rep := f.ingest(t, &backend.Signal{Source: backend.SourceGmail, Type: backend.SignalEmailUnsubscribed, OccurredAt: f.clock.Now(), DedupeKey: "u1",
			Email: &backend.EmailMessage{ThreadID: "thr-u", From: "Li@Acme.io", Subject: "Re: Pricing", Snippet: "Please unsubscribe me"}})
		if len(rep.Created) != 0 {
			t.Errorf("an unsubscribe created moves %v", rep.Created)
		}
		list, _ := f.q.Guardrails.DoNotContacts(f.ctx)
		var li *backend.DoNotContact
		for _, d := range list {
			if d.Email == "li@acme.io" {
				li = d
			}
		}
		if li == nil || li.Reason != backend.DNCUnsubscribed {
			t.Fatalf("do-not-contact list = %+v, want li as unsubscribed", list)
		}
		_, _, err := f.q.Executions.Execute(f.ctx, m.ID, backend.ExecuteOptions{Actor: backend.ActorKey})
		if g, _ := backend.RefusedBy(err); g != backend.GuardDoNotContact {
			t.Errorf("a send to an unsubscribed address = %v, want do_not_contact", err)
		}
		if f.mail.count() != sent {
			t.Errorf("a send to an unsubscribed address reached the mailbox")
		}
	})
}

func TestQueue_SendWindowQueues(t *testing.T) {
	f := newExecFixture(t)
	s := replySignal("g1", "thr-1", "ken@acme.jp", testNow.Add(-time.Hour))
	s.Contact.Timezone = "Asia/Tokyo" // 09:00 UTC is 18:00 in Tokyo …
	f.ingest(t, s)
	f.clock.Set(time.Date(2026, 11, 22, 12, 30, 0, 0, time.UTC)) // … and 21:30 now
	res := f.today(t, nil)
	var m *backend.Move
	for _, x := range res.Moves {
		if x.Kind == backend.KindSendEmail {
			m = x
		}
	}
	_, exec, err := f.q.Executions.Execute(f.ctx, m.ID, backend.ExecuteOptions{Actor: backend.ActorKey})
	if err != nil {
		t.Fatal(err)
	}
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	want := time.Date(2026, 11, 23, 8, 0, 0, 0, tokyo)
	if exec.State != backend.ExecQueued || !exec.NotBefore.Equal(want) || !strings.Contains(exec.Queued, "send window") {
		t.Fatalf("execute at night in Tokyo = %s until %v (%q), want queued until 08:00 Tokyo", exec.State, exec.NotBefore, exec.Queued)
	}
	f.clock.Set(want.Add(-time.Minute))
	f.tick(t)
	if f.mail.count() != 0 {
		t.Fatal("sent before the window opened")
	}
	f.clock.Set(want)
	f.tick(t)
	if f.mail.count() != 1 {
		t.Fatalf("%d sent when the window opened, want 1", f.mail.count())
	}
}

func TestSendWindow_NextOpen(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	w := backend.DefaultSendWindow
	for _, tc := range []struct {
		name string
		now  time.Time
		loc  *time.Location
		want time.Time
	}{
		{"OpenNow", time.Date(2026, 3, 10, 12, 0, 0, 0, ny), ny, time.Date(2026, 3, 10, 12, 0, 0, 0, ny)},
		{"BeforeOpening", time.Date(2026, 3, 10, 6, 0, 0, 0, ny), ny, time.Date(2026, 3, 10, 8, 0, 0, 0, ny)},
		{"AfterClosing", time.Date(2026, 3, 10, 20, 0, 0, 0, ny), ny, time.Date(2026, 3, 11, 8, 0, 0, 0, ny)},
		// DST starts in New York on Sunday March 8, 2026 at 02:00: the
		// night is an hour shorter, 08:00 local is 12:00 UTC, not 13:00.
		{"SpringForwardNewYork", time.Date(2026, 3, 8, 1, 30, 0, 0, time.UTC), ny, time.Date(2026, 3, 8, 12, 0, 0, 0, time.UTC)},
		{"FallBackNewYork", time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC), ny, time.Date(2026, 11, 1, 13, 0, 0, 0, time.UTC)},
		// Berlin changes on March 29: 08:00 is 06:00 UTC after, 07:00 before.
		{"SpringForwardBerlin", time.Date(2026, 3, 28, 22, 0, 0, 0, time.UTC), berlin, time.Date(2026, 3, 29, 6, 0, 0, 0, time.UTC)},
		{"BeforeChangeBerlin", time.Date(2026, 3, 27, 22, 0, 0, 0, time.UTC), berlin, time.Date(2026, 3, 28, 7, 0, 0, 0, time.UTC)},
		{"LastMinute", time.Date(2026, 3, 10, 19, 59, 0, 0, berlin), berlin, time.Date(2026, 3, 10, 19, 59, 0, 0, berlin)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := w.NextOpen(tc.now, tc.loc); !got.Equal(tc.want) {
				t.Errorf("NextOpen(%v) = %v, want %v", tc.now, got.UTC(), tc.want.UTC())
			}
		})
	}
	weekdays := backend.SendWindow{Start: 9 * 60, End: 17 * 60, SkipWeekends: true}
	sat := time.Date(2026, 3, 7, 10, 0, 0, 0, ny)
	if got := weekdays.NextOpen(sat, ny); !got.Equal(time.Date(2026, 3, 9, 9, 0, 0, 0, ny)) {
		t.Errorf("weekday window on Saturday = %v, want Monday 09:00", got)
	}
}

func TestCheckPolicy(t *testing.T) {
	send := &backend.Plan{Kind: backend.KindSendEmail, Action: backend.ActionSendEmail, Outgoing: true,
		Recipients: []backend.PlanRecipient{{Email: "a@x.io", TimeZone: "UTC"}}}
	noon := time.Date(2026, 5, 5, 12, 0, 0, 0, time.UTC)
	st := backend.DefaultSettings()
	for _, tc := range []struct {
		name  string
		in    backend.PolicyInput
		guard string
		queue bool
	}{
		{"Allowed", backend.PolicyInput{Plan: send, Now: noon, Settings: st}, "", false},
		{"KillSwitch", backend.PolicyInput{Plan: send, Now: noon, Settings: st, Guardrails: &backend.Guardrails{KillSwitch: true}}, backend.GuardKillSwitch, false},
		{"KillSwitchSparesLocal", backend.PolicyInput{Plan: &backend.Plan{Kind: backend.KindNote}, Now: noon, Guardrails: &backend.Guardrails{KillSwitch: true}}, "", false},
		{"DoNotContact", backend.PolicyInput{Plan: send, Now: noon, Settings: st, Blocked: func(string) *backend.DoNotContact {
			return &backend.DoNotContact{Email: "a@x.io", Reason: backend.DNCBounced}
		}}, backend.GuardDoNotContact, false},
		{"UnderCap", backend.PolicyInput{Plan: send, Now: noon, Settings: st, Today: 49}, "", false},
		{"AtCap", backend.PolicyInput{Plan: send, Now: noon, Settings: st, Today: 50}, backend.GuardDailyCap, false},
		{"Night", backend.PolicyInput{Plan: send, Now: noon.Add(10 * time.Hour), Settings: st}, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := backend.CheckPolicy(tc.in)
			g, _ := backend.RefusedBy(err)
			if g != tc.guard || v.Queue != tc.queue {
				t.Errorf("CheckPolicy = %+v, %v; want guardrail %q, queue %v", v, err, tc.guard, tc.queue)
			}
			if err != nil && backend.ErrorCode(err) != backend.ECONFLICT {
				t.Errorf("refusal code = %s, want conflict", backend.ErrorCode(err))
			}
		})
	}
}

func TestRule_Matches(t *testing.T) {
	m := &backend.Move{Kind: backend.KindSendEmail, Domain: backend.DomainSales, Score: backend.Score{APS: 80},
		Draft: backend.Draft{To: []string{"dana@northwind.io"}}}
	lead := &backend.Contact{Lifecycle: "opportunity"}
	for _, tc := range []struct {
		name string
		r    backend.Rule
		want bool
	}{
		{"Kind", backend.Rule{Name: "r", Kinds: []backend.MoveKind{backend.KindSendEmail}}, true},
		{"OtherKind", backend.Rule{Name: "r", Kinds: []backend.MoveKind{backend.KindCreateTask}}, false},
		{"Domain", backend.Rule{Name: "r", Domains: []backend.Domain{backend.DomainCS}}, false},
		{"EmailDomain", backend.Rule{Name: "r", EmailDomains: []string{"NorthWind.io"}}, true},
		{"ScoreTooLow", backend.Rule{Name: "r", MinScore: 85}, false},
		{"Score", backend.Rule{Name: "r", MinScore: 80}, true},
		{"Segment", backend.Rule{Name: "r", Segments: []string{"opportunity"}}, true},
		{"AllMustHold", backend.Rule{Name: "r", Kinds: []backend.MoveKind{backend.KindSendEmail}, Segments: []string{"customer"}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, why := tc.r.Matches(m, lead); got != tc.want || (got && why == "") {
				t.Errorf("Matches = %v (%q), want %v", got, why, tc.want)
			}
		})
	}
}

func TestQueue_SimulateRuleAndApply(t *testing.T) {
	f := newExecFixture(t)
	a := f.reply(t, "g1", "maya@acme.io")
	f.reply(t, "g2", "li@other.io")
	f.q.Guardrails.AddDoNotContact(f.ctx, "maya@acme.io", backend.DNCManual, "", backend.ActorClick)
	r := &backend.Rule{Name: "acme replies", Kinds: []backend.MoveKind{backend.KindSendEmail}, EmailDomains: []string{"acme.io"}}
	sim, err := f.q.Guardrails.SimulateRule(f.ctx, r, 7)
	if err != nil {
		t.Fatal(err)
	}
	if len(sim.Matched) != 1 || sim.Matched[0].Move.ID != a.ID || !strings.HasPrefix(sim.Matched[0].Blocked, backend.GuardDoNotContact) {
		t.Fatalf("simulation = %+v, want maya's move, blocked by do-not-contact", sim.Matched)
	}
	f.clock.Advance(8 * 24 * time.Hour)
	if sim, _ := f.q.Guardrails.SimulateRule(f.ctx, r, 7); len(sim.Matched) != 0 {
		t.Errorf("8 days later the 7-day simulation matched %d", len(sim.Matched))
	}
	if f.mail.count() != 0 {
		t.Error("the simulator sent mail")
	}
	// Saved but not enabled: nothing runs.
	if err := f.q.Guardrails.SaveRule(f.ctx, r, backend.ActorClick); err != nil {
		t.Fatal(err)
	}
	f.q.Guardrails.RemoveDoNotContact(f.ctx, "maya@acme.io", backend.ActorClick)
	if done, _ := f.q.Guardrails.ApplyRules(f.ctx); len(done) != 0 {
		t.Errorf("a disabled rule executed %v", done)
	}
	r.Enabled = true
	f.q.Guardrails.SaveRule(f.ctx, r, backend.ActorClick)
	done, _ := f.q.Guardrails.ApplyRules(f.ctx)
	if len(done) != 1 || done[0] != a.ID {
		t.Fatalf("ApplyRules = %v, want maya's move", done)
	}
	hist := f.audit(t, a.ID)
	found := false
	for _, e := range hist {
		found = found || (e.Action == backend.AuditExecPlanned && e.Actor == backend.ActorRule && strings.Contains(e.Detail, "acme replies"))
	}
	if !found {
		t.Errorf("no audit entry by the rule in %v", hist)
	}
}

func TestQueue_VerifyAudit(t *testing.T) {
	f := newExecFixture(t)
	m := f.reply(t, "g1", "maya@acme.io")
	f.q.Executions.Execute(f.ctx, m.ID, backend.ExecuteOptions{Actor: backend.ActorVoice})
	f.clock.Advance(time.Minute)
	f.tick(t)
	chk, err := f.q.Audit.Verify(f.ctx)
	if err != nil || !chk.OK || chk.Entries < 5 {
		t.Fatalf("VerifyAudit = %+v, %v", chk, err)
	}
	var actions []string
	entries, _, _ := f.q.Audit.Entries(f.ctx, 0, 0)
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	for _, want := range []string{backend.AuditExecPlanned, backend.AuditExecCall, backend.AuditExecCommitted} {
		if !strings.Contains(strings.Join(actions, ","), want) {
			t.Errorf("audit %v lacks %s", actions, want)
		}
	}
}

// Two scheduler passes (the loop's Tick and RetryOutbox when an account
// comes back) can read the same due executions. While one pass is making
// an execution's call, the other must leave it alone: a retry asks the
// remote side first, but the first call has not landed yet, so the
// answer would be "not sent" and the email would go twice.
func TestQueue_ConcurrentTicksSendOnce(t *testing.T) {
	f := newExecFixture(t)
	x := f.reply(t, "g1", "maya@acme.io")
	y := f.reply(t, "g2", "li@acme.io")
	for _, m := range []*backend.Move{x, y} {
		if _, _, err := f.q.Executions.Execute(f.ctx, m.ID, backend.ExecuteOptions{Actor: backend.ActorKey}); err != nil {
			t.Fatal(err)
		}
	}
	f.clock.Advance(10 * time.Second)
	// Pass A reads both, and stops at x's call; pass B then reads y only
	// (x is committing) and stops at y's call. A goes on to y, from its
	// older read, while B's call for y is still out.
	calls := make(chan uint64, 4)
	release := map[uint64]chan struct{}{}
	var mu sync.Mutex
	gate := func(id uint64) chan struct{} {
		mu.Lock()
		defer mu.Unlock()
		if release[id] == nil {
			release[id] = make(chan struct{})
		}
		return release[id]
	}
	var held sync.Map // the first call of each move waits for its gate
	f.q.Executions.SetExecHooks(backend.ExecHooks{BeforeCall: func(e *backend.Execution) error {
		calls <- e.MoveID
		if _, again := held.LoadOrStore(e.MoveID, true); !again {
			<-gate(e.MoveID)
		}
		return nil
	}})
	reps := make(chan backend.TickReport, 2)
	go func() { rep, _ := f.q.Executions.Tick(f.ctx); reps <- rep }()
	if got := <-calls; got != x.ID {
		t.Fatalf("pass A called move %d first, want %d", got, x.ID)
	}
	go func() { rep, _ := f.q.Executions.Tick(f.ctx); reps <- rep }()
	if got := <-calls; got != y.ID {
		t.Fatalf("pass B called move %d, want %d", got, y.ID)
	}
	close(gate(x.ID))
	repA := <-reps // A has been to y and, finding B on it, left it
	close(gate(y.ID))
	repB := <-reps
	select {
	case id := <-calls:
		t.Errorf("a second call was made for move %d", id)
	default:
	}
	if f.mail.count() != 2 || f.mail.sent[0].To[0] == f.mail.sent[1].To[0] {
		t.Fatalf("sent %d (%v); want x and y once each", f.mail.count(), f.mail.sent)
	}
	if len(repA.Committed) != 1 || len(repB.Committed) != 1 {
		t.Errorf("pass A committed %v, pass B %v; want one each", repA.Committed, repB.Committed)
	}
	if f.status(t, x.ID) != backend.StatusDone || f.status(t, y.ID) != backend.StatusDone {
		t.Errorf("moves = %s, %s; want done", f.status(t, x.ID), f.status(t, y.ID))
	}
}

// Reconcile finishes what a crash left in flight. Run while this process
// is itself making an execution's call (the founder executed the moment
// the app started), it must not take that call for a crash's leftover.
func TestQueue_ReconcileLeavesTheCallInFlight(t *testing.T) {
	f := newExecFixture(t)
	st, _ := f.q.Settings.Get(f.ctx)
	st.UndoWindow = 0
	if err := f.q.Settings.Save(f.ctx, st, backend.ActorClick); err != nil {
		t.Fatal(err)
	}
	m := f.reply(t, "g1", "maya@acme.io")
	var (
		rep        backend.ReconcileReport
		reconciled bool // the hook runs again if Reconcile makes a call
	)
	f.q.Executions.SetExecHooks(backend.ExecHooks{BeforeCall: func(e *backend.Execution) error {
		if !reconciled {
			reconciled = true
			var err error
			if rep, err = f.q.Executions.Reconcile(f.ctx); err != nil {
				t.Error(err)
			}
		}
		return nil
	}})
	if _, exec, err := f.q.Executions.Execute(f.ctx, m.ID, backend.ExecuteOptions{Actor: backend.ActorKey}); err != nil || exec.State != backend.ExecCommitted {
		t.Fatalf("execute = %v, %v; want committed", exec, err)
	}
	if n := len(rep.Found) + len(rep.Redone) + len(rep.Failed) + len(rep.Queued); n != 0 || f.mail.count() != 1 {
		t.Errorf("reconcile during the call did %+v; %d sent, want exactly 1", rep, f.mail.count())
	}
}
