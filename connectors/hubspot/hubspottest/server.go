package hubspottest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// Options configure a Server. The zero value is a Free/Starter private app.
type Options struct {
	// Clock is the server's time: token age, rate-limit windows, and the
	// createdAt/updatedAt of records all read it. Default: the wall clock.
	Clock backend.Clock
	// Token is the private-app token the server accepts (default "pat-na1-test").
	Token string
	// ClientID and ClientSecret identify the OAuth app; the secret also
	// signs webhooks (defaults "caseyos-client" and "caseyos-secret").
	ClientID, ClientSecret string
	// AccessTokenTTL is how long an OAuth access token lives (default 1800 s).
	AccessTokenTTL time.Duration
	// TenSecondLimit is the requests allowed in any rolling Window (default
	// 100, HubSpot's Free/Starter private-app limit; negative: no limit).
	TenSecondLimit int
	// Window is the length of the rolling window (default 10 s; tests may
	// scale it).
	Window time.Duration
	// DailyLimit is the requests allowed per UTC day (default 250,000;
	// negative: no limit).
	DailyLimit int
	// SearchPerSecond limits search requests, which carry no rate headers
	// (0: no limit; HubSpot allows about 5).
	SearchPerSecond int
	// PortalID is the account id in webhook events (default 1234567).
	PortalID int
	// NoRequestLog keeps no Requests (benchmarks measuring the client's
	// memory over thousands of requests; Requests returns none).
	NoRequestLog bool
}

// Request is what the server received, for tests to assert on.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	Body   []byte
	Auth   string // the Authorization header
	Status int    // what the server answered
	At     time.Time
}

// Server is a fake HubSpot account. It is safe for concurrent use.
type Server struct {
	opts  Options
	clock backend.Clock

	mu        sync.Mutex
	seq       int64
	nextID    int64
	objects   map[string]map[string]*object // type → id → object
	order     map[string][]*object          // type → objects by seq, for paging lists in O(page)
	merged    map[string]string             // contact id merged away → surviving id
	pipelines []*pipeline
	forms     []*form
	custom    map[string]map[string]bool // type → custom property names that exist

	// auth
	codes   map[string]*authCode
	access  map[string]time.Time // access token → expiry
	refresh map[string]bool      // refresh token → still valid

	// limits
	recent   []time.Time // API requests in the rolling window
	day      string
	dayCount int
	searches []time.Time

	// faults
	fail429   int
	limits    []*RateLimitFault
	fail5xx   int
	status5xx int
	drop      int
	failItems map[int]bool

	requests []Request

	httpSrv  *http.Server
	listener net.Listener
	url      string
}

// New returns an empty fake HubSpot with the default pipeline.
func New(opts Options) *Server {
	if opts.Clock == nil {
		opts.Clock = backend.SystemClock{}
	}
	if opts.Token == "" {
		opts.Token = "pat-na1-test"
	}
	if opts.ClientID == "" {
		opts.ClientID = "caseyos-client"
	}
	if opts.ClientSecret == "" {
		opts.ClientSecret = "caseyos-secret"
	}
	if opts.AccessTokenTTL == 0 {
		opts.AccessTokenTTL = 1800 * time.Second
	}
	if opts.TenSecondLimit == 0 {
		opts.TenSecondLimit = 100
	}
	if opts.Window == 0 {
		opts.Window = 10 * time.Second
	}
	if opts.DailyLimit == 0 {
		opts.DailyLimit = 250_000
	}
	if opts.PortalID == 0 {
		opts.PortalID = 1234567
	}
	s := &Server{
		opts: opts, clock: opts.Clock, nextID: 100000,
		objects: map[string]map[string]*object{"contacts": {}, "companies": {}, "deals": {}, "tasks": {}},
		merged:  map[string]string{},
		custom:  map[string]map[string]bool{"contacts": {}, "companies": {}, "deals": {}, "tasks": {}},
		codes:   map[string]*authCode{}, access: map[string]time.Time{}, refresh: map[string]bool{},
		failItems: map[int]bool{},
	}
	s.pipelines = []*pipeline{defaultPipeline()}
	return s
}

// NewTestServer starts a Server on a loopback port for the length of the test.
func NewTestServer(tb testing.TB, opts Options) *Server {
	tb.Helper()
	s := New(opts)
	if _, err := s.Start("127.0.0.1:0"); err != nil {
		tb.Fatalf("start fake HubSpot: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}

// Start serves the fake on addr ("127.0.0.1:0" picks a port) and returns its
// base URL.
func (s *Server) Start(addr string) (string, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return "", err
	}
	s.listener = l
	s.url = "http://" + l.Addr().String()
	s.httpSrv = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go s.httpSrv.Serve(l) //nolint:errcheck // ends with ErrServerClosed on Close
	return s.url, nil
}

// URL is the base URL of a started server.
func (s *Server) URL() string { return s.url }

// Close stops a started server.
func (s *Server) Close() {
	if s.httpSrv != nil {
		s.httpSrv.Close()
	}
}

// Token is the private-app token the server accepts.
func (s *Server) Token() string { return s.opts.Token }

// ClientID is the OAuth app's client id.
func (s *Server) ClientID() string { return s.opts.ClientID }

// ClientSecret is the OAuth app's secret, which also signs webhooks.
func (s *Server) ClientSecret() string { return s.opts.ClientSecret }

// Requests returns a copy of what the server has received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ResetRequests forgets the recorded requests.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	s.requests = nil
	s.mu.Unlock()
}

// Fail429 makes the next n API requests answer 429 for the ten-second window.
func (s *Server) Fail429(n int) { s.mu.Lock(); s.fail429 = n; s.mu.Unlock() }

// RateLimitFault is a 429 the fake answers in place of a request, shaped
// as HubSpot — or a proxy in front of it — may send one. The zero value is
// the bare minimum: HubSpot's JSON body for the 10-second window and no
// header at all.
type RateLimitFault struct {
	// Path limits the fault to requests whose path starts with it ("" =
	// any API request), e.g. "/crm/v3/objects/contacts" for the contact
	// list's pages.
	Path string
	// After lets this many matching requests through first: 1 answers
	// the second, the middle of a paged list.
	After int
	// Times is how many requests it answers (0 = 1).
	Times int
	// Policy is the body's policyName: "" (TEN_SECONDLY_ROLLING), "DAILY"
	// or "SECONDLY".
	Policy string
	// Headers sends the X-HubSpot-RateLimit-* headers (spent), as the
	// fake's own limits do.
	Headers bool
	// RetryAfter is a Retry-After header as sent: seconds ("3") or an
	// HTTP date; "" sends none.
	RetryAfter string
	// Body replaces the JSON body when set (a proxy's plain-text page).
	Body string
}

// InjectRateLimit queues f. Faults act in the order queued: a request
// counts against the first one its path matches.
func (s *Server) InjectRateLimit(f RateLimitFault) {
	if f.Times <= 0 {
		f.Times = 1
	}
	s.mu.Lock()
	s.limits = append(s.limits, &f)
	s.mu.Unlock()
}

// takeRateLimit returns the fault that answers a request to path; s.mu is
// held.
func (s *Server) takeRateLimit(path string) *RateLimitFault {
	for i, f := range s.limits {
		if !strings.HasPrefix(path, f.Path) {
			continue
		}
		if f.After > 0 {
			f.After--
			return nil
		}
		if f.Times--; f.Times <= 0 {
			s.limits = append(s.limits[:i:i], s.limits[i+1:]...)
		}
		return f
	}
	return nil
}

// writeRateLimit answers f; s.mu is held.
func (s *Server) writeRateLimit(w http.ResponseWriter, f *RateLimitFault) {
	policy := f.Policy
	if policy == "" {
		policy = "TEN_SECONDLY_ROLLING"
	}
	if f.Headers {
		s.rateHeaders(w, 0)
		if policy == "DAILY" {
			w.Header().Set("X-HubSpot-RateLimit-Daily-Remaining", "0")
		}
	}
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	if f.Body != "" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, f.Body)
		return
	}
	msg := map[string]string{"DAILY": "You have reached your daily limit.", "SECONDLY": "You have reached your secondly limit."}[policy]
	if msg == "" {
		msg = "You have reached your ten_secondly_rolling limit."
	}
	write429(w, msg, policy)
}

// Fail5xx makes the next n API requests answer status (500 when 0).
func (s *Server) Fail5xx(n, status int) {
	if status == 0 {
		status = http.StatusInternalServerError
	}
	s.mu.Lock()
	s.fail5xx, s.status5xx = n, status
	s.mu.Unlock()
}

// Drop makes the server close the connection of the next n API requests
// without answering, as a network cut would.
func (s *Server) Drop(n int) { s.mu.Lock(); s.drop = n; s.mu.Unlock() }

// ExpireTokens ages every OAuth access token issued so far past its expiry.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	past := s.clock.Now().Add(-time.Second)
	for t := range s.access {
		s.access[t] = past
	}
}

// RevokeRefreshTokens revokes every refresh token issued so far, as
// uninstalling the app does.
func (s *Server) RevokeRefreshTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for t := range s.refresh {
		s.refresh[t] = false
	}
}

// FailBatchItem makes the next batch request fail the inputs at these
// indexes (0-based) with a 207 partial result.
func (s *Server) FailBatchItem(indexes ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, i := range indexes {
		s.failItems[i] = true
	}
}

// Handler serves the fake's API.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /oauth/authorize", s.authorize)
	mux.HandleFunc("POST /oauth/v1/token", s.token)
	mux.HandleFunc("POST /oauth/v3/token", s.token)
	api := http.NewServeMux()
	api.HandleFunc("GET /crm/v3/objects/{type}", s.list)
	api.HandleFunc("POST /crm/v3/objects/{type}", s.create)
	api.HandleFunc("POST /crm/v3/objects/{type}/search", s.search)
	api.HandleFunc("POST /crm/v3/objects/contacts/merge", s.merge)
	api.HandleFunc("POST /crm/v3/objects/contacts/gdpr-delete", s.gdprDelete)
	api.HandleFunc("POST /crm/v3/objects/{type}/batch/{op}", s.batch)
	api.HandleFunc("GET /crm/v3/objects/{type}/{id}", s.get)
	api.HandleFunc("PATCH /crm/v3/objects/{type}/{id}", s.update)
	api.HandleFunc("DELETE /crm/v3/objects/{type}/{id}", s.archive)
	api.HandleFunc("GET /crm/v3/pipelines/deals", s.listPipelines)
	api.HandleFunc("GET /crm/v3/properties/{type}/{name}", s.getProperty)
	api.HandleFunc("POST /crm/v3/properties/{type}", s.createProperty)
	api.HandleFunc("GET /crm/v4/objects/{type}/{id}/associations/{to}", s.listAssociations)
	api.HandleFunc("POST /crm/v4/associations/{from}/{to}/batch/read", s.batchAssociations)
	api.HandleFunc("GET /marketing/v3/forms", s.listForms)
	api.HandleFunc("GET /marketing/v3/forms/", s.listForms)
	api.HandleFunc("GET /form-integrations/v1/submissions/forms/{guid}", s.listSubmissions)
	mux.Handle("/", s.guard(api))
	return s.record(mux)
}

// statusWriter remembers the status for the request record.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Hijack lets Drop close the connection.
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("hijack not supported")
	}
	return h.Hijack()
}

func (s *Server) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if s.opts.NoRequestLog {
			return
		}
		s.mu.Lock()
		s.requests = append(s.requests, Request{
			Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Body: body,
			Auth: r.Header.Get("Authorization"), Status: sw.status, At: s.clock.Now(),
		})
		s.mu.Unlock()
	})
}

// guard applies, in HubSpot's order, authentication, the rate limits and the
// injected faults to every API request.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		if s.drop > 0 {
			s.drop--
			s.mu.Unlock()
			if conn, _, err := w.(*statusWriter).Hijack(); err == nil {
				conn.Close()
			}
			return
		}
		now := s.clock.Now()
		auth := strings.TrimSpace(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
		switch exp, ok := s.access[auth]; {
		case auth == "" || (auth != s.opts.Token && !ok):
			s.mu.Unlock()
			writeError(w, http.StatusUnauthorized, "INVALID_AUTHENTICATION", "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview")
			return
		case ok && !now.Before(exp):
			s.mu.Unlock()
			writeError(w, http.StatusUnauthorized, "EXPIRED_AUTHENTICATION", "The OAuth token used to make this call expired 0 second(s) ago.")
			return
		}
		if f := s.takeRateLimit(r.URL.Path); f != nil {
			s.writeRateLimit(w, f)
			s.mu.Unlock()
			return
		}
		isSearch := strings.HasSuffix(r.URL.Path, "/search")
		if isSearch && s.opts.SearchPerSecond > 0 {
			s.searches = trimBefore(s.searches, now.Add(-time.Second))
			if len(s.searches) >= s.opts.SearchPerSecond {
				s.mu.Unlock()
				write429(w, "You have reached your secondly limit.", "SECONDLY")
				return
			}
			s.searches = append(s.searches, now)
		}
		if d := now.UTC().Format("2006-01-02"); d != s.day {
			s.day, s.dayCount = d, 0
		}
		s.recent = trimBefore(s.recent, now.Add(-s.opts.Window))
		limited := s.opts.TenSecondLimit > 0
		if s.fail429 > 0 || (limited && len(s.recent) >= s.opts.TenSecondLimit) {
			if s.fail429 > 0 {
				s.fail429--
			}
			s.rateHeaders(w, 0)
			s.mu.Unlock()
			write429(w, "You have reached your ten_secondly_rolling limit.", "TEN_SECONDLY_ROLLING")
			return
		}
		if s.opts.DailyLimit > 0 && s.dayCount >= s.opts.DailyLimit {
			s.rateHeaders(w, 0)
			s.mu.Unlock()
			write429(w, "You have reached your daily limit.", "DAILY")
			return
		}
		s.recent = append(s.recent, now)
		s.dayCount++
		if !isSearch {
			s.rateHeaders(w, s.opts.TenSecondLimit-len(s.recent))
		}
		if s.fail5xx > 0 {
			s.fail5xx--
			st := s.status5xx
			s.mu.Unlock()
			writeError(w, st, "INTERNAL_ERROR", "internal error")
			return
		}
		s.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

// rateHeaders sets the X-HubSpot-RateLimit-* headers; s.mu is held.
func (s *Server) rateHeaders(w http.ResponseWriter, remaining int) {
	h := w.Header()
	if s.opts.TenSecondLimit > 0 {
		h.Set("X-HubSpot-RateLimit-Max", strconv.Itoa(s.opts.TenSecondLimit))
		h.Set("X-HubSpot-RateLimit-Remaining", strconv.Itoa(max(remaining, 0)))
		h.Set("X-HubSpot-RateLimit-Interval-Milliseconds", strconv.FormatInt(s.opts.Window.Milliseconds(), 10))
	}
	if s.opts.DailyLimit > 0 {
		h.Set("X-HubSpot-RateLimit-Daily", strconv.Itoa(s.opts.DailyLimit))
		h.Set("X-HubSpot-RateLimit-Daily-Remaining", strconv.Itoa(max(s.opts.DailyLimit-s.dayCount, 0)))
	}
}

func trimBefore(ts []time.Time, cutoff time.Time) []time.Time {
	i := 0
	for i < len(ts) && !ts[i].After(cutoff) {
		i++
	}
	return append(ts[:0], ts[i:]...)
}

func newCorrelationID() string {
	b := make([]byte, 16)
	rand.Read(b)
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// writeError writes HubSpot's error envelope.
func writeError(w http.ResponseWriter, status int, category, msg string) {
	writeJSON(w, status, map[string]any{
		"status": "error", "message": msg, "correlationId": newCorrelationID(), "category": category,
	})
}

func write429(w http.ResponseWriter, msg, policy string) {
	writeJSON(w, http.StatusTooManyRequests, map[string]any{
		"status": "error", "message": msg, "errorType": "RATE_LIMIT", "correlationId": newCorrelationID(),
		"policyName": policy, "groupName": "publicapi",
	})
}

// SendWebhook posts events to url as one HubSpot webhook batch, signed with
// the v3 signature over the client secret, and returns the status the
// receiver answered. client may be nil.
func (s *Server) SendWebhook(ctx context.Context, client *http.Client, target string, events []WebhookEvent) (int, error) {
	now := s.clock.Now()
	for i := range events {
		e := &events[i]
		if e.EventID == 0 {
			s.mu.Lock()
			s.seq++
			e.EventID = s.seq
			s.mu.Unlock()
		}
		if e.PortalID == 0 {
			e.PortalID = s.opts.PortalID
		}
		if e.OccurredAt == 0 {
			e.OccurredAt = now.UnixMilli()
		}
		if e.AttemptNumber == 0 {
			e.AttemptNumber = 0
		}
		if e.ChangeSource == "" {
			e.ChangeSource = "CRM"
		}
	}
	body, err := json.Marshal(events)
	if err != nil {
		return 0, err
	}
	req, err := SignedWebhookRequest(ctx, s.opts.ClientSecret, target, body, now)
	if err != nil {
		return 0, err
	}
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// SignedWebhookRequest builds a POST of body to target carrying HubSpot's v3
// signature headers for the time at.
func SignedWebhookRequest(ctx context.Context, secret, target string, body []byte, at time.Time) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	ts := strconv.FormatInt(at.UnixMilli(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-HubSpot-Request-Timestamp", ts)
	req.Header.Set("X-HubSpot-Signature-v3", SignV3(secret, http.MethodPost, target, body, ts))
	req.Header.Set("X-HubSpot-Signature-Version", "v3")
	return req, nil
}

// WebhookEvent is one event of a webhook batch, as HubSpot sends it.
type WebhookEvent struct {
	EventID          int64   `json:"eventId"`
	SubscriptionID   int64   `json:"subscriptionId"`
	PortalID         int     `json:"portalId"`
	AppID            int     `json:"appId"`
	OccurredAt       int64   `json:"occurredAt"`
	SubscriptionType string  `json:"subscriptionType"`
	AttemptNumber    int     `json:"attemptNumber"`
	ObjectID         int64   `json:"objectId"`
	PropertyName     string  `json:"propertyName,omitempty"`
	PropertyValue    string  `json:"propertyValue,omitempty"`
	ChangeSource     string  `json:"changeSource"`
	MergedObjectIDs  []int64 `json:"mergedObjectIds,omitempty"`
	PrimaryObjectID  int64   `json:"primaryObjectId,omitempty"`
	NewObjectID      int64   `json:"newObjectId,omitempty"`
}

func (s *Server) newID() string {
	s.nextID++
	return fmt.Sprint(s.nextID)
}
