// Package ttstest holds a fake backend.Speaker that records what it was
// asked to say.
package ttstest

import (
	"context"
	"sync"

	"github.com/caseyos/caseyos/backend"
)

var _ backend.Speaker = (*Recorder)(nil)

// Recorder records every line instead of speaking it.
type Recorder struct {
	mu    sync.Mutex
	lines []string
	Err   error // returned by Say when set
}

// Say records text.
func (r *Recorder) Say(_ context.Context, text string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, text)
	return r.Err
}

// Lines returns what was said, in order.
func (r *Recorder) Lines() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.lines...)
}

// Last returns the last line said, or "".
func (r *Recorder) Last() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.lines) == 0 {
		return ""
	}
	return r.lines[len(r.lines)-1]
}
