package kws

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/caseyos/caseyos/backend"
)

func TestPadClip(t *testing.T) {
	// The prototype's dither, as node computes it: the first 20 values,
	// and the sum and Σ i·x of the first 32000.
	want20 := []int16{-2, -2, 0, 0, -1, 2, 0, 0, 0, 1, -2, 0, 1, 2, -2, -2, -1, 0, -2, -1}
	pad := PadClip(nil)
	if len(pad) != PadSamples {
		t.Fatalf("len(PadClip(nil)) = %d, want %d", len(pad), PadSamples)
	}
	if !slices.Equal(pad[:20], want20) {
		t.Errorf("PadClip(nil)[:20] = %v, want %v", pad[:20], want20)
	}
	var sum, weighted int64
	for i, v := range pad {
		if v < -2 || v > 2 {
			t.Fatalf("PadClip(nil)[%d] = %d, want -2..2", i, v)
		}
		sum += int64(v)
		weighted += int64(i) * int64(v)
	}
	if sum != 398 || weighted != 6914951 {
		t.Errorf("PadClip(nil): sum %d, Σ i·x %d; want 398, 6914951", sum, weighted)
	}

	clip := []int16{100, -200, 300}
	got := PadClip(clip)
	if len(got) != PadSamples || !slices.Equal(got[PadSamples-3:], clip) || !slices.Equal(got[:20], want20) {
		t.Errorf("PadClip(3 samples) = %d samples ending %v, want %d ending %v after the same dither", len(got), got[len(got)-3:], PadSamples, clip)
	}
	long := make([]int16, PadSamples+1)
	if got := PadClip(long); &got[0] != &long[0] {
		t.Error("PadClip copied a clip that needs no padding")
	}
}

func TestSearchPath(t *testing.T) {
	for _, tc := range []struct {
		name, env, exe string
		want           []string
	}{
		{"All", "/models", "/opt/caseyos/bin/caseyos", []string{"/models", "/opt/caseyos/bin/kws-models", "/opt/caseyos/share/caseyos/kws-models", filepath.Join("build", "kws-models")}},
		{"NoEnv", "", "/usr/bin/caseyos", []string{"/usr/bin/kws-models", "/usr/share/caseyos/kws-models", filepath.Join("build", "kws-models")}},
		{"NoExe", "/m", "", []string{"/m", filepath.Join("build", "kws-models")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := searchPath(tc.env, tc.exe); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("searchPath(%q, %q) = %q, want %q", tc.env, tc.exe, got, tc.want)
			}
		})
	}
}

// fakeModels makes dir/melspectrogram.onnx and dir/embedding_model.onnx
// (empty: FindModels only looks for them) and returns dir.
func fakeModels(tb testing.TB, dir string, files ...string) string {
	tb.Helper()
	if len(files) == 0 {
		files = []string{MelModelFile, EmbeddingModelFile}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

func TestFindModels(t *testing.T) {
	// Not parallel: it sets the environment and the working directory.
	wd := t.TempDir()
	t.Chdir(wd)
	env := fakeModels(t, filepath.Join(t.TempDir(), "env"))
	build := filepath.Join("build", "kws-models")

	t.Run("Env", func(t *testing.T) {
		fakeModels(t, build)
		defer os.RemoveAll("build")
		t.Setenv(ModelsEnv, env)
		if got, err := FindModels(""); err != nil || got != env {
			t.Errorf("FindModels(\"\") = %q, %v, want %q (the environment first)", got, err, env)
		}
	})
	t.Run("EnvWithoutModels", func(t *testing.T) {
		fakeModels(t, build)
		defer os.RemoveAll("build")
		t.Setenv(ModelsEnv, t.TempDir())
		if got, err := FindModels(""); err != nil || got != build {
			t.Errorf("FindModels(\"\") = %q, %v, want %q (the next place)", got, err, build)
		}
	})
	t.Run("HalfInstalled", func(t *testing.T) {
		t.Setenv(ModelsEnv, fakeModels(t, t.TempDir(), MelModelFile))
		fakeModels(t, build, EmbeddingModelFile)
		defer os.RemoveAll("build")
		if got, err := FindModels(""); backend.ErrorCode(err) != backend.ENOTFOUND {
			t.Errorf("FindModels(\"\") = %q, %v, want code %s", got, err, backend.ENOTFOUND)
		}
	})
	t.Run("Dir", func(t *testing.T) {
		t.Setenv(ModelsEnv, env)
		dir := fakeModels(t, t.TempDir())
		if got, err := FindModels(dir); err != nil || got != dir {
			t.Errorf("FindModels(%q) = %q, %v, want it", dir, got, err)
		}
		empty := t.TempDir()
		if got, err := FindModels(empty); backend.ErrorCode(err) != backend.ENOTFOUND {
			t.Errorf("FindModels(empty dir) = %q, %v, want code %s (no search past a given dir)", got, err, backend.ENOTFOUND)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		missing := filepath.Join(t.TempDir(), "none")
		t.Setenv(ModelsEnv, missing)
		_, err := FindModels("")
		if backend.ErrorCode(err) != backend.ENOTFOUND {
			t.Fatalf("FindModels(\"\") = %v, want code %s", err, backend.ENOTFOUND)
		}
		msg := backend.ErrorMessage(err)
		for _, want := range append(ModelSearchPath(), "make voice-models") {
			if !strings.Contains(msg, want) {
				t.Errorf("ErrorMessage = %q, want it to mention %q", msg, want)
			}
		}
		if _, err := New(Config{Head: randomHead(t, []string{"a", NoneLabel}, 1, 2, 1)}); backend.ErrorCode(err) != backend.ENOTFOUND {
			t.Errorf("New without models = %v, want code %s", err, backend.ENOTFOUND)
		}
	})
}

// Synthetic "commands" for an end-to-end test on real features: bursts of
// a 500 Hz tone, rising chirps (500 to 3000 Hz), or bursts of white noise
// (no command). Tones of two pitches make a poor pair: the speech
// embedding is built to ignore pitch, and tells 500 Hz from 1500 Hz only
// about as well as it must. A single short burst is ambiguous too.
var toneLabels = []string{"tone", "chirp", NoneLabel}

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
	pause(SampleRate/20 + r.IntN(SampleRate/5))
	bursts := 2 + r.IntN(2)
	for b := range bursts {
		n := SampleRate*15/100 + r.IntN(SampleRate*15/100)
		amp := 2000 + 8000*r.Float64()
		phase := 2 * math.Pi * r.Float64()
		jitter := 1 + 0.04*(r.Float64()-0.5)
		dur := float64(n) / SampleRate
		for i := range n {
			t := float64(i) / SampleRate
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
			pause(SampleRate*6/100 + r.IntN(SampleRate*9/100))
		}
	}
	pause(SampleRate/20 + r.IntN(SampleRate/10))
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
// and returns a Recognizer running it, and 10 held-out clips of each. With
// so few samples the default batch makes only 24 Adam steps; batches of 16
// make 240, which leave every one of 240 held-out commands (seeds 2–7)
// above 0.999 and every noise clip below 0.001, for training seeds 1–3.
func toneRecognizer(tb testing.TB, threshold float64) (*Recognizer, toneSet) {
	tb.Helper()
	e := MustLoadEmbedder(tb)
	train := toneClips(40, 1)
	samples := make([]Sample, len(train.pcm))
	for i, pcm := range train.pcm {
		samples[i] = Sample{Emb: ClipFeatures(e, pcm), Label: train.labels[i]}
	}
	h, err := Train(context.Background(), samples, TrainOptions{Hidden: 32, Epochs: 30, Batch: 16, Labels: toneLabels, Seed: 1})
	if err != nil {
		tb.Fatalf("Train: %v", err)
	}
	r, err := New(Config{ModelDir: modelDir(tb), Head: h, Threshold: threshold})
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return r, toneClips(10, 2)
}

func TestRecognizer_Tones(t *testing.T) {
	r, test := toneRecognizer(t, 0)
	ctx := context.Background()
	results := make([]Result, len(test.pcm))
	for i, pcm := range test.pcm {
		want := toneLabels[test.labels[i]]
		text, ok, err := r.Recognize(ctx, pcm)
		if err != nil {
			t.Fatalf("Recognize: %v", err)
		}
		if want == NoneLabel && (ok || text != "") {
			t.Errorf("Recognize(noise clip %d) = %q, %v; want \"\", false", i, text, ok)
		}
		if want != NoneLabel && (!ok || text != want) {
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
		if want != NoneLabel {
			t.Logf("%s clip %d: p = %.4f", want, i, res.Prob)
		} else {
			t.Logf("noise clip %d: best command %s p = %.4f, none %.4f", i, res.Text, res.Prob, res.Probs[NoneLabel])
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
		strict, err := New(Config{ModelDir: r.dir, Head: r.head, Threshold: 1.01})
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
		for _, pcm := range [][]int16{nil, {}, make([]int16, 100), test.pcm[0][:MinSamples-1]} {
			if text, ok, err := r.Recognize(ctx, pcm); ok || text != "" || err != nil {
				t.Errorf("Recognize(%d samples) = %q, %v, %v; want \"\", false, nil", len(pcm), text, ok, err)
			}
			if res, err := r.Decode(pcm); res.OK || res.Text != "" || res.Probs != nil || err != nil {
				t.Errorf("Decode(%d samples) = %+v, %v; want nothing", len(pcm), res, err)
			}
		}
		if _, _, err := r.Recognize(ctx, make([]int16, MinSamples)); err != nil {
			t.Errorf("Recognize(%d samples of silence) = %v, want no error", MinSamples, err)
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
		v, err := New(Config{ModelDir: r.dir, Head: r.head, VetoBelow: 0.01})
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
			if said != NoneLabel {
				if got, err := r.Veto(ctx, pcm, said); got != "" || err != nil {
					t.Errorf("default Veto(%q clip %d, its own label) = %q, %v; want \"\"", said, i, got, err)
				}
			}
		}
		if got, err := v.Veto(ctx, test.pcm[0][:MinSamples-1], "tone"); got != "" || err != nil {
			t.Errorf("Veto(a clip too short to classify) = %q, %v; want \"\"", got, err)
		}
		never, err := New(Config{ModelDir: r.dir, Head: r.head, VetoBelow: -1})
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
		if _, ok, err := r.WithThreshold(0).Recognize(ctx, test.pcm[0][:MinSamples-1]); ok || err != nil {
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
		want, _ := New(Config{ModelDir: r.dir, Head: r.head})
		fresh, _ := want.Decode(pcm)
		if err != nil || !reflect.DeepEqual(other.Probs, fresh.Probs) || reflect.DeepEqual(other.Probs, first.Probs) {
			t.Errorf("Decode(the clip changed in place) = %+v, %v; want a fresh decode %+v", other, err, fresh)
		}
		if res, _ := r.Decode(test.pcm[0]); res.Probs["tone"] != first.Probs["tone"] {
			t.Errorf("a caller's change to Probs reached the memo: %v, want %v", res.Probs["tone"], first.Probs["tone"])
		}
	})
}

func TestNew_Invalid(t *testing.T) {
	dir := modelDir(t)
	good := randomHead(t, []string{"a", "b", NoneLabel}, 2, 4, 1)
	bad := randomHead(t, []string{"a", "b", NoneLabel}, 2, 4, 1)
	bad.B2 = bad.B2[:1]
	for _, tc := range []struct {
		name string
		cfg  Config
		code string
	}{
		{"NegativeThreshold", Config{ModelDir: dir, Head: good, Threshold: -0.5}, backend.EINVALID},
		{"NaNThreshold", Config{ModelDir: dir, Head: good, Threshold: math.NaN()}, backend.EINVALID},
		{"VetoAboveOne", Config{ModelDir: dir, Head: good, VetoBelow: 1.5}, backend.EINVALID},
		{"NaNVeto", Config{ModelDir: dir, Head: good, VetoBelow: math.NaN()}, backend.EINVALID},
		{"BadHead", Config{ModelDir: dir, Head: bad}, backend.EINVALID},
		{"NoModels", Config{ModelDir: t.TempDir(), Head: good}, backend.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r, err := New(tc.cfg); backend.ErrorCode(err) != tc.code {
				t.Errorf("New = %v, %v; want code %s", r, err, tc.code)
			}
		})
	}
	t.Run("DefaultHead", func(t *testing.T) {
		r, err := New(Config{ModelDir: dir})
		if _, derr := defaultHead(); derr != nil {
			// No commands.head built in yet (head_default.go adds it).
			if backend.ErrorCode(err) != backend.ENOTFOUND {
				t.Errorf("New without a head or a built-in one = %v, want code %s", err, backend.ENOTFOUND)
			}
			return
		}
		if err != nil {
			t.Fatalf("New with the built-in head: %v", err)
		}
		if want := append(append([]string{}, Phrases...), NoneLabel); !slices.Equal(r.head.Labels, want) || r.threshold != DefaultThreshold {
			t.Errorf("built-in head labels %q, threshold %v; want %q, %v", r.head.Labels, r.threshold, want, DefaultThreshold)
		}
	})
}

// BenchmarkRecognize2s is one full Recognize of a 2 s clip with a head of
// the production shape (16 embeddings, 128 hidden, 13 labels).
func BenchmarkRecognize2s(b *testing.B) {
	h := randomHead(b, append(append([]string{}, Phrases...), NoneLabel), DefaultWindow, DefaultHidden, 1)
	r, err := New(Config{ModelDir: modelDir(b), Head: h})
	if err != nil {
		b.Fatalf("New: %v", err)
	}
	pcm := synthClip(2 * SampleRate)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := r.Recognize(ctx, pcm); err != nil {
			b.Fatal(err)
		}
	}
}
