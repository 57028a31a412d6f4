package voice_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/backend/voicetest"
	"github.com/caseyos/caseyos/connectors/voice"
)

type pcmSource struct{ pcm []int16 }

func (s *pcmSource) Read(ctx context.Context, p []int16) (int, error) {
	if len(s.pcm) == 0 {
		return 0, io.EOF
	}
	n := copy(p, s.pcm)
	s.pcm = s.pcm[n:]
	return n, nil
}
func (s *pcmSource) Close() error { return nil }

type scripted struct {
	replies []string
	calls   int
}

func (s *scripted) Recognize(_ context.Context, pcm []int16) (string, bool, error) {
	s.calls++
	if len(s.replies) == 0 {
		return "", false, nil
	}
	r := s.replies[0]
	s.replies = s.replies[1:]
	if strings.HasPrefix(r, "!") {
		return r[1:], false, nil
	}
	return r, true, nil
}

func burst(ms int, amp int16) []int16 {
	out := make([]int16, ms*16)
	for i := range out {
		if i%20 < 10 {
			out[i] = amp
		} else {
			out[i] = -amp
		}
	}
	return out
}

func TestListener_Run(t *testing.T) {
	v, target, _, _ := voicetest.NewVoice(t)
	v.Focus(2)
	var pcm []int16
	quiet := make([]int16, 16000/2)
	for i := 0; i < 3; i++ {
		pcm = append(append(pcm, quiet...), burst(400, 4000)...)
	}
	pcm = append(pcm, quiet...)
	pcm = append(append(pcm, burst(5000, 4000)...), quiet...) // too long: never reaches the recognizer
	rec := &scripted{replies: []string{"!skip", "skip", "next"}}
	var outs []backend.VoiceOutcome
	l := &voice.Listener{Voice: v, Recognizer: rec, OnOutcome: func(o backend.VoiceOutcome, _ time.Duration) { outs = append(outs, o) }}
	if err := l.Run(context.Background(), &pcmSource{pcm: pcm}); err != nil {
		t.Fatalf("Run = %v, want nil at EOF", err)
	}
	if rec.calls != 3 || len(outs) != 4 {
		t.Fatalf("recognized %d utterances, %d outcomes (%+v), want 3 and 4", rec.calls, len(outs), outs)
	}
	if outs[0].Ignored != "rejected" || outs[1].Action != "skipped" || outs[2].Action != "no more moves" || outs[3].Ignored != "too_long" {
		t.Errorf("outcomes = %+v", outs)
	}
	if len(target.Skipped) != 1 || target.Skipped[0] != 2 {
		t.Errorf("skipped %v, want [2]", target.Skipped)
	}
}

// gatedSource delivers pcm up to gate, then waits for open (at most
// timeout) before the rest: the test's stand-in for audio still to come.
type gatedSource struct {
	pcm     []int16
	gate    int
	open    chan struct{}
	timeout time.Duration
	pos     int
	opened  bool // open came before the timeout
}

func (s *gatedSource) Read(ctx context.Context, p []int16) (int, error) {
	if s.pos == s.gate && s.open != nil {
		select {
		case <-s.open:
			s.opened = true
		case <-time.After(s.timeout):
		case <-ctx.Done():
			return 0, ctx.Err()
		}
		s.open = nil
	}
	if s.pos >= len(s.pcm) {
		return 0, io.EOF
	}
	end := len(s.pcm)
	if s.pos < s.gate {
		end = s.gate
	}
	n := copy(p, s.pcm[s.pos:end])
	s.pos += n
	return n, nil
}
func (s *gatedSource) Close() error { return nil }

// localRec answers by the utterance's length and opens a gatedSource's gate
// when first asked.
type localRec struct {
	local bool
	open  chan struct{}
	reply func(samples int) string

	mu    sync.Mutex
	sizes []int // the utterances it was asked about, in samples
}

func (r *localRec) Local() bool { return r.local }

func (r *localRec) Recognize(_ context.Context, pcm []int16) (string, bool, error) {
	r.mu.Lock()
	r.sizes = append(r.sizes, len(pcm))
	r.mu.Unlock()
	select {
	case r.open <- struct{}{}:
	default:
	}
	return r.reply(len(pcm)), true, nil
}

func TestListener_DecodesDuringHangover(t *testing.T) {
	quiet := make([]int16, 8000) // 500 ms
	// 400 ms of speech ends at 900 ms; the VAD offers the utterance at
	// 1,000 ms and closes it at 1,100 ms. The source holds the audio
	// after 1,050 ms back until the recognizer is asked.
	pcm := append(append(append([]int16(nil), quiet...), burst(400, 4000)...), quiet...)
	const gate = 16800
	for _, tt := range []struct {
		name  string
		local bool
	}{{"Local", true}, {"Online", false}} {
		t.Run(tt.name, func(t *testing.T) {
			v, target, _, _ := voicetest.NewVoice(t)
			v.Focus(2)
			open := make(chan struct{}, 1)
			rec := &localRec{local: tt.local, open: open, reply: func(int) string { return "skip" }}
			src := &gatedSource{pcm: pcm, gate: gate, open: open, timeout: 300 * time.Millisecond}
			var outs []backend.VoiceOutcome
			l := &voice.Listener{Voice: v, Recognizer: rec, OnOutcome: func(o backend.VoiceOutcome, _ time.Duration) { outs = append(outs, o) }}
			if err := l.Run(context.Background(), src); err != nil {
				t.Fatal(err)
			}
			if len(outs) != 1 || outs[0].Action != "skipped" || len(target.Skipped) != 1 {
				t.Fatalf("outcomes %+v, skipped %v; want one skip", outs, target.Skipped)
			}
			// Asked once either way; a local recognizer before the hangover
			// ran out, an online one only after.
			if len(rec.sizes) != 1 {
				t.Fatalf("recognizer asked %d times (%v), want once", len(rec.sizes), rec.sizes)
			}
			if src.opened != tt.local {
				t.Errorf("recognizer asked before the hangover ended: %v, want %v", src.opened, tt.local)
			}
			// Pre-roll (150 ms, with the 60 ms start), 400 ms, the 400 ms tail.
			if n := rec.sizes[0]; n < 14500 || n > 16000 {
				t.Errorf("utterance of %d samples, want ≈ 15,200", n)
			}
		})
	}
}

func TestListener_SpeechResumesDuringHangover(t *testing.T) {
	// 150 ms of pause: the first 300 ms is offered, speech comes back, and
	// only the whole utterance's answer acts. The first burst ends at
	// 800 ms and is offered at 900; the source holds the audio after 930 ms
	// (before speech resumes at 950) back until the recognizer is asked,
	// so the withdrawn decode has started however busy the machine is.
	v, target, _, _ := voicetest.NewVoice(t)
	v.Focus(2)
	quiet := make([]int16, 8000)
	pcm := append(append([]int16(nil), quiet...), burst(300, 4000)...)
	pcm = append(append(append(pcm, make([]int16, 2400)...), burst(300, 4000)...), quiet...)
	open := make(chan struct{}, 1)
	rec := &localRec{local: true, open: open, reply: func(n int) string {
		if n < 12000 {
			return "next" // the first half alone
		}
		return "skip"
	}}
	src := &gatedSource{pcm: pcm, gate: 14880, open: open, timeout: 5 * time.Second}
	var outs []backend.VoiceOutcome
	l := &voice.Listener{Voice: v, Recognizer: rec, OnOutcome: func(o backend.VoiceOutcome, _ time.Duration) { outs = append(outs, o) }}
	if err := l.Run(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	if !src.opened {
		t.Fatal("the first half was not offered before speech resumed")
	}
	if len(outs) != 1 || outs[0].Action != "skipped" || len(target.Skipped) != 1 {
		t.Fatalf("outcomes %+v, skipped %v; want only the whole utterance's skip", outs, target.Skipped)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.sizes) != 2 || rec.sizes[0] >= rec.sizes[1] {
		t.Errorf("recognizer asked about %v samples, want the withdrawn first half, then the whole", rec.sizes)
	}
}

type failingSource struct{}

func (failingSource) Read(context.Context, []int16) (int, error) {
	return 0, backend.Errorf(backend.EUNAVAILABLE, "unplugged")
}
func (failingSource) Close() error { return nil }

func TestListener_SourceError(t *testing.T) {
	v, _, _, _ := voicetest.NewVoice(t)
	l := &voice.Listener{Voice: v, Recognizer: &scripted{}}
	if err := l.Run(context.Background(), failingSource{}); backend.ErrorCode(err) != backend.EUNAVAILABLE || errors.Is(err, io.EOF) {
		t.Errorf("Run = %v, want the source's unavailable error", err)
	}
}
