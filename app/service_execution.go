package app

// ExecutionService is bound for running a move (the queue store's execute, the
// outbox in Connections): preview, execute, cancel, rollback, status, the
// outbox and the kill switch. Its methods are the App's, bound as
// ExecutionService.<Method> in the window and served as POST
// /api/ExecutionService.<Method> (docs/api.md).
type ExecutionService struct{ a *App }

// PreviewExecution is [App.PreviewExecution].
func (s *ExecutionService) PreviewExecution(id uint64) (ExecutionPreviewDTO, error) {
	return s.a.PreviewExecution(id)
}

// ExecuteMove is [App.ExecuteMove].
func (s *ExecutionService) ExecuteMove(id uint64, r ExecuteRequestDTO) (ExecutionStatusDTO, error) {
	return s.a.ExecuteMove(id, r)
}

// CancelExecution is [App.CancelExecution].
func (s *ExecutionService) CancelExecution(id uint64, via string) (ExecutionStatusDTO, error) {
	return s.a.CancelExecution(id, via)
}

// Rollback is [App.Rollback].
func (s *ExecutionService) Rollback(id uint64, via string) (ExecutionStatusDTO, error) {
	return s.a.Rollback(id, via)
}

// ExecutionStatus is [App.ExecutionStatus].
func (s *ExecutionService) ExecutionStatus(id uint64) (ExecutionStatusDTO, error) {
	return s.a.ExecutionStatus(id)
}

// Outbox is [App.Outbox].
func (s *ExecutionService) Outbox() ([]ExecutionStatusDTO, error) { return s.a.Outbox() }

// RetryOutbox is [App.RetryOutbox].
func (s *ExecutionService) RetryOutbox() ([]ExecutionStatusDTO, error) { return s.a.RetryOutbox() }

// KillSwitch is [App.KillSwitch].
func (s *ExecutionService) KillSwitch(state, reason, via string) (KillSwitchDTO, error) {
	return s.a.KillSwitch(state, reason, via)
}
