package whisper_test

import (
	"context"
	"errors"
	"math"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/whisper"
	"github.com/caseyos/caseyos/connectors/whisper/whispertest"

	"github.com/caseyos/caseyos/connectors/voice/wav"
)

// The key the fake accepts: distinctive, so that a leak is found by a
// plain search, down to the last four characters OpenAI's 401 shows.
const testKey = "sk-proj-7e57c0de5ec74e7ab0b0l3akf1nd3rZq9x"

// tone is seconds of a 440 Hz tone; seed makes each call's samples differ.
func tone(seconds float64, seed int) []int16 {
	pcm := make([]int16, int(seconds*wav.SampleRate))
	for i := range pcm {
		pcm[i] = int16(8000*math.Sin(2*math.Pi*440*float64(i)/wav.SampleRate)) + int16(seed)
	}
	return pcm
}

func newRecognizer(tb testing.TB, cfg whisper.Config) *whisper.Recognizer {
	tb.Helper()
	r, err := whisper.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// leaks reports whether s shows the key or the part OpenAI leaves unmasked.
func leaks(s string) bool {
	return strings.Contains(s, testKey) || strings.Contains(s, testKey[len(testKey)-4:]) || strings.Contains(s, "7e57c0de")
}

func TestRecognizer_Request(t *testing.T) {
	srv := whispertest.NewTestServer(t, whispertest.OpenAI(testKey))
	r := newRecognizer(t, whisper.Config{BaseURL: srv.URL() + "/", APIKey: testKey})
	pcm := tone(0.8, 0)
	srv.Transcript(pcm, " Skip.")
	text, ok, err := r.Recognize(context.Background(), pcm)
	if err != nil || text != "Skip." || !ok {
		t.Fatalf("Recognize = %q, %v, %v; want \"Skip.\", true", text, ok, err)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	q := reqs[0]
	if q.Method != http.MethodPost || q.Path != "/v1/audio/transcriptions" || q.Auth != "Bearer "+testKey ||
		!strings.HasPrefix(q.ContentType, "multipart/form-data; boundary=") {
		t.Errorf("request %s %s auth %q type %q", q.Method, q.Path, q.Auth, q.ContentType)
	}
	if q.Filename != "utterance.wav" || q.Model != "whisper-1" || q.Language != "en" || q.Format != "json" {
		t.Errorf("fields: file %q model %q language %q format %q", q.Filename, q.Model, q.Language, q.Format)
	}
	if !reflect.DeepEqual(q.PCM, pcm) {
		t.Error("the WAV the endpoint decoded is not the PCM sent")
	}
	for _, w := range []string{"approve", "skip", "read it", "snooze", "confirm", "cancel", "stop listening"} {
		if !strings.Contains(q.Prompt, w) {
			t.Errorf("prompt %q does not name %q", q.Prompt, w)
		}
	}
	if r.Name() != "whisper-1 at "+strings.TrimPrefix(strings.TrimSuffix(srv.URL(), "/v1"), "http://") {
		t.Errorf("Name() = %q", r.Name())
	}
}

// Every phrase in the prompt is a command, so the prompt never teaches
// Whisper a word the intent layer would then reject.
func TestPrompt_NamesCommands(t *testing.T) {
	list := strings.TrimSuffix(strings.TrimPrefix(whisper.Prompt, "Voice commands: "), ".")
	for _, p := range strings.Split(list, ", ") {
		if backend.ParseIntent(p) == backend.IntentNone {
			t.Errorf("prompt phrase %q is not a command", p)
		}
	}
}

func TestRecognizer_Recognize(t *testing.T) {
	srv := whispertest.NewTestServer(t, whispertest.OpenAI(testKey))
	r := newRecognizer(t, whisper.Config{BaseURL: srv.URL(), APIKey: testKey})
	cases := []struct {
		heard string
		want  bool
	}{
		{"Skip.", true},
		{" skip it ", true},
		{"Please approve.", true},
		{"Read it.", true},
		{"Hey, Casey!", true},
		{"Stop listening.", true},
		{"Okay, snooze.", true},
		{"skip lunch", false},
		{"Don't approve.", false},
		{"Thank you.", false}, // Whisper's favourite hallucination on noise
		{"", false},
	}
	for i, c := range cases {
		pcm := tone(0.5, i+1)
		srv.Transcript(pcm, c.heard)
		text, ok, err := r.Recognize(context.Background(), pcm)
		if err != nil || ok != c.want || text != strings.TrimSpace(c.heard) {
			t.Errorf("Recognize(%q) = %q, %v, %v; want ok %v", c.heard, text, ok, err, c.want)
		}
	}
}

// whisper.cpp's whisper-server: no key, its own model name.
func TestRecognizer_Local(t *testing.T) {
	srv := whispertest.NewTestServer(t, whispertest.Options{})
	r := newRecognizer(t, whisper.Config{BaseURL: srv.URL(), Model: "ggml-base.en"})
	srv.Say("next")
	text, ok, err := r.Recognize(context.Background(), tone(0.5, 0))
	if err != nil || text != "next" || !ok {
		t.Fatalf("Recognize = %q, %v, %v", text, ok, err)
	}
	if q := srv.Requests()[0]; q.Auth != "" || q.Model != "ggml-base.en" {
		t.Errorf("auth %q model %q, want no Authorization and the configured model", q.Auth, q.Model)
	}
}

func TestRecognizer_TooShort(t *testing.T) {
	srv := whispertest.NewTestServer(t, whispertest.Options{})
	r := newRecognizer(t, whisper.Config{BaseURL: srv.URL()})
	text, ok, err := r.Recognize(context.Background(), tone(0.05, 0))
	if text != "" || ok || err != nil || len(srv.Requests()) != 0 {
		t.Errorf("Recognize(50 ms) = %q, %v, %v with %d requests; want silence and no request", text, ok, err, len(srv.Requests()))
	}
}

func TestRecognizer_Errors(t *testing.T) {
	type check struct {
		code     string
		retry    bool          // backend.RetryAfter has a wait
		wait     time.Duration // and it is at least this
		requests int
		message  string // part of the safe message
	}
	cases := []struct {
		name  string
		key   string
		setup func(*whispertest.Server)
		cfg   func(*whisper.Config)
		want  check
	}{
		{"ErrWrongKey", "sk-proj-wrongwrongwrongwrongwrong", nil, nil, check{backend.EUNAUTHORIZED, false, 0, 1, "refused the API key"}},
		{"ErrNoKey", "", nil, nil, check{backend.EUNAUTHORIZED, false, 0, 1, "needs an API key"}},
		{"ErrRevoked", testKey, func(s *whispertest.Server) { s.Unauthorized(1) }, nil, check{backend.EUNAUTHORIZED, false, 0, 1, "refused the API key"}},
		{"ErrRateLimitLong", testKey, func(s *whispertest.Server) { s.RateLimit(1, 20*time.Second) }, nil, check{backend.EUNAVAILABLE, true, 20 * time.Second, 1, "rate limit"}},
		{"ErrRateLimitTwice", testKey, func(s *whispertest.Server) { s.RateLimit(2, 200*time.Millisecond) }, nil, check{backend.EUNAVAILABLE, true, 200 * time.Millisecond, 2, "rate limit"}},
		{"ErrNoQuota", testKey, func(s *whispertest.Server) { s.NoQuota(3) }, nil, check{backend.EUNAVAILABLE, false, 0, 1, "no quota left"}},
		{"Err500", testKey, func(s *whispertest.Server) { s.Fail(1, 500) }, nil, check{backend.EUNAVAILABLE, true, time.Second, 1, "having trouble"}},
		{"Err503", testKey, func(s *whispertest.Server) { s.Fail(1, 503) }, nil, check{backend.EUNAVAILABLE, true, time.Second, 1, "having trouble"}},
		{"ErrDropped", testKey, func(s *whispertest.Server) { s.Drop(1) }, nil, check{backend.EUNAVAILABLE, true, time.Second, 1, "cannot be reached"}},
		{"ErrSlow", testKey, func(s *whispertest.Server) { s.Slow(1, 3*time.Second) },
			func(c *whisper.Config) { c.Timeout = 300 * time.Millisecond }, check{backend.EUNAVAILABLE, true, time.Second, 1, "did not answer within 300ms"}},
		{"ErrModel", testKey, nil, func(c *whisper.Config) { c.Model = "whisper-9" }, check{backend.ENOTFOUND, false, 0, 1, `no model "whisper-9"`}},
		{"ErrPath", testKey, nil, func(c *whisper.Config) { c.BaseURL = strings.TrimSuffix(c.BaseURL, "/v1") }, check{backend.ENOTFOUND, false, 0, 1, "check the URL"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := whispertest.NewTestServer(t, whispertest.OpenAI(testKey))
			if c.setup != nil {
				c.setup(srv)
			}
			cfg := whisper.Config{BaseURL: srv.URL(), APIKey: c.key}
			if c.cfg != nil {
				c.cfg(&cfg)
			}
			r := newRecognizer(t, cfg)
			start := time.Now()
			text, ok, err := r.Recognize(context.Background(), tone(0.5, 0))
			if err == nil || text != "" || ok {
				t.Fatalf("Recognize = %q, %v, %v; want an error", text, ok, err)
			}
			if got := backend.ErrorCode(err); got != c.want.code {
				t.Errorf("ErrorCode = %s, want %s (%v)", got, c.want.code, err)
			}
			wait, retry := backend.RetryAfter(err)
			if retry != c.want.retry || wait < c.want.wait {
				t.Errorf("RetryAfter = %v, %v; want %v, at least %v", wait, retry, c.want.retry, c.want.wait)
			}
			if n := len(srv.Requests()); n != c.want.requests {
				t.Errorf("%d requests, want %d", n, c.want.requests)
			}
			if msg := backend.ErrorMessage(err); !strings.Contains(msg, c.want.message) {
				t.Errorf("message %q, want it to say %q", msg, c.want.message)
			}
			if leaks(err.Error()) || leaks(backend.ErrorMessage(err)) {
				t.Errorf("the error shows the key: %v", err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v: voice cannot wait that long", d)
			}
		})
	}
}

// The key OpenAI's 401 message quotes (masked, its end shown) is scrubbed.
func TestRecognizer_KeyNeverInErrors(t *testing.T) {
	srv := whispertest.NewTestServer(t, whispertest.OpenAI("sk-proj-the-right-one-0000000000"))
	r := newRecognizer(t, whisper.Config{BaseURL: srv.URL(), APIKey: testKey})
	_, _, err := r.Recognize(context.Background(), tone(0.5, 0))
	if backend.ErrorCode(err) != backend.EUNAUTHORIZED {
		t.Fatalf("err = %v, want unauthorized", err)
	}
	var ae *whisper.APIError
	if !errors.As(err, &ae) || ae.Code != "invalid_api_key" {
		t.Fatalf("cause = %#v, want the APIError", ae)
	}
	if leaks(err.Error()) || leaks(ae.Message) {
		t.Errorf("the error shows the key: %v", err)
	}
	if !strings.Contains(ae.Message, "sk-[redacted]") {
		t.Errorf("APIError message %q: want the quoted key redacted", ae.Message)
	}
	// A network failure's error names the endpoint, never the key.
	srv.Close()
	_, _, err = r.Recognize(context.Background(), tone(0.5, 0))
	if backend.ErrorCode(err) != backend.EUNAVAILABLE || leaks(err.Error()) {
		t.Errorf("with the endpoint down: %v, want unavailable without the key", err)
	}
}

// A short retry-after is waited out once; the retry then succeeds.
func TestRecognizer_RetryAfterOnce(t *testing.T) {
	srv := whispertest.NewTestServer(t, whispertest.OpenAI(testKey))
	r := newRecognizer(t, whisper.Config{BaseURL: srv.URL(), APIKey: testKey})
	srv.RateLimit(1, 400*time.Millisecond)
	srv.Say("undo")
	text, ok, err := r.Recognize(context.Background(), tone(0.5, 0))
	if err != nil || text != "undo" || !ok {
		t.Fatalf("Recognize = %q, %v, %v; want the retry's transcript", text, ok, err)
	}
	reqs := srv.Requests()
	if len(reqs) != 2 || reqs[0].Status != 429 || reqs[1].Status != 200 {
		t.Fatalf("requests = %d, want a 429 then a 200", len(reqs))
	}
	if gap := reqs[1].At.Sub(reqs[0].At); gap < 400*time.Millisecond {
		t.Errorf("retried after %v, want at least the 400ms retry-after", gap)
	}
}

// A retry that would not fit in the deadline is not attempted.
func TestRecognizer_RetryWithinDeadline(t *testing.T) {
	srv := whispertest.NewTestServer(t, whispertest.OpenAI(testKey))
	r := newRecognizer(t, whisper.Config{BaseURL: srv.URL(), APIKey: testKey, Timeout: 500 * time.Millisecond, MaxRetryWait: 2 * time.Second})
	srv.RateLimit(1, time.Second)
	_, _, err := r.Recognize(context.Background(), tone(0.5, 0))
	if backend.ErrorCode(err) != backend.EUNAVAILABLE || len(srv.Requests()) != 1 {
		t.Errorf("err %v after %d requests; want rate-limited after one", err, len(srv.Requests()))
	}
}

func TestRecognizer_TooLarge(t *testing.T) {
	srv := whispertest.NewTestServer(t, whispertest.Options{MaxBytes: 32 << 10})
	r := newRecognizer(t, whisper.Config{BaseURL: srv.URL()})
	_, _, err := r.Recognize(context.Background(), tone(2, 0))
	if backend.ErrorCode(err) != backend.EINVALID {
		t.Errorf("err = %v, want invalid for a 413", err)
	}
}

// The caller's own cancellation is not the endpoint's fault.
func TestRecognizer_Cancelled(t *testing.T) {
	srv := whispertest.NewTestServer(t, whispertest.Options{})
	srv.Slow(1, 2*time.Second)
	r := newRecognizer(t, whisper.Config{BaseURL: srv.URL()})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, _, err := r.Recognize(ctx, tone(0.5, 0)); !errors.Is(err, context.DeadlineExceeded) || backend.ErrorCode(err) == backend.EUNAVAILABLE {
		t.Errorf("err = %v, want the caller's context error", err)
	}
}

func TestNew(t *testing.T) {
	cases := []struct {
		name string
		cfg  whisper.Config
		code string
	}{
		{"OK_OpenAI", whisper.Config{BaseURL: whisper.OpenAIBaseURL, APIKey: testKey}, ""},
		{"OK_LocalHTTPWithKey", whisper.Config{BaseURL: "http://127.0.0.1:8080/v1", APIKey: testKey}, ""},
		{"OK_LocalhostNoKey", whisper.Config{BaseURL: "http://localhost:8080/v1"}, ""},
		{"ErrEmpty", whisper.Config{}, backend.EINVALID},
		{"ErrScheme", whisper.Config{BaseURL: "ftp://example.com/v1"}, backend.EINVALID},
		{"ErrUserInfo", whisper.Config{BaseURL: "https://me:" + testKey + "@example.com/v1"}, backend.EINVALID},
		{"ErrPlainHTTPKey", whisper.Config{BaseURL: "http://whisper.example.com/v1", APIKey: testKey}, backend.EINVALID},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := whisper.New(c.cfg)
			if got := backend.ErrorCode(err); got != c.code {
				t.Errorf("New(%s) = %v, want code %q", c.cfg.BaseURL, err, c.code)
			}
			if err != nil && leaks(err.Error()) {
				t.Errorf("the error shows the key: %v", err)
			}
		})
	}
}
