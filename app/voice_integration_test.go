//go:build sphinx && cgo

package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gen2brain/malgo"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/app/cli"
	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/kws"
	"github.com/caseyos/caseyos/connectors/mic"
	"github.com/caseyos/caseyos/connectors/sphinx"
	"github.com/caseyos/caseyos/connectors/sphinx/sphinxtest"
	"github.com/caseyos/caseyos/connectors/voice"
	"github.com/caseyos/caseyos/connectors/voice/vad"
	"github.com/caseyos/caseyos/connectors/voice/wav"
	"github.com/caseyos/caseyos/store"
)

// voiceOutcome is one line of `caseyos voice listen --json`.
type voiceOutcome struct {
	backend.VoiceOutcome
	LatencyMS int64 `json:"latency_ms"`
	at        time.Time
}

// requirePulse returns when a PulseAudio server with the null sink vsink
// is reachable. make test-voice starts a private one and sets
// CASEYOS_VOICE_PULSE=1, which turns a missing server into a failure.
func requirePulse(tb testing.TB) {
	tb.Helper()
	out, err := exec.Command("pactl", "list", "short", "sinks").CombinedOutput()
	if err == nil && bytes.Contains(out, []byte("vsink")) {
		return
	}
	msg := fmt.Sprintf("no PulseAudio server with a vsink null sink (pactl: %v, %s); run make test-voice", err, bytes.TrimSpace(out))
	if os.Getenv("CASEYOS_VOICE_PULSE") != "" {
		tb.Fatal(msg)
	}
	tb.Skip(msg)
}

// TestVoice_PulseAudio plays synthesized speech into a PulseAudio null
// sink and captures its monitor through malgo, the way a microphone is
// captured, into `caseyos voice listen`: VAD, the shipped offline recognizer
// (the keyword classifier, then pocketsphinx), the intent layer and the App,
// against a real bbolt store. Out-of-grammar
// speech does nothing, "skip" skips the first move (recorded as done by
// voice), and "stop listening" ends the command. It reports the latency from
// the end of speech to the action.
func TestVoice_PulseAudio(t *testing.T) {
	requirePulse(t)
	if err := sphinxtest.Check(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()
	clock := backend.SystemClock{}

	// The demo workspace is a real store; its first move is what "skip" acts on.
	var outb, errbb bytes.Buffer
	code := cli.Main(ctx, []string{"--data-dir", dir, "today", "--json", "--limit", "50"}, cli.Env{Stdin: strings.NewReader(""), Stdout: &outb, Stderr: &errbb, Clock: clock,
		Open: func(p string) (backend.Store, error) {
			return store.Open(p, store.Options{Timeout: 200 * time.Millisecond})
		}})
	out, errb := outb.String(), errbb.String()
	if code != 0 {
		t.Fatalf("today: %d %s", code, errb)
	}
	var today app.TodayDTO
	if err := json.Unmarshal([]byte(out), &today); err != nil || len(today.Moves) < 2 {
		t.Fatalf("today = %d moves, %v", len(today.Moves), err)
	}
	first := today.Moves[0].ID

	// The script: what is played, and the intent it must cause ("" for
	// nothing). "next" and "previous" only move the cursor, so they add
	// latency samples without changing the store.
	type line struct {
		text, voice string
		speed       int
		want        backend.Intent
	}
	// Commands are in flite's voices, which the stock model hears (the
	// corpus in docs/benchmarks.md: espeak-ng's it mostly does not); the
	// non-commands include a near miss only the decoy pass rejects.
	script := []line{
		{"what time is it", "flite:rms", 165, ""},
		{"skip", "flite:slt", 165, backend.IntentSkip},
		{"skipping", "flite:kal16", 165, ""},
		{"next", "flite:awb", 165, backend.IntentNext},
		{"previous", "flite:rms", 165, backend.IntentPrevious},
		{"next", "flite:kal16", 200, backend.IntentNext},
		{"hello there", "en-gb-x-rp+m3", 165, ""},
		{"previous", "flite:slt", 200, backend.IntentPrevious},
		{"next", "flite:rms", 130, backend.IntentNext},
		{"previous", "flite:awb", 130, backend.IntentPrevious},
		{"hello there", "flite:awb", 165, ""},
		{"stop listening", "flite:kal16", 165, backend.IntentStopListening},
	}
	wavs := make([]string, len(script))
	tails := make([]time.Duration, len(script)) // silence after the speech
	for i, l := range script {
		pcm, err := sphinxtest.Speak(ctx, dir, l.text, l.voice, l.speed)
		if err != nil {
			t.Fatal(err)
		}
		wavs[i] = filepath.Join(dir, fmt.Sprintf("%02d.wav", i))
		if err := os.WriteFile(wavs[i], wav.Encode(pcm), 0o644); err != nil {
			t.Fatal(err)
		}
		tails[i] = trailingSilence(pcm)
	}

	pr, pw := io.Pipe()
	var stderr lockedBuffer
	env := cli.Env{
		Stdin: strings.NewReader(""), Stdout: pw, Stderr: &stderr, Clock: clock,
		Open: func(p string) (backend.Store, error) { return store.Open(p, store.Options{Timeout: time.Second}) },
		Voice: app.VoiceEnv{
			Microphone: &mic.Microphone{Backends: []malgo.Backend{malgo.BackendPulseaudio}},
			// The shipped offline recognizer, with its defaults: the
			// keyword classifier, then pocketsphinx (main's offlineRecognizer).
			Recognizer: func(dir string) (backend.Recognizer, error) {
				k, err := kws.New(kws.Config{ModelDir: kwsModelDir()})
				if err != nil {
					return nil, err
				}
				s, err := sphinx.New(sphinx.Config{ModelDir: dir})
				if err != nil {
					return nil, err
				}
				return voice.ClassifierFirst(k, s), nil
			},
			ReadWAV: mic.ReadWAV,
		},
	}
	exited := make(chan int, 1)
	go func() {
		code := cli.Main(ctx, []string{"--data-dir", dir, "voice", "listen", "--mode", "always", "--quiet", "--json"}, env)
		pw.Close()
		exited <- code
	}()
	outcomes := make(chan voiceOutcome, 32)
	go func() {
		dec := json.NewDecoder(pr)
		for {
			var o voiceOutcome
			if err := dec.Decode(&o); err != nil {
				close(outcomes)
				return
			}
			o.at = time.Now()
			outcomes <- o
		}
	}()
	// The listener prints "Listening" once the monitor is open; an idle
	// monitor delivers nothing, so there is no other sign of life.
	for !strings.Contains(stderr.String(), "Listening") {
		select {
		case code := <-exited:
			t.Fatalf("voice listen exited %d before listening: %s", code, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}

	var lat, ext []float64 // ms: as the listener measured it; from the playback's end
	var skipped *voiceOutcome
	for i, l := range script {
		play := exec.CommandContext(ctx, "paplay", "-d", "vsink", wavs[i])
		if b, err := play.CombinedOutput(); err != nil {
			t.Fatalf("paplay: %v: %s", err, b)
		}
		// paplay returns once the sink has played the file: the speech
		// ended the file's trailing silence earlier.
		speechEnd := time.Now().Add(-tails[i])
		var got []voiceOutcome
		deadline := time.After(5 * time.Second)
	collect:
		for {
			select {
			case o, ok := <-outcomes:
				if !ok {
					break collect
				}
				got = append(got, o)
				if o.Intent != "" || o.Ignored != "" {
					// One utterance per clip; wait briefly for a split one.
					deadline = time.After(300 * time.Millisecond)
				}
			case <-deadline:
				break collect
			}
		}
		var acted []voiceOutcome
		for _, o := range got {
			if o.Intent != "" && o.Ignored == "" {
				acted = append(acted, o)
			}
		}
		t.Logf("%q (%s, %d wpm) → %+v", l.text, l.voice, l.speed, got)
		switch {
		case l.want == "" && len(acted) > 0:
			t.Errorf("%q did %+v, want nothing", l.text, acted)
		case l.want != "" && (len(acted) != 1 || acted[0].Intent != l.want):
			t.Errorf("%q did %+v, want one %s", l.text, got, l.want)
		case l.want != "":
			o := acted[0]
			lat = append(lat, float64(o.LatencyMS))
			ext = append(ext, float64(o.at.Sub(speechEnd).Milliseconds()))
			if o.Intent == backend.IntentSkip {
				skipped = &o
			}
		}
	}
	select {
	case code := <-exited:
		if code != 0 {
			t.Errorf("voice listen exited %d: %s", code, stderr.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal(`voice listen did not end on "stop listening"`)
	}

	// The store: the first move is skipped, by voice.
	if skipped == nil || skipped.MoveID != first {
		t.Fatalf("skip outcome = %+v, want move %d", skipped, first)
	}
	st, err := store.Open(filepath.Join(dir, "demo.db"), store.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.View(ctx, func(tx backend.Tx) error {
		m, err := tx.FindMove(first)
		if err != nil {
			return err
		}
		if m.Status != backend.StatusSkipped {
			t.Errorf("move %d is %s, want skipped", first, m.Status)
		}
		entries, _, err := tx.FindAudit(backend.AuditFilter{MoveID: &first})
		if err != nil {
			return err
		}
		for _, e := range entries {
			if e.MoveID == first && e.To == backend.StatusSkipped {
				if e.Actor != backend.ActorVoice {
					t.Errorf("skip recorded as done by %q, want voice", e.Actor)
				}
				return nil
			}
		}
		t.Errorf("no audit entry for skipping move %d", first)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	report := fmt.Sprintf("PulseAudio null sink → malgo → VAD → offline recognizer → intent → App (%d commands):\n"+
		"end of speech → action, as the listener measures it (from the read carrying the last speech frame): p50 %.0f ms, p95 %.0f ms\n"+
		"end of speech → outcome seen by the test (paplay's end minus the clip's trailing silence): p50 %.0f ms, p95 %.0f ms\n",
		len(lat), quantile(lat, 0.5), quantile(lat, 0.95), quantile(ext, 0.5), quantile(ext, 0.95))
	t.Log(report)
	if p := os.Getenv("CASEYOS_VOICE_LATENCY_REPORT"); p != "" {
		if err := os.WriteFile(p, []byte(report), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// trailingSilence is how long pcm is quiet after its last loud frame.
func trailingSilence(pcm []int16) time.Duration {
	peak := 0.0
	for i := 0; i+160 <= len(pcm); i += 160 {
		peak = math.Max(peak, vad.Energy(pcm[i:i+160]))
	}
	last := 0
	for i := 0; i+160 <= len(pcm); i += 160 {
		if vad.Energy(pcm[i:i+160]) > peak-40 {
			last = i + 160
		}
	}
	return time.Duration(len(pcm)-last) * time.Second / 16000
}

func quantile(v []float64, q float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

// lockedBuffer is a bytes.Buffer safe for concurrent use.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *lockedBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *lockedBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
