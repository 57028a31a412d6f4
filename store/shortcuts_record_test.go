package store_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

// The global shortcuts on disk: absent at their defaults (so files from
// before them, and TestRecords_DiskFormat's bytes, stay as they were),
// present when changed, "" kept as "off", and a file without the key
// reads the defaults.
func TestShortcutsRecord(t *testing.T) {
	db := MustOpenStore(t)
	ctx := context.Background()
	put := func(tb testing.TB, st *backend.Settings) map[string]json.RawMessage {
		tb.Helper()
		if err := db.Update(ctx, func(tx backend.Tx) error { return tx.PutSettings(st) }); err != nil {
			tb.Fatal(err)
		}
		raw, err := store.GetRaw(db, "meta", []byte("settings"))
		if err != nil {
			tb.Fatal(err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			tb.Fatal(err)
		}
		return m
	}
	get := func(tb testing.TB) backend.Shortcuts {
		tb.Helper()
		var got *backend.Settings
		err := db.View(ctx, func(tx backend.Tx) error {
			var err error
			got, err = tx.Settings()
			return err
		})
		if err != nil {
			tb.Fatal(err)
		}
		return got.Shortcuts
	}

	t.Run("DefaultsAreAbsent", func(t *testing.T) {
		if m := put(t, backend.DefaultSettings()); m["shortcuts"] != nil {
			t.Errorf("default shortcuts written as %s, want no key", m["shortcuts"])
		}
		if got := get(t); got != backend.DefaultShortcuts() {
			t.Errorf("read %+v, want the defaults", got)
		}
	})
	t.Run("ChangedRoundTrip", func(t *testing.T) {
		st := backend.DefaultSettings()
		st.Shortcuts = backend.Shortcuts{ShowHide: "Super+Space", Preview: "", Skip: "Ctrl+Alt+K", PushToTalk: "F13"}
		m := put(t, st)
		if want := `{"show_hide":"Super+Space","preview":"","skip":"Ctrl+Alt+K","push_to_talk":"F13"}`; string(m["shortcuts"]) != want {
			t.Errorf("shortcuts on disk = %s, want %s", m["shortcuts"], want)
		}
		if got := get(t); got != st.Shortcuts {
			t.Errorf("round trip = %+v, want %+v (an empty one stays off)", got, st.Shortcuts)
		}
	})
	t.Run("FileFromBefore", func(t *testing.T) {
		st := backend.DefaultSettings()
		st.Shortcuts.Skip = ""
		m := put(t, st)
		delete(m, "shortcuts")
		old, _ := json.Marshal(m)
		if strings.Contains(string(old), "shortcuts") {
			t.Fatal("the key is still there")
		}
		if err := store.PutRaw(db, "meta", []byte("settings"), old); err != nil {
			t.Fatal(err)
		}
		if got := get(t); got != backend.DefaultShortcuts() {
			t.Errorf("a file without shortcuts reads %+v, want %+v", got, backend.DefaultShortcuts())
		}
	})
}
