package main

import (
	"os"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/mic"
	"github.com/caseyos/caseyos/connectors/sphinx"
	"github.com/caseyos/caseyos/connectors/tts"
	"github.com/caseyos/caseyos/connectors/whisper"
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
