//go:build sphinx && cgo

package voice_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/backend/voicetest"
	"github.com/caseyos/caseyos/connectors/kws"
	"github.com/caseyos/caseyos/connectors/sphinx"
	"github.com/caseyos/caseyos/connectors/sphinx/sphinxtest"
	"github.com/caseyos/caseyos/connectors/voice"
)

// realTime is a PCMSource that delivers its audio no faster than it was
// spoken, as a microphone does.
type realTime struct {
	pcm   []int16
	start time.Time
	pos   int
}

func (r *realTime) Read(ctx context.Context, p []int16) (int, error) {
	if r.start.IsZero() {
		r.start = time.Now()
	}
	if r.pos >= len(r.pcm) {
		return 0, context.Canceled // ends Run like a closed microphone
	}
	n := min(len(p), len(r.pcm)-r.pos)
	select {
	case <-time.After(time.Until(r.start.Add(time.Duration(r.pos+n) * time.Second / 16000))):
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	copy(p, r.pcm[r.pos:r.pos+n])
	r.pos += n
	return n, nil
}
func (r *realTime) Close() error { return nil }

// asLocal says whether the recognizer it wraps may be asked before the
// hangover has closed an utterance.
type asLocal struct {
	backend.Recognizer
	local bool
}

func (a asLocal) Local() bool { return a.local }

// BenchmarkListener_EndOfSpeechToAction plays six flite commands in real
// time into a Listener with the shipped offline recognizer (the keyword
// classifier, its answers put to pocketsphinx's decoy pass, then
// pocketsphinx) and reports the time from the end of each command's speech
// to its outcome, p50 and p95 over all of them: "Overlapped" decodes during
// the hangover as the App does offline, "AfterHangover" only once the
// hangover has closed the utterance, as with an online endpoint. It needs
// the voice tier's tools and models (make voice-test-deps voice-models):
//
//	go test -tags sphinx -run '^$' -bench EndOfSpeechToAction -benchtime 2x ./connectors/voice/
func BenchmarkListener_EndOfSpeechToAction(b *testing.B) {
	if err := sphinxtest.Check(); err != nil {
		b.Skip(err)
	}
	dir := os.Getenv(kws.ModelsEnv)
	if dir == "" {
		dir = filepath.Join("..", "build", "kws-models")
	}
	k, err := kws.New(kws.Config{ModelDir: dir})
	if err != nil {
		b.Skip(err)
	}
	s, err := sphinx.New(sphinx.Config{})
	if err != nil {
		b.Skip(err)
	}
	defer s.Close()
	shipped := voice.ClassifierFirst(k, s)
	var pcm []int16
	commands := []string{"next", "previous", "skip", "undo", "next", "previous"}
	for _, c := range commands {
		p, err := sphinxtest.Speak(context.Background(), b.TempDir(), c, "flite:slt", 165)
		if err != nil {
			b.Fatal(err)
		}
		pcm = append(append(pcm, p...), make([]int16, 8000)...)
	}
	for _, tt := range []struct {
		name  string
		local bool
	}{{"Overlapped", true}, {"AfterHangover", false}} {
		b.Run(tt.name, func(b *testing.B) {
			var lat []time.Duration
			for range b.N {
				v, _, _, _ := voicetest.NewVoice(b)
				heard := 0
				l := &voice.Listener{Voice: v, Recognizer: asLocal{shipped, tt.local}, OnOutcome: func(o backend.VoiceOutcome, d time.Duration) {
					if o.Intent != "" {
						heard++
					}
					lat = append(lat, d)
				}}
				l.Run(context.Background(), &realTime{pcm: pcm}) //nolint:errcheck // ends with the audio
				if heard != len(commands) {
					b.Fatalf("heard %d of %d commands", heard, len(commands))
				}
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ms-p50")
			b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "ms-p95")
			b.ReportMetric(0, "ns/op")
		})
	}
}
