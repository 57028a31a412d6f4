package app_test

import (
	"os"
	"path/filepath"

	"github.com/caseyos/caseyos/connectors/kws"
	"github.com/caseyos/caseyos/connectors/voice/vad"
)

// liveUtterance is what the listener would hand the recognizer for a clip
// arriving from a microphone: the first utterance the VAD (with its
// defaults) cuts from it, 20 ms at a time. The corpus measures the live
// path through it (and voicelab train teaches the classifier the same
// cut as well as whole clips).
func liveUtterance(pcm []int16) ([]int16, bool) {
	us := liveUtterances(pcm)
	if len(us) == 0 {
		return nil, false
	}
	return us[0].PCM, true
}

// liveUtterances are all the utterances the listener's VAD cuts from a
// stream fed to it 20 ms at a time, the last one flushed at its end.
func liveUtterances(pcm []int16) []vad.Utterance {
	d := vad.New(vad.Config{})
	var us []vad.Utterance
	for i := 0; i < len(pcm); i += 320 {
		us = append(us, d.Write(pcm[i:min(i+320, len(pcm))])...)
	}
	if u, ok := d.Flush(); ok {
		us = append(us, u)
	}
	return us
}

// kwsModelDir is $CASEYOS_KWS_MODELS, else the repository's
// build/kws-models, where make voice-models puts them.
func kwsModelDir() string {
	if d := os.Getenv(kws.ModelsEnv); d != "" {
		return d
	}
	return filepath.Join("..", "build", "kws-models")
}
