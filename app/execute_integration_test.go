package app

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/gcal"
	"github.com/caseyos/caseyos/connectors/gcal/gcaltest"
	"github.com/caseyos/caseyos/connectors/gmail"
	"github.com/caseyos/caseyos/connectors/gmail/gmailtest"
	"github.com/caseyos/caseyos/connectors/hubspot"
	"github.com/caseyos/caseyos/connectors/hubspot/hubspottest"
	"github.com/caseyos/caseyos/store"
)

// These tests run every action through the App against the connectors'
// fakes and check what the fakes received.

type bearerRT struct{}

func (bearerRT) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer test-token")
	return http.DefaultTransport.RoundTrip(r)
}

// Tuesday 1 December 2026, 15:00 UTC: 10:00 in New York.
var execNow = time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)

const execOwner = "casey@pebblecache.dev"

type execEnv struct {
	t     *testing.T
	clock *backend.ManualClock
	path  string
	db    *store.DB
	app   *App
	mail  *gmailtest.Server
	cal   *gcaltest.Server
	hs    *hubspottest.Server
	caps  backend.Capabilities
}

func newExecEnv(t *testing.T) *execEnv {
	t.Helper()
	e := &execEnv{t: t, clock: backend.NewManualClock(execNow), path: filepath.Join(t.TempDir(), "caseyos.db")}
	ctx := context.Background()
	hc := &http.Client{Transport: bearerRT{}}
	quick := backend.Backoff{Min: time.Millisecond, Max: 4 * time.Millisecond}

	e.mail = gmailtest.NewTestServer(t, gmailtest.Options{Now: e.clock.Now})
	mb, err := gmail.New(ctx, gmail.Config{HTTPClient: hc, BaseURL: e.mail.URL + "/", Address: execOwner, Clock: e.clock, Backoff: quick})
	if err != nil {
		t.Fatal(err)
	}
	e.cal = gcaltest.NewTestServer(t, gcaltest.Options{Now: e.clock.Now})
	cal, err := gcal.New(ctx, gcal.Config{HTTPClient: hc, BaseURL: e.cal.Endpoint(), Owner: execOwner, Clock: e.clock, Backoff: quick})
	if err != nil {
		t.Fatal(err)
	}
	e.hs = hubspottest.NewTestServer(t, hubspottest.Options{Clock: e.clock, TenSecondLimit: -1})
	e.hs.Seed(hubspottest.Seed{
		Contacts: []hubspottest.Contact{{ID: "101", Email: "dana@northwind.io", FirstName: "Dana", CreatedAt: execNow.Add(-48 * time.Hour)},
			{ID: "102", Email: "dana.w@northwind.io", FirstName: "Dana", CreatedAt: execNow.Add(-24 * time.Hour)}},
		Deals: []hubspottest.Deal{{ID: "301", Name: "Northwind", Amount: 40000, ContactIDs: []string{"101"},
			Stages: []hubspottest.StageChange{{Stage: "appointmentscheduled", At: execNow.Add(-72 * time.Hour)}}}},
	})
	crm, err := hubspot.New(hubspot.Config{BaseURL: e.hs.URL(), Clock: e.clock, Credentials: hubspot.Credentials{Token: e.hs.Token()}, SearchLag: -1})
	if err != nil {
		t.Fatal(err)
	}
	e.caps = backend.Capabilities{Mailbox: mb, Calendar: cal, CRM: crm}
	e.open()
	return e
}

// open opens the data file and an App over it, as a (re)started process would.
func (e *execEnv) open() {
	e.t.Helper()
	db, err := store.Open(e.path, store.Options{Clock: e.clock, Timeout: time.Second})
	if err != nil {
		e.t.Fatal(err)
	}
	e.db = db
	e.t.Cleanup(func() { db.Close() })
	e.app = New(Options{Store: db, Clock: e.clock, Executors: backend.NewActions(e.caps)})
}

// restart simulates a crash: a fresh App over the same file.
func (e *execEnv) restart() {
	e.t.Helper()
	e.db.Close()
	e.open()
}

func (e *execEnv) move(m *backend.Move) uint64 {
	e.t.Helper()
	m.Status, m.Domain, m.CreatedAt, m.UpdatedAt = backend.StatusPending, backend.DomainSales, execNow, execNow
	if m.Title == "" {
		m.Title = "Move"
	}
	m.Score.APS = 70
	err := e.db.Update(context.Background(), func(tx backend.Tx) error {
		if err := tx.PutContact(&backend.Contact{ID: "101", Email: "dana@northwind.io", Name: "Dana", Timezone: "America/New_York"}); err != nil {
			return err
		}
		if err := tx.PutDeal(&backend.Deal{ID: "301", Name: "Northwind", Stage: "appointmentscheduled"}); err != nil {
			return err
		}
		return tx.CreateMove(m)
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return m.ID
}

// execute previews and executes as the UI does, then lets the undo window pass.
func (e *execEnv) execute(id uint64) ExecutionStatusDTO {
	e.t.Helper()
	p, err := e.app.bound.Execution.PreviewExecution(id)
	if err != nil {
		e.t.Fatalf("PreviewExecution(%d) = %v", id, err)
	}
	st, err := e.app.bound.Execution.ExecuteMove(id, ExecuteRequestDTO{PreviewHash: p.Hash, Via: "key"})
	if err != nil {
		e.t.Fatalf("ExecuteMove(%d) = %v", id, err)
	}
	if st.State != string(backend.ExecWaitingUndo) || st.UndoDeadline == nil {
		e.t.Fatalf("ExecuteMove = %+v, want waiting_undo with a deadline", st)
	}
	return e.pass()
}

// pass moves the clock past the undo window and runs the scheduler.
func (e *execEnv) pass() ExecutionStatusDTO {
	e.t.Helper()
	e.clock.Advance(11 * time.Second)
	if _, err := e.app.queue.Executions.Tick(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	return ExecutionStatusDTO{}
}

func (e *execEnv) status(id uint64) ExecutionStatusDTO {
	e.t.Helper()
	st, err := e.app.bound.Execution.ExecutionStatus(id)
	if err != nil {
		e.t.Fatal(err)
	}
	return st
}

func (e *execEnv) reply() uint64 {
	e.mail.Deliver(gmailtest.Message{ThreadID: "thr-nw", From: "Dana <dana@northwind.io>", To: []string{execOwner},
		Subject: "Pricing", Body: "What does it cost?", MessageID: "<CAN-1@northwind.io>", Date: execNow.Add(-time.Hour)})
	return e.move(&backend.Move{Kind: backend.KindSendEmail, Subject: backend.Subject{Type: backend.SubjectThread, ID: "thr-nw"}, ContactID: "101",
		Draft: backend.Draft{To: []string{"dana@northwind.io"}, Subject: "Re: Pricing", Body: "It costs $500 a month.", ThreadID: "thr-nw"}})
}

func TestExecute_SendEmail(t *testing.T) {
	e := newExecEnv(t)
	id := e.reply()
	p, err := e.app.bound.Execution.PreviewExecution(id)
	if err != nil {
		t.Fatal(err)
	}
	if p.Action != "send_email" || p.Plan.Email.ThreadID != "thr-nw" || p.UndoWindowSeconds != 10 || len(e.mail.Sent()) != 0 {
		t.Fatalf("preview = %+v", p)
	}
	st, err := e.app.bound.Execution.ExecuteMove(id, ExecuteRequestDTO{PreviewHash: p.Hash, Via: "key"})
	if err != nil {
		t.Fatal(err)
	}
	// z inside the window: nothing reaches Gmail.
	if _, err := e.app.bound.Execution.CancelExecution(id, "key"); err != nil {
		t.Fatal(err)
	}
	e.pass()
	if n := len(e.mail.Sent()); n != 0 {
		t.Fatalf("after cancelling in the window Gmail received %d messages", n)
	}
	// Execute again: after the window, exactly one threaded reply.
	e.execute(id)
	sent := e.mail.Sent()
	if len(sent) != 1 || !sent[0].Threaded || sent[0].ThreadID != "thr-nw" {
		t.Fatalf("Gmail received %+v, want one reply in thr-nw", sent)
	}
	got := e.status(id)
	if got.State != "committed" || sent[0].Header.Get("Message-Id") != backend.MessageIDFor(got.IdempotencyKey, execOwner) || // the mailbox's own domain

		sent[0].Header.Get("In-Reply-To") != "<CAN-1@northwind.io>" {
		t.Errorf("execution %+v, headers %v", got, sent[0].Header)
	}
	_ = st
	if _, err := e.app.bound.Execution.Rollback(id, "key"); backend.ErrorCode(err) != backend.ECONFLICT {
		t.Errorf("Rollback(sent email) = %v, want an honest refusal", err)
	}
	if m, _ := e.app.bound.Today.Move(id); m.Status != "done" {
		t.Errorf("move = %s, want done", m.Status)
	}
}

func TestExecute_SendEmailCrashes(t *testing.T) {
	crash := errors.New("killed")
	for _, tc := range []struct {
		name  string
		hooks backend.ExecHooks
		fault *gmailtest.Fault
	}{
		{"BetweenRecordAndCall", backend.ExecHooks{BeforeCall: func(*backend.Execution) error { return crash }}, nil},
		{"AfterCallBeforeResult", backend.ExecHooks{AfterCall: func(*backend.Execution) error { return crash }}, nil},
		{"ServerErrorDuringCall", backend.ExecHooks{}, &gmailtest.Fault{Method: "users.messages.send", Status: 500, Reason: "backendError"}},
		{"RateLimitedDuringCall", backend.ExecHooks{}, &gmailtest.Fault{Method: "users.messages.send", Status: 429, Reason: "rateLimitExceeded"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newExecEnv(t)
			id := e.reply()
			e.app.queue.Executions.SetExecHooks(tc.hooks)
			if tc.fault != nil {
				e.mail.Inject(*tc.fault)
			}
			e.execute(id)
			if tc.fault != nil {
				// A 5xx may have sent the mail, so Gmail's client does not
				// retry it: it waits in the outbox, and the retry first looks
				// for our Message-ID. A 429 was not served: the client retries.
				if st := e.status(id); st.State == "queued" {
					if _, err := e.app.bound.Execution.RetryOutbox(); err != nil {
						t.Fatal(err)
					}
				} else if tc.fault.Status >= 500 {
					t.Fatalf("after a %d the execution is %s, want queued in the outbox", tc.fault.Status, st.State)
				}
			} else {
				e.restart()
				if _, err := e.app.queue.Executions.Reconcile(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			if n := len(e.mail.Sent()); n != 1 {
				t.Fatalf("Gmail received %d messages, want exactly 1", n)
			}
			if st := e.status(id); st.State != "committed" {
				t.Errorf("execution = %+v, want committed", st)
			}
		})
	}
}

func TestExecute_CreateDraft(t *testing.T) {
	e := newExecEnv(t)
	id := e.move(&backend.Move{Kind: backend.KindSendEmail, Subject: backend.Subject{Type: backend.SubjectContact, ID: "101"}, ContactID: "101",
		Draft: backend.Draft{To: []string{"dana@northwind.io"}, Subject: "Intro", Body: "Hello Dana", Fields: map[string]string{"mode": "draft"}}})
	e.execute(id)
	if len(e.mail.Drafts()) != 1 || len(e.mail.Sent()) != 0 {
		t.Fatalf("Gmail holds %d drafts, %d sent; want 1 draft only", len(e.mail.Drafts()), len(e.mail.Sent()))
	}
	if _, err := e.app.bound.Execution.Rollback(id, "key"); err != nil {
		t.Fatal(err)
	}
	if n := len(e.mail.Drafts()); n != 0 {
		t.Errorf("after rollback Gmail holds %d drafts, want 0", n)
	}
}

func TestExecute_CreateTask(t *testing.T) {
	e := newExecEnv(t)
	id := e.move(&backend.Move{Kind: backend.KindCreateTask, Title: "Send the security review", Subject: backend.Subject{Type: backend.SubjectDeal, ID: "301"},
		ContactID: "101", DealID: "301", Draft: backend.Draft{TaskTitle: "Send the security review", Body: "SOC 2 report", TaskDue: execNow.Add(24 * time.Hour)}})
	e.hs.Drop(1) // the first create is cut off: retried safely
	e.execute(id)
	if st := e.status(id); st.State == "queued" {
		e.clock.Advance(time.Minute)
		e.app.queue.Executions.Tick(context.Background())
	}
	tasks := e.hs.Objects("tasks")
	if len(tasks) != 1 {
		t.Fatalf("HubSpot holds %d tasks, want exactly 1", len(tasks))
	}
	task := tasks[0]
	st := e.status(id)
	if task.Props["hs_task_subject"] != "Send the security review" || task.Props["caseyos_idempotency_key"] != st.IdempotencyKey ||
		len(task.Associations["contacts"]) != 1 || len(task.Associations["deals"]) != 1 {
		t.Fatalf("task = %+v (execution %+v)", task, st)
	}
	if _, err := e.app.bound.Execution.Rollback(id, "click"); err != nil {
		t.Fatal(err)
	}
	if rec, ok := e.hs.Object("tasks", task.ID); ok && !rec.Archived {
		t.Errorf("after rollback the task is still live")
	}
	if m, _ := e.app.bound.Today.Move(id); m.Status != "undone" {
		t.Errorf("move = %s, want undone", m.Status)
	}
}

func TestExecute_CreateTaskCrashAfterCall(t *testing.T) {
	e := newExecEnv(t)
	id := e.move(&backend.Move{Kind: backend.KindCreateTask, Title: "Call back", Subject: backend.Subject{Type: backend.SubjectContact, ID: "101"}, ContactID: "101"})
	e.app.queue.Executions.SetExecHooks(backend.ExecHooks{AfterCall: func(*backend.Execution) error { return errors.New("killed") }})
	e.execute(id)
	e.restart()
	rep, err := e.app.queue.Executions.Reconcile(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n := len(e.hs.Objects("tasks")); n != 1 || len(rep.Found) != 1 {
		t.Fatalf("after reconcile HubSpot holds %d tasks (report %+v), want 1 found by our key", n, rep)
	}
}

func TestExecute_UpdateDeal(t *testing.T) {
	e := newExecEnv(t)
	id := e.move(&backend.Move{Kind: backend.KindUpdateDeal, Subject: backend.Subject{Type: backend.SubjectDeal, ID: "301"}, DealID: "301",
		Draft: backend.Draft{DealStage: "qualifiedtobuy"}})
	p, _ := e.app.bound.Execution.PreviewExecution(id)
	if p.Plan.Deal.FromStage != "appointmentscheduled" {
		t.Fatalf("preview = %+v, want the previous stage remembered", p.Plan.Deal)
	}
	e.execute(id)
	if d, _ := e.hs.Object("deals", "301"); d.Props["dealstage"] != "qualifiedtobuy" {
		t.Fatalf("deal stage = %q, want qualifiedtobuy", d.Props["dealstage"])
	}
	if _, err := e.app.bound.Execution.Rollback(id, "key"); err != nil {
		t.Fatal(err)
	}
	if d, _ := e.hs.Object("deals", "301"); d.Props["dealstage"] != "appointmentscheduled" {
		t.Errorf("after rollback the stage = %q, want appointmentscheduled", d.Props["dealstage"])
	}
}

func TestExecute_MergeContacts(t *testing.T) {
	e := newExecEnv(t)
	id := e.move(&backend.Move{Kind: backend.KindMergeContacts, Subject: backend.Subject{Type: backend.SubjectContact, ID: "101"},
		Draft: backend.Draft{MergeIDs: []string{"101", "102"}}})
	e.execute(id)
	if st := e.status(id); st.State != "committed" {
		t.Fatalf("merge = %+v", st)
	}
	merges := 0
	for _, r := range e.hs.Requests() {
		if r.Method == http.MethodPost && r.Path == "/crm/v3/objects/contacts/merge" && strings.Contains(string(r.Body), `"objectIdToMerge":"102"`) {
			merges++
		}
	}
	if merges != 1 {
		t.Errorf("HubSpot received %d merges of 102 into 101, want 1", merges)
	}
	_, err := e.app.bound.Execution.Rollback(id, "key")
	if backend.ErrorCode(err) != backend.ECONFLICT || !strings.Contains(backend.ErrorMessage(err), "cannot undo a merge") {
		t.Errorf("Rollback(merge) = %v, want an honest refusal", err)
	}
}

func TestExecute_ScheduleMeeting(t *testing.T) {
	e := newExecEnv(t)
	// Dana is in New York; it is 10:00 there. She is busy until 13:00.
	// The owner works in New York too (working hours are judged in both).
	ny, _ := time.LoadLocation("America/New_York")
	e.app.queue.SetZone(ny)
	e.cal.AddBusy("dana@northwind.io", execNow, execNow.Add(3*time.Hour))
	id := e.move(&backend.Move{Kind: backend.KindScheduleMeeting, Title: "Northwind demo", Subject: backend.Subject{Type: backend.SubjectDeal, ID: "301"},
		ContactID: "101", Draft: backend.Draft{To: []string{"dana@northwind.io"}, Subject: "Northwind demo", Duration: 30 * time.Minute}})
	p, err := e.app.bound.Execution.PreviewExecution(id)
	if err != nil {
		t.Fatal(err)
	}
	mt := p.Plan.Meeting
	if len(mt.Slots) != 3 || mt.TimeZone != "America/New_York" || !mt.Start.Equal(time.Date(2026, 12, 1, 13, 0, 0, 0, ny)) {
		t.Fatalf("preview slots = %+v, start %v; want three, the first at 13:00 New York", mt.Slots, mt.Start.In(ny))
	}
	for _, s := range mt.Slots {
		if l := s.Start.In(ny); l.Hour() < 9 || l.Hour() >= 17 || l.Weekday() == time.Saturday || l.Weekday() == time.Sunday {
			t.Errorf("slot %v is outside working hours in New York", l)
		}
	}
	e.app.queue.Executions.SetExecHooks(backend.ExecHooks{AfterCall: func(*backend.Execution) error { return errors.New("killed") }})
	e.execute(id)
	e.restart()
	if _, err := e.app.queue.Executions.Reconcile(context.Background()); err != nil {
		t.Fatal(err)
	}
	evs := e.cal.Events()
	st := e.status(id)
	invited := false
	for _, a := range evs[0].Attendees {
		invited = invited || a.Email == "dana@northwind.io"
	}
	if len(evs) != 1 || evs[0].ID != backend.EventIDFor(st.IdempotencyKey) || evs[0].HangoutLink == "" || !invited ||
		!evs[0].Start.Equal(mt.Start) || st.State != "committed" {
		t.Fatalf("calendar = %+v, execution %+v; want one event under our id with Meet", evs, st)
	}
	if _, err := e.app.bound.Execution.Rollback(id, "key"); err != nil {
		t.Fatal(err)
	}
	if n := len(e.cal.Events()); n != 0 {
		t.Errorf("after rollback %d events remain", n)
	}
	var deletes int
	for _, r := range e.cal.Requests() {
		if r.Method == "calendar.events.delete" && r.Query.Get("sendUpdates") == "all" {
			deletes++
		}
	}
	if deletes != 1 {
		t.Errorf("%d cancellations with notifications, want 1", deletes)
	}
}

func TestExecute_KillSwitch(t *testing.T) {
	e := newExecEnv(t)
	id := e.reply()
	p, _ := e.app.bound.Execution.PreviewExecution(id)
	if _, err := e.app.bound.Execution.ExecuteMove(id, ExecuteRequestDTO{PreviewHash: p.Hash, Via: "key"}); err != nil {
		t.Fatal(err)
	}
	ks, err := e.app.bound.Execution.KillSwitch("on", "testing", "cli")
	if err != nil || !ks.On || len(ks.Cancelled) != 1 {
		t.Fatalf("KillSwitch(on) = %+v, %v", ks, err)
	}
	e.restart() // persisted
	if ks, _ := e.app.bound.Execution.KillSwitch("status", "", ""); !ks.On {
		t.Fatal("the kill switch did not survive a restart")
	}
	_, err = e.app.bound.Execution.ExecuteMove(id, ExecuteRequestDTO{Via: "key"})
	if g, _ := backend.RefusedBy(err); g != backend.GuardKillSwitch {
		t.Fatalf("ExecuteMove with the kill switch on = %v", err)
	}
	e.pass()
	if n := len(e.mail.Sent()); n != 0 {
		t.Errorf("with the kill switch on Gmail received %d messages", n)
	}
	chk, err := e.app.bound.Audit.VerifyAudit()
	if err != nil || !chk.OK {
		t.Errorf("VerifyAudit = %+v, %v", chk, err)
	}
}

// A successful sync pass means the account is back: the outbox leaves
// then, not at its next backoff.
func TestExecute_OutboxLeavesWhenTheAccountIsBack(t *testing.T) {
	e := newExecEnv(t)
	id := e.reply()
	e.mail.Inject(gmailtest.Fault{Method: "users.messages.send", Status: 503, Reason: "backendError"})
	e.execute(id)
	if st := e.status(id); st.State != "queued" || !strings.HasPrefix(st.QueuedReason, "offline") {
		t.Fatalf("after a 503 the execution is %+v, want queued offline", st)
	}
	out, _ := e.app.bound.Execution.Outbox()
	if len(out) != 1 || out[0].MoveID != id {
		t.Fatalf("Outbox() = %+v", out)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e.app.startup(ctx)
	defer func() { cancel(); e.app.shutdown() }()
	e.app.events.Publish(backend.EventSyncStatus, SyncStatusDTO{Account: "gmail", State: "connected"})
	deadline := time.Now().Add(5 * time.Second)
	for e.status(id).State != "committed" && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if st := e.status(id); st.State != "committed" || len(e.mail.Sent()) != 1 {
		t.Fatalf("after the account came back: %+v, %d sent; want committed, exactly 1", st, len(e.mail.Sent()))
	}
}

// previewAndExecute is the preview, then ExecuteMove with its hash,
// through the same bound calls the window and the voice path make.
func (a *App) previewAndExecute(id uint64, via string) (ExecutionStatusDTO, error) {
	p, err := a.bound.Execution.PreviewExecution(id)
	if err == nil {
		err = p.Blocked()
	}
	if err != nil {
		return ExecutionStatusDTO{}, err
	}
	return a.bound.Execution.ExecuteMove(id, ExecuteRequestDTO{PreviewHash: p.Hash, Via: via})
}
