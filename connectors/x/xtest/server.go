package xtest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// Options configure a Server. The zero value is a fake X with the published
// per-user limits, 15-minute windows and search enrolled.
type Options struct {
	// Clock is the server's time for data (created_at, ids, the seven days
	// recent search reaches back) and for the rate-limit windows. Default:
	// the wall clock.
	Clock backend.Clock
	// AuthNow is the time oauth_timestamp is checked against. Clients sign
	// with the wall clock whatever the test's clock says, so it defaults to
	// time.Now, not Clock.
	AuthNow func() time.Time
	// TimestampSkew is how far oauth_timestamp may be from AuthNow
	// (default 5 minutes).
	TimestampSkew time.Duration
	// Window is the length of the 15-minute rate-limit windows; tests may
	// shorten it (default 15 minutes). Limits with their own Window keep it.
	Window time.Duration
	// Limits overrides the default limit of an endpoint (EndpointMentions,
	// EndpointSearch …). A zero Requests means no limit.
	Limits map[string]Limit
	// SearchNotEnrolled makes recent search answer 403 client-not-enrolled,
	// as X does for an app whose access level does not include search.
	SearchNotEnrolled bool
	// AuthorizeAs, when set, makes GET /oauth/authorize approve at once as
	// this user id, as a person clicking "Authorize app" would: a redirect
	// to the callback, or the PIN page for "oob". Default: a page listing
	// the users to choose from.
	AuthorizeAs string
}

// Request is what the server received, for tests to assert on.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	Body   []byte
	Auth   string // the Authorization header
	UserID string // the authenticated user, "" when authentication failed
	Status int    // what the server answered (0: the connection was dropped)
	At     time.Time
}

// Server is a fake X (api.x.com): OAuth 1.0a and the v2 endpoints CaseyOS
// uses. It is safe for concurrent use.
type Server struct {
	opts  Options
	clock backend.Clock

	mu sync.Mutex

	// OAuth
	consumers map[string]*consumer // key → consumer
	tokens    map[string]*token    // request and access tokens
	nonces    map[string]time.Time // consumer|token|nonce|timestamp → seen at
	pins      map[string]string    // request token → verifier shown as a PIN

	// data
	users      map[string]*User // id → user
	tweets     map[string]*Tweet
	order      []*Tweet // by id, oldest first
	likes      []Like
	deleted    []string
	posted     []string // ids of the tweets created through the API, in order
	lastMillis int64
	seq        int64
	userSeq    int64

	// limits and faults
	buckets     map[string]*bucket
	faults      []*Fault
	search      bool // enrolled in search
	emptySearch int  // search pages to answer empty, with a next_token

	requests []Request

	httpSrv *http.Server
	url     string
}

// New returns an empty fake X. Register a consumer, users and tokens before
// use.
func New(opts Options) *Server {
	if opts.Clock == nil {
		opts.Clock = backend.SystemClock{}
	}
	if opts.AuthNow == nil {
		opts.AuthNow = time.Now
	}
	if opts.TimestampSkew == 0 {
		opts.TimestampSkew = 5 * time.Minute
	}
	if opts.Window == 0 {
		opts.Window = 15 * time.Minute
	}
	return &Server{
		opts: opts, clock: opts.Clock,
		consumers: map[string]*consumer{}, tokens: map[string]*token{}, nonces: map[string]time.Time{},
		pins:  map[string]string{},
		users: map[string]*User{}, tweets: map[string]*Tweet{},
		buckets: map[string]*bucket{}, search: !opts.SearchNotEnrolled,
	}
}

// NewTestServer starts a Server on a loopback port for the length of the
// test.
func NewTestServer(tb testing.TB, opts Options) *Server {
	tb.Helper()
	s := New(opts)
	if _, err := s.Start("127.0.0.1:0"); err != nil {
		tb.Fatalf("start fake X: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}

// Start serves the fake on addr ("127.0.0.1:0" picks a port) and returns its
// base URL, which stands for https://api.x.com in both the OAuth and the
// API paths.
func (s *Server) Start(addr string) (string, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return "", err
	}
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

// Count is how many recorded requests had this method and a path starting
// with prefix ("" = any).
func (s *Server) Count(method, prefix string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if (method == "" || r.Method == method) && strings.HasPrefix(r.Path, prefix) {
			n++
		}
	}
	return n
}

// EnrollSearch turns recent search on or off for the app, as upgrading or
// downgrading the access level does.
func (s *Server) EnrollSearch(on bool) { s.mu.Lock(); s.search = on; s.mu.Unlock() }

// Handler serves the fake's OAuth and API endpoints.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth/request_token", s.requestToken)
	mux.HandleFunc("GET /oauth/authorize", s.authorizePage)
	mux.HandleFunc("GET /oauth/authenticate", s.authorizePage)
	mux.HandleFunc("POST /oauth/authorize", s.authorizeSubmit)
	mux.HandleFunc("POST /oauth/access_token", s.accessToken)

	api := http.NewServeMux()
	api.Handle("GET /2/users/me", s.endpoint(EndpointUsersMe, s.usersMe))
	api.Handle("GET /2/users/{id}/mentions", s.endpoint(EndpointMentions, s.mentions))
	api.Handle("GET /2/users/{id}/tweets", s.endpoint(EndpointUserTweets, s.userTweets))
	api.Handle("GET /2/tweets/search/recent", s.endpoint(EndpointSearch, s.searchRecent))
	api.Handle("POST /2/tweets", s.endpoint(EndpointPost, s.createTweet))
	api.Handle("DELETE /2/tweets/{id}", s.endpoint(EndpointDelete, s.deleteTweet))
	api.Handle("POST /2/users/{id}/likes", s.endpoint(EndpointLike, s.like))
	api.Handle("DELETE /2/users/{id}/likes/{tweet}", s.endpoint(EndpointUnlike, s.unlike))
	api.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, http.StatusNotFound, "Not Found", "Sorry, that page does not exist.")
	})
	mux.Handle("/2/", api)
	return s.record(mux)
}

// principal is who signed an API request.
type principal struct {
	consumer string
	token    string
	userID   string
}

type principalKey struct{}

func who(r *http.Request) principal {
	p, _ := r.Context().Value(principalKey{}).(principal)
	return p
}

// statusWriter remembers the status and the authenticated user for the
// request record.
type statusWriter struct {
	http.ResponseWriter
	status int
	userID string
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

// Hijack lets a fault close the connection.
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
		s.mu.Lock()
		s.requests = append(s.requests, Request{
			Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Body: body,
			Auth: r.Header.Get("Authorization"), UserID: sw.userID, Status: sw.status, At: s.clock.Now(),
		})
		s.mu.Unlock()
	})
}

// endpoint applies, in X's order, the OAuth 1.0a check, the access level,
// injected faults and the endpoint's rate limits, then serves h.
func (s *Server) endpoint(name string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		p, err := s.verify(r, body)
		if err != nil {
			writeProblem(w, http.StatusUnauthorized, "Unauthorized", "Unauthorized")
			return
		}
		if sw, ok := w.(*statusWriter); ok {
			sw.userID = p.userID
		}
		r = r.WithContext(context.WithValue(r.Context(), principalKey{}, p))
		s.mu.Lock()
		if name == EndpointSearch && !s.search {
			s.mu.Unlock()
			writeNotEnrolled(w, p.consumer)
			return
		}
		if !s.spend(w, name, p, false) {
			s.mu.Unlock()
			writeProblem(w, http.StatusTooManyRequests, "Too Many Requests", "Too Many Requests")
			return
		}
		f := s.takeFault(r.Method, r.URL.Path)
		if f != nil && f.Status == http.StatusTooManyRequests {
			arrived(f)
			s.spend(w, name, p, true)
			s.mu.Unlock()
			writeProblem(w, http.StatusTooManyRequests, "Too Many Requests", "Too Many Requests")
			return
		}
		s.mu.Unlock()
		if f != nil {
			s.applyFault(w, r, f, h)
			return
		}
		h(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// writeProblem writes X's generic problem JSON ("about:blank").
func writeProblem(w http.ResponseWriter, status int, title, detail string) {
	writeJSON(w, status, map[string]any{"title": title, "detail": detail, "type": "about:blank", "status": status})
}

// writeNotEnrolled is X's answer to an endpoint the app's access level does
// not include.
func writeNotEnrolled(w http.ResponseWriter, consumerKey string) {
	writeJSON(w, http.StatusForbidden, map[string]any{
		"client_id":           clientID(consumerKey),
		"detail":              "When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project. You can create a project via the developer portal.",
		"registration_url":    "https://developer.twitter.com/en/docs/projects/overview",
		"title":               "Client Forbidden",
		"required_enrollment": "Appropriate Level of API Access",
		"reason":              "client-not-enrolled",
		"type":                "https://api.twitter.com/2/problems/client-forbidden",
	})
}

// invalidParam is one entry of an invalid-request problem.
type invalidParam struct {
	Param, Value, Message string
}

// writeInvalid writes X's 400 invalid-request problem.
func writeInvalid(w http.ResponseWriter, errs ...invalidParam) {
	var list []map[string]any
	for _, e := range errs {
		list = append(list, map[string]any{"parameters": map[string][]string{e.Param: {e.Value}}, "message": e.Message})
	}
	writeJSON(w, http.StatusBadRequest, map[string]any{
		"errors": list, "title": "Invalid Request", "detail": "One or more parameters to your request was invalid.",
		"type": "https://api.twitter.com/2/problems/invalid-request",
	})
}
