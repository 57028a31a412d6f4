package mic

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/voice/wav"
)

// ReadWAV reads a 16 kHz mono 16-bit PCM WAV file (connectors/voice/wav).
func ReadWAV(path string) ([]int16, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &backend.Error{Code: backend.EINVALID, Op: "mic.ReadWAV", Message: fmt.Sprintf("cannot read %s", path), Err: err}
	}
	pcm, err := wav.Decode(b)
	if err != nil {
		return nil, &backend.Error{Code: backend.EINVALID, Op: "mic.ReadWAV", Message: fmt.Sprintf("%s: %v", path, err), Err: err}
	}
	return pcm, nil
}

// Samples is a backend.PCMSource over samples in memory. With Realtime
// set, Read paces itself like a microphone; at the end it returns io.EOF.
type Samples struct {
	PCM      []int16
	Realtime bool
	pos      int
	start    time.Time
}

var _ backend.PCMSource = (*Samples)(nil)

// Read copies the next samples.
func (s *Samples) Read(ctx context.Context, p []int16) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if s.pos >= len(s.PCM) {
		return 0, io.EOF
	}
	n := copy(p, s.PCM[s.pos:])
	if s.Realtime {
		if s.start.IsZero() {
			s.start = time.Now()
		}
		due := s.start.Add(time.Duration(int64(s.pos+n) * int64(time.Second) / wav.SampleRate))
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(time.Until(due)):
		}
	}
	s.pos += n
	return n, nil
}

// Close does nothing.
func (s *Samples) Close() error { return nil }
