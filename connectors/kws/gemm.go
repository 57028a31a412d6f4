package kws

import "math"

// A small single-precision matrix multiply, C = act(A·B + bias), in the
// manner of the Goto/BLIS kernels: A (the weights, fixed at load) is packed
// once into panels of mr rows, and a register-blocked mr×nr kernel walks
// one A panel against nr columns of B. The kernel is AVX2/FMA assembly
// where the CPU has it (gemm_amd64.s) and plain Go elsewhere.
//
//	A panel p:  a[p*k*mr + kk*mr + i] = A[p*mr+i][kk]   (rows past m are 0)
//
// The kernel finds row kk of B at b[offs[kk]:], nr floats from the tile's
// first column, so B can be either of two things:
//
//   - packed: nr-column panels, b[q*k*nr + kk*nr + j] = B[kk][q*nr+j] and
//     offs[kk] = kk*nr; a packFunc fills them per block of columns (the
//     mel spectrogram's frames, strided convolutions);
//   - direct: B is read in place from an activation, offs[kk] being where
//     row kk starts in it. A stride-1 convolution over a zero-padded input
//     of row length wp is this with offs[(ci·kh+di)·kw+dj] = (ci·hp+di)·wp
//     + dj, when its output is laid out with the same row length wp (the
//     last kw−1 floats of each output row are then junk): the im2col
//     matrix is never built.

const (
	mr = 6  // rows of A per panel and per kernel call
	nr = 16 // columns of B per kernel call

	// bBlockFloats bounds the B panels packed at a time, so that they stay
	// in the L2 cache while every A panel passes over them.
	bBlockFloats = 96 << 10 / 4
)

// kernelFunc computes one mr×nr tile:
//
//	c[i*ldc+j] = act(bias[i] + Σ_kk a[kk*mr+i]·b[offs[kk]+j]),  act(x) = max(max(x, alpha·x), floor)
//
// for i < mr, j < nr, kk < k = len(offs); every offs[kk]+nr <= span <= len(b).
type kernelFunc func(a, b []float32, offs []int32, span int, c []float32, ldc int, bias []float32, alpha, floor float32)

// activation is the elementwise function a kernel applies to its tile:
// max(max(x, alpha·x), floor). With 0 <= alpha <= 1 that is LeakyRelu
// followed by Max with a constant, which is what the embedding model does
// after every convolution; identity is the identity.
type activation struct{ alpha, floor float32 }

var identity = activation{alpha: 1, floor: float32(math.Inf(-1))}

// packedA is a weight matrix packed into mr-row panels, with its bias.
type packedA struct {
	m, k   int
	panels []float32 // ceil(m/mr) * k * mr
	bias   []float32 // ceil(m/mr) * mr
}

// packA packs the row-major m×k matrix w (and bias, nil for none).
func packA(w []float32, m, k int, bias []float32) *packedA {
	np := (m + mr - 1) / mr
	a := &packedA{m: m, k: k, panels: make([]float32, np*k*mr), bias: make([]float32, np*mr)}
	for i := 0; i < m; i++ {
		p, r := i/mr, i%mr
		row := w[i*k : (i+1)*k]
		dst := a.panels[p*k*mr:]
		for kk, v := range row {
			dst[kk*mr+r] = v
		}
	}
	copy(a.bias, bias)
	return a
}

// packFunc packs columns [p0, p1) of B into nr-column panels in dst
// (ceil((p1-p0)/nr) panels of k*nr floats). What it puts in the columns
// past p1 of the last panel does not matter: their results are dropped.
type packFunc func(dst []float32, p0, p1 int)

// operandB is the B of a product: packed by pack, or direct (pack nil),
// row kk being src[offs[kk]:]. src must hold span floats past the start
// of the last tile (gemm computes span, the largest offs[kk] + nr).
type operandB struct {
	pack packFunc
	src  []float32
	offs []int32
}

// epilogueFunc is applied to the finished part of each row of C: row i,
// columns [p0, p1).
type epilogueFunc func(seg []float32)

// workspace holds the scratch of one call: activations, packed columns of
// B, a tile. A sync.Pool of them keeps concurrent calls apart.
type workspace struct {
	bufs  [4][]float32
	pack  []float32
	tile  [mr * nr]float32
	offs  []int32 // a direct B's, for one product at a time
	poffs []int32 // packedOffs
}

// buf returns scratch slice i with at least n elements.
func (ws *workspace) buf(i, n int) []float32 {
	if cap(ws.bufs[i]) < n {
		ws.bufs[i] = make([]float32, n)
	}
	return ws.bufs[i][:n]
}

// packedOffs returns offs for packed B panels of k rows: kk*nr.
func (ws *workspace) packedOffs(k int) []int32 {
	if len(ws.poffs) < k {
		ws.poffs = make([]int32, k)
		for kk := range ws.poffs {
			ws.poffs[kk] = int32(kk * nr)
		}
	}
	return ws.poffs[:k]
}

// gemm computes C = act(A·B + bias) for n columns of B, C row-major with
// row stride ldc, then applies post (if not nil) to each finished row
// segment. It runs on the calling goroutine: one product is a millisecond
// or less, and the voice pipeline has other work for the other core.
func gemm(kern kernelFunc, a *packedA, n int, b operandB, c []float32, ldc int, act activation, post []epilogueFunc, ws *workspace) {
	if n <= 0 || a.m == 0 {
		return
	}
	k := a.k
	span := 0
	if b.pack == nil {
		if len(b.offs) != k {
			panic("kws: direct B has the wrong depth")
		}
		for _, o := range b.offs {
			if o < 0 {
				panic("kws: negative offset of a row of B")
			}
			span = max(span, int(o)+nr)
		}
	} else {
		b.offs, span = ws.packedOffs(k), k*nr
	}
	block := max(1, bBlockFloats/(k*nr)) * nr // columns
	if need := block * k; b.pack != nil && cap(ws.pack) < need {
		ws.pack = make([]float32, need)
	}
	for p0 := 0; p0 < n; p0 += block {
		p1 := min(n, p0+block)
		gemmBlock(kern, a, b, span, p0, p1, c, ldc, act, ws)
		for i := 0; post != nil && i < a.m; i++ {
			seg := c[i*ldc+p0 : i*ldc+p1]
			for _, f := range post {
				f(seg)
			}
		}
	}
}

// gemmBlock computes columns [p0, p1) of C, packing them first if B is
// packed.
func gemmBlock(kern kernelFunc, a *packedA, b operandB, span, p0, p1 int, c []float32, ldc int, act activation, ws *workspace) {
	k := a.k
	np := (p1 - p0 + nr - 1) / nr
	offs := b.offs
	if b.pack != nil {
		b.pack(ws.pack[:np*k*nr], p0, p1)
	}
	aPanels := (a.m + mr - 1) / mr
	for p := 0; p < aPanels; p++ {
		ap := a.panels[p*k*mr : (p+1)*k*mr]
		bias := a.bias[p*mr : (p+1)*mr]
		i0 := p * mr
		rows := min(mr, a.m-i0)
		for q := 0; q < np; q++ {
			j0 := p0 + q*nr
			var bq []float32
			if b.pack != nil {
				bq = ws.pack[q*k*nr : (q+1)*k*nr]
			} else {
				bq = b.src[j0:]
			}
			cols := min(nr, p1-j0)
			if rows == mr && cols == nr {
				kern(ap, bq, offs, span, c[i0*ldc+j0:], ldc, bias, act.alpha, act.floor)
				continue
			}
			kern(ap, bq, offs, span, ws.tile[:], nr, bias, act.alpha, act.floor)
			for i := 0; i < rows; i++ {
				copy(c[(i0+i)*ldc+j0:(i0+i)*ldc+j0+cols], ws.tile[i*nr:i*nr+cols])
			}
		}
	}
}

// kernelGo is the portable kernel: the tile as twelve 2×4 blocks, each
// accumulated in registers over k.
func kernelGo(a, b []float32, offs []int32, span int, c []float32, ldc int, bias []float32, alpha, floor float32) {
	k := len(offs)
	a = a[:k*mr]
	b = b[:span]
	_ = bias[mr-1]
	_ = c[(mr-1)*ldc+nr-1]
	for i := 0; i < mr; i += 2 {
		for j := 0; j < nr; j += 4 {
			bi0, bi1 := bias[i], bias[i+1]
			c00, c01, c02, c03 := bi0, bi0, bi0, bi0
			c10, c11, c12, c13 := bi1, bi1, bi1, bi1
			ao := i
			for _, o := range offs {
				av := a[ao : ao+2 : ao+2]
				bo := int(o) + j
				bv := b[bo : bo+4 : bo+4]
				a0, a1 := av[0], av[1]
				b0, b1, b2, b3 := bv[0], bv[1], bv[2], bv[3]
				c00 += a0 * b0
				c01 += a0 * b1
				c02 += a0 * b2
				c03 += a0 * b3
				c10 += a1 * b0
				c11 += a1 * b1
				c12 += a1 * b2
				c13 += a1 * b3
				ao += mr
			}
			r0 := c[i*ldc+j : i*ldc+j+4 : i*ldc+j+4]
			r0[0], r0[1], r0[2], r0[3] = act(c00, alpha, floor), act(c01, alpha, floor), act(c02, alpha, floor), act(c03, alpha, floor)
			r1 := c[(i+1)*ldc+j : (i+1)*ldc+j+4 : (i+1)*ldc+j+4]
			r1[0], r1[1], r1[2], r1[3] = act(c10, alpha, floor), act(c11, alpha, floor), act(c12, alpha, floor), act(c13, alpha, floor)
		}
	}
}

func act(x, alpha, floor float32) float32 {
	if y := alpha * x; y > x {
		x = y
	}
	if floor > x {
		x = floor
	}
	return x
}
