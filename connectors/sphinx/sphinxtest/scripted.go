package sphinxtest

import (
	"context"
	"sync"

	"github.com/caseyos/caseyos/backend"
)

var _ backend.Recognizer = (*Scripted)(nil)

// Scripted is a fake recognizer that answers from a script, one reply per
// utterance, in order; after the script it rejects everything. It records
// the length of every utterance it was given.
type Scripted struct {
	mu      sync.Mutex
	replies []Reply
	Heard   []int // samples per utterance
}

// Reply is one scripted answer.
type Reply struct {
	Text string
	OK   bool
	Err  error
}

// NewScripted returns a recognizer that answers replies in order.
func NewScripted(replies ...Reply) *Scripted { return &Scripted{replies: replies} }

// Recognize returns the next scripted reply.
func (s *Scripted) Recognize(_ context.Context, pcm []int16) (string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Heard = append(s.Heard, len(pcm))
	if len(s.replies) == 0 {
		return "", false, nil
	}
	r := s.replies[0]
	s.replies = s.replies[1:]
	return r.Text, r.OK, r.Err
}
