package hubspot

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/hubspot/hubspottest"
)

func TestVerifySignatureV3(t *testing.T) {
	body := []byte(`[{"eventId":1}]`)
	now := time.UnixMilli(1_700_000_000_000)
	ts := "1700000000000"
	uri := "https://example.test/webhooks/hubspot?x=1"
	good := hubspottest.SignV3("s3cret", "POST", uri, body, ts)
	tests := []struct {
		name            string
		secret, uri, ts string
		sig             string
		body            []byte
		now             time.Time
		code            string
	}{
		{"OK", "s3cret", uri, ts, good, body, now, ""},
		{"OKFourMinutesLate", "s3cret", uri, ts, good, body, now.Add(4 * time.Minute), ""},
		{"ErrWrongSecret", "other", uri, ts, good, body, now, backend.EUNAUTHORIZED},
		{"ErrTamperedBody", "s3cret", uri, ts, good, []byte(`[{"eventId":2}]`), now, backend.EUNAUTHORIZED},
		{"ErrOtherURI", "s3cret", "https://example.test/other", ts, good, body, now, backend.EUNAUTHORIZED},
		{"ErrStale", "s3cret", uri, ts, good, body, now.Add(5*time.Minute + time.Millisecond), backend.EUNAUTHORIZED},
		{"ErrFuture", "s3cret", uri, ts, good, body, now.Add(-6 * time.Minute), backend.EUNAUTHORIZED},
		{"ErrUnsigned", "s3cret", uri, ts, "", body, now, backend.EUNAUTHORIZED},
		{"ErrNoTimestamp", "s3cret", uri, "", good, body, now, backend.EUNAUTHORIZED},
		{"ErrNoSecret", "", uri, ts, good, body, now, backend.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifySignatureV3(tt.secret, "POST", tt.uri, tt.body, tt.ts, tt.sig, tt.now)
			if backend.ErrorCode(err) != tt.code {
				t.Fatalf("VerifySignatureV3 = %v, want code %q", err, tt.code)
			}
		})
	}
}

func TestParseWebhook(t *testing.T) {
	body := []byte(`[
	 {"eventId":1,"subscriptionId":9,"portalId":1,"appId":2,"occurredAt":1700000000000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM"},
	 {"eventId":2,"subscriptionId":9,"portalId":1,"appId":2,"occurredAt":1700000001000,"subscriptionType":"deal.propertyChange","attemptNumber":0,"objectId":456,"propertyName":"dealstage","propertyValue":"closedwon","changeSource":"CRM"},
	 {"eventId":3,"occurredAt":1700000002000,"subscriptionType":"deal.propertyChange","objectId":456,"propertyName":"amount","propertyValue":"5"},
	 {"eventId":4,"occurredAt":1700000003000,"subscriptionType":"contact.merge","objectId":789}
	]`)
	sigs, rejected, err := ParseWebhook(body, time.UnixMilli(1700000005000))
	if err != nil || len(rejected) != 0 {
		t.Fatal(err, rejected)
	}
	if len(sigs) != 2 {
		t.Fatalf("signals = %d, want 2 (amount changes and merges are not signals)", len(sigs))
	}
	if s := sigs[0]; s.Type != SignalContactCreated || s.ContactID != "123" || s.DedupeKey != "hubspot:contact.created:123" {
		t.Fatalf("contact signal = %+v", s)
	}
	if s := sigs[1]; s.Type != backend.SignalDealStageChanged || s.Deal.Stage != "closedwon" ||
		s.DedupeKey != "hubspot:deal.stage_changed:456:1700000001000:closedwon" || !s.OccurredAt.Equal(time.UnixMilli(1700000001000)) {
		t.Fatalf("deal signal = %+v", s)
	}
	for _, bad := range []string{`{}`, `nope`, `[1,2`} {
		if _, _, err := ParseWebhook([]byte(bad), t0); backend.ErrorCode(err) != backend.EINVALID {
			t.Errorf("ParseWebhook(%s) code = %s, want invalid", bad, backend.ErrorCode(err))
		}
	}
}

// TestParseWebhook_BadEvents: a bad event is rejected on its own, with its
// reason; the batch's other events still become signals.
func TestParseWebhook_BadEvents(t *testing.T) {
	now := time.UnixMilli(1700000005000)
	y9999 := time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC).UnixMilli()
	body := []byte(`[
	 {"eventId":1,"occurredAt":1700000000000,"subscriptionType":"contact.creation","objectId":123},
	 {"eventId":2,"occurredAt":` + strconv.FormatInt(y9999, 10) + `,"subscriptionType":"deal.propertyChange","objectId":456,"propertyName":"dealstage","propertyValue":"closedwon"},
	 {"eventId":3,"subscriptionType":"contact.creation"},
	 {"eventId":4,"occurredAt":1700000001000,"subscriptionType":"deal.propertyChange","objectId":"45\u00006","propertyName":"dealstage","propertyValue":"closedwon"},
	 {"eventId":5,"occurredAt":1800000000000,"subscriptionType":"contact.creation","objectId":124},
	 {"eventId":6,"occurredAt":1700000002000,"subscriptionType":"deal.propertyChange","objectId":457,"propertyName":"dealstage","propertyValue":"closed\u0000won"}
	]`)
	sigs, rejected, err := ParseWebhook(body, now)
	if err != nil {
		t.Fatalf("ParseWebhook = %v, want the good events and the bad ones rejected", err)
	}
	if len(sigs) != 1 || sigs[0].ContactID != "123" {
		t.Errorf("signals = %+v, want contact 123", sigs)
	}
	// A stage holding a NUL is refused, not cleaned: it is part of the
	// dedupe key.
	want := map[int64]string{2: "out of range", 3: "no objectId or occurredAt", 4: "control character", 5: "more than 24h after now",
		6: "dedupe_key contains a control character"}
	if len(rejected) != len(want) {
		t.Errorf("rejected = %+v, want events 2 to 6", rejected)
	}
	for _, r := range rejected {
		if msg, ok := want[r.EventID]; !ok || !strings.Contains(r.Message, msg) || r.Code != backend.EINVALID {
			t.Errorf("rejected event %d: %s %q, want %q", r.EventID, r.Code, r.Message, msg)
		}
	}
}

func TestWebhookHandler(t *testing.T) {
	clock := backend.NewManualClock(t0)
	fake := hubspottest.New(hubspottest.Options{Clock: clock})
	var mu sync.Mutex
	var got []*backend.Signal
	secret, secretErr := fake.ClientSecret(), error(nil)
	h := WebhookHandler(func() (string, error) { mu.Lock(); defer mu.Unlock(); return secret, secretErr }, clock.Now, func(_ context.Context, s []*backend.Signal) error {
		mu.Lock()
		got = append(got, s...)
		mu.Unlock()
		return nil
	})
	recv := httptest.NewServer(h)
	defer recv.Close()
	target := recv.URL + "/webhooks/hubspot"
	ctx := context.Background()
	events := []hubspottest.WebhookEvent{{SubscriptionType: "deal.propertyChange", ObjectID: 9001, PropertyName: "dealstage", PropertyValue: "closedwon"}}

	t.Run("OK", func(t *testing.T) {
		st, err := fake.SendWebhook(ctx, recv.Client(), target, events)
		if err != nil || st != http.StatusNoContent {
			t.Fatalf("status = %d %v, want 204", st, err)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(got) != 1 || got[0].DealID != "9001" || got[0].Deal.Stage != "closedwon" {
			t.Fatalf("sink got %+v", got)
		}
	})
	body := []byte(`[{"eventId":7,"occurredAt":1,"subscriptionType":"contact.creation","objectId":1}]`)
	send := func(req *http.Request) int {
		resp, err := recv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	t.Run("ErrReplay", func(t *testing.T) {
		req1, _ := hubspottest.SignedWebhookRequest(ctx, fake.ClientSecret(), target, body, clock.Now())
		req2, _ := hubspottest.SignedWebhookRequest(ctx, fake.ClientSecret(), target, body, clock.Now())
		if st := send(req1); st != http.StatusNoContent {
			t.Fatalf("first = %d, want 204", st)
		}
		if st := send(req2); st != http.StatusConflict {
			t.Fatalf("replay = %d, want 409", st)
		}
	})
	t.Run("ErrWrongSignature", func(t *testing.T) {
		req, _ := hubspottest.SignedWebhookRequest(ctx, "not-the-secret", target, body, clock.Now())
		if st := send(req); st != http.StatusUnauthorized {
			t.Fatalf("status = %d, want 401", st)
		}
	})
	t.Run("ErrStale", func(t *testing.T) {
		req, _ := hubspottest.SignedWebhookRequest(ctx, fake.ClientSecret(), target, body, clock.Now().Add(-6*time.Minute))
		if st := send(req); st != http.StatusUnauthorized {
			t.Fatalf("status = %d, want 401", st)
		}
	})
	t.Run("ErrUnsigned", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, target, nil)
		if st := send(req); st != http.StatusUnauthorized {
			t.Fatalf("status = %d, want 401", st)
		}
	})
	t.Run("OneBadEvent", func(t *testing.T) {
		mu.Lock()
		got = nil
		mu.Unlock()
		y9999 := time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC).UnixMilli()
		batch := []hubspottest.WebhookEvent{
			{EventID: 11, SubscriptionType: "deal.propertyChange", ObjectID: 9002, PropertyName: "dealstage", PropertyValue: "closedwon", OccurredAt: clock.Now().UnixMilli()},
			{EventID: 12, SubscriptionType: "deal.propertyChange", ObjectID: 9003, PropertyName: "dealstage", PropertyValue: "closedwon", OccurredAt: y9999},
			{EventID: 13, SubscriptionType: "contact.creation", ObjectID: 77, OccurredAt: clock.Now().UnixMilli()},
		}
		raw, _ := json.Marshal(batch)
		req, _ := hubspottest.SignedWebhookRequest(ctx, fake.ClientSecret(), target, raw, clock.Now())
		resp, err := recv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var res struct {
			Accepted int                `json:"accepted"`
			Rejected []WebhookRejection `json:"rejected"`
		}
		// 2xx: HubSpot retries anything else, and a retry would be refused
		// the same way while the good events are stored already.
		if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&res) != nil {
			t.Fatalf("status = %d, want 200 with a report", resp.StatusCode)
		}
		if res.Accepted != 2 || len(res.Rejected) != 1 || res.Rejected[0].Index != 1 || res.Rejected[0].EventID != 12 || !strings.Contains(res.Rejected[0].Message, "out of range") {
			t.Errorf("report = %+v, want 2 accepted and event 1 rejected as out of range", res)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(got) != 2 || got[0].DealID != "9002" || got[1].ContactID != "77" {
			t.Errorf("sink got %+v, want deal 9002 and contact 77", got)
		}
	})
	t.Run("ErrMethod", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, target, nil)
		if st := send(req); st != http.StatusMethodNotAllowed {
			t.Fatalf("status = %d, want 405", st)
		}
	})
	t.Run("Rotated", func(t *testing.T) {
		// The secret is read per request: the old one fails at once.
		mu.Lock()
		secret = "rotated-secret-0123456789"
		mu.Unlock()
		old, _ := hubspottest.SignedWebhookRequest(ctx, fake.ClientSecret(), target, []byte(`[{"eventId":8,"occurredAt":1,"subscriptionType":"contact.creation","objectId":2}]`), clock.Now())
		if st := send(old); st != http.StatusUnauthorized {
			t.Errorf("old secret = %d, want 401", st)
		}
		req, _ := hubspottest.SignedWebhookRequest(ctx, "rotated-secret-0123456789", target, []byte(`[{"eventId":9,"occurredAt":1,"subscriptionType":"contact.creation","objectId":3}]`), clock.Now())
		if st := send(req); st != http.StatusNoContent {
			t.Errorf("new secret = %d, want 204", st)
		}
	})
	t.Run("ErrNoSecret", func(t *testing.T) {
		for _, e := range []error{backend.Errorf(backend.ENOTFOUND, "none"), backend.Errorf(backend.EUNAVAILABLE, "the keychain is locked")} {
			mu.Lock()
			secret, secretErr = "", e
			mu.Unlock()
			req, _ := hubspottest.SignedWebhookRequest(ctx, "rotated-secret-0123456789", target, []byte(`[{"eventId":10,"occurredAt":1,"subscriptionType":"contact.creation","objectId":4}]`), clock.Now())
			if st := send(req); st != http.StatusServiceUnavailable {
				t.Errorf("without a secret (%v) = %d, want 503", e, st)
			}
		}
	})
}
