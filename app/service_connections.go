package app

// ConnectionsService is bound for the Connections view (the sync and
// transcription stores): accounts, sync, the webhook receiver and the online
// recognizer. Its methods are the App's, bound as ConnectionsService.<Method>
// in the window and served as POST /api/ConnectionsService.<Method>
// (docs/api.md).
type ConnectionsService struct{ a *App }

// Connections is [App.Connections].
func (s *ConnectionsService) Connections() ([]ConnectionDTO, error) { return s.a.Connections() }

// SyncNow is [App.SyncNow].
func (s *ConnectionsService) SyncNow(account string) ([]SyncStatusDTO, error) {
	return s.a.SyncNow(account)
}

// SyncPass is [App.SyncPass].
func (s *ConnectionsService) SyncPass(account string) ([]SyncStatusDTO, error) {
	return s.a.SyncPass(account)
}

// Disconnect is [App.Disconnect].
func (s *ConnectionsService) Disconnect(account string) (ConnectionDTO, error) {
	return s.a.Disconnect(account)
}

// ConnectWebhook is [App.ConnectWebhook].
func (s *ConnectionsService) ConnectWebhook(secret string) (WebhookDTO, error) {
	return s.a.ConnectWebhook(secret)
}

// DisconnectWebhook is [App.DisconnectWebhook].
func (s *ConnectionsService) DisconnectWebhook() (WebhookDTO, error) { return s.a.DisconnectWebhook() }

// Transcription is [App.Transcription].
func (s *ConnectionsService) Transcription() (TranscriptionDTO, error) { return s.a.Transcription() }

// ConfigureTranscription is [App.ConfigureTranscription].
func (s *ConnectionsService) ConfigureTranscription(in TranscriptionDTO, via string) (TranscriptionDTO, error) {
	return s.a.ConfigureTranscription(in, via)
}

// ConnectTranscription is [App.ConnectTranscription].
func (s *ConnectionsService) ConnectTranscription(in TranscriptionDTO, key string, check bool, via string) (TranscriptionDTO, error) {
	return s.a.ConnectTranscription(in, key, check, via)
}

// DisconnectTranscription is [App.DisconnectTranscription].
func (s *ConnectionsService) DisconnectTranscription(via string) (TranscriptionDTO, error) {
	return s.a.DisconnectTranscription(via)
}
