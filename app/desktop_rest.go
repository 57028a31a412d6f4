//go:build desktop

package app

import (
	"runtime/debug"
	"time"
)

// restAfter is when the window's startup work (opening the workspace, the
// demo's seeding and first sync, the page's first calls) is over and the
// app settles into waiting: the garbage it made is collected then and the
// pages handed back to the OS, or the process keeps its startup
// high-water mark all day.
const restAfter = 10 * time.Second

// settleSoon returns the startup garbage's pages to the OS restAfter from now.
func (d *desktop) settleSoon() {
	time.AfterFunc(restAfter, func() {
		d.mu.Lock()
		closing := d.closing
		d.mu.Unlock()
		if !closing {
			debug.FreeOSMemory()
		}
	})
}
