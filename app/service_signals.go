package app

// SignalsService is bound for the Signals view and the header (the signals
// store, the queue store's stats): the workspace, signals, their import and
// the day's stats. Its methods are the App's, bound as SignalsService.<Method>
// in the window and served as POST /api/SignalsService.<Method> (docs/api.md).
type SignalsService struct{ a *App }

// Workspace is [App.Workspace].
func (s *SignalsService) Workspace() (WorkspaceDTO, error) { return s.a.Workspace() }

// Signals is [App.Signals].
func (s *SignalsService) Signals(limit, offset int) (SignalsDTO, error) {
	return s.a.Signals(limit, offset)
}

// Ingest is [App.Ingest].
func (s *SignalsService) Ingest(jsonl string) (IngestDTO, error) { return s.a.Ingest(jsonl) }

// Stats is [App.Stats].
func (s *SignalsService) Stats() (StatsDTO, error) { return s.a.Stats() }
