package app

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/voice"
)

// VoiceEnv is what voice needs from the process. main fills it from the
// connectors (mic, sphinx, tts); app never imports them. Any field may be
// nil: voice then reports itself unavailable and the rest works.
type VoiceEnv struct {
	Microphone backend.Microphone
	// Recognizer loads the offline recognizer from modelDir ("" finds
	// Debian's pocketsphinx-en-us).
	Recognizer func(modelDir string) (backend.Recognizer, error)
	Speaker    func() (backend.Speaker, error)
	// ReadWAV reads a 16 kHz mono WAV file, for `voice recognize`.
	ReadWAV func(path string) ([]int16, error)
	// ModelDir is the configured model directory ($CASEYOS_VOICE_MODEL).
	ModelDir string
	// Online builds the online recognizer (a Whisper-compatible endpoint)
	// for a configured endpoint and its API key ("" when none is stored).
	// It is only called when an endpoint is configured; nil in a build
	// without one.
	Online func(t backend.Transcription, key string) (backend.Recognizer, error)
}

// VoiceSnoozeFor is how long "snooze" hides a move.
const VoiceSnoozeFor = "2h"

// voiceService is the App's voice session: the recognizers and speaker,
// loaded on first use, and the listener while it runs.
type voiceService struct {
	env VoiceEnv

	mu     sync.Mutex
	voice  *backend.Voice
	off    backend.Recognizer // the offline recognizer, loaded once: a model takes a while
	offErr error              // why there is none
	offRan bool               // off and offErr are set
	// recs is what voice hears with: the offline recognizer, or online
	// first when an endpoint is configured. Built on first use and again
	// after the endpoint changes.
	recs     *voiceRecognizers
	listener *voice.Listener
	stop     context.CancelFunc
	done     chan struct{}
	life     voiceLife // when the models are released (voice_lifetime.go)
}

// VoiceStatusDTO is the voice session as the UI shows it.
type VoiceStatusDTO struct {
	backend.VoiceStatus
	Running    bool   `json:"running"`    // the microphone is open
	Recognizer string `json:"recognizer"` // "ready", "unavailable", "not_loaded"
	// RecognizerM says why it is unavailable, or, when ready, what part of
	// the offline recognizer is missing (voice.Partial).
	RecognizerM string `json:"recognizer_message,omitempty"`
	// ActiveRecognizer is what hears commands once loaded: "offline",
	// "online", or "online+offline" (online first, offline when it fails).
	ActiveRecognizer string `json:"active_recognizer,omitempty"`
	// Online is the configured online recognizer and how it is doing.
	Online *OnlineRecognizerDTO `json:"online,omitempty"`
}

// session returns the voice session, creating it on first use.
func (a *App) session() *backend.Voice {
	s := &a.voice
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.voice == nil {
		var sp backend.Speaker
		if s.env.Speaker != nil {
			// No synthesizer is not an error: the UI shows the read-back.
			sp, _ = s.env.Speaker()
		}
		s.voice = backend.NewVoice(voiceTarget{a}, sp, a.clock, a.events)
	}
	return s.voice
}

// recognizer returns what voice hears with. The offline recognizer is
// loaded once; a missing model is remembered and reported, never retried
// in a loop. The online one is used only when an endpoint is configured.
func (a *App) recognizer() (backend.Recognizer, error) {
	s := &a.voice
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.offRan {
		s.offRan = true
		if s.env.Recognizer == nil {
			s.offErr = backend.Errorf(backend.EUNAVAILABLE, "this build has no speech recognizer")
		} else {
			s.off, s.offErr = s.env.Recognizer(s.env.ModelDir)
			s.life.loads++
		}
	}
	if s.recs == nil {
		st, err := a.queue.Settings.Get(a.ctx)
		if err != nil {
			return nil, err // the store's trouble: asked again next time
		}
		r := composeRecognizers(s.env, s.off, s.offErr, st.Transcription, a.secrets, a.clock, func(backend.OnlineStatus) { a.publishVoice() })
		s.recs = &r
	}
	return s.recs.rec, s.recs.err
}

func (a *App) voiceStatus() VoiceStatusDTO {
	out := VoiceStatusDTO{VoiceStatus: a.session().Status(), Recognizer: "not_loaded"}
	s := &a.voice
	s.mu.Lock()
	defer s.mu.Unlock()
	out.Running = s.listener != nil
	if r := s.recs; r != nil {
		switch {
		case r.rec != nil:
			out.Recognizer = "ready"
			if p, ok := s.off.(voice.Partial); ok {
				out.RecognizerM = p.Missing // it works, with less
			}
		case r.err != nil:
			out.Recognizer, out.RecognizerM = "unavailable", backend.ErrorMessage(r.err)
		}
		out.ActiveRecognizer, out.Online = r.active(), r.onlineDTO()
	}
	return out
}

// listen runs a listener over src until VoiceStop or shutdown.
func (a *App) listen(src backend.PCMSource, rec backend.Recognizer, onOutcome func(backend.VoiceOutcome, time.Duration)) VoiceStatusDTO {
	s := &a.voice
	ctx, cancel := context.WithCancel(a.ctx)
	l := &voice.Listener{Voice: a.session(), Recognizer: rec, OnOutcome: onOutcome}
	done := make(chan struct{})
	s.mu.Lock()
	s.listener, s.stop, s.done = l, cancel, done
	s.mu.Unlock()
	go func() {
		defer close(done)
		defer src.Close()
		err := l.Run(ctx, src)
		if err != nil && ctx.Err() == nil {
			a.session().SetMic(backend.MicState(err), backend.ErrorMessage(err))
		}
		s.mu.Lock()
		if s.listener == l {
			s.listener, s.stop = nil, nil
			s.life.keyOpened = false
		}
		s.mu.Unlock()
		a.session().SetSpeech(false)
		a.voiceIdleSoon() // voice is off: the models go after the grace period
	}()
	return a.voiceStatus()
}

// voiceTarget is the App as voice sees it: the key's operations, recorded
// as done by voice.
type voiceTarget struct{ a *App }

func (t voiceTarget) Moves(ctx context.Context) ([]backend.VoiceMove, error) {
	res, err := t.a.queue.Moves.Today(ctx, backend.TodayFilter{})
	if err != nil {
		return nil, err
	}
	out := make([]backend.VoiceMove, 0, len(res.Moves))
	now := t.a.clock.Now()
	for _, m := range res.Moves {
		// Reasons hold time tokens ("{ago:UNIX}") that only make sense
		// rendered relative to now, as the UI shows them.
		reason := backend.RenderReason(m.TopReason(), now, time.Local)
		out = append(out, backend.VoiceMove{ID: m.ID, Kind: m.Kind, Title: m.Title, TopReason: reason, Draft: spokenDraft(m)})
	}
	return out, nil
}

func (t voiceTarget) Skip(_ context.Context, id uint64) error {
	_, err := t.a.bound.Today.Skip(id, "", "voice")
	return err
}

func (t voiceTarget) Snooze(_ context.Context, id uint64) (string, error) {
	m, err := t.a.bound.Today.Snooze(id, VoiceSnoozeFor, "voice")
	if err != nil {
		return "", err
	}
	if m.SnoozedUntil == nil {
		return "later", nil
	}
	return m.SnoozedUntil.Local().Format("3:04 PM"), nil
}

// Undo takes back a send still in its undo window first (right after a
// spoken "confirm" that is what undo means), else the last skip or snooze.
func (t voiceTarget) Undo(context.Context) (string, error) {
	if m, ok, err := t.a.cancelNewestWaiting("voice"); ok {
		return m.Title, err
	}
	m, err := t.a.bound.Today.Undo("voice")
	return m.Title, err
}

// Preview is the preview "approve" makes: the same PreviewExecution the
// window shows, whose hash "confirm" executes.
func (t voiceTarget) Preview(_ context.Context, id uint64) (string, error) {
	p, err := t.a.bound.Execution.PreviewExecution(id)
	if err == nil {
		err = p.Blocked()
	}
	if err != nil {
		return "", err
	}
	return p.Hash, nil
}

// Execute runs move id through ExecuteMove with the hash of the preview
// approved: a draft edited since is refused, not sent.
func (t voiceTarget) Execute(_ context.Context, id uint64, hash string) (string, error) {
	e, err := t.a.bound.Execution.ExecuteMove(id, ExecuteRequestDTO{PreviewHash: hash, Via: "voice"})
	if err != nil {
		return "", err
	}
	return e.Result, nil
}

// spokenDraft is a move's draft as it should sound.
func spokenDraft(m *backend.Move) string {
	d := m.Draft
	var parts []string
	if len(d.To) > 0 {
		parts = append(parts, "To "+strings.Join(d.To, ", ")+".")
	}
	if d.Subject != "" {
		parts = append(parts, "Subject: "+d.Subject+".")
	}
	if d.Body != "" {
		parts = append(parts, d.Body)
	}
	if d.TaskTitle != "" {
		parts = append(parts, "Task: "+d.TaskTitle+".")
	}
	return strings.Join(parts, " ")
}
