package kwstrain

import (
	"context"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"reflect"
	"runtime"
	"testing"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/kws"
)

// synthSamples makes a separable problem in embedding space: each command
// class has its own pattern, added at amplitude 0.25 to unit noise in every
// embedding of the clip; the none class (the last label) gets a fresh
// pattern per clip. Clips have 12 to 21 embeddings, so some are shorter
// than the window.
func synthSamples(classes, perClass int, seed uint64) []Sample {
	r := rand.New(rand.NewPCG(seed, 42))
	pat := rand.New(rand.NewPCG(1, 2)) // the class patterns are the same for every call
	patterns := make([][kws.EmbeddingSize]float32, classes-1)
	for c := range patterns {
		for j := range patterns[c] {
			patterns[c][j] = float32(pat.NormFloat64())
		}
	}
	var out []Sample
	for i := range classes * perClass {
		label := i % classes
		var p [kws.EmbeddingSize]float32
		if label < classes-1 {
			p = patterns[label]
		} else {
			for j := range p {
				p[j] = float32(r.NormFloat64())
			}
		}
		emb := make([][kws.EmbeddingSize]float32, 12+r.IntN(10))
		for e := range emb {
			for j := range emb[e] {
				emb[e][j] = 0.25*p[j] + float32(r.NormFloat64())
			}
		}
		out = append(out, Sample{Emb: emb, Label: label})
	}
	return out
}

var synthLabels = []string{"alpha", "bravo", "charlie", kws.NoneLabel}

// argmax is the label index Probabilities likes best.
func argmax(p []float32) int {
	best := 0
	for i := range p {
		if p[i] > p[best] {
			best = i
		}
	}
	return best
}

func TestTrain_Separable(t *testing.T) {
	train, test := synthSamples(4, 100, 1), synthSamples(4, 50, 2)
	epochs := 0
	h, err := Train(context.Background(), train, TrainOptions{Hidden: 32, Labels: synthLabels, Seed: 3,
		Progress: func(ep int, loss float64) {
			epochs++
			if ep != epochs || math.IsNaN(loss) {
				t.Errorf("Progress(%d, %v), want epoch %d and a loss", ep, loss, epochs)
			}
		}})
	if err != nil {
		t.Fatalf("Train: %v", err)
	}
	if epochs != DefaultEpochs {
		t.Errorf("Progress was called %d times, want %d", epochs, DefaultEpochs)
	}
	if h.Window != DefaultWindow || h.Hidden != 32 || !reflect.DeepEqual(h.Labels, synthLabels) {
		t.Errorf("Train gave window %d, hidden %d, labels %q; want %d, 32, %q", h.Window, h.Hidden, h.Labels, DefaultWindow, synthLabels)
	}
	if err := kws.WriteHead(io.Discard, h); err != nil { // WriteHead validates the head first
		t.Errorf("the trained head does not validate: %v", err)
	}
	if want := []int{100, 100, 100, 100}; !reflect.DeepEqual(h.Meta.Counts, want) || h.Meta.Seed != 3 || h.Meta.Recipe == "" {
		t.Errorf("Meta = %+v, want counts %v, seed 3 and a recipe", h.Meta, want)
	}
	right := 0
	for _, s := range test {
		if argmax(h.Probabilities(s.Emb)) == s.Label {
			right++
		}
	}
	if acc := float64(right) / float64(len(test)); acc < 0.95 {
		t.Errorf("held-out accuracy %.3f, want >= 0.95", acc)
	}
}

func TestTrain_Deterministic(t *testing.T) {
	samples := synthSamples(4, 80, 5) // 320: two full batches and a partial one
	o := TrainOptions{Epochs: 2, Labels: synthLabels, Seed: 11}
	weights := func(h *kws.Head) []any { return []any{h.Mu, h.Sd, h.W1, h.B1, h.W2, h.B2} }
	a, err := Train(context.Background(), samples, o)
	if err != nil {
		t.Fatalf("Train: %v", err)
	}
	// One core splits the products differently: the result must not change.
	procs := runtime.GOMAXPROCS(1)
	b, err := Train(context.Background(), samples, o)
	runtime.GOMAXPROCS(procs)
	if err != nil {
		t.Fatalf("Train: %v", err)
	}
	if !reflect.DeepEqual(weights(a), weights(b)) {
		t.Error("two runs with the same seed (on 1 and on all cores) give different heads")
	}
	o.Seed++
	c, err := Train(context.Background(), samples, o)
	if err != nil {
		t.Fatalf("Train: %v", err)
	}
	if reflect.DeepEqual(a.W1, c.W1) {
		t.Error("two seeds give the same head")
	}
}

// TestTrainer_Gradient checks one step's backpropagation against central
// differences of the batch loss (no dropout), and Adam's first update.
func TestTrainer_Gradient(t *testing.T) {
	samples := synthSamples(3, 4, 7)
	const l2 = 0.01
	o := TrainOptions{Window: 1, Hidden: 8, Batch: len(samples), Labels: []string{"a", "b", kws.NoneLabel}, Dropout: -1, L2: l2}.withDefaults()
	tr := newTrainer(samples, o)
	w1 := append([]float32{}, tr.w1[:tr.d*tr.hid]...)
	b1, w2, b2 := append([]float32{}, tr.b1...), append([]float32{}, tr.w2...), append([]float32{}, tr.b2...)
	idx := make([]int, len(samples))
	for i := range idx {
		idx[i] = i
	}

	// loss is the weighted cross-entropy of the batch in float64, with
	// parameter array which, element at, moved by delta.
	loss := func(which, at int, delta float64) float64 {
		p := [][]float32{w1, b1, w2, b2}
		get := func(a, i int) float64 {
			v := float64(p[a][i])
			if a == which && i == at {
				v += delta
			}
			return v
		}
		d, hid, c := tr.d, tr.hid, tr.c
		x := make([]float32, d)
		sum := 0.0
		for _, s := range samples {
			kws.FillWindow(x, s.Emb, 1, 0)
			z := make([]float64, c)
			for k := range z {
				z[k] = get(3, k)
			}
			for u := range hid {
				a := get(1, u)
				for i := range d {
					a += (float64(x[i]) - float64(tr.mu[i])) / float64(tr.sd[i]) * get(0, i*hid+u)
				}
				for k := range z {
					z[k] += max(a, 0) * get(2, u*c+k)
				}
			}
			kws.Softmax(z)
			sum += tr.classW[s.Label] * -math.Log(z[s.Label])
		}
		return sum / float64(len(samples))
	}
	wantLoss := loss(-1, 0, 0)
	if got := tr.step(idx); math.Abs(got-wantLoss) > 1e-4*wantLoss {
		t.Errorf("step loss = %v, want %v", got, wantLoss)
	}

	grads := [][]float32{tr.gw1, tr.gb1, tr.gw2, tr.gb2f}
	params := [][]float32{w1, b1, w2, b2}
	after := [][]float32{tr.w1, tr.b1, tr.w2, tr.b2}
	names := []string{"W1", "B1", "W2", "B2"}
	r := rand.New(rand.NewPCG(1, 1))
	for a, g := range grads {
		for n := range min(len(params[a]), 40) {
			i := n
			if len(params[a]) > 40 {
				i = r.IntN(len(params[a]))
			}
			const eps = 1e-3
			num := (loss(a, i, eps) - loss(a, i, -eps)) / (2 * eps)
			want := num
			if a == 0 || a == 2 {
				want += l2 * float64(params[a][i])
			}
			got := float64(g[i])
			if a == 0 || a == 2 {
				got += l2 * float64(params[a][i]) // step adds L2 inside Adam
			}
			if math.Abs(got-want) > 1e-3*max(1e-2, math.Abs(want)) {
				t.Errorf("gradient of %s[%d] = %v, want %v", names[a], i, got, want)
			}
			// Adam's first step moves each parameter by lr·g/(|g|+eps).
			step := float64(params[a][i]) - float64(after[a][i])
			if wantStep := o.LR * got / (math.Abs(got) + adamEps); math.Abs(step-wantStep) > 1e-6+1e-3*math.Abs(wantStep) {
				t.Errorf("Adam moved %s[%d] by %v, want %v", names[a], i, step, wantStep)
			}
		}
	}
}

func TestTrain_Canceled(t *testing.T) {
	samples := synthSamples(4, 10, 1)
	t.Run("Before", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := Train(ctx, samples, TrainOptions{Hidden: 8, Labels: synthLabels}); !errors.Is(err, context.Canceled) {
			t.Errorf("Train(canceled) = %v, want context.Canceled", err)
		}
	})
	t.Run("During", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		epochs := 0
		_, err := Train(ctx, samples, TrainOptions{Hidden: 8, Labels: synthLabels, Progress: func(int, float64) { epochs++; cancel() }})
		if !errors.Is(err, context.Canceled) || epochs != 1 {
			t.Errorf("Train canceled after epoch 1 = %v after %d epochs, want context.Canceled after 1", err, epochs)
		}
	})
}

func TestTrain_Invalid(t *testing.T) {
	good := synthSamples(4, 2, 1)
	for _, tc := range []struct {
		name    string
		samples []Sample
		o       TrainOptions
	}{
		{"NoSamples", nil, TrainOptions{Labels: synthLabels}},
		{"LabelRange", append(append([]Sample{}, good...), Sample{Emb: good[0].Emb, Label: 4}), TrainOptions{Labels: synthLabels}},
		{"NegativeLabel", []Sample{{Emb: good[0].Emb, Label: -1}}, TrainOptions{Labels: synthLabels}},
		{"NoEmbeddings", []Sample{{Label: 0}}, TrainOptions{Labels: synthLabels}},
		{"NoNoneLabel", good, TrainOptions{Labels: []string{"a", "b", "c", "d"}}},
		{"OneLabel", []Sample{{Emb: good[0].Emb}}, TrainOptions{Labels: []string{kws.NoneLabel}}},
		{"Dropout", good, TrainOptions{Labels: synthLabels, Dropout: 1}},
		{"NegativeLR", good, TrainOptions{Labels: synthLabels, LR: -1}},
		{"NaNL2", good, TrainOptions{Labels: synthLabels, L2: math.NaN()}},
		{"Hidden", good, TrainOptions{Labels: synthLabels, Hidden: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if h, err := Train(context.Background(), tc.samples, tc.o); backend.ErrorCode(err) != backend.EINVALID {
				t.Errorf("Train = %v, %v, want code %s", h, err, backend.EINVALID)
			}
		})
	}
}

func TestTrainOptions_Defaults(t *testing.T) {
	o := TrainOptions{}.withDefaults()
	want := TrainOptions{Hidden: 128, Epochs: 24, Batch: 128, LR: 1e-3, L2: 1e-4, Dropout: 0.3, MaxShift: 2, Window: 16,
		Labels: append(append([]string{}, kws.Phrases...), kws.NoneLabel)}
	if !reflect.DeepEqual(o, want) {
		t.Errorf("TrainOptions{}.withDefaults() = %+v, want %+v", o, want)
	}
	if o := (TrainOptions{L2: -1, Dropout: -1, MaxShift: -1}).withDefaults(); o.L2 != 0 || o.Dropout != 0 || o.MaxShift != 0 {
		t.Errorf("negative L2, Dropout, MaxShift gave %v, %v, %v, want 0 (none)", o.L2, o.Dropout, o.MaxShift)
	}
	if len(o.Labels) != 13 || o.Labels[12] != kws.NoneLabel {
		t.Errorf("default labels %q, want the 12 phrases and none", o.Labels)
	}
}

// BenchmarkTrain_Epoch is one epoch of the production recipe's shape
// (D = 1536, H = 128, 13 labels, batches of 128) over 4096 samples.
func BenchmarkTrain_Epoch(b *testing.B) {
	const n = 4096
	r := rand.New(rand.NewPCG(1, 1))
	samples := make([]Sample, n)
	for i := range samples {
		emb := make([][kws.EmbeddingSize]float32, 18)
		for e := range emb {
			for j := range emb[e] {
				emb[e][j] = float32(r.NormFloat64())
			}
		}
		samples[i] = Sample{Emb: emb, Label: i % 13}
	}
	tr := newTrainer(samples, TrainOptions{}.withDefaults())
	perm := r.Perm(n)
	b.ReportAllocs()
	for b.Loop() {
		for s := 0; s < n; s += DefaultBatch {
			tr.step(perm[s:min(n, s+DefaultBatch)])
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
}
