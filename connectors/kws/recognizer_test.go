package kws

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/caseyos/caseyos/backend"
)

func TestPadClip(t *testing.T) {
	// The prototype's dither, as node computes it: the first 20 values,
	// and the sum and Σ i·x of the first 32000.
	want20 := []int16{-2, -2, 0, 0, -1, 2, 0, 0, 0, 1, -2, 0, 1, 2, -2, -2, -1, 0, -2, -1}
	pad := PadClip(nil)
	if len(pad) != PadSamples {
		t.Fatalf("len(PadClip(nil)) = %d, want %d", len(pad), PadSamples)
	}
	if !slices.Equal(pad[:20], want20) {
		t.Errorf("PadClip(nil)[:20] = %v, want %v", pad[:20], want20)
	}
	var sum, weighted int64
	for i, v := range pad {
		if v < -2 || v > 2 {
			t.Fatalf("PadClip(nil)[%d] = %d, want -2..2", i, v)
		}
		sum += int64(v)
		weighted += int64(i) * int64(v)
	}
	if sum != 398 || weighted != 6914951 {
		t.Errorf("PadClip(nil): sum %d, Σ i·x %d; want 398, 6914951", sum, weighted)
	}

	clip := []int16{100, -200, 300}
	got := PadClip(clip)
	if len(got) != PadSamples || !slices.Equal(got[PadSamples-3:], clip) || !slices.Equal(got[:20], want20) {
		t.Errorf("PadClip(3 samples) = %d samples ending %v, want %d ending %v after the same dither", len(got), got[len(got)-3:], PadSamples, clip)
	}
	long := make([]int16, PadSamples+1)
	if got := PadClip(long); &got[0] != &long[0] {
		t.Error("PadClip copied a clip that needs no padding")
	}
}

func TestSearchPath(t *testing.T) {
	for _, tc := range []struct {
		name, env, exe string
		want           []string
	}{
		{"All", "/models", "/opt/caseyos/bin/caseyos", []string{"/models", "/opt/caseyos/bin/kws-models", "/opt/caseyos/share/caseyos/kws-models", filepath.Join("build", "kws-models")}},
		{"NoEnv", "", "/usr/bin/caseyos", []string{"/usr/bin/kws-models", "/usr/share/caseyos/kws-models", filepath.Join("build", "kws-models")}},
		{"NoExe", "/m", "", []string{"/m", filepath.Join("build", "kws-models")}},
		{"MacApp", "", "/Applications/CaseyOS.app/Contents/MacOS/caseyos", []string{"/Applications/CaseyOS.app/Contents/MacOS/kws-models",
			"/Applications/CaseyOS.app/Contents/share/caseyos/kws-models", "/Applications/CaseyOS.app/Contents/Resources/kws-models", filepath.Join("build", "kws-models")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := searchPath(tc.env, tc.exe); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("searchPath(%q, %q) = %q, want %q", tc.env, tc.exe, got, tc.want)
			}
		})
	}
}

// fakeModels makes dir/melspectrogram.onnx and dir/embedding_model.onnx
// (empty: FindModels only looks for them) and returns dir.
func fakeModels(tb testing.TB, dir string, files ...string) string {
	tb.Helper()
	if len(files) == 0 {
		files = []string{MelModelFile, EmbeddingModelFile}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

func TestFindModels(t *testing.T) {
	// Not parallel: it sets the environment and the working directory.
	wd := t.TempDir()
	t.Chdir(wd)
	env := fakeModels(t, filepath.Join(t.TempDir(), "env"))
	build := filepath.Join("build", "kws-models")

	t.Run("Env", func(t *testing.T) {
		fakeModels(t, build)
		defer os.RemoveAll("build")
		t.Setenv(ModelsEnv, env)
		if got, err := FindModels(""); err != nil || got != env {
			t.Errorf("FindModels(\"\") = %q, %v, want %q (the environment first)", got, err, env)
		}
	})
	t.Run("EnvWithoutModels", func(t *testing.T) {
		fakeModels(t, build)
		defer os.RemoveAll("build")
		t.Setenv(ModelsEnv, t.TempDir())
		if got, err := FindModels(""); err != nil || got != build {
			t.Errorf("FindModels(\"\") = %q, %v, want %q (the next place)", got, err, build)
		}
	})
	t.Run("HalfInstalled", func(t *testing.T) {
		t.Setenv(ModelsEnv, fakeModels(t, t.TempDir(), MelModelFile))
		fakeModels(t, build, EmbeddingModelFile)
		defer os.RemoveAll("build")
		if got, err := FindModels(""); backend.ErrorCode(err) != backend.ENOTFOUND {
			t.Errorf("FindModels(\"\") = %q, %v, want code %s", got, err, backend.ENOTFOUND)
		}
	})
	t.Run("Dir", func(t *testing.T) {
		t.Setenv(ModelsEnv, env)
		dir := fakeModels(t, t.TempDir())
		if got, err := FindModels(dir); err != nil || got != dir {
			t.Errorf("FindModels(%q) = %q, %v, want it", dir, got, err)
		}
		empty := t.TempDir()
		if got, err := FindModels(empty); backend.ErrorCode(err) != backend.ENOTFOUND {
			t.Errorf("FindModels(empty dir) = %q, %v, want code %s (no search past a given dir)", got, err, backend.ENOTFOUND)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		missing := filepath.Join(t.TempDir(), "none")
		t.Setenv(ModelsEnv, missing)
		_, err := FindModels("")
		if backend.ErrorCode(err) != backend.ENOTFOUND {
			t.Fatalf("FindModels(\"\") = %v, want code %s", err, backend.ENOTFOUND)
		}
		msg := backend.ErrorMessage(err)
		for _, want := range append(ModelSearchPath(), "make voice-models") {
			if !strings.Contains(msg, want) {
				t.Errorf("ErrorMessage = %q, want it to mention %q", msg, want)
			}
		}
		if _, err := New(Config{Head: randomHead(t, []string{"a", NoneLabel}, 1, 2, 1)}); backend.ErrorCode(err) != backend.ENOTFOUND {
			t.Errorf("New without models = %v, want code %s", err, backend.ENOTFOUND)
		}
	})
}

func TestNew_Invalid(t *testing.T) {
	dir := modelDir(t)
	good := randomHead(t, []string{"a", "b", NoneLabel}, 2, 4, 1)
	bad := randomHead(t, []string{"a", "b", NoneLabel}, 2, 4, 1)
	bad.B2 = bad.B2[:1]
	for _, tc := range []struct {
		name string
		cfg  Config
		code string
	}{
		{"NegativeThreshold", Config{ModelDir: dir, Head: good, Threshold: -0.5}, backend.EINVALID},
		{"NaNThreshold", Config{ModelDir: dir, Head: good, Threshold: math.NaN()}, backend.EINVALID},
		{"VetoAboveOne", Config{ModelDir: dir, Head: good, VetoBelow: 1.5}, backend.EINVALID},
		{"NaNVeto", Config{ModelDir: dir, Head: good, VetoBelow: math.NaN()}, backend.EINVALID},
		{"BadHead", Config{ModelDir: dir, Head: bad}, backend.EINVALID},
		{"NoModels", Config{ModelDir: t.TempDir(), Head: good}, backend.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r, err := New(tc.cfg); backend.ErrorCode(err) != tc.code {
				t.Errorf("New = %v, %v; want code %s", r, err, tc.code)
			}
		})
	}
	t.Run("DefaultHead", func(t *testing.T) {
		r, err := New(Config{ModelDir: dir})
		if _, derr := defaultHead(); derr != nil {
			// No commands.head built in yet (head_default.go adds it).
			if backend.ErrorCode(err) != backend.ENOTFOUND {
				t.Errorf("New without a head or a built-in one = %v, want code %s", err, backend.ENOTFOUND)
			}
			return
		}
		if err != nil {
			t.Fatalf("New with the built-in head: %v", err)
		}
		if want := append(append([]string{}, Phrases...), NoneLabel); !slices.Equal(r.head.Labels, want) || r.threshold != DefaultThreshold {
			t.Errorf("built-in head labels %q, threshold %v; want %q, %v", r.head.Labels, r.threshold, want, DefaultThreshold)
		}
	})
}

// BenchmarkRecognize2s is one full Recognize of a 2 s clip with a head of
// the production shape (16 embeddings, 128 hidden, 13 labels).
func BenchmarkRecognize2s(b *testing.B) {
	h := randomHead(b, append(append([]string{}, Phrases...), NoneLabel), prodWindow, prodHidden, 1)
	r, err := New(Config{ModelDir: modelDir(b), Head: h})
	if err != nil {
		b.Fatalf("New: %v", err)
	}
	pcm := synthClip(2 * SampleRate)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := r.Recognize(ctx, pcm); err != nil {
			b.Fatal(err)
		}
	}
}
