package kws

import (
	"errors"
	"fmt"
	"math"

	"github.com/caseyos/caseyos/connectors/kws/internal/gemm"
)

// The speech-embedding graph, compiled from its ONNX node list into a chain
// of layers. Only what that graph is made of is supported — a Reshape in,
// Conv (group 1, no dilation), LeakyRelu, Max with a constant and MaxPool,
// and a Reshape out — but every node's attributes are read, so a retrained
// model built from the same operators runs as well.
//
// Activations are one sample at a time, channels × height × width, with
// the height along time: a window of mel frames is 1 × frames × bins.
//
// The network slides along time. No layer pads along time, so the
// activations of a window that starts s frames later are those of the first
// window moved s/S rows down, S being the product of the layers' strides
// along time — as long as S divides s, so that every layer's rows line up.
// With S = 8 and windows 8 frames apart, the whole run of windows is one
// pass over the whole sequence of frames (about a fifth of the work for the
// 16 windows of 2 s), and the embedding of window w is row w·hop/S of the
// output.

// errUnsupported marks a graph this package does not know how to run.
var errUnsupported = errors.New("unsupported model")

const (
	layerConv = iota
	layerPool
	layerElementwise
)

// layer is one step of the chain.
type layer struct {
	kind int
	name string // the ONNX node, for errors

	// Conv and MaxPool geometry: kernel, strides, pads (top, left, bottom, right).
	kh, kw, sh, sw int
	pt, pl, pb, pr int

	// Conv.
	cin, cout int
	a         *gemm.PackedA
	act       gemm.Activation // elementwise nodes the kernel applies
	post      []gemm.Epilogue // elementwise nodes after those, in Go

	// Elementwise.
	ew gemm.Epilogue
}

// outShape is the shape of the layer's output for an input of c×h×w; a
// dimension of 0 means the input is smaller than the kernel.
func (l *layer) outShape(c, h, w int) (int, int, int) {
	if l.kind == layerElementwise {
		return c, h, w
	}
	if l.kind == layerConv {
		c = l.cout
	}
	return c, slide(h+l.pt+l.pb, l.kh, l.sh), slide(w+l.pl+l.pr, l.kw, l.sw)
}

// slide is how many times a kernel of k fits in n with stride s.
func slide(n, k, s int) int {
	if n < k {
		return 0
	}
	return (n-k)/s + 1
}

// network is the compiled embedding graph.
type network struct {
	frames, bins int // the input window: frames × bins
	dim          int // the embedding size
	layers       []layer
	// timeStride is the product of the layers' strides along time, and
	// slides whether the network can run over a whole sequence at once
	// (see above).
	timeStride int
	slides     bool
}

// compileNetwork checks the embedding graph and compiles it.
func compileNetwork(g *graph) (*network, error) {
	consts := make(map[string]*tensor, len(g.inits))
	for k, v := range g.inits {
		consts[k] = v
	}
	cur, err := graphInput(g)
	if err != nil {
		return nil, err
	}
	nw := &network{timeStride: 1}
	var (
		c, h, w   int
		started   bool // the input Reshape was seen
		flattened bool // the output Reshape was seen
	)
	for _, n := range g.nodes {
		if n.opType == "Constant" {
			if err := addConstant(consts, n); err != nil {
				return nil, err
			}
			continue
		}
		if n.domain != "" && n.domain != "ai.onnx" {
			return nil, fmt.Errorf("%w: operator %s.%s (node %q)", errUnsupported, n.domain, n.opType, n.name)
		}
		if len(n.inputs) == 0 || n.inputs[0] != cur {
			return nil, fmt.Errorf("%w: node %q does not read the previous node's output: only a chain of layers is supported", errUnsupported, n.name)
		}
		for _, in := range n.inputs[1:] {
			if in != "" && consts[in] == nil {
				return nil, fmt.Errorf("%w: node %q reads %q, which is not a constant", errUnsupported, n.name, in)
			}
		}
		if len(n.outputs) != 1 {
			return nil, fmt.Errorf("%w: node %q has %d outputs", errUnsupported, n.name, len(n.outputs))
		}
		if flattened {
			return nil, fmt.Errorf("%w: node %q follows the output Reshape", errUnsupported, n.name)
		}
		if !started && n.opType != "Reshape" {
			return nil, fmt.Errorf("%w: the graph starts with %s (node %q), not with a Reshape of the mel window to N×1×frames×bins", errUnsupported, n.opType, n.name)
		}
		switch n.opType {
		case "Reshape":
			shape, err := int64Const(consts, n, 1)
			if err != nil {
				return nil, err
			}
			if !started {
				// (N, frames, bins, 1) → (N, 1, frames, bins): the same
				// floats, now one channel of frames × bins.
				if len(shape) != 4 || shape[0] != -1 || shape[1] != 1 || shape[2] <= 0 || shape[3] <= 0 || shape[2] > 1<<16 || shape[3] > 1<<16 {
					return nil, fmt.Errorf("%w: the input Reshape (node %q) is to %v, not to (-1, 1, frames, bins)", errUnsupported, n.name, shape)
				}
				nw.frames, nw.bins = int(shape[2]), int(shape[3])
				c, h, w = 1, nw.frames, nw.bins
				started = true
				break
			}
			// (N, C, 1, 1) → (N, …, C): a flatten.
			prod := int64(1)
			for _, d := range shape[1:] {
				prod *= d
			}
			if len(shape) < 2 || shape[0] != -1 || h != 1 || w != 1 || prod != int64(c) {
				return nil, fmt.Errorf("%w: the output Reshape (node %q) of %d×%d×%d to %v is not a flatten", errUnsupported, n.name, c, h, w, shape)
			}
			flattened = true
		case "Conv":
			l, err := convLayer(consts, n, c)
			if err != nil {
				return nil, err
			}
			nw.layers = append(nw.layers, l)
		case "MaxPool":
			l, err := poolLayer(n)
			if err != nil {
				return nil, err
			}
			nw.layers = append(nw.layers, l)
		case "LeakyRelu", "Max":
			f, err := elementwise(consts, n)
			if err != nil {
				return nil, err
			}
			if last := len(nw.layers) - 1; last >= 0 && nw.layers[last].kind == layerConv {
				l := &nw.layers[last]
				if len(l.post) > 0 || !foldActivation(&l.act, consts, n) {
					l.post = append(l.post, f)
				}
			} else {
				nw.layers = append(nw.layers, layer{kind: layerElementwise, name: n.name, ew: f})
			}
		default:
			return nil, fmt.Errorf("%w: operator %s (node %q)", errUnsupported, n.opType, n.name)
		}
		if n.opType == "Conv" || n.opType == "MaxPool" {
			l := &nw.layers[len(nw.layers)-1]
			c, h, w = l.outShape(c, h, w)
			if h <= 0 || w <= 0 {
				return nil, fmt.Errorf("%w: node %q leaves nothing of a %d×%d window", errUnsupported, n.name, nw.frames, nw.bins)
			}
			nw.timeStride *= l.sh
		}
		cur = n.outputs[0]
	}
	if !started || len(nw.layers) == 0 {
		return nil, fmt.Errorf("%w: no layers", errUnsupported)
	}
	if len(g.outputs) > 0 && g.outputs[0] != cur {
		return nil, fmt.Errorf("%w: the graph's output %q is not the last node's", errUnsupported, g.outputs[0])
	}
	if h != 1 || w != 1 {
		return nil, fmt.Errorf("%w: a window gives %d×%d×%d, not one vector", errUnsupported, c, h, w)
	}
	nw.dim = c
	nw.slides = windowHop%nw.timeStride == 0
	for _, l := range nw.layers {
		if l.pt != 0 || l.pb != 0 {
			nw.slides = false
		}
	}
	return nw, nil
}

// foldActivation folds n into act when act followed by n is still an
// activation: LeakyRelu with 0 <= alpha <= 1 right after the conv, then
// Max with constants.
func foldActivation(act *gemm.Activation, consts map[string]*tensor, n node) bool {
	switch n.opType {
	case "LeakyRelu":
		alpha, err := leakyAlpha(n)
		if err != nil || *act != gemm.Identity || alpha < 0 || alpha > 1 {
			return false
		}
		act.Alpha = alpha
		return true
	case "Max":
		floor, _ := consts[n.inputs[1]].scalar()
		act.Floor = max(act.Floor, floor)
		return true
	}
	return false
}

// leakyAlpha is the slope of LeakyRelu node n below 0.
func leakyAlpha(n node) (float32, error) {
	a, ok := n.attrs["alpha"]
	if !ok {
		return 0.01, nil // the ONNX default
	}
	if a.typ != attrTypeFloat && a.typ != 0 {
		return 0, fmt.Errorf("%w: alpha of node %q is of type %d, not a float", errUnsupported, n.name, a.typ)
	}
	return a.f, nil
}

// graphInput is the one graph input that is not an initializer.
func graphInput(g *graph) (string, error) {
	var in []string
	for _, name := range g.inputs {
		if g.inits[name] == nil {
			in = append(in, name)
		}
	}
	if len(in) != 1 {
		return "", fmt.Errorf("%w: the graph has %d inputs, want 1", errUnsupported, len(in))
	}
	return in[0], nil
}

// addConstant records a Constant node's tensor under its output name.
func addConstant(consts map[string]*tensor, n node) error {
	a, ok := n.attrs["value"]
	if !ok || a.t == nil || len(n.outputs) != 1 {
		return fmt.Errorf("%w: Constant node %q has no tensor value", errUnsupported, n.name)
	}
	consts[n.outputs[0]] = a.t
	return nil
}

// int64Const returns input i of n, an int64 constant.
func int64Const(consts map[string]*tensor, n node, i int) ([]int64, error) {
	if i >= len(n.inputs) || consts[n.inputs[i]] == nil || consts[n.inputs[i]].dataType != dataTypeInt64 {
		return nil, fmt.Errorf("%w: input %d of node %q is not an int64 constant", errUnsupported, i, n.name)
	}
	return consts[n.inputs[i]].ints, nil
}

// ints returns attribute name of n, or def when n has none; the attribute
// must have want elements.
func ints(n node, name string, want int, def ...int64) ([]int, error) {
	a, ok := n.attrs[name]
	vals := def
	if ok {
		if a.typ != attrTypeInts && a.typ != 0 {
			return nil, fmt.Errorf("%w: attribute %s of node %q is of type %d, not ints", errUnsupported, name, n.name, a.typ)
		}
		vals = a.ints
	}
	if len(vals) != want {
		return nil, fmt.Errorf("%w: node %q has %s %v, want %d values", errUnsupported, n.name, name, vals, want)
	}
	out := make([]int, want)
	for i, v := range vals {
		if v < 0 || v > 1<<16 {
			return nil, fmt.Errorf("%w: node %q has %s %v", errUnsupported, n.name, name, vals)
		}
		out[i] = int(v)
	}
	return out, nil
}

// geometry reads strides and pads, and refuses dilations and auto_pad.
func geometry(n node, l *layer) error {
	if a, ok := n.attrs["auto_pad"]; ok && string(a.s) != "NOTSET" && string(a.s) != "" {
		return fmt.Errorf("%w: node %q has auto_pad %s", errUnsupported, n.name, a.s)
	}
	if d, err := ints(n, "dilations", 2, 1, 1); err != nil || d[0] != 1 || d[1] != 1 {
		return fmt.Errorf("%w: node %q is dilated", errUnsupported, n.name)
	}
	s, err := ints(n, "strides", 2, 1, 1)
	if err != nil {
		return err
	}
	p, err := ints(n, "pads", 4, 0, 0, 0, 0)
	if err != nil {
		return err
	}
	if s[0] == 0 || s[1] == 0 {
		return fmt.Errorf("%w: node %q has a zero stride", errUnsupported, n.name)
	}
	l.sh, l.sw = s[0], s[1]
	l.pt, l.pl, l.pb, l.pr = p[0], p[1], p[2], p[3]
	if l.pt >= l.kh || l.pb >= l.kh || l.pl >= l.kw || l.pr >= l.kw {
		return fmt.Errorf("%w: node %q pads by a whole kernel", errUnsupported, n.name)
	}
	return nil
}

func convLayer(consts map[string]*tensor, n node, cin int) (layer, error) {
	l := layer{kind: layerConv, name: n.name, act: gemm.Identity}
	if len(n.inputs) < 2 {
		return l, fmt.Errorf("%w: Conv node %q has no weights", errUnsupported, n.name)
	}
	wt := consts[n.inputs[1]]
	if wt == nil || wt.dataType != dataTypeFloat || len(wt.dims) != 4 {
		return l, fmt.Errorf("%w: the weights of Conv node %q are not a 4-d float constant", errUnsupported, n.name)
	}
	if g := n.attrs["group"]; g.i > 1 {
		return l, fmt.Errorf("%w: Conv node %q is grouped", errUnsupported, n.name)
	}
	l.cout, l.cin, l.kh, l.kw = wt.dims[0], wt.dims[1], wt.dims[2], wt.dims[3]
	if l.cin != cin || l.cout == 0 || l.kh == 0 || l.kw == 0 {
		return l, fmt.Errorf("%w: Conv node %q has weights %v for %d input channels", errUnsupported, n.name, wt.dims, cin)
	}
	if k, err := ints(n, "kernel_shape", 2, int64(l.kh), int64(l.kw)); err != nil || k[0] != l.kh || k[1] != l.kw {
		return l, fmt.Errorf("%w: Conv node %q has a kernel_shape that is not its weights' %v", errUnsupported, n.name, wt.dims)
	}
	if err := geometry(n, &l); err != nil {
		return l, err
	}
	var bias []float32
	if len(n.inputs) > 2 && n.inputs[2] != "" {
		b := consts[n.inputs[2]]
		if b.dataType != dataTypeFloat || len(b.floats) != l.cout {
			return l, fmt.Errorf("%w: the bias of Conv node %q is not %d floats", errUnsupported, n.name, l.cout)
		}
		bias = b.floats
	}
	l.a = gemm.PackA(wt.floats, l.cout, l.cin*l.kh*l.kw, bias)
	return l, nil
}

func poolLayer(n node) (layer, error) {
	l := layer{kind: layerPool, name: n.name}
	k, err := ints(n, "kernel_shape", 2)
	if err != nil {
		return l, err
	}
	if k[0] == 0 || k[1] == 0 {
		return l, fmt.Errorf("%w: MaxPool node %q has an empty kernel", errUnsupported, n.name)
	}
	l.kh, l.kw = k[0], k[1]
	if a := n.attrs["ceil_mode"]; a.i != 0 {
		return l, fmt.Errorf("%w: MaxPool node %q rounds up", errUnsupported, n.name)
	}
	return l, geometry(n, &l)
}

func elementwise(consts map[string]*tensor, n node) (gemm.Epilogue, error) {
	switch n.opType {
	case "LeakyRelu":
		alpha, err := leakyAlpha(n)
		if err != nil {
			return nil, err
		}
		return func(seg []float32) {
			for i, v := range seg {
				if v < 0 {
					seg[i] = v * alpha
				}
			}
		}, nil
	case "Max":
		if len(n.inputs) != 2 {
			return nil, fmt.Errorf("%w: Max node %q has %d inputs, want 2", errUnsupported, n.name, len(n.inputs))
		}
		floor, ok := consts[n.inputs[1]].scalar()
		if !ok {
			return nil, fmt.Errorf("%w: Max node %q is not with one float constant", errUnsupported, n.name)
		}
		return func(seg []float32) {
			for i, v := range seg {
				if v < floor {
					seg[i] = floor
				}
			}
		}, nil
	}
	return nil, fmt.Errorf("%w: operator %s (node %q)", errUnsupported, n.opType, n.name)
}

// fmap is an activation: c planes of h rows of w floats, each row rs >= w
// floats from the one before (the floats past w are junk: see internal/gemm).
type fmap struct {
	data        []float32
	c, h, w, rs int
}

func (f fmap) at(ci, y, x int) float32 { return f.data[(ci*f.h+y)*f.rs+x] }

// Workspace buffers: two for activations in turn, then the network's input
// and a padded copy for the conv that needs it.
const (
	inBuf  = 2
	padBuf = 3
)

// run passes the 1 × h × bins input at the start of in through the layers;
// in has at least gemm.NR floats more. The output lives in ws.
func (nw *network) run(kern gemm.Kernel, in []float32, h int, ws *gemm.Workspace) fmap {
	cur := fmap{data: in, c: 1, h: h, w: nw.bins, rs: nw.bins}
	which := -1 // the activation buffer holding cur; -1: the caller's
	for i := range nw.layers {
		l := &nw.layers[i]
		dstIdx := 0
		if which == 0 {
			dstIdx = 1
		}
		switch l.kind {
		case layerConv:
			src := cur
			if l.pt+l.pb+l.pl+l.pr > 0 {
				src = pad(ws.Buf(padBuf, cur.c*(cur.h+l.pt+l.pb)*(cur.w+l.pl+l.pr)+gemm.NR), cur, l)
			}
			h2, w2 := slide(src.h, l.kh, l.sh), slide(src.w, l.kw, l.sw)
			if l.sh == 1 && l.sw == 1 {
				// Direct: the output rows as long as the input's.
				k := l.cin * l.kh * l.kw
				if cap(ws.Offs) < k {
					ws.Offs = make([]int32, k)
				}
				offs := ws.Offs[:k]
				kk := 0
				for ci := 0; ci < l.cin; ci++ {
					for di := 0; di < l.kh; di++ {
						for dj := 0; dj < l.kw; dj++ {
							offs[kk] = int32((ci*src.h+di)*src.rs + dj)
							kk++
						}
					}
				}
				out := fmap{data: ws.Buf(dstIdx, l.cout*h2*src.rs+gemm.NR), c: l.cout, h: h2, w: w2, rs: src.rs}
				n := (h2-1)*src.rs + w2
				gemm.Mul(kern, l.a, n, gemm.OperandB{Src: src.data, Offs: offs}, out.data, h2*out.rs, l.act, l.post, ws)
				cur = out
			} else {
				out := fmap{data: ws.Buf(dstIdx, l.cout*h2*w2+gemm.NR), c: l.cout, h: h2, w: w2, rs: w2}
				pack := func(b []float32, p0, p1 int) { packConv(b, src, l, w2, p0, p1) }
				gemm.Mul(kern, l.a, h2*w2, gemm.OperandB{Pack: pack}, out.data, h2*w2, l.act, l.post, ws)
				cur = out
			}
			which = dstIdx
		case layerPool:
			_, h2, w2 := l.outShape(cur.c, cur.h, cur.w)
			out := fmap{data: ws.Buf(dstIdx, cur.c*h2*w2+gemm.NR), c: cur.c, h: h2, w: w2, rs: w2}
			maxPool(out, cur, l)
			cur, which = out, dstIdx
		case layerElementwise:
			if which < 0 {
				n := cur.c * cur.h * cur.rs
				dst := ws.Buf(dstIdx, n+gemm.NR)
				copy(dst, cur.data[:n])
				cur.data, which = dst, dstIdx
			}
			l.ew(cur.data[:cur.c*cur.h*cur.rs])
		}
	}
	return cur
}

// embed returns the embeddings (nw.dim floats each) of every window of
// in, t frames of nw.bins floats followed by gemm.NR floats of slack, windows
// windowHop frames apart.
func (nw *network) embed(kern gemm.Kernel, in []float32, t int, ws *gemm.Workspace) []float32 {
	if t < nw.frames {
		return nil
	}
	n := (t-nw.frames)/windowHop + 1
	out := make([]float32, n*nw.dim)
	if nw.slides {
		y := nw.run(kern, in, nw.frames+(n-1)*windowHop, ws)
		step := windowHop / nw.timeStride
		if (n-1)*step < y.h {
			for i := 0; i < n; i++ {
				for j := 0; j < nw.dim; j++ {
					out[i*nw.dim+j] = y.at(j, i*step, 0)
				}
			}
			return out
		}
		// Not reached for a graph compileNetwork accepts; windows one by
		// one are always right.
	}
	for i := 0; i < n; i++ {
		y := nw.run(kern, in[i*windowHop*nw.bins:], nw.frames, ws)
		for j := 0; j < nw.dim; j++ {
			out[i*nw.dim+j] = y.at(j, 0, 0)
		}
	}
	return out
}

// pad copies src into dst with l's zero padding around it.
func pad(dst []float32, src fmap, l *layer) fmap {
	out := fmap{data: dst, c: src.c, h: src.h + l.pt + l.pb, w: src.w + l.pl + l.pr}
	out.rs = out.w
	clear(dst)
	for ci := 0; ci < src.c; ci++ {
		for y := 0; y < src.h; y++ {
			o := (ci*out.h+y+l.pt)*out.rs + l.pl
			s := (ci*src.h + y) * src.rs
			copy(dst[o:o+src.w], src.data[s:s+src.w])
		}
	}
	return out
}

// packConv packs the im2col columns [p0, p1) of a conv over src (already
// padded) into gemm.NR-column panels: row kk = (ci·kh + di)·kw + dj of column
// p = y·w2 + x is src[ci][y·sh+di][x·sw+dj]. Columns past p1 repeat
// column p0.
func packConv(dst []float32, src fmap, l *layer, w2, p0, p1 int) {
	k := l.cin * l.kh * l.kw
	panels := (p1 - p0 + gemm.NR - 1) / gemm.NR
	var off [gemm.NR]int
	y, x := p0/w2, p0%w2
	for q := 0; q < panels; q++ {
		cols := min(gemm.NR, p1-p0-q*gemm.NR)
		run := true // the NR columns are NR neighbours in one source row
		for j := 0; j < cols; j++ {
			off[j] = y*l.sh*src.rs + x*l.sw
			run = run && off[j] == off[0]+j
			if x++; x == w2 {
				x = 0
				y++
			}
		}
		for j := cols; j < gemm.NR; j++ {
			off[j] = off[0]
			run = false
		}
		panel := dst[q*k*gemm.NR : (q+1)*k*gemm.NR]
		kk := 0
		for ci := 0; ci < l.cin; ci++ {
			for di := 0; di < l.kh; di++ {
				for dj := 0; dj < l.kw; dj++ {
					base := (ci*src.h+di)*src.rs + dj
					d := (*[gemm.NR]float32)(panel[kk*gemm.NR : kk*gemm.NR+gemm.NR])
					if run {
						*d = *(*[gemm.NR]float32)(src.data[base+off[0] : base+off[0]+gemm.NR])
					} else {
						for j, o := range off {
							d[j] = src.data[base+o]
						}
					}
					kk++
				}
			}
		}
	}
}

// maxPool writes the max pooling of src to dst; padding never wins.
func maxPool(dst, src fmap, l *layer) {
	if l.pt+l.pb+l.pl+l.pr == 0 {
		for ci := 0; ci < src.c; ci++ {
			for y := 0; y < dst.h; y++ {
				out := dst.data[(ci*dst.h+y)*dst.rs:][:dst.w]
				for di := 0; di < l.kh; di++ {
					row := src.data[(ci*src.h+y*l.sh+di)*src.rs:][:src.w]
					if l.kw == 2 && l.sw == 2 {
						pairs := row[:2*len(out)]
						for x := range out {
							m := max(pairs[2*x], pairs[2*x+1])
							if di == 0 || m > out[x] {
								out[x] = m
							}
						}
						continue
					}
					for x := range out {
						in := row[x*l.sw:][:l.kw]
						m := in[0]
						for _, v := range in[1:] {
							m = max(m, v)
						}
						if di == 0 || m > out[x] {
							out[x] = m
						}
					}
				}
			}
		}
		return
	}
	for ci := 0; ci < src.c; ci++ {
		for y := 0; y < dst.h; y++ {
			for x := 0; x < dst.w; x++ {
				m := float32(math.Inf(-1))
				for di := 0; di < l.kh; di++ {
					iy := y*l.sh + di - l.pt
					if iy < 0 || iy >= src.h {
						continue
					}
					for dj := 0; dj < l.kw; dj++ {
						if ix := x*l.sw + dj - l.pl; ix >= 0 && ix < src.w {
							m = max(m, src.at(ci, iy, ix))
						}
					}
				}
				dst.data[(ci*dst.h+y)*dst.rs+x] = m
			}
		}
	}
}
