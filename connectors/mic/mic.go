//go:build cgo

package mic

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"

	"github.com/gen2brain/malgo"

	"github.com/caseyos/caseyos/backend"
)

var _ backend.Microphone = (*Microphone)(nil)

// SampleRate is what the recognizer wants; miniaudio resamples to it.
const SampleRate = 16000

// Microphone opens capture devices. Its zero value uses every backend
// miniaudio knows, in its default order.
type Microphone struct {
	// Backends, when set, restricts miniaudio to these (tests pick
	// PulseAudio).
	Backends []malgo.Backend
	// Buffer is how much audio a slow reader may fall behind before the
	// oldest is dropped (default 2 s).
	Buffer int
}

func (m *Microphone) context() (*malgo.AllocatedContext, error) {
	ctx, err := malgo.InitContext(m.Backends, malgo.ContextConfig{}, nil)
	if err != nil {
		return nil, classify("no audio system is available", err)
	}
	return ctx, nil
}

// classify maps miniaudio's results to the backend's codes.
func classify(msg string, err error) error {
	var r malgo.Result
	code := backend.EUNAVAILABLE
	if errors.As(err, &r) && r == malgo.ErrAccessDenied {
		code, msg = backend.EUNAUTHORIZED, "CaseyOS may not use the microphone: allow it in the system's privacy settings"
	}
	return &backend.Error{Code: code, Op: "mic", Message: msg, Err: err}
}

// Devices lists the capture devices.
func (m *Microphone) Devices(context.Context) ([]backend.AudioDevice, error) {
	ctx, err := m.context()
	if err != nil {
		return nil, err
	}
	defer func() { _ = ctx.Uninit(); ctx.Free() }()
	infos, err := ctx.Devices(malgo.Capture)
	if err != nil {
		return nil, classify("the microphones cannot be listed", err)
	}
	out := make([]backend.AudioDevice, 0, len(infos))
	for _, d := range infos {
		// miniaudio's ids are a zero-padded union; the padding is dropped.
		id := bytes.TrimRight(d.ID[:], "\x00")
		out = append(out, backend.AudioDevice{ID: hex.EncodeToString(id), Name: d.Name(), Default: d.IsDefault != 0})
	}
	return out, nil
}

// Open starts capturing from the device with id (from Devices), or the
// default device when id is "".
func (m *Microphone) Open(_ context.Context, id string) (backend.PCMSource, error) {
	mctx, err := m.context()
	if err != nil {
		return nil, err
	}
	cfg := malgo.DefaultDeviceConfig(malgo.Capture)
	cfg.Capture.Format = malgo.FormatS16
	cfg.Capture.Channels = 1
	cfg.SampleRate = SampleRate
	cfg.PeriodSizeInMilliseconds = 20
	var devID malgo.DeviceID
	if id != "" {
		b, err := hex.DecodeString(id)
		if err != nil || len(b) == 0 || len(b) > len(devID) {
			_ = mctx.Uninit()
			mctx.Free()
			return nil, backend.Errorf(backend.EINVALID, "%q is not a microphone id from `caseyos voice devices`", id)
		}
		copy(devID[:], b)
		cfg.Capture.DeviceID = devID.Pointer()
	}
	limit := m.Buffer
	if limit == 0 {
		limit = 2 * SampleRate
	}
	s := &source{ctx: mctx, limit: limit, ready: make(chan struct{}, 1)}
	dev, err := malgo.InitDevice(mctx.Context, cfg, malgo.DeviceCallbacks{Data: s.data})
	if err != nil {
		_ = mctx.Uninit()
		mctx.Free()
		return nil, classify("no microphone is connected", err)
	}
	if err := dev.Start(); err != nil {
		dev.Uninit()
		_ = mctx.Uninit()
		mctx.Free()
		return nil, classify("the microphone cannot be started", err)
	}
	s.dev = dev
	return s, nil
}

// source buffers what the capture callback delivers until Read takes it.
type source struct {
	ctx   *malgo.AllocatedContext
	dev   *malgo.Device
	limit int

	mu      sync.Mutex
	buf     []int16
	dropped int
	closed  bool
	ready   chan struct{}
}

func (s *source) data(_, in []byte, frames uint32) {
	s.mu.Lock()
	for i := 0; i+1 < len(in) && i/2 < int(frames); i += 2 {
		s.buf = append(s.buf, int16(uint16(in[i])|uint16(in[i+1])<<8))
	}
	if over := len(s.buf) - s.limit; over > 0 {
		s.buf = append(s.buf[:0], s.buf[over:]...)
		s.dropped += over
	}
	s.mu.Unlock()
	select {
	case s.ready <- struct{}{}:
	default:
	}
}

// Read blocks until audio arrives. An idle PulseAudio monitor delivers no
// frames at all, so Read waits rather than returning silence.
func (s *source) Read(ctx context.Context, p []int16) (int, error) {
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return 0, backend.Errorf(backend.EUNAVAILABLE, "the microphone is closed")
		}
		if len(s.buf) > 0 {
			n := copy(p, s.buf)
			s.buf = append(s.buf[:0], s.buf[n:]...)
			s.mu.Unlock()
			return n, nil
		}
		s.mu.Unlock()
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-s.ready:
		}
	}
}

// Close stops the device.
func (s *source) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	s.dev.Uninit()
	err := s.ctx.Uninit()
	s.ctx.Free()
	if err != nil {
		return fmt.Errorf("mic: %w", err)
	}
	return nil
}
