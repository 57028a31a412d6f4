package mic

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// ReadWAV reads a 16 kHz mono 16-bit PCM WAV file.
func ReadWAV(path string) ([]int16, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &backend.Error{Code: backend.EINVALID, Op: "mic.ReadWAV", Message: fmt.Sprintf("cannot read %s", path), Err: err}
	}
	pcm, err := DecodeWAV(b)
	if err != nil {
		return nil, &backend.Error{Code: backend.EINVALID, Op: "mic.ReadWAV", Message: fmt.Sprintf("%s: %v", path, err), Err: err}
	}
	return pcm, nil
}

// DecodeWAV decodes a RIFF WAV holding 16 kHz mono 16-bit PCM. Other
// formats are refused with a hint, rather than resampled badly.
func DecodeWAV(b []byte) ([]int16, error) {
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, errors.New("not a WAV file")
	}
	var fmtOK bool
	for p := 12; p+8 <= len(b); {
		id, size := string(b[p:p+4]), int(binary.LittleEndian.Uint32(b[p+4:p+8]))
		body := b[p+8 : min(len(b), p+8+size)]
		switch id {
		case "fmt ":
			if len(body) < 16 {
				return nil, errors.New("short fmt chunk")
			}
			format, ch := binary.LittleEndian.Uint16(body[0:2]), binary.LittleEndian.Uint16(body[2:4])
			rate, bits := binary.LittleEndian.Uint32(body[4:8]), binary.LittleEndian.Uint16(body[14:16])
			if (format != 1 && format != 0xFFFE) || ch != 1 || rate != 16000 || bits != 16 {
				return nil, fmt.Errorf("the audio is %d Hz, %d channel(s), %d bits (format %d); convert it with `sox IN.wav -r 16000 -c 1 -b 16 OUT.wav`", rate, ch, bits, format)
			}
			fmtOK = true
		case "data":
			if !fmtOK {
				return nil, errors.New("data before the fmt chunk")
			}
			out := make([]int16, len(body)/2)
			for i := range out {
				out[i] = int16(binary.LittleEndian.Uint16(body[2*i:]))
			}
			return out, nil
		}
		p += 8 + size + size%2
	}
	return nil, errors.New("no audio data")
}

// EncodeWAV encodes 16 kHz mono 16-bit PCM as a WAV file.
func EncodeWAV(pcm []int16) []byte {
	n := len(pcm) * 2
	b := make([]byte, 44+n)
	copy(b, "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+n))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1)
	binary.LittleEndian.PutUint16(b[22:], 1)
	binary.LittleEndian.PutUint32(b[24:], SampleRateWAV)
	binary.LittleEndian.PutUint32(b[28:], SampleRateWAV*2)
	binary.LittleEndian.PutUint16(b[32:], 2)
	binary.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(n))
	for i, s := range pcm {
		binary.LittleEndian.PutUint16(b[44+2*i:], uint16(s))
	}
	return b
}

// SampleRateWAV is the only rate ReadWAV accepts.
const SampleRateWAV = 16000

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
		due := s.start.Add(time.Duration(int64(s.pos+n) * int64(time.Second) / SampleRateWAV))
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
