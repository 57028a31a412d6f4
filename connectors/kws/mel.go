package kws

import (
	"fmt"
	"math"

	"github.com/caseyos/caseyos/connectors/kws/internal/gemm"
)

// The melspectrogram graph is hand-coded rather than interpreted: its
// Unsqueeze/Transpose plumbing, its whole-clip ReduceMax and its Cast do
// not fit a chain of layers. compileMel checks that the graph is exactly
// the one openWakeWord ships — every operator, how they are wired, and the
// constants that matter — and takes the numbers (frame, hop, filters,
// clips, scale, dynamic range) from it.
//
//	power  = conv(x, real)² + conv(x, imag)²   frames of `frame` samples every `hop`
//	mel    = clip(power · melW, min, max)
//	db     = log(mel) · mul / div − sub        (10·log10)
//	output = clip(db, max(db) − range, top)    max over the whole clip

// melOps is the graph's operators without its Constant nodes, each with
// where its inputs come from: melFromInput (the samples), melFromConst (a
// constant) or the index of the operator whose output it reads.
var melOps = []struct {
	op  string
	ins []int
}{
	{"Unsqueeze", []int{melFromInput, melFromConst}}, // 0
	{"Conv", []int{0, melFromConst}},                 // 1 real
	{"Conv", []int{0, melFromConst}},                 // 2 imag
	{"Unsqueeze", []int{1, melFromConst}},            // 3
	{"Transpose", []int{3}},                          // 4
	{"Unsqueeze", []int{2, melFromConst}},            // 5
	{"Transpose", []int{5}},                          // 6
	{"Pow", []int{4, melFromConst}},                  // 7
	{"Pow", []int{6, melFromConst}},                  // 8
	{"Add", []int{7, 8}},                             // 9
	{"MatMul", []int{9, melFromConst}},               // 10
	{"Clip", []int{10, melFromConst, melFromConst}},  // 11
	{"Log", []int{11}},                               // 12
	{"Mul", []int{12, melFromConst}},                 // 13
	{"Div", []int{13, melFromConst}},                 // 14
	{"Sub", []int{14, melFromConst}},                 // 15
	{"ReduceMax", []int{15}},                         // 16
	{"Sub", []int{16, melFromConst}},                 // 17
	{"Cast", []int{17}},                              // 18
	{"Clip", []int{15, 18, melFromConst}},            // 19
}

const (
	melFromInput = -1
	melFromConst = -2
)

// melModel is the compiled melspectrogram graph.
type melModel struct {
	frame, hop, bins, mels int
	dft                    *gemm.PackedA // 2·bins rows: the real filters, then the imaginary
	filt                   *gemm.PackedA // mels rows of bins: melWᵀ

	clipMin, clipMax float32
	mul, div, sub    float32
	rangeDB, top     float32
}

func compileMel(g *graph) (*melModel, error) {
	consts := make(map[string]*tensor, len(g.inits))
	for k, v := range g.inits {
		consts[k] = v
	}
	input, err := graphInput(g)
	if err != nil {
		return nil, err
	}
	var ops []node
	for _, n := range g.nodes {
		if n.opType == "Constant" {
			if err := addConstant(consts, n); err != nil {
				return nil, err
			}
			continue
		}
		ops = append(ops, n)
	}
	if len(ops) != len(melOps) {
		return nil, fmt.Errorf("%w: %d operators, not the %d of openWakeWord's melspectrogram", errUnsupported, len(ops), len(melOps))
	}
	for i, want := range melOps {
		n := ops[i]
		if n.opType != want.op || (n.domain != "" && n.domain != "ai.onnx") || len(n.inputs) != len(want.ins) || len(n.outputs) != 1 {
			return nil, fmt.Errorf("%w: operator %d is %s (node %q) with %d inputs, want %s with %d", errUnsupported, i, n.opType, n.name, len(n.inputs), want.op, len(want.ins))
		}
		for j, from := range want.ins {
			in := n.inputs[j]
			ok := false
			switch from {
			case melFromInput:
				ok = in == input
			case melFromConst:
				ok = consts[in] != nil
			default:
				ok = in == ops[from].outputs[0]
			}
			if !ok {
				return nil, fmt.Errorf("%w: input %d of operator %d (%s, node %q) is %q, not where openWakeWord's melspectrogram takes it from", errUnsupported, j, i, n.opType, n.name, in)
			}
		}
	}
	if len(g.outputs) > 0 && g.outputs[0] != ops[len(ops)-1].outputs[0] {
		return nil, fmt.Errorf("%w: the graph's output %q is not the last operator's", errUnsupported, g.outputs[0])
	}
	scalar := func(i, j int, what string) (float32, error) {
		v, ok := consts[ops[i].inputs[j]].scalar()
		if !ok {
			return 0, fmt.Errorf("%w: %s (input %d of node %q) is not one float", errUnsupported, what, j, ops[i].name)
		}
		return v, nil
	}

	m := &melModel{}
	re, im := consts[ops[1].inputs[1]], consts[ops[2].inputs[1]]
	for _, t := range []*tensor{re, im} {
		if t.dataType != dataTypeFloat || len(t.dims) != 3 || t.dims[1] != 1 || t.dims[0] == 0 || t.dims[2] == 0 {
			return nil, fmt.Errorf("%w: STFT filters %q are %v, not bins×1×frame floats", errUnsupported, t.name, t.dims)
		}
	}
	if re.dims[0] != im.dims[0] || re.dims[2] != im.dims[2] {
		return nil, fmt.Errorf("%w: the real and imaginary STFT filters differ in shape: %v, %v", errUnsupported, re.dims, im.dims)
	}
	m.bins, m.frame = re.dims[0], re.dims[2]
	for _, i := range []int{1, 2} {
		n := ops[i]
		if g := n.attrs["group"]; g.i > 1 {
			return nil, fmt.Errorf("%w: STFT node %q is grouped", errUnsupported, n.name)
		}
		if d, err := ints(n, "dilations", 1, 1); err != nil || d[0] != 1 {
			return nil, fmt.Errorf("%w: STFT node %q is dilated", errUnsupported, n.name)
		}
		if p, err := ints(n, "pads", 2, 0, 0); err != nil || p[0] != 0 || p[1] != 0 {
			return nil, fmt.Errorf("%w: STFT node %q pads", errUnsupported, n.name)
		}
		if k, err := ints(n, "kernel_shape", 1, int64(m.frame)); err != nil || k[0] != m.frame {
			return nil, fmt.Errorf("%w: STFT node %q has a kernel_shape that is not its filters'", errUnsupported, n.name)
		}
		s, err := ints(n, "strides", 1, 1)
		if err != nil || s[0] == 0 || (m.hop != 0 && s[0] != m.hop) {
			return nil, fmt.Errorf("%w: STFT node %q has strides %v", errUnsupported, n.name, n.attrs["strides"].ints)
		}
		m.hop = s[0]
	}
	for _, i := range []int{7, 8} {
		if p, err := scalar(i, 1, "the exponent"); err != nil || p != 2 {
			return nil, fmt.Errorf("%w: Pow node %q does not square", errUnsupported, ops[i].name)
		}
	}
	melW := consts[ops[10].inputs[1]]
	if melW.dataType != dataTypeFloat || len(melW.dims) != 2 || melW.dims[0] != m.bins || melW.dims[1] != melBands {
		return nil, fmt.Errorf("%w: the mel filters %q are %v, want %d×%d", errUnsupported, melW.name, melW.dims, m.bins, melBands)
	}
	m.mels = melBands
	if m.clipMin, err = scalar(11, 1, "the power floor"); err != nil {
		return nil, err
	}
	if m.clipMax, err = scalar(11, 2, "the power ceiling"); err != nil {
		return nil, err
	}
	if m.clipMin <= 0 {
		return nil, fmt.Errorf("%w: the power floor %g is not positive", errUnsupported, m.clipMin)
	}
	if m.mul, err = scalar(13, 1, "the dB scale"); err != nil {
		return nil, err
	}
	if m.div, err = scalar(14, 1, "the log base"); err != nil {
		return nil, err
	}
	if m.sub, err = scalar(15, 1, "the dB offset"); err != nil {
		return nil, err
	}
	if a, ok := ops[16].attrs["keepdims"]; !ok || a.i != 0 {
		return nil, fmt.Errorf("%w: ReduceMax node %q keeps dimensions", errUnsupported, ops[16].name)
	}
	if _, ok := ops[16].attrs["axes"]; ok {
		return nil, fmt.Errorf("%w: ReduceMax node %q reduces some axes only", errUnsupported, ops[16].name)
	}
	if m.rangeDB, err = scalar(17, 1, "the dynamic range"); err != nil {
		return nil, err
	}
	if to := ops[18].attrs["to"]; to.i != dataTypeFloat {
		return nil, fmt.Errorf("%w: Cast node %q is to type %d", errUnsupported, ops[18].name, to.i)
	}
	if m.top, err = scalar(19, 2, "the dB ceiling"); err != nil {
		return nil, err
	}

	dft := make([]float32, 0, 2*m.bins*m.frame)
	dft = append(append(dft, re.floats...), im.floats...)
	m.dft = gemm.PackA(dft, 2*m.bins, m.frame, nil)
	filt := make([]float32, m.mels*m.bins)
	for b := 0; b < m.bins; b++ {
		for j := 0; j < m.mels; j++ {
			filt[j*m.bins+b] = melW.floats[b*m.mels+j]
		}
	}
	m.filt = gemm.PackA(filt, m.mels, m.bins, nil)
	return m, nil
}

// frames is the number of frames n samples make.
func (m *melModel) frames(n int) int {
	if n < m.frame {
		return 0
	}
	return (n-m.frame)/m.hop + 1
}

// compute returns the graph's output for pcm, frame by frame, transformed
// as openWakeWord feeds it to the embedding model (x/10 + 2).
func (m *melModel) compute(kern gemm.Kernel, pcm []int16, ws *gemm.Workspace) [][melBands]float32 {
	t := m.frames(len(pcm))
	if t == 0 {
		return nil
	}
	spec := ws.Buf(2, 2*m.bins*t)
	gemm.Mul(kern, m.dft, t, gemm.OperandB{Pack: func(dst []float32, p0, p1 int) {
		for q := 0; q < (p1-p0+gemm.NR-1)/gemm.NR; q++ {
			panel := dst[q*m.frame*gemm.NR : (q+1)*m.frame*gemm.NR]
			for j := 0; j < gemm.NR; j++ {
				f := p0 + q*gemm.NR + j
				if f >= p1 {
					for kk := 0; kk < m.frame; kk++ {
						panel[kk*gemm.NR+j] = 0
					}
					continue
				}
				x := pcm[f*m.hop : f*m.hop+m.frame]
				for kk, v := range x {
					panel[kk*gemm.NR+j] = float32(v)
				}
			}
		}
	}}, spec, t, gemm.Identity, nil, ws)

	mel := ws.Buf(3, m.mels*t)
	gemm.Mul(kern, m.filt, t, gemm.OperandB{Pack: func(dst []float32, p0, p1 int) {
		for q := 0; q < (p1-p0+gemm.NR-1)/gemm.NR; q++ {
			panel := dst[q*m.bins*gemm.NR : (q+1)*m.bins*gemm.NR]
			for b := 0; b < m.bins; b++ {
				re := spec[b*t : (b+1)*t]
				im := spec[(m.bins+b)*t : (m.bins+b+1)*t]
				out := panel[b*gemm.NR : (b+1)*gemm.NR]
				for j := range out {
					f := p0 + q*gemm.NR + j
					if f >= p1 {
						out[j] = 0
						continue
					}
					out[j] = re[f]*re[f] + im[f]*im[f]
				}
			}
		}
	}}, mel, t, gemm.Identity, nil, ws)

	out := make([][melBands]float32, t)
	peak := float32(math.Inf(-1))
	for j := 0; j < m.mels; j++ {
		row := mel[j*t : (j+1)*t]
		for f, v := range row {
			v = min(max(v, m.clipMin), m.clipMax)
			db := float32(math.Log(float64(v)))*m.mul/m.div - m.sub
			out[f][j] = db
			peak = max(peak, db)
		}
	}
	floor := peak - m.rangeDB
	for f := range out {
		for j, db := range out[f] {
			out[f][j] = min(max(db, floor), m.top)/10 + 2
		}
	}
	return out
}
