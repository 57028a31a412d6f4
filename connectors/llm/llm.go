package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// DefaultTimeout bounds one call: a draft never waits on a slow model.
const DefaultTimeout = 20 * time.Second

// OpenAIBaseURL is OpenAI's API base.
const OpenAIBaseURL = "https://api.openai.com/v1"

// Config configures a Client.
type Config struct {
	BaseURL string // the API base: https://api.openai.com/v1, https://api.x.ai/v1, http://127.0.0.1:11434/v1 …
	Model   string
	APIKey  string // "" for a local server that needs none
	// Timeout bounds one call, a fallback included (0 = DefaultTimeout).
	Timeout    time.Duration
	HTTPClient *http.Client
}

// Client is a backend.LLM over one OpenAI-compatible endpoint.
type Client struct {
	http    *http.Client
	base    string
	host    string
	model   string
	key     string
	timeout time.Duration
	// The server's quirks, learned once: it refuses response_format
	// json_schema (many local servers), or max_tokens (OpenAI's newer
	// models want max_completion_tokens).
	noSchema    atomic.Bool
	completionT atomic.Bool
}

var _ backend.LLM = (*Client)(nil)

// New returns a client for cfg. It reads nothing from the environment:
// the key is the one given (from the keychain), never OPENAI_API_KEY.
func New(cfg Config) (*Client, error) {
	base := strings.TrimRight(strings.TrimSpace(cfg.BaseURL), "/")
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, backend.Errorf(backend.EINVALID, "the model URL %q is not an http(s) API base such as %s", redact(cfg.BaseURL), OpenAIBaseURL)
	}
	if cfg.APIKey != "" && u.Scheme == "http" && !loopback(u.Hostname()) {
		return nil, backend.Errorf(backend.EINVALID, "an API key is only sent over https (or to this machine): use https://%s%s", u.Host, u.Path)
	}
	if strings.TrimSpace(cfg.Model) == "" {
		return nil, backend.Errorf(backend.EINVALID, "the model needs a name, e.g. gpt-4o-mini or llama3.2")
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	c := &Client{http: hc, base: base, host: u.Host, model: cfg.Model, key: cfg.APIKey, timeout: cfg.Timeout}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	return c, nil
}

// Name names the model: "gpt-4o-mini at api.openai.com".
func (c *Client) Name() string { return c.model + " at " + c.host }

// Complete sends r as one chat completion. With a schema it asks for
// structured output; a server that refuses json_schema, or answers with
// something that is not JSON, is asked once more without it (the messages
// already ask for JSON only) and is not asked with a schema again.
func (c *Client) Complete(ctx context.Context, r backend.ModelRequest) (backend.ModelReply, error) {
	const op = "llm.Complete"
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	schema := r.Schema != "" && !c.noSchema.Load()
	for attempt := 0; ; attempt++ {
		reply, err := c.complete(ctx, r, schema)
		if err != nil {
			var ae *apiError
			if errors.As(err, &ae) && ae.StatusCode == http.StatusBadRequest && attempt < 2 {
				msg := strings.ToLower(ae.Message + " " + ae.Param + " " + ae.raw)
				switch {
				case schema && (strings.Contains(msg, "response_format") || strings.Contains(msg, "json_schema")):
					c.noSchema.Store(true)
					schema = false
					continue
				case !c.completionT.Load() && strings.Contains(msg, "max_tokens"):
					c.completionT.Store(true)
					continue
				}
			}
			return backend.ModelReply{}, c.mapError(ctx, parent, op, err)
		}
		if schema && !json.Valid([]byte(strings.TrimSpace(reply.Content))) && attempt < 2 {
			c.noSchema.Store(true)
			schema = false
			continue
		}
		return reply, nil
	}
}

// chatRequest is the body of POST {base}/chat/completions.
type chatRequest struct {
	Model               string          `json:"model"`
	Messages            []chatMessage   `json:"messages"`
	MaxTokens           int             `json:"max_tokens,omitempty"`
	MaxCompletionTokens int             `json:"max_completion_tokens,omitempty"`
	ResponseFormat      *responseFormat `json:"response_format,omitempty"`
}

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type responseFormat struct {
	Type       string      `json:"type"`
	JSONSchema *jsonSchema `json:"json_schema,omitempty"`
}

type jsonSchema struct {
	Name   string          `json:"name"`
	Schema json.RawMessage `json:"schema"`
	Strict bool            `json:"strict"`
}

// chatResponse is what CaseyOS reads of a chat completion.
type chatResponse struct {
	Model   string `json:"model"`
	Choices []struct {
		Message struct {
			Content *string `json:"content"`
			Refusal *string `json:"refusal"`
		} `json:"message"`
	} `json:"choices"`
	Usage struct {
		PromptTokens     int `json:"prompt_tokens"`
		CompletionTokens int `json:"completion_tokens"`
	} `json:"usage"`
}

func (c *Client) complete(ctx context.Context, r backend.ModelRequest, schema bool) (backend.ModelReply, error) {
	body := chatRequest{Model: c.model}
	for _, m := range r.Messages {
		role := m.Role
		if role != "system" && role != "assistant" {
			role = "user"
		}
		body.Messages = append(body.Messages, chatMessage{Role: role, Content: m.Content})
	}
	if r.MaxTokens > 0 {
		if c.completionT.Load() {
			body.MaxCompletionTokens = r.MaxTokens
		} else {
			body.MaxTokens = r.MaxTokens
		}
	}
	if schema {
		if !json.Valid([]byte(r.Schema)) {
			return backend.ModelReply{}, &backend.Error{Code: backend.EINTERNAL, Message: "the answer's schema is not JSON"}
		}
		body.ResponseFormat = &responseFormat{Type: "json_schema", JSONSchema: &jsonSchema{Name: nonEmpty(r.SchemaName, "answer"), Schema: json.RawMessage(r.Schema), Strict: true}}
	}
	var res chatResponse
	if err := c.do(ctx, http.MethodPost, "/chat/completions", body, &res); err != nil {
		return backend.ModelReply{}, err
	}
	if len(res.Choices) == 0 {
		return backend.ModelReply{}, &backend.Error{Code: backend.EUNAVAILABLE, Message: fmt.Sprintf("the model at %s answered with no choices", c.host)}
	}
	msg := res.Choices[0].Message
	content := ""
	if msg.Content != nil {
		content = *msg.Content
	}
	if content == "" && msg.Refusal != nil && *msg.Refusal != "" {
		return backend.ModelReply{}, &backend.Error{Code: backend.EINVALID, Message: "the model refused to answer: " + clip(c.scrub(*msg.Refusal), 200)}
	}
	return backend.ModelReply{
		Content: content, Model: nonEmpty(res.Model, c.model),
		PromptTokens: res.Usage.PromptTokens, CompletionTokens: res.Usage.CompletionTokens,
	}, nil
}

// maxAnswer bounds an answer read.
const maxAnswer = 4 << 20

// apiError is an HTTP failure with the OpenAI-shaped error body, when
// there was one: {"error": {"message", "type", "param", "code"}}.
type apiError struct {
	StatusCode int
	Header     http.Header
	Message    string
	Type       string
	Param      string
	Code       string
	raw        string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("HTTP %d %s: %s", e.StatusCode, e.Code, e.Message)
}

// do sends one request and decodes a 2xx answer into out.
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var rd io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return &backend.Error{Code: backend.EINTERNAL, Err: err}
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return &backend.Error{Code: backend.EINTERNAL, Message: "the model's request cannot be made", Err: scrubbed(c.scrub(err.Error()))}
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		ae := &apiError{StatusCode: resp.StatusCode, Header: resp.Header, raw: string(data)}
		var body struct {
			Error *struct {
				Message string          `json:"message"`
				Type    string          `json:"type"`
				Param   json.RawMessage `json:"param"`
				Code    json.RawMessage `json:"code"`
			} `json:"error"`
		}
		if json.Unmarshal(data, &body) == nil && body.Error != nil {
			ae.Message, ae.Type = body.Error.Message, body.Error.Type
			ae.Param, ae.Code = rawString(body.Error.Param), rawString(body.Error.Code)
		} else {
			ae.Message = clip(strings.TrimSpace(string(data)), 200)
		}
		return ae
	}
	if err := json.Unmarshal(data, out); err != nil {
		return &backend.Error{Code: backend.EUNAVAILABLE, Message: fmt.Sprintf("the model at %s sent an answer CaseyOS cannot read", c.host),
			Err: fmt.Errorf("%d bytes of %s", len(data), resp.Header.Get("Content-Type"))}
	}
	return nil
}

// rawString reads a JSON string, number or null as text.
func rawString(r json.RawMessage) string {
	var s string
	if json.Unmarshal(r, &s) == nil {
		return s
	}
	if string(r) == "null" {
		return ""
	}
	return string(r)
}

// Check makes the cheapest call that proves the URL, the model and the
// key: a chat completion of one token.
func (c *Client) Check(ctx context.Context) error {
	_, err := c.Complete(ctx, backend.ModelRequest{
		Messages:  []backend.ModelMessage{{Role: "user", Content: "Reply with OK."}},
		MaxTokens: 1,
	})
	if err != nil {
		return &backend.Error{Code: backend.ErrorCode(err), Op: "llm.Check",
			Message: fmt.Sprintf("the model %s at %s did not answer the check: %s", c.model, c.base, backend.ErrorMessage(err)), Err: err}
	}
	return nil
}

// Models lists the models the server offers (GET /models).
func (c *Client) Models(ctx context.Context) ([]string, error) {
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var page struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := c.do(ctx, http.MethodGet, "/models", nil, &page); err != nil {
		return nil, c.mapError(ctx, parent, "llm.Models", err)
	}
	var out []string
	for _, m := range page.Data {
		out = append(out, m.ID)
	}
	return out, nil
}

// mapError maps a failure to a backend Error whose message never holds
// the key.
func (c *Client) mapError(ctx, parent context.Context, op string, err error) error {
	var be *backend.Error
	if errors.As(err, &be) {
		return err
	}
	if parent.Err() != nil {
		return parent.Err()
	}
	var ae *apiError
	if !errors.As(err, &ae) {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
			return &backend.Error{Code: backend.EUNAVAILABLE, Op: op, Message: fmt.Sprintf("the model at %s did not answer within %s", c.host, c.timeout), Err: scrubbed(c.scrub(err.Error()))}
		}
		return &backend.Error{Code: backend.EUNAVAILABLE, Op: op, Message: fmt.Sprintf("the model at %s cannot be reached", c.base), Err: scrubbed(c.scrub(err.Error()))}
	}
	detail := scrubbed(fmt.Sprintf("HTTP %d %s: %s", ae.StatusCode, ae.Code, clip(c.scrub(ae.Message), 300)))
	h := ae.Header
	switch st := ae.StatusCode; {
	case st == http.StatusUnauthorized || st == http.StatusForbidden:
		msg := "the model refused the API key: reconnect the model (caseyos connect llm --key-stdin, or Settings)"
		if c.key == "" {
			msg = "the model needs an API key: reconnect the model with one (caseyos connect llm --key-stdin, or Settings)"
		}
		return &backend.Error{Code: backend.EUNAUTHORIZED, Op: op, Message: msg, Err: detail}
	case st == http.StatusTooManyRequests && (ae.Code == "insufficient_quota" || ae.Type == "insufficient_quota"):
		return &backend.Error{Code: backend.EUNAVAILABLE, Op: op, Message: "the model's account has no quota left: check its plan and billing", Err: detail}
	case st == http.StatusTooManyRequests:
		rl := &backend.RateLimited{Limit: "rate limit", Err: detail}
		msg := "the model's rate limit is reached"
		if wait, ok := backend.ParseRetryAfter(h.Get("Retry-After"), time.Now()); ok {
			rl.Wait = wait
			msg += fmt.Sprintf("; it asked to wait %s", max(wait.Round(time.Second), time.Second))
		}
		return &backend.Error{Code: backend.EUNAVAILABLE, Op: op, Message: msg, Err: rl}
	case st >= 500:
		return &backend.Error{Code: backend.EUNAVAILABLE, Op: op, Message: fmt.Sprintf("the model at %s is having trouble (HTTP %d)", c.host, st), Err: detail}
	case st == http.StatusNotFound:
		return &backend.Error{Code: backend.ENOTFOUND, Op: op, Message: fmt.Sprintf("%s has no model %q (or the URL is not an OpenAI-compatible API base)", c.base, c.model), Err: detail}
	}
	return &backend.Error{Code: backend.EINVALID, Op: op, Message: fmt.Sprintf("the model at %s refused the request (HTTP %d): %s", c.host, ae.StatusCode, clip(c.scrub(ae.Message), 200)), Err: detail}
}

// scrub removes the key, and anything shaped like one, from text.
func (c *Client) scrub(s string) string {
	if c.key != "" {
		s = strings.ReplaceAll(s, c.key, "[key]")
	}
	f := strings.Fields(s)
	changed := false
	for i, w := range f {
		if strings.HasPrefix(w, "sk-") || strings.HasPrefix(w, "xai-") || strings.HasPrefix(w, "AIza") {
			f[i], changed = "[key]", true
		}
	}
	if changed {
		return strings.Join(f, " ")
	}
	return s
}

// scrubbed is a cause whose text was scrubbed of the key.
type scrubbed string

func (s scrubbed) Error() string { return string(s) }

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// redact drops credentials and the query from a URL for an error message.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unreadable)"
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}

func nonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
