package app

// SettingsService is bound for the Settings view (the settings and do-not-
// contact stores): settings, the send window, auto-approval rules and their
// simulator, and the do-not-contact list. Its methods are the App's, bound as
// SettingsService.<Method> in the window and served as POST
// /api/SettingsService.<Method> (docs/api.md).
type SettingsService struct{ a *App }

// Settings is [App.Settings].
func (s *SettingsService) Settings() (SettingsDTO, error) { return s.a.Settings() }

// SaveSettings is [App.SaveSettings].
func (s *SettingsService) SaveSettings(in SettingsDTO) (SettingsDTO, error) {
	return s.a.SaveSettings(in)
}

// SendWindow is [App.SendWindow].
func (s *SettingsService) SendWindow() (SendWindowDTO, error) { return s.a.SendWindow() }

// SetSendWindow is [App.SetSendWindow].
func (s *SettingsService) SetSendWindow(in SendWindowDTO, via string) (SendWindowDTO, error) {
	return s.a.SetSendWindow(in, via)
}

// Rules is [App.Rules].
func (s *SettingsService) Rules() ([]RuleDTO, error) { return s.a.Rules() }

// SaveRule is [App.SaveRule].
func (s *SettingsService) SaveRule(in RuleDTO) (RuleDTO, error) { return s.a.SaveRule(in) }

// SimulateRule is [App.SimulateRule].
func (s *SettingsService) SimulateRule(in RuleDTO, days int) (SimulationDTO, error) {
	return s.a.SimulateRule(in, days)
}

// DoNotContact is [App.DoNotContact].
func (s *SettingsService) DoNotContact() ([]DoNotContactDTO, error) { return s.a.DoNotContact() }

// AddDoNotContact is [App.AddDoNotContact].
func (s *SettingsService) AddDoNotContact(email, reason, note, via string) ([]DoNotContactDTO, error) {
	return s.a.AddDoNotContact(email, reason, note, via)
}

// RemoveDoNotContact is [App.RemoveDoNotContact].
func (s *SettingsService) RemoveDoNotContact(email, via string) ([]DoNotContactDTO, error) {
	return s.a.RemoveDoNotContact(email, via)
}
