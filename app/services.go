package app

// The window binds one service per UI area (the way Wails apps such as
// Tiny RDM do), `serve` routes POST /api/<Service>.<Method> to the same
// services, the CLI forwards to them by the same names, and the frontend's
// stores mirror them (frontend/src/api.gen.ts, docs/api.md). Each service
// is a small struct over the one App; the App's lifecycle (startup,
// shutdown, events) stays unexported and unbound.

// Services are the App's bound services: every UI call goes through one of
// them, in the window, over serve, from the CLI and from tests.
type Services struct {
	Today       *TodayService
	Execution   *ExecutionService
	Settings    *SettingsService
	Audit       *AuditService
	Connections *ConnectionsService
	Voice       *VoiceService
	Signals     *SignalsService
	Contacts    *ContactsService
	Outcomes    *OutcomesService
	Stats       *StatsService
	Shortcuts   *ShortcutsService
	// Notifications is the desktop notifications' test (service_notify.go).
	Notifications *NotificationsService
}

// newServices makes a's services (New does, once).
func newServices(a *App) *Services {
	return &Services{
		Today: &TodayService{a}, Execution: &ExecutionService{a}, Settings: &SettingsService{a}, Audit: &AuditService{a},
		Connections: &ConnectionsService{a}, Voice: &VoiceService{a}, Signals: &SignalsService{a},
		Contacts: &ContactsService{a}, Outcomes: &OutcomesService{a}, Stats: &StatsService{a},
		Shortcuts:     &ShortcutsService{a},
		Notifications: &NotificationsService{a},
	}
}

// list is s's services in a fixed order: what the window binds.
func (s *Services) list() []any {
	return []any{s.Today, s.Execution, s.Settings, s.Audit, s.Connections, s.Voice, s.Signals, s.Contacts, s.Outcomes, s.Stats, s.Shortcuts,
		s.Notifications}
}

// Services are a's bound services, for callers outside the window and
// serve (the CLI's tests, the tray).
func (a *App) Services() *Services { return a.bound }

// boundServices is what the window binds and serve routes.
func (a *App) boundServices() []any { return a.bound.list() }

// BoundServices are the bound services, over no App: their types, for the
// TypeScript generator (app/internal/tsgen).
func BoundServices() []any { return newServices(nil).list() }
