//go:build !amd64 || purego

package kws

// defaultKernel is the portable kernel: this build has no assembly one.
func defaultKernel() kernelFunc { return kernelGo }
