package voice_test

import (
	"context"
	"errors"
	"math"
	"math/rand"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/voice"
	"github.com/caseyos/caseyos/connectors/voice/denoise"
	"github.com/caseyos/caseyos/connectors/voice/vad"
)

// transient is an unavailable failure with a wait, as connectors make them.
func transient(wait time.Duration) error {
	return &backend.Error{Code: backend.EUNAVAILABLE, Message: "the endpoint cannot be reached", Err: waitErr{wait}}
}

type waitErr struct{ d time.Duration }

func (e waitErr) Error() string             { return "rate limited" }
func (e waitErr) RetryAfter() time.Duration { return e.d }

// fakeRecognizer is a recognizer that answers what it is told and counts calls.
type fakeRecognizer struct {
	mu    sync.Mutex
	text  string
	ok    bool
	err   error
	calls int
}

func (s *fakeRecognizer) Recognize(ctx context.Context, _ []int16) (string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if err := ctx.Err(); err != nil {
		return "", false, err
	}
	return s.text, s.ok, s.err
}

func (s *fakeRecognizer) set(text string, ok bool, err error) {
	s.mu.Lock()
	s.text, s.ok, s.err = text, ok, err
	s.mu.Unlock()
}

func (s *fakeRecognizer) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

func TestFallbackRecognizer_Recognition(t *testing.T) {
	ctx := context.Background()
	t.Run("OK_Online", func(t *testing.T) {
		on, off := &fakeRecognizer{text: "Skip.", ok: true}, &fakeRecognizer{text: "next", ok: true}
		f := &voice.FallbackRecognizer{Online: on, Offline: off}
		r, err := f.Recognition(ctx, nil)
		if err != nil || r.Text != "Skip." || !r.OK || r.By != backend.RecognizerOnline || off.count() != 0 {
			t.Errorf("Recognition = %+v, %v with %d offline calls; want online's answer alone", r, err, off.count())
		}
	})
	// Dictation that is not a command is the answer: the grammar would
	// only force the same sound into a command.
	t.Run("OK_OnlineRejects", func(t *testing.T) {
		on, off := &fakeRecognizer{text: "skip lunch"}, &fakeRecognizer{text: "skip", ok: true}
		f := &voice.FallbackRecognizer{Online: on, Offline: off}
		text, ok, err := f.Recognize(ctx, nil)
		if err != nil || ok || text != "skip lunch" || off.count() != 0 {
			t.Errorf("Recognize = %q, %v, %v with %d offline calls; want the rejection, offline not asked", text, ok, err, off.count())
		}
	})
	for _, tt := range []struct {
		name  string
		err   error
		state string
	}{
		{"Transient", transient(2 * time.Second), backend.OnlineUnreachable},
		{"WrongKey", backend.Errorf(backend.EUNAUTHORIZED, "the endpoint refused the API key"), backend.OnlineUnauthorized},
		{"NoQuota", backend.Errorf(backend.EUNAVAILABLE, "no quota left"), backend.OnlineRefused},
	} {
		t.Run("Fallback_"+tt.name, func(t *testing.T) {
			clock := backend.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
			on, off := &fakeRecognizer{err: tt.err}, &fakeRecognizer{text: "skip", ok: true}
			var seen []backend.OnlineStatus
			f := &voice.FallbackRecognizer{Online: on, Offline: off, Clock: clock, OnChange: func(s backend.OnlineStatus) { seen = append(seen, s) }}
			r, err := f.Recognition(ctx, nil)
			if err != nil || r.Text != "skip" || !r.OK || r.By != backend.RecognizerOffline || r.OnlineErr == nil {
				t.Fatalf("Recognition = %+v, %v; want offline's answer and online's failure", r, err)
			}
			st := f.Status()
			if st.State != tt.state || st.Message != backend.ErrorMessage(tt.err) || st.Code != backend.ErrorCode(tt.err) {
				t.Errorf("Status = %+v, want %s with the failure's message", st, tt.state)
			}
			if len(seen) != 1 || seen[0].State != tt.state {
				t.Errorf("OnChange saw %+v, want one %s", seen, tt.state)
			}
			// While it rests, the next utterance goes straight offline.
			r, _ = f.Recognition(ctx, nil)
			if on.count() != 1 || r.By != backend.RecognizerOffline || !r.Skipped {
				t.Errorf("second utterance: %+v after %d online calls; want offline without asking online", r, on.count())
			}
			// After the pause, online is asked again, and an answer clears the trouble.
			clock.Advance(voice.DefaultProblemPause)
			on.set("next", true, nil)
			r, _ = f.Recognition(ctx, nil)
			if on.count() != 2 || r.By != backend.RecognizerOnline || f.Status().State != backend.OnlineReady {
				t.Errorf("after the pause: %+v, status %+v; want online to answer again", r, f.Status())
			}
			if len(seen) != 2 || seen[1].State != backend.OnlineReady {
				t.Errorf("OnChange saw %+v, want the recovery", seen)
			}
		})
	}
	t.Run("PauseFollowsRetryAfter", func(t *testing.T) {
		clock := backend.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
		on, off := &fakeRecognizer{err: transient(3 * time.Second)}, &fakeRecognizer{text: "skip", ok: true}
		f := &voice.FallbackRecognizer{Online: on, Offline: off, Clock: clock}
		f.Recognize(ctx, nil)
		if got := f.Status().Until.Sub(clock.Now()); got != 3*time.Second {
			t.Errorf("rests %v, want the 3s the failure asked for", got)
		}
		on.set("", false, transient(time.Hour))
		clock.Advance(3 * time.Second)
		f.Recognize(ctx, nil)
		if got := f.Status().Until.Sub(clock.Now()); got != voice.DefaultTransientPause {
			t.Errorf("rests %v, want at most %v for a transient failure", got, voice.DefaultTransientPause)
		}
	})
	t.Run("ErrNoOffline", func(t *testing.T) {
		fail := transient(time.Second)
		on := &fakeRecognizer{err: fail}
		f := &voice.FallbackRecognizer{Online: on}
		for range 2 {
			if _, _, err := f.Recognize(ctx, nil); !errors.Is(err, fail) {
				t.Errorf("err = %v, want online's failure", err)
			}
		}
		if on.count() != 2 {
			t.Errorf("online asked %d times, want every time: there is nothing else", on.count())
		}
	})
	t.Run("ErrBothFail", func(t *testing.T) {
		offErr := backend.Errorf(backend.EINTERNAL, "decoder broke")
		f := &voice.FallbackRecognizer{Online: &fakeRecognizer{err: transient(time.Second)}, Offline: &fakeRecognizer{err: offErr}}
		r, err := f.Recognition(ctx, nil)
		if !errors.Is(err, offErr) || r.OnlineErr == nil {
			t.Errorf("Recognition = %+v, %v; want offline's error and online's noted", r, err)
		}
	})
	// The caller giving up is nobody's failure: no fallback, no trouble.
	t.Run("ErrCancelled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		off := &fakeRecognizer{text: "skip", ok: true}
		f := &voice.FallbackRecognizer{Online: &fakeRecognizer{}, Offline: off}
		if _, _, err := f.Recognize(cctx, nil); !errors.Is(err, context.Canceled) || off.count() != 0 || f.Status().State != backend.OnlineReady {
			t.Errorf("err = %v, %d offline calls, status %+v; want the cancellation alone", err, off.count(), f.Status())
		}
	})
}

func TestFirstHeard(t *testing.T) {
	ctx := context.Background()
	boom := backend.Errorf(backend.EUNAVAILABLE, "model gone")
	cases := []struct {
		name      string
		recs      []*fakeRecognizer
		text      string
		ok        bool
		err       error
		wantCalls []int
	}{
		{"first hears", []*fakeRecognizer{{text: "skip", ok: true}, {text: "next", ok: true}}, "skip", true, nil, []int{1, 0}},
		{"second hears", []*fakeRecognizer{{}, {text: "next", ok: true}}, "next", true, nil, []int{1, 1}},
		{"neither", []*fakeRecognizer{{}, {}}, "", false, nil, []int{1, 1}},
		{"failure then command", []*fakeRecognizer{{err: boom}, {text: "undo", ok: true}}, "undo", true, nil, []int{1, 1}},
		{"failure then rejection", []*fakeRecognizer{{err: boom}, {}}, "", false, nil, []int{1, 1}},
		{"all fail", []*fakeRecognizer{{err: boom}, {err: errors.New("other")}}, "", false, boom, []int{1, 1}},
		{"none", nil, "", false, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var f voice.FirstHeard
			for _, r := range c.recs {
				f = append(f, r)
			}
			text, ok, err := f.Recognize(ctx, nil)
			if text != c.text || ok != c.ok || !errors.Is(err, c.err) {
				t.Fatalf("got %q %v %v, want %q %v %v", text, ok, err, c.text, c.ok, c.err)
			}
			for i, r := range c.recs {
				if r.calls != c.wantCalls[i] {
					t.Errorf("recognizer %d asked %d times, want %d", i, r.calls, c.wantCalls[i])
				}
			}
		})
	}
	t.Run("cancelled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		second := &fakeRecognizer{text: "skip", ok: true}
		_, ok, err := voice.FirstHeard{&fakeRecognizer{text: "next", ok: true}, second}.Recognize(cctx, nil)
		if ok || !errors.Is(err, context.Canceled) || second.calls != 0 {
			t.Fatalf("cancelled: ok %v err %v, second asked %d times", ok, err, second.calls)
		}
	})
}

// fakeVetoer vetoes the commands in its map, with the word it heard instead.
type fakeVetoer struct {
	instead map[string]string
	err     error
	asked   []string
}

func (f *fakeVetoer) Veto(ctx context.Context, _ []int16, command string) (string, error) {
	f.asked = append(f.asked, command)
	if err := ctx.Err(); err != nil {
		return "", err
	}
	return f.instead[command], f.err
}

func TestVetoed(t *testing.T) {
	ctx := context.Background()
	boom := backend.Errorf(backend.EINTERNAL, "decoding failed")
	cases := []struct {
		name  string
		rec   *fakeRecognizer
		veto  *fakeVetoer
		text  string
		ok    bool
		err   error
		asked int
	}{
		{"stands", &fakeRecognizer{text: "skip", ok: true}, &fakeVetoer{instead: map[string]string{"next": "nexus"}}, "skip", true, nil, 1},
		{"vetoed", &fakeRecognizer{text: "skip", ok: true}, &fakeVetoer{instead: map[string]string{"skip": "skipping"}}, "", false, nil, 1},
		{"veto fails", &fakeRecognizer{text: "skip", ok: true}, &fakeVetoer{instead: map[string]string{"skip": "skipping"}, err: boom}, "skip", true, nil, 1},
		{"rejection not asked", &fakeRecognizer{}, &fakeVetoer{}, "", false, nil, 0},
		{"error not asked", &fakeRecognizer{err: boom}, &fakeVetoer{}, "", false, boom, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text, ok, err := voice.Vetoed{Recognizer: c.rec, Vetoer: c.veto}.Recognize(ctx, nil)
			if text != c.text || ok != c.ok || !errors.Is(err, c.err) {
				t.Fatalf("got %q %v %v, want %q %v %v", text, ok, err, c.text, c.ok, c.err)
			}
			if len(c.veto.asked) != c.asked {
				t.Errorf("vetoer asked %v, want %d times", c.veto.asked, c.asked)
			}
		})
	}
	t.Run("no vetoer", func(t *testing.T) {
		text, ok, err := voice.Vetoed{Recognizer: &fakeRecognizer{text: "undo", ok: true}}.Recognize(ctx, nil)
		if text != "undo" || !ok || err != nil {
			t.Fatalf("got %q %v %v", text, ok, err)
		}
	})
}

// grammarFake is a grammar recognizer with a veto: pocketsphinx's shape.
// fakeClassifier answers text with probability p, as the keyword
// classifier does: from 0.98 on, or from WithThreshold's; veto holds its
// vetoes of other recognizers' commands.
type fakeClassifier struct {
	text  string
	p     float64
	veto  fakeVetoer
	calls int
}

func (f *fakeClassifier) at(th float64) (string, bool) {
	f.calls++
	if f.text == "" || f.p < th {
		return "", false
	}
	return f.text, true
}

func (f *fakeClassifier) Recognize(context.Context, []int16) (string, bool, error) {
	text, ok := f.at(0.98)
	return text, ok, nil
}

func (f *fakeClassifier) Veto(ctx context.Context, pcm []int16, command string) (string, error) {
	return f.veto.Veto(ctx, pcm, command)
}

func (f *fakeClassifier) WithThreshold(th float64) backend.Recognizer {
	return recFunc(func() (string, bool) { return f.at(th) })
}

type recFunc func() (string, bool)

func (f recFunc) Recognize(context.Context, []int16) (string, bool, error) {
	text, ok := f()
	return text, ok, nil
}

// fakeGrammar is pocketsphinx's grammar: its own answer, its vetoes and
// the commands it confirms.
type fakeGrammar struct {
	*fakeRecognizer
	*fakeVetoer
	confirms  map[string]bool
	confirmed []string
}

func (g *fakeGrammar) Confirm(_ context.Context, _ []int16, command string) (bool, error) {
	g.confirmed = append(g.confirmed, command)
	return g.confirms[command], nil
}

func TestClassifierFirst(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name         string
		text         string  // the classifier's likeliest command
		p            float64 // and its probability
		veto         map[string]string
		confirms     map[string]bool
		classifierNo map[string]string // the classifier's vetoes
		want         string
		grammarRan   int
		vetoAsk      []string // the commands put to the classifier's veto
	}{
		{"classifier sure", "skip", 0.99, nil, nil, nil, "skip", 0, nil},
		{"vetoed: the grammar decides", "skip", 0.99, map[string]string{"skip": "skipping"}, nil, nil, "next", 1, []string{"next"}},
		{"classifier unsure, the grammar confirms", "skip", 0.93, nil, map[string]bool{"skip": true}, nil, "skip", 0, nil},
		{"classifier unsure, the grammar does not confirm", "skip", 0.93, nil, map[string]bool{"next": true}, nil, "next", 1, []string{"next"}},
		{"classifier under AgreeAt: no agreement", "skip", 0.85, nil, map[string]bool{"skip": true}, nil, "next", 1, []string{"next"}},
		{"classifier rejects: the grammar decides", "", 0, nil, nil, nil, "next", 1, []string{"next"}},
		{"classifier rejects and vetoes the grammar's", "", 0, nil, nil, map[string]string{"next": "none"}, "", 1, []string{"next"}},
		{"both vetoed", "skip", 0.99, map[string]string{"skip": "skipping"}, nil, map[string]string{"next": "none"}, "", 1, []string{"next"}},
		{"the classifier's veto of another command", "", 0, nil, nil, map[string]string{"skip": "none"}, "next", 1, []string{"next"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := &fakeGrammar{fakeRecognizer: &fakeRecognizer{text: "next", ok: true}, fakeVetoer: &fakeVetoer{instead: c.veto}, confirms: c.confirms}
			k := &fakeClassifier{text: c.text, p: c.p, veto: fakeVetoer{instead: c.classifierNo}}
			text, ok, err := voice.ClassifierFirst(k, g).Recognize(ctx, nil)
			if text != c.want || ok != (c.want != "") || err != nil {
				t.Fatalf("got %q %v %v, want %q", text, ok, err, c.want)
			}
			if g.fakeRecognizer.calls != c.grammarRan {
				t.Errorf("grammar recognized %d times, want %d", g.fakeRecognizer.calls, c.grammarRan)
			}
			if !slices.Equal(k.veto.asked, c.vetoAsk) {
				t.Errorf("the classifier was asked to veto %q, want %q", k.veto.asked, c.vetoAsk)
			}
			// A command the classifier heard from AgreeAt and did not answer
			// with (unsure, or vetoed) is put to the grammar to confirm.
			if wantConfirm := c.text != "" && c.p >= voice.AgreeAt && (c.p < 0.98 || c.veto != nil); wantConfirm != (len(g.confirmed) == 1) || len(g.confirmed) > 1 {
				t.Errorf("the grammar was asked to confirm %q", g.confirmed)
			}
		})
	}
}

func TestUnconfirmed(t *testing.T) {
	ctx := context.Background()
	boom := errors.New("boom")
	for _, c := range []struct {
		name     string
		rec      *fakeRecognizer
		confirms map[string]bool
		err      error
		want     string
	}{
		{"confirmed", &fakeRecognizer{text: "skip", ok: true}, map[string]bool{"skip": true}, nil, "skip"},
		{"not confirmed", &fakeRecognizer{text: "skip", ok: true}, map[string]bool{"next": true}, nil, ""},
		{"the confirmer fails: a rejection", &fakeRecognizer{text: "skip", ok: true}, map[string]bool{"skip": true}, boom, ""},
		{"nothing heard: nothing asked", &fakeRecognizer{}, map[string]bool{"": true}, nil, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			conf := confirmFunc(func(command string) (bool, error) { return c.confirms[command], c.err })
			text, ok, err := voice.Vetoed{Recognizer: c.rec, Vetoer: voice.Unconfirmed{Confirmer: conf}}.Recognize(ctx, nil)
			if text != c.want || ok != (c.want != "") || err != nil {
				t.Errorf("got %q %v %v, want %q", text, ok, err, c.want)
			}
		})
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	conf := confirmFunc(func(string) (bool, error) { return false, context.Canceled })
	if _, ok, err := (voice.Vetoed{Recognizer: &fakeRecognizer{text: "skip", ok: true}, Vetoer: voice.Unconfirmed{Confirmer: conf}}).Recognize(canceled, nil); ok || !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: got %v %v, want context.Canceled", ok, err)
	}
}

type confirmFunc func(command string) (bool, error)

func (f confirmFunc) Confirm(_ context.Context, _ []int16, command string) (bool, error) {
	return f(command)
}

// heardBy records the audio each of its calls was given.
type heardBy struct {
	text  string
	ok    bool
	veto  string
	heard [][]int16
}

func (h *heardBy) Recognize(_ context.Context, pcm []int16) (string, bool, error) {
	h.heard = append(h.heard, pcm)
	return h.text, h.ok, nil
}

func (h *heardBy) Veto(_ context.Context, pcm []int16, _ string) (string, error) {
	h.heard = append(h.heard, pcm)
	return h.veto, nil
}

func (h *heardBy) Confirm(_ context.Context, pcm []int16, _ string) (bool, error) {
	h.heard = append(h.heard, pcm)
	return false, nil
}

func (h *heardBy) WithThreshold(float64) backend.Recognizer { return h }

// TestClassifierFirst_GrammarHearsCleaned: the grammar's veto and its own
// decode get the utterance the VAD cut without the tail it filled in and
// with the noise taken out; the classifier gets the utterance as it came.
func TestClassifierFirst_GrammarHearsCleaned(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	stream := make([]int16, 32000)
	for i := range stream {
		stream[i] = int16(rng.NormFloat64() * 300)
		if i > 8000 && i < 16000 {
			stream[i] += int16(6000 * math.Sin(2*math.Pi*440*float64(i)/16000))
		}
	}
	us := vad.New(vad.Config{}).Write(stream)
	if len(us) != 1 {
		t.Fatalf("the VAD cut %d utterances, want 1", len(us))
	}
	pcm := us[0].PCM
	heard := vad.Heard(pcm)
	want := denoise.Clean(heard)
	if len(heard) >= len(pcm) || slices.Equal(want, heard) {
		t.Fatal("neither the tail nor the noise was taken out: the test cannot tell who heard what")
	}
	classifier := &heardBy{text: "skip", ok: true}
	grammar := &heardBy{text: "next", ok: true, veto: "skipping"}
	// The classifier hears it as it came for its second answer (from
	// AgreeAt, which the grammar does not confirm) and its veto of the
	// grammar's next too.
	text, ok, err := voice.ClassifierFirst(classifier, grammar).Recognize(context.Background(), pcm)
	if text != "next" || !ok || err != nil {
		t.Fatalf("got %q %v %v, want the grammar's next after its veto", text, ok, err)
	}
	if len(classifier.heard) != 3 {
		t.Fatalf("the classifier was asked %d times, want two decodes and a veto", len(classifier.heard))
	}
	for i, h := range classifier.heard {
		if !slices.Equal(h, pcm) {
			t.Errorf("call %d of the classifier did not hear the utterance as it came", i+1)
		}
	}
	if len(grammar.heard) != 3 {
		t.Fatalf("the grammar was asked %d times, want a veto, a confirmation and a decode", len(grammar.heard))
	}
	for i, h := range grammar.heard {
		if !slices.Equal(h, want) {
			t.Errorf("call %d of the grammar did not hear the cleaned utterance", i+1)
		}
	}
}
