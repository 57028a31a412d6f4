package store

import (
	"github.com/caseyos/caseyos/backend"
)

// Settings returns the stored settings, or backend.DefaultSettings when
// none are stored. Stored settings are returned as written, not
// re-validated, so a stricter rule in a newer build cannot lock the founder
// out of the settings screen.
func (t *tx) Settings() (*backend.Settings, error) {
	return getMeta(t, "store.Settings", kSettings, fromSettingsRecord, backend.DefaultSettings)
}

// PutSettings validates s and stores it whole.
func (t *tx) PutSettings(s *backend.Settings) error {
	const op = "store.PutSettings"
	if s == nil {
		return invalid(op, "settings are empty")
	}
	if err := s.Validate(); err != nil {
		return err
	}
	v, err := encode(op, "settings", toSettingsRecord(s))
	if err != nil {
		return err
	}
	return internal(op, t.bucket(bMeta).Put(kSettings, v))
}

// Workspace returns the stored workspace description, or a zero Workspace
// when none is stored.
func (t *tx) Workspace() (*backend.Workspace, error) {
	return getMeta(t, "store.Workspace", kWorkspace, fromWorkspaceRecord,
		func() *backend.Workspace { return &backend.Workspace{} })
}

// PutWorkspace stores the workspace description.
func (t *tx) PutWorkspace(w *backend.Workspace) error {
	const op = "store.PutWorkspace"
	if w == nil {
		return invalid(op, "workspace is empty")
	}
	v, err := encode(op, "workspace", toWorkspaceRecord(w))
	if err != nil {
		return err
	}
	return internal(op, t.bucket(bMeta).Put(kWorkspace, v))
}

// Cursor returns account's sync cursor, or "" when none is stored.
func (t *tx) Cursor(account string) (string, error) {
	if account == "" {
		return "", nil
	}
	return string(t.get(bCursors, []byte(account))), nil
}

// PutCursor stores account's sync cursor; an empty cursor forgets it, so the
// next poll starts from the beginning.
func (t *tx) PutCursor(account, cursor string) error {
	const op = "store.PutCursor"
	if account == "" {
		return invalid(op, "a sync cursor needs an account")
	}
	b := t.bucket(bCursors)
	if cursor == "" {
		return internal(op, b.Delete([]byte(account)))
	}
	return internal(op, b.Put([]byte(account), []byte(cursor)))
}
