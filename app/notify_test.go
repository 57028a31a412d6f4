//go:build !darwin

package app

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/gmail/gmailtest"
	"github.com/caseyos/caseyos/connectors/notify"
	"github.com/caseyos/caseyos/connectors/notify/notifytest"
)

// The desktop's notifications end to end: the App's events, the rule, the
// D-Bus client and a fake notification server on a private session bus,
// with the command line reaching the App over its loopback API.

type notifyEnv struct {
	*execEnv
	addr   string
	srv    *notifytest.Server
	stderr *lockedBuffer
	opened chan uint64
	stop   func()
	dir    string
	inst   *Instance
}

func newNotifyEnv(t *testing.T, caps ...string) *notifyEnv {
	t.Helper()
	e := &notifyEnv{execEnv: newExecEnv(t), addr: notifytest.StartBus(t), stderr: &lockedBuffer{}, opened: make(chan uint64, 4), dir: t.TempDir()}
	e.srv = notifytest.Start(t, e.addr, caps...)
	e.start()
	return e
}

// start runs notifications and the loopback API on the current App, as
// the desktop window does when it opens.
func (e *notifyEnv) start() {
	e.t.Helper()
	c, err := notify.DialAddress(e.addr, e.app.notifyOptions(e.stderr, func(id uint64) { e.opened <- id }))
	if err != nil {
		e.t.Fatal(err)
	}
	e.stop = e.app.runNotifications(c, c.Close, e.stderr)
	e.t.Cleanup(e.stop)
	stopAPI, err := e.app.startInstance(context.Background(), e.dir)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(stopAPI)
	info, err := ReadInstance(e.dir)
	if err != nil {
		e.t.Fatal(err)
	}
	e.inst = &Instance{base: info.URL, token: info.Token, client: &http.Client{}}
}

// restart closes the App as quitting does and opens a new one over the
// same file.
func (e *notifyEnv) restart() {
	e.t.Helper()
	e.stop()
	e.execEnv.restart()
	e.start()
}

// hotReply delivers a reply from Dana on the Northwind deal and syncs it
// in: a move due within the day, on top of the queue.
func (e *notifyEnv) hotReply(thread, subject, body string) {
	e.t.Helper()
	at := e.clock.Now().Add(-time.Hour)
	e.mail.Deliver(gmailtest.Message{ThreadID: thread, From: "Dana <dana@northwind.io>", To: []string{execOwner},
		Subject: subject, Body: body, MessageID: "<" + thread + "@northwind.io>", Date: at})
	_, err := e.app.queue.Ingest.Batch(context.Background(), []*backend.Signal{{
		Source: backend.SourceGmail, Type: backend.SignalEmailReplied, OccurredAt: at, DedupeKey: "gmail:" + thread,
		Contact: &backend.Contact{ID: "101", Email: "dana@northwind.io", Name: "Dana Whitfield", Title: "CEO"},
		Email: &backend.EmailMessage{ThreadID: thread, MessageID: "<" + thread + "@northwind.io>", From: "dana@northwind.io", FromName: "Dana Whitfield",
			To: []string{execOwner}, Subject: subject, Body: body, ReceivedAt: at},
	}})
	if err != nil {
		e.t.Fatal(err)
	}
}

// A demo request, and a question a reply answers.
const (
	demoAsk  = "Can we get a demo this week?"
	priceAsk = "What does it cost for 20 seats?"
)

func (e *notifyEnv) top() MoveDTO {
	e.t.Helper()
	today, err := e.app.bound.Today.Today("", 10)
	if err != nil || len(today.Moves) == 0 {
		e.t.Fatalf("Today = %+v, %v, want moves", today, err)
	}
	return today.Moves[0]
}

// killSwitchFromCLI turns the kill switch on as `caseyos kill-switch on`
// does while the app runs: over the loopback API, via cli.
func (e *notifyEnv) killSwitchFromCLI(reason string) {
	e.t.Helper()
	if _, err := Forward[KillSwitchDTO](e.inst, killSwitchMethod, "on", reason, "cli"); err != nil {
		e.t.Fatal(err)
	}
	if _, err := Forward[KillSwitchDTO](e.inst, killSwitchMethod, "off", "", "cli"); err != nil {
		e.t.Fatal(err)
	}
}

// settle waits until the rule has handled everything so far: it turns the
// kill switch on from the CLI and waits for that notification, which
// comes after whatever the earlier events caused. It returns the calls
// before it.
func (e *notifyEnv) settle(reason string) []notifytest.Call {
	e.t.Helper()
	time.Sleep(200 * time.Millisecond) // let a burst of queue changes reach the rule
	e.killSwitchFromCLI(reason)
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		calls := e.srv.Calls()
		for i, c := range calls {
			if c.Summary == "Kill switch on" && strings.Contains(c.Body, reason) {
				var before []notifytest.Call
				for _, b := range calls[:i] {
					if b.Summary != "Kill switch on" {
						before = append(before, b)
					}
				}
				return before
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	e.t.Fatalf("the kill switch's notification (%s) never came; calls %+v", reason, e.srv.Calls())
	return nil
}

func summaries(calls []notifytest.Call) []string {
	var out []string
	for _, c := range calls {
		out = append(out, c.Summary)
	}
	return out
}

func TestNotifications_HotMoveOnce(t *testing.T) {
	e := newNotifyEnv(t, "actions", "body")
	e.hotReply("thr-demo", "Demo this week?", demoAsk)
	top := e.top()
	calls := e.srv.WaitCalls(1, 5*time.Second)
	if len(calls) != 1 || calls[0].Summary != top.Title || calls[0].AppName != "CaseyOS" {
		t.Fatalf("server got %v, want one notification titled %q", summaries(calls), top.Title)
	}
	if !strings.Contains(calls[0].Body, "APS") || strings.Contains(calls[0].Body, "{") {
		t.Errorf("body = %q, want the APS reason, rendered", calls[0].Body)
	}
	// A re-sync of the same reply, a re-rank (settings saved re-score
	// every move), and a restart of the app: never again.
	e.hotReply("thr-demo", "Demo this week?", demoAsk)
	st, err := e.app.bound.Settings.Settings()
	if err != nil {
		t.Fatal(err)
	}
	st.Weights.Urgency, st.Weights.Revenue = 0.3, 0.35
	if _, err := e.app.bound.Settings.SaveSettings(st); err != nil {
		t.Fatal(err)
	}
	e.restart()
	if before := e.settle("after restart"); len(before) != 1 {
		t.Errorf("notifications = %v, want the one for %q only", summaries(before), top.Title)
	}
}

func TestNotifications_Suppressed(t *testing.T) {
	tests := []struct {
		name string
		set  func(*NotificationsDTO, time.Time)
	}{
		{"QuietHours", func(n *NotificationsDTO, now time.Time) {
			now = now.Local()
			at := now.Hour()*60 + now.Minute()
			n.QuietOn, n.QuietStart, n.QuietEnd = true, (at+24*60-60)%(24*60), (at+60)%(24*60)
		}},
		{"KindOff", func(n *NotificationsDTO, _ time.Time) { n.HotMove = false }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newNotifyEnv(t, "actions", "body")
			st, err := e.app.bound.Settings.Settings()
			if err != nil {
				t.Fatal(err)
			}
			if n := st.Notifications; n == nil || !n.HotMove || !n.ExecutionFailed || !n.OutboxDrained || !n.KillSwitch || n.QuietOn {
				t.Fatalf("default notifications = %+v, want every kind on, no quiet hours", n)
			}
			tt.set(st.Notifications, e.clock.Now())
			if _, err := e.app.bound.Settings.SaveSettings(st); err != nil {
				t.Fatal(err)
			}
			e.hotReply("thr-demo", "Demo this week?", demoAsk)
			if tt.name == "QuietHours" {
				// Quiet hours hold back the kill switch too: no sentinel.
				time.Sleep(500 * time.Millisecond)
				if calls := e.srv.Calls(); len(calls) != 0 {
					t.Errorf("in quiet hours: server got %v, want nothing", summaries(calls))
				}
			} else if before := e.settle("sentinel"); len(before) != 0 {
				t.Errorf("with %s: server got %v, want nothing", tt.name, summaries(before))
			}
			if tt.name == "QuietHours" {
				// The quiet hours end: what they held back is not replayed.
				st.Notifications.QuietOn = false
				if _, err := e.app.bound.Settings.SaveSettings(st); err != nil {
					t.Fatal(err)
				}
				if before := e.settle("after the quiet hours"); len(before) != 0 {
					t.Errorf("after the quiet hours: server got %v, want nothing replayed", summaries(before))
				}
			}
		})
	}
}

func TestNotifications_Actions(t *testing.T) {
	e := newNotifyEnv(t, "actions", "body")
	e.hotReply("thr-demo", "Demo this week?", demoAsk)
	e.hotReply("thr-price", "Pricing", priceAsk)
	calls := e.srv.WaitCalls(2, 5*time.Second)
	if len(calls) != 2 {
		t.Fatalf("server got %v, want two", summaries(calls))
	}
	today, err := e.app.bound.Today.Today("", 10)
	if err != nil {
		t.Fatal(err)
	}
	byTitle := map[string]uint64{}
	for _, m := range today.Moves {
		byTitle[m.Title] = m.ID
	}
	for _, c := range calls {
		if a := strings.Join(c.Actions, "|"); !strings.Contains(a, "open|Open") || !strings.Contains(a, "snooze-1h|Snooze 1h") {
			t.Fatalf("actions = %q, want Open and Snooze 1h", a)
		}
	}
	t.Run("Open", func(t *testing.T) {
		if err := e.srv.Invoke(calls[0].ID, notify.ActionOpen); err != nil {
			t.Fatal(err)
		}
		select {
		case id := <-e.opened:
			if want := byTitle[calls[0].Summary]; id != want || id == 0 {
				t.Errorf("openMove(%d), want %d (%q)", id, want, calls[0].Summary)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Open did not open the window on the move")
		}
	})
	t.Run("Snooze1h", func(t *testing.T) {
		id := byTitle[calls[1].Summary]
		if err := e.srv.Invoke(calls[1].ID, notify.ActionSnooze); err != nil {
			t.Fatal(err)
		}
		var m MoveDTO
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			// As `caseyos show <id>` reads it, over the loopback API.
			var err error
			if m, err = Forward[MoveDTO](e.inst, "TodayService.Move", id); err != nil {
				t.Fatal(err)
			}
			if m.Status == "snoozed" {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if m.Status != "snoozed" || m.SnoozedUntil == nil || !m.SnoozedUntil.Equal(e.clock.Now().Add(time.Hour)) {
			t.Errorf("after Snooze 1h the move is %s until %v, want snoozed until %v; stderr %q", m.Status, m.SnoozedUntil, e.clock.Now().Add(time.Hour), e.stderr)
		}
	})
}

func TestNotifications_ExecutionFailed(t *testing.T) {
	e := newNotifyEnv(t, "actions", "body")
	e.hotReply("thr-price", "Pricing", priceAsk)
	top := e.top()
	if top.Kind != "send_email" {
		t.Fatalf("top move = %+v, want a reply to send", top)
	}
	e.srv.WaitCalls(1, 5*time.Second)
	e.mail.Inject(gmailtest.Fault{Method: "users.messages.send", Status: 400, Reason: "invalidArgument"})
	p, err := e.app.bound.Execution.PreviewExecution(top.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.bound.Execution.ExecuteMove(top.ID, ExecuteRequestDTO{PreviewHash: p.Hash, Via: "key", AllowTemplate: true}); err != nil {
		t.Fatal(err)
	}
	e.pass()
	calls := e.srv.WaitCalls(2, 5*time.Second)
	if len(calls) != 2 || calls[1].Summary != "Failed: "+top.Title || calls[1].Body == "" {
		t.Fatalf("server got %v, want the hot move then %q with why", summaries(calls), "Failed: "+top.Title)
	}
}

func TestNotifications_KillSwitch(t *testing.T) {
	e := newNotifyEnv(t, "actions", "body")
	t.Run("FromThisWindow", func(t *testing.T) {
		// The window's own switch (a bound call, not over the API) and the
		// tray's: the person who did it knows.
		if _, err := e.app.bound.Execution.KillSwitch("on", "from the window", "click"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.app.bound.Execution.KillSwitch("off", "", "click"); err != nil {
			t.Fatal(err)
		}
		if before := e.settle("from the cli"); len(before) != 0 {
			t.Errorf("the window's own kill switch notified: %v", summaries(before))
		}
	})
	t.Run("FromCLI", func(t *testing.T) {
		// `caseyos kill-switch on` while the app runs: over the loopback API.
		n := len(e.srv.Calls())
		if _, err := Forward[KillSwitchDTO](e.inst, killSwitchMethod, "on", "stop everything", "cli"); err != nil {
			t.Fatal(err)
		}
		calls := e.srv.WaitCalls(n+1, 5*time.Second)
		if len(calls) != n+1 || calls[n].Summary != "Kill switch on" || !strings.Contains(calls[n].Body, "the command line: stop everything") {
			t.Fatalf("server got %v, want the kill switch from the command line", summaries(calls))
		}
		// On again: it already is, no news.
		if _, err := Forward[KillSwitchDTO](e.inst, killSwitchMethod, "on", "again", "cli"); err != nil {
			t.Fatal(err)
		}
		if _, err := Forward[KillSwitchDTO](e.inst, killSwitchMethod, "off", "", "cli"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
		if got := len(e.srv.Calls()); got != n+1 {
			t.Errorf("on again and off: %d notifications, want %d", got, n+1)
		}
	})
	t.Run("FromBrowser", func(t *testing.T) {
		n := len(e.srv.Calls())
		if _, err := Forward[KillSwitchDTO](e.inst, killSwitchMethod, "on", "from a browser", "click"); err != nil {
			t.Fatal(err)
		}
		calls := e.srv.WaitCalls(n+1, 5*time.Second)
		if len(calls) != n+1 || !strings.Contains(calls[n].Body, "from a browser") {
			t.Errorf("server got %v, want the browser's kill switch", summaries(calls))
		}
	})
}

func TestNotifications_NoServer(t *testing.T) {
	e := newNotifyEnv(t, "actions")
	e.srv.Stop()
	e.hotReply("thr-a", "Demo this week?", demoAsk)
	e.hotReply("thr-b", "Pricing", priceAsk)
	if _, err := e.app.bound.Execution.KillSwitch("on", "", "cli"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && e.stderr.String() == "" {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	got := e.stderr.String()
	if want := "caseyos: notifications: no notification server answered on the session bus\n"; got != want {
		t.Errorf("stderr = %q, want exactly one line %q", got, want)
	}
	if _, err := e.app.bound.Notifications.SendTestNotification(); backend.ErrorCode(err) != backend.EUNAVAILABLE {
		t.Errorf("SendTestNotification with no server = %v, want unavailable", err)
	}
}

func TestNotifications_NoBus(t *testing.T) {
	a := newExecEnv(t).app
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/caseyos-test-bus")
	var stderr bytes.Buffer
	stop := a.startDesktopNotifications(&stderr, func(uint64) {})
	stop()
	if got := stderr.String(); strings.Count(got, "\n") != 1 || !strings.HasPrefix(got, "caseyos: no desktop notifications: ") {
		t.Errorf("stderr = %q, want one line saying there are no desktop notifications", got)
	}
	if _, err := a.bound.Notifications.SendTestNotification(); backend.ErrorCode(err) != backend.EUNAVAILABLE {
		t.Errorf("SendTestNotification without notifications = %v, want unavailable", err)
	}
}

func TestNotifications_TestButton(t *testing.T) {
	e := newNotifyEnv(t, "body")
	msg, err := e.app.bound.Notifications.SendTestNotification()
	if err != nil || msg == "" {
		t.Fatalf("SendTestNotification = %q, %v", msg, err)
	}
	if calls := e.srv.Calls(); len(calls) != 1 || calls[0].Summary != "CaseyOS test notification" || len(calls[0].Actions) != 0 {
		t.Errorf("server got %+v, want the test notification, without actions (the server has none)", calls)
	}
}
