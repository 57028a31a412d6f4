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
// reported in the status, not as a crash.
func (svc *VoiceService) VoiceStart(mode, device string) (VoiceStatusDTO, error) {
	a := svc.a
	if mode == "" {
		mode = backend.ModePushToTalk
	}
	v := a.session()
	if err := v.SetMode(mode); err != nil {
		return a.voiceStatus(), err
	}
	if _, err := a.recognizer(); err != nil {
		return a.voiceStatus(), err
	}
	s := &a.voice
	s.mu.Lock()
	running := s.listener != nil
	s.mu.Unlock()
	if running {
		return a.voiceStatus(), nil
	}
	if s.env.Microphone == nil {
		err := backend.Errorf(backend.EUNAVAILABLE, "this build cannot capture audio")
		v.SetMic(backend.MicState(err), backend.ErrorMessage(err))
		return a.voiceStatus(), err
	}
	src, err := s.env.Microphone.Open(a.ctx, device)
	if err != nil {
		v.SetMic(backend.MicState(err), backend.ErrorMessage(err))
		return a.voiceStatus(), err
	}
	v.SetMic("", "")
	return a.listen(src, liveRecognizer{a}, nil), nil
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
// move the UI has selected (0 for none).
func (svc *VoiceService) VoicePushToTalk(down bool, moveID uint64) (VoiceStatusDTO, error) {
	a := svc.a
	v := a.session()
	if moveID != 0 {
		v.Focus(moveID)
	}
	s := &a.voice
	s.mu.Lock()
	l := s.listener
	s.mu.Unlock()
	if l != nil {
		l.PushToTalk(down)
	} else {
		v.PushToTalk(down)
	}
	return a.voiceStatus(), nil
}
