package kws

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/caseyos/caseyos/connectors/kws/internal/gemm"
)

// A small graph of the embedding model's operators with what that model
// does not exercise — a strided and a padded-in-time conv, pools with
// padding, a LeakyRelu the kernel cannot apply, Max on the input — run by
// compileNetwork and by naive, a direct reading of the ONNX operators.

type testGraph struct {
	model  []byte
	frames int
	bins   int
}

// testNetwork builds the graph; timePad pads the first conv along time,
// which stops the network from sliding.
func testNetwork(tb testing.TB, timePad bool) testGraph {
	tb.Helper()
	r := rand.New(rand.NewPCG(7, 8))
	frames, bins := 12, 8
	var pads []int64
	if timePad {
		pads = []int64{1, 1, 1, 1}
	} else {
		pads = []int64{0, 1, 0, 1}
		frames = 11
	}
	inits := [][]byte{
		pbInt64Tensor("in_shape", []int64{4}, []int64{-1, 1, int64(frames), int64(bins)}),
		pbFloatTensor("m0", []int64{1, 1, 1, 1}, []float32{-0.5}, true),
		pbFloatTensor("m1", nil, []float32{-0.3}, false),
		pbFloatTensor("m2", []int64{1}, []float32{0.05}, true),
		pbInt64Tensor("out_shape", []int64{2}, []int64{-1, 7}),
	}
	weights := func(name string, dims ...int64) {
		n := int64(1)
		for _, d := range dims {
			n *= d
		}
		inits = append(inits, pbFloatTensor(name, dims, randSlice(r, int(n)), true))
	}
	weights("wa", 4, 1, 3, 3)
	weights("ba", 4)
	weights("wb", 5, 4, 1, 3)
	weights("bb", 5)
	weights("wc", 3, 5, 2, 1)
	if timePad {
		weights("wd", 7, 3, 2, 2)
	} else {
		weights("wd", 7, 3, 1, 2)
	}
	nodes := [][]byte{
		pbNode("Reshape", []string{"x", "in_shape"}, []string{"r"}),
		pbNode("Max", []string{"r", "m0"}, []string{"e0"}),
		pbNode("Conv", []string{"e0", "wa", "ba"}, []string{"a"}, pbAttrInts("kernel_shape", 3, 3), pbAttrInts("strides", 2, 1), pbAttrInts("pads", pads...)),
		pbNode("LeakyRelu", []string{"a"}, []string{"a1"}, pbAttrFloat("alpha", 0.1)),
		pbNode("Max", []string{"a1", "m1"}, []string{"a2"}),
		pbNode("MaxPool", []string{"a2"}, []string{"p1"}, pbAttrInts("kernel_shape", 2, 2), pbAttrInts("strides", 2, 2)),
		pbNode("Conv", []string{"p1", "wb", "bb"}, []string{"b"}, pbAttrInts("pads", 0, 1, 0, 1)),
		pbNode("LeakyRelu", []string{"b"}, []string{"b1"}, pbAttrFloat("alpha", 1.5)),
		pbNode("Max", []string{"b1", "m2"}, []string{"b2"}),
		pbNode("MaxPool", []string{"b2"}, []string{"p2"}, pbAttrInts("kernel_shape", 1, 2), pbAttrInts("strides", 1, 2), pbAttrInts("pads", 0, 0, 0, 1)),
		pbNode("Conv", []string{"p2", "wc"}, []string{"c"}),
		pbNode("Conv", []string{"c", "wd"}, []string{"d"}),
		pbNode("Reshape", []string{"d", "out_shape"}, []string{"y"}),
	}
	return testGraph{model: pbModel(nodes, inits, "x", "y"), frames: frames, bins: bins}
}

// naive runs graph g on one frames×bins window, operator by operator, in
// float64.
func naive(tb testing.TB, g *graph, window []float32, frames, bins int) []float64 {
	tb.Helper()
	type fm struct {
		c, h, w int
		v       []float64
	}
	at := func(f fm, c, y, x int) float64 { return f.v[(c*f.h+y)*f.w+x] }
	consts := g.inits
	cur := fm{1, frames, bins, make([]float64, len(window))}
	for i, v := range window {
		cur.v[i] = float64(v)
	}
	for _, n := range g.nodes {
		a := func(name string, def ...int64) []int64 {
			if at, ok := n.attrs[name]; ok {
				return at.ints
			}
			return def
		}
		switch n.opType {
		case "Reshape":
		case "Max":
			m := float64(consts[n.inputs[1]].floats[0])
			for i := range cur.v {
				cur.v[i] = math.Max(cur.v[i], m)
			}
		case "LeakyRelu":
			alpha := float64(n.attrs["alpha"].f)
			for i, v := range cur.v {
				if v < 0 {
					cur.v[i] = alpha * v
				}
			}
		case "Conv", "MaxPool":
			var wt *tensor
			kh, kw, out := 0, 0, cur.c
			if n.opType == "Conv" {
				wt = consts[n.inputs[1]]
				out, kh, kw = wt.dims[0], wt.dims[2], wt.dims[3]
			} else {
				k := a("kernel_shape")
				kh, kw = int(k[0]), int(k[1])
			}
			s, p := a("strides", 1, 1), a("pads", 0, 0, 0, 0)
			h2 := (cur.h+int(p[0]+p[2])-kh)/int(s[0]) + 1
			w2 := (cur.w+int(p[1]+p[3])-kw)/int(s[1]) + 1
			next := fm{out, h2, w2, make([]float64, out*h2*w2)}
			for o := 0; o < out; o++ {
				for y := 0; y < h2; y++ {
					for x := 0; x < w2; x++ {
						acc := math.Inf(-1)
						if wt != nil {
							acc = 0
							if len(n.inputs) > 2 {
								acc = float64(consts[n.inputs[2]].floats[o])
							}
						}
						for ci := 0; ci < cur.c; ci++ {
							if wt == nil && ci != o {
								continue
							}
							for di := 0; di < kh; di++ {
								for dj := 0; dj < kw; dj++ {
									iy, ix := y*int(s[0])+di-int(p[0]), x*int(s[1])+dj-int(p[1])
									if iy < 0 || iy >= cur.h || ix < 0 || ix >= cur.w {
										continue
									}
									if wt == nil {
										acc = math.Max(acc, at(cur, ci, iy, ix))
									} else {
										acc += float64(wt.floats[((o*cur.c+ci)*kh+di)*kw+dj]) * at(cur, ci, iy, ix)
									}
								}
							}
						}
						next.v[(o*h2+y)*w2+x] = acc
					}
				}
			}
			cur = next
		default:
			tb.Fatalf("naive: no %s", n.opType)
		}
	}
	return cur.v
}

func TestNetwork_Generic(t *testing.T) {
	for _, timePad := range []bool{true, false} {
		t.Run(fmt.Sprintf("timePad=%v", timePad), func(t *testing.T) {
			tg := testNetwork(t, timePad)
			g, err := parseModel(tg.model)
			if err != nil {
				t.Fatal(err)
			}
			nw, err := compileNetwork(g)
			if err != nil {
				t.Fatalf("compileNetwork = %v", err)
			}
			if nw.frames != tg.frames || nw.bins != tg.bins || nw.dim != 7 || nw.timeStride != 4 || nw.slides == timePad {
				t.Fatalf("compileNetwork = frames %d, bins %d, dim %d, stride %d, slides %v", nw.frames, nw.bins, nw.dim, nw.timeStride, nw.slides)
			}
			const windows = 5
			t0 := nw.frames + (windows-1)*windowHop + 3 // 3 frames too few for one more
			in := randSlice(rand.New(rand.NewPCG(1, 1)), (t0)*nw.bins+gemm.NR)
			for name, kern := range map[string]gemm.Kernel{"Default": gemm.DefaultKernel(), "Portable": gemm.KernelGo} {
				got := nw.embed(kern, in, t0, &gemm.Workspace{})
				if len(got) != windows*nw.dim {
					t.Fatalf("%s: embed(%d frames) = %d values, want %d", name, t0, len(got), windows*nw.dim)
				}
				for w := 0; w < windows; w++ {
					want := naive(t, g, in[w*windowHop*nw.bins:(w*windowHop+nw.frames)*nw.bins], nw.frames, nw.bins)
					for j, v := range want {
						if d := math.Abs(float64(got[w*nw.dim+j]) - v); d > 1e-4*(1+math.Abs(v)) {
							t.Fatalf("%s: window %d value %d = %g, want %g", name, w, j, got[w*nw.dim+j], v)
						}
					}
				}
			}
		})
	}
}

func TestCompileNetwork_Unsupported(t *testing.T) {
	shape := pbInt64Tensor("s", []int64{4}, []int64{-1, 1, 4, 4})
	w := pbFloatTensor("w", []int64{2, 1, 2, 2}, make([]float32, 8), true)
	reshape := pbNode("Reshape", []string{"x", "s"}, []string{"r"})
	for name, nodes := range map[string][][]byte{
		"unknown op":     {reshape, pbNode("Gemm", []string{"r", "w"}, []string{"y"})},
		"no reshape":     {pbNode("Conv", []string{"x", "w"}, []string{"y"})},
		"grouped":        {reshape, pbNode("Conv", []string{"r", "w"}, []string{"y"}, pbVarint(pbBytes(nil, attrName, []byte("group")), attrI, 2))},
		"dilated":        {reshape, pbNode("Conv", []string{"r", "w"}, []string{"y"}, pbAttrInts("dilations", 2, 2))},
		"not a chain":    {reshape, pbNode("Conv", []string{"x", "w"}, []string{"y"})},
		"missing weight": {reshape, pbNode("Conv", []string{"r", "nope"}, []string{"y"})},
		"not one vector": {reshape, pbNode("Conv", []string{"r", "w"}, []string{"y"})},
		"pads attr type": {reshape, pbNode("Conv", []string{"r", "w"}, []string{"y"}, pbVarint(pbPackedInts(pbBytes(nil, attrName, []byte("pads")), attrInts, []int64{0, 0, 0, 0}), attrType, attrTypeFloat))},
	} {
		g, err := parseModel(pbModel(nodes, [][]byte{shape, w}, "x", "y"))
		if err != nil {
			t.Fatalf("%s: parseModel = %v", name, err)
		}
		if _, err := compileNetwork(g); !errors.Is(err, errUnsupported) {
			t.Errorf("compileNetwork(%s) = %v, want errUnsupported", name, err)
		}
	}
}

// randSlice returns n normally distributed floats.
func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64())
	}
	return s
}
