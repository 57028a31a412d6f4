package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"

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
	chat    openai.ChatCompletionService
	models  openai.ModelService
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
	c := &Client{base: base, host: u.Host, model: cfg.Model, key: cfg.APIKey, timeout: cfg.Timeout}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	// The services are built without openai.NewClient, which would read
	// OPENAI_API_KEY, OPENAI_ORG_ID and friends from the environment.
	opts := []option.RequestOption{
		option.WithBaseURL(base + "/"), option.WithHTTPClient(hc), option.WithMaxRetries(0),
		option.WithAPIKey(cfg.APIKey),
	}
	c.chat = openai.NewChatCompletionService(opts...)
	c.models = openai.NewModelService(opts...)
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
			var ae *openai.Error
			if errors.As(err, &ae) && ae.StatusCode == http.StatusBadRequest && attempt < 2 {
				msg := strings.ToLower(ae.Message + " " + ae.Param + " " + ae.RawJSON())
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

func (c *Client) complete(ctx context.Context, r backend.ModelRequest, schema bool) (backend.ModelReply, error) {
	p := openai.ChatCompletionNewParams{Model: shared.ChatModel(c.model)}
	for _, m := range r.Messages {
		switch m.Role {
		case "system":
			p.Messages = append(p.Messages, openai.SystemMessage(m.Content))
		case "assistant":
			p.Messages = append(p.Messages, openai.AssistantMessage(m.Content))
		default:
			p.Messages = append(p.Messages, openai.UserMessage(m.Content))
		}
	}
	if r.MaxTokens > 0 {
		if c.completionT.Load() {
			p.MaxCompletionTokens = openai.Int(int64(r.MaxTokens))
		} else {
			p.MaxTokens = openai.Int(int64(r.MaxTokens))
		}
	}
	if schema {
		var doc map[string]any
		if err := json.Unmarshal([]byte(r.Schema), &doc); err != nil {
			return backend.ModelReply{}, &backend.Error{Code: backend.EINTERNAL, Message: "the answer's schema is not JSON", Err: err}
		}
		p.ResponseFormat = openai.ChatCompletionNewParamsResponseFormatUnion{OfJSONSchema: &shared.ResponseFormatJSONSchemaParam{
			JSONSchema: shared.ResponseFormatJSONSchemaJSONSchemaParam{Name: nonEmpty(r.SchemaName, "answer"), Schema: doc, Strict: openai.Bool(true)},
		}}
	}
	res, err := c.chat.New(ctx, p)
	if err != nil {
		return backend.ModelReply{}, err
	}
	if len(res.Choices) == 0 {
		return backend.ModelReply{}, &backend.Error{Code: backend.EUNAVAILABLE, Message: fmt.Sprintf("the model at %s answered with no choices", c.host)}
	}
	msg := res.Choices[0].Message
	if msg.Content == "" && msg.Refusal != "" {
		return backend.ModelReply{}, &backend.Error{Code: backend.EINVALID, Message: "the model refused to answer: " + clip(c.scrub(msg.Refusal), 200)}
	}
	return backend.ModelReply{
		Content: msg.Content, Model: nonEmpty(res.Model, c.model),
		PromptTokens: int(res.Usage.PromptTokens), CompletionTokens: int(res.Usage.CompletionTokens),
	}, nil
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
	page, err := c.models.List(ctx)
	if err != nil {
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
	var ae *openai.Error
	if !errors.As(err, &ae) {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
			return &backend.Error{Code: backend.EUNAVAILABLE, Op: op, Message: fmt.Sprintf("the model at %s did not answer within %s", c.host, c.timeout), Err: scrubbed(c.scrub(err.Error()))}
		}
		return &backend.Error{Code: backend.EUNAVAILABLE, Op: op, Message: fmt.Sprintf("the model at %s cannot be reached", c.base), Err: scrubbed(c.scrub(err.Error()))}
	}
	detail := scrubbed(fmt.Sprintf("HTTP %d %s: %s", ae.StatusCode, ae.Code, clip(c.scrub(ae.Message), 300)))
	var h http.Header
	if ae.Response != nil {
		h = ae.Response.Header
	}
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
