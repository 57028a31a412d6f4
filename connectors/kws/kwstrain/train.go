// Package kwstrain trains the keyword classifier's head (kws.Head) from
// labelled clips: a minibatch Adam descent, deterministic for a seed, on
// the packed products of kws/internal/gemm. Only the developer command
// connectors/voice/cmd/voicelab and the tests import it; the app never
// links it.
package kwstrain

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/kws"
	"github.com/caseyos/caseyos/connectors/kws/internal/gemm"
)

// Sample is one training clip: its embeddings (kws.ClipFeatures) and the index
// of its label in TrainOptions.Labels.
type Sample struct {
	Emb   [][kws.EmbeddingSize]float32
	Label int
}

// The training recipe's defaults: the values the prototype was measured
// with.
const (
	DefaultWindow   = 16
	DefaultHidden   = 128
	DefaultEpochs   = 24
	DefaultBatch    = 128
	DefaultLR       = 1e-3
	DefaultL2       = 1e-4
	DefaultDropout  = 0.3
	DefaultMaxShift = 2
)

// Adam's constants, and what is added to every standard deviation so that
// a constant input dimension does not divide by zero.
const (
	adamBeta1 = 0.9
	adamBeta2 = 0.999
	adamEps   = 1e-8
	sdFloor   = 1e-3
)

// TrainOptions tunes Train. Zero fields take the defaults; a negative L2,
// Dropout or MaxShift means none.
type TrainOptions struct {
	Hidden, Epochs, Batch int
	LR, L2, Dropout       float64
	MaxShift              int      // each epoch reads each window ending 0..MaxShift embeddings before the last
	Seed                  uint64   // the same seed and samples give the same head
	Labels                []string // default: Phrases then NoneLabel
	Window                int      // embeddings per input; default DefaultWindow

	// Progress, when set, is called after each epoch with its number
	// (from 1) and the mean weighted cross-entropy of its batches.
	Progress func(epoch int, loss float64)
}

func (o TrainOptions) withDefaults() TrainOptions {
	defInt := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	defInt(&o.Window, DefaultWindow)
	defInt(&o.Hidden, DefaultHidden)
	defInt(&o.Epochs, DefaultEpochs)
	defInt(&o.Batch, DefaultBatch)
	defInt(&o.MaxShift, DefaultMaxShift)
	o.MaxShift = max(o.MaxShift, 0)
	if o.LR == 0 {
		o.LR = DefaultLR
	}
	if o.L2 == 0 {
		o.L2 = DefaultL2
	}
	o.L2 = max(o.L2, 0)
	if o.Dropout == 0 {
		o.Dropout = DefaultDropout
	}
	o.Dropout = max(o.Dropout, 0)
	if o.Labels == nil {
		o.Labels = append(append([]string{}, kws.Phrases...), kws.NoneLabel)
	}
	return o
}

func (o TrainOptions) validate() error {
	if err := kws.ValidateLabels(o.Labels); err != nil {
		return err
	}
	switch {
	case o.Window < 1 || o.Window > kws.MaxHeadWindow:
		return fmt.Errorf("window %d is not between 1 and %d", o.Window, kws.MaxHeadWindow)
	case o.Hidden < 1 || o.Hidden > kws.MaxHeadHidden:
		return fmt.Errorf("hidden size %d is not between 1 and %d", o.Hidden, kws.MaxHeadHidden)
	case o.Epochs < 1 || o.Batch < 1:
		return fmt.Errorf("epochs %d and batch %d must be positive", o.Epochs, o.Batch)
	case !(o.LR > 0) || math.IsInf(o.LR, 0) || math.IsNaN(o.L2) || math.IsInf(o.L2, 0):
		return fmt.Errorf("learning rate %g and L2 %g must be finite, the rate positive", o.LR, o.L2)
	case !(o.Dropout < 1):
		return fmt.Errorf("dropout %g must be below 1", o.Dropout)
	}
	return nil
}

// recipe describes o for HeadMeta.Recipe.
func (o TrainOptions) recipe() string {
	return fmt.Sprintf("mlp: last %d embeddings (first repeated in front), standardized; hidden %d relu, dropout %g; softmax, cross-entropy weighted sqrt(N/(C·n_class)); "+
		"adam lr %g (%g/%g, eps %g), l2 %g on weights; batch %d, %d epochs, window shifted 0..%d embeddings per sample and epoch; init N(0,2/D), N(0,1/H); math/rand/v2 PCG",
		o.Window, o.Hidden, o.Dropout, o.LR, adamBeta1, adamBeta2, adamEps, o.L2, o.Batch, o.Epochs, o.MaxShift)
}

// Train fits a command classifier to samples: a minibatch Adam descent on
// the weighted cross-entropy, deterministic for a seed. It stops between
// batches when ctx is done, returning ctx's error. Bad options or samples
// are backend.EINVALID.
func Train(ctx context.Context, samples []Sample, o TrainOptions) (*kws.Head, error) {
	const op = "kws.Train"
	start := time.Now()
	o = o.withDefaults()
	if err := o.validate(); err != nil {
		return nil, &backend.Error{Code: backend.EINVALID, Op: op, Message: "the training options are invalid", Err: err}
	}
	if len(samples) == 0 {
		return nil, &backend.Error{Code: backend.EINVALID, Op: op, Message: "there are no training samples"}
	}
	c := len(o.Labels)
	counts := make([]int, c)
	for i, s := range samples {
		if s.Label < 0 || s.Label >= c {
			return nil, &backend.Error{Code: backend.EINVALID, Op: op, Message: fmt.Sprintf("training sample %d has label %d, not one of the %d labels", i, s.Label, c)}
		}
		if len(s.Emb) == 0 {
			return nil, &backend.Error{Code: backend.EINVALID, Op: op, Message: fmt.Sprintf("training sample %d has no embeddings (a clip shorter than one window)", i)}
		}
		counts[s.Label]++
	}

	t := newTrainer(samples, o)
	for ep := 1; ep <= o.Epochs; ep++ {
		for i := range t.shift {
			t.shift[i] = t.rng.IntN(o.MaxShift + 1)
		}
		perm := t.rng.Perm(len(samples))
		loss, batches := 0.0, 0
		for s := 0; s < len(perm); s += o.Batch {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("%s: %w", op, err)
			}
			loss += t.step(perm[s:min(len(perm), s+o.Batch)])
			batches++
		}
		if o.Progress != nil {
			o.Progress(ep, loss/float64(batches))
		}
	}
	h := t.head()
	h.Meta = kws.HeadMeta{Recipe: o.recipe(), Seed: o.Seed, Counts: counts,
		TrainedAt: time.Now().UTC().Truncate(time.Second), TrainSeconds: time.Since(start).Seconds()}
	return h, nil
}

// trainer holds the parameters, Adam's moments and the scratch of one
// batch. The two big products, x·W1 and xᵀ·ga, run on internal/gemm,
// split by rows of A over the available cores; everything else is small.
type trainer struct {
	o            TrainOptions
	samples      []Sample
	k, d, hid, c int
	rng          *rand.Rand
	shift        []int
	classW       []float64 // the weight of each class in the loss

	mu, sd         []float32
	w1, b1, w2, b2 []float32 // w1 has gemm.NR floats of slack: gemm.Mul reads it as a direct B
	m, v           [4][]float32
	steps          int // Adam updates so far, for the bias correction

	// One batch: x (nb×d), h then relu(h)·mask (nb×hid), dmask (nb×hid:
	// the dropout scale where h > 0, else 0), ga (nb×hid, with slack),
	// and the gradients.
	x, ad, dmask, ga []float32
	gw1, gb1, gw2    []float32
	gb2              []float64
	gb2f             []float32
	g                []float64 // nb×c
	offs             []int32   // kk*hid, for both direct B operands

	kern  gemm.Kernel
	parts []trainPart
}

// trainPart is one worker's share of a product: its packed rows of A and
// its scratch.
type trainPart struct {
	a  gemm.PackedA
	ws gemm.Workspace
}

// seedStream is the PCG stream Train draws from, fixed so a seed alone
// names a head.
const seedStream = 0x6b77732d68656164 // "kws-head"

func newTrainer(samples []Sample, o TrainOptions) *trainer {
	k, d, hid, c := o.Window, o.Window*kws.EmbeddingSize, o.Hidden, len(o.Labels)
	t := &trainer{o: o, samples: samples, k: k, d: d, hid: hid, c: c,
		rng: rand.New(rand.NewPCG(o.Seed, seedStream)), shift: make([]int, len(samples)), kern: gemm.DefaultKernel()}
	t.mu, t.sd = standardization(samples, k)

	t.w1 = make([]float32, d*hid+gemm.NR)
	s1 := math.Sqrt(2 / float64(d))
	for i := range d * hid {
		t.w1[i] = float32(t.rng.NormFloat64() * s1)
	}
	t.w2 = make([]float32, hid*c)
	s2 := math.Sqrt(1 / float64(hid))
	for i := range t.w2 {
		t.w2[i] = float32(t.rng.NormFloat64() * s2)
	}
	t.b1, t.b2 = make([]float32, hid), make([]float32, c)
	for i, n := range []int{d * hid, hid, hid * c, c} {
		t.m[i], t.v[i] = make([]float32, n), make([]float32, n)
	}

	counts := make([]int, c)
	for _, s := range samples {
		counts[s.Label]++
	}
	t.classW = make([]float64, c)
	for i, n := range counts {
		if n > 0 { // an empty class has no sample to weigh
			t.classW[i] = math.Sqrt(float64(len(samples)) / float64(c*n))
		}
	}

	nb := min(o.Batch, len(samples))
	t.x = make([]float32, nb*d)
	t.ad, t.dmask = make([]float32, nb*hid), make([]float32, nb*hid)
	t.ga = make([]float32, nb*hid+gemm.NR)
	t.gw1, t.gb1, t.gw2 = make([]float32, d*hid), make([]float32, hid), make([]float32, hid*c)
	t.gb2, t.gb2f, t.g = make([]float64, c), make([]float32, c), make([]float64, nb*c)
	t.offs = make([]int32, max(d, nb))
	for kk := range t.offs {
		t.offs[kk] = int32(kk * hid)
	}
	t.parts = make([]trainPart, max(1, min(runtime.GOMAXPROCS(0), 8)))
	return t
}

// standardization returns the per-dimension mean and standard deviation
// (plus sdFloor) of the samples' unshifted windows.
func standardization(samples []Sample, k int) (mu, sd []float32) {
	d := k * kws.EmbeddingSize
	x := make([]float32, d)
	sum := make([]float64, d)
	for _, s := range samples {
		kws.FillWindow(x, s.Emb, k, 0)
		for i, v := range x {
			sum[i] += float64(v)
		}
	}
	n := float64(len(samples))
	mean := make([]float64, d)
	for i := range mean {
		mean[i] = sum[i] / n
		sum[i] = 0
	}
	for _, s := range samples {
		kws.FillWindow(x, s.Emb, k, 0)
		for i, v := range x {
			dv := float64(v) - mean[i]
			sum[i] += dv * dv
		}
	}
	mu, sd = make([]float32, d), make([]float32, d)
	for i := range mu {
		mu[i] = float32(mean[i])
		sd[i] = float32(math.Sqrt(sum[i]/n) + sdFloor)
	}
	return mu, sd
}

// step runs one minibatch of the samples at idx, forward and back, and
// one Adam update. It returns the batch's weighted cross-entropy.
func (t *trainer) step(idx []int) float64 {
	nb, d, hid, c := len(idx), t.d, t.hid, t.c
	x := t.x[:nb*d]
	t.parallel(nb, func(_ *trainPart, r0, r1 int) {
		for j := r0; j < r1; j++ {
			si := idx[j]
			row := x[j*d : (j+1)*d]
			kws.FillWindow(row, t.samples[si].Emb, t.k, t.shift[si])
			for i, v := range row {
				row[i] = (v - t.mu[i]) / t.sd[i]
			}
		}
	})

	// h = x·W1 + b1; a = relu(h); ad = a·mask (inverted dropout).
	ad := t.ad[:nb*hid]
	t.parallel(nb, func(p *trainPart, r0, r1 int) {
		packRows(&p.a, x, d, r0, r1)
		gemm.Mul(t.kern, &p.a, hid, gemm.OperandB{Src: t.w1, Offs: t.offs[:d]}, ad[r0*hid:], hid, gemm.Identity, nil, &p.ws)
	})
	dmask := t.dmask[:nb*hid]
	keep := float32(1 / (1 - t.o.Dropout))
	for i := range ad {
		h := ad[i] + t.b1[i%hid]
		scale := keep
		if t.o.Dropout > 0 && t.rng.Float64() <= t.o.Dropout {
			scale = 0
		}
		if h > 0 {
			ad[i], dmask[i] = h*scale, scale
		} else {
			ad[i], dmask[i] = 0, 0
		}
	}

	// z = ad·W2 + b2; p = softmax(z); g = (p − onehot)·w_class / nb.
	g := t.g[:nb*c]
	loss := 0.0
	for j, si := range idx {
		z := g[j*c : (j+1)*c]
		for k := range z {
			z[k] = float64(t.b2[k])
		}
		for u, a := range ad[j*hid : (j+1)*hid] {
			if a == 0 {
				continue
			}
			for k, w := range t.w2[u*c : (u+1)*c] {
				z[k] += float64(a) * float64(w)
			}
		}
		kws.Softmax(z)
		y := t.samples[si].Label
		cw := t.classW[y] / float64(nb)
		loss += cw * -math.Log(max(z[y], 1e-300))
		z[y]--
		for k := range z {
			z[k] *= cw
		}
	}

	// gW2 = adᵀ·g, gb2 = Σg, ga = (g·W2ᵀ)·dmask, gb1 = Σga.
	gw2 := t.gw2
	clear(gw2)
	clear(t.gb2)
	clear(t.gb1)
	ga := t.ga[:nb*hid]
	for j := range nb {
		gj := g[j*c : (j+1)*c]
		for k, v := range gj {
			t.gb2[k] += v
		}
		for u := range hid {
			w2u := t.w2[u*c : (u+1)*c]
			if a := float64(ad[j*hid+u]); a != 0 {
				for k, v := range gj {
					gw2[u*c+k] += float32(a * v)
				}
			}
			s := 0.0
			if m := dmask[j*hid+u]; m != 0 {
				for k, v := range gj {
					s += v * float64(w2u[k])
				}
				s *= float64(m)
			}
			ga[j*hid+u] = float32(s)
			t.gb1[u] += float32(s)
		}
	}

	// gW1 = xᵀ·ga: A is x transposed, D rows of nb.
	t.parallel(d, func(p *trainPart, r0, r1 int) {
		packCols(&p.a, x, nb, d, r0, r1)
		gemm.Mul(t.kern, &p.a, hid, gemm.OperandB{Src: t.ga, Offs: t.offs[:nb]}, t.gw1[r0*hid:], hid, gemm.Identity, nil, &p.ws)
	})

	t.adam(0, t.w1[:d*hid], t.gw1, t.o.L2)
	t.adam(1, t.b1, t.gb1, 0)
	t.adam(2, t.w2, gw2, t.o.L2)
	for k, v := range t.gb2 {
		t.gb2f[k] = float32(v)
	}
	t.adam(3, t.b2, t.gb2f, 0)
	return loss
}

// adam applies one Adam update to parameter array i from its gradient,
// plus l2·p (weight decay as the prototype adds it). Array 0 comes first
// in every step and counts it.
func (t *trainer) adam(i int, p, grad []float32, l2 float64) {
	if i == 0 {
		t.steps++
	}
	// float32, as the parameters are: the update is a third of a step's
	// time in float64.
	n := float64(t.steps)
	lr1, ic2 := float32(t.o.LR/(1-math.Pow(adamBeta1, n))), float32(1/(1-math.Pow(adamBeta2, n)))
	const b1, b2 = float32(adamBeta1), float32(adamBeta2)
	l2f := float32(l2)
	m, v := t.m[i], t.v[i]
	update := func(j0, j1 int) {
		p, grad, m, v := p[j0:j1], grad[j0:j1], m[j0:j1], v[j0:j1]
		for j := range p {
			gj := grad[j] + l2f*p[j]
			mj := b1*m[j] + (1-b1)*gj
			vj := b2*v[j] + (1-b2)*gj*gj
			m[j], v[j] = mj, vj
			p[j] -= lr1 * mj / (float32(math.Sqrt(float64(vj*ic2))) + adamEps)
		}
	}
	if len(p) < 1<<14 {
		update(0, len(p))
		return
	}
	var wg sync.WaitGroup
	parts := len(t.parts)
	for k := range parts {
		wg.Go(func() { update(len(p)*k/parts, len(p)*(k+1)/parts) })
	}
	wg.Wait()
}

// parallel splits rows [0, n) into runs of whole A panels, one per part,
// and runs f on each concurrently. Each output element is computed the
// same way whatever the split, so the result does not depend on the
// number of cores.
func (t *trainer) parallel(n int, f func(p *trainPart, r0, r1 int)) {
	panels := (n + gemm.MR - 1) / gemm.MR
	parts := min(len(t.parts), panels)
	if parts <= 1 || n*t.hid < 1<<14 {
		f(&t.parts[0], 0, n)
		return
	}
	var wg sync.WaitGroup
	for i := range parts {
		r0, r1 := panels*i/parts*gemm.MR, min(n, panels*(i+1)/parts*gemm.MR)
		wg.Go(func() { f(&t.parts[i], r0, r1) })
	}
	wg.Wait()
}

// packRows packs rows [r0, r1) of the row-major matrix w (k columns) into
// a's panels, as gemm.PackA does.
func packRows(a *gemm.PackedA, w []float32, k, r0, r1 int) {
	m := r1 - r0
	reshape(a, m, k)
	for i := range m {
		p, r := i/gemm.MR, i%gemm.MR
		dst := a.Panels[p*k*gemm.MR:]
		for kk, v := range w[(r0+i)*k : (r0+i+1)*k] {
			dst[kk*gemm.MR+r] = v
		}
	}
}

// packCols packs columns [c0, c1) of the row-major nb×d matrix x as the
// rows of A (A = xᵀ, k = nb).
func packCols(a *gemm.PackedA, x []float32, nb, d, c0, c1 int) {
	m := c1 - c0
	reshape(a, m, nb)
	for p := range (m + gemm.MR - 1) / gemm.MR {
		i0 := c0 + p*gemm.MR
		w := min(gemm.MR, c1-i0)
		dst := a.Panels[p*nb*gemm.MR:]
		for kk := range nb {
			copy(dst[kk*gemm.MR:kk*gemm.MR+w], x[kk*d+i0:kk*d+i0+w])
		}
	}
}

// reshape sizes a for an m×k matrix with zero bias, zeroing the panels
// (rows past m must read as 0).
func reshape(a *gemm.PackedA, m, k int) {
	np := (m + gemm.MR - 1) / gemm.MR
	a.M, a.K = m, k
	if cap(a.Panels) < np*k*gemm.MR {
		a.Panels = make([]float32, np*k*gemm.MR)
	}
	a.Panels = a.Panels[:np*k*gemm.MR]
	if m%gemm.MR != 0 {
		clear(a.Panels[(np-1)*k*gemm.MR:])
	}
	if cap(a.Bias) < np*gemm.MR {
		a.Bias = make([]float32, np*gemm.MR)
	}
	a.Bias = a.Bias[:np*gemm.MR]
}

// head returns the trained parameters as a Head (without Meta).
func (t *trainer) head() *kws.Head {
	return &kws.Head{Labels: append([]string{}, t.o.Labels...), Window: t.k, Hidden: t.hid,
		Mu: t.mu, Sd: t.sd, W1: t.w1[: t.d*t.hid : t.d*t.hid], B1: t.b1, W2: t.w2, B2: t.b2}
}
