//go:build desktop

package app

import (
	"fmt"
	"runtime/debug"
	"time"
)

// restAfter is how long the app waits, after starting or after its window
// process has exited, before it settles: its garbage is collected and the
// pages handed back to the OS, or the process keeps its startup high-water
// mark all day. With no window open it also hands back the pages of code
// and libraries that starting up touched once (rest_linux.go).
const restAfter = 10 * time.Second

// restSoon settles the app restAfter from now.
func (d *desktop) restSoon() {
	time.AfterFunc(restAfter, func() {
		select {
		case <-d.quitCh:
			return
		default:
		}
		debug.FreeOSMemory()
		if _, open := d.win.running(); open {
			return
		}
		if _, err := pageOutFileMappings(); err != nil {
			fmt.Fprintf(d.stderr, "caseyos: settling: %v\n", err)
		}
	})
}
