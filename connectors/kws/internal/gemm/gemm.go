// Package gemm is the keyword classifier's matrix multiply: the packed
// products the embedding model's convolutions, the mel spectrogram and
// the head's training run on (connectors/kws and connectors/kws/kwstrain).
package gemm

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
	MR = 6  // rows of A per panel and per kernel call
	NR = 16 // columns of B per kernel call

	// bBlockFloats bounds the B panels packed at a time, so that they stay
	// in the L2 cache while every A panel passes over them.
	bBlockFloats = 96 << 10 / 4
)

// kernelFunc computes one mr×nr tile:
//
//	c[i*ldc+j] = act(bias[i] + Σ_kk a[kk*mr+i]·b[offs[kk]+j]),  act(x) = max(max(x, alpha·x), floor)
//
// for i < mr, j < nr, kk < k = len(offs); every offs[kk]+nr <= span <= len(b).
type Kernel func(a, b []float32, offs []int32, span int, c []float32, ldc int, bias []float32, alpha, floor float32)

// activation is the elementwise function a kernel applies to its tile:
// max(max(x, alpha·x), floor). With 0 <= alpha <= 1 that is LeakyRelu
// followed by Max with a constant, which is what the embedding model does
// after every convolution; identity is the identity.
type Activation struct{ Alpha, Floor float32 }

var Identity = Activation{Alpha: 1, Floor: float32(math.Inf(-1))}

// packedA is a weight matrix packed into mr-row panels, with its bias.
type PackedA struct {
	M, K   int
	Panels []float32 // ceil(M/MR) * K * MR
	Bias   []float32 // ceil(M/MR) * MR
}

// packA packs the row-major m×k matrix w (and bias, nil for none).
func PackA(w []float32, m, k int, bias []float32) *PackedA {
	np := (m + MR - 1) / MR
	a := &PackedA{M: m, K: k, Panels: make([]float32, np*k*MR), Bias: make([]float32, np*MR)}
	for i := 0; i < m; i++ {
		p, r := i/MR, i%MR
		row := w[i*k : (i+1)*k]
		dst := a.Panels[p*k*MR:]
		for kk, v := range row {
			dst[kk*MR+r] = v
		}
	}
	copy(a.Bias, bias)
	return a
}

// packFunc packs columns [p0, p1) of B into nr-column panels in dst
// (ceil((p1-p0)/nr) panels of k*nr floats). What it puts in the columns
// past p1 of the last panel does not matter: their results are dropped.
type PackFunc func(dst []float32, p0, p1 int)

// operandB is the B of a product: packed by pack, or direct (pack nil),
// row kk being src[offs[kk]:]. src must hold span floats past the start
// of the last tile (Mul computes span, the largest offs[kk] + nr).
type OperandB struct {
	Pack PackFunc
	Src  []float32
	Offs []int32
}

// epilogueFunc is applied to the finished part of each row of C: row i,
// columns [p0, p1).
type Epilogue func(seg []float32)

// workspace holds the scratch of one call: activations, packed columns of
// B, a tile. A sync.Pool of them keeps concurrent calls apart.
type Workspace struct {
	bufs  [4][]float32
	pack  []float32
	tile  [MR * NR]float32
	Offs  []int32 // a direct B's, for one product at a time
	poffs []int32 // packedOffs
}

// buf returns scratch slice i with at least n elements.
func (ws *Workspace) Buf(i, n int) []float32 {
	if cap(ws.bufs[i]) < n {
		ws.bufs[i] = make([]float32, n)
	}
	return ws.bufs[i][:n]
}

// packedOffs returns offs for packed B panels of k rows: kk*nr.
func (ws *Workspace) packedOffs(k int) []int32 {
	if len(ws.poffs) < k {
		ws.poffs = make([]int32, k)
		for kk := range ws.poffs {
			ws.poffs[kk] = int32(kk * NR)
		}
	}
	return ws.poffs[:k]
}

// Mul computes C = act(A·B + bias) for n columns of B, C row-major with
// row stride ldc, then applies post (if not nil) to each finished row
// segment. It runs on the calling goroutine: one product is a millisecond
// or less, and the voice pipeline has other work for the other core.
func Mul(kern Kernel, a *PackedA, n int, b OperandB, c []float32, ldc int, act Activation, post []Epilogue, ws *Workspace) {
	if n <= 0 || a.M == 0 {
		return
	}
	k := a.K
	span := 0
	if b.Pack == nil {
		if len(b.Offs) != k {
			panic("kws: direct B has the wrong depth")
		}
		for _, o := range b.Offs {
			if o < 0 {
				panic("kws: negative offset of a row of B")
			}
			span = max(span, int(o)+NR)
		}
	} else {
		b.Offs, span = ws.packedOffs(k), k*NR
	}
	block := max(1, bBlockFloats/(k*NR)) * NR // columns
	if need := block * k; b.Pack != nil && cap(ws.pack) < need {
		ws.pack = make([]float32, need)
	}
	for p0 := 0; p0 < n; p0 += block {
		p1 := min(n, p0+block)
		gemmBlock(kern, a, b, span, p0, p1, c, ldc, act, ws)
		for i := 0; post != nil && i < a.M; i++ {
			seg := c[i*ldc+p0 : i*ldc+p1]
			for _, f := range post {
				f(seg)
			}
		}
	}
}

// gemmBlock computes columns [p0, p1) of C, packing them first if B is
// packed.
func gemmBlock(kern Kernel, a *PackedA, b OperandB, span, p0, p1 int, c []float32, ldc int, act Activation, ws *Workspace) {
	k := a.K
	np := (p1 - p0 + NR - 1) / NR
	offs := b.Offs
	if b.Pack != nil {
		b.Pack(ws.pack[:np*k*NR], p0, p1)
	}
	aPanels := (a.M + MR - 1) / MR
	for p := 0; p < aPanels; p++ {
		ap := a.Panels[p*k*MR : (p+1)*k*MR]
		bias := a.Bias[p*MR : (p+1)*MR]
		i0 := p * MR
		rows := min(MR, a.M-i0)
		for q := 0; q < np; q++ {
			j0 := p0 + q*NR
			var bq []float32
			if b.Pack != nil {
				bq = ws.pack[q*k*NR : (q+1)*k*NR]
			} else {
				bq = b.Src[j0:]
			}
			cols := min(NR, p1-j0)
			if rows == MR && cols == NR {
				kern(ap, bq, offs, span, c[i0*ldc+j0:], ldc, bias, act.Alpha, act.Floor)
				continue
			}
			kern(ap, bq, offs, span, ws.tile[:], NR, bias, act.Alpha, act.Floor)
			for i := 0; i < rows; i++ {
				copy(c[(i0+i)*ldc+j0:(i0+i)*ldc+j0+cols], ws.tile[i*NR:i*NR+cols])
			}
		}
	}
}

// kernelGo is the portable kernel: the tile as twelve 2×4 blocks, each
// accumulated in registers over k.
func KernelGo(a, b []float32, offs []int32, span int, c []float32, ldc int, bias []float32, alpha, floor float32) {
	k := len(offs)
	a = a[:k*MR]
	b = b[:span]
	_ = bias[MR-1]
	_ = c[(MR-1)*ldc+NR-1]
	for i := 0; i < MR; i += 2 {
		for j := 0; j < NR; j += 4 {
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
				ao += MR
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
