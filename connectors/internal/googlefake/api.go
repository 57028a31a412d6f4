package googlefake

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Request is one API call a fake received.
type Request struct {
	Method string // the API method: users.messages.get, calendar.events.list …
	Path   string
	Query  url.Values
	Status int // what the fake answered
}

// Fault is an error an API fake answers instead of serving a request.
// Google sends no rate-limit headers; a Retry-After and a body that is not
// JSON (from a proxy, or a 429 the front end answers) are the variants seen.
type Fault struct {
	Method string // the API method it hits ("users.history.list", "calendar.events.list" …); "" = any
	Status int    // 429, 403, 500 …
	Reason string // rateLimitExceeded, userRateLimitExceeded, quotaExceeded, dailyLimitExceeded, backendError …
	Times  int    // how many requests it hits; 0 = 1
	// After lets this many matching requests through first: 1 answers the
	// second, the middle of a paged list.
	After int
	// RetryAfter is a Retry-After header as sent ("3", an HTTP date); ""
	// sends none.
	RetryAfter string
	// Body replaces Google's JSON error when set.
	Body string
}

// Calls is an API fake's front door: it records the calls served and
// answers the faults queued. The zero value is ready; it is safe for
// concurrent use.
type Calls struct {
	mu       sync.Mutex
	requests []Request
	faults   []*Fault
}

// Inject queues a fault.
func (c *Calls) Inject(f Fault) {
	if f.Times == 0 {
		f.Times = 1
	}
	c.mu.Lock()
	c.faults = append(c.faults, &f)
	c.mu.Unlock()
}

// Requests returns the calls served, oldest first.
func (c *Calls) Requests() []Request {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Request(nil), c.requests...)
}

// Reset forgets the calls served.
func (c *Calls) Reset() {
	c.mu.Lock()
	c.requests = nil
	c.mu.Unlock()
}

// Serve answers one call of method as Google does: it refuses a missing or
// bad bearer token (valid nil accepts any non-empty one) with 401, lets
// check refuse the call (it answers and returns false), answers a queued
// fault, and otherwise calls h; every call is recorded with its status.
func (c *Calls) Serve(method string, w http.ResponseWriter, r *http.Request, valid func(token string) bool,
	check func(http.ResponseWriter, *http.Request) bool, h http.HandlerFunc) {
	sw := &statusWriter{ResponseWriter: w}
	defer func() {
		c.mu.Lock()
		c.requests = append(c.requests, Request{Method: method, Path: r.URL.Path, Query: r.URL.Query(), Status: sw.status})
		c.mu.Unlock()
	}()
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" || (valid != nil && !valid(tok)) {
		sw.Header().Set("WWW-Authenticate", `Bearer realm="https://accounts.google.com/", error="invalid_token"`)
		WriteError(sw, http.StatusUnauthorized, "authError", "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.")
		return
	}
	if check != nil && !check(sw, r) {
		return
	}
	if f := c.takeFault(method); f != nil {
		writeFault(sw, f)
		return
	}
	h(sw, r)
}

func (c *Calls) takeFault(method string) *Fault {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, f := range c.faults {
		if f.Method == "" || f.Method == method {
			if f.After > 0 {
				f.After--
				return nil
			}
			f.Times--
			if f.Times <= 0 {
				c.faults = append(c.faults[:i:i], c.faults[i+1:]...)
			}
			return f
		}
	}
	return nil
}

// writeFault answers f.
func writeFault(w http.ResponseWriter, f *Fault) {
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	if f.Body != "" {
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		w.WriteHeader(f.Status)
		io.WriteString(w, f.Body)
		return
	}
	WriteError(w, f.Status, f.Reason, faultMessage(f))
}

func faultMessage(f *Fault) string {
	switch f.Reason {
	case "rateLimitExceeded", "userRateLimitExceeded":
		return "User-rate limit exceeded. Retry after " + time.Now().Add(time.Second).UTC().Format(time.RFC3339)
	case "dailyLimitExceeded":
		return "Daily Limit Exceeded"
	case "backendError":
		return "Backend Error"
	}
	return http.StatusText(f.Status)
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(c int) {
	if w.status == 0 {
		w.status = c
	}
	w.ResponseWriter.WriteHeader(c)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = 200
	}
	return w.ResponseWriter.Write(b)
}

// WriteError writes Google's error JSON: {"error":{"code","message",
// "status","errors":[{"domain","reason","message"}]}}.
func WriteError(w http.ResponseWriter, code int, reason, message string) {
	domain := "global"
	switch reason {
	case "rateLimitExceeded", "userRateLimitExceeded", "dailyLimitExceeded", "quotaExceeded":
		domain = "usageLimits"
	case "fullSyncRequired":
		domain = "calendar"
	}
	status := map[int]string{400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
		409: "ALREADY_EXISTS", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}[code]
	if code == 403 && domain == "usageLimits" {
		status = "RESOURCE_EXHAUSTED"
	}
	body := map[string]any{"error": map[string]any{"code": code, "message": message, "status": status,
		"errors": []map[string]string{{"domain": domain, "reason": reason, "message": message}}}}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(body)
}

// WriteJSON writes v as a 200 JSON answer.
func WriteJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	json.NewEncoder(w).Encode(v)
}
