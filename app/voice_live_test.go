package app_test

import "github.com/caseyos/caseyos/backend/vad"

// liveUtterance is what the listener would hand the recognizer for a clip
// arriving from a microphone: the first utterance the VAD (with its
// defaults) cuts from it, 20 ms at a time. The corpus measures the live
// path through it, and the classifier is trained on it as well as on
// whole clips.
func liveUtterance(pcm []int16) ([]int16, bool) {
	d := vad.New(vad.Config{})
	for i := 0; i < len(pcm); i += 320 {
		if us := d.Write(pcm[i:min(i+320, len(pcm))]); len(us) > 0 {
			return us[0].PCM, true
		}
	}
	if u, ok := d.Flush(); ok {
		return u.PCM, true
	}
	return nil, false
}
