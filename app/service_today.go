package app

// TodayService is bound for the Today view and a move's detail (the queue
// store): the day's moves, one move, why it was chosen, its draft, and skip,
// snooze, restore and undo. Its methods are the App's, bound as
// TodayService.<Method> in the window and served as POST
// /api/TodayService.<Method> (docs/api.md).
type TodayService struct{ a *App }

// Today is [App.Today].
func (s *TodayService) Today(domain string, limit int) (TodayDTO, error) {
	return s.a.Today(domain, limit)
}

// Move is [App.Move].
func (s *TodayService) Move(id uint64) (MoveDTO, error) { return s.a.Move(id) }

// Explain is [App.Explain].
func (s *TodayService) Explain(id uint64) (ExplainDTO, error) { return s.a.Explain(id) }

// UpdateDraft is [App.UpdateDraft].
func (s *TodayService) UpdateDraft(id uint64, d DraftDTO) (MoveDTO, error) {
	return s.a.UpdateDraft(id, d)
}

// Skip is [App.Skip].
func (s *TodayService) Skip(id uint64, reason, via string) (MoveDTO, error) {
	return s.a.Skip(id, reason, via)
}

// Snooze is [App.Snooze].
func (s *TodayService) Snooze(id uint64, when, via string) (MoveDTO, error) {
	return s.a.Snooze(id, when, via)
}

// Restore is [App.Restore].
func (s *TodayService) Restore(id uint64, via string) (MoveDTO, error) { return s.a.Restore(id, via) }

// Undo is [App.Undo].
func (s *TodayService) Undo(via string) (MoveDTO, error) { return s.a.Undo(via) }
