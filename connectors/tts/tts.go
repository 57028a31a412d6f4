package tts

import (
	"context"
	"fmt"
	"os/exec"
	"runtime"
	"strings"
	"sync"

	"github.com/caseyos/caseyos/backend"
)

var _ backend.Speaker = (*Speaker)(nil)

// Speaker speaks through a command-line synthesizer.
type Speaker struct {
	cmd  string
	args []string

	mu      sync.Mutex
	queue   []string
	running bool
	idle    *sync.Cond
}

// maxQueue bounds the lines waiting to be spoken.
const maxQueue = 3

// New finds the synthesizer for this OS: espeak-ng (or espeak) on Linux,
// say on macOS. voice and rate (words per minute) may be zero values for
// the synthesizer's defaults. When none is installed, the error is
// EUNAVAILABLE and says what to install.
func New(voice string, rate int) (*Speaker, error) {
	var cands []string
	switch runtime.GOOS {
	case "darwin":
		cands = []string{"say"}
	default:
		cands = []string{"espeak-ng", "espeak"}
	}
	for _, c := range cands {
		p, err := exec.LookPath(c)
		if err != nil {
			continue
		}
		s := &Speaker{cmd: p}
		switch c {
		case "say":
			if voice != "" {
				s.args = append(s.args, "-v", voice)
			}
			if rate > 0 {
				s.args = append(s.args, "-r", fmt.Sprint(rate))
			}
		default:
			if voice != "" {
				s.args = append(s.args, "-v", voice)
			}
			if rate > 0 {
				s.args = append(s.args, "-s", fmt.Sprint(rate))
			}
		}
		s.idle = sync.NewCond(&s.mu)
		return s, nil
	}
	return nil, backend.Errorf(backend.EUNAVAILABLE, "no speech synthesizer found (install %s)", strings.Join(cands, " or "))
}

// Command returns the synthesizer's command line for text, for tests.
func (s *Speaker) Command(text string) []string {
	return append(append([]string{s.cmd}, s.args...), "--", text)
}

// Say queues text to be spoken and returns at once.
func (s *Speaker) Say(_ context.Context, text string) error {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) >= maxQueue {
		s.queue = s.queue[1:]
	}
	s.queue = append(s.queue, text)
	if !s.running {
		s.running = true
		go s.run()
	}
	return nil
}

// Wait blocks until everything queued has been spoken.
func (s *Speaker) Wait() {
	s.mu.Lock()
	for s.running {
		s.idle.Wait()
	}
	s.mu.Unlock()
}

func (s *Speaker) run() {
	for {
		s.mu.Lock()
		if len(s.queue) == 0 {
			s.running = false
			s.idle.Broadcast()
			s.mu.Unlock()
			return
		}
		text := s.queue[0]
		s.queue = s.queue[1:]
		s.mu.Unlock()
		argv := s.Command(text)
		// A failed read-back is not worth more than the UI's own text:
		// the outcome already says what was done.
		_ = exec.Command(argv[0], argv[1:]...).Run()
	}
}
