//go:build !unix

package app

import "os"

// processAlive says whether a process with pid exists: on Windows,
// FindProcess opens it and fails when it is gone.
func processAlive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	p.Release()
	return true
}
