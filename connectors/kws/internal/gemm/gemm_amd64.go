//go:build amd64 && !purego

package gemm

//go:noescape
func kernel6x16AVX2(k int, a, b *float32, offs *int32, c *float32, ldc int, bias *float32, alpha, floor float32)

func cpuid(leaf, sub uint32) (eax, ebx, ecx, edx uint32)

func xgetbv0() (eax, edx uint32)

// kernelAVX2 is the assembly kernel behind the kernelFunc signature. The
// checks here, once per tile, keep every access in bounds: offs are never
// negative (Mul builds them so), and span covers the largest.
func kernelAVX2(a, b []float32, offs []int32, span int, c []float32, ldc int, bias []float32, alpha, floor float32) {
	k := len(offs)
	if k == 0 || span > len(b) || span < NR {
		KernelGo(a, b, offs, span, c, ldc, bias, alpha, floor)
		return
	}
	_ = a[k*MR-1]
	_ = c[(MR-1)*ldc+NR-1]
	_ = bias[MR-1]
	kernel6x16AVX2(k, &a[0], &b[0], &offs[0], &c[0], ldc, &bias[0], alpha, floor)
}

// hasAVX2FMA reports whether the CPU and the OS support AVX2 and FMA: the
// CPUID feature bits, and XCR0 saying the OS saves the YMM registers.
func hasAVX2FMA() bool {
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const (
		fma     = 1 << 12
		osxsave = 1 << 27
		avx     = 1 << 28
	)
	if ecx1&(fma|osxsave|avx) != fma|osxsave|avx {
		return false
	}
	if xcr0, _ := xgetbv0(); xcr0&6 != 6 {
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	const avx2 = 1 << 5
	return ebx7&avx2 != 0
}

// defaultKernel is the fastest kernel this machine runs.
func DefaultKernel() Kernel {
	if hasAVX2FMA() {
		return kernelAVX2
	}
	return KernelGo
}
