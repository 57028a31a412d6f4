package app

import "github.com/caseyos/caseyos/backend"

// VoiceService is bound for voice control (the voice store): the listener's
// status, start, stop and push-to-talk. It runs on the App's core and is bound as
// VoiceService.<Method> in the window and served as POST
// /api/VoiceService.<Method> (docs/api.md).
type VoiceService struct{ a *App }

// VoiceStatus returns the voice session's state.
func (svc *VoiceService) VoiceStatus() (VoiceStatusDTO, error) { return svc.a.voiceStatus(), nil }

// VoiceStart opens the microphone (device "" is the default) and listens
// in mode (push_to_talk, wake or always). A missing microphone or model is
// reported in the status, not as a crash. In wake and always mode the
// voice models stay loaded until VoiceStop; in push_to_talk mode they are
// loaded while the key is down and released after (voice_lifetime.go).
func (svc *VoiceService) VoiceStart(mode, device string) (VoiceStatusDTO, error) {
	if mode == "" {
		mode = backend.ModePushToTalk
	}
	return svc.a.openListener(mode, device, false)
}

// openListener sets the mode, loads the models and opens the microphone
// unless a listener already runs. byKey: the push-to-talk key opens it,
// and it closes again when the models are released.
func (a *App) openListener(mode, device string, byKey bool) (VoiceStatusDTO, error) {
	v := a.session()
	if err := v.SetMode(mode); err != nil {
		return a.voiceStatus(), err
	}
	s := &a.voice
	s.mu.Lock()
	s.life.mode = mode
	if !byKey {
		s.life.keyOpened = false // the UI's listener now: it stays open
	}
	s.mu.Unlock()
	if _, err := a.recognizer(); err != nil {
		a.voiceIdleSoon()
		return a.voiceStatus(), err
	}
	s.mu.Lock()
	running := s.listener != nil
	s.mu.Unlock()
	if running {
		return a.voiceStatus(), nil
	}
	if s.env.Microphone == nil {
		err := backend.Errorf(backend.EUNAVAILABLE, "this build cannot capture audio")
		v.SetMic(backend.MicState(err), backend.ErrorMessage(err))
		a.voiceIdleSoon()
		return a.voiceStatus(), err
	}
	src, err := s.env.Microphone.Open(a.ctx, device)
	if err != nil {
		v.SetMic(backend.MicState(err), backend.ErrorMessage(err))
		a.voiceIdleSoon()
		return a.voiceStatus(), err
	}
	v.SetMic("", "")
	s.mu.Lock()
	s.life.keyOpened = byKey
	s.mu.Unlock()
	st := a.listen(src, liveRecognizer{a}, nil)
	a.voiceIdleSoon() // in push_to_talk mode the models wait for the key
	return st, nil
}

// VoiceStop closes the microphone.
func (svc *VoiceService) VoiceStop() (VoiceStatusDTO, error) {
	a := svc.a
	s := &a.voice
	s.mu.Lock()
	stop, done := s.stop, s.done
	s.mu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
	return a.voiceStatus(), nil
}

// VoicePushToTalk reports the push-to-talk key going down or up, with the
// move the UI has selected (0 for none). It is voice's one entry point for
// the key (the window's and the global shortcut's): down loads the models
// (in the background when the microphone is already open, so that they
// are ready when the person stops speaking) and opens the default
// microphone in push_to_talk mode when no listener runs; up lets the
// utterance be heard, and VoiceGrace later the models are released and a
// microphone the key opened is closed.
func (svc *VoiceService) VoicePushToTalk(down bool, moveID uint64) (VoiceStatusDTO, error) {
	a := svc.a
	v := a.session()
	if moveID != 0 {
		v.Focus(moveID)
	}
	s := &a.voice
	s.mu.Lock()
	s.life.talking = down
	if down && s.life.timer != nil {
		s.life.timer.Stop()
	}
	l := s.listener
	s.mu.Unlock()
	if down && l == nil {
		if st, err := a.openListener(backend.ModePushToTalk, "", true); err != nil {
			s.mu.Lock()
			s.life.talking = false
			s.mu.Unlock()
			v.PushToTalk(false)
			return st, err
		}
		s.mu.Lock()
		l = s.listener
		s.mu.Unlock()
	} else if down {
		go func() { _, _ = a.recognizer() }()
	}
	if l != nil {
		l.PushToTalk(down)
	} else {
		v.PushToTalk(down)
	}
	if !down {
		a.voiceIdleSoon()
	}
	return a.voiceStatus(), nil
}
