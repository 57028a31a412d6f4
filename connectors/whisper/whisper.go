package whisper

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime/multipart"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/caseyos/caseyos/backend"

	"github.com/caseyos/caseyos/connectors/voice/wav"
)

// Defaults and limits.
const (
	// OpenAIBaseURL is OpenAI's API.
	OpenAIBaseURL = "https://api.openai.com/v1"
	// DefaultModel is OpenAI's Whisper model; whisper.cpp ignores the name.
	DefaultModel = "whisper-1"
	// DefaultTimeout bounds one Recognize, a retry included: a command
	// heard later than this is better answered by the offline recognizer.
	DefaultTimeout = 4 * time.Second
	// DefaultMaxRetryWait is the longest retry-after a rate-limited
	// request waits out before its one retry.
	DefaultMaxRetryWait = 1500 * time.Millisecond
	// MaxUpload is the endpoint's request cap (25 MB).
	MaxUpload = 25 << 20
	// FileName is the name the audio is sent under: the service tells the
	// format from its extension.
	FileName = "utterance.wav"
	// Prompt lists the command words so that Whisper spells them as the
	// grammar does ("read it", not "Reddit").
	Prompt = "Voice commands: approve, execute, skip, skip it, next, previous, undo, read it, snooze, confirm, cancel, stop listening, hey Casey."
)

// maxAnswer bounds the response body read: a command's transcript is a
// few words.
const maxAnswer = 1 << 20

// Waits the service does not announce, returned by backend.RetryAfter.
const (
	networkWait     = 15 * time.Second
	timeoutWait     = 10 * time.Second
	serverErrorWait = 10 * time.Second
	rateLimitWait   = time.Second // a 429 without retry-after
)

// Config wires a Recognizer.
type Config struct {
	// BaseURL is the API base: OpenAIBaseURL, or a whisper.cpp server's
	// (http://127.0.0.1:8080/v1 when started with --inference-path
	// /v1/audio/transcriptions). Required.
	BaseURL string
	// Model is sent as `model` (default DefaultModel).
	Model string
	// APIKey is sent as a bearer token; "" sends none (whisper.cpp). It is
	// only ever sent over https, or plain http to this machine.
	APIKey string
	// Language is the ISO-639-1 code of the speech (default "en").
	Language string
	// Prompt guides the spelling (default Prompt).
	Prompt string
	// Timeout bounds one Recognize, a retry included (default
	// DefaultTimeout).
	Timeout time.Duration
	// MaxRetryWait is the longest retry-after worth waiting for before the
	// one retry of a rate-limited request (default DefaultMaxRetryWait).
	MaxRetryWait time.Duration
	// HTTPClient sends the requests (default: a plain client; the deadline
	// comes from Timeout).
	HTTPClient *http.Client
}

// Recognizer transcribes utterances through a Whisper-compatible endpoint.
// It is safe for concurrent use.
type Recognizer struct {
	endpoint string // {base}/audio/transcriptions
	host     string
	model    string
	key      string
	language string
	prompt   string
	timeout  time.Duration
	maxRetry time.Duration
	http     *http.Client
}

var _ backend.Recognizer = (*Recognizer)(nil)

// New returns a Recognizer for cfg; it makes no request.
func New(cfg Config) (*Recognizer, error) {
	base := strings.TrimRight(strings.TrimSpace(cfg.BaseURL), "/")
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, backend.Errorf(backend.EINVALID, "the transcription URL %q is not an http(s) API base such as %s", redactURL(cfg.BaseURL), OpenAIBaseURL)
	}
	if cfg.APIKey != "" && u.Scheme == "http" && !loopback(u.Hostname()) {
		return nil, backend.Errorf(backend.EINVALID, "an API key is only sent over https (or to this machine): use https://%s%s", u.Host, u.Path)
	}
	r := &Recognizer{
		endpoint: base + "/audio/transcriptions", host: u.Host, model: cfg.Model, key: cfg.APIKey,
		language: cfg.Language, prompt: cfg.Prompt, timeout: cfg.Timeout, maxRetry: cfg.MaxRetryWait, http: cfg.HTTPClient,
	}
	if r.model == "" {
		r.model = DefaultModel
	}
	if r.language == "" {
		r.language = "en"
	}
	if r.prompt == "" {
		r.prompt = Prompt
	}
	if r.timeout <= 0 {
		r.timeout = DefaultTimeout
	}
	if r.maxRetry <= 0 {
		r.maxRetry = DefaultMaxRetryWait
	}
	if r.http == nil {
		r.http = &http.Client{}
	}
	return r, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Name says which endpoint and model answer: "whisper-1 at api.openai.com".
func (r *Recognizer) Name() string { return r.model + " at " + r.host }

// Recognize transcribes pcm (16 kHz mono) and accepts the transcript only
// when it is one whole command.
func (r *Recognizer) Recognize(ctx context.Context, pcm []int16) (string, bool, error) {
	text, err := r.Transcribe(ctx, pcm)
	if err != nil {
		return "", false, err
	}
	return text, backend.ParseIntent(text) != backend.IntentNone, nil
}

// Transcribe returns what the endpoint heard in pcm, trimmed. Audio
// shorter than the service's 0.1 s minimum is silence, without a request.
func (r *Recognizer) Transcribe(ctx context.Context, pcm []int16) (string, error) {
	const op = "whisper.Transcribe"
	if len(pcm) < wav.SampleRate/10 {
		return "", nil
	}
	body, contentType, err := r.form(pcm)
	if err != nil {
		return "", &backend.Error{Code: backend.EINTERNAL, Op: op, Err: err}
	}
	if len(body) > MaxUpload {
		return "", &backend.Error{Code: backend.EINVALID, Op: op, Message: "the utterance is longer than the transcription endpoint accepts (25 MB)"}
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	for attempt := 0; ; attempt++ {
		text, wait, err := r.post(ctx, parent, op, body, contentType)
		if wait <= 0 || attempt > 0 {
			return text, err
		}
		// A short rate-limit wait is worth it once, if the deadline allows.
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait+200*time.Millisecond {
			return text, err
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			if parent.Err() != nil {
				return "", parent.Err()
			}
			return text, err
		}
	}
}

// form is the multipart body: the audio and the fields.
func (r *Recognizer) form(pcm []int16) ([]byte, string, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="`+FileName+`"`)
	h.Set("Content-Type", "audio/wav")
	part, err := mw.CreatePart(h)
	if err != nil {
		return nil, "", err
	}
	if _, err := part.Write(wav.Encode(pcm)); err != nil {
		return nil, "", err
	}
	for _, f := range [][2]string{{"model", r.model}, {"language", r.language}, {"prompt", r.prompt}, {"response_format", "json"}} {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			return nil, "", err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), mw.FormDataContentType(), nil
}

// post sends one request. A positive retry wait means a rate limit that one
// retry after that wait may get past.
func (r *Recognizer) post(ctx, parent context.Context, op string, body []byte, contentType string) (string, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.endpoint, bytes.NewReader(body))
	if err != nil {
		return "", 0, &backend.Error{Code: backend.EINTERNAL, Op: op, Err: r.scrubErr(err)}
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", "application/json")
	if r.key != "" {
		req.Header.Set("Authorization", "Bearer "+r.key)
	}
	resp, err := r.http.Do(req)
	if err != nil {
		return "", 0, r.transportError(ctx, parent, op, err)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	resp.Body.Close()
	if err != nil {
		return "", 0, r.transportError(ctx, parent, op, err)
	}
	if resp.StatusCode == http.StatusOK {
		var out struct {
			Text *string `json:"text"`
		}
		if err := json.Unmarshal(data, &out); err != nil || out.Text == nil {
			return "", 0, &backend.Error{Code: backend.EINTERNAL, Op: op, Message: "the transcription endpoint sent an answer CaseyOS cannot read",
				Err: fmt.Errorf("200 with %d bytes of %s", len(data), resp.Header.Get("Content-Type"))}
		}
		return strings.TrimSpace(*out.Text), 0, nil
	}
	ae := r.apiError(resp.StatusCode, data)
	if resp.StatusCode == http.StatusTooManyRequests && ae.Code != "insufficient_quota" && ae.Type != "insufficient_quota" {
		wait := retryAfter(resp.Header, rateLimitWait)
		err := unavailable(op, fmt.Sprintf("the transcription endpoint's rate limit is reached; trying it again in %s", roundUp(wait)), ae, wait)
		if wait <= r.maxRetry {
			return "", wait, err
		}
		return "", 0, err
	}
	return "", 0, r.statusError(op, resp.StatusCode, resp.Header, ae)
}

// transportError maps a failure to get an answer: the caller's own
// cancellation stays itself; our deadline and the network are unavailable.
func (r *Recognizer) transportError(ctx, parent context.Context, op string, err error) error {
	if parent.Err() != nil {
		return parent.Err()
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return unavailable(op, fmt.Sprintf("the transcription endpoint did not answer within %s", r.timeout), r.scrubErr(err), timeoutWait)
	}
	return unavailable(op, "the transcription endpoint cannot be reached", r.scrubErr(err), networkWait)
}

// statusError maps a non-2xx answer other than a retryable 429.
func (r *Recognizer) statusError(op string, st int, h http.Header, ae *APIError) error {
	switch {
	case st == http.StatusUnauthorized:
		msg := "the transcription endpoint refused the API key: save a valid one in Settings → Voice (or `caseyos connect whisper`)"
		if r.key == "" {
			msg = "the transcription endpoint needs an API key: save one in Settings → Voice (or `caseyos connect whisper --url URL --key-stdin`)"
		}
		return &backend.Error{Code: backend.EUNAUTHORIZED, Op: op, Message: msg, Err: ae}
	case st == http.StatusForbidden:
		return &backend.Error{Code: backend.EUNAUTHORIZED, Op: op, Message: "the transcription endpoint denied this key access: save another key in Settings → Voice (or `caseyos connect whisper`)", Err: ae}
	case st == http.StatusTooManyRequests: // insufficient_quota: waiting will not help
		return &backend.Error{Code: backend.EUNAVAILABLE, Op: op,
			Message: "the transcription account has no quota left: check its plan and billing, or save another key in Settings → Voice", Err: ae}
	case st >= 500:
		return unavailable(op, fmt.Sprintf("the transcription endpoint is having trouble (HTTP %d)", st), ae, retryAfter(h, serverErrorWait))
	case st == http.StatusNotFound && ae.Code == "model_not_found":
		return &backend.Error{Code: backend.ENOTFOUND, Op: op, Message: fmt.Sprintf("the transcription endpoint has no model %q: set the model in Settings → Voice (or `caseyos connect whisper --model`)", r.model), Err: ae}
	case st == http.StatusNotFound:
		return &backend.Error{Code: backend.ENOTFOUND, Op: op,
			Message: "nothing answers at " + r.host + "'s /audio/transcriptions: check the URL (a whisper.cpp server needs --inference-path /v1/audio/transcriptions)", Err: ae}
	case st == http.StatusRequestEntityTooLarge:
		return &backend.Error{Code: backend.EINVALID, Op: op, Message: "the utterance is larger than the transcription endpoint accepts", Err: ae}
	case st >= 400:
		return &backend.Error{Code: backend.EINVALID, Op: op, Message: "the transcription endpoint refused the request: " + clip(ae.Message, 200), Err: ae}
	}
	return &backend.Error{Code: backend.EINTERNAL, Op: op, Message: fmt.Sprintf("the transcription endpoint answered HTTP %d", st), Err: ae}
}

// APIError is an OpenAI-style error answer, its message scrubbed of keys.
type APIError struct {
	Status  int
	Type    string
	Code    string
	Message string
}

func (e *APIError) Error() string {
	kind := e.Code
	if kind == "" {
		kind = e.Type
	}
	if kind != "" {
		return fmt.Sprintf("transcription endpoint answered %d %s: %s", e.Status, kind, e.Message)
	}
	return fmt.Sprintf("transcription endpoint answered %d: %s", e.Status, e.Message)
}

func (r *Recognizer) apiError(st int, data []byte) *APIError {
	var env struct {
		Error struct {
			Message string `json:"message"`
			Type    string `json:"type"`
			Code    any    `json:"code"` // a string, or null; some servers send numbers
		} `json:"error"`
	}
	e := &APIError{Status: st}
	if json.Unmarshal(data, &env) == nil {
		e.Message, e.Type = env.Error.Message, env.Error.Type
		switch c := env.Error.Code.(type) {
		case string:
			e.Code = c
		case float64:
			e.Code = strconv.FormatFloat(c, 'f', -1, 64)
		}
	}
	if e.Message == "" {
		e.Message = http.StatusText(st)
	}
	e.Message = r.scrub(e.Message)
	return e
}

// keyLike matches what looks like an OpenAI key, masked or not.
var keyLike = regexp.MustCompile(`sk-[A-Za-z0-9_*\-]{3,}`)

// scrub removes the key, and anything that looks like one, from text that
// may be logged or shown.
func (r *Recognizer) scrub(s string) string {
	if r.key != "" {
		s = strings.ReplaceAll(s, r.key, "[key]")
	}
	return keyLike.ReplaceAllString(s, "sk-[redacted]")
}

// scrubErr flattens err to a scrubbed message (a *url.Error names the URL,
// never the header, but a proxy's error text could echo anything).
func (r *Recognizer) scrubErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && errors.Is(ue.Err, context.DeadlineExceeded) {
		return context.DeadlineExceeded
	}
	return errors.New(r.scrub(err.Error()))
}

// retryable is an unavailable failure that knows how long to wait.
type retryable struct {
	err  error
	wait time.Duration
}

func (e *retryable) Error() string             { return e.err.Error() }
func (e *retryable) Unwrap() error             { return e.err }
func (e *retryable) RetryAfter() time.Duration { return e.wait }

func unavailable(op, msg string, err error, wait time.Duration) error {
	return &backend.Error{Code: backend.EUNAVAILABLE, Op: op, Message: msg, Err: &retryable{err: err, wait: wait}}
}

// retryAfter reads retry-after-ms, then retry-after (seconds or an HTTP
// date), else def.
func retryAfter(h http.Header, def time.Duration) time.Duration {
	if ms, err := strconv.ParseFloat(h.Get("Retry-After-Ms"), 64); err == nil && ms >= 0 && !math.IsInf(ms, 0) && ms < 1e9 {
		return time.Duration(ms * float64(time.Millisecond))
	}
	v := h.Get("Retry-After")
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 && !math.IsInf(s, 0) && s < 1e6 {
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return def
}

func roundUp(d time.Duration) time.Duration {
	return max(d.Round(time.Second), time.Second)
}

// clip shortens s to n runes.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// redactURL hides credentials someone put in a URL, for messages.
func redactURL(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		u.User = url.User("…")
		return u.String()
	}
	return raw
}
