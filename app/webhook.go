package app

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// The webhook receiver: its own loopback listener, started when a webhook
// address is configured and there is a keychain. It takes the vendors'
// signed webhooks (POST /hooks/<account>, verified by the connector:
// HubSpot's v3 signature) and generic form posts (POST /hooks/form with
// the secret in X-CaseyOS-Secret), and ingests what they carry at once.
// The secret is read for each request (webhookSecret), so a rotation or a
// disconnect counts without a restart; with no secret every request is
// refused (503). Outside senders reach it through a tunnel of the
// founder's choosing; anything arriving from a non-loopback address is
// refused.

// WebhookSecretAccount is the keychain entry of the webhook secret (for
// HubSpot, the app's client secret, which signs its webhooks).
const WebhookSecretAccount = "webhook"

// FormSecretHeader carries the shared secret of a form post.
const FormSecretHeader = "X-CaseyOS-Secret"

// maxFormBody bounds one form post.
const maxFormBody = 64 << 10

// WebhookSecretTTL is how long the receiver trusts the secret it read. A
// keychain read may cost a D-Bus round trip (or a prompt-free but slow
// call on other systems), too much for every request of a burst, so the
// secret is cached; the App's own changes (ConnectWebhook,
// DisconnectWebhook — what `caseyos connect|disconnect webhook` call
// when CaseyOS runs) drop it at once, and a change made by another
// process, which the keychain does not announce, counts within this.
const WebhookSecretTTL = 5 * time.Second

// secretCache is the last read of the webhook secret.
type secretCache struct {
	mu     sync.Mutex
	secret string
	err    error
	at     time.Time // when it was read; zero: never, or dropped
}

// webhookSecret returns the webhook secret, read from the keychain at most
// once per WebhookSecretTTL. A missing secret is a not_found error.
func (a *App) webhookSecret() (string, error) {
	if a.secrets == nil {
		return "", backend.Errorf(backend.ENOTFOUND, "no keychain holds a webhook secret")
	}
	c := &a.hookSecret
	c.mu.Lock()
	defer c.mu.Unlock()
	now := a.clock.Now()
	if age := now.Sub(c.at); !c.at.IsZero() && age >= 0 && age < WebhookSecretTTL {
		return c.secret, c.err
	}
	c.secret, c.err = a.secrets.Get(WebhookSecretAccount)
	if c.err == nil && c.secret == "" {
		c.err = backend.Errorf(backend.ENOTFOUND, "the webhook secret is empty")
	}
	c.at = now
	return c.secret, c.err
}

// forgetWebhookSecret makes the next request read the keychain.
func (a *App) forgetWebhookSecret() {
	a.hookSecret.mu.Lock()
	a.hookSecret.at = time.Time{}
	a.hookSecret.mu.Unlock()
}

// CheckWebhookSecret says what a usable webhook secret is.
func CheckWebhookSecret(secret string) error {
	if len(secret) < 16 {
		return backend.Errorf(backend.EINVALID, "a webhook secret has at least 16 characters")
	}
	return nil
}

// startWebhooks starts the receiver under the App's context when it is
// configured. Failing to start it is reported as an event, never fatal.
func (a *App) startWebhooks() {
	if a.webhookAddr == "" || a.secrets == nil {
		return
	}
	stop, _, err := a.listenWebhooks(a.ctx, a.webhookAddr)
	if err != nil {
		a.events.Publish("server:error", ErrorDTO{Code: backend.ErrorCode(err), Message: backend.ErrorMessage(err)})
		return
	}
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		<-a.ctx.Done()
		stop()
	}()
}

// listenWebhooks serves the receiver on addr, which must be a loopback
// address, and returns how to stop it and the address it listens on.
func (a *App) listenWebhooks(ctx context.Context, addr string) (stop func(), bound string, err error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, "", backend.Errorf(backend.EINVALID, "webhook address %q is not host:port", addr)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, "", backend.Errorf(backend.EINVALID, "the webhook receiver listens on loopback only, not %s: put a tunnel in front of it", host)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", &backend.Error{Code: backend.EUNAVAILABLE, Message: fmt.Sprintf("the webhook receiver cannot listen on %s", addr), Err: err}
	}
	srv := &http.Server{
		Handler: a.webhookHandler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		BaseContext: func(net.Listener) context.Context { return ctx },
	}
	go func() { _ = srv.Serve(ln) }()
	return func() {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}, ln.Addr().String(), nil
}

// webhookHandler routes the receiver's requests.
func (a *App) webhookHandler() http.Handler {
	mux := http.NewServeMux()
	sink := func(ctx context.Context, sigs []*backend.Signal) error {
		_, err := a.queue.Ingest.Batch(ctx, sigs)
		return err
	}
	for _, c := range a.connectors {
		if c.Webhook != nil {
			mux.Handle("/hooks/"+c.Account, c.Webhook(a.webhookSecret, a.clock.Now, sink))
		}
	}
	mux.HandleFunc("/hooks/form", a.formPost)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !fromLoopback(r) {
			http.Error(w, "the webhook receiver answers loopback only", http.StatusForbidden)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

func fromLoopback(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// formPost turns a form submission into a form.submitted signal. The body
// is JSON (an object of strings) or urlencoded; "email" is required,
// "form" names the form, "id" (optional) identifies the submission — else
// its content does, so a replayed post is recognized and refused.
func (a *App) formPost(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, backend.Errorf(backend.EINVALID, "form submissions are POSTed"))
		return
	}
	secret, err := a.webhookSecret()
	if err != nil {
		msg := "webhooks are off: no webhook secret is configured (caseyos connect webhook --secret-stdin)"
		if backend.ErrorCode(err) != backend.ENOTFOUND {
			msg = "webhooks are off: " + backend.ErrorMessage(err)
		}
		writeError(w, &backend.Error{Code: backend.EUNAVAILABLE, Message: msg, Err: err})
		return
	}
	got := r.Header.Get(FormSecretHeader)
	if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(secret)) != 1 {
		writeError(w, backend.Errorf(backend.EUNAUTHORIZED, "a form post needs the webhook secret in %s", FormSecretHeader))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxFormBody))
	if err != nil {
		writeError(w, backend.Errorf(backend.EINVALID, "the form post is too large or unreadable"))
		return
	}
	fields, err := formFields(r.Header.Get("Content-Type"), body)
	if err != nil {
		writeError(w, err)
		return
	}
	s, err := formSignal(fields, a.clock.Now())
	if err != nil {
		writeError(w, err)
		return
	}
	rep, err := a.queue.Ingest.Batch(r.Context(), []*backend.Signal{s})
	switch {
	case err != nil:
		writeError(w, err)
	case len(rep.Invalid) > 0:
		writeError(w, rep.Invalid[0].Err)
	case rep.Duplicates > 0:
		writeError(w, backend.Errorf(backend.ECONFLICT, "this form submission was already received"))
	default:
		writeJSON(w, http.StatusAccepted, map[string]any{"stored": rep.Stored, "moves": append(rep.Created, rep.Updated...)})
	}
}

func formFields(contentType string, body []byte) (map[string]string, error) {
	mt, _, _ := mime.ParseMediaType(contentType)
	fields := map[string]string{}
	switch mt {
	case "application/json":
		var raw map[string]any
		if err := json.Unmarshal(body, &raw); err != nil {
			return nil, backend.Errorf(backend.EINVALID, "the form post is not a JSON object")
		}
		for k, v := range raw {
			switch v := v.(type) {
			case string:
				fields[k] = v
			case float64, bool:
				fields[k] = fmt.Sprint(v)
			case nil:
			default:
				return nil, backend.Errorf(backend.EINVALID, "form field %q must be a string", k)
			}
		}
	case "application/x-www-form-urlencoded", "":
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, backend.Errorf(backend.EINVALID, "the form post is not urlencoded")
		}
		for k, v := range vals {
			fields[k] = strings.Join(v, ", ")
		}
	default:
		return nil, backend.Errorf(backend.EINVALID, "form posts are JSON or urlencoded, not %s", mt)
	}
	return fields, nil
}

func formSignal(fields map[string]string, now time.Time) (*backend.Signal, error) {
	email := strings.TrimSpace(fields["email"])
	if email == "" {
		return nil, backend.Errorf(backend.EINVALID, "a form post needs the submitter's email")
	}
	if len(fields) > 50 {
		return nil, backend.Errorf(backend.EINVALID, "a form post has at most 50 fields")
	}
	name := strings.TrimSpace(fields["form"])
	if name == "" {
		name = "Website form"
	}
	id := strings.TrimSpace(fields["id"])
	if id == "" {
		keys := make([]string, 0, len(fields))
		for k := range fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		h := sha256.New()
		for _, k := range keys {
			fmt.Fprintf(h, "%q=%q;", k, fields[k])
		}
		id = hex.EncodeToString(h.Sum(nil))[:32]
	}
	rest := map[string]string{}
	for k, v := range fields {
		switch k {
		case "email", "form", "id", "name":
		default:
			rest[k] = v
		}
	}
	s := &backend.Signal{
		Source: backend.SourceForm, Type: backend.SignalFormSubmitted, OccurredAt: now, DedupeKey: "form:" + id,
		Contact: &backend.Contact{ID: strings.ToLower(email), Email: email, Name: strings.TrimSpace(fields["name"])},
		Form:    &backend.FormSubmission{Form: name, Fields: rest},
	}
	s.Normalize()
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}
