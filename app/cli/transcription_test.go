package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/app/cli"
	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/keychain"
	"github.com/caseyos/caseyos/connectors/mic"
	"github.com/caseyos/caseyos/connectors/mic/mictest"
	"github.com/caseyos/caseyos/connectors/whisper"
	"github.com/caseyos/caseyos/connectors/whisper/whispertest"
	"github.com/caseyos/caseyos/store"

	"github.com/caseyos/caseyos/connectors/voice/wav"
)

// The OpenAI key of these tests: distinctive, so that a leak into the
// output or the data directory is found by a plain search.
const whisperKey = "sk-proj-wh15p3rk3y-7e57c0de-l3akf1nd3r-Zq9x"

// offlineHears is an offline recognizer that hears one phrase.
type offlineHears string

func (o offlineHears) Recognize(context.Context, []int16) (string, bool, error) {
	return string(o), backend.ParseIntent(string(o)) != backend.IntentNone, nil
}

type whisperCLI struct {
	dir     string
	secrets backend.Secrets
	voice   app.VoiceEnv
	out     bytes.Buffer // everything printed, for the leak check
}

// newWhisperCLI wires voice as main_voice.go does, with the real keychain
// adapter over go-keyring's in-memory mock. offline "" is a build without
// the offline recognizer.
func newWhisperCLI(tb testing.TB, offline string) *whisperCLI {
	tb.Helper()
	c := &whisperCLI{dir: tb.TempDir(), secrets: keychain.NewMock()}
	c.voice = app.VoiceEnv{
		ReadWAV: mic.ReadWAV,
		Online: func(t backend.Transcription, key string) (backend.Recognizer, error) {
			r, err := whisper.New(whisper.Config{BaseURL: t.URL, Model: t.Model, APIKey: key, Timeout: t.Timeout})
			if err != nil {
				return nil, err
			}
			return r, nil
		},
		Recognizer: func(string) (backend.Recognizer, error) {
			return nil, backend.Errorf(backend.EUNAVAILABLE, "this build has no offline speech recognizer")
		},
	}
	if offline != "" {
		c.voice.Recognizer = func(string) (backend.Recognizer, error) { return offlineHears(offline), nil }
	}
	return c
}

func (c *whisperCLI) run(tb testing.TB, stdin string, args ...string) (int, string, string) {
	tb.Helper()
	var out, errb bytes.Buffer
	code := cli.Main(context.Background(), append([]string{"--data-dir", c.dir}, args...), cli.Env{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Clock: backend.SystemClock{},
		Open: func(p string) (backend.Store, error) {
			return store.Open(p, store.Options{Timeout: 200 * time.Millisecond})
		},
		Secrets: c.secrets, Voice: c.voice,
	})
	c.out.Write(out.Bytes())
	c.out.Write(errb.Bytes())
	return code, out.String(), errb.String()
}

// recognize runs `voice recognize FILE --json` on a second of tone.
func (c *whisperCLI) recognize(tb testing.TB) (cli.VoiceRecognizeDTO, int, string) {
	tb.Helper()
	file := filepath.Join(c.dir, "command.wav")
	if _, err := os.Stat(file); err != nil {
		pcm := make([]int16, 16000)
		for i := range pcm {
			pcm[i] = int16(6000 * math.Sin(2*math.Pi*330*float64(i)/16000))
		}
		if err := os.WriteFile(file, wav.Encode(pcm), 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	code, out, errb := c.run(tb, "", "voice", "recognize", file, "--json")
	var dto cli.VoiceRecognizeDTO
	if code == 0 {
		if err := json.Unmarshal([]byte(out), &dto); err != nil {
			tb.Fatalf("voice recognize --json: %v in %q", err, out)
		}
	}
	return dto, code, errb
}

func TestCLI_ConnectWhisper(t *testing.T) {
	srv := whispertest.NewTestServer(t, whispertest.OpenAI(whisperKey))
	c := newWhisperCLI(t, "next")

	// Not configured: the offline recognizer answers and nothing is sent.
	dto, code, errb := c.recognize(t)
	if code != 0 || dto.Recognizer != "offline" || dto.Command != "next" || len(srv.Requests()) != 0 {
		t.Fatalf("unconfigured recognize = %+v, %d %q with %d requests; want offline and no request", dto, code, errb, len(srv.Requests()))
	}
	if _, err := os.Stat(filepath.Join(c.dir, "caseyos.db")); err == nil {
		t.Error("voice recognize created a workspace")
	}

	if code, _, _ := c.run(t, "", "connect", "whisper"); code != cli.ExitUsage {
		t.Errorf("connect whisper without --url = %d, want usage", code)
	}
	if code, _, _ := c.run(t, "", "connect", "hubspot", "--url", srv.URL()); code != cli.ExitUsage {
		t.Errorf("connect hubspot --url = %d, want usage", code)
	}

	// A key the endpoint refuses is not stored, and nothing is configured.
	code, _, errb = c.run(t, "sk-proj-wrong-000000000000000000\n", "connect", "whisper", "--url", srv.URL(), "--key-stdin")
	if code != cli.ExitError || !strings.Contains(errb, "refused the API key") {
		t.Errorf("connect with a wrong key = %d %q, want 1 and the reason", code, errb)
	}
	if _, err := c.secrets.Get(app.TranscriptionAccount); backend.ErrorCode(err) != backend.ENOTFOUND {
		t.Errorf("a refused key was stored: %v", err)
	}
	if _, err := os.Stat(filepath.Join(c.dir, "caseyos.db")); err == nil {
		t.Error("a failed connect created the workspace")
	}

	code, out, errb := c.run(t, whisperKey+"\n", "connect", "whisper", "--url", srv.URL()+"/", "--key-stdin", "--timeout", "3s")
	if code != 0 || !strings.Contains(out, "whisper-1 at 127.0.0.1") {
		t.Fatalf("connect whisper = %d %q %q", code, out, errb)
	}
	if got, _ := c.secrets.Get(app.TranscriptionAccount); got != whisperKey {
		t.Errorf("keychain holds %q, want the key", got)
	}
	reqs := srv.Requests()
	if check := reqs[len(reqs)-1]; check.Status != 200 || check.Auth != "Bearer "+whisperKey || len(check.PCM) != 16000 {
		t.Errorf("the check = %+v, want one authorized second of audio", check)
	}

	// Configured: the endpoint answers first.
	srv.Say("Skip.")
	dto, code, errb = c.recognize(t)
	if code != 0 || dto.Recognizer != "online" || dto.Command != "Skip." || dto.Intent != "skip" || !dto.Accepted ||
		!strings.HasPrefix(dto.RecognizerName, "whisper-1 at ") || dto.Fallback != "" {
		t.Errorf("recognize = %+v, %d %q; want the endpoint's skip", dto, code, errb)
	}
	last := srv.Requests()[len(srv.Requests())-1]
	if last.Filename != "utterance.wav" || last.Language != "en" || last.Format != "json" {
		t.Errorf("request = %+v", last)
	}
	// Dictation that is not one command is not accepted, and not retried offline.
	srv.Say("skip lunch")
	if dto, _, _ = c.recognize(t); dto.Accepted || dto.Recognizer != "online" || dto.Heard != "skip lunch" {
		t.Errorf("recognize dictation = %+v, want online's rejection", dto)
	}

	// Failures fall back to the offline recognizer and say why.
	for _, tt := range []struct {
		name  string
		fault func()
		why   string
	}{
		{"5xx", func() { srv.Fail(1, 500) }, "having trouble"},
		{"rate limit", func() { srv.RateLimit(1, time.Minute) }, "rate limit"},
		{"quota", func() { srv.NoQuota(1) }, "no quota left"},
		{"revoked key", func() { srv.Unauthorized(1) }, "refused the API key"},
	} {
		tt.fault()
		dto, code, errb = c.recognize(t)
		if code != 0 || dto.Recognizer != "offline" || dto.Command != "next" || !strings.Contains(dto.Fallback, tt.why) {
			t.Errorf("%s: recognize = %+v, %d %q; want offline's answer and %q", tt.name, dto, code, errb, tt.why)
		}
	}
	code, out, _ = c.run(t, "", "voice", "recognize", filepath.Join(c.dir, "command.wav"))
	if code != 0 || !strings.Contains(out, "by the online recognizer (whisper-1 at 127.0.0.1") {
		t.Errorf("voice recognize = %d %q, want it to name the online recognizer", code, out)
	}

	// A local whisper.cpp server needs no key: the old one is removed so
	// that it never goes to another endpoint.
	local := whispertest.NewTestServer(t, whispertest.Options{})
	code, out, errb = c.run(t, "", "connect", "whisper", "--url", local.URL(), "--model", "ggml-base.en")
	if code != 0 || !strings.Contains(out, "ggml-base.en at 127.0.0.1") || !strings.Contains(out, "no API key") {
		t.Fatalf("connect a local server = %d %q %q", code, out, errb)
	}
	if _, err := c.secrets.Get(app.TranscriptionAccount); backend.ErrorCode(err) != backend.ENOTFOUND {
		t.Errorf("the OpenAI key outlived connecting a keyless server: %v", err)
	}
	local.Say("undo")
	if dto, _, _ = c.recognize(t); dto.Recognizer != "online" || dto.Intent != "undo" {
		t.Errorf("recognize through the local server = %+v", dto)
	}
	if q := local.Requests()[len(local.Requests())-1]; q.Auth != "" || q.Model != "ggml-base.en" {
		t.Errorf("local request auth %q model %q", q.Auth, q.Model)
	}

	// Disconnected: offline again, and no request is made.
	if code, out, errb := c.run(t, "", "disconnect", "whisper"); code != 0 || !strings.Contains(out, "Disconnected the online speech recognizer") {
		t.Fatalf("disconnect whisper = %d %q %q", code, out, errb)
	}
	before := len(local.Requests()) + len(srv.Requests())
	if dto, _, _ = c.recognize(t); dto.Recognizer != "offline" || len(local.Requests())+len(srv.Requests()) != before {
		t.Errorf("after disconnect: %+v, %d new requests; want offline alone", dto, len(local.Requests())+len(srv.Requests())-before)
	}

	if strings.Contains(c.out.String(), whisperKey) || strings.Contains(c.out.String(), "Zq9x") {
		t.Errorf("the key leaked into the output:\n%s", c.out.String())
	}
	if err := filepath.Walk(c.dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		if bytes.Contains(b, []byte(whisperKey)) {
			t.Errorf("%s holds the key", p)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// With only the online recognizer (a build without pocketsphinx), its
// failure is the command's error.
func TestCLI_VoiceRecognizeOnlineOnly(t *testing.T) {
	srv := whispertest.NewTestServer(t, whispertest.Options{})
	c := newWhisperCLI(t, "")
	if _, code, errb := c.recognize(t); code != cli.ExitError || !strings.Contains(errb, "no offline speech recognizer") {
		t.Errorf("recognize with neither = %d %q", code, errb)
	}
	if code, out, errb := c.run(t, "", "connect", "whisper", "--url", srv.URL()); code != 0 {
		t.Fatalf("connect = %d %q %q", code, out, errb)
	}
	srv.Say("next")
	if dto, code, errb := c.recognize(t); code != 0 || dto.Recognizer != "online" || dto.Intent != "next" {
		t.Errorf("recognize online only = %+v, %d %q", dto, code, errb)
	}
	srv.Fail(1, 503)
	if _, code, errb := c.recognize(t); code != cli.ExitError || !strings.Contains(errb, "having trouble") {
		t.Errorf("recognize with the endpoint failing = %d %q, want the endpoint's error", code, errb)
	}
}

// `voice listen` hears through the configured endpoint, and the move it
// skips is skipped in the store.
func TestCLI_VoiceListenOnline(t *testing.T) {
	srv := whispertest.NewTestServer(t, whispertest.Options{})
	c := newWhisperCLI(t, "")
	pcm := make([]int16, 0, 32000)
	for i := range 9600 {
		pcm = append(pcm, int16(i%5-2))
	}
	for i := range 8000 {
		pcm = append(pcm, int16(7000*math.Sin(2*math.Pi*220*float64(i)/16000)))
	}
	for i := range 14400 {
		pcm = append(pcm, int16(i%5-2))
	}
	c.voice.Microphone = &mictest.Fake{PCM: pcm}

	now := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
	signals := filepath.Join(c.dir, "signals.jsonl")
	line := `{"source":"form","type":"form.submitted","occurred_at":"` + now + `","dedupe_key":"form:1",` +
		`"contact":{"email":"sam@tinyshop.example","name":"Sam Lee"},"form":{"form":"Demo request","fields":{"message":"Can we talk?"}}}` + "\n"
	if err := os.WriteFile(signals, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errb := c.run(t, "", "ingest", signals); code != 0 {
		t.Fatalf("ingest: %d %s", code, errb)
	}
	if code, out, errb := c.run(t, "", "connect", "whisper", "--url", srv.URL(), "--no-check"); code != 0 {
		t.Fatalf("connect = %d %q %q", code, out, errb)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("--no-check sent %d requests", n)
	}
	code, out, errb := c.run(t, "", "today", "--json")
	var today app.TodayDTO
	if code != 0 || json.Unmarshal([]byte(out), &today) != nil || len(today.Moves) != 1 {
		t.Fatalf("today = %d %q %q", code, out, errb)
	}
	srv.Say("skip")
	code, out, errb = c.run(t, "", "voice", "listen", "--json", "--quiet")
	if code != 0 || !strings.Contains(errb, "with the online recognizer (whisper-1 at 127.0.0.1") {
		t.Fatalf("voice listen = %d %q %q", code, out, errb)
	}
	var heard struct {
		backend.VoiceOutcome
	}
	if err := json.Unmarshal([]byte(out), &heard); err != nil || heard.Action != "skipped" || heard.MoveID != today.Moves[0].ID {
		t.Errorf("outcome = %+v (%v) from %q, want the move skipped", heard, err, out)
	}
	code, out, _ = c.run(t, "", "explain", "--json", strconvID(today.Moves[0].ID))
	var ex app.ExplainDTO
	if code != 0 || json.Unmarshal([]byte(out), &ex) != nil || ex.Move.Status != "skipped" || ex.History[len(ex.History)-1].Actor != "voice" {
		t.Errorf("explain = %d %+v, want skipped by voice", code, ex.Move)
	}
}

func strconvID(id uint64) string {
	b, _ := json.Marshal(id)
	return string(b)
}
