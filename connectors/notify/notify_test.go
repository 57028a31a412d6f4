//go:build !darwin

package notify_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/notify"
	"github.com/caseyos/caseyos/connectors/notify/notifytest"
)

type picked struct {
	mu             sync.Mutex
	opened, snoozd []uint64
	ch             chan struct{}
}

func newPicked() *picked { return &picked{ch: make(chan struct{}, 8)} }

func (p *picked) options() notify.Options {
	return notify.Options{AppName: "CaseyOS", Icon: "caseyos",
		Open:   func(id uint64) { p.mu.Lock(); p.opened = append(p.opened, id); p.mu.Unlock(); p.ch <- struct{}{} },
		Snooze: func(id uint64) { p.mu.Lock(); p.snoozd = append(p.snoozd, id); p.mu.Unlock(); p.ch <- struct{}{} },
	}
}

func (p *picked) wait(tb testing.TB) {
	tb.Helper()
	select {
	case <-p.ch:
	case <-time.After(5 * time.Second):
		tb.Fatal("no action reached the client within 5s")
	}
}

func dial(tb testing.TB, addr string, o notify.Options) *notify.Client {
	tb.Helper()
	c, err := notify.DialAddress(addr, o)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

var hot = backend.Notification{Kind: backend.NotifyHotMove, MoveID: 42, Title: "Reply to Maya Chen: Pricing",
	Body: "APS 81 · reply window closes in 23 hours · $48k <ARR> & more"}

func TestClient_Notify(t *testing.T) {
	addr := notifytest.StartBus(t)
	t.Run("WithActions", func(t *testing.T) {
		srv := notifytest.Start(t, addr, "actions", "body", "body-markup")
		defer srv.Stop()
		p := newPicked()
		c := dial(t, addr, p.options())
		ctx := context.Background()
		if err := c.Notify(ctx, hot); err != nil {
			t.Fatal(err)
		}
		calls := srv.Calls()
		if len(calls) != 1 {
			t.Fatalf("server got %d calls, want 1", len(calls))
		}
		got := calls[0]
		if got.AppName != "CaseyOS" || got.Icon != "caseyos" || got.Summary != hot.Title || got.Replaces != 0 {
			t.Errorf("Notify(%q, %d, %q, %q) = want CaseyOS, 0, caseyos, the move's title", got.AppName, got.Replaces, got.Icon, got.Summary)
		}
		if want := "APS 81 · reply window closes in 23 hours · $48k &lt;ARR&gt; &amp; more"; got.Body != want {
			t.Errorf("body = %q, want %q (escaped for a markup server)", got.Body, want)
		}
		if a := strings.Join(got.Actions, "|"); !strings.Contains(a, "open|Open") || !strings.Contains(a, "snooze-1h|Snooze 1h") {
			t.Errorf("actions = %q, want Open and Snooze 1h", a)
		}
		// The person picks "Open", then on a second one "Snooze 1h".
		if err := srv.Invoke(got.ID, notify.ActionOpen); err != nil {
			t.Fatal(err)
		}
		p.wait(t)
		second := hot
		second.MoveID = 43
		if err := c.Notify(ctx, second); err != nil {
			t.Fatal(err)
		}
		if err := srv.Invoke(srv.Calls()[1].ID, notify.ActionSnooze); err != nil {
			t.Fatal(err)
		}
		p.wait(t)
		p.mu.Lock()
		defer p.mu.Unlock()
		if len(p.opened) != 1 || p.opened[0] != 42 || len(p.snoozd) != 1 || p.snoozd[0] != 43 {
			t.Errorf("opened %v, snoozed %v, want [42] and [43]", p.opened, p.snoozd)
		}
		if n := srv.CapabilitiesAsked(); n != 1 {
			t.Errorf("GetCapabilities asked %d times, want once (kept)", n)
		}
	})
	t.Run("WithoutActions", func(t *testing.T) {
		srv := notifytest.Start(t, addr, "body")
		defer srv.Stop()
		c := dial(t, addr, newPicked().options())
		if err := c.Notify(context.Background(), hot); err != nil {
			t.Fatal(err)
		}
		if got := srv.Calls(); len(got) != 1 || len(got[0].Actions) != 0 || got[0].Body != hot.Body {
			t.Errorf("calls = %+v, want one with no actions and the body as it is (no markup)", got)
		}
	})
	t.Run("OthersNotificationsIgnored", func(t *testing.T) {
		srv := notifytest.Start(t, addr, "actions")
		defer srv.Stop()
		p := newPicked()
		dial(t, addr, p.options())
		if err := srv.Invoke(999, notify.ActionOpen); err != nil {
			t.Fatal(err)
		}
		select {
		case <-p.ch:
			t.Errorf("an action on a notification this client did not send reached it: %v", p.opened)
		case <-time.After(300 * time.Millisecond):
		}
	})
	t.Run("NoServer", func(t *testing.T) {
		c := dial(t, addr, newPicked().options())
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		start := time.Now()
		err := c.Notify(ctx, hot)
		if backend.ErrorCode(err) != backend.EUNAVAILABLE || !strings.Contains(backend.ErrorMessage(err), "no notification server") {
			t.Errorf("Notify with no server = %v, want unavailable saying there is no notification server", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Notify with no server took %v, want an answer at once", d)
		}
	})
	t.Run("ServerGoneLater", func(t *testing.T) {
		srv := notifytest.Start(t, addr, "actions")
		c := dial(t, addr, newPicked().options())
		if err := c.Notify(context.Background(), hot); err != nil {
			t.Fatal(err)
		}
		srv.Stop()
		if err := c.Notify(context.Background(), hot); backend.ErrorCode(err) != backend.EUNAVAILABLE {
			t.Errorf("Notify after the server left = %v, want unavailable", err)
		}
	})
}

func TestDial_NoBus(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/caseyos-bus")
	_, err := notify.Dial(notify.Options{})
	if backend.ErrorCode(err) != backend.EUNAVAILABLE || strings.Contains(backend.ErrorMessage(err), "\n") {
		t.Errorf("Dial with no session bus = %v, want one line, unavailable", err)
	}
}
