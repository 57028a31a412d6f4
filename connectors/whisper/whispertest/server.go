package whispertest

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caseyos/caseyos/connectors/voice/wav"
)

// MaxBytes is the endpoint's request cap: OpenAI refuses bodies over 25 MB.
const MaxBytes = 25 << 20

// Options configure a Server. The zero value is a whisper.cpp server: no
// key, and any model name (whisper-server ignores it).
type Options struct {
	// APIKey, when set, is the one bearer key the server accepts, as
	// OpenAI does; "" accepts any request, as whisper.cpp does.
	APIKey string
	// Models are the model names accepted; nil accepts any. OpenAI's is
	// []string{"whisper-1"}.
	Models []string
	// MaxBytes caps the request body (default MaxBytes); tests lower it to
	// reach the cap with a short utterance.
	MaxBytes int64
}

// Request is what the server received, for tests to assert on.
type Request struct {
	Method, Path string
	Auth         string // the Authorization header
	ContentType  string
	Filename     string // of the file part
	Model        string
	Language     string
	Prompt       string
	Format       string // response_format
	PCM          []int16
	Status       int    // what the server answered
	Code         string // the error's code or type, "" on success
	At           time.Time
}

// Server is a fake transcription endpoint. It is safe for concurrent use.
type Server struct {
	opts Options

	mu          sync.Mutex
	transcripts map[string]string // Hash(pcm) → text
	queue       []string          // what the next utterances say
	faults      []fault
	requests    []Request

	httpSrv *http.Server
	url     string
}

type faultKind int

const (
	faultUnauthorized faultKind = iota + 1
	faultRateLimit
	faultNoQuota
	faultStatus
	faultSlow
	faultDrop
)

type fault struct {
	kind   faultKind
	status int
	wait   time.Duration // retry-after, or the delay of a slow answer
}

// New returns a fake with nothing scripted.
func New(opts Options) *Server {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = MaxBytes
	}
	return &Server{opts: opts, transcripts: map[string]string{}}
}

// OpenAI returns Options like OpenAI's: the key key and the model whisper-1.
func OpenAI(key string) Options { return Options{APIKey: key, Models: []string{"whisper-1"}} }

// NewTestServer starts a fake on a loopback port, stopped when tb ends.
func NewTestServer(tb testing.TB, opts Options) *Server {
	tb.Helper()
	s := New(opts)
	if _, err := s.Start("127.0.0.1:0"); err != nil {
		tb.Fatalf("start fake transcription endpoint: %v", err)
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

// URL is the API base of a started server, e.g. http://127.0.0.1:PORT/v1.
func (s *Server) URL() string { return s.url }

// Close stops a started server.
func (s *Server) Close() {
	if s.httpSrv != nil {
		s.httpSrv.Close()
	}
}

// Hash names PCM for Transcript: the SHA-256 of its little-endian samples.
func Hash(pcm []int16) string {
	h := sha256.New()
	b := make([]byte, 2)
	for _, v := range pcm {
		binary.LittleEndian.PutUint16(b, uint16(v))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Transcript makes exactly pcm be heard as text, every time it is sent.
func (s *Server) Transcript(pcm []int16, text string) {
	s.mu.Lock()
	s.transcripts[Hash(pcm)] = text
	s.mu.Unlock()
}

// Say queues what the next utterances without a Transcript say, one each.
// Audio with neither is heard as silence: "".
func (s *Server) Say(texts ...string) {
	s.mu.Lock()
	s.queue = append(s.queue, texts...)
	s.mu.Unlock()
}

func (s *Server) add(n int, f fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, f)
	}
}

// Unauthorized makes the next n requests answer 401 invalid_api_key, as a
// revoked key would.
func (s *Server) Unauthorized(n int) { s.add(n, fault{kind: faultUnauthorized}) }

// RateLimit makes the next n requests answer 429 rate_limit_exceeded with
// retry-after (whole seconds, rounded up) and retry-after-ms.
func (s *Server) RateLimit(n int, retryAfter time.Duration) {
	s.add(n, fault{kind: faultRateLimit, wait: retryAfter})
}

// NoQuota makes the next n requests answer 429 insufficient_quota, which a
// client must not retry.
func (s *Server) NoQuota(n int) { s.add(n, fault{kind: faultNoQuota}) }

// Fail makes the next n requests answer status (500 when 0) in OpenAI's
// server_error shape.
func (s *Server) Fail(n, status int) {
	if status == 0 {
		status = http.StatusInternalServerError
	}
	s.add(n, fault{kind: faultStatus, status: status})
}

// Slow makes the next n requests answer only after d (or when the client
// gives up).
func (s *Server) Slow(n int, d time.Duration) { s.add(n, fault{kind: faultSlow, wait: d}) }

// Drop makes the server close the connection of the next n requests
// without answering, as a network cut would.
func (s *Server) Drop(n int) { s.add(n, fault{kind: faultDrop}) }

// Requests returns a copy of what the server has received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Handler serves the fake's API.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(s.serve)
}

// apiError is OpenAI's error body.
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

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	rec := Request{Method: r.Method, Path: r.URL.Path, Auth: r.Header.Get("Authorization"),
		ContentType: r.Header.Get("Content-Type"), At: time.Now()}
	// Recorded on arrival, so that a client which gave up on a slow or
	// dropped request still finds it; the outcome is filled in after.
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

// fail writes an OpenAI error and returns what to record.
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

// next pops the next fault, if any.
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

// The formats the service accepts, told from the file name's extension.
var audioFormats = []string{"flac", "m4a", "mp3", "mp4", "mpeg", "mpga", "oga", "ogg", "wav", "webm"}

func (s *Server) handle(w http.ResponseWriter, r *http.Request, rec *Request) (int, string) {
	if r.URL.Path != "/v1/audio/transcriptions" {
		return invalid(w, http.StatusNotFound, "", "", "Invalid URL (%s %s)", r.Method, r.URL.Path)
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return invalid(w, http.StatusMethodNotAllowed, "", "", "Method not allowed: use POST")
	}
	if r.ContentLength > s.opts.MaxBytes {
		return tooLarge(w, s.opts.MaxBytes, r.ContentLength)
	}
	f, faulted := s.next()
	if faulted {
		switch f.kind {
		case faultDrop:
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
					return 0, "dropped"
				}
			}
			panic(http.ErrAbortHandler)
		case faultSlow:
			select {
			case <-time.After(f.wait):
			case <-r.Context().Done():
				return 0, "client gave up"
			}
			faulted = false // a slow answer is still an answer
		}
	}
	if s.opts.APIKey != "" {
		auth := r.Header.Get("Authorization")
		key, bearer := strings.CutPrefix(auth, "Bearer ")
		switch {
		case auth == "" || !bearer:
			return invalid(w, http.StatusUnauthorized, "", "",
				"You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).")
		case key != s.opts.APIKey:
			return invalid(w, http.StatusUnauthorized, "", "invalid_api_key",
				"Incorrect API key provided: %s. You can find your API key at https://platform.openai.com/account/api-keys.", mask(key))
		}
	}
	if faulted {
		switch f.kind {
		case faultUnauthorized:
			return invalid(w, http.StatusUnauthorized, "", "invalid_api_key",
				"Incorrect API key provided: %s. You can find your API key at https://platform.openai.com/account/api-keys.", mask(strings.TrimPrefix(rec.Auth, "Bearer ")))
		case faultRateLimit:
			secs := int((f.wait + time.Second - 1) / time.Second)
			w.Header().Set("retry-after", strconv.Itoa(secs))
			w.Header().Set("retry-after-ms", strconv.FormatInt(f.wait.Milliseconds(), 10))
			w.Header().Set("x-ratelimit-limit-requests", "50")
			w.Header().Set("x-ratelimit-remaining-requests", "0")
			w.Header().Set("x-ratelimit-reset-requests", f.wait.String())
			return fail(w, http.StatusTooManyRequests, apiError{
				Message: fmt.Sprintf("Rate limit reached for whisper-1 in organization org-test on requests per min (RPM): Limit 50, Used 50, Requested 1. Please try again in %s. Visit https://platform.openai.com/account/rate-limits to learn more.", f.wait),
				Type:    "requests", Code: strp("rate_limit_exceeded")})
		case faultNoQuota:
			return fail(w, http.StatusTooManyRequests, apiError{
				Message: "You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.",
				Type:    "insufficient_quota", Code: strp("insufficient_quota")})
		case faultStatus:
			msg := "The server had an error while processing your request. Sorry about that!"
			if f.status == http.StatusServiceUnavailable {
				msg = "The engine is currently overloaded, please try again later."
			}
			return fail(w, f.status, apiError{Message: msg, Type: "server_error"})
		}
	}
	return s.transcribe(w, r, rec)
}

func tooLarge(w http.ResponseWriter, limit, read int64) (int, string) {
	return fail(w, http.StatusRequestEntityTooLarge, apiError{
		Message: fmt.Sprintf("Maximum content size limit (%d) exceeded (%d bytes read)", limit, read), Type: "server_error"})
}

func (s *Server) transcribe(w http.ResponseWriter, r *http.Request, rec *Request) (int, string) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return invalid(w, http.StatusBadRequest, "", "",
			"Invalid Content-Type header (%s), expected multipart/form-data. (HINT: If you're using curl, you can pass -H 'Content-Type: multipart/form-data')", rec.ContentType)
	}
	body := http.MaxBytesReader(w, r.Body, s.opts.MaxBytes)
	mr := multipart.NewReader(body, params["boundary"])
	fields := map[string]string{}
	var audio []byte
	haveFile := false
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return tooLarge(w, s.opts.MaxBytes, r.ContentLength)
		}
		if err != nil {
			return invalid(w, http.StatusBadRequest, "", "", "Could not parse multipart form: %v", err)
		}
		data, err := io.ReadAll(p)
		if errors.As(err, &mbe) {
			return tooLarge(w, s.opts.MaxBytes, r.ContentLength)
		}
		if err != nil {
			return invalid(w, http.StatusBadRequest, "", "", "Could not parse multipart form: %v", err)
		}
		if p.FormName() == "file" {
			haveFile, audio, rec.Filename = true, data, p.FileName()
			continue
		}
		fields[p.FormName()] = string(data)
	}
	rec.Model, rec.Language, rec.Prompt, rec.Format = fields["model"], fields["language"], fields["prompt"], fields["response_format"]
	if !haveFile || rec.Filename == "" {
		return invalid(w, http.StatusBadRequest, "file", "", "1 validation error for Request\nbody -> file\n  field required (type=value_error.missing)")
	}
	if rec.Model == "" {
		return invalid(w, http.StatusBadRequest, "model", "", "you must provide a model parameter")
	}
	if !s.knows(rec.Model) {
		return invalid(w, http.StatusNotFound, "model", "model_not_found", "The model `%s` does not exist or you do not have access to it.", rec.Model)
	}
	ext := strings.TrimPrefix(strings.ToLower(path.Ext(rec.Filename)), ".")
	if !contains(audioFormats, ext) {
		return invalid(w, http.StatusBadRequest, "file", "", "Invalid file format. Supported formats: %s", formatList())
	}
	if l := rec.Language; l != "" && (len(l) != 2 || strings.ToLower(l) != l || strings.Trim(l, "abcdefghijklmnopqrstuvwxyz") != "") {
		return invalid(w, http.StatusBadRequest, "language", "invalid_language_format",
			"Invalid language '%s'. Language parameter must be specified in ISO-639-1 format.", l)
	}
	if rec.Format == "" {
		rec.Format = "json"
	}
	if !contains([]string{"json", "text", "verbose_json"}, rec.Format) {
		return invalid(w, http.StatusBadRequest, "response_format", "", "Invalid response_format %q: whispertest serves json, text and verbose_json", rec.Format)
	}
	pcm, err := wav.Decode(audio)
	if err != nil {
		return invalid(w, http.StatusBadRequest, "file", "invalid_value", "Audio file might be corrupted or unsupported (whispertest: %v)", err)
	}
	rec.PCM = pcm
	if len(pcm) < 1600 {
		return invalid(w, http.StatusBadRequest, "file", "audio_too_short", "Audio file is too short. Minimum audio length is 0.1 seconds.")
	}
	text := s.heard(pcm)
	seconds := float64(len(pcm)) / 16000
	switch rec.Format {
	case "text":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, text)
	case "verbose_json":
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"task": "transcribe", "language": "english", "duration": seconds, "text": text,
			"segments": []map[string]any{{"id": 0, "start": 0, "end": seconds, "text": text}}})
	default:
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"text": text,
			"usage": map[string]any{"type": "duration", "seconds": int(seconds + 0.999)}})
	}
	return http.StatusOK, ""
}

func (s *Server) knows(model string) bool {
	return s.opts.Models == nil || contains(s.opts.Models, model)
}

// heard is what pcm says: its Transcript, else the next queued line, else
// silence.
func (s *Server) heard(pcm []int16) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.transcripts[Hash(pcm)]; ok {
		return t
	}
	if len(s.queue) > 0 {
		t := s.queue[0]
		s.queue = s.queue[1:]
		return t
	}
	return ""
}

// mask shows a key the way OpenAI's 401 message does: its start and its
// last four characters.
func mask(key string) string {
	if len(key) <= 8 {
		return strings.Repeat("*", len(key))
	}
	return key[:3] + strings.Repeat("*", len(key)-7) + key[len(key)-4:]
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

func formatList() string {
	q := make([]string, len(audioFormats))
	for i, f := range audioFormats {
		q[i] = "'" + f + "'"
	}
	return "[" + strings.Join(q, ", ") + "]"
}
