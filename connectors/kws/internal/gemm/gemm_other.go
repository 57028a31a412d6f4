//go:build !amd64 || purego

package gemm

// defaultKernel is the portable kernel: this build has no assembly one.
func DefaultKernel() Kernel { return KernelGo }
