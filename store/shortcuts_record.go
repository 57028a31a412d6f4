package store

import "github.com/caseyos/caseyos/backend"

// shortcutsRecord is Settings.Shortcuts on disk. The whole record is
// absent in files from before global shortcuts and while they are at
// their defaults (read as backend.DefaultShortcuts); present, "" is a
// shortcut turned off.
type shortcutsRecord struct {
	ShowHide   string `json:"show_hide"`
	Preview    string `json:"preview"`
	Skip       string `json:"skip"`
	PushToTalk string `json:"push_to_talk"`
}

func toShortcutsRecord(s backend.Shortcuts) *shortcutsRecord {
	if s == backend.DefaultShortcuts() {
		return nil
	}
	return &shortcutsRecord{ShowHide: s.ShowHide, Preview: s.Preview, Skip: s.Skip, PushToTalk: s.PushToTalk}
}

func fromShortcutsRecord(r *shortcutsRecord) backend.Shortcuts {
	if r == nil {
		return backend.DefaultShortcuts()
	}
	return backend.Shortcuts{ShowHide: r.ShowHide, Preview: r.Preview, Skip: r.Skip, PushToTalk: r.PushToTalk}
}
