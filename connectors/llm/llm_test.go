package llm_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/llm"
	"github.com/caseyos/caseyos/connectors/llm/llmtest"
)

const testKey = "sk-test-0123456789abcdef"

func newClient(tb testing.TB, srv *llmtest.Server, key string, timeout time.Duration) *llm.Client {
	tb.Helper()
	c, err := llm.New(llm.Config{BaseURL: srv.URL(), Model: "gpt-test", APIKey: key, Timeout: timeout})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func replyRequest() backend.ModelRequest {
	return backend.ModelRequest{
		Messages: []backend.ModelMessage{
			{Role: "system", Content: `Write the reply. Answer with JSON only: {"body": "...", "intent": "..."}.`},
			{Role: "user", Content: "From: Dana Scully <dana@acme.example>\nSubject: pricing\n\nTheir email:\nWhat does it cost for 40 engineers?\n\nFacts:\n- Team plan is $30 per seat a month\n\nSign as: Casey\n"},
		},
		SchemaName: "reply",
		Schema:     `{"type":"object","properties":{"body":{"type":"string"},"intent":{"type":"string"}},"required":["body","intent"],"additionalProperties":false}`,
		MaxTokens:  600,
	}
}

func wantCode(tb testing.TB, err error, code string) {
	tb.Helper()
	if got := backend.ErrorCode(err); got != code {
		tb.Fatalf("error %v: code %q, want %q", err, got, code)
	}
}

func TestClient_Complete(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		t.Setenv("OPENAI_API_KEY", "sk-from-the-environment")
		t.Setenv("OPENAI_BASE_URL", "http://127.0.0.1:1/v1")
		srv := llmtest.NewTestServer(t, llmtest.Options{APIKey: testKey, Models: []string{"gpt-test"}})
		c := newClient(t, srv, testKey, 0)
		r, err := c.Complete(context.Background(), replyRequest())
		if err != nil {
			t.Fatal(err)
		}
		reqs := srv.Requests()
		if len(reqs) != 1 {
			t.Fatalf("%d requests, want 1", len(reqs))
		}
		q := reqs[0]
		if q.Path != "/v1/chat/completions" || q.Model != "gpt-test" || q.Auth != "Bearer "+testKey {
			t.Errorf("request %s model %q auth %q, want /v1/chat/completions gpt-test with the configured key", q.Path, q.Model, q.Auth)
		}
		if q.Format != "json_schema" || q.SchemaName != "reply" || !q.Strict || !strings.Contains(string(q.Schema), `"body"`) {
			t.Errorf("response_format %q %q strict %v schema %s, want json_schema reply strict", q.Format, q.SchemaName, q.Strict, q.Schema)
		}
		if q.MaxTokens != 600 || q.MaxCompletion {
			t.Errorf("max tokens %d (max_completion %v), want max_tokens 600", q.MaxTokens, q.MaxCompletion)
		}
		want := replyRequest().Messages
		if len(q.Messages) != len(want) {
			t.Fatalf("messages %+v, want %+v", q.Messages, want)
		}
		for i, m := range want {
			if q.Messages[i].Role != m.Role || q.Messages[i].Content != m.Content {
				t.Errorf("message %d = %+v, want %+v", i, q.Messages[i], m)
			}
		}
		var a struct{ Body, Intent string }
		if err := json.Unmarshal([]byte(r.Content), &a); err != nil {
			t.Fatalf("content %q: %v", r.Content, err)
		}
		if !strings.HasPrefix(a.Body, "Hi Dana,") || !strings.Contains(a.Body, "$30 per seat") || a.Intent != "pricing_question" {
			t.Errorf("answer %+v, want a draft to Dana with the fact, intent pricing_question", a)
		}
		if r.Model != "gpt-test" || r.PromptTokens == 0 || r.CompletionTokens == 0 || r.Tokens() != r.PromptTokens+r.CompletionTokens {
			t.Errorf("reply %+v, want the model and the usage", r)
		}
	})
	t.Run("NoKeyForALocalServer", func(t *testing.T) {
		t.Setenv("OPENAI_API_KEY", "sk-from-the-environment")
		srv := llmtest.NewTestServer(t, llmtest.Options{})
		c := newClient(t, srv, "", 0)
		if _, err := c.Complete(context.Background(), replyRequest()); err != nil {
			t.Fatal(err)
		}
		if a := srv.Requests()[0].Auth; strings.Contains(a, "environment") {
			t.Errorf("Authorization %q: the environment's key was sent", a)
		}
	})
	t.Run("ServerWithoutJSONSchema", func(t *testing.T) {
		srv := llmtest.NewTestServer(t, llmtest.Options{RejectSchema: true})
		c := newClient(t, srv, "", 0)
		for i := 0; i < 2; i++ {
			r, err := c.Complete(context.Background(), replyRequest())
			if err != nil {
				t.Fatalf("call %d: %v", i, err)
			}
			if !json.Valid([]byte(r.Content)) {
				t.Errorf("call %d: content %q is not JSON", i, r.Content)
			}
		}
		var formats []string
		for _, q := range srv.Requests() {
			formats = append(formats, q.Format)
		}
		if strings.Join(formats, ",") != "json_schema,," {
			t.Errorf("formats sent %q, want json_schema once, then none (the prompt asks for JSON)", formats)
		}
	})
	t.Run("AnswerNotJSON", func(t *testing.T) {
		srv := llmtest.NewTestServer(t, llmtest.Options{})
		srv.Malformed(1)
		c := newClient(t, srv, "", 0)
		r, err := c.Complete(context.Background(), replyRequest())
		if err != nil {
			t.Fatal(err)
		}
		reqs := srv.Requests()
		if len(reqs) != 2 || reqs[1].Format != "" || !json.Valid([]byte(r.Content)) {
			t.Errorf("%d requests (second format %q), content %q: want one retry without json_schema and JSON", len(reqs), reqs[len(reqs)-1].Format, r.Content)
		}
	})
	t.Run("MaxCompletionTokens", func(t *testing.T) {
		srv := llmtest.NewTestServer(t, llmtest.Options{RejectMaxTokens: true})
		c := newClient(t, srv, "", 0)
		if _, err := c.Complete(context.Background(), replyRequest()); err != nil {
			t.Fatal(err)
		}
		reqs := srv.Requests()
		if last := reqs[len(reqs)-1]; !last.MaxCompletion || last.MaxTokens != 600 {
			t.Errorf("last request %+v, want max_completion_tokens 600", last)
		}
	})
}

func TestClient_Errors(t *testing.T) {
	ctx := context.Background()
	t.Run("ErrUnauthorized", func(t *testing.T) {
		srv := llmtest.NewTestServer(t, llmtest.Options{APIKey: testKey})
		wrong := "sk-wrong-9876543210fedcba"
		_, err := newClient(t, srv, wrong, 0).Complete(ctx, replyRequest())
		wantCode(t, err, backend.EUNAUTHORIZED)
		if !strings.Contains(backend.ErrorMessage(err), "reconnect the model") {
			t.Errorf("message %q, want it to say to reconnect the model", backend.ErrorMessage(err))
		}
		if strings.Contains(err.Error(), wrong) || strings.Contains(err.Error(), wrong[3:len(wrong)-4]) {
			t.Errorf("error %q holds the key", err)
		}
	})
	t.Run("ErrRateLimitedWithRetryAfter", func(t *testing.T) {
		srv := llmtest.NewTestServer(t, llmtest.Options{})
		srv.RateLimit(1, "7")
		_, err := newClient(t, srv, "", 0).Complete(ctx, replyRequest())
		wantCode(t, err, backend.EUNAVAILABLE)
		var rl *backend.RateLimited
		if wait, ok := backend.RetryAfter(err); !ok || wait != 7*time.Second || !asRateLimited(err, &rl) {
			t.Errorf("RetryAfter(%v) = %v, %v; want 7s from a backend.RateLimited", err, wait, ok)
		}
		if n := len(srv.Requests()); n != 1 {
			t.Errorf("%d requests, want 1: the connector never retries on its own", n)
		}
	})
	t.Run("ErrRateLimitedWithoutRetryAfter", func(t *testing.T) {
		srv := llmtest.NewTestServer(t, llmtest.Options{})
		srv.RateLimit(1, "")
		_, err := newClient(t, srv, "", 0).Complete(ctx, replyRequest())
		wantCode(t, err, backend.EUNAVAILABLE)
		var rl *backend.RateLimited
		if !asRateLimited(err, &rl) || rl.Wait != 0 {
			t.Errorf("error %v: want a backend.RateLimited with no wait", err)
		}
	})
	t.Run("ErrNoQuota", func(t *testing.T) {
		srv := llmtest.NewTestServer(t, llmtest.Options{})
		srv.NoQuota(1)
		_, err := newClient(t, srv, "", 0).Complete(ctx, replyRequest())
		wantCode(t, err, backend.EUNAVAILABLE)
		if _, ok := backend.RetryAfter(err); ok {
			t.Errorf("no quota %v carries a wait: waiting will not help", err)
		}
	})
	t.Run("ErrServer", func(t *testing.T) {
		srv := llmtest.NewTestServer(t, llmtest.Options{})
		srv.Fail(1, 503)
		_, err := newClient(t, srv, "", 0).Complete(ctx, replyRequest())
		wantCode(t, err, backend.EUNAVAILABLE)
	})
	t.Run("ErrSlow", func(t *testing.T) {
		srv := llmtest.NewTestServer(t, llmtest.Options{})
		srv.Slow(1, 3*time.Second)
		start := time.Now()
		_, err := newClient(t, srv, "", 200*time.Millisecond).Complete(ctx, replyRequest())
		wantCode(t, err, backend.EUNAVAILABLE)
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("a slow model held the call %s, want the 200ms timeout", d)
		}
	})
	t.Run("ErrUnknownModel", func(t *testing.T) {
		srv := llmtest.NewTestServer(t, llmtest.Options{Models: []string{"other"}})
		_, err := newClient(t, srv, "", 0).Complete(ctx, replyRequest())
		wantCode(t, err, backend.ENOTFOUND)
	})
	t.Run("ErrUnreachable", func(t *testing.T) {
		c, err := llm.New(llm.Config{BaseURL: "http://127.0.0.1:1/v1", Model: "m"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Complete(ctx, replyRequest())
		wantCode(t, err, backend.EUNAVAILABLE)
	})
	t.Run("ErrKeyOverPlainHTTP", func(t *testing.T) {
		_, err := llm.New(llm.Config{BaseURL: "http://models.example/v1", Model: "m", APIKey: testKey})
		wantCode(t, err, backend.EINVALID)
	})
}

func asRateLimited(err error, rl **backend.RateLimited) bool {
	for e := err; e != nil; {
		if r, ok := e.(*backend.RateLimited); ok {
			*rl = r
			return true
		}
		u, ok := e.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		e = u.Unwrap()
	}
	return false
}

func TestClient_Check(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		srv := llmtest.NewTestServer(t, llmtest.Options{APIKey: testKey})
		if err := newClient(t, srv, testKey, 0).Check(context.Background()); err != nil {
			t.Fatal(err)
		}
		q := srv.Requests()[0]
		if q.MaxTokens != 1 || q.Format != "" {
			t.Errorf("check sent max_tokens %d format %q, want one token and no schema", q.MaxTokens, q.Format)
		}
	})
	t.Run("ErrNamesTheURL", func(t *testing.T) {
		srv := llmtest.NewTestServer(t, llmtest.Options{APIKey: testKey})
		err := newClient(t, srv, "sk-wrong-key-000000", 0).Check(context.Background())
		wantCode(t, err, backend.EUNAUTHORIZED)
		if !strings.Contains(backend.ErrorMessage(err), srv.URL()) {
			t.Errorf("message %q does not name %s", backend.ErrorMessage(err), srv.URL())
		}
	})
}

func TestClient_Models(t *testing.T) {
	srv := llmtest.NewTestServer(t, llmtest.Options{Models: []string{"a", "b"}})
	got, err := newClient(t, srv, "", 0).Models(context.Background())
	if err != nil || strings.Join(got, ",") != "a,b" {
		t.Errorf("Models() = %v, %v; want [a b]", got, err)
	}
}
