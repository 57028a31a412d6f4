package app

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/gcal/gcaltest"
	"github.com/caseyos/caseyos/connectors/gmail"
	"github.com/caseyos/caseyos/connectors/gmail/gmailtest"
	"github.com/caseyos/caseyos/connectors/x/xtest"
)

// These tests carry a move out through the App against the connectors'
// fakes, let the world answer in the fake, sync it back as the pollers do
// and read the outcomes detected.

// syncs polls p from its stored cursor and ingests what it returns with
// the new cursor, as the syncer does.
func (e *execEnv) syncs(p backend.Poller) backend.IngestReport {
	e.t.Helper()
	ctx := context.Background()
	var cur string
	_ = e.db.View(ctx, func(tx backend.Tx) (err error) { cur, err = tx.Cursor(p.Account()); return err })
	sigs, next, err := p.Poll(ctx, cur)
	if err != nil {
		e.t.Fatalf("Poll(%s) = %v", p.Account(), err)
	}
	rep, err := e.app.queue.Ingest.From(ctx, p.Account(), sigs, next)
	if err != nil {
		e.t.Fatalf("ingest from %s = %v", p.Account(), err)
	}
	return rep
}

// resync polls p from cur again (a replay: the same signals).
func (e *execEnv) resync(p backend.Poller, cur string) {
	e.t.Helper()
	ctx := context.Background()
	sigs, next, err := p.Poll(ctx, cur)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.app.queue.Ingest.From(ctx, p.Account(), sigs, next); err != nil {
		e.t.Fatal(err)
	}
}

func (e *execEnv) cursor(account string) string {
	var cur string
	_ = e.db.View(context.Background(), func(tx backend.Tx) (err error) { cur, err = tx.Cursor(account); return err })
	return cur
}

// outcomes lists a move's outcome types, sorted, and the outcomes.
func (e *execEnv) outcomes(id uint64) (string, []*backend.Outcome) {
	e.t.Helper()
	os, err := e.app.queue.Outcomes.List(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	var ts []string
	for _, o := range os {
		ts = append(ts, string(o.Type))
	}
	sort.Strings(ts)
	return strings.Join(ts, ","), os
}

func TestOutcomeDetect_GmailReply(t *testing.T) {
	e := newExecEnv(t)
	mb := e.caps.Mailbox.(backend.Poller)
	id := e.reply()
	e.syncs(mb) // the inbound mail that asked, before our move: no outcome
	e.execute(id)
	st := e.status(id)
	sent := e.mail.Sent()
	if len(sent) != 1 {
		t.Fatalf("Gmail received %d messages", len(sent))
	}
	ours := sent[0].Header.Get("Message-Id")

	// Our own sent mail comes back through the sync: no outcome.
	e.clock.Advance(time.Minute)
	before := e.cursor(mb.Account())
	e.syncs(mb)
	if got, _ := e.outcomes(id); got != "" {
		t.Fatalf("after syncing our own sent mail the outcomes are %q, want none", got)
	}

	// A reply from Dana in another thread, two hours later: not an answer.
	e.clock.Advance(2 * time.Hour)
	e.mail.Deliver(gmailtest.Message{ThreadID: "thr-other", From: "Dana <dana@northwind.io>", To: []string{execOwner},
		Subject: "Lunch next week?", Body: "Are you around for lunch next week?", Date: e.clock.Now()})
	e.syncs(mb)
	if got, _ := e.outcomes(id); got != "" {
		t.Fatalf("a reply in another thread gave outcomes %q, want none", got)
	}

	// Her answer in our thread, naming our Message-ID.
	e.mail.Deliver(gmailtest.Message{ThreadID: "thr-nw", From: "Dana <dana@northwind.io>", To: []string{execOwner},
		Subject: "Re: Pricing", Body: "That works for us. Can we set up a call on Thursday to go through it?", InReplyTo: ours,
		References: []string{"<CAN-1@northwind.io>", ours}, Date: e.clock.Now()})
	e.syncs(mb)
	got, os := e.outcomes(id)
	if got != "positive_reply,replied" {
		t.Fatalf("after her reply the outcomes are %q, want positive_reply,replied", got)
	}
	for _, o := range os {
		if o.SignalID == 0 || o.ExecutionID == 0 || o.Actor != backend.ActorSystem {
			t.Errorf("outcome %+v does not name its signal and execution", o)
		}
		if o.Type == backend.OutcomeReplied && (!strings.Contains(o.Note, "Dana replied") || !strings.Contains(o.Note, "2 h after the send")) {
			t.Errorf("replied note = %q, want who and how long after the send", o.Note)
		}
	}
	_ = st

	// The same mail synced again (a replay from an older cursor): no second outcome.
	e.resync(mb, before)
	e.resync(mb, "")
	if got2, _ := e.outcomes(id); got2 != got {
		t.Errorf("after re-syncing the outcomes are %q, want %q", got2, got)
	}

	// The wait for a response has ended: no no_response later.
	e.clock.Advance(10 * 24 * time.Hour)
	if n, err := e.app.queue.Outcomes.Sweep(context.Background()); err != nil || n != 0 {
		t.Errorf("Sweep after a reply = %d, %v; want none due", n, err)
	}
}

func TestOutcomeDetect_GmailAutoReplyIsNotAReply(t *testing.T) {
	e := newExecEnv(t)
	mb := e.caps.Mailbox.(backend.Poller)
	id := e.reply()
	e.syncs(mb)
	e.execute(id)
	ours := e.mail.Sent()[0].Header.Get("Message-Id")
	e.clock.Advance(time.Minute)
	e.mail.Deliver(gmailtest.Message{ThreadID: "thr-nw", From: "Dana <dana@northwind.io>", To: []string{execOwner},
		Subject: "Automatic reply: Pricing", Body: "I am out of the office until 14 December with limited access to email.",
		InReplyTo: ours, Headers: map[string]string{"Auto-Submitted": "auto-replied"}, Date: e.clock.Now()})
	e.syncs(mb)
	if got, _ := e.outcomes(id); got != "out_of_office" {
		t.Fatalf("after an auto-reply the outcomes are %q, want out_of_office only", got)
	}
	// Still no answer: three business days later (Tuesday 1 Dec → Friday 4 Dec) it is no_response.
	e.clock.Advance(2 * 24 * time.Hour)
	if n, _ := e.app.queue.Outcomes.Sweep(context.Background()); n != 0 {
		t.Fatalf("Sweep two days after the send recorded %d, want 0", n)
	}
	e.clock.Advance(24 * time.Hour)
	if n, err := e.app.queue.Outcomes.Sweep(context.Background()); err != nil || n != 1 {
		t.Fatalf("Sweep three business days after the send = %d, %v; want 1", n, err)
	}
	got, os := e.outcomes(id)
	if got != "no_response,out_of_office" {
		t.Fatalf("outcomes = %q", got)
	}
	for _, o := range os {
		if o.Type == backend.OutcomeNoResponse && !strings.Contains(o.Note, "3 business days") {
			t.Errorf("no_response note = %q", o.Note)
		}
	}
	if n, _ := e.app.queue.Outcomes.Sweep(context.Background()); n != 0 {
		t.Errorf("a second Sweep recorded %d more", n)
	}
}

func TestOutcomeDetect_HubSpotStageAfterTask(t *testing.T) {
	e := newExecEnv(t)
	crm := e.caps.CRM.(backend.Poller)
	e.syncs(crm)
	// A stage change before the move: never its outcome.
	e.clock.Advance(time.Minute)
	if err := e.hs.SetDealStage("301", "qualifiedtobuy"); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	id := e.move(&backend.Move{Kind: backend.KindCreateTask, Title: "Send the security review", Subject: backend.Subject{Type: backend.SubjectDeal, ID: "301"},
		ContactID: "101", DealID: "301", Draft: backend.Draft{TaskTitle: "Send the security review", Body: "SOC 2 report", TaskDue: execNow.Add(24 * time.Hour)}})
	e.execute(id)
	e.clock.Advance(time.Minute)
	e.syncs(crm)
	if got, _ := e.outcomes(id); got != "" {
		t.Fatalf("a stage change before the task gave %q, want none", got)
	}
	// The deal moves on after our task, then is won.
	e.clock.Advance(time.Hour)
	if err := e.hs.SetDealStage("301", "decisionmakerboughtin"); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	before := e.cursor(crm.Account())
	e.syncs(crm)
	if got, _ := e.outcomes(id); got != "deal_advanced" {
		t.Fatalf("after the deal advanced the outcomes are %q, want deal_advanced", got)
	}
	e.resync(crm, before)
	e.clock.Advance(time.Hour)
	if err := e.hs.SetDealStage("301", "closedwon"); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	e.syncs(crm)
	got, os := e.outcomes(id)
	if got != "deal_advanced,deal_won" {
		t.Fatalf("after the deal was won the outcomes are %q, want deal_advanced,deal_won", got)
	}
	for _, o := range os {
		if o.Type == backend.OutcomeDealWon && !strings.Contains(o.Note, "Northwind") {
			t.Errorf("deal_won note = %q", o.Note)
		}
	}
}

func TestOutcomeDetect_HubSpotOwnStageChangeIsNoOutcome(t *testing.T) {
	e := newExecEnv(t)
	crm := e.caps.CRM.(backend.Poller)
	e.syncs(crm)
	id := e.move(&backend.Move{Kind: backend.KindUpdateDeal, Subject: backend.Subject{Type: backend.SubjectDeal, ID: "301"}, DealID: "301",
		Draft: backend.Draft{DealStage: "qualifiedtobuy"}})
	e.execute(id)
	e.clock.Advance(time.Minute)
	e.syncs(crm)
	if got, _ := e.outcomes(id); got != "" {
		t.Fatalf("our own stage change coming back gave %q, want none", got)
	}
	e.clock.Advance(time.Hour)
	if err := e.hs.SetDealStage("301", "closedlost"); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(2 * time.Hour)
	e.syncs(crm)
	if got, _ := e.outcomes(id); got != "deal_lost" {
		t.Fatalf("after the deal was lost the outcomes are %q, want deal_lost", got)
	}
}

func TestOutcomeDetect_CalendarMeeting(t *testing.T) {
	e := newExecEnv(t)
	cal := e.caps.Calendar.(backend.Poller)
	id := e.move(&backend.Move{Kind: backend.KindScheduleMeeting, Title: "Northwind demo", Subject: backend.Subject{Type: backend.SubjectDeal, ID: "301"},
		ContactID: "101", Draft: backend.Draft{To: []string{"dana@northwind.io"}, Subject: "Northwind demo", Duration: 30 * time.Minute}})
	e.execute(id)
	got, os := e.outcomes(id)
	if got != "meeting_booked" || os[0].SignalID != 0 || !strings.Contains(os[0].Note, "we booked") {
		t.Fatalf("after booking the outcomes are %q (%+v), want meeting_booked from the execution", got, os)
	}
	evs := e.cal.Events()
	if len(evs) != 1 {
		t.Fatalf("calendar holds %d events", len(evs))
	}
	e.syncs(cal) // the event we booked, upcoming: nothing new
	if got, _ := e.outcomes(id); got != "meeting_booked" {
		t.Fatalf("syncing our own event gave %q", got)
	}
	e.clock.Set(evs[0].End.Add(30 * time.Minute))
	e.syncs(cal)
	e.syncs(cal)
	if got, _ := e.outcomes(id); got != "meeting_booked,meeting_held" {
		t.Fatalf("after the meeting ended the outcomes are %q, want meeting_booked,meeting_held", got)
	}
	// Dana writes, in a thread of her own, that she missed it: a no-show
	// that corrects the meeting_held the calendar suggested.
	// The mailbox as the app syncs it: with the directory, so mail from a
	// known contact is a signal even outside our threads.
	mb, err := gmail.New(context.Background(), gmail.Config{HTTPClient: &http.Client{Transport: bearerRT{}}, BaseURL: e.mail.URL + "/", Address: execOwner,
		Clock: e.clock, Directory: e.app.dir})
	if err != nil {
		t.Fatal(err)
	}
	e.syncs(mb)
	e.clock.Advance(time.Hour)
	e.mail.Deliver(gmailtest.Message{From: "Dana <dana@northwind.io>", To: []string{execOwner}, Subject: "Re: Northwind demo",
		Body: "So sorry I missed our call today, something came up. Can we find another time?", Date: e.clock.Now()})
	e.syncs(mb)
	got, os = e.outcomes(id)
	if got != "meeting_booked,meeting_held,no_show" {
		t.Fatalf("after her note the outcomes are %q, want no_show added", got)
	}
	eff := backend.EffectiveOutcomes(os)
	for _, o := range eff {
		if o.Type == backend.OutcomeMeetingHeld {
			t.Errorf("meeting_held still counts after the no-show: %+v", eff)
		}
	}
}

func TestOutcomeDetect_CalendarDeclinedIsNoShow(t *testing.T) {
	e := newExecEnv(t)
	cal := e.caps.Calendar.(backend.Poller)
	id := e.move(&backend.Move{Kind: backend.KindScheduleMeeting, Title: "Northwind demo", Subject: backend.Subject{Type: backend.SubjectDeal, ID: "301"},
		ContactID: "101", Draft: backend.Draft{To: []string{"dana@northwind.io"}, Subject: "Northwind demo", Duration: 30 * time.Minute}})
	e.execute(id)
	ev := e.cal.Events()[0]
	e.cal.UpdateEvent(ev.ID, func(ev *gcaltest.Event) {
		for i := range ev.Attendees {
			if ev.Attendees[i].Email == "dana@northwind.io" {
				ev.Attendees[i].ResponseStatus = "declined"
			}
		}
	})
	e.clock.Set(ev.End.Add(time.Hour))
	e.syncs(cal)
	if got, _ := e.outcomes(id); got != "meeting_booked,no_show" {
		t.Fatalf("after a declined meeting ended the outcomes are %q, want meeting_booked,no_show", got)
	}
}

// An email of ours, then an event with the contact that we did not book:
// the email booked a meeting.
func TestOutcomeDetect_CalendarEventAfterEmail(t *testing.T) {
	e := newExecEnv(t)
	cal := e.caps.Calendar.(backend.Poller)
	e.syncs(cal)
	id := e.reply()
	e.execute(id)
	e.clock.Advance(time.Hour)
	e.cal.AddEvent(gcaltest.Event{Summary: "Northwind x PebbleCache", Start: e.clock.Now().Add(24 * time.Hour), End: e.clock.Now().Add(25 * time.Hour),
		Attendees: []gcaltest.Attendee{{Email: execOwner, ResponseStatus: "accepted"}, {Email: "dana@northwind.io", ResponseStatus: "accepted"}}})
	e.clock.Advance(time.Minute)
	e.syncs(cal)
	if got, _ := e.outcomes(id); got != "meeting_booked" {
		t.Fatalf("after Dana booked a call the email's outcomes are %q, want meeting_booked", got)
	}
	// The wait for an answer ended with the booking.
	e.clock.Advance(10 * 24 * time.Hour)
	if n, _ := e.app.queue.Outcomes.Sweep(context.Background()); n != 0 {
		t.Errorf("Sweep after a booking recorded %d no_response", n)
	}
}

func TestOutcomeDetect_XReplyToOurPost(t *testing.T) {
	e := newXExec(t)
	feed := e.caps.Social.(backend.Poller)
	e.clock.Set(time.Now().UTC())
	id := e.replyMove()
	e.execute(id)
	posted := e.srv.Posted()
	if len(posted) != 1 {
		t.Fatalf("X holds %d posts of ours", len(posted))
	}
	jess, _ := e.srv.UserByUsername("devjess")
	// Jess's own new post that is no answer to ours: nothing.
	e.srv.AddTweet(xtest.Tweet{AuthorID: jess.ID, Text: "@pebblecache also, caching docs are great", CreatedAt: e.clock.Now().Add(time.Minute)})
	e.srv.AddTweet(xtest.Tweet{AuthorID: jess.ID, Text: "@pebblecache glad to help!", InReplyToID: posted[0].ID, CreatedAt: e.clock.Now().Add(2 * time.Minute)})
	e.clock.Advance(5 * time.Minute)
	e.syncs(feed)
	e.syncs(feed)
	got, os := e.outcomes(id)
	if got != "mention_engaged" || !strings.Contains(os[0].Note, "@devjess replied to our post") {
		t.Fatalf("after a reply to our post the outcomes are %q (%+v), want mention_engaged", got, os)
	}
}

func TestOutcomeDetect_ExecutionPath(t *testing.T) {
	t.Run("Merged", func(t *testing.T) {
		e := newExecEnv(t)
		id := e.move(&backend.Move{Kind: backend.KindMergeContacts, Subject: backend.Subject{Type: backend.SubjectContact, ID: "101"},
			Draft: backend.Draft{MergeIDs: []string{"101", "102"}}})
		e.execute(id)
		if got, _ := e.outcomes(id); got != "merged" {
			t.Fatalf("outcomes = %q, want merged", got)
		}
	})
	t.Run("UndoneByRollback", func(t *testing.T) {
		e := newExecEnv(t)
		id := e.move(&backend.Move{Kind: backend.KindCreateTask, Title: "Call back", Subject: backend.Subject{Type: backend.SubjectContact, ID: "101"}, ContactID: "101",
			Draft: backend.Draft{TaskTitle: "Call back", TaskDue: execNow.Add(24 * time.Hour)}})
		e.execute(id)
		if _, err := e.app.bound.Execution.Rollback(id, "key"); err != nil {
			t.Fatal(err)
		}
		if got, os := e.outcomes(id); got != "undone" || !strings.Contains(os[0].Note, "rolled back") {
			t.Fatalf("outcomes = %q, want undone", got)
		}
	})
	t.Run("UndoneByCancel", func(t *testing.T) {
		e := newExecEnv(t)
		id := e.reply()
		p, _ := e.app.bound.Execution.PreviewExecution(id)
		if _, err := e.app.bound.Execution.ExecuteMove(id, ExecuteRequestDTO{PreviewHash: p.Hash, Via: "key"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.app.bound.Execution.CancelExecution(id, "key"); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.outcomes(id); got != "undone" {
			t.Fatalf("outcomes = %q, want undone", got)
		}
	})
	t.Run("Error", func(t *testing.T) {
		e := newExecEnv(t)
		id := e.reply()
		e.mail.Inject(gmailtest.Fault{Method: "users.messages.send", Status: 400, Reason: "invalidArgument"})
		e.execute(id)
		if got, os := e.outcomes(id); got != "error" || os[0].Note == "" {
			t.Fatalf("outcomes = %q (%+v), want error with the reason", got, os)
		}
	})
}

func TestOutcomeDetect_HubSpotTaskCompleted(t *testing.T) {
	e := newExecEnv(t)
	crm := e.caps.CRM.(backend.Poller)
	e.syncs(crm) // the first pass: later passes search for what changed
	id := e.move(&backend.Move{Kind: backend.KindCreateTask, Title: "Send the security review", Subject: backend.Subject{Type: backend.SubjectDeal, ID: "301"},
		ContactID: "101", Draft: backend.Draft{TaskTitle: "Send the security review", Body: "SOC 2 report", TaskDue: execNow.Add(24 * time.Hour)}})
	e.execute(id)
	tasks := e.hs.Objects("tasks")
	if len(tasks) != 1 {
		t.Fatalf("HubSpot holds %d tasks", len(tasks))
	}
	e.clock.Advance(time.Minute)
	e.syncs(crm)
	if got, _ := e.outcomes(id); got != "" {
		t.Fatalf("an open task gave %q", got)
	}
	e.clock.Advance(3 * time.Hour)
	if err := e.hs.SetProps("tasks", tasks[0].ID, map[string]string{"hs_task_status": "COMPLETED"}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	before := e.cursor(crm.Account())
	rep := e.syncs(crm)
	got, os := e.outcomes(id)
	if got != "task_completed" || !strings.Contains(os[0].Note, "Send the security review") || !strings.Contains(os[0].Note, "3 h after") {
		t.Fatalf("after the task was completed the outcomes are %q (%+v, ingest %+v), want task_completed", got, os, rep)
	}
	e.resync(crm, before)
	if got, _ := e.outcomes(id); got != "task_completed" {
		t.Errorf("after a re-sync the outcomes are %q", got)
	}
}
