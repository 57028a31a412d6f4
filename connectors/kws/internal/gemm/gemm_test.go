package gemm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// denseB packs the row-major k×n matrix b.
func denseB(b []float32, k, n int) PackFunc {
	return func(dst []float32, p0, p1 int) {
		for pl := 0; pl < len(dst)/(k*NR)*NR; pl++ {
			q, j := pl/NR, pl%NR
			for kk := 0; kk < k; kk++ {
				v := float32(0)
				if p0+pl < p1 {
					v = b[kk*n+p0+pl]
				}
				dst[(q*k+kk)*NR+j] = v
			}
		}
	}
}

func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64())
	}
	return s
}

func TestGemm(t *testing.T) {
	kernels := map[string]Kernel{"Go": KernelGo, "Default": DefaultKernel()}
	for _, tc := range []struct{ m, k, n int }{
		{1, 1, 1}, {6, 3, 16}, {7, 5, 17}, {24, 9, 6208}, {96, 288, 40}, {514, 512, 197}, {32, 257, 13}, {13, 2, 100},
	} {
		r := rand.New(rand.NewPCG(uint64(tc.m), uint64(tc.n)))
		w, b, bias := randSlice(r, tc.m*tc.k), randSlice(r, tc.k*tc.n+NR), randSlice(r, tc.m)
		offs := make([]int32, tc.k)
		for kk := range offs {
			offs[kk] = int32(kk * tc.n)
		}
		want := make([]float64, tc.m*tc.n)
		for i := 0; i < tc.m; i++ {
			for j := 0; j < tc.n; j++ {
				s := float64(bias[i])
				for kk := 0; kk < tc.k; kk++ {
					s += float64(w[i*tc.k+kk]) * float64(b[kk*tc.n+j])
				}
				want[i*tc.n+j] = s
			}
		}
		a := PackA(w, tc.m, tc.k, bias)
		for name, kern := range kernels {
			for _, bm := range []struct {
				name string
				b    OperandB
			}{{"packed", OperandB{Pack: denseB(b, tc.k, tc.n)}}, {"direct", OperandB{Src: b, Offs: offs}}} {
				c := make([]float32, tc.m*tc.n)
				Mul(kern, a, tc.n, bm.b, c, tc.n, Identity, nil, &Workspace{})
				worst := 0.0
				for i := range c {
					worst = max(worst, math.Abs(float64(c[i])-want[i]))
				}
				if tol := 1e-5 * float64(tc.k+1) * 4; worst > tol {
					t.Errorf("gemm(%s kernel, %s B, %dx%dx%d): max error %g, want <= %g", name, bm.name, tc.m, tc.k, tc.n, worst, tol)
				}
			}
		}
	}
}

func benchKernel(b *testing.B, kern Kernel) {
	const k = 288
	r := rand.New(rand.NewPCG(1, 2))
	a, bb, c, bias := randSlice(r, k*MR), randSlice(r, k*NR), make([]float32, MR*NR), make([]float32, MR)
	offs := (&Workspace{}).packedOffs(k)
	for b.Loop() {
		kern(a, bb, offs, k*NR, c, NR, bias, Identity.Alpha, Identity.Floor)
	}
	b.ReportMetric(float64(k*MR*NR)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GMAC/s")
}

func BenchmarkKernel_Go(b *testing.B)      { benchKernel(b, KernelGo) }
func BenchmarkKernel_Default(b *testing.B) { benchKernel(b, DefaultKernel()) }
