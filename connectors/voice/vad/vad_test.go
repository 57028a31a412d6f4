package vad_test

import (
	"math"
	"math/rand"
	"slices"
	"testing"
	"time"

	"github.com/caseyos/caseyos/connectors/voice/vad"
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
		{"ClickAtMinLengthDropped", join(bg[:8000], tone(70*ms, 8000), bg[:8000]), 320, 0, false},
		// "skip" in noise: its vowel is about 100 ms above the floor, the
		// "s" and the stops under it (the corpus lost most skips in noise
		// at 13 dB to a 120 ms MinLength).
		{"ShortWordKept", join(bg[:8000], tone(100*ms, 3000), bg[:8000]), 320, 1, false},
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
	if got := time.Duration(len(u.PCM)) * time.Second / 16000; got < 800*ms || got > 1000*ms {
		t.Errorf("kept %v of audio, want pre-roll + 400ms + the 400ms tail", got)
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

// tentatives writes pcm in chunks of n samples and records the tentative
// utterance after every chunk it changed in.
func tentatives(d *vad.Detector, pcm []int16, n int) (offered []vad.Utterance, at []int, closed []vad.Utterance) {
	var last *vad.Utterance
	for pos := 0; pos < len(pcm); pos += n {
		closed = append(closed, d.Write(pcm[pos:min(pos+n, len(pcm))])...)
		t, ok := d.Tentative()
		switch {
		case ok && (last == nil || last.SpeechEnd != t.SpeechEnd):
			offered, at, last = append(offered, t), append(at, min(pos+n, len(pcm))), &t
		case !ok:
			last = nil
		}
	}
	return offered, at, closed
}

func TestDetector_Tentative(t *testing.T) {
	bg := noise(2*time.Second, 30, 11)
	t.Run("SameAsClosed", func(t *testing.T) {
		pcm := join(bg[:8000], tone(400*ms, 3000), bg[:8000])
		d := vad.New(vad.Config{})
		offered, at, closed := tentatives(d, pcm, 160)
		if len(offered) != 1 || len(closed) != 1 {
			t.Fatalf("offered %d, closed %d; want 1 and 1", len(offered), len(closed))
		}
		o, c := offered[0], closed[0]
		// Offered half-way into the hangover (100 ms after the tone's end
		// at 900 ms), and closed as exactly that audio.
		if got := time.Duration(at[0]) * time.Second / 16000; got < 990*ms || got > 1010*ms {
			t.Errorf("offered at %v, want ≈ 1s", got)
		}
		if o.Start != c.Start || o.SpeechEnd != c.SpeechEnd || !slices.Equal(o.PCM, c.PCM) {
			t.Errorf("offered %v–%v (%d samples), closed %v–%v (%d samples): want the same utterance",
				o.Start, o.SpeechEnd, len(o.PCM), c.Start, c.SpeechEnd, len(c.PCM))
		}
		// The closed utterance is pre-roll, speech and the 400 ms Tail: the
		// first 100 ms of quiet heard, then that three times more.
		end := int(c.SpeechEnd-c.Start) * 16 / int(ms)
		if len(c.PCM) != end+6400 {
			t.Fatalf("closed holds %d samples after the speech's %d, want 6400", len(c.PCM)-end, end)
		}
		for k := 1; k < 4; k++ {
			if !slices.Equal(c.PCM[end:end+1600], c.PCM[end+k*1600:end+(k+1)*1600]) {
				t.Errorf("quarter %d of the tail is not the quiet heard first", k)
			}
		}
		if _, ok := d.Tentative(); ok {
			t.Error("a tentative utterance is still offered after it closed")
		}
	})
	t.Run("WithdrawnWhenSpeechResumes", func(t *testing.T) {
		// 150 ms of pause: offered at 100 ms, then speech resumes and the
		// one utterance that closes holds both tones.
		pcm := join(bg[:8000], tone(300*ms, 3000), bg[:2400], tone(300*ms, 3000), bg[:8000])
		d := vad.New(vad.Config{})
		offered, _, closed := tentatives(d, pcm, 160)
		if len(offered) != 2 || len(closed) != 1 {
			t.Fatalf("offered %d, closed %d; want 2 (one withdrawn) and 1", len(offered), len(closed))
		}
		if offered[0].SpeechEnd >= closed[0].SpeechEnd || !slices.Equal(offered[1].PCM, closed[0].PCM) {
			t.Errorf("offered ends %v then %v, closed %v: want the second offer to be the closed utterance",
				offered[0].SpeechEnd, offered[1].SpeechEnd, closed[0].SpeechEnd)
		}
	})
	t.Run("FlushAfterOffer", func(t *testing.T) {
		// Push-to-talk let go after the offer (120 ms after the tone): the
		// utterance is the offer, so its early decode stands.
		pcm := join(bg[:8000], tone(400*ms, 3000), bg[:2000])
		d := vad.New(vad.Config{})
		offered, _, closed := tentatives(d, pcm, 160)
		u, ok := d.Flush()
		if len(offered) != 1 || len(closed) != 0 || !ok {
			t.Fatalf("offered %d, closed %d, flushed %v; want 1, 0, true", len(offered), len(closed), ok)
		}
		if u.Start != offered[0].Start || u.SpeechEnd != offered[0].SpeechEnd || !slices.Equal(u.PCM, offered[0].PCM) {
			t.Errorf("flushed %d samples, offered %d: want the offer", len(u.PCM), len(offered[0].PCM))
		}
	})
	t.Run("FlushBeforeOffer", func(t *testing.T) {
		// Let go 60 ms after the tone, before any offer: what was heard,
		// then its 60 ms of quiet repeated to the 400 ms tail.
		pcm := join(bg[:8000], tone(400*ms, 3000), bg[:960])
		d := vad.New(vad.Config{})
		offered, _, _ := tentatives(d, pcm, 160)
		u, ok := d.Flush()
		if len(offered) != 0 || !ok {
			t.Fatalf("offered %d, flushed %v; want 0, true", len(offered), ok)
		}
		heard := len(u.PCM) - 6400 + 960
		if !slices.Equal(u.PCM[heard-960:heard], pcm[len(pcm)-960:]) {
			t.Error("the flushed utterance does not hold the audio heard last")
		}
		for k := heard; k+960 <= len(u.PCM); k += 960 {
			if !slices.Equal(u.PCM[k:k+960], pcm[len(pcm)-960:]) {
				t.Fatalf("the tail at %d is not the quiet heard, repeated", k)
			}
		}
	})
	t.Run("ClickNeverOffered", func(t *testing.T) {
		d := vad.New(vad.Config{})
		offered, _, closed := tentatives(d, join(bg[:8000], tone(40*ms, 8000), bg[:8000]), 160)
		if len(offered) != 0 || len(closed) != 0 {
			t.Errorf("offered %d, closed %d for a click; want none", len(offered), len(closed))
		}
	})
}

// TestHeard: the detector's utterances come back without the tail it
// filled in, keeping Early of the quiet heard; audio without such a tail
// comes back whole.
func TestHeard(t *testing.T) {
	bg := noise(2*time.Second, 30, 12)
	pcm := join(bg[:8000], tone(400*ms, 3000), bg[:8000])
	speechEnd := func(u vad.Utterance) int { return int(u.SpeechEnd-u.Start) * 16 / int(ms) }
	t.Run("closed by the hangover", func(t *testing.T) {
		us := feed(vad.New(vad.Config{}), pcm, 160)
		if len(us) != 1 {
			t.Fatalf("%d utterances, want 1", len(us))
		}
		u := us[0]
		got, end := vad.Heard(u.PCM), speechEnd(u)
		if len(got) != end+1600 || !slices.Equal(got, u.PCM[:end+1600]) {
			t.Fatalf("heard %d samples after the speech, want the 1600 (100 ms) heard", len(got)-end)
		}
		if from := int(u.Start) * 16 / int(ms); !slices.Equal(got, pcm[from:from+len(got)]) {
			t.Error("what Heard keeps is not the audio that came in")
		}
	})
	t.Run("let go in the hangover", func(t *testing.T) {
		// Push-to-talk let go 30 ms after the speech: three frames of quiet
		// heard, repeated to the tail; Heard keeps 100 ms all the same.
		d := vad.New(vad.Config{})
		feed(d, pcm[:8000+6400+480], 160)
		u, ok := d.Flush()
		if !ok {
			t.Fatal("no utterance at Flush")
		}
		end := speechEnd(u)
		if len(u.PCM) != end+6400 {
			t.Fatalf("the flushed utterance has %d samples after the speech, want the 6400 tail", len(u.PCM)-end)
		}
		if got := vad.Heard(u.PCM); len(got) != end+1600 {
			t.Errorf("heard %d samples after the speech, want 1600", len(got)-end)
		}
	})
	t.Run("no filled tail", func(t *testing.T) {
		for _, p := range [][]int16{pcm, pcm[:3000], nil} {
			if got := vad.Heard(p); len(got) != len(p) {
				t.Errorf("%d samples without a filled tail came back as %d", len(p), len(got))
			}
		}
	})
	t.Run("another tail", func(t *testing.T) {
		cfg := vad.Config{Tail: 600 * ms}
		us := feed(vad.New(cfg), pcm, 160)
		if len(us) != 1 {
			t.Fatalf("%d utterances, want 1", len(us))
		}
		end := speechEnd(us[0])
		if got := cfg.Heard(us[0].PCM); len(got) != end+1600 {
			t.Errorf("heard %d samples after the speech, want 1600", len(got)-end)
		}
		if got := vad.Heard(us[0].PCM); len(got) == end+1600 {
			t.Error("the default configuration cut a 600 ms tail as if it were its own")
		}
	})
}
