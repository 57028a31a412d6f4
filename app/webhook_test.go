package app

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/hubspot"
	"github.com/caseyos/caseyos/connectors/hubspot/hubspottest"
	"github.com/caseyos/caseyos/store"
)

const testWebhookSecret = "whsec-0123456789abcdef"

func newWebhookApp(tb testing.TB) *App {
	tb.Helper()
	st, err := store.Open(filepath.Join(tb.TempDir(), "caseyos.db"), store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return New(Options{Store: st, Clock: backend.SystemClock{}, Secrets: &memKeychain{m: map[string]string{WebhookSecretAccount: testWebhookSecret}}, Connectors: []Connector{{
		Account: "hubspot", Label: "HubSpot",
		Webhook: func(secret func() (string, error), now func() time.Time, sink func(context.Context, []*backend.Signal) error) http.Handler {
			return hubspot.WebhookHandler(secret, now, sink)
		},
	}}})
}

func (a *App) signalCount(tb testing.TB) int {
	tb.Helper()
	_, n, err := a.queue.Ingest.Signals(context.Background(), 0, 1)
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

func TestWebhooks_Form(t *testing.T) {
	a := newWebhookApp(t)
	stop, addr, err := a.listenWebhooks(context.Background(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	url := "http://" + addr + "/hooks/form"
	post := func(ctype, secret, body string) int {
		req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		if secret != "" {
			req.Header.Set(FormSecretHeader, secret)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	const js = `{"email":"sam@tinyshop.example","name":"Sam Lee","form":"Pricing","message":"How much for 10 seats?"}`
	tests := []struct {
		name, ctype, secret, body string
		want, signals             int
	}{
		{"Unsigned", "application/json", "", js, http.StatusUnauthorized, 0},
		{"WrongSecret", "application/json", "nope-nope-nope-nope", js, http.StatusUnauthorized, 0},
		{"OK", "application/json", testWebhookSecret, js, http.StatusAccepted, 1},
		{"Replayed", "application/json", testWebhookSecret, js, http.StatusConflict, 1},
		{"Urlencoded", "application/x-www-form-urlencoded", testWebhookSecret, "email=kim%40example.com&form=Demo&company=Kimco", http.StatusAccepted, 2},
		{"NoEmail", "application/json", testWebhookSecret, `{"form":"Pricing"}`, http.StatusBadRequest, 2},
		{"BadEmail", "application/json", testWebhookSecret, `{"email":"not an email"}`, http.StatusBadRequest, 2},
		{"NotJSON", "application/json", testWebhookSecret, `{"email":`, http.StatusBadRequest, 2},
		{"OtherType", "text/plain", testWebhookSecret, "email=a@b.c", http.StatusBadRequest, 2},
		// Text is cleaned; an address that is not UTF-8 is refused.
		{"HostileText", "application/x-www-form-urlencoded", testWebhookSecret, "email=lee%40example.com&name=Lee%00%FF&message=hi%1B%5B2J%0D%0Abye", http.StatusAccepted, 3},
		{"AddressNotUTF8", "application/x-www-form-urlencoded", testWebhookSecret, "email=l%FFe%40example.com", http.StatusBadRequest, 3},
		{"IDWithNUL", "application/json", testWebhookSecret, `{"email":"kai@example.com","id":"f\u00001"}`, http.StatusBadRequest, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := post(tt.ctype, tt.secret, tt.body); got != tt.want {
				t.Errorf("POST = %d, want %d", got, tt.want)
			}
			if n := a.signalCount(t); n != tt.signals {
				t.Errorf("%d signals stored, want %d", n, tt.signals)
			}
		})
	}
	sigs, _, err := a.queue.Ingest.Signals(context.Background(), 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sigs {
		if s.Contact != nil && s.Contact.Email == "lee@example.com" {
			if s.Contact.Name != "Lee\uFFFD" || s.Form.Fields["message"] != "hi[2J\nbye" {
				t.Errorf("hostile form stored as name %q, message %q; want them cleaned", s.Contact.Name, s.Form.Fields["message"])
			}
		}
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusAccepted {
		t.Error("GET accepted")
	}
}

func TestWebhooks_HubSpot(t *testing.T) {
	a := newWebhookApp(t)
	stop, addr, err := a.listenWebhooks(context.Background(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	url := "http://" + addr + "/hooks/hubspot"
	body := []byte(`[{"eventId":1,"subscriptionId":2,"portalId":1234567,"occurredAt":` +
		itoa64(time.Now().UnixMilli()) + `,"subscriptionType":"deal.propertyChange","objectId":9001,"propertyName":"dealstage","propertyValue":"closedwon","changeSource":"CRM"}]`)
	send := func(req *http.Request) int {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	// Unsigned.
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(string(body)))
	if got := send(req); got != http.StatusUnauthorized {
		t.Errorf("unsigned batch: %d, want 401", got)
	}
	// Signed with another secret.
	req, _ = hubspottest.SignedWebhookRequest(context.Background(), "another-secret", url, body, time.Now())
	if got := send(req); got != http.StatusUnauthorized {
		t.Errorf("wrongly signed batch: %d, want 401", got)
	}
	// Stale.
	req, _ = hubspottest.SignedWebhookRequest(context.Background(), testWebhookSecret, url, body, time.Now().Add(-10*time.Minute))
	if got := send(req); got != http.StatusUnauthorized {
		t.Errorf("stale batch: %d, want 401", got)
	}
	if n := a.signalCount(t); n != 0 {
		t.Fatalf("%d signals from refused batches", n)
	}
	at := time.Now()
	req, _ = hubspottest.SignedWebhookRequest(context.Background(), testWebhookSecret, url, body, at)
	if got := send(req); got != http.StatusNoContent {
		t.Fatalf("signed batch: %d, want 204", got)
	}
	if n := a.signalCount(t); n != 1 {
		t.Errorf("%d signals after a signed batch, want 1 at once", n)
	}
	req, _ = hubspottest.SignedWebhookRequest(context.Background(), testWebhookSecret, url, body, at)
	if got := send(req); got != http.StatusConflict {
		t.Errorf("replayed batch: %d, want 409", got)
	}
}

// TestWebhooks_HubSpotBadEvent is the regression test for a signed batch
// that one event in year 9999 turned into a 500 (HubSpot then retries the
// whole batch, in vain): the other events are stored and the batch is
// answered 2xx with the bad event reported.
func TestWebhooks_HubSpotBadEvent(t *testing.T) {
	a := newWebhookApp(t)
	stop, addr, err := a.listenWebhooks(context.Background(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	url := "http://" + addr + "/hooks/hubspot"
	now := itoa64(time.Now().UnixMilli())
	y9999 := itoa64(time.Date(9999, 12, 31, 23, 0, 0, 0, time.UTC).UnixMilli())
	body := []byte(`[` +
		`{"eventId":1,"occurredAt":` + now + `,"subscriptionType":"deal.propertyChange","objectId":9001,"propertyName":"dealstage","propertyValue":"closedwon"},` +
		`{"eventId":2,"occurredAt":` + y9999 + `,"subscriptionType":"deal.propertyChange","objectId":9002,"propertyName":"dealstage","propertyValue":"closedwon"},` +
		`{"eventId":3,"occurredAt":` + now + `,"subscriptionType":"contact.creation","objectId":501}]`)
	req, _ := hubspottest.SignedWebhookRequest(context.Background(), testWebhookSecret, url, body, time.Now())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 2 || !strings.Contains(string(msg), `"eventId":2`) || !strings.Contains(string(msg), "out of range") {
		t.Errorf("batch with a year-9999 event: %d %s; want 2xx naming event 2 as out of range", resp.StatusCode, msg)
	}
	if n := a.signalCount(t); n != 2 {
		t.Errorf("%d signals stored, want the 2 good events", n)
	}
}

func TestWebhooks_LoopbackOnly(t *testing.T) {
	a := newWebhookApp(t)
	if _, _, err := a.listenWebhooks(context.Background(), "0.0.0.0:0"); backend.ErrorCode(err) != backend.EINVALID {
		t.Errorf("listen on 0.0.0.0 = %v, want invalid", err)
	}
	h := a.webhookHandler()
	req := httptest.NewRequest(http.MethodPost, "/hooks/form", strings.NewReader(`{"email":"a@b.example"}`))
	req.RemoteAddr = "203.0.113.9:40000"
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(FormSecretHeader, testWebhookSecret)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusForbidden || a.signalCount(t) != 0 {
		t.Errorf("post from a non-loopback address: %d, want 403 and nothing stored", w.Code)
	}
}

func TestWebhooks_OffWithoutKeychain(t *testing.T) {
	a := newWebhookApp(t)
	a.secrets = nil
	a.webhookAddr = "127.0.0.1:0"
	a.startWebhooks() // no keychain: stays off, no goroutine
	a.cancel()
	a.wg.Wait()
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// countingKeychain counts keychain reads.
type countingKeychain struct {
	memKeychain
	gets int
}

func (k *countingKeychain) Get(a string) (string, error) {
	k.mu.Lock()
	k.gets++
	k.mu.Unlock()
	return k.memKeychain.Get(a)
}

func TestWebhooks_SecretCache(t *testing.T) {
	a := newWebhookApp(t)
	clock := backend.NewManualClock(time.Now())
	k := &countingKeychain{memKeychain: memKeychain{m: map[string]string{WebhookSecretAccount: testWebhookSecret}}}
	a.clock, a.secrets = clock, k
	read := func(times int) (string, error) {
		var s string
		var err error
		for i := 0; i < times; i++ {
			s, err = a.webhookSecret()
		}
		return s, err
	}
	if s, err := read(100); s != testWebhookSecret || err != nil || k.gets != 1 {
		t.Errorf("100 requests: %q %v after %d keychain reads, want the secret after 1", s, err, k.gets)
	}
	// Another process rotates it: seen once the cache expires.
	k.Set(WebhookSecretAccount, "rotated-elsewhere-0123456789")
	clock.Advance(WebhookSecretTTL - time.Millisecond)
	if s, _ := read(1); s != testWebhookSecret {
		t.Errorf("within the TTL: %q, want the cached secret", s)
	}
	clock.Advance(time.Millisecond)
	if s, _ := read(10); s != "rotated-elsewhere-0123456789" || k.gets != 2 {
		t.Errorf("after the TTL: %q after %d reads, want the rotated secret after 2", s, k.gets)
	}
	// The App's own change counts at once.
	if _, err := a.bound.Connections.ConnectWebhook("short"); backend.ErrorCode(err) != backend.EINVALID {
		t.Errorf("ConnectWebhook(short) = %v, want invalid", err)
	}
	if _, err := a.bound.Connections.ConnectWebhook("rotated-here-0123456789"); err != nil {
		t.Fatal(err)
	}
	if s, _ := read(10); s != "rotated-here-0123456789" || k.gets != 3 {
		t.Errorf("after ConnectWebhook: %q after %d reads, want the new secret after 3", s, k.gets)
	}
	if _, err := a.bound.Connections.DisconnectWebhook(); err != nil {
		t.Fatal(err)
	}
	// A missing secret is cached too: a flood of refused requests does not
	// hammer the keychain.
	if _, err := read(100); backend.ErrorCode(err) != backend.ENOTFOUND || k.gets != 4 {
		t.Errorf("after DisconnectWebhook: %v after %d reads, want not_found after 4", err, k.gets)
	}
}
