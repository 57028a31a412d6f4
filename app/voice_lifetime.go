package app

import (
	"io"
	"runtime/debug"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// The voice models are the biggest thing the App can hold (pocketsphinx's
// decoder and the keyword classifier's networks: tens of MB), and a
// menu-bar app stays open all day. So they are loaded only while voice is
// on — from the push-to-talk key going down until its utterance is heard,
// or while a listener runs in wake or always mode — and released
// VoiceGrace after voice was last needed: the decoder is closed, the
// references dropped and the memory handed back to the OS. The next press
// loads them again (in the background, while the person speaks).

// VoiceGrace is how long the models stay loaded after voice was last
// needed: presses a few seconds apart do not reload them each time.
const VoiceGrace = 15 * time.Second

// voiceLife is the models' lifetime state, guarded by voiceService.mu.
type voiceLife struct {
	grace     time.Duration // 0: VoiceGrace (tests shorten it)
	mode      string        // the running listener's mode
	talking   bool          // the push-to-talk key is down
	busy      int           // utterances being recognized
	keyOpened bool          // the running listener was opened by the key, not by VoiceStart
	timer     *time.Timer
	loads     int // times the offline recognizer was loaded
	releases  int // times the models were released
}

// needed says whether voice is on: the key is down, an utterance is being
// heard, or a listener waits for the wake phrase or listens always.
func (s *voiceService) needed() bool {
	l := &s.life
	return l.talking || l.busy > 0 || (s.listener != nil && l.mode != backend.ModePushToTalk)
}

// voiceIdleSoon (re)arms the release for the grace period from now. When
// it fires and voice is needed again, nothing happens: whatever ends that
// need arms it again.
func (a *App) voiceIdleSoon() {
	s := &a.voice
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.life.timer != nil {
		s.life.timer.Stop()
	}
	grace := s.life.grace
	if grace <= 0 {
		grace = VoiceGrace
	}
	s.life.timer = time.AfterFunc(grace, func() {
		if a.ctx.Err() == nil {
			a.releaseVoice()
		}
	})
}

// releaseVoice drops the voice models when voice is not needed, and closes
// the microphone the push-to-talk key opened. It says whether it released
// anything.
func (a *App) releaseVoice() bool {
	s := &a.voice
	s.mu.Lock()
	// Only a loaded offline recognizer is worth releasing: a model that
	// failed to load holds nothing, and its reason stays in the status.
	if s.needed() || s.off == nil {
		s.mu.Unlock()
		return false
	}
	off := s.off
	var stop func()
	var done chan struct{}
	if s.listener != nil && s.life.keyOpened {
		stop, done = s.stop, s.done
	}
	s.off, s.offErr, s.offRan, s.recs = nil, nil, false, nil
	s.life.releases++
	s.mu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
	if c, ok := off.(io.Closer); ok {
		_ = c.Close() // the decoder's C memory
	}
	// The networks and the decoder's Go side are garbage now: collect them
	// and return the pages, or the process keeps its high-water mark.
	debug.FreeOSMemory()
	a.publishVoice()
	return true
}

// startUtterance and endUtterance bracket one recognition by the App's
// listener, so that the models are not released under it.
func (a *App) startUtterance() {
	s := &a.voice
	s.mu.Lock()
	s.life.busy++
	s.mu.Unlock()
}

func (a *App) endUtterance() {
	s := &a.voice
	s.mu.Lock()
	s.life.busy--
	managed := s.listener != nil
	s.mu.Unlock()
	if managed {
		a.voiceIdleSoon()
	}
}
