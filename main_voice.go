package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/mic"
	"github.com/caseyos/caseyos/connectors/sphinx"
	"github.com/caseyos/caseyos/connectors/tts"
	"github.com/caseyos/caseyos/connectors/whisper"
	"github.com/caseyos/caseyos/connectors/whisper/whispertest"
)

// voiceEnv wires the microphone, the offline recognizer, the optional
// online one and the speech synthesizer. Without the sphinx build tag the
// offline recognizer says how to get one; the model directory comes from
// $CASEYOS_VOICE_MODEL, else Debian's. The online recognizer (a
// Whisper-compatible endpoint) is built only when `caseyos connect
// whisper` configured one.
func voiceEnv() app.VoiceEnv {
	return app.VoiceEnv{
		Microphone: &mic.Microphone{},
		Recognizer: func(dir string) (backend.Recognizer, error) {
			r, err := sphinx.New(sphinx.Config{ModelDir: dir})
			if err != nil {
				return nil, err
			}
			return r, nil
		},
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

// fakeWhisper serves whispertest's fake transcription endpoint, OpenAI's
// way: one API key, printed for the developer, and the model whisper-1.
// It hears silence, so it answers the check Save and `connect whisper`
// make, and nothing else.
func fakeWhisper() app.Fake {
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
