package app

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/hubspot"
)

func TestTrayView_OfflineReason(t *testing.T) {
	gmail := ConnectionDTO{Account: "gmail", Label: "Gmail", State: "connected"}
	down := func(c ConnectionDTO) ConnectionDTO { c.State = "offline"; return c }
	hubspot := ConnectionDTO{Account: "hubspot", Label: "HubSpot", State: "connected"}
	x := ConnectionDTO{Account: "x", Label: "X", State: "connected"}
	held := ExecutionStatusDTO{State: "queued", QueuedReason: "offline: Gmail cannot be reached right now"}
	window := ExecutionStatusDTO{State: "queued", QueuedReason: "send window: 09:00 in America/New_York"}
	for _, tt := range []struct {
		name   string
		conns  []ConnectionDTO
		outbox []ExecutionStatusDTO
		want   string
	}{
		{"AllWell", []ConnectionDTO{gmail, hubspot, {Account: "x", Label: "X", State: "not_connected"}}, nil, ""},
		// Credentials refused is not offline: the Connections view asks to reconnect.
		{"Reconnect", []ConnectionDTO{{Account: "gmail", Label: "Gmail", State: "reconnect"}}, nil, ""},
		{"OneDown", []ConnectionDTO{down(gmail), hubspot}, nil, "Gmail cannot be reached"},
		{"TwoDown", []ConnectionDTO{down(gmail), down(hubspot)}, nil, "Gmail and HubSpot cannot be reached"},
		{"ThreeDown", []ConnectionDTO{down(gmail), down(hubspot), down(x)}, nil, "Gmail, HubSpot and X cannot be reached"},
		{"OneHeld", []ConnectionDTO{gmail}, []ExecutionStatusDTO{held}, "1 action waits in the outbox"},
		{"TwoHeld", nil, []ExecutionStatusDTO{held, window, held}, "2 actions wait in the outbox"},
		// Waiting for the recipient's morning is not being offline.
		{"SendWindowOnly", []ConnectionDTO{gmail}, []ExecutionStatusDTO{window}, ""},
		{"Both", []ConnectionDTO{down(gmail)}, []ExecutionStatusDTO{held}, "Gmail cannot be reached; 1 action waits in the outbox"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := offlineReason(tt.conns, tt.outbox); got != tt.want {
				t.Errorf("offlineReason() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTrayView_StatusAndIcon(t *testing.T) {
	for _, tt := range []struct {
		name string
		v    trayView
		line string
		icon trayIconState
	}{
		{"AllWell", trayView{pending: 3}, "", trayIconState{Badge: "3"}},
		{"Nothing", trayView{}, "", trayIconState{}},
		{"Offline", trayView{pending: 12, offline: "Gmail cannot be reached"}, "Offline: Gmail cannot be reached", trayIconState{Badge: "9+", Offline: true}},
		{"Killed", trayView{pending: 1, killOn: true}, trayStatusKill, trayIconState{Badge: "1", Killed: true}},
		// The kill switch says more than offline: nothing leaves either way.
		{"KilledOffline", trayView{killOn: true, offline: "1 action waits in the outbox"}, trayStatusKill, trayIconState{Offline: true, Killed: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.v.statusLine(); got != tt.line {
				t.Errorf("statusLine() = %q, want %q", got, tt.line)
			}
			if got := tt.v.icon(); got != tt.icon {
				t.Errorf("icon() = %+v, want %+v", got, tt.icon)
			}
		})
	}
}

// An account that cannot be reached makes the tray offline, read through
// the App as the tray reads it; a pass that gets through makes it well.
func TestTrayView_AccountThatCannotBeReached(t *testing.T) {
	e := newExecEnv(t)
	var reach atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !reach.Load() {
			// What a dead proxy or a vendor outage looks like mid-sync.
			hj, _ := w.(http.Hijacker)
			conn, _, _ := hj.Hijack()
			conn.Close()
			return
		}
		httputil.NewSingleHostReverseProxy(mustURL(t, e.hs.URL())).ServeHTTP(w, r)
	}))
	defer srv.Close()
	a := New(Options{Store: e.db, Clock: e.clock, Executors: []backend.Executor{backend.LocalExecutor{}},
		Secrets: &memKeychain{m: map[string]string{"hubspot": e.hs.Token()}},
		Connectors: []Connector{{Account: "hubspot", Label: "HubSpot",
			Poller: func(secret string, l backend.RateLimiter, _ backend.Directory) (backend.Poller, error) {
				return hubspot.New(hubspot.Config{BaseURL: srv.URL, Clock: e.clock, Limiter: l, Credentials: hubspot.Credentials{Token: secret}, SearchLag: -1})
			}}}})
	if err := backend.MarkConnected(context.Background(), e.db, "hubspot"); err != nil {
		t.Fatal(err)
	}
	v, err := readTrayView(a)
	if err != nil || v.offline != "" {
		t.Fatalf("before a pass: offline = %q, %v; want online", v.offline, err)
	}
	_, _ = a.bound.Connections.SyncPass("hubspot")
	if v, err = readTrayView(a); err != nil || v.offline != "HubSpot cannot be reached" {
		t.Fatalf("after a pass that could not reach HubSpot: offline = %q, %v", v.offline, err)
	}
	if !v.icon().Offline || v.statusLine() != "Offline: HubSpot cannot be reached" {
		t.Errorf("icon %+v, line %q", v.icon(), v.statusLine())
	}
	reach.Store(true)
	if _, err := a.bound.Connections.SyncPass("hubspot"); err != nil {
		t.Fatal(err)
	}
	if v, err = readTrayView(a); err != nil || v.offline != "" {
		t.Errorf("after a pass that got through: offline = %q, %v", v.offline, err)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
