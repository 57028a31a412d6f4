package hubspot

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// SignatureWindow is how old a webhook's timestamp may be (HubSpot: 5 minutes).
const SignatureWindow = 5 * time.Minute

// uriDecoder undoes the percent-encodings HubSpot decodes before signing.
var uriDecoder = strings.NewReplacer("%3A", ":", "%2F", "/", "%3F", "?", "%40", "@", "%21", "!", "%24", "$",
	"%27", "'", "%28", "(", "%29", ")", "%2A", "*", "%2C", ",", "%3B", ";")

// VerifySignatureV3 checks HubSpot's v3 signature: base64(HMAC-SHA256(secret,
// method + uri + body + timestamp)), with timestamp (epoch ms) no more than
// five minutes from now. uri is the full URL the request was sent to. The
// comparison takes constant time. Failures are unauthorized errors.
func VerifySignatureV3(secret, method, uri string, body []byte, timestamp, signature string, now time.Time) error {
	if secret == "" {
		return backend.Errorf(backend.EINVALID, "no HubSpot app secret is configured for webhooks")
	}
	if signature == "" || timestamp == "" {
		return backend.Errorf(backend.EUNAUTHORIZED, "the webhook is not signed")
	}
	ms, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return backend.Errorf(backend.EUNAUTHORIZED, "the webhook timestamp is not a number")
	}
	if d := now.Sub(time.UnixMilli(ms)); d > SignatureWindow || d < -SignatureWindow {
		return backend.Errorf(backend.EUNAUTHORIZED, "the webhook timestamp is outside the %s window", SignatureWindow)
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(method + uriDecoder.Replace(uri)))
	m.Write(body)
	m.Write([]byte(timestamp))
	want := []byte(base64.StdEncoding.EncodeToString(m.Sum(nil)))
	if subtle.ConstantTimeCompare(want, []byte(signature)) != 1 {
		return backend.Errorf(backend.EUNAUTHORIZED, "the webhook signature does not match")
	}
	return nil
}

// webhookEvent is one event of a HubSpot webhook batch.
type webhookEvent struct {
	EventID          int64  `json:"eventId"`
	OccurredAt       int64  `json:"occurredAt"`
	SubscriptionType string `json:"subscriptionType"`
	ObjectID         flexID `json:"objectId"`
	PropertyName     string `json:"propertyName"`
	PropertyValue    string `json:"propertyValue"`
}

// WebhookRejection is an event of a batch that did not become a signal, and
// why.
type WebhookRejection struct {
	Index   int    `json:"index"` // its place in the batch, from 0
	EventID int64  `json:"eventId,omitempty"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ParseWebhook turns a webhook batch into signals: contact.creation →
// contact.created, a deal's dealstage change → deal.stage_changed. Their
// dedupe keys are the ones Poll gives the same facts, so an event seen by
// both is stored once. Other subscriptions are ignored.
//
// Each event is checked on its own, by the domain's rules for a signal
// (backend.Signal.ValidateAt at now): one that is malformed, lacks its
// objectId or occurredAt, or is out of range is rejected with its reason,
// and the others still become signals. err is only for a body that is not
// a batch at all.
func ParseWebhook(body []byte, now time.Time) (signals []*backend.Signal, rejected []WebhookRejection, err error) {
	var raw []json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, nil, &backend.Error{Code: backend.EINVALID, Message: "the webhook body is not a HubSpot event batch", Err: err}
	}
	reject := func(i int, id int64, err error) {
		rejected = append(rejected, WebhookRejection{Index: i, EventID: id, Code: backend.ErrorCode(err), Message: backend.ErrorMessage(err)})
	}
	for i, r := range raw {
		var e webhookEvent
		if err := json.Unmarshal(r, &e); err != nil {
			reject(i, e.EventID, backend.Errorf(backend.EINVALID, "webhook event %d is not a HubSpot event", i))
			continue
		}
		id := string(e.ObjectID)
		if id == "" || e.OccurredAt <= 0 {
			reject(i, e.EventID, backend.Errorf(backend.EINVALID, "webhook event %d has no objectId or occurredAt", i))
			continue
		}
		at := time.UnixMilli(e.OccurredAt).UTC()
		var s *backend.Signal
		switch {
		case e.SubscriptionType == "contact.creation":
			s = &backend.Signal{
				Source: backend.SourceHubSpot, Type: SignalContactCreated, OccurredAt: at,
				DedupeKey: "hubspot:contact.created:" + id, ContactID: id, Contact: &backend.Contact{ID: id},
			}
		case e.SubscriptionType == "deal.propertyChange" && e.PropertyName == "dealstage" && e.PropertyValue != "":
			s = &backend.Signal{
				Source: backend.SourceHubSpot, Type: backend.SignalDealStageChanged, OccurredAt: at,
				DedupeKey: fmt.Sprintf("hubspot:deal.stage_changed:%s:%d:%s", id, e.OccurredAt, e.PropertyValue),
				DealID:    id, Deal: &backend.Deal{ID: id, Stage: e.PropertyValue},
			}
		default:
			continue
		}
		s.Normalize()
		if err := s.ValidateAt(now); err != nil {
			reject(i, e.EventID, err)
			continue
		}
		signals = append(signals, s)
	}
	return signals, rejected, nil
}

// WebhookHandler receives HubSpot webhook batches: it refuses anything not
// POSTed (405), unsigned or wrongly signed or stale (401), a replay of a
// signature seen within the window (409), and a body that is not an event
// batch (400); accepted events go to sink at once (204; 503 when sink
// reports unavailable, 500 otherwise, and HubSpot retries). secret gives
// the app secret for each request, so a rotated or removed secret counts
// at once; when it has none (or fails), every webhook is refused with 503.
//
// A batch with events that cannot become signals (ParseWebhook) is
// answered 200 with {"accepted": N, "rejected": [{index, eventId, code,
// message}]} once the others are stored: HubSpot retries any other
// status, and a retry would be refused the same way, again and again,
// while its good events are stored already.
func WebhookHandler(secret func() (string, error), now func() time.Time, sink func(context.Context, []*backend.Signal) error) http.Handler {
	if now == nil {
		now = time.Now
	}
	var mu sync.Mutex
	seen := map[string]time.Time{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "webhooks are POSTed", http.StatusMethodNotAllowed)
			return
		}
		key, err := secret()
		if err != nil || key == "" {
			msg := "webhooks are off: no webhook secret is configured"
			if err != nil && backend.ErrorCode(err) != backend.ENOTFOUND {
				msg = "webhooks are off: " + backend.ErrorMessage(err)
			}
			http.Error(w, msg, http.StatusServiceUnavailable)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20+1))
		if err != nil {
			http.Error(w, "cannot read the body", http.StatusBadRequest)
			return
		}
		if len(body) > 4<<20 {
			http.Error(w, "the batch is too large", http.StatusRequestEntityTooLarge)
			return
		}
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		uri := scheme + "://" + r.Host + r.URL.RequestURI()
		sig := r.Header.Get("X-HubSpot-Signature-v3")
		t := now()
		if err := VerifySignatureV3(key, r.Method, uri, body, r.Header.Get("X-HubSpot-Request-Timestamp"), sig, t); err != nil {
			http.Error(w, backend.ErrorMessage(err), http.StatusUnauthorized)
			return
		}
		mu.Lock()
		for s, at := range seen {
			if t.Sub(at) > 2*SignatureWindow {
				delete(seen, s)
			}
		}
		if _, dup := seen[sig]; dup {
			mu.Unlock()
			http.Error(w, "this webhook was already received", http.StatusConflict)
			return
		}
		seen[sig] = t
		mu.Unlock()
		forget := func() { mu.Lock(); delete(seen, sig); mu.Unlock() }
		signals, rejected, err := ParseWebhook(body, t)
		if err != nil {
			forget()
			http.Error(w, backend.ErrorMessage(err), http.StatusBadRequest)
			return
		}
		if len(signals) > 0 {
			if err := sink(r.Context(), signals); err != nil {
				forget() // let HubSpot's retry through
				status := http.StatusInternalServerError
				if backend.ErrorCode(err) == backend.EUNAVAILABLE {
					status = http.StatusServiceUnavailable
				}
				http.Error(w, backend.ErrorMessage(err), status)
				return
			}
		}
		if len(rejected) == 0 {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_ = json.NewEncoder(w).Encode(map[string]any{"accepted": len(signals), "rejected": rejected})
	})
}
