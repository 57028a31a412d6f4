package backend

import "time"

// SetDuplicateIndexIdle shortens how long s keeps its duplicate index.
func SetDuplicateIndexIdle(s *ContactService, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.life.idle = d
}

// DuplicateIndexHeld says whether s holds its duplicate index, and how
// many times it dropped it.
func DuplicateIndexHeld(s *ContactService) (held bool, drops int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.idx != nil, s.life.drops
}
