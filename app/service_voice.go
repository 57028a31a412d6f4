package app

// VoiceService is bound for voice control (the voice store): the listener's
// status, start, stop and push-to-talk. Its methods are the App's, bound as
// VoiceService.<Method> in the window and served as POST
// /api/VoiceService.<Method> (docs/api.md).
type VoiceService struct{ a *App }

// VoiceStatus is [App.VoiceStatus].
func (s *VoiceService) VoiceStatus() (VoiceStatusDTO, error) { return s.a.VoiceStatus() }

// VoiceStart is [App.VoiceStart].
func (s *VoiceService) VoiceStart(mode, device string) (VoiceStatusDTO, error) {
	return s.a.VoiceStart(mode, device)
}

// VoiceStop is [App.VoiceStop].
func (s *VoiceService) VoiceStop() (VoiceStatusDTO, error) { return s.a.VoiceStop() }

// VoicePushToTalk is [App.VoicePushToTalk].
func (s *VoiceService) VoicePushToTalk(down bool, moveID uint64) (VoiceStatusDTO, error) {
	return s.a.VoicePushToTalk(down, moveID)
}
