// Package llmtest is a stateful, in-process fake of an OpenAI-compatible
// chat-completions server, for the llm connector's tests, the backend's and
// the app's tests, and development.
//
// It serves what CaseyOS uses, the way OpenAI and the local servers do:
//
//   - POST /v1/chat/completions with model (unknown → 404
//     model_not_found when Options.Models is set), messages (required,
//     non-empty), max_tokens or max_completion_tokens (the answer is cut
//     at that many words, finish_reason "length"), and response_format
//     json_schema (with Options.RejectSchema it answers 400 naming
//     response_format, as llama.cpp builds and other local servers without
//     structured output do); every answer carries usage.
//   - GET /v1/models, the list of Options.Models (or the one "llmtest").
//   - Bearer keys when Options.APIKey is set: none or a wrong one → 401
//     invalid_api_key with the key masked the way OpenAI does.
//   - Errors in OpenAI's shape {"error":{"message","type","param","code"}}.
//
// It answers deterministically from the request's content. A reply
// request (response_format named "reply", or a prompt that asks for
// {"body": …}) is answered with a draft built from the user message: the
// first name on its "From:" line, one sentence per "- " line under
// "Facts:", the first question in "Their email:" acknowledged, and the
// "Sign as:" name; the intent is read from the email's words. A follow-up
// request (response_format named "follow_up") is answered with a short
// nudge built the same way: the first name on its "Writing to:" line, the
// earlier mail's "Subject:" and the day on its "Sent:" line, the first
// fact, the "Sign as:" name, and "One last nudge" when the prompt says
// the step is the last. A battle card's summary quotes its first
// quote. Anything else is answered "OK".
// Script replaces the answer for tests that need a particular one (an
// invented price, template holes). Fault knobs — RateLimit (with or
// without retry-after), NoQuota, Fail (5xx), Slow, Malformed (content that
// is not JSON) — provoke the rest, and Requests records every request.
package llmtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// Options configure a Server. The zero value is a local server (Ollama,
// llama.cpp): no key, any model name, structured output supported.
type Options struct {
	// APIKey, when set, is the one bearer key the server accepts.
	APIKey string
	// Models are the model names served; nil serves any.
	Models []string
	// RejectSchema answers 400 to response_format json_schema, as servers
	// without structured output do.
	RejectSchema bool
	// RejectMaxTokens answers 400 to max_tokens, as OpenAI's newer models
	// do (they take max_completion_tokens).
	RejectMaxTokens bool
}

// Message is one chat message received.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Request is what the server received, for tests to assert on.
type Request struct {
	Method, Path string
	Auth         string // the Authorization header
	Model        string
	Messages     []Message
	// Format is response_format.type ("" when absent); SchemaName and
	// Schema its json_schema's name and schema.
	Format     string
	SchemaName string
	Schema     json.RawMessage
	Strict     bool
	MaxTokens  int // max_tokens or max_completion_tokens
	// MaxCompletion says the limit came as max_completion_tokens.
	MaxCompletion bool
	Status        int    // the status answered
	Code          string // the error code answered, if any
	Content       string // the answer's content, when 200
}

// Server is the fake.
type Server struct {
	opts Options

	mu       sync.Mutex
	faults   []fault
	script   func(Request) string
	requests []Request

	httpSrv *http.Server
	url     string
}

type faultKind int

const (
	faultRateLimit faultKind = iota + 1
	faultNoQuota
	faultStatus
	faultSlow
	faultMalformed
)

type fault struct {
	kind       faultKind
	status     int
	retryAfter string // the header, "" = none
	wait       time.Duration
}

// New returns a fake with nothing scripted.
func New(opts Options) *Server { return &Server{opts: opts} }

// NewTestServer starts a fake on a loopback port, stopped when tb ends.
func NewTestServer(tb testing.TB, opts Options) *Server {
	tb.Helper()
	s := New(opts)
	if _, err := s.Start("127.0.0.1:0"); err != nil {
		tb.Fatalf("start fake model server: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}

// Start serves the fake on addr ("127.0.0.1:0" picks a port) and returns
// its API base URL (ending in /v1).
func (s *Server) Start(addr string) (string, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return "", err
	}
	s.url = "http://" + l.Addr().String() + "/v1"
	s.httpSrv = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go s.httpSrv.Serve(l) //nolint:errcheck // ends with ErrServerClosed on Close
	return s.url, nil
}

// URL is the API base of a started server.
func (s *Server) URL() string { return s.url }

// Close stops a started server.
func (s *Server) Close() {
	if s.httpSrv != nil {
		s.httpSrv.Close()
	}
}

func (s *Server) add(n int, f fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 0; i < n; i++ {
		s.faults = append(s.faults, f)
	}
}

// RateLimit answers the next n requests 429 rate_limit_exceeded with the
// retry-after header retryAfter ("" sends none, as some servers do).
func (s *Server) RateLimit(n int, retryAfter string) {
	s.add(n, fault{kind: faultRateLimit, retryAfter: retryAfter})
}

// NoQuota answers the next n requests 429 insufficient_quota.
func (s *Server) NoQuota(n int) { s.add(n, fault{kind: faultNoQuota}) }

// Fail answers the next n requests with status (a 5xx).
func (s *Server) Fail(n, status int) { s.add(n, fault{kind: faultStatus, status: status}) }

// Slow delays the next n answers by d.
func (s *Server) Slow(n int, d time.Duration) { s.add(n, fault{kind: faultSlow, wait: d}) }

// Malformed answers the next n chat completions with content that is not
// JSON, as a model that ignores the format does.
func (s *Server) Malformed(n int) { s.add(n, fault{kind: faultMalformed}) }

// Script makes fn write every chat completion's content from the request
// (nil restores the answers read from the content).
func (s *Server) Script(fn func(Request) string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = fn
}

// Requests returns every request received, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Handler serves the fake's API.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serve) }

type apiError struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    *string `json:"code"`
}

func strp(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func fail(w http.ResponseWriter, status int, e apiError) (int, string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]apiError{"error": e})
	code := e.Type
	if e.Code != nil {
		code = *e.Code
	}
	return status, code
}

func invalid(w http.ResponseWriter, status int, param, code, format string, args ...any) (int, string) {
	return fail(w, status, apiError{Message: fmt.Sprintf(format, args...), Type: "invalid_request_error", Param: strp(param), Code: strp(code)})
}

func (s *Server) next() (fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.faults) == 0 {
		return fault{}, false
	}
	f := s.faults[0]
	s.faults = s.faults[1:]
	return f, true
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	rec := Request{Method: r.Method, Path: r.URL.Path, Auth: r.Header.Get("Authorization")}
	s.mu.Lock()
	i := len(s.requests)
	s.requests = append(s.requests, rec)
	s.mu.Unlock()
	status, code := s.handle(w, r, &rec)
	rec.Status, rec.Code = status, code
	s.mu.Lock()
	s.requests[i] = rec
	s.mu.Unlock()
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request, rec *Request) (int, string) {
	if s.opts.APIKey != "" && r.Header.Get("Authorization") != "Bearer "+s.opts.APIKey {
		got := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if got == "" {
			return fail(w, http.StatusUnauthorized, apiError{Message: "You didn't provide an API key.", Type: "invalid_request_error"})
		}
		return fail(w, http.StatusUnauthorized, apiError{Message: "Incorrect API key provided: " + mask(got) + ".", Type: "invalid_request_error", Code: strp("invalid_api_key")})
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/v1/models":
		return s.listModels(w)
	case r.Method == http.MethodPost && r.URL.Path == "/v1/chat/completions":
		return s.chat(w, r, rec)
	}
	return invalid(w, http.StatusNotFound, "", "", "Invalid URL (%s %s)", r.Method, r.URL.Path)
}

func (s *Server) listModels(w http.ResponseWriter) (int, string) {
	models := s.opts.Models
	if len(models) == 0 {
		models = []string{"llmtest"}
	}
	type model struct {
		ID      string `json:"id"`
		Object  string `json:"object"`
		Created int64  `json:"created"`
		OwnedBy string `json:"owned_by"`
	}
	out := struct {
		Object string  `json:"object"`
		Data   []model `json:"data"`
	}{Object: "list"}
	for _, m := range models {
		out.Data = append(out.Data, model{ID: m, Object: "model", OwnedBy: "llmtest"})
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
	return http.StatusOK, ""
}

type chatRequest struct {
	Model               string    `json:"model"`
	Messages            []Message `json:"messages"`
	MaxTokens           *int      `json:"max_tokens"`
	MaxCompletionTokens *int      `json:"max_completion_tokens"`
	ResponseFormat      *struct {
		Type       string `json:"type"`
		JSONSchema *struct {
			Name   string          `json:"name"`
			Schema json.RawMessage `json:"schema"`
			Strict bool            `json:"strict"`
		} `json:"json_schema"`
	} `json:"response_format"`
}

func (s *Server) chat(w http.ResponseWriter, r *http.Request, rec *Request) (int, string) {
	data, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		return invalid(w, http.StatusBadRequest, "", "", "could not read the body")
	}
	var req chatRequest
	if err := json.Unmarshal(data, &req); err != nil {
		return invalid(w, http.StatusBadRequest, "", "", "We could not parse the JSON body of your request.")
	}
	rec.Model, rec.Messages = req.Model, req.Messages
	if req.MaxTokens != nil {
		rec.MaxTokens = *req.MaxTokens
	}
	if req.MaxCompletionTokens != nil {
		rec.MaxTokens, rec.MaxCompletion = *req.MaxCompletionTokens, true
	}
	if rf := req.ResponseFormat; rf != nil {
		rec.Format = rf.Type
		if rf.JSONSchema != nil {
			rec.SchemaName, rec.Schema, rec.Strict = rf.JSONSchema.Name, rf.JSONSchema.Schema, rf.JSONSchema.Strict
		}
	}
	if f, ok := s.next(); ok {
		switch f.kind {
		case faultRateLimit:
			if f.retryAfter != "" {
				w.Header().Set("Retry-After", f.retryAfter)
			}
			return fail(w, http.StatusTooManyRequests, apiError{Message: "Rate limit reached for requests", Type: "requests", Code: strp("rate_limit_exceeded")})
		case faultNoQuota:
			return fail(w, http.StatusTooManyRequests, apiError{Message: "You exceeded your current quota, please check your plan and billing details.", Type: "insufficient_quota", Code: strp("insufficient_quota")})
		case faultStatus:
			return fail(w, f.status, apiError{Message: "The server had an error while processing your request.", Type: "server_error"})
		case faultSlow:
			select {
			case <-time.After(f.wait):
			case <-r.Context().Done():
				return 499, "client_closed"
			}
		case faultMalformed:
			return s.answer(w, rec, req, "Sure! Here is your reply: Hi there, thanks for writing.")
		}
	}
	if len(req.Messages) == 0 {
		return invalid(w, http.StatusBadRequest, "messages", "", "[] is too short - 'messages'")
	}
	if req.Model == "" {
		return invalid(w, http.StatusBadRequest, "model", "", "you must provide a model parameter")
	}
	if len(s.opts.Models) > 0 && !contains(s.opts.Models, req.Model) {
		return invalid(w, http.StatusNotFound, "model", "model_not_found", "The model `%s` does not exist or you do not have access to it.", req.Model)
	}
	if s.opts.RejectMaxTokens && req.MaxTokens != nil {
		return invalid(w, http.StatusBadRequest, "max_tokens", "unsupported_parameter", "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.")
	}
	if s.opts.RejectSchema && rec.Format == "json_schema" {
		return invalid(w, http.StatusBadRequest, "response_format", "", "response_format type json_schema is not supported by this server")
	}
	if rec.Format == "json_schema" && (rec.SchemaName == "" || len(rec.Schema) == 0 || !json.Valid(rec.Schema)) {
		return invalid(w, http.StatusBadRequest, "response_format.json_schema", "", "Invalid schema for response_format")
	}
	s.mu.Lock()
	script := s.script
	s.mu.Unlock()
	var content string
	if script != nil {
		content = script(*rec)
	} else {
		content = Answer(*rec)
	}
	return s.answer(w, rec, req, content)
}

func (s *Server) answer(w http.ResponseWriter, rec *Request, req chatRequest, content string) (int, string) {
	finish := "stop"
	if rec.MaxTokens > 0 {
		if words := strings.Fields(content); len(words) > rec.MaxTokens {
			content, finish = strings.Join(words[:rec.MaxTokens], " "), "length"
		}
	}
	prompt := 0
	for _, m := range req.Messages {
		prompt += tokens(m.Content) + 4
	}
	completion := tokens(content)
	rec.Content = content
	out := map[string]any{
		"id": "chatcmpl-llmtest", "object": "chat.completion", "created": 0, "model": req.Model,
		"choices": []any{map[string]any{"index": 0, "finish_reason": finish,
			"message": map[string]any{"role": "assistant", "content": content, "refusal": nil}}},
		"usage": map[string]int{"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
	return http.StatusOK, ""
}

// tokens counts a text's tokens the fake's way: about four bytes each.
func tokens(s string) int { return (len(s) + 3) / 4 }

// Answer is the fake's answer to a request, read from its content.
func Answer(r Request) string {
	system, user := "", ""
	for _, m := range r.Messages {
		switch m.Role {
		case "system":
			system += m.Content + "\n"
		case "user":
			user += m.Content + "\n"
		}
	}
	switch {
	case r.SchemaName == "battle_card_summary" || strings.Contains(system, `{"summary"`):
		return mustJSON(map[string]string{"summary": summary(user)})
	case r.SchemaName == "follow_up":
		return mustJSON(map[string]string{"body": FollowUp(user)})
	case r.SchemaName == "reply" || strings.Contains(system, `{"body"`):
		return mustJSON(map[string]string{"body": Draft(user), "intent": intentOf(section(user, "Their email:"))})
	}
	return "OK"
}

// Draft is the reply the fake writes from a reply prompt's user message.
func Draft(user string) string {
	first := "there"
	for _, line := range strings.Split(user, "\n") {
		if rest, ok := strings.CutPrefix(line, "From: "); ok {
			if f := strings.Fields(strings.SplitN(rest, "<", 2)[0]); len(f) > 0 {
				first = f[0]
			}
			break
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Hi %s,\n\n", first)
	if q := firstQuestion(section(user, "Their email:")); q != "" {
		fmt.Fprintf(&b, "Thanks for asking: “%s”\n", q)
	} else {
		b.WriteString("Thanks for your note.\n")
	}
	for _, line := range strings.Split(section(user, "Facts:"), "\n") {
		if f, ok := strings.CutPrefix(strings.TrimSpace(line), "- "); ok {
			fmt.Fprintf(&b, "\n%s.", strings.TrimSuffix(f, "."))
		}
	}
	var times []string
	for _, line := range strings.Split(section(user, "Free times to propose (their time zone first):"), "\n") {
		if t, ok := strings.CutPrefix(strings.TrimSpace(line), "- "); ok {
			times = append(times, "- "+t)
		}
	}
	if len(times) > 0 {
		fmt.Fprintf(&b, "\n\nWould one of these times work for a call?\n%s", strings.Join(times, "\n"))
	}
	sign := strings.TrimSpace(valueOf(user, "Sign as:"))
	fmt.Fprintf(&b, "\n\nBest,\n%s", sign)
	return b.String()
}

// FollowUp is the follow-up the fake writes from a follow-up prompt's user
// message: it names the earlier mail by its subject and the day it went,
// adds the first fact, and signs.
func FollowUp(user string) string {
	first := "there"
	if f := strings.Fields(strings.SplitN(valueOf(user, "Writing to: "), "<", 2)[0]); len(f) > 0 {
		first = f[0]
	}
	subject := strings.TrimSpace(valueOf(user, "Subject: "))
	subject = strings.TrimSpace(strings.TrimPrefix(subject, "Re: "))
	day := "last week"
	if f := strings.Fields(valueOf(user, "Sent: ")); len(f) > 0 {
		day = f[0]
	}
	var b strings.Builder
	nudge := "A quick nudge"
	if strings.Contains(user, ", the last.\n") {
		nudge = "One last nudge"
	}
	fmt.Fprintf(&b, "Hi %s,\n\n%s on my note from %s about “%s”.", first, nudge, day, subject)
	for _, line := range strings.Split(section(user, "Facts:"), "\n") {
		if f, ok := strings.CutPrefix(strings.TrimSpace(line), "- "); ok {
			fmt.Fprintf(&b, " In case it helps: %s.", strings.TrimSuffix(f, "."))
			break
		}
	}
	b.WriteString(" Is a short reply either way possible?")
	fmt.Fprintf(&b, "\n\nBest,\n%s", strings.TrimSpace(valueOf(user, "Sign as:")))
	return b.String()
}

// section returns the lines after heading, up to the next blank line
// followed by a heading ("Word:" at the start of a line) or the end.
func section(text, heading string) string {
	i := strings.Index(text, "\n"+heading+"\n")
	if i < 0 {
		if !strings.HasPrefix(text, heading+"\n") {
			return ""
		}
		i = -1
	}
	rest := text[i+1+len(heading)+1:]
	var out []string
	lines := strings.Split(rest, "\n")
	for j, l := range lines {
		if l == "" && j+1 < len(lines) && isHeading(lines[j+1]) {
			break
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// isHeading: a line such as "Facts:" or "Sign as: Casey".
func isHeading(l string) bool {
	return l != "" && l[0] >= 'A' && l[0] <= 'Z' && (strings.HasSuffix(l, ":") || strings.HasPrefix(l, "Sign as:"))
}

func valueOf(text, prefix string) string {
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(line, prefix); ok {
			return v
		}
	}
	return ""
}

func firstQuestion(text string) string {
	start := 0
	for i, r := range text {
		switch r {
		case '.', '!', '\n':
			start = i + 1
		case '?':
			return strings.TrimSpace(text[start : i+1])
		}
	}
	return ""
}

func intentOf(text string) string {
	t := strings.ToLower(text)
	switch {
	case strings.Contains(t, "unsubscribe"):
		return "unsubscribe"
	case strings.Contains(t, "cancel"):
		return "churn_risk"
	case strings.Contains(t, "pric") || strings.Contains(t, "cost"):
		return "pricing_question"
	case strings.Contains(t, "call") || strings.Contains(t, "meet"):
		return "meeting_request"
	}
	return "other"
}

func summary(user string) string {
	for _, line := range strings.Split(section(user, "Quotes:"), "\n") {
		if q, ok := strings.CutPrefix(strings.TrimSpace(line), "- "); ok {
			return "Customers are comparing us: " + q
		}
	}
	return "Nothing new."
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// mask shows a key the way OpenAI's 401 does: the first and last few
// characters only.
func mask(key string) string {
	if len(key) <= 8 {
		return strings.Repeat("*", len(key))
	}
	return key[:3] + strings.Repeat("*", len(key)-7) + key[len(key)-4:]
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
