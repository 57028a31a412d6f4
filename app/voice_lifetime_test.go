package app

import (
	"context"
	"errors"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

// modelRecognizer stands in for the offline models: it holds a big buffer,
// as the decoder and the networks do, and fails once closed.
type modelRecognizer struct {
	mu      sync.Mutex
	weight  []byte
	closed  bool
	onClose func()
}

func (m *modelRecognizer) Recognize(context.Context, []int16) (string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return "", false, errors.New("recognizer used after Close")
	}
	return "", false, nil
}

func (m *modelRecognizer) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.closed && m.onClose != nil {
		m.onClose()
	}
	m.closed = true
	return nil
}

// quietMic is a microphone in a quiet room: silence until it is closed.
type quietMic struct {
	mu     sync.Mutex
	opened int
	open   int
}

func (q *quietMic) Devices(context.Context) ([]backend.AudioDevice, error) { return nil, nil }

func (q *quietMic) Open(context.Context, string) (backend.PCMSource, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.opened++
	q.open++
	return &quietSource{mic: q, closed: make(chan struct{})}, nil
}

func (q *quietMic) openNow() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.open
}

type quietSource struct {
	mic    *quietMic
	once   sync.Once
	closed chan struct{}
}

func (s *quietSource) Read(ctx context.Context, buf []int16) (int, error) {
	select {
	case <-ctx.Done():
		return 0, ctx.Err()
	case <-s.closed:
		return 0, errors.New("closed")
	case <-time.After(10 * time.Millisecond):
	}
	n := min(len(buf), 160)
	clear(buf[:n])
	return n, nil
}

func (s *quietSource) Close() error {
	s.once.Do(func() {
		close(s.closed)
		s.mic.mu.Lock()
		s.mic.open--
		s.mic.mu.Unlock()
	})
	return nil
}

// lifetimeFixture is an App whose offline models are counted: loads,
// closes, and whether the last one loaded is still reachable.
type lifetimeFixture struct {
	app       *App
	mic       *quietMic
	mu        sync.Mutex
	loads     int
	closes    int
	collected chan struct{} // closed when the first model is garbage collected
}

func newLifetimeApp(t *testing.T, grace time.Duration) *lifetimeFixture {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "caseyos.db"), store.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &lifetimeFixture{mic: &quietMic{}, collected: make(chan struct{})}
	env := VoiceEnv{
		Microphone: f.mic,
		Recognizer: func(string) (backend.Recognizer, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.loads++
			m := &modelRecognizer{weight: make([]byte, 32<<20), onClose: func() {
				f.mu.Lock()
				f.closes++
				f.mu.Unlock()
			}}
			if f.loads == 1 {
				runtime.SetFinalizer(m, func(*modelRecognizer) { close(f.collected) })
			}
			return m, nil
		},
	}
	f.app = New(Options{Store: db, Voice: env})
	f.app.voice.life.grace = grace
	t.Cleanup(func() {
		_, _ = f.app.bound.Voice.VoiceStop()
		f.app.shutdown()
	})
	return f
}

func (f *lifetimeFixture) loaded() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.loads
}

func (f *lifetimeFixture) firstClosed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closes >= 1
}

func (f *lifetimeFixture) status(t *testing.T) VoiceStatusDTO {
	t.Helper()
	st, err := f.app.bound.Voice.VoiceStatus()
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func waitUntil(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, within)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// At rest — the window loaded, the voice status asked for, voice never
// turned on — no model is loaded.
func TestApp_VoiceModels_NotLoadedAtRest(t *testing.T) {
	f := newLifetimeApp(t, 20*time.Millisecond)
	st := f.status(t)
	if st.Recognizer != "not_loaded" || st.Running {
		t.Errorf("status at rest = %+v, want not_loaded and no microphone", st)
	}
	time.Sleep(50 * time.Millisecond)
	if n := f.loaded(); n != 0 {
		t.Errorf("the models were loaded %d times at rest, want 0", n)
	}
}

// The push-to-talk key (the global shortcut's entry point, with no
// listener running) loads the models and opens the microphone; after it
// is released and the grace period passes, the decoder is closed, the
// microphone the key opened is closed, the models are garbage, and the
// next press loads them again.
func TestApp_VoiceModels_PushToTalkReleasesAfter(t *testing.T) {
	const grace = 80 * time.Millisecond
	f := newLifetimeApp(t, grace)
	st, err := f.app.bound.Voice.VoicePushToTalk(true, 0)
	if err != nil {
		t.Fatalf("VoicePushToTalk(down): %v", err)
	}
	if st.Recognizer != "ready" || !st.Running || st.State != backend.VoiceListening {
		t.Fatalf("status with the key down = %+v, want ready, listening, microphone open", st)
	}
	if n := f.loaded(); n != 1 {
		t.Fatalf("%d loads with the key down, want 1", n)
	}
	// Held well past the grace period: still loaded.
	time.Sleep(3 * grace)
	if f.firstClosed() || f.status(t).Recognizer != "ready" {
		t.Fatalf("the models were released while the key was down: %+v", f.status(t))
	}
	released := time.Now()
	if _, err := f.app.bound.Voice.VoicePushToTalk(false, 0); err != nil {
		t.Fatalf("VoicePushToTalk(up): %v", err)
	}
	waitUntil(t, "models released after the key went up", 5*time.Second, f.firstClosed)
	if d := time.Since(released); d < grace {
		t.Errorf("released %v after the key went up, before the %v grace period", d, grace)
	}
	waitUntil(t, "status not_loaded and the key's microphone closed", 5*time.Second, func() bool {
		st := f.status(t)
		return st.Recognizer == "not_loaded" && !st.Running && f.mic.openNow() == 0
	})
	// Every reference is dropped: the model is collected.
	deadline := time.Now().Add(5 * time.Second)
	for done := false; !done; {
		runtime.GC()
		select {
		case <-f.collected:
			done = true
		case <-time.After(20 * time.Millisecond):
			if time.Now().After(deadline) {
				t.Fatal("the released model is still reachable: a reference to it was kept")
			}
		}
	}
	if f.app.voice.life.releases != 1 {
		t.Errorf("%d releases, want 1", f.app.voice.life.releases)
	}
	// The next press loads them again.
	if st, err := f.app.bound.Voice.VoicePushToTalk(true, 0); err != nil || st.Recognizer != "ready" {
		t.Fatalf("second press = %+v, %v; want the models loaded again", st, err)
	}
	if n := f.loaded(); n != 2 {
		t.Errorf("%d loads after the second press, want 2", n)
	}
}

// In wake mode voice is on while the listener runs: the models stay
// loaded however long it waits, and go after VoiceStop.
func TestApp_VoiceModels_WakeModeKeepsThemUntilStop(t *testing.T) {
	const grace = 40 * time.Millisecond
	f := newLifetimeApp(t, grace)
	if _, err := f.app.bound.Voice.VoiceStart(backend.ModeWake, ""); err != nil {
		t.Fatalf("VoiceStart(wake): %v", err)
	}
	time.Sleep(5 * grace)
	if st := f.status(t); st.Recognizer != "ready" || !st.Running || f.firstClosed() {
		t.Fatalf("status in wake mode after %v = %+v; want the models loaded", 5*grace, st)
	}
	if _, err := f.app.bound.Voice.VoiceStop(); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "models released after VoiceStop", 5*time.Second, f.firstClosed)
	if st := f.status(t); st.Recognizer != "not_loaded" {
		t.Errorf("status after VoiceStop = %+v, want not_loaded", st)
	}
}

// The window's microphone button (VoiceStart in push_to_talk mode) keeps
// the microphone open, but the models are loaded only around a press.
func TestApp_VoiceModels_WindowPushToTalkKeepsMicrophone(t *testing.T) {
	const grace = 40 * time.Millisecond
	f := newLifetimeApp(t, grace)
	if _, err := f.app.bound.Voice.VoiceStart(backend.ModePushToTalk, ""); err != nil {
		t.Fatalf("VoiceStart: %v", err)
	}
	for _, down := range []bool{true, false} {
		if _, err := f.app.bound.Voice.VoicePushToTalk(down, 0); err != nil {
			t.Fatal(err)
		}
	}
	waitUntil(t, "models released after the press", 5*time.Second, f.firstClosed)
	st := f.status(t)
	if st.Recognizer != "not_loaded" || !st.Running || f.mic.openNow() != 1 {
		t.Errorf("status = %+v with %d microphones open; want not_loaded, the window's microphone still open", st, f.mic.openNow())
	}
	// A press on the open microphone loads them again in the background.
	if _, err := f.app.bound.Voice.VoicePushToTalk(true, 0); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "models loaded again on the next press", 5*time.Second, func() bool { return f.loaded() == 2 })
}
