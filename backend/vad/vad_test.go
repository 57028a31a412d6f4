package vad_test

import (
	"math"
	"math/rand"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend/vad"
)

// tone is a 300 Hz sine at amplitude amp for d.
func tone(d time.Duration, amp float64) []int16 {
	n := int(d.Seconds() * 16000)
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(amp * math.Sin(2*math.Pi*300*float64(i)/16000))
	}
	return out
}

func noise(d time.Duration, amp float64, seed int64) []int16 {
	rng := rand.New(rand.NewSource(seed))
	out := make([]int16, int(d.Seconds()*16000))
	for i := range out {
		out[i] = int16(rng.NormFloat64() * amp)
	}
	return out
}

func join(parts ...[]int16) []int16 {
	var out []int16
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func add(a, b []int16) []int16 {
	out := make([]int16, len(a))
	for i := range a {
		out[i] = a[i] + b[i%len(b)]
	}
	return out
}

// feed writes pcm in chunks of n samples and collects utterances.
func feed(d *vad.Detector, pcm []int16, n int) []vad.Utterance {
	var out []vad.Utterance
	for len(pcm) > 0 {
		k := min(n, len(pcm))
		out = append(out, d.Write(pcm[:k])...)
		pcm = pcm[k:]
	}
	return out
}

const ms = time.Millisecond

func TestDetector(t *testing.T) {
	bg := noise(3*time.Second, 30, 1)
	for _, tt := range []struct {
		name      string
		pcm       []int16
		chunk     int
		want      int
		truncated bool
	}{
		{"OneWord", join(bg[:8000], tone(400*ms, 3000), bg[:8000]), 320, 1, false},
		{"OddChunks", join(bg[:8000], tone(400*ms, 3000), bg[:8000]), 77, 1, false},
		// A 150 ms pause inside a command is bridged by the 200 ms hangover.
		{"ShortPauseBridged", join(bg[:8000], tone(300*ms, 3000), bg[:2400], tone(300*ms, 3000), bg[:8000]), 320, 1, false},
		{"LongPauseSplits", join(bg[:8000], tone(300*ms, 3000), bg[:8000], tone(300*ms, 3000), bg[:8000]), 320, 2, false},
		{"ClickDropped", join(bg[:8000], tone(40*ms, 8000), bg[:8000]), 320, 0, false},
		{"Silence", make([]int16, 32000), 320, 0, false},
		{"SteadyNoiseLearnt", noise(3*time.Second, 2000, 2), 320, 0, false},
		{"SpeechInNoise", join(noise(time.Second, 300, 3), add(tone(500*ms, 3000), noise(500*ms, 300, 4)), noise(time.Second, 300, 5)), 320, 1, false},
		{"TooLong", join(bg[:8000], tone(5*time.Second, 3000), bg[:16000]), 320, 1, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := vad.New(vad.Config{})
			got := feed(d, tt.pcm, tt.chunk)
			if u, ok := d.Flush(); ok {
				got = append(got, u)
			}
			if len(got) != tt.want {
				t.Fatalf("utterances = %d, want %d", len(got), tt.want)
			}
			for _, u := range got {
				if u.Truncated != tt.truncated {
					t.Errorf("Truncated = %v, want %v", u.Truncated, tt.truncated)
				}
				if max := 4*time.Second + 16*ms; time.Duration(len(u.PCM))*time.Second/16000 > max+400*ms {
					t.Errorf("utterance of %v is longer than the bound", time.Duration(len(u.PCM))*time.Second/16000)
				}
			}
		})
	}
}

func TestDetector_Bounds(t *testing.T) {
	pre := noise(500*ms, 30, 7)
	pcm := join(pre, tone(400*ms, 3000), noise(time.Second, 30, 8))
	d := vad.New(vad.Config{})
	got := feed(d, pcm, 160)
	if len(got) != 1 {
		t.Fatalf("utterances = %d, want 1", len(got))
	}
	u := got[0]
	// Kept audio starts within the pre-roll before the tone and speech
	// ends at the tone's end, to a frame.
	if u.Start < 500*ms-200*ms || u.Start > 500*ms {
		t.Errorf("Start = %v, want within the pre-roll before 500ms", u.Start)
	}
	if u.SpeechEnd < 890*ms || u.SpeechEnd > 910*ms {
		t.Errorf("SpeechEnd = %v, want ≈ 900ms", u.SpeechEnd)
	}
	if got := time.Duration(len(u.PCM)) * time.Second / 16000; got < 600*ms || got > 800*ms {
		t.Errorf("kept %v of audio, want pre-roll + 400ms + hangover", got)
	}
}

func TestEnergy(t *testing.T) {
	if e := vad.Energy(make([]int16, 160)); e != 0 {
		t.Errorf("Energy(zeros) = %v, want 0", e)
	}
	f := make([]int16, 160)
	for i := range f {
		f[i] = 1000
	}
	if e := vad.Energy(f); math.Abs(e-60) > 1e-9 {
		t.Errorf("Energy(1000) = %v, want 60", e)
	}
}

func BenchmarkDetector_Write(b *testing.B) {
	pcm := join(noise(time.Second, 30, 1), tone(time.Second, 3000))
	d := vad.New(vad.Config{})
	b.ReportAllocs()
	b.SetBytes(int64(len(pcm) * 2))
	for b.Loop() {
		feed(d, pcm, 320)
	}
}
