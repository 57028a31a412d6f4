package backend

import (
	"runtime/debug"
	"time"
)

// DuplicateIndexIdle is how long the duplicate index is kept after its
// last use. Syncs and imports close together reuse it (a check after each
// costs a lookup per changed contact); an App at rest does not hold it —
// 112 MB at 100,000 contacts (docs/benchmarks.md) — and the first check
// after a quiet spell reads the contacts into a new one (about a second
// at 100,000).
const DuplicateIndexIdle = 5 * time.Minute

// indexLife drops the index once it has been idle; guarded by
// ContactService.mu.
type indexLife struct {
	idle  time.Duration // 0: DuplicateIndexIdle
	gen   uint64        // bumped on each use: a timer of an older use does nothing
	timer *time.Timer
	drops int
}

// usedIndex (re)arms the drop for the idle time from now. Called with s.mu
// held, after each use of s.idx.
func (s *ContactService) usedIndex() {
	l := &s.life
	l.gen++
	gen := l.gen
	if l.timer != nil {
		l.timer.Stop()
	}
	idle := l.idle
	if idle <= 0 {
		idle = DuplicateIndexIdle
	}
	l.timer = time.AfterFunc(idle, func() { s.dropIndex(gen) })
}

// dropIndex releases the index unless it was used since gen, and hands the
// pages back to the OS: a heap that shrank by 100 MB at rest would
// otherwise be returned only slowly.
func (s *ContactService) dropIndex(gen uint64) {
	s.mu.Lock()
	if s.life.gen != gen || s.idx == nil {
		s.mu.Unlock()
		return
	}
	s.idx = nil
	s.life.drops++
	s.mu.Unlock()
	debug.FreeOSMemory()
}
