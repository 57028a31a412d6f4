//go:build sphinx && cgo

package app_test

import (
	"context"
	"fmt"
	"maps"
	"math/rand"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/connectors/sphinx"
	"github.com/caseyos/caseyos/connectors/sphinx/sphinxtest"
	"github.com/caseyos/caseyos/connectors/voice/wav"
)

// humanSpeechDirEnv names the directory of pocketsphinx's test recordings
// when they are not where Debian's pocketsphinx-testdata puts them.
const humanSpeechDirEnv = "CASEYOS_VOICE_HUMAN_DIR"

const humanSpeechDir = "/usr/share/pocketsphinx/test/data"

// humanRecording is one recording of a person speaking, none of it a
// command.
type humanRecording struct {
	name string // its path under the directory
	text string // what is said
	pcm  []int16
}

// humanSpeechTexts are what the raw recordings say (the cards' and
// librivox's come with their transcriptions): the first is pocketsphinx's
// own grammar example, the other three as pocketsphinx's language model
// hears them (TIDIGITS names its file for the digits, z for zero).
var humanSpeechTexts = map[string]string{
	"goforward.raw":          "go forward ten meters",
	"numbers.raw":            "thirty three four or six ninety two",
	"something.raw":          "go somewhere and do something",
	"tidigits/dhd.2934z.raw": "two nine three four zero",
}

// transcriptionLine is a line of a sphinx transcription file:
// "<s> words </s> (utterance id)".
var transcriptionLine = regexp.MustCompile(`^<s>(.*)</s>\s*\((\S+)\)\s*$`)

// humanRecordings reads the 14 recordings of Debian's pocketsphinx-testdata:
// 47 seconds of people reading numbers, playing cards, a robot's command
// and an Austen novel (LibriVox), 16 kHz mono. It fails when one is missing
// or when what one says holds a command, which would make it no test of
// false accepts.
func humanRecordings(t *testing.T) []humanRecording {
	t.Helper()
	dir := humanSpeechDir
	if d := os.Getenv(humanSpeechDirEnv); d != "" {
		dir = d
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("pocketsphinx's test recordings: %v (make voice-test-deps installs pocketsphinx-testdata; elsewhere set %s to its test/data)", err, humanSpeechDirEnv)
	}
	texts := maps.Clone(humanSpeechTexts)
	for _, tr := range []struct{ sub, file string }{{"cards", "cards.transcription"}, {"librivox", "transcription"}} {
		b, err := os.ReadFile(filepath.Join(dir, tr.sub, tr.file))
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			m := transcriptionLine.FindStringSubmatch(strings.TrimSpace(line))
			if m == nil {
				t.Fatalf("%s/%s: %q is not a transcription line", tr.sub, tr.file, line)
			}
			texts[tr.sub+"/"+m[2]+".wav"] = strings.Join(strings.Fields(m[1]), " ")
		}
	}
	var out []humanRecording
	// In name order, so that the noise's seeded offsets fall the same way
	// every run.
	for _, name := range slices.Sorted(maps.Keys(texts)) {
		text := texts[name]
		for _, p := range sphinx.Phrases {
			if strings.Contains(" "+text+" ", " "+p+" ") {
				t.Fatalf("%s says %q, which holds the command %q", name, text, p)
			}
		}
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		pcm := sphinxtest.RawPCM(b) // the .raw files: 16 kHz mono, no header
		if strings.HasSuffix(name, ".wav") {
			if pcm, err = wav.Decode(b); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
		out = append(out, humanRecording{name, text, pcm})
	}
	if len(out) != 14 {
		t.Fatalf("%d recordings with a transcription, want pocketsphinx-testdata's 14", len(out))
	}
	return out
}

// humanNoiseDraws is how many times each recording is heard in each noisy
// condition, each time with another stretch of the noise.
const humanNoiseDraws = 5

// humanMaxFalseAccepts is the target for speech outside the
// grammar. Over four runs the shipped recognizer heard no command in 44
// utterances clean and 592 at 20 dB, and 1 in 1,003 at 13 dB (snooze, in
// "go forward ten meters"); a run cuts about 11 utterances clean, 150 at
// 20 dB and 250 at 13 dB (white and pink together). The classifier alone at
// a threshold of 0.001, the report's last column, would fail it: 9 %, 3 %
// and 19 %.
const humanMaxFalseAccepts = 2.0

// TestHumanSpeech_OutOfGrammar measures the shipped offline recognizer's
// false accepts on people's speech, where the corpus has only synthesized
// voices: every recording of pocketsphinx-testdata, clean and in white and
// pink noise at 20 and 13 dB, cut by the listener's VAD as a microphone's
// audio is, every utterance it cuts put to the recognizer. An utterance
// longer than the VAD's bound is rejected by the listener before any
// recognizer hears it and is counted apart. None of it is a command, so
// every command heard is a false accept; the rate per noise level must
// stay within the issue's ≤ 2 %. Commands said by people stay unmeasured:
// the machine has no such recording.
func TestHumanSpeech_OutOfGrammar(t *testing.T) {
	recordings := humanRecordings(t)
	if err := sphinxtest.Check(); err != nil {
		t.Fatal(err)
	}
	workers := offlineWorkers(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	noise := map[sphinxtest.Noise][]int16{}
	for _, n := range []sphinxtest.Noise{sphinxtest.White, sphinxtest.Pink} {
		var err error
		if noise[n], err = sphinxtest.SoxNoise(ctx, n, 60); err != nil {
			t.Fatal(err)
		}
	}
	rng := rand.New(rand.NewSource(7))

	type level struct{ utterances, heard int }
	levels := map[string]*level{}
	var seconds float64
	for _, r := range recordings {
		seconds += float64(len(r.pcm)) / 16000
	}
	var report strings.Builder
	fmt.Fprintf(&report, "%d recordings of people, %.1f s; each clean once and in each noise %d times.\n\n", len(recordings), seconds, humanNoiseDraws)
	report.WriteString("| condition | utterances (too long) | commands heard | false accepts | classifier alone at 0.001: false accepts |\n|---|---|---|---|---|\n")
	for _, cond := range sphinxtest.Conditions {
		draws := humanNoiseDraws
		if cond.Noise == sphinxtest.NoNoise {
			draws = 1
		}
		var cut []sphinxtest.Clip
		long := 0
		for _, r := range recordings {
			for range draws {
				pcm := r.pcm
				if cond.Noise != sphinxtest.NoNoise {
					pcm = sphinxtest.Mix(r.pcm, noise[cond.Noise], cond.SNR, rng)
				}
				for _, u := range liveUtterances(pcm) {
					if u.Truncated {
						long++
						continue
					}
					cut = append(cut, sphinxtest.Clip{Text: r.text, Voice: r.name, PCM: u.PCM})
				}
			}
		}
		// The classifier at a threshold that rejects almost nothing, for
		// contrast: what these recordings provoke in a recognizer without
		// rejection. It answers from the shipped recognizer's decode.
		type heard struct {
			shipped string
			loose   bool
		}
		hs, err := sphinxtest.Across(workers, cut, func(w offlineWorker, pcm []int16) (heard, error) {
			var h heard
			text, ok, err := w.shipped.Recognize(context.Background(), pcm)
			if err != nil {
				return h, err
			}
			if ok {
				h.shipped = text
			}
			_, h.loose, err = w.k.WithThreshold(0.001).Recognize(context.Background(), pcm)
			return h, err
		})
		if err != nil {
			t.Fatal(err)
		}
		n, loose := 0, 0
		for i, h := range hs {
			if h.loose {
				loose++
			}
			if h.shipped != "" {
				n++
				t.Logf("%s, %s: heard %q in %s", cond, cut[i].Voice, h.shipped, cut[i].Text)
			}
		}
		fmt.Fprintf(&report, "| %s | %d (%d) | %d | %.1f %% | %.1f %% |\n", cond, len(cut), long, n, percent(n, len(cut)), percent(loose, len(cut)))
		lv := "clean"
		if cond.Noise != sphinxtest.NoNoise {
			lv = fmt.Sprintf("%.0f dB", cond.SNR)
		}
		if levels[lv] == nil {
			levels[lv] = &level{}
		}
		levels[lv].utterances += len(cut)
		levels[lv].heard += n
	}
	for _, lv := range []string{"clean", "20 dB", "13 dB"} {
		l := levels[lv]
		if l == nil || l.utterances == 0 {
			t.Fatalf("%s: the VAD cut no utterance from the recordings", lv)
		}
		if far := percent(l.heard, l.utterances); far > humanMaxFalseAccepts {
			t.Errorf("%s: %d commands heard in %d utterances of people's speech outside the grammar (%.1f %%), want ≤ %.0f %%", lv, l.heard, l.utterances, far, humanMaxFalseAccepts)
		}
	}
	t.Log("\n" + report.String())
	if p := os.Getenv("CASEYOS_VOICE_HUMAN_REPORT"); p != "" {
		if err := os.WriteFile(p, []byte(report.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
