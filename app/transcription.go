package app

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/voice"
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
	// Name and Notice come back from ConnectTranscription and
	// DisconnectTranscription: who answers ("whisper-1 at
	// api.openai.com"), and what the change needs you to know (that it
	// went to your own workspace while the demo is open).
	Name   string `json:"name,omitempty"`
	Notice string `json:"notice,omitempty"`
}

// Transcription is the endpoint the DTO describes.
func (d TranscriptionDTO) Transcription() backend.Transcription {
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

// setOwnTranscription stores t in your own workspace, as the CLI's
// connect does: the App's when it is yours; else (the demo is open) the
// workspace of your own — through the CaseyOS that holds it, or opened
// here, created when createsReal — and the notice says so. With no
// workspace of your own and !createsReal, the demo's is changed.
func (a *App) setOwnTranscription(t backend.Transcription, who backend.Actor, createsReal bool) (notice string, err error) {
	if !a.ws.Demo || a.ws.Dir == "" {
		return "", a.setTranscription(t, who)
	}
	own := ChooseWorkspace(a.ws.Dir, false, createsReal)
	if own.Demo {
		return "", a.setTranscription(t, who)
	}
	notice = "Saved in your own workspace. CaseyOS is showing the demo workspace: restart it to switch to yours."
	if !t.Configured() {
		notice = "Removed from your own workspace too."
	}
	if r := FindInstance(a.ws.Dir, own); r != nil {
		_, err := Forward[TranscriptionDTO](r, "ConnectionsService.ConfigureTranscription", TranscriptionDTO{URL: t.URL, Model: t.Model, TimeoutMS: t.Timeout.Milliseconds()}, string(who))
		return notice, err
	}
	if a.open == nil {
		return "", backend.Errorf(backend.EUNAVAILABLE, "the demo workspace is open and this CaseyOS cannot open yours: run `caseyos connect whisper`")
	}
	st, err := openWorkspace(a.ctx, own, a.open, a.clock, nil)
	if err != nil {
		return "", err
	}
	defer st.Close()
	return notice, backend.NewServices(st, a.clock, nil).Settings.SetTranscription(a.ctx, t, who)
}

// setTranscription is ConfigureTranscription without the DTOs.
func (a *App) setTranscription(t backend.Transcription, who backend.Actor) error {
	if err := a.queue.Settings.SetTranscription(a.ctx, t, who); err != nil {
		return err
	}
	s := &a.voice
	s.mu.Lock()
	s.recs = nil // the offline recognizer stays loaded
	loaded := s.offRan
	s.mu.Unlock()
	if loaded {
		// Voice has been used: compose the new recognizers now (nothing is
		// loaded or sent), so that the status names the new endpoint.
		_, _ = a.recognizer()
	}
	a.publishVoice()
	return nil
}

// transcriptionConnect is one connection of the online recognizer, from
// `caseyos connect whisper` or from Settings.
type transcriptionConnect struct {
	t     backend.Transcription // URL trimmed
	key   string                // the API key to store; "" = none
	keep  bool                  // with key "": check with, and keep, the key already stored
	check bool                  // send a second of silence first
}

// run checks the endpoint (when asked), then stores the key in the
// keychain — or, without one, removes a stored key, which must not go to
// another endpoint — and then calls save to store the endpoint. Nothing
// is stored when the check fails; a key stored for an endpoint that save
// then fails to store is removed again. It returns the endpoint's name
// and whether a key is stored. No error it returns holds the key.
func (tc transcriptionConnect) run(ctx context.Context, env VoiceEnv, secrets backend.Secrets, save func() error) (name string, hasKey bool, err error) {
	key := tc.key
	if key != "" && secrets == nil {
		return "", false, backend.Errorf(backend.EUNAVAILABLE, "this build of CaseyOS has no keychain to keep the API key in")
	}
	if key == "" && tc.keep {
		if key, err = transcriptionKey(secrets); err != nil {
			return "", false, err
		}
	}
	defer func() { err = scrubKey(err, key) }()
	if err := tc.t.Validate(); err != nil {
		return "", false, err
	}
	if env.Online == nil {
		return "", false, backend.Errorf(backend.EUNAVAILABLE, "this build has no online speech recognizer")
	}
	rec, err := env.Online(backend.Transcription{URL: tc.t.URL, Model: tc.t.Model, Timeout: transcriptionCheckTimeout}, key)
	if err != nil {
		return "", false, err
	}
	if tc.check {
		// A second of silence proves the URL, the model and the key, and
		// costs at most a second of transcription.
		if _, _, err := rec.Recognize(ctx, make([]int16, 16000)); err != nil {
			return "", false, err
		}
	}
	stored := false
	switch {
	case tc.key != "":
		if err := secrets.Set(TranscriptionAccount, key); err != nil {
			return "", false, err
		}
		stored = true
	case key == "":
		if err := RemoveTranscriptionKey(secrets); err != nil {
			return "", false, err
		}
	}
	if err := save(); err != nil {
		if stored {
			_ = secrets.Delete(TranscriptionAccount)
		}
		return "", false, err
	}
	return onlineName(tc.t, rec), key != "", nil
}

// ConnectTranscriptionEndpoint is `caseyos connect whisper`: it checks the
// endpoint t with key (when check), stores the key and then calls save to
// store the endpoint, as Settings does (transcriptionConnect.run).
func ConnectTranscriptionEndpoint(ctx context.Context, env VoiceEnv, secrets backend.Secrets, t backend.Transcription, key string, check bool, save func() error) (name string, hasKey bool, err error) {
	return transcriptionConnect{t: t, key: key, check: check}.run(ctx, env, secrets, save)
}

// RemoveTranscriptionKey deletes the endpoint's key from the keychain, if
// one is stored (and there is a keychain).
func RemoveTranscriptionKey(secrets backend.Secrets) error {
	if secrets == nil {
		return nil
	}
	if err := secrets.Delete(TranscriptionAccount); err != nil && backend.ErrorCode(err) != backend.ENOTFOUND {
		return err
	}
	return nil
}

// scrubKey makes sure no error shown or logged holds key: the endpoint's
// own errors are scrubbed already, this also covers the keychain's and
// anything in between.
func scrubKey(err error, key string) error {
	if err == nil || key == "" || (!strings.Contains(err.Error(), key) && !strings.Contains(backend.ErrorMessage(err), key)) {
		return err
	}
	return &backend.Error{Code: backend.ErrorCode(err), Op: "connect whisper",
		Message: strings.ReplaceAll(backend.ErrorMessage(err), key, "[key]")}
}

// MaxSecret bounds a credential: an API key, a token or a secret read
// from standard input.
const MaxSecret = 64 << 10

// transcriptionCheckTimeout bounds the check `connect whisper` makes: a
// local whisper.cpp server may still be loading its model.
const transcriptionCheckTimeout = 30 * time.Second

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
	rec      backend.Recognizer        // nil when there is none
	err      error                     // why there is none
	fallback *voice.FallbackRecognizer // online first: set when an endpoint is configured and usable
	offline  bool                      // an offline recognizer is there
	online   backend.Transcription     // the configured endpoint
	name     string                    // the online recognizer's name
	onErr    error                     // why the configured endpoint cannot be used
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
	v.fallback = &voice.FallbackRecognizer{Online: on, Offline: off, Clock: clock, OnChange: onChange}
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

// VoiceRecognizers is what `caseyos voice recognize` hears a file with:
// the offline recognizer, online first when an endpoint is configured.
type VoiceRecognizers struct{ r voiceRecognizers }

// ComposeRecognizers builds VoiceRecognizers from the offline recognizer
// (or why there is none) and the configured endpoint t (composeRecognizers).
func ComposeRecognizers(env VoiceEnv, off backend.Recognizer, offErr error, t backend.Transcription, secrets backend.Secrets, clock backend.Clock) VoiceRecognizers {
	return VoiceRecognizers{composeRecognizers(env, off, offErr, t, secrets, clock, nil)}
}

// Err says why there is no recognizer at all; nil when there is one.
func (v VoiceRecognizers) Err() error {
	if v.r.rec == nil {
		return v.r.err
	}
	return nil
}

// OnlineErr says why the configured endpoint cannot be used.
func (v VoiceRecognizers) OnlineErr() error { return v.r.onErr }

// OnlineName is the online recognizer's name.
func (v VoiceRecognizers) OnlineName() string { return v.r.name }

// Recognition hears pcm: online first with the offline recognizer as its
// fallback, or offline alone.
func (v VoiceRecognizers) Recognition(ctx context.Context, pcm []int16) (res voice.Recognition, err error) {
	if v.r.fallback != nil {
		return v.r.fallback.Recognition(ctx, pcm)
	}
	res.By = backend.RecognizerOffline
	res.Text, res.OK, err = v.r.rec.Recognize(ctx, pcm)
	return res, err
}

// liveRecognizer is the App's recognizer looked up for each utterance, so
// that a newly configured endpoint is heard with from the next command.
type liveRecognizer struct{ a *App }

func (l liveRecognizer) Recognize(ctx context.Context, pcm []int16) (string, bool, error) {
	l.a.startUtterance()
	defer l.a.endUtterance()
	rec, err := l.a.recognizer()
	if err != nil {
		return "", false, err
	}
	return rec.Recognize(ctx, pcm)
}

// Local reports whether the App hears offline only, with no endpoint in
// use, so that the listener may start decoding before the hangover ends
// (voice.LocalRecognizer) without ever sending audio away early.
func (l liveRecognizer) Local() bool {
	s := &l.a.voice
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.recs != nil && s.recs.rec != nil && s.recs.fallback == nil
}

// publishVoice sends the whole voice status, the App's recognizer fields
// included, as voice:state: the UI learns at once that the endpoint
// refused the key or recovered.
func (a *App) publishVoice() {
	a.events.Publish(backend.EventVoiceState, a.voiceStatus())
}
