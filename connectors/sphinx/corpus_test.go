//go:build sphinx

package sphinx_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/caseyos/caseyos/connectors/sphinx"
	"github.com/caseyos/caseyos/connectors/sphinx/sphinxtest"
)

// The corpus tests run with the sphinx build tag (make test-voice). They
// need espeak-ng and sox and fail, rather than skip, when those are missing.

var corpusCache *sphinxtest.Corpus

// mustCorpus generates the corpus once per test binary: 12 phrases × 5
// voices × 3 speeds, and 40 out-of-grammar phrases × 5 voices, noise and
// silence.
func mustCorpus(tb testing.TB) *sphinxtest.Corpus {
	tb.Helper()
	if corpusCache != nil {
		return corpusCache
	}
	if err := sphinxtest.Check(); err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	c, err := sphinxtest.Generate(ctx, tb.TempDir(), sphinxtest.Options{
		Phrases: sphinx.Phrases, Voices: sphinxtest.Voices, Speeds: sphinxtest.Speeds,
		RejectVoices: sphinxtest.Voices, RejectSpeeds: []int{165},
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Logf("corpus: %d command clips, %d reject clips in %v", len(c.Commands), len(c.Rejects), time.Since(start).Round(time.Millisecond))
	corpusCache = c
	return c
}

func mustRecognizer(tb testing.TB, cfg sphinx.Config) *sphinx.Recognizer {
	tb.Helper()
	r, err := sphinx.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { r.Close() })
	return r
}

// envConfig lets a tuning run override the defaults.
func envConfig() sphinx.Config {
	cfg := sphinx.Config{PhoneLM: os.Getenv("CASEYOS_PHONE_LM") != ""}
	if n, err := strconv.Atoi(os.Getenv("CASEYOS_FILLER_N")); err == nil {
		cfg.FillerWords = n
	}
	if w, err := strconv.ParseFloat(os.Getenv("CASEYOS_FILLER_W"), 64); err == nil {
		cfg.FillerWeight = w
	}
	if v, err := strconv.ParseFloat(os.Getenv("CASEYOS_MIN_RATIO"), 64); err == nil {
		cfg.MinScoreRatio = v
	}
	if a := os.Getenv("CASEYOS_SPHINX_ARGS"); a != "" {
		cfg.ExtraArgs = strings.Fields(a)
	}
	return cfg
}

// TestCorpus measures the recognizer per condition and guards against
// regressions. The floors are what the recognizer measured when it was
// written (docs/benchmarks.md), not the targets, which it misses.
func TestCorpus(t *testing.T) {
	c := mustCorpus(t)
	r := mustRecognizer(t, envConfig())
	var dump *os.File
	if p := os.Getenv("CASEYOS_VOICE_PROBE"); p != "" {
		var err error
		if dump, err = os.Create(p); err != nil {
			t.Fatal(err)
		}
		defer dump.Close()
	}
	var report strings.Builder
	fmt.Fprintf(&report, "| condition | command accuracy | substitutions | false accepts (out-of-grammar, noise, silence) | decode p50 / p95 |\n|---|---|---|---|---|\n")
	for _, cond := range sphinxtest.Conditions {
		var ok, sub, fa int
		var times []time.Duration
		cmds := c.In(every(c.Commands, cond), cond)
		for _, cl := range cmds {
			res, err := r.Decode(cl.PCM)
			if err != nil {
				t.Fatal(err)
			}
			times = append(times, res.Elapsed)
			switch {
			case res.Accepted && res.Hypothesis == cl.Text:
				ok++
			case res.Accepted:
				sub++
			}
			probe(dump, cond, "cmd", cl, res)
		}
		rejects := c.In(every(c.Rejects, cond), cond)
		for _, cl := range rejects {
			res, err := r.Decode(cl.PCM)
			if err != nil {
				t.Fatal(err)
			}
			times = append(times, res.Elapsed)
			if res.Accepted {
				fa++
			}
			probe(dump, cond, "oog", cl, res)
		}
		sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
		acc, far := pct(ok, len(cmds)), pct(fa, len(rejects))
		fmt.Fprintf(&report, "| %s | %.1f %% (%d/%d) | %d | %.1f %% (%d/%d) | %d / %d ms |\n", cond, acc, ok, len(cmds), sub, far, fa, len(rejects),
			times[len(times)/2].Milliseconds(), times[len(times)*95/100].Milliseconds())
		if acc < floorAccuracy[cond.String()] {
			t.Errorf("%s: accuracy %.1f %%, want ≥ %.1f %% (the measured floor)", cond, acc, floorAccuracy[cond.String()])
		}
		if far > maxFalseAccepts {
			t.Errorf("%s: false accepts %.1f %%, want ≤ %.1f %%", cond, far, maxFalseAccepts)
		}
	}
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(&report, "\nmax RSS of the test process (corpus in memory included): %d MB; Go heap %d MB\n", ru.Maxrss/1024, ms.HeapAlloc>>20)
	t.Log("\n" + report.String())
	if p := os.Getenv("CASEYOS_VOICE_REPORT"); p != "" {
		if err := os.WriteFile(p, []byte(report.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// floorAccuracy is what the default recognizer measured per condition,
// rounded down; maxFalseAccepts the measured worst case, rounded up.
var floorAccuracy = map[string]float64{"clean": 20, "white 20 dB": 35, "pink 20 dB": 40, "white 13 dB": 20, "pink 13 dB": 25}

const maxFalseAccepts = 10.0

// every keeps the whole corpus clean and every other clip in noise, so a
// run stays near a minute on two cores.
func every(clips []sphinxtest.Clip, cond sphinxtest.Condition) []sphinxtest.Clip {
	if cond.Noise == sphinxtest.NoNoise {
		return clips
	}
	var out []sphinxtest.Clip
	for i := 0; i < len(clips); i += 2 {
		out = append(out, clips[i])
	}
	return out
}

func pct(n, of int) float64 { return 100 * float64(n) / float64(max(1, of)) }

func probe(f *os.File, cond sphinxtest.Condition, kind string, cl sphinxtest.Clip, res sphinx.Result) {
	if f == nil {
		return
	}
	fmt.Fprintf(f, "%s\t%s\t%s\t%s\t%d\t%s\t%.1f\t%.3f\t%d\t%.1f\t%s|%s\n", cond, kind, cl.Text, cl.Voice, cl.Speed, res.Hypothesis,
		res.ScoreRatio, res.PhoneError, res.SpeechFrames, float64(res.Elapsed.Microseconds())/1000, res.Phones, res.Filler)
}

func TestRecognizer_Silence(t *testing.T) {
	r := mustRecognizer(t, sphinx.Config{})
	for name, pcm := range map[string][]int16{"Empty": nil, "Zeros": make([]int16, 16000)} {
		t.Run(name, func(t *testing.T) {
			text, ok, err := r.Recognize(context.Background(), pcm)
			if err != nil || ok {
				t.Errorf("Recognize(%s) = %q, %v, %v, want rejected", name, text, ok, err)
			}
		})
	}
}

func TestNew_MissingModel(t *testing.T) {
	_, err := sphinx.New(sphinx.Config{ModelDir: t.TempDir()})
	if code := backendCode(err); code != "unavailable" {
		t.Errorf("New(empty dir) error code = %q (%v), want unavailable", code, err)
	}
}

func TestCommandDict_MatchesCmudict(t *testing.T) {
	m, err := sphinx.FindModel("")
	if err != nil {
		t.Fatal(err)
	}
	got, err := sphinx.ExtractDict(m.Dict, sphinx.Words())
	if err != nil {
		t.Fatal(err)
	}
	if want := sphinx.CommandDict(); got != want {
		t.Errorf("the embedded command dictionary differs from %s:\n got %q\nwant %q", m.Dict, got, want)
	}
}
