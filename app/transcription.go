package app

import (
	"context"
	"net/url"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// The optional online recognizer: a Whisper-compatible endpoint configured
// with `caseyos connect whisper`. Its URL, model and timeout are workspace
// settings; its API key lives in the keychain under TranscriptionAccount.
// With an endpoint, voice hears online first and offline whenever the
// endpoint fails; without one nothing here runs.

// TranscriptionAccount is the keychain entry of the endpoint's API key and
// the CLI's name for it (`connect whisper`, `disconnect whisper`).
const TranscriptionAccount = "whisper"

// TranscriptionDTO is the online recognizer's configuration. It never
// holds the key, only whether one is stored.
type TranscriptionDTO struct {
	URL       string `json:"url"` // "" = none: voice is offline
	Model     string `json:"model,omitempty"`
	TimeoutMS int64  `json:"timeout_ms,omitempty"`
	HasKey    bool   `json:"has_key"`
}

func (d TranscriptionDTO) transcription() backend.Transcription {
	return backend.Transcription{URL: d.URL, Model: d.Model, Timeout: time.Duration(d.TimeoutMS) * time.Millisecond}
}

// OnlineRecognizerDTO is the configured online recognizer in the voice
// status.
type OnlineRecognizerDTO struct {
	Name  string `json:"name"` // "whisper-1 at api.openai.com"
	URL   string `json:"url"`
	Model string `json:"model,omitempty"`
	// State is ready, unreachable (a transient failure: offline answers
	// meanwhile), unauthorized (the key was refused: connect again),
	// refused (no quota, unknown model …: the message says what to fix) or
	// unavailable (it could not be set up: the message says why).
	State   string     `json:"state"`
	Code    string     `json:"code,omitempty"`
	Message string     `json:"message,omitempty"`
	Until   *time.Time `json:"until,omitempty"` // offline answers alone until then
}

// Transcription returns the online recognizer's configuration.
func (a *App) Transcription() (TranscriptionDTO, error) {
	st, err := a.queue.Settings(a.ctx)
	if err != nil {
		return TranscriptionDTO{}, err
	}
	t := st.Transcription
	out := TranscriptionDTO{URL: t.URL, Model: t.Model, TimeoutMS: t.Timeout.Milliseconds()}
	if t.Configured() {
		key, err := transcriptionKey(a.secrets)
		out.HasKey = err == nil && key != ""
	}
	return out, nil
}

// ConfigureTranscription sets the online recognizer (a URL of "" removes
// it); voice hears with it from the next utterance. The key is stored in
// the keychain beforehand (`caseyos connect whisper --key-stdin`).
func (a *App) ConfigureTranscription(in TranscriptionDTO, via string) (TranscriptionDTO, error) {
	who, err := actor(via)
	if err != nil {
		return TranscriptionDTO{}, err
	}
	if err := a.queue.SetTranscription(a.ctx, in.transcription(), who); err != nil {
		return TranscriptionDTO{}, err
	}
	s := &a.voice
	s.mu.Lock()
	s.recs = nil // the offline recognizer stays loaded
	s.mu.Unlock()
	a.publishVoice()
	return a.Transcription()
}

// Transcription calls the instance's Transcription.
func (r *remote) Transcription() (out TranscriptionDTO, err error) {
	return out, r.call("Transcription", nil, &out)
}

// ConfigureTranscription calls the instance's ConfigureTranscription.
func (r *remote) ConfigureTranscription(in TranscriptionDTO, via string) (out TranscriptionDTO, err error) {
	return out, r.call("ConfigureTranscription", []any{in, via}, &out)
}

// transcriptionKey reads the endpoint's API key: "" when none is stored
// (whisper.cpp needs none) or there is no keychain.
func transcriptionKey(secrets backend.Secrets) (string, error) {
	if secrets == nil {
		return "", nil
	}
	key, err := secrets.Get(TranscriptionAccount)
	switch backend.ErrorCode(err) {
	case "":
		return key, nil
	case backend.ENOTFOUND:
		return "", nil
	}
	return "", &backend.Error{Code: backend.EUNAVAILABLE, Op: "transcription key",
		Message: "the keychain cannot be read for the transcription API key", Err: err}
}

// voiceRecognizers is what voice hears with and what it is made of.
type voiceRecognizers struct {
	rec      backend.Recognizer          // nil when there is none
	err      error                       // why there is none
	fallback *backend.FallbackRecognizer // online first: set when an endpoint is configured and usable
	offline  bool                        // an offline recognizer is there
	online   backend.Transcription       // the configured endpoint
	name     string                      // the online recognizer's name
	onErr    error                       // why the configured endpoint cannot be used
}

// composeRecognizers builds what voice hears with from the offline
// recognizer (or why there is none) and the configured endpoint: offline
// alone when no endpoint is configured — so that no request is ever made —
// else online first with offline as its fallback.
func composeRecognizers(env VoiceEnv, off backend.Recognizer, offErr error, t backend.Transcription, secrets backend.Secrets, clock backend.Clock, onChange func(backend.OnlineStatus)) voiceRecognizers {
	if offErr != nil {
		off = nil
	}
	v := voiceRecognizers{rec: off, err: offErr, offline: off != nil, online: t, name: onlineName(t, nil)}
	if !t.Configured() {
		return v
	}
	if env.Online == nil {
		v.onErr = backend.Errorf(backend.EUNAVAILABLE, "this build has no online speech recognizer")
		return v
	}
	key, err := transcriptionKey(secrets)
	if err != nil {
		v.onErr = err
		return v
	}
	on, err := env.Online(t, key)
	if err != nil {
		v.onErr = err
		return v
	}
	v.name = onlineName(t, on)
	v.fallback = &backend.FallbackRecognizer{Online: on, Offline: off, Clock: clock, OnChange: onChange}
	v.rec, v.err = v.fallback, nil
	return v
}

// onlineName names the endpoint for people: the recognizer's own name
// ("whisper-1 at api.openai.com") when it has one.
func onlineName(t backend.Transcription, rec backend.Recognizer) string {
	if n, ok := rec.(interface{ Name() string }); ok {
		return n.Name()
	}
	host := t.URL
	if u, err := url.Parse(t.URL); err == nil && u.Host != "" {
		host = u.Host
	}
	if t.Model != "" {
		return t.Model + " at " + host
	}
	return host
}

// active says what hears commands: "offline", "online", or
// "online+offline" (online first, offline when it fails); "" for nothing.
func (v *voiceRecognizers) active() string {
	switch {
	case v.fallback != nil && v.offline:
		return backend.RecognizerOnline + "+" + backend.RecognizerOffline
	case v.fallback != nil:
		return backend.RecognizerOnline
	case v.rec != nil:
		return backend.RecognizerOffline
	}
	return ""
}

// onlineDTO is the configured endpoint's state, nil when none is configured.
func (v *voiceRecognizers) onlineDTO() *OnlineRecognizerDTO {
	if !v.online.Configured() {
		return nil
	}
	out := &OnlineRecognizerDTO{Name: v.name, URL: v.online.URL, Model: v.online.Model, State: backend.OnlineReady}
	switch {
	case v.onErr != nil:
		out.State, out.Code, out.Message = "unavailable", backend.ErrorCode(v.onErr), backend.ErrorMessage(v.onErr)
	case v.fallback != nil:
		st := v.fallback.Status()
		out.State, out.Code, out.Message = st.State, st.Code, st.Message
		if st.State != backend.OnlineReady && !st.Until.IsZero() {
			u := st.Until
			out.Until = &u
		}
	}
	return out
}

// liveRecognizer is the App's recognizer looked up for each utterance, so
// that a newly configured endpoint is heard with from the next command.
type liveRecognizer struct{ a *App }

func (l liveRecognizer) Recognize(ctx context.Context, pcm []int16) (string, bool, error) {
	rec, err := l.a.recognizer()
	if err != nil {
		return "", false, err
	}
	return rec.Recognize(ctx, pcm)
}

// publishVoice sends the whole voice status, the App's recognizer fields
// included, as voice:state: the UI learns at once that the endpoint
// refused the key or recovered.
func (a *App) publishVoice() {
	a.events.Publish(backend.EventVoiceState, a.voiceStatus())
}
