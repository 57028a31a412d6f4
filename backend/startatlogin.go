package backend

import "context"

// NoteStartAtLogin records in the audit log that starting at login was
// switched on or off. The switch itself is a file the desktop session
// reads (app/autostart), not a setting: only the change is kept here.
func (s *SettingsService) NoteStartAtLogin(ctx context.Context, on bool, entry string, actor Actor) error {
	detail := "start at login off"
	if on {
		detail = "start at login on"
	}
	if entry != "" {
		detail += " (" + entry + ")"
	}
	err := s.store.Update(ctx, func(tx Tx) error {
		return tx.AppendAudit(&AuditEntry{At: s.clock.Now(), Actor: actor, Action: AuditSettings, Detail: detail})
	})
	return WrapError("note start at login", err)
}
