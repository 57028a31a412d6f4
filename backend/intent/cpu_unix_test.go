//go:build unix

package intent_test

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time this process has used (user and system): the
// benchmark reports it beside wall time, which other work on the machine
// inflates.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
