package sphinxtest_test

import (
	"context"
	"math"
	"testing"

	"github.com/caseyos/caseyos/connectors/sphinx/sphinxtest"
)

// TestVoices_CancelledTail measures what tells the corpus's "cancelled",
// an out-of-grammar word, from the command "cancel" in each espeak-ng
// voice of the corpus: the speech "cancelled" goes on with after
// "cancel" has ended, its /d/. It is faint, so in noise at 13 dB SNR the
// noise covers it, and what is left to tell the two apart is the shape of
// the last syllable, which the /d/ changes (docs/voice-lab.md).
// The test fails when a voice says the /d/ louder, and then the corpus's
// false accepts of "cancelled" in noise are no longer explained by the
// noise.
//
//	go test -run TestVoices_CancelledTail -v ./connectors/sphinx/sphinxtest/
func TestVoices_CancelledTail(t *testing.T) {
	if err := sphinxtest.Check(); err != nil {
		t.Skip(err)
	}
	ctx := context.Background()
	for _, v := range sphinxtest.Voices {
		for _, speed := range sphinxtest.Speeds {
			cancel, err := sphinxtest.Speak(ctx, t.TempDir(), "cancel", v, speed)
			if err != nil {
				t.Fatal(err)
			}
			cancelled, err := sphinxtest.Speak(ctx, t.TempDir(), "cancelled", v, speed)
			if err != nil {
				t.Fatal(err)
			}
			speech := sphinxtest.SpeechPower(cancelled)
			floor := speech * 1e-4 // 40 dB under the speech
			end, longer := speechEnd(cancel, floor), speechEnd(cancelled, floor)
			if longer-end < frame {
				t.Logf("%-14s %d wpm: no longer than cancel (%+d ms)", v, speed, (longer-end)/16)
				continue
			}
			var p float64
			for _, s := range cancelled[end:longer] {
				p += float64(s) * float64(s)
			}
			db := 10 * math.Log10(p/float64(longer-end)/speech)
			t.Logf("%-14s %d wpm: %3d ms longer than cancel, at %5.1f dB to its speech", v, speed, (longer-end)/16, db)
			if db > -13 {
				t.Errorf("%s %d wpm: cancelled's tail is at %.1f dB to its speech: noise at 13 dB SNR no longer covers it", v, speed, db)
			}
		}
	}
}

const frame = 160 // 10 ms at 16 kHz

// speechEnd is where the last 10 ms frame of pcm louder than floor (a mean
// square) ends.
func speechEnd(pcm []int16, floor float64) int {
	for i := len(pcm) - frame; i >= 0; i -= frame {
		var p float64
		for _, s := range pcm[i : i+frame] {
			p += float64(s) * float64(s)
		}
		if p/frame > floor {
			return i + frame
		}
	}
	return 0
}
