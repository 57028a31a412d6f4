package app

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/mic/mictest"
	"github.com/caseyos/caseyos/connectors/voice"
	"github.com/caseyos/caseyos/connectors/whisper"
	"github.com/caseyos/caseyos/connectors/whisper/whispertest"
	"github.com/caseyos/caseyos/store"
)

// The key the fake OpenAI accepts here; a leak is found by a plain search.
const voiceKey = "sk-proj-v01cek3y-7e57c0de-0000-l3akf1nd3r"

// fixedRecognizer is an offline recognizer that hears one phrase.
type fixedRecognizer struct {
	text  string
	mu    sync.Mutex
	calls int
}

func (f *fixedRecognizer) Recognize(context.Context, []int16) (string, bool, error) {
	f.mu.Lock()
	f.calls++
	f.mu.Unlock()
	return f.text, backend.ParseIntent(f.text) != backend.IntentNone, nil
}

func (f *fixedRecognizer) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// utterance is what the fake microphone captures: quiet room noise, one
// spoken command (a tone, as far as voice-activity detection can tell),
// then quiet again.
func utterance() []int16 {
	const rate = 16000
	pcm := make([]int16, 0, 2*rate)
	for i := range rate * 6 / 10 {
		pcm = append(pcm, int16(i%5-2))
	}
	for i := range rate / 2 {
		pcm = append(pcm, int16(7000*math.Sin(2*math.Pi*220*float64(i)/rate)))
	}
	for i := range rate * 9 / 10 {
		pcm = append(pcm, int16(i%5-2))
	}
	return pcm
}

type voiceFixture struct {
	app     *App
	offline *fixedRecognizer
	builds  int // calls of VoiceEnv.Online
	mu      sync.Mutex
	events  []VoiceStatusDTO
}

// newVoiceApp is an App over a fresh store holding two moves, with a fake
// microphone that says one command. offline nil means a build without
// the offline recognizer.
func newVoiceApp(t *testing.T, offline *fixedRecognizer, secrets backend.Secrets) *voiceFixture {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "caseyos.db"), store.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &voiceFixture{offline: offline}
	env := VoiceEnv{
		Microphone: &mictest.Fake{PCM: utterance()},
		Online: func(tr backend.Transcription, key string) (backend.Recognizer, error) {
			f.mu.Lock()
			f.builds++
			f.mu.Unlock()
			r, err := whisper.New(whisper.Config{BaseURL: tr.URL, Model: tr.Model, APIKey: key, Timeout: tr.Timeout})
			if err != nil {
				return nil, err
			}
			return r, nil
		},
	}
	if offline != nil {
		env.Recognizer = func(string) (backend.Recognizer, error) { return offline, nil }
	}
	f.app = New(Options{Store: db, Voice: env, Secrets: secrets})
	f.app.Events().Subscribe(func(name string, payload any) {
		if st, ok := payload.(VoiceStatusDTO); ok && name == backend.EventVoiceState {
			f.mu.Lock()
			f.events = append(f.events, st)
			f.mu.Unlock()
		}
	})
	now := time.Now().UTC()
	var lines []string
	for i, who := range []string{"sam@tinyshop.example", "lee@bigshop.example"} {
		lines = append(lines, fmt.Sprintf(`{"source":"form","type":"form.submitted","occurred_at":%q,"dedupe_key":"form:%d",`+
			`"contact":{"email":%q,"name":"Sam Lee"},"form":{"form":"Demo request","fields":{"message":"Can we talk?"}}}`,
			now.Add(-time.Duration(30+i)*time.Minute).Format(time.RFC3339), i, who))
	}
	if _, err := f.app.bound.Signals.Ingest(strings.Join(lines, "\n")); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *voiceFixture) firstMove(t *testing.T) MoveDTO {
	t.Helper()
	today, err := f.app.bound.Today.Today("", 0)
	if err != nil || len(today.Moves) == 0 {
		t.Fatalf("Today = %d moves, %v; want some", len(today.Moves), err)
	}
	return today.Moves[0]
}

// listen opens the fake microphone in always-listening mode and waits for
// its one utterance to be acted on.
func (f *voiceFixture) listen(t *testing.T) VoiceStatusDTO {
	t.Helper()
	if _, err := f.app.bound.Voice.VoiceStart(backend.ModeAlways, ""); err != nil {
		t.Fatalf("VoiceStart: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, _ := f.app.bound.Voice.VoiceStatus()
		if !st.Running {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatal("the listener never finished the fake microphone's audio")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (f *voiceFixture) status(t *testing.T, id uint64) string {
	t.Helper()
	m, err := f.app.bound.Today.Move(id)
	if err != nil {
		t.Fatal(err)
	}
	return m.Status
}

// A configured endpoint hears "skip", and the move is skipped in the
// store, by voice — in a build without the offline recognizer.
func TestApp_VoiceOnline_Skip(t *testing.T) {
	srv := whispertest.NewTestServer(t, whispertest.Options{}) // whisper.cpp: no key
	f := newVoiceApp(t, nil, &memKeychain{m: map[string]string{}})
	first := f.firstMove(t)
	if _, err := f.app.bound.Connections.ConfigureTranscription(TranscriptionDTO{URL: srv.URL(), TimeoutMS: 3000}, "cli"); err != nil {
		t.Fatal(err)
	}
	srv.Say("Skip.")
	st := f.listen(t)
	if got := f.status(t, first.ID); got != "skipped" {
		t.Errorf("move %d is %s after the endpoint heard \"Skip.\", want skipped", first.ID, got)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("%d transcription requests, want 1", n)
	}
	if st.ActiveRecognizer != "online" || st.Recognizer != "ready" || st.Online == nil || st.Online.State != backend.OnlineReady || st.Online.URL != srv.URL() {
		t.Errorf("status = %+v online %+v; want online alone, ready", st, st.Online)
	}
	explain, err := f.app.bound.Today.Explain(first.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := explain.History[len(explain.History)-1]
	if last.Actor != "voice" {
		t.Errorf("the skip was recorded as done by %q, want voice", last.Actor)
	}
}

// A refused key: the utterance falls back to the offline recognizer, and
// the voice status (and a voice:state event) says the key was refused.
func TestApp_VoiceOnline_WrongKeyFallsBack(t *testing.T) {
	srv := whispertest.NewTestServer(t, whispertest.OpenAI(voiceKey))
	off := &fixedRecognizer{text: "skip"}
	f := newVoiceApp(t, off, &memKeychain{m: map[string]string{TranscriptionAccount: "sk-proj-wrong-" + strings.Repeat("0", 24)}})
	first := f.firstMove(t)
	if _, err := f.app.bound.Connections.ConfigureTranscription(TranscriptionDTO{URL: srv.URL()}, "cli"); err != nil {
		t.Fatal(err)
	}
	st := f.listen(t)
	if got := f.status(t, first.ID); got != "skipped" || off.count() != 1 {
		t.Errorf("move is %s after %d offline calls; want the offline recognizer's skip", got, off.count())
	}
	o := st.Online
	if st.ActiveRecognizer != "online+offline" || o == nil || o.State != backend.OnlineUnauthorized || o.Code != backend.EUNAUTHORIZED ||
		!strings.Contains(o.Message, "refused the API key") || o.Until == nil {
		t.Errorf("status = %+v online %+v; want the refused key shown", st, o)
	}
	f.mu.Lock()
	var seen bool
	for _, e := range f.events {
		seen = seen || (e.Online != nil && e.Online.State == backend.OnlineUnauthorized)
	}
	f.mu.Unlock()
	if !seen {
		t.Error("no voice:state event told the UI the key was refused")
	}
	b, _ := json.Marshal(st)
	if strings.Contains(string(b), "sk-proj") || strings.Contains(string(b), "0000") {
		t.Errorf("the status shows the key: %s", b)
	}
}

// A transient failure (here a 503) falls back too, and the next command
// goes straight to the offline recognizer while the endpoint rests.
func TestApp_VoiceOnline_TransientFallsBack(t *testing.T) {
	srv := whispertest.NewTestServer(t, whispertest.OpenAI(voiceKey))
	off := &fixedRecognizer{text: "skip"}
	f := newVoiceApp(t, off, &memKeychain{m: map[string]string{TranscriptionAccount: voiceKey}})
	first := f.firstMove(t)
	if _, err := f.app.bound.Connections.ConfigureTranscription(TranscriptionDTO{URL: srv.URL()}, "cli"); err != nil {
		t.Fatal(err)
	}
	srv.Fail(1, 503)
	st := f.listen(t)
	if got := f.status(t, first.ID); got != "skipped" {
		t.Errorf("move is %s, want skipped by the offline recognizer", got)
	}
	if st.Online == nil || st.Online.State != backend.OnlineUnreachable {
		t.Errorf("online = %+v, want unreachable", st.Online)
	}
	second := f.firstMove(t)
	f.listen(t)
	if got := f.status(t, second.ID); got != "skipped" || len(srv.Requests()) != 1 || off.count() != 2 {
		t.Errorf("second command: move %s, %d requests, %d offline calls; want skipped offline without asking the resting endpoint",
			got, len(srv.Requests()), off.count())
	}
}

// With no endpoint configured nothing changes: the offline recognizer
// hears, the online one is never built and no request is made.
func TestApp_VoiceOnline_NotConfigured(t *testing.T) {
	srv := whispertest.NewTestServer(t, whispertest.Options{})
	off := &fixedRecognizer{text: "skip"}
	f := newVoiceApp(t, off, &memKeychain{m: map[string]string{TranscriptionAccount: voiceKey}})
	first := f.firstMove(t)
	st := f.listen(t)
	if got := f.status(t, first.ID); got != "skipped" {
		t.Errorf("move is %s, want skipped", got)
	}
	if f.builds != 0 || len(srv.Requests()) != 0 || st.ActiveRecognizer != "offline" || st.Online != nil {
		t.Errorf("%d online builds, %d requests, status %+v; want offline alone", f.builds, len(srv.Requests()), st)
	}
	// Offline alone, the listener may decode before the hangover ends.
	if !(liveRecognizer{f.app}).Local() {
		t.Error("Local() = false with no endpoint, want true")
	}
	// Configuring it takes effect from the next command; removing it
	// goes back to offline.
	if _, err := f.app.bound.Connections.ConfigureTranscription(TranscriptionDTO{URL: srv.URL()}, "cli"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.bound.Voice.VoiceStop(); err != nil {
		t.Fatal(err)
	}
	srv.Say("skip")
	second := f.firstMove(t)
	if st := f.listen(t); st.ActiveRecognizer != "online+offline" || f.status(t, second.ID) != "skipped" || len(srv.Requests()) != 1 || off.count() != 1 {
		t.Errorf("after configuring: %+v, %d requests, %d offline calls", st, len(srv.Requests()), off.count())
	}
	// With an endpoint in use, only closed utterances are sent to it.
	if (liveRecognizer{f.app}).Local() {
		t.Error("Local() = true with an endpoint configured, want false")
	}
	if _, err := f.app.bound.Connections.ConfigureTranscription(TranscriptionDTO{}, "cli"); err != nil {
		t.Fatal(err)
	}
	if st, _ := f.app.bound.Voice.VoiceStatus(); st.Online != nil {
		t.Errorf("after removing: online %+v, want none", st.Online)
	}
}

func TestApp_ConfigureTranscription(t *testing.T) {
	f := newVoiceApp(t, nil, &memKeychain{m: map[string]string{TranscriptionAccount: voiceKey}})
	got, err := f.app.bound.Connections.ConfigureTranscription(TranscriptionDTO{URL: "https://api.openai.com/v1", Model: "whisper-1", TimeoutMS: 2500}, "click")
	if err != nil || got.URL != "https://api.openai.com/v1" || got.Model != "whisper-1" || got.TimeoutMS != 2500 || !got.HasKey {
		t.Errorf("ConfigureTranscription = %+v, %v", got, err)
	}
	for _, in := range []TranscriptionDTO{{URL: "https://u:" + voiceKey + "@api.openai.com/v1"}, {URL: "api.openai.com"}, {Model: "whisper-1"}} {
		_, err := f.app.bound.Connections.ConfigureTranscription(in, "click")
		if backend.ErrorCode(err) != backend.EINVALID || strings.Contains(err.Error(), voiceKey) {
			t.Errorf("ConfigureTranscription(%q) = %v, want invalid without the key", in.URL, err)
		}
	}
	if _, err := f.app.bound.Connections.ConfigureTranscription(TranscriptionDTO{URL: "https://api.openai.com/v1"}, "robot"); backend.ErrorCode(err) != backend.EINVALID {
		t.Errorf("via robot: %v, want invalid", err)
	}
}

// An offline recognizer that lost a part still hears, and the voice status
// says what is missing; a whole one says nothing.
func TestApp_VoiceStatus_PartialOffline(t *testing.T) {
	const missing = "pocketsphinx alone hears commands: the keyword classifier is unavailable: no models (make voice-models)"
	for _, tc := range []struct {
		name string
		wrap func(backend.Recognizer) backend.Recognizer
		want string
	}{
		{"whole", func(r backend.Recognizer) backend.Recognizer { return r }, ""},
		{"partial", func(r backend.Recognizer) backend.Recognizer { return voice.Partial{Recognizer: r, Missing: missing} }, missing},
	} {
		t.Run(tc.name, func(t *testing.T) {
			off := &fixedRecognizer{text: "skip"}
			f := newVoiceApp(t, off, &memKeychain{m: map[string]string{}})
			f.app.voice.env.Recognizer = func(string) (backend.Recognizer, error) { return tc.wrap(off), nil }
			first := f.firstMove(t)
			st := f.listen(t)
			if got := f.status(t, first.ID); got != "skipped" {
				t.Errorf("move %d is %s, want skipped: the recognizer still hears", first.ID, got)
			}
			if st.Recognizer != "ready" || st.RecognizerM != tc.want {
				t.Errorf("status recognizer %q %q, want ready %q", st.Recognizer, st.RecognizerM, tc.want)
			}
		})
	}
}
