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
)

func TestWAV_RoundTrip(t *testing.T) {
	pcm := []int16{0, 1, -1, 32767, -32768, 1234}
	got, err := mic.DecodeWAV(mic.EncodeWAV(pcm))
	if err != nil || len(got) != len(pcm) {
		t.Fatalf("DecodeWAV(EncodeWAV) = %v, %v", got, err)
	}
	for i := range pcm {
		if got[i] != pcm[i] {
			t.Errorf("sample %d = %d, want %d", i, got[i], pcm[i])
		}
	}
}

func TestDecodeWAV_Errors(t *testing.T) {
	stereo := mic.EncodeWAV([]int16{1, 2})
	stereo[22] = 2
	for name, b := range map[string][]byte{"NotWAV": []byte("hello world!"), "Stereo": stereo, "Empty": nil} {
		if _, err := mic.DecodeWAV(b); err == nil {
			t.Errorf("DecodeWAV(%s) = nil error", name)
		}
	}
	if _, err := mic.ReadWAV(filepath.Join(t.TempDir(), "missing.wav")); backend.ErrorCode(err) != backend.EINVALID {
		t.Errorf("ReadWAV(missing) = %v, want invalid", err)
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
	os.WriteFile(p, mic.EncodeWAV([]int16{5, 6, 7}), 0o644)
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
