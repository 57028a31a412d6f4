package kws_test

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/caseyos/caseyos/connectors/kws"
	"github.com/caseyos/caseyos/connectors/kws/kwstrain"
)

// Synthetic "commands" for an end-to-end test on real features: bursts of
// a 500 Hz tone, rising chirps (500 to 3000 Hz), or bursts of white noise
// (no command). Tones of two pitches make a poor pair: the speech
// embedding is built to ignore pitch, and tells 500 Hz from 1500 Hz only
// about as well as it must. A single short burst is ambiguous too.
var toneLabels = []string{"tone", "chirp", kws.NoneLabel}

// toneClip is one clip of class label (an index of toneLabels): 2–3 bursts
// of 150–300 ms, 60–150 ms apart, at a random level, with a little
// background noise and silence around them.
func toneClip(r *rand.Rand, label int) []int16 {
	var out []float64
	pause := func(n int) {
		for range n {
			out = append(out, 30*r.NormFloat64())
		}
	}
	pause(kws.SampleRate/20 + r.IntN(kws.SampleRate/5))
	bursts := 2 + r.IntN(2)
	for b := range bursts {
		n := kws.SampleRate*15/100 + r.IntN(kws.SampleRate*15/100)
		amp := 2000 + 8000*r.Float64()
		phase := 2 * math.Pi * r.Float64()
		jitter := 1 + 0.04*(r.Float64()-0.5)
		dur := float64(n) / kws.SampleRate
		for i := range n {
			t := float64(i) / kws.SampleRate
			env := math.Min(1, math.Min(float64(i), float64(n-i))/160) // 10 ms ramps
			var v float64
			switch toneLabels[label] {
			case "tone":
				v = amp * math.Sin(phase+2*math.Pi*500*jitter*t)
			case "chirp": // 500 Hz rising linearly to 3000 Hz over the burst
				v = amp * math.Sin(phase+2*math.Pi*jitter*(500*t+2500*t*t/(2*dur)))
			default:
				v = amp * 0.5 * r.NormFloat64()
			}
			out = append(out, env*v+30*r.NormFloat64())
		}
		if b < bursts-1 {
			pause(kws.SampleRate*6/100 + r.IntN(kws.SampleRate*9/100))
		}
	}
	pause(kws.SampleRate/20 + r.IntN(kws.SampleRate/10))
	pcm := make([]int16, len(out))
	for i, v := range out {
		pcm[i] = int16(max(-32768, min(32767, math.Round(v))))
	}
	return pcm
}

type toneSet struct {
	pcm    [][]int16
	labels []int
}

func toneClips(perClass int, seed uint64) toneSet {
	r := rand.New(rand.NewPCG(seed, 7))
	var s toneSet
	for i := range perClass * len(toneLabels) {
		l := i % len(toneLabels)
		s.pcm = append(s.pcm, toneClip(r, l))
		s.labels = append(s.labels, l)
	}
	return s
}

// toneRecognizer trains a head on the features of 40 clips of each class
// and returns a Recognizer running it (with the head and the model
// directory it was made of), and 10 held-out clips of each. With
// so few samples the default batch makes only 24 Adam steps; batches of 16
// make 240, which leave every one of 240 held-out commands (seeds 2–7)
// above 0.999 and every noise clip below 0.001, for training seeds 1–3.
func toneRecognizer(tb testing.TB, threshold float64) (toneRec, toneSet) {
	tb.Helper()
	e := kws.MustLoadEmbedder(tb)
	train := toneClips(40, 1)
	samples := make([]kwstrain.Sample, len(train.pcm))
	for i, pcm := range train.pcm {
		samples[i] = kwstrain.Sample{Emb: kws.ClipFeatures(e, pcm), Label: train.labels[i]}
	}
	h, err := kwstrain.Train(context.Background(), samples, kwstrain.TrainOptions{Hidden: 32, Epochs: 30, Batch: 16, Labels: toneLabels, Seed: 1})
	if err != nil {
		tb.Fatalf("Train: %v", err)
	}
	dir := kws.ModelDir(tb)
	r, err := kws.New(kws.Config{ModelDir: dir, Head: h, Threshold: threshold})
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return toneRec{r, h, dir}, toneClips(10, 2)
}

// toneRec is a Recognizer with the head and the model directory it was
// made of, for tests that make others like it.
type toneRec struct {
	*kws.Recognizer
	head *kws.Head
	dir  string
}

func TestRecognizer_Tones(t *testing.T) {
	r, test := toneRecognizer(t, 0)
	ctx := context.Background()
	results := make([]kws.Result, len(test.pcm))
	for i, pcm := range test.pcm {
		want := toneLabels[test.labels[i]]
		text, ok, err := r.Recognize(ctx, pcm)
		if err != nil {
			t.Fatalf("Recognize: %v", err)
		}
		if want == kws.NoneLabel && (ok || text != "") {
			t.Errorf("Recognize(noise clip %d) = %q, %v; want \"\", false", i, text, ok)
		}
		if want != kws.NoneLabel && (!ok || text != want) {
			t.Errorf("Recognize(%s clip %d) = %q, %v; want %q, true", want, i, text, ok, want)
		}

		res, err := r.Decode(pcm)
		if err != nil {
			t.Fatalf("Decode: %v", err)
		}
		results[i] = res
		sum := float32(0)
		for _, p := range res.Probs {
			sum += p
		}
		if len(res.Probs) != len(toneLabels) || math.Abs(float64(sum)-1) > 1e-5 || res.Duration <= 0 {
			t.Errorf("Decode(clip %d) = %+v, want a probability for each of %d labels summing to 1, and a duration", i, res, len(toneLabels))
		}
		if res.OK != ok || (ok && res.Text != text) || res.Prob != res.Probs[res.Text] || !slices.Contains(toneLabels[:2], res.Text) {
			t.Errorf("Decode(clip %d) = %+v, inconsistent with Recognize's %q, %v", i, res, text, ok)
		}
		if want != kws.NoneLabel {
			t.Logf("%s clip %d: p = %.4f", want, i, res.Prob)
		} else {
			t.Logf("noise clip %d: best command %s p = %.4f, none %.4f", i, res.Text, res.Prob, res.Probs[kws.NoneLabel])
		}
	}

	t.Run("Concurrent", func(t *testing.T) {
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for i, pcm := range test.pcm {
					res, err := r.Decode(pcm)
					if err != nil || res.Text != results[i].Text || !reflect.DeepEqual(res.Probs, results[i].Probs) {
						t.Errorf("concurrent Decode(clip %d) = %+v, %v; want %+v", i, res, err, results[i])
					}
				}
			})
		}
		wg.Wait()
	})

	t.Run("ThresholdAboveOne", func(t *testing.T) {
		strict, err := kws.New(kws.Config{ModelDir: r.dir, Head: r.head, Threshold: 1.01})
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		for i, pcm := range test.pcm {
			if text, ok, err := strict.Recognize(ctx, pcm); ok || text != "" || err != nil {
				t.Errorf("Recognize(clip %d) with threshold 1.01 = %q, %v, %v; want \"\", false, nil", i, text, ok, err)
			}
		}
	})

	t.Run("Short", func(t *testing.T) {
		for _, pcm := range [][]int16{nil, {}, make([]int16, 100), test.pcm[0][:kws.MinSamples-1]} {
			if text, ok, err := r.Recognize(ctx, pcm); ok || text != "" || err != nil {
				t.Errorf("Recognize(%d samples) = %q, %v, %v; want \"\", false, nil", len(pcm), text, ok, err)
			}
			if res, err := r.Decode(pcm); res.OK || res.Text != "" || res.Probs != nil || err != nil {
				t.Errorf("Decode(%d samples) = %+v, %v; want nothing", len(pcm), res, err)
			}
		}
		if _, _, err := r.Recognize(ctx, make([]int16, kws.MinSamples)); err != nil {
			t.Errorf("Recognize(%d samples of silence) = %v, want no error", kws.MinSamples, err)
		}
	})

	t.Run("Canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, ok, err := r.Recognize(ctx, test.pcm[0]); ok || !errors.Is(err, context.Canceled) {
			t.Errorf("Recognize(canceled) = %v, %v; want false, context.Canceled", ok, err)
		}
		if _, err := r.Veto(ctx, test.pcm[0], "tone"); !errors.Is(err, context.Canceled) {
			t.Errorf("Veto(canceled) = %v, want context.Canceled", err)
		}
	})

	// Every held-out tone or chirp is above 0.999 and every noise clip's
	// commands below 0.001 (toneRecognizer), so with VetoBelow 0.01 a clip
	// vetoes exactly the commands it is not.
	t.Run("Veto", func(t *testing.T) {
		v, err := kws.New(kws.Config{ModelDir: r.dir, Head: r.head, VetoBelow: 0.01})
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		for i, pcm := range test.pcm {
			said := toneLabels[test.labels[i]]
			for _, command := range toneLabels[:2] {
				want := "none"
				if command == said {
					want = ""
				}
				if got, err := v.Veto(ctx, pcm, command); got != want || err != nil {
					t.Errorf("Veto(%q clip %d, %q) = %q, %v; want %q", said, i, command, got, err, want)
				}
			}
			if got, err := v.Veto(ctx, pcm, "not a label"); got != "" || err != nil {
				t.Errorf("Veto(clip %d, a command the head does not know) = %q, %v; want \"\"", i, got, err)
			}
			// The default (10⁻¹²) is far below what these clips give.
			if said != kws.NoneLabel {
				if got, err := r.Veto(ctx, pcm, said); got != "" || err != nil {
					t.Errorf("default Veto(%q clip %d, its own label) = %q, %v; want \"\"", said, i, got, err)
				}
			}
		}
		if got, err := v.Veto(ctx, test.pcm[0][:kws.MinSamples-1], "tone"); got != "" || err != nil {
			t.Errorf("Veto(a clip too short to classify) = %q, %v; want \"\"", got, err)
		}
		never, err := kws.New(kws.Config{ModelDir: r.dir, Head: r.head, VetoBelow: -1})
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		for i, pcm := range test.pcm {
			if got, err := never.Veto(ctx, pcm, "tone"); got != "" || err != nil {
				t.Errorf("Veto(clip %d) with VetoBelow −1 = %q, %v; want \"\"", i, got, err)
			}
		}
	})

	t.Run("WithThreshold", func(t *testing.T) {
		for i, pcm := range test.pcm {
			res, _ := r.Decode(pcm)
			for _, p := range []float64{0, float64(res.Prob) - 1e-6, float64(res.Prob) + 1e-6, 2} {
				text, ok, err := r.WithThreshold(p).Recognize(ctx, pcm)
				wantOK := float64(res.Prob) >= min(p, 1)
				if err != nil || ok != wantOK || (ok && text != res.Text) || (!ok && text != "") {
					t.Errorf("WithThreshold(%v).Recognize(clip %d, p = %v) = %q, %v, %v; want %v", p, i, res.Prob, text, ok, err, wantOK)
				}
			}
		}
		if _, ok, err := r.WithThreshold(0).Recognize(ctx, test.pcm[0][:kws.MinSamples-1]); ok || err != nil {
			t.Errorf("WithThreshold(0).Recognize(a clip too short) = %v, %v; want false", ok, err)
		}
		canceled, cancel := context.WithCancel(ctx)
		cancel()
		if _, _, err := r.WithThreshold(0.5).Recognize(canceled, test.pcm[0]); !errors.Is(err, context.Canceled) {
			t.Errorf("WithThreshold(0.5).Recognize(canceled) = %v, want context.Canceled", err)
		}
	})

	// Decode answers the same clip from its last decode, and a changed clip
	// afresh, even when it is the same slice changed in place.
	t.Run("Memo", func(t *testing.T) {
		pcm := slices.Clone(test.pcm[0])
		first, err := r.Decode(pcm)
		if err != nil {
			t.Fatal(err)
		}
		again, err := r.Decode(slices.Clone(pcm))
		if err != nil || !reflect.DeepEqual(again.Probs, first.Probs) {
			t.Errorf("Decode(the same clip again) = %+v, %v; want %+v", again, err, first)
		}
		again.Probs["tone"] = -1 // a caller's change stays its own
		copy(pcm, test.pcm[len(test.pcm)-1])
		other, err := r.Decode(pcm)
		want, _ := kws.New(kws.Config{ModelDir: r.dir, Head: r.head})
		fresh, _ := want.Decode(pcm)
		if err != nil || !reflect.DeepEqual(other.Probs, fresh.Probs) || reflect.DeepEqual(other.Probs, first.Probs) {
			t.Errorf("Decode(the clip changed in place) = %+v, %v; want a fresh decode %+v", other, err, fresh)
		}
		if res, _ := r.Decode(test.pcm[0]); res.Probs["tone"] != first.Probs["tone"] {
			t.Errorf("a caller's change to Probs reached the memo: %v, want %v", res.Probs["tone"], first.Probs["tone"])
		}
	})
}
