package voice

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/voice/vad"
)

// LocalRecognizer is a Recognizer that can say it decodes on this machine.
// The listener then starts on an utterance as soon as the VAD offers it
// (vad.Detector.Tentative), half-way into the hangover, and throws the
// answer away when speech comes back: the decode overlaps the rest of the
// hangover instead of following it. A recognizer that sends audio away
// (Local false, or no Local method) is only given closed utterances, so a
// pause inside a command never sends half of one.
type LocalRecognizer interface {
	backend.Recognizer
	Local() bool
}

// Listener turns a PCM stream into voice commands: voice activity
// detection, the recognizer, then the session.
type Listener struct {
	Voice      *backend.Voice
	Recognizer backend.Recognizer
	VAD        vad.Config
	// Chunk is how much audio one read asks for (default 20 ms).
	Chunk time.Duration
	// OnOutcome, when set, sees every outcome with the time from the end
	// of speech (as the audio was read) to the outcome.
	OnOutcome func(backend.VoiceOutcome, time.Duration)

	mu      sync.Mutex
	ptt     bool
	flushes chan struct{}
}

// PushToTalk reports the key going down or up. On release an utterance in
// progress is ended at once instead of after the hangover.
func (l *Listener) PushToTalk(down bool) {
	l.mu.Lock()
	l.ptt = down
	ch := l.flushes
	l.mu.Unlock()
	l.Voice.PushToTalk(down)
	if !down && ch != nil {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// Run reads src until ctx ends, src fails or src ends (io.EOF, which is
// not an error), acting on every utterance.
func (l *Listener) Run(ctx context.Context, src backend.PCMSource) error {
	chunk := l.Chunk
	if chunk == 0 {
		chunk = 20 * time.Millisecond
	}
	det := vad.New(l.VAD)
	cfg := det.Config()
	buf := make([]int16, int(int64(cfg.SampleRate)*int64(chunk)/int64(time.Second)))
	l.mu.Lock()
	l.flushes = make(chan struct{}, 1)
	flushes := l.flushes
	l.mu.Unlock()

	type read struct {
		pcm []int16
		at  time.Time
		err error
	}
	reads := make(chan read, 8)
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		defer close(reads)
		for {
			n, err := src.Read(rctx, buf)
			r := read{pcm: append([]int16(nil), buf[:n]...), at: time.Now(), err: err}
			select {
			case reads <- r:
			case <-rctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	var consumed int64 // samples
	var lastAt time.Time
	// When the read that carried a sample arrived: the audio clock mapped
	// to the wall clock at the latest read.
	wallAt := func(offset time.Duration) time.Time {
		end := time.Duration(consumed * int64(time.Second) / int64(cfg.SampleRate))
		return lastAt.Add(offset - end)
	}
	// Asked at each offer: the recognizer behind may change while listening
	// (an endpoint configured in Settings).
	local := func() bool {
		lr, ok := l.Recognizer.(LocalRecognizer)
		return ok && lr.Local()
	}
	var early *speculation // the decode of the VAD's tentative utterance
	defer func() { early.drop() }()
	offer := func() {
		t, ok := det.Tentative()
		switch {
		case !ok:
			early.drop() // speech came back: the offer was withdrawn
			early = nil
		case !early.of(t) && local():
			early.drop()
			early = l.speculate(ctx, t)
		}
	}
	handle := func(u vad.Utterance) {
		eos := wallAt(u.SpeechEnd)
		var out backend.VoiceOutcome
		if early.of(u) {
			out = l.act(ctx, u, early.wait(ctx))
		} else {
			out = l.utterance(ctx, u)
		}
		early.drop()
		early = nil
		if l.OnOutcome != nil {
			l.OnOutcome(out, time.Since(eos))
		}
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-flushes:
			if u, ok := det.Flush(); ok {
				l.Voice.SetSpeech(false)
				handle(u)
			}
		case r, ok := <-reads:
			if !ok {
				return ctx.Err()
			}
			if len(r.pcm) > 0 {
				consumed += int64(len(r.pcm))
				lastAt = r.at
				for _, u := range det.Write(r.pcm) {
					l.Voice.SetSpeech(false)
					handle(u)
				}
				offer()
				l.Voice.SetSpeech(det.InSpeech())
			}
			if r.err != nil {
				if u, ok := det.Flush(); ok {
					handle(u)
				}
				if errors.Is(r.err, io.EOF) {
					return nil
				}
				return r.err
			}
		}
	}
}

func (l *Listener) utterance(ctx context.Context, u vad.Utterance) backend.VoiceOutcome {
	if u.Truncated {
		return l.Voice.Rejected("", "too_long")
	}
	text, ok, err := l.Recognizer.Recognize(ctx, u.PCM)
	return l.act(ctx, u, recognition{text, ok, err})
}

// recognition is what the recognizer said of one utterance.
type recognition struct {
	text string
	ok   bool
	err  error
}

// act turns a recognized utterance into its outcome.
func (l *Listener) act(ctx context.Context, u vad.Utterance, r recognition) backend.VoiceOutcome {
	text, ok, err := r.text, r.ok, r.err
	if err != nil {
		return l.Voice.Failed(text, err)
	}
	if !ok {
		return l.Voice.Rejected(text, "rejected")
	}
	return l.Voice.Heard(ctx, text)
}

// speculation is the decode of a tentative utterance, running while the
// hangover runs out.
type speculation struct {
	start, speechEnd time.Duration
	samples          int
	cancel           context.CancelFunc
	done             chan struct{}
	res              recognition
}

// speculate starts decoding u.
func (l *Listener) speculate(ctx context.Context, u vad.Utterance) *speculation {
	sctx, cancel := context.WithCancel(ctx)
	s := &speculation{start: u.Start, speechEnd: u.SpeechEnd, samples: len(u.PCM), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		text, ok, err := l.Recognizer.Recognize(sctx, u.PCM)
		s.res = recognition{text, ok, err}
	}()
	return s
}

// of reports whether s decodes u: the VAD closes an offered utterance with
// the same bounds and audio.
func (s *speculation) of(u vad.Utterance) bool {
	return s != nil && !u.Truncated && s.start == u.Start && s.speechEnd == u.SpeechEnd && s.samples == len(u.PCM)
}

// wait returns the decode's answer.
func (s *speculation) wait(ctx context.Context) recognition {
	select {
	case <-s.done:
		return s.res
	case <-ctx.Done():
		return recognition{err: ctx.Err()}
	}
}

// drop abandons the decode; its answer, if it comes, is never used.
func (s *speculation) drop() {
	if s != nil {
		s.cancel()
	}
}
