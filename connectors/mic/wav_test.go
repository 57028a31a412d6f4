package mic_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/mic"
	"github.com/caseyos/caseyos/connectors/mic/mictest"
	"github.com/caseyos/caseyos/connectors/voice/wav"
)

func TestReadWAV_Missing(t *testing.T) {
	if _, err := mic.ReadWAV(filepath.Join(t.TempDir(), "missing.wav")); backend.ErrorCode(err) != backend.EINVALID {
		t.Errorf("ReadWAV(missing) = %v, want invalid", err)
	}
}

func TestReadWAV_NotWAV(t *testing.T) {
	p := filepath.Join(t.TempDir(), "notes.wav")
	if err := os.WriteFile(p, []byte("hello world!"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := mic.ReadWAV(p); backend.ErrorCode(err) != backend.EINVALID {
		t.Errorf("ReadWAV(text) = %v, want invalid", err)
	}
}

func TestSamples_Realtime(t *testing.T) {
	s := &mic.Samples{PCM: make([]int16, 1600), Realtime: true}
	buf := make([]int16, 320)
	start := time.Now()
	n := 0
	for {
		k, err := s.Read(context.Background(), buf)
		n += k
		if errors.Is(err, io.EOF) {
			break
		}
	}
	if el := time.Since(start); n != 1600 || el < 90*time.Millisecond {
		t.Errorf("read %d samples in %v, want 1600 paced over ≈100ms", n, el)
	}
}

func TestFake(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a.wav")
	os.WriteFile(p, wav.Encode([]int16{5, 6, 7}), 0o644)
	f, err := mictest.FromWAV(p, false)
	if err != nil {
		t.Fatal(err)
	}
	src, _ := f.Open(context.Background(), "")
	buf := make([]int16, 8)
	if n, _ := src.Read(context.Background(), buf); n != 3 || buf[2] != 7 {
		t.Errorf("Read = %d %v", n, buf)
	}
	for _, e := range []error{mictest.NoMicrophone(), mictest.PermissionDenied()} {
		f := &mictest.Fake{Err: e}
		_, err := f.Open(context.Background(), "")
		if backend.MicState(err) == "error" {
			t.Errorf("Open = %v, want a normal microphone state", err)
		}
	}
}
