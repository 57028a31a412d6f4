package main

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"math"
	"math/rand"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/connectors/sphinx"
	"github.com/caseyos/caseyos/connectors/sphinx/sphinxtest"
)

// measuredSNR is speech's SpeechPower over the power of what Mix added.
func measuredSNR(speech, mixed []int16) float64 {
	var sum float64
	for i := range speech {
		d := float64(mixed[i]) - float64(speech[i])
		sum += d * d
	}
	return 10 * math.Log10(sphinxtest.SpeechPower(speech)/(sum/float64(len(speech))))
}

// syllables is speech-like: 0.3 s of silence, then bursts of a tone whose
// level rises and falls, then silence.
func syllables(peak float64) []int16 {
	out := make([]int16, 4800, 40000)
	for i := 0; i < 16000*1.5; i++ {
		env := math.Abs(math.Sin(math.Pi * float64(i) / 4000))
		out = append(out, int16(peak*env*math.Sin(2*math.Pi*220*float64(i)/16000)))
	}
	return append(out, make([]int16, 4800)...)
}

func TestMix_SNR(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	white := make([]int16, 16000*60)
	for i := range white {
		white[i] = int16(rng.NormFloat64() * 3000)
	}
	noises := map[string][]int16{"gaussian": white}
	if CheckTraining() == nil {
		for _, n := range []sphinxtest.Noise{sphinxtest.White, sphinxtest.Pink, Brown} {
			p, err := sphinxtest.SoxNoise(context.Background(), n, 60)
			if err != nil {
				t.Fatal(err)
			}
			noises[string(n)] = p
		}
	}
	speech := syllables(8000)
	for name, noise := range noises {
		worst := 0.0
		for k := 0; k < 100; k++ {
			snr := 25 * rng.Float64()
			got := measuredSNR(speech, sphinxtest.Mix(speech, noise, snr, rng))
			worst = max(worst, math.Abs(got-snr))
			if math.Abs(got-snr) > 1 {
				t.Errorf("%s: Mix at %.2f dB measures %.2f dB, want within 1 dB", name, snr, got)
			}
		}
		t.Logf("%s: worst SNR error %.2f dB", name, worst)
	}
}

// trainingOptions are the options of the tests that run the tools: the
// commands, the decoys and the model of connectors/sphinx.
func trainingOptions(tb testing.TB) TrainingOptions {
	tb.Helper()
	if err := CheckTraining(); err != nil {
		tb.Skip(err)
	}
	dir, err := sphinx.FindLanguageModel()
	if err != nil {
		tb.Skip(err)
	}
	return TrainingOptions{Phrases: sphinx.Phrases, Seed: 7, ModelDir: dir, Decoys: sphinx.DecoyWords()}
}

func TestNegatives(t *testing.T) {
	o := trainingOptions(t)
	start := time.Now()
	neg, err := Negatives(context.Background(), t.TempDir(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d negatives in %v", len(neg), time.Since(start).Round(time.Millisecond))
	banned := map[string]bool{}
	for _, p := range sphinxtest.OutOfGrammar {
		p = strings.ToLower(p)
		banned[p] = true
		for _, w := range strings.Fields(p) {
			banned[w] = true
		}
	}
	// Words espeak-ng says as it says a test word or a command word.
	for _, w := range []string{"canceled", "whether", "to", "too", "know", "won", "sea", "their", "here", "eye", "hay"} {
		banned[w] = true
	}
	words := map[string]int{}
	for _, n := range neg {
		if banned[n] {
			t.Errorf("Negatives holds %q, a test phrase", n)
		}
		// A negative may run a command into other words ("skip data");
		// those other words are the ones that must not be test words.
		rest := " " + n + " "
		for _, p := range o.Phrases {
			rest = strings.Replace(rest, " "+p+" ", " ", 1)
		}
		for _, w := range strings.Fields(rest) {
			words[w]++
			if banned[w] {
				t.Errorf("Negatives holds %q, with %q, a test word or one that sounds like it", n, w)
			}
			if slices.Contains(o.Phrases, w) {
				t.Errorf("Negatives holds %q, with command word %q", n, w)
			}
		}
	}
	for _, w := range []string{"skipped", "undoing", "confirmed", "candle", "news"} {
		if words[w] == 0 {
			t.Errorf("Negatives lacks %q", w)
		}
	}
	if words["skipped"] < 4 || words["candle"] < 3 {
		t.Errorf("Negatives holds %d of skipped and %d of candle, want 4 near-miss and 3 decoy repeats", words["skipped"], words["candle"])
	}
	if len(neg) < 2400+len(o.Decoys) {
		t.Errorf("Negatives gave %d, want at least %d", len(neg), 2400+len(o.Decoys))
	}
}

func TestGenerateTraining_Small(t *testing.T) {
	o := trainingOptions(t)
	o.Phrases, o.Voices, o.Small = []string{"skip"}, 2, true
	gen := func() ([]TrainingClip, [32]byte) {
		var clips []TrainingClip
		h := sha256.New()
		start := time.Now()
		err := GenerateTraining(context.Background(), t.TempDir(), o, func(c TrainingClip) error {
			clips = append(clips, c)
			h.Write([]byte(c.Text + "|" + c.Voice + "|" + string(c.Kind) + "|"))
			binary.Write(h, binary.LittleEndian, c.PCM)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%d clips in %v", len(clips), time.Since(start).Round(time.Millisecond))
		return clips, [32]byte(h.Sum(nil))
	}
	clips, sum := gen()

	count := map[string]int{}
	var src []TrainingClip // the spoken and augmented clips of the job the noisy ones copy
	noisy := 0
	for _, c := range clips {
		if len(c.PCM) == 0 {
			t.Errorf("%+v has no samples", c.Text)
		}
		label := "negative"
		if c.Command {
			label = "command"
			if c.Text != "skip" {
				t.Errorf("command clip says %q, want skip", c.Text)
			}
		}
		count[label+" "+string(c.Kind)]++
		if strings.HasPrefix(c.Voice, "ked:") {
			count[label+" ked"]++
		}
		switch c.Kind {
		case Spoken:
			src, noisy = []TrainingClip{c}, 0
			if slices.Contains(sphinxtest.Voices, c.Voice) || strings.HasPrefix(c.Voice, "flite:") {
				t.Errorf("%q is said by test voice %s", c.Text, c.Voice)
			}
		case Augmented:
			src = append(src, c)
		case Noisy:
			s := src[noisy]
			noisy++
			if s.Text != c.Text || s.Voice != c.Voice || len(s.PCM) != len(c.PCM) {
				t.Fatalf("noisy %q %s follows %q %s", c.Text, c.Voice, s.Text, s.Voice)
			}
			if c.SNR < 0 || c.SNR > 25 {
				t.Errorf("noisy %q at %.1f dB, want 0–25", c.Text, c.SNR)
			}
			if got := measuredSNR(s.PCM, c.PCM); math.Abs(got-c.SNR) > 1 {
				t.Errorf("noisy %q %s (%s) measures %.2f dB, want %.2f ± 1", c.Text, c.Voice, c.Noise, got, c.SNR)
			}
		default:
			if c.Text != "" || c.Command {
				t.Errorf("%s clip says %q", c.Kind, c.Text)
			}
		}
	}
	want := map[string]int{
		"command spoken": 5, "command augmented": 10, "command noisy": 15, "command ked": 6,
		"negative spoken": 6, "negative noise": 3, "negative babble": 2, "negative silence": 2,
	}
	for k, n := range want {
		if count[k] != n {
			t.Errorf("GenerateTraining made %d %s clips, want %d (all: %v)", count[k], k, n, count)
		}
	}
	if count["negative noisy"] != count["negative spoken"]+count["negative augmented"] {
		t.Errorf("GenerateTraining made %d noisy negatives for %d spoken and %d augmented", count["negative noisy"], count["negative spoken"], count["negative augmented"])
	}
	if _, again := gen(); again != sum {
		t.Errorf("GenerateTraining differs between two runs with seed %d", o.Seed)
	}
}

// TestGenerateTraining_Full times the whole recipe: CASEYOS_TRAINING_FULL=1.
func TestGenerateTraining_Full(t *testing.T) {
	if os.Getenv("CASEYOS_TRAINING_FULL") == "" {
		t.Skip("CASEYOS_TRAINING_FULL=1 generates the whole training set")
	}
	o := trainingOptions(t)
	start := time.Now()
	count := map[string]int{}
	var samples, peak int
	var last time.Time
	var src []TrainingClip
	noisy, worst, off := 0, 0.0, 0
	err := GenerateTraining(context.Background(), t.TempDir(), o, func(c TrainingClip) error {
		label := "negative"
		if c.Command {
			label = "command"
		}
		count[label+" "+string(c.Kind)]++
		switch c.Kind {
		case Spoken:
			src, noisy = []TrainingClip{c}, 0
		case Augmented:
			src = append(src, c)
		case Noisy:
			d := math.Abs(measuredSNR(src[noisy].PCM, c.PCM) - c.SNR)
			worst = max(worst, d)
			if d > 1 {
				off++
			}
			noisy++
		}
		count["total"]++
		samples += len(c.PCM)
		peak = max(peak, len(c.PCM))
		if time.Since(last) > time.Minute {
			last = time.Now()
			t.Logf("%v: %d clips", time.Since(start).Round(time.Second), count["total"])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d clips, %.0f MB of samples (%.1f h), longest %.1f s, in %v: %v",
		count["total"], float64(2*samples)/1e6, float64(samples)/16000/3600, float64(peak)/16000, time.Since(start).Round(time.Second), count)
	t.Logf("noisy copies: worst SNR error %.2f dB, %d of %d off by more than 1 dB", worst, off, count["command noisy"]+count["negative noisy"])
}
