package denoise_test

import (
	"math"
	"math/rand"
	"testing"

	"github.com/caseyos/caseyos/connectors/voice/denoise"
)

const rate = 16000

// vowel is a voiced sound: harmonics of 140 Hz up to 3.5 kHz under a
// syllable-like envelope, n samples at peak amplitude.
func vowel(n int, peak float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		t := float64(i) / rate
		env := math.Sin(math.Pi * float64(i) / float64(n)) // one syllable
		v := 0.0
		for h := 1; h*140 < 3500; h++ {
			v += math.Sin(2*math.Pi*140*float64(h)*t) / float64(h)
		}
		out[i] = peak * env * v / 2
	}
	return out
}

// utterance is 300 ms of quiet, the vowel (600 ms), then 400 ms of quiet,
// as the voice activity detector cuts a command: the speech alone, and
// where it lies.
func utterance() (speech []float64, from, to int) {
	from, to = 300*rate/1000, 900*rate/1000
	speech = make([]float64, 1300*rate/1000)
	copy(speech[from:], vowel(to-from, 8000))
	return speech, from, to
}

func white(n int, rms float64, seed int64) []float64 {
	rng := rand.New(rand.NewSource(seed))
	out := make([]float64, n)
	for i := range out {
		out[i] = rng.NormFloat64() * rms
	}
	return out
}

func toPCM(xs ...[]float64) []int16 {
	out := make([]int16, len(xs[0]))
	for i := range out {
		v := 0.0
		for _, x := range xs {
			v += x[i]
		}
		out[i] = int16(max(-32768, min(32767, math.Round(v))))
	}
	return out
}

func power(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v * v
	}
	return s / float64(max(1, len(x)))
}

func db(r float64) float64 { return 10 * math.Log10(r) }

func floats(pcm []int16) []float64 {
	out := make([]float64, len(pcm))
	for i, v := range pcm {
		out[i] = float64(v)
	}
	return out
}

// diff is a − b.
func diff(a, b []float64) []float64 {
	out := make([]float64, len(a))
	for i := range a {
		out[i] = a[i] - b[i]
	}
	return out
}

// TestClean_WhiteNoise: a voiced utterance in white noise at 5 dB SNR
// comes back with the noise between the words at least 12 dB down, the
// speech's own power within 3 dB, and the error against the clean speech
// at least 5 dB smaller than the noise was.
func TestClean_WhiteNoise(t *testing.T) {
	speech, from, to := utterance()
	speechPower := power(speech[from:to])
	noise := white(len(speech), math.Sqrt(speechPower/math.Pow(10, 0.5)), 1)
	in := toPCM(speech, noise)
	out := floats(denoise.Clean(in))
	if len(out) != len(in) {
		t.Fatalf("%d samples out of %d", len(out), len(in))
	}

	quietBefore := power(noise[:from-800])
	quietAfter := power(out[:from-800])
	if r := db(quietBefore / quietAfter); r < 12 {
		t.Errorf("the noise before the speech is %.1f dB down, want ≥ 12", r)
	}
	if r := db(power(noise[to+800:]) / power(out[to+800:])); r < 12 {
		t.Errorf("the noise after the speech is %.1f dB down, want ≥ 12", r)
	}
	if r := db(power(out[from:to]) / power(floats(in)[from:to])); r < -3 {
		t.Errorf("the speech came out %.1f dB weaker, want at most 3", -r)
	}
	errIn := power(noise)
	errOut := power(diff(out, speech))
	if gain := db(errIn / errOut); gain < 5 {
		t.Errorf("the error against the clean speech fell by %.1f dB, want ≥ 5", gain)
	}
}

// TestClean_CleanSpeech: with no noise, the output is the input but for
// rounding: the gain is one wherever there is sound.
func TestClean_CleanSpeech(t *testing.T) {
	speech, _, _ := utterance()
	in := toPCM(speech)
	out := denoise.Clean(in)
	worst := 0
	for i := range in {
		worst = max(worst, abs(int(out[i])-int(in[i])))
	}
	if worst > 2 {
		t.Errorf("clean speech changed by up to %d (of 8000)", worst)
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// TestClean_Edges: silence stays silent, clipped speech neither wraps
// round nor loses its level, the input is not changed, and a clip
// too short to estimate noise from comes back as a copy.
func TestClean_Edges(t *testing.T) {
	t.Run("silence", func(t *testing.T) {
		for i, v := range denoise.Clean(make([]int16, rate)) {
			if v != 0 {
				t.Fatalf("sample %d of silence is %d", i, v)
			}
		}
	})
	t.Run("full scale", func(t *testing.T) {
		// A shout, clipped: the output neither wraps round nor loses it.
		speech, from, to := utterance()
		for i := range speech {
			speech[i] *= 6
		}
		in := toPCM(speech)
		out := denoise.Clean(in)
		for i := from; i < to; i++ {
			if d := int(out[i]) - int(in[i]); d > 16000 || d < -16000 {
				t.Fatalf("sample %d: %d became %d (wrapped round?)", i, in[i], out[i])
			}
		}
		if r := db(power(floats(out)[from:to]) / power(floats(in)[from:to])); r < -1 {
			t.Errorf("a clipped shout lost %.1f dB", -r)
		}
	})
	t.Run("input kept", func(t *testing.T) {
		in := toPCM(white(rate, 1000, 2))
		keep := append([]int16(nil), in...)
		denoise.Clean(in)
		for i := range in {
			if in[i] != keep[i] {
				t.Fatalf("sample %d of the input changed", i)
			}
		}
	})
	t.Run("short", func(t *testing.T) {
		in := toPCM(white(1000, 1000, 3))
		out := denoise.Clean(in)
		if len(out) != len(in) || &out[0] == &in[0] {
			t.Fatal("a short clip must come back as a copy")
		}
		for i := range in {
			if in[i] != out[i] {
				t.Fatalf("sample %d of a short clip changed", i)
			}
		}
		if got := denoise.Clean(nil); len(got) != 0 {
			t.Fatalf("nil in, %d samples out", len(got))
		}
	})
}

// TestClean_Floor: in noise alone the gain settles at the floor, so the
// output is the floor's level down and no further: speech under the noise
// is turned down, not cut out.
func TestClean_Floor(t *testing.T) {
	in := toPCM(white(2*rate, 2000, 4))
	for _, c := range []struct {
		floor, wantDB float64
	}{{0.1, 20}, {0.3, 10.5}} {
		out := denoise.Config{Floor: c.floor}.Clean(in)
		got := db(power(floats(in)[rate/2:3*rate/2]) / power(floats(out)[rate/2:3*rate/2]))
		if math.Abs(got-c.wantDB) > 3 {
			t.Errorf("floor %.1f: noise alone %.1f dB down, want about %.1f", c.floor, got, c.wantDB)
		}
	}
}

func BenchmarkClean2s(b *testing.B) {
	speech, _, _ := utterance()
	long := append(append([]float64(nil), speech...), speech[:2*rate-len(speech)]...)
	in := toPCM(long, white(len(long), 800, 5))
	b.ReportAllocs()
	for b.Loop() {
		denoise.Clean(in)
	}
}
