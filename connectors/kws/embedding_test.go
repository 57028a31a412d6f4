package kws

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/kws/internal/gemm"
)

// The models are not in the repository: `make voice-models` fetches them
// into build/kws-models, or CASEYOS_KWS_MODELS names another directory.

// modelDir returns the directory holding the two model files, failing the
// test when they are missing (a -short run skips instead).
func modelDir(tb testing.TB) string {
	tb.Helper()
	if testing.Short() {
		tb.Skip("needs the keyword-spotting models; -short skips it")
	}
	dir := os.Getenv("CASEYOS_KWS_MODELS")
	if dir == "" {
		dir = filepath.Join("..", "..", "build", "kws-models")
	}
	for _, f := range []string{MelModelFile, EmbeddingModelFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			tb.Fatalf("model %s not found in %s (set CASEYOS_KWS_MODELS, or run `make voice-models`, which fetches them): %v", f, dir, err)
		}
	}
	return dir
}

// MustLoadEmbedder loads the models from modelDir.
func MustLoadEmbedder(tb testing.TB) *Embedder {
	tb.Helper()
	e, err := LoadEmbedder(modelDir(tb))
	if err != nil {
		tb.Fatalf("LoadEmbedder: %v", err)
	}
	return e
}

// synthClip is the test signal of testdata/reference.json: three sines
// under a 3 Hz envelope, plus integer noise from a 32-bit LCG, at 16 kHz.
func synthClip(n int) []int16 {
	pcm := make([]int16, n)
	x := uint32(12345)
	for i := range pcm {
		t := float64(i) / SampleRate
		env := 0.6 + 0.4*math.Sin(2*math.Pi*3*t)
		v := env * (4000*math.Sin(2*math.Pi*440*t) + 2500*math.Sin(2*math.Pi*1250*t+0.5) + 1500*math.Sin(2*math.Pi*3100*t+1.0))
		x = x*1664525 + 1013904223
		noise := int(x>>16)%2001 - 1000
		s := int(math.Floor(v+0.5)) + noise
		pcm[i] = int16(min(32767, max(-32768, s)))
	}
	return pcm
}

// reference is testdata/reference.json, written by a script kept outside
// the repository (/tmp/vc/kwsref.py when it was made): it builds the same
// synthClip(24000) in numpy, runs onnxruntime-node 1.30.0 on both models as
// openWakeWord does (mel/10 + 2; 76-frame windows every 8 frames), and
// records some mel frames and every embedding.
type reference struct {
	Samples    int         `json:"samples"`
	PCMSum     int64       `json:"pcm_sum"`
	PCMFNV     string      `json:"pcm_fnv1a64"`
	MelCount   int         `json:"mel_count"`
	MelFrames  []int       `json:"mel_frames"`
	Mel        [][]float32 `json:"mel"`
	Embeddings [][]float32 `json:"embeddings"`
}

func loadReference(tb testing.TB) (reference, []int16) {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "reference.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var ref reference
	if err := json.Unmarshal(b, &ref); err != nil {
		tb.Fatal(err)
	}
	pcm := synthClip(ref.Samples)
	var sum int64
	h := fnv.New64a()
	for _, s := range pcm {
		sum += int64(s)
		_ = binary.Write(h, binary.LittleEndian, s)
	}
	if got := fmt.Sprintf("%016x", h.Sum64()); sum != ref.PCMSum || got != ref.PCMFNV {
		tb.Fatalf("synthClip(%d) = sum %d, fnv %s; the reference was made from sum %d, fnv %s", ref.Samples, sum, got, ref.PCMSum, ref.PCMFNV)
	}
	return ref, pcm
}

func TestEmbedder_Reference(t *testing.T) {
	e := MustLoadEmbedder(t)
	ref, pcm := loadReference(t)
	kernels := []struct {
		name string
		kern gemm.Kernel
	}{{"Default", gemm.DefaultKernel()}, {"Portable", gemm.KernelGo}}
	for _, k := range kernels {
		for _, slide := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/slides=%v", k.name, slide), func(t *testing.T) {
				ek := *e.net
				ek.slides = slide
				e := &Embedder{mel: e.mel, net: &ek, kern: k.kern}

				mel := e.Mel(pcm)
				if len(mel) != ref.MelCount {
					t.Fatalf("Mel(%d samples) = %d frames, want %d", len(pcm), len(mel), ref.MelCount)
				}
				worst := 0.0
				for i, f := range ref.MelFrames {
					for j, want := range ref.Mel[i] {
						worst = max(worst, math.Abs(float64(mel[f][j]-want)))
					}
				}
				if worst > 1e-4 {
					t.Errorf("Mel: max |diff| from onnxruntime = %g, want <= 1e-4", worst)
				}
				t.Logf("mel max |diff| %.3g", worst)

				emb := e.Features(pcm)
				if len(emb) != len(ref.Embeddings) {
					t.Fatalf("Features(%d samples) = %d embeddings, want %d", len(pcm), len(emb), len(ref.Embeddings))
				}
				worst = 0
				for i := range emb {
					for j, want := range ref.Embeddings[i] {
						worst = max(worst, math.Abs(float64(emb[i][j]-want)))
					}
				}
				if worst > 1e-3 {
					t.Errorf("Features: max |diff| from onnxruntime = %g, want <= 1e-3", worst)
				}
				t.Logf("embedding max |diff| %.3g", worst)
			})
		}
	}
}

func TestEmbedder_Short(t *testing.T) {
	e := MustLoadEmbedder(t)
	pcm := synthClip(16000)
	window := 512 + (e.WindowFrames()-1)*160 // samples of exactly one window
	for _, tc := range []struct {
		samples, frames, embeddings int
	}{
		{0, 0, 0}, {1, 0, 0}, {511, 0, 0}, {512, 1, 0}, {671, 1, 0}, {672, 2, 0},
		{window - 1, e.WindowFrames() - 1, 0}, {window, e.WindowFrames(), 1},
		{window + 8*160 - 1, e.WindowFrames() + 7, 1}, {window + 8*160, e.WindowFrames() + 8, 2},
	} {
		mel := e.Mel(pcm[:tc.samples])
		if len(mel) != tc.frames {
			t.Errorf("Mel(%d samples) = %d frames, want %d", tc.samples, len(mel), tc.frames)
		}
		if got := e.Embed(mel); len(got) != tc.embeddings {
			t.Errorf("Embed(%d frames) = %d embeddings, want %d", len(mel), len(got), tc.embeddings)
		}
		if got := e.Features(pcm[:tc.samples]); len(got) != tc.embeddings {
			t.Errorf("Features(%d samples) = %d embeddings, want %d", tc.samples, len(got), tc.embeddings)
		}
	}
	if got := e.Embed(nil); got != nil {
		t.Errorf("Embed(nil) = %v, want nil", got)
	}
}

func TestEmbedder_Concurrent(t *testing.T) {
	e := MustLoadEmbedder(t)
	clips := [][]int16{synthClip(32000), synthClip(20000)}
	want := make([][][96]float32, len(clips))
	for i, c := range clips {
		want[i] = e.Features(c)
	}
	const rounds = 3
	var wg sync.WaitGroup
	errs := make(chan error, 2*len(clips)*rounds)
	for g := 0; g < 2; g++ {
		for i := range clips {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for r := 0; r < rounds; r++ {
					got := e.Features(clips[i])
					if len(got) != len(want[i]) {
						errs <- fmt.Errorf("Features(clip %d) = %d embeddings, want %d", i, len(got), len(want[i]))
						return
					}
					for w := range got {
						if got[w] != want[i][w] {
							errs <- fmt.Errorf("Features(clip %d) window %d differs from the sequential run", i, w)
							return
						}
					}
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestLoadEmbedder(t *testing.T) {
	src := modelDir(t)
	read := func(f string) []byte {
		b, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	melModel, embModel := read(MelModelFile), read(EmbeddingModelFile)
	write := func(mel, emb []byte) string {
		dir := t.TempDir()
		for f, b := range map[string][]byte{MelModelFile: mel, EmbeddingModelFile: emb} {
			if b == nil {
				continue
			}
			if err := os.WriteFile(filepath.Join(dir, f), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}

	t.Run("OK", func(t *testing.T) {
		if _, err := LoadEmbedder(write(melModel, embModel)); err != nil {
			t.Fatalf("LoadEmbedder = %v, want nil", err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		for _, dir := range []string{write(nil, embModel), write(melModel, nil), filepath.Join(t.TempDir(), "none")} {
			_, err := LoadEmbedder(dir)
			if code := backend.ErrorCode(err); code != backend.ENOTFOUND {
				t.Errorf("LoadEmbedder(%s) = %v (code %q), want code %q", dir, err, code, backend.ENOTFOUND)
			}
		}
	})
	t.Run("ErrCorrupt", func(t *testing.T) {
		cuts := []int{0, 1, 7, 100, 4096, len(embModel) / 2, len(embModel) - 1000, len(embModel) - 1}
		for _, n := range cuts {
			for _, which := range []string{MelModelFile, EmbeddingModelFile} {
				mel, emb := melModel, embModel
				if which == MelModelFile {
					mel = melModel[:min(n, len(melModel)-1)]
				} else {
					emb = embModel[:n]
				}
				_, err := LoadEmbedder(write(mel, emb))
				if code := backend.ErrorCode(err); code != backend.EINVALID {
					t.Errorf("LoadEmbedder(%s cut to %d bytes) = %v (code %q), want code %q", which, n, err, code, backend.EINVALID)
				}
			}
		}
		garbage := make([]byte, 4096)
		for i := range garbage {
			garbage[i] = byte(i*7 + i>>3)
		}
		if _, err := LoadEmbedder(write(melModel, garbage)); backend.ErrorCode(err) != backend.EINVALID {
			t.Errorf("LoadEmbedder(garbage) = %v, want code %q", err, backend.EINVALID)
		}
	})
	t.Run("ErrSwapped", func(t *testing.T) {
		_, err := LoadEmbedder(write(embModel, melModel))
		if code := backend.ErrorCode(err); code != backend.EINVALID {
			t.Fatalf("LoadEmbedder(swapped files) = %v (code %q), want code %q", err, code, backend.EINVALID)
		}
	})
}

func BenchmarkFeatures2s(b *testing.B) {
	e := MustLoadEmbedder(b)
	pcm := synthClip(2 * SampleRate)
	benchFeatures(b, e, pcm, 16)
}

// BenchmarkFeatures2s_Portable is the same on the plain-Go kernel (what
// other architectures and the purego build tag run).
func BenchmarkFeatures2s_Portable(b *testing.B) {
	e := MustLoadEmbedder(b)
	e.kern = gemm.KernelGo
	benchFeatures(b, e, synthClip(2*SampleRate), 16)
}

func benchFeatures(b *testing.B, e *Embedder, pcm []int16, want int) {
	b.ReportAllocs()
	if got := len(e.Features(pcm)); got != want {
		b.Fatalf("Features(%d samples) = %d embeddings, want %d", len(pcm), got, want)
	}
	for b.Loop() {
		e.Features(pcm)
	}
}

func BenchmarkMel2s(b *testing.B) {
	e := MustLoadEmbedder(b)
	pcm := synthClip(2 * SampleRate)
	b.ReportAllocs()
	for b.Loop() {
		e.Mel(pcm)
	}
}

func BenchmarkEmbedOne(b *testing.B) {
	e := MustLoadEmbedder(b)
	mel := e.Mel(synthClip(2 * SampleRate))[:e.WindowFrames()]
	b.ReportAllocs()
	for b.Loop() {
		if len(e.Embed(mel)) != 1 {
			b.Fatal("Embed(one window) != 1 embedding")
		}
	}
}
