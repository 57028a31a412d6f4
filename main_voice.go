package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/app/cli"
	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/kws"
	"github.com/caseyos/caseyos/connectors/mic"
	"github.com/caseyos/caseyos/connectors/sphinx"
	"github.com/caseyos/caseyos/connectors/tts"
	"github.com/caseyos/caseyos/connectors/voice"
	"github.com/caseyos/caseyos/connectors/whisper"
	"github.com/caseyos/caseyos/connectors/whisper/whispertest"
)

// voiceEnv wires the microphone, the offline recognizers, the optional
// online one and the speech synthesizer. Without the sphinx build tag the
// offline recognizer says how to get one; the model directory comes from
// $CASEYOS_VOICE_MODEL, else Debian's. The online recognizer (a
// Whisper-compatible endpoint) is built only when `caseyos connect
// whisper` configured one.
func voiceEnv() app.VoiceEnv {
	return app.VoiceEnv{
		Microphone: &mic.Microphone{},
		Recognizer: offlineRecognizer,
		Speaker: func() (backend.Speaker, error) {
			s, err := tts.New(os.Getenv("CASEYOS_VOICE_SPEAKER"), 0)
			if err != nil {
				return nil, err
			}
			return s, nil
		},
		ReadWAV:  mic.ReadWAV,
		ModelDir: os.Getenv("CASEYOS_VOICE_MODEL"),
		Online: func(t backend.Transcription, key string) (backend.Recognizer, error) {
			r, err := whisper.New(whisper.Config{BaseURL: t.URL, Model: t.Model, APIKey: key, Timeout: t.Timeout})
			if err != nil {
				return nil, err
			}
			return r, nil
		},
	}
}

// offlineRecognizer is what hears commands without a network: the keyword
// classifier first (the speech embedding and a trained head, pure Go,
// about 10 ms an utterance), its commands put to pocketsphinx's decoy pass
// ("skipping" is not skip); then the classifier's less sure commands that
// pocketsphinx's grammar heard too; then pocketsphinx's grammar for what
// the classifier did not take, put to the classifier's veto
// (voice.ClassifierFirst);
// pocketsphinx hears the utterance as the microphone heard it, with its
// steady noise filtered out (voice.Cleaned). Either one
// alone serves when the other cannot load (voice.Partial: the voice
// status says why, and so does stderr).
// pocketsphinx's model directory is dir ("" = Debian's); the classifier's
// models are found by kws.FindModels ($CASEYOS_KWS_MODELS, make
// voice-models).
func offlineRecognizer(dir string) (backend.Recognizer, error) {
	var recs voice.FirstHeard
	k, kerr := kws.New(kws.Config{})
	s, serr := sphinx.New(sphinx.Config{ModelDir: dir})
	switch {
	case kerr == nil && serr == nil:
		recs = voice.ClassifierFirst(k, s)
	case kerr == nil:
		recs = voice.FirstHeard{k}
	case serr == nil:
		recs = voice.FirstHeard{voice.Cleaned{Grammar: s}}
	}
	// The App closes it when voice turns off: pocketsphinx's decoder is C
	// memory; the classifier's networks are Go's and go with the references.
	var rec backend.Recognizer = recs
	if serr == nil {
		rec = voice.Closing{Recognizer: recs, Free: s.Close}
	}
	var missing string
	switch {
	case kerr != nil && serr != nil:
		return nil, backend.Errorf(backend.EUNAVAILABLE, "no offline recognizer: %s; and %s", backend.ErrorMessage(serr), backend.ErrorMessage(kerr))
	case kerr != nil:
		missing = "pocketsphinx alone hears commands: the keyword classifier is unavailable: " + backend.ErrorMessage(kerr)
	case serr != nil:
		missing = "the keyword classifier alone hears commands: " + backend.ErrorMessage(serr)
	default:
		return rec, nil
	}
	fmt.Fprintf(os.Stderr, "voice: %s\n", missing)
	return voice.Partial{Recognizer: rec, Missing: missing}, nil
}

// fakeWhisper serves whispertest's fake transcription endpoint, OpenAI's
// way: one API key, printed for the developer, and the model whisper-1.
// It hears silence, so it answers the check Save and `connect whisper`
// make, and nothing else.
func fakeWhisper() cli.Fake {
	return func(ctx context.Context, addr string) (string, func(), error) {
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			return "", nil, err
		}
		key := "sk-fake-" + hex.EncodeToString(b)
		srv := whispertest.New(whispertest.OpenAI(key))
		url, err := srv.Start(addr)
		if err != nil {
			return "", nil, backend.Errorf(backend.EUNAVAILABLE, "the fake transcription endpoint cannot listen on %s", addr)
		}
		fmt.Fprintf(os.Stderr, "fake whisper API key: %s\n", key)
		return url, srv.Close, nil
	}
}
