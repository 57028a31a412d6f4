// Package voice holds the audio side of CaseyOS's voice commands: the
// recognizer combinators that make the shipped offline recognizer out of
// the keyword classifier (connectors/kws) and pocketsphinx
// (connectors/sphinx), the online-first fallback, and the listener that
// cuts a microphone's audio into utterances for them. Its leaf packages
// hold the audio DSP: vad, denoise and wav. The domain (backend) keeps
// the Recognizer port and the intents.
package voice

import (
	"context"
	"sync"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/voice/denoise"
	"github.com/caseyos/caseyos/connectors/voice/vad"
)

// Recognition is one utterance as a FallbackRecognizer heard it.
type Recognition struct {
	Text string
	OK   bool
	By   string // backend.RecognizerOnline or backend.RecognizerOffline
	// OnlineErr is why the online recognizer did not answer, when it was
	// asked and failed.
	OnlineErr error
	// Skipped is set when the online recognizer was not asked because it
	// failed moments before.
	Skipped bool
}

// Default pauses of a FallbackRecognizer.
const (
	DefaultTransientPause = 30 * time.Second
	DefaultProblemPause   = 5 * time.Minute
)

// FallbackRecognizer asks Online first and, when it fails, Offline, for
// the same utterance. A rejection is not a failure: an online transcript
// that is not one command is final, since the grammar recognizer would
// only force the same sound into some command. After a failure the online
// recognizer rests — for its RetryAfter wait (at most TransientPause), or
// ProblemPause when the user must fix something — so that each command
// does not wait out a dead network; with no Offline it is always asked. It
// is safe for concurrent use.
type FallbackRecognizer struct {
	Online  backend.Recognizer
	Offline backend.Recognizer // nil: none; online failures are returned
	Clock   backend.Clock      // nil: the system clock
	// OnChange, when set, sees the online status each time its state or
	// message changes. It is called without locks held.
	OnChange       func(backend.OnlineStatus)
	TransientPause time.Duration // default DefaultTransientPause
	ProblemPause   time.Duration // default DefaultProblemPause

	mu     sync.Mutex
	status backend.OnlineStatus
}

var _ backend.Recognizer = (*FallbackRecognizer)(nil)

// Recognize implements backend.Recognizer.
func (f *FallbackRecognizer) Recognize(ctx context.Context, pcm []int16) (string, bool, error) {
	r, err := f.Recognition(ctx, pcm)
	return r.Text, r.OK, err
}

// Recognition recognizes pcm and says which recognizer answered.
func (f *FallbackRecognizer) Recognition(ctx context.Context, pcm []int16) (Recognition, error) {
	f.mu.Lock()
	resting := f.Offline != nil && f.now().Before(f.status.Until)
	f.mu.Unlock()
	var onlineErr error
	if !resting {
		text, ok, err := f.Online.Recognize(ctx, pcm)
		if err == nil {
			f.record(nil)
			return Recognition{Text: text, OK: ok, By: backend.RecognizerOnline}, nil
		}
		if ctx.Err() != nil { // the caller gave up: nobody's fault
			return Recognition{By: backend.RecognizerOnline}, err
		}
		f.record(err)
		if f.Offline == nil {
			return Recognition{By: backend.RecognizerOnline, OnlineErr: err}, err
		}
		onlineErr = err
	}
	text, ok, err := f.Offline.Recognize(ctx, pcm)
	return Recognition{Text: text, OK: ok, By: backend.RecognizerOffline, OnlineErr: onlineErr, Skipped: resting}, err
}

// Status returns how the online recognizer is doing.
func (f *FallbackRecognizer) Status() backend.OnlineStatus {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.status
	if s.State == "" {
		s.State = backend.OnlineReady
	}
	return s
}

func (f *FallbackRecognizer) now() time.Time {
	if f.Clock == nil {
		return time.Now()
	}
	return f.Clock.Now()
}

// record notes an online answer (err nil) or failure.
func (f *FallbackRecognizer) record(err error) {
	f.mu.Lock()
	prev := f.status
	if err == nil {
		f.status = backend.OnlineStatus{State: backend.OnlineReady}
	} else {
		now := f.now()
		state := backend.OnlineState(err)
		pause := f.ProblemPause
		if pause <= 0 {
			pause = DefaultProblemPause
		}
		if state == backend.OnlineUnreachable {
			pause = f.TransientPause
			if pause <= 0 {
				pause = DefaultTransientPause
			}
			if wait, _ := backend.RetryAfter(err); wait < pause {
				pause = wait
			}
		}
		f.status = backend.OnlineStatus{State: state, Code: backend.ErrorCode(err), Message: backend.ErrorMessage(err), At: now, Until: now.Add(pause)}
	}
	s := f.status
	changed := (s.State != prev.State && !(prev.State == "" && s.State == backend.OnlineReady)) || s.Message != prev.Message
	f.mu.Unlock()
	if changed && f.OnChange != nil {
		f.OnChange(s)
	}
}

// FirstHeard is one offline recognizer made of several, asked in order for
// the same utterance: the first that hears a command answers, and the rest
// are not asked. Put the fastest, or the one least likely to mishear,
// first. A recognizer that fails does not stop the others: the utterance is
// a rejection when one answered without hearing a command, and an error
// only when every one failed (the first error is returned).
type FirstHeard []backend.Recognizer

var _ backend.Recognizer = FirstHeard(nil)

// Recognize implements backend.Recognizer.
func (f FirstHeard) Recognize(ctx context.Context, pcm []int16) (string, bool, error) {
	var first error
	answered := false
	for _, r := range f {
		text, ok, err := r.Recognize(ctx, pcm)
		if err != nil {
			if ctx.Err() != nil {
				return "", false, ctx.Err()
			}
			if first == nil {
				first = err
			}
			continue
		}
		if ok {
			return text, true, nil
		}
		answered = true
	}
	if answered || first == nil {
		return "", false, nil
	}
	return "", false, first
}

// A Vetoer second-guesses a command another recognizer heard: it returns
// what the utterance was instead ("" when it has nothing against the
// command). pocketsphinx's decoy pass is one: "skipping" is not "skip".
type Vetoer interface {
	Veto(ctx context.Context, pcm []int16, command string) (instead string, err error)
}

// Vetoed is Recognizer with its commands put to Vetoer: a vetoed command is
// a rejection. A Vetoer that fails lets the command stand, since the
// recognizer that heard it is the one answering. Nil Vetoer: none.
type Vetoed struct {
	Recognizer backend.Recognizer
	Vetoer     Vetoer
}

var _ backend.Recognizer = Vetoed{}

// Recognize implements backend.Recognizer.
func (v Vetoed) Recognize(ctx context.Context, pcm []int16) (string, bool, error) {
	text, ok, err := v.Recognizer.Recognize(ctx, pcm)
	if err != nil || !ok || v.Vetoer == nil {
		return text, ok, err
	}
	instead, err := v.Vetoer.Veto(ctx, pcm, text)
	if err != nil && ctx.Err() != nil {
		return "", false, ctx.Err()
	}
	if err == nil && instead != "" {
		return "", false, nil
	}
	return text, true, nil
}

// VetoingRecognizer recognizes commands and can veto another recognizer's
// (pocketsphinx's grammar with its decoy pass).
type VetoingRecognizer interface {
	backend.Recognizer
	Vetoer
}

// A Confirmer says whether it too heard a command another recognizer was
// not sure of, by a weaker test than its own answers pass.
type Confirmer interface {
	Confirm(ctx context.Context, pcm []int16, command string) (bool, error)
}

// Unconfirmed is the Vetoer of a Confirmer: it vetoes ("unconfirmed")
// every command Confirmer does not confirm, and, unlike other vetoers, one
// it fails on, since the command needed it to stand (Vetoed{Recognizer,
// Unconfirmed{c}} is Recognizer's commands that c confirms).
type Unconfirmed struct{ Confirmer Confirmer }

var _ Vetoer = Unconfirmed{}

// Veto implements Vetoer.
func (u Unconfirmed) Veto(ctx context.Context, pcm []int16, command string) (string, error) {
	yes, err := u.Confirmer.Confirm(ctx, pcm, command)
	if err != nil && ctx.Err() != nil {
		return "", ctx.Err()
	}
	if err != nil || !yes {
		return "unconfirmed", nil
	}
	return "", nil
}

// A Classifier is a VetoingRecognizer that can also answer at a lower
// threshold (the keyword classifier).
type Classifier interface {
	VetoingRecognizer
	WithThreshold(p float64) backend.Recognizer
}

// A Grammar is a VetoingRecognizer that can confirm (pocketsphinx's
// command grammar).
type Grammar interface {
	VetoingRecognizer
	Confirmer
}

// AgreeAt is the probability from which the classifier's command stands
// when the grammar confirms it (ClassifierFirst). On the corpus, commands
// in noise the classifier heard right at 0.8–0.98 were most of what the
// live path lost at 13 dB (docs/voice-lab.md).
const AgreeAt = 0.9

// Cleaned is a grammar recognizer that hears every utterance, for its veto
// too, as the microphone heard it and with its steady noise filtered out:
//   - without the tail the listener's VAD filled in by repeating the quiet
//     after the speech (vad.Heard), which pocketsphinx hears as more of the
//     word (pocketsphinx alone, through the VAD, heard 78 % of flite's
//     clean commands with that tail and 92 % without);
//   - through denoise.Clean: pocketsphinx's model was trained on clean
//     speech, and in white or pink noise at 13–20 dB it loses most
//     commands; through the filter it keeps about twice as many
//     (docs/benchmarks.md).
//
// The keyword classifier is not put behind it: it was trained on the
// VAD's tails and on unfiltered noisy clips, and hears cleaned ones worse.
type Cleaned struct{ Grammar }

func clean(pcm []int16) []int16 { return denoise.Clean(vad.Heard(pcm)) }

// Recognize implements backend.Recognizer.
func (c Cleaned) Recognize(ctx context.Context, pcm []int16) (string, bool, error) {
	return c.Grammar.Recognize(ctx, clean(pcm))
}

// Veto implements Vetoer.
func (c Cleaned) Veto(ctx context.Context, pcm []int16, command string) (string, error) {
	return c.Grammar.Veto(ctx, clean(pcm), command)
}

// Confirm implements Confirmer.
func (c Cleaned) Confirm(ctx context.Context, pcm []int16, command string) (bool, error) {
	return c.Grammar.Confirm(ctx, clean(pcm), command)
}

// ClassifierFirst is the offline recognizer CaseyOS ships. Asked in turn:
//  1. the classifier, its commands put to grammar's veto;
//  2. the classifier from AgreeAt, its commands confirmed by grammar (both
//     heard it, neither sure alone);
//  3. grammar, its commands put in turn to the classifier's veto.
//
// grammar hears the utterance Cleaned, the classifier as it came. Each
// vetoes only when it is sure: grammar when a near-miss word fits better
// ("skipping" for skip), the classifier when it finds the command all but
// impossible (a sentence the grammar heard as one).
func ClassifierFirst(classifier Classifier, grammar Grammar) FirstHeard {
	g := Cleaned{grammar}
	return FirstHeard{
		Vetoed{Recognizer: classifier, Vetoer: g},
		Vetoed{Recognizer: classifier.WithThreshold(AgreeAt), Vetoer: Unconfirmed{g}},
		Vetoed{Recognizer: g, Vetoer: classifier},
	}
}

// Partial is an offline recognizer that lost one of its parts when it
// loaded (a model missing, say): it still hears commands, and Missing
// says what is missing and how to get it back, for the voice status.
type Partial struct {
	backend.Recognizer
	Missing string
}
