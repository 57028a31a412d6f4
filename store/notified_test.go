package store_test

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

func TestNotified(t *testing.T) {
	path := filepath.Join(t.TempDir(), "caseyos.db")
	at := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	t.Run("OK", func(t *testing.T) {
		db, err := store.Open(path, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		view(t, db, func(tx backend.Tx) error {
			if got, err := tx.Notified(7, backend.NotifyHotMove); err != nil || !got.IsZero() {
				t.Errorf("Notified(7) before = %v, %v, want zero", got, err)
			}
			return nil
		})
		update(t, db, func(tx backend.Tx) error { return tx.PutNotified(7, backend.NotifyHotMove, at) })
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		// What a move notified is remembered across restarts.
		db = mustOpenPath(t, path, store.Options{})
		view(t, db, func(tx backend.Tx) error {
			if got, err := tx.Notified(7, backend.NotifyHotMove); err != nil || !got.Equal(at) {
				t.Errorf("Notified(7, hot) after reopening = %v, %v, want %v", got, err, at)
			}
			if got, err := tx.Notified(7, backend.NotifyExecutionFailed); err != nil || !got.IsZero() {
				t.Errorf("Notified(7, failed) = %v, %v, want zero (another kind)", got, err)
			}
			if got, err := tx.Notified(8, backend.NotifyHotMove); err != nil || !got.IsZero() {
				t.Errorf("Notified(8, hot) = %v, %v, want zero (another move)", got, err)
			}
			return nil
		})
		raw, err := store.GetRaw(db, "notified", append([]byte{0, 0, 0, 0, 0, 0, 0, 7}, "hot_move"...))
		if want := `{"at":"2026-03-02T09:30:00Z"}`; err != nil || string(raw) != want {
			t.Errorf("stored notified record = %s, %v, want %s", raw, err, want)
		}
	})
	t.Run("DeleteMove", func(t *testing.T) {
		// A move forgotten or expired by retention takes what it notified
		// with it; another move's records stay.
		db := MustOpenStore(t)
		m1 := newMove("contact:1", backend.KindSendEmail, backend.StatusPending, 90, backend.DomainSales)
		m2 := newMove("contact:2", backend.KindSendEmail, backend.StatusPending, 80, backend.DomainSales)
		update(t, db, func(tx backend.Tx) error {
			return errorsJoin(tx.CreateMove(m1), tx.CreateMove(m2),
				tx.PutNotified(m1.ID, backend.NotifyHotMove, at), tx.PutNotified(m1.ID, backend.NotifyExecutionFailed, at),
				tx.PutNotified(m2.ID, backend.NotifyHotMove, at))
		})
		update(t, db, func(tx backend.Tx) error { return tx.(backend.PrivacyStore).DeleteMove(m1.ID) })
		view(t, db, func(tx backend.Tx) error {
			for _, k := range []backend.NotifyKind{backend.NotifyHotMove, backend.NotifyExecutionFailed} {
				if got, err := tx.Notified(m1.ID, k); err != nil || !got.IsZero() {
					t.Errorf("Notified(deleted move, %s) = %v, %v, want zero", k, got, err)
				}
			}
			if got, err := tx.Notified(m2.ID, backend.NotifyHotMove); err != nil || !got.Equal(at) {
				t.Errorf("Notified(other move) = %v, %v, want %v", got, err, at)
			}
			return nil
		})
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		db := MustOpenStore(t)
		err := db.Update(t.Context(), func(tx backend.Tx) error { return tx.PutNotified(0, backend.NotifyHotMove, at) })
		wantCode(t, "PutNotified(0)", err, backend.EINVALID)
	})
	t.Run("ErrDamaged", func(t *testing.T) {
		db := MustOpenStore(t)
		if err := store.PutRaw(db, "notified", append([]byte{0, 0, 0, 0, 0, 0, 0, 9}, "hot_move"...), []byte("junk")); err != nil {
			t.Fatal(err)
		}
		err := db.View(t.Context(), func(tx backend.Tx) error {
			_, err := tx.Notified(9, backend.NotifyHotMove)
			return err
		})
		wantCode(t, "Notified(damaged)", err, backend.EINTERNAL)
	})
}

// TestNotificationsRecord_DiskFormat pins Settings.Notifications' bytes:
// absent at the defaults (so TestRecords_DiskFormat's settings are
// unchanged), written when a kind is off or quiet hours are set, and read
// back as stored.
func TestNotificationsRecord_DiskFormat(t *testing.T) {
	tests := []struct {
		name   string
		n      backend.Notifications
		suffix string
	}{
		{"Default", backend.Notifications{}, `"follow_ups":`},
		{"QuietHours", backend.Notifications{Quiet: backend.QuietHours{On: true, Start: 22 * time.Hour, End: 7 * time.Hour}},
			`,"notifications":{"quiet":{"on":true,"start_ns":79200000000000,"end_ns":25200000000000}}}`},
		{"KindsOff", backend.Notifications{Off: []backend.NotifyKind{backend.NotifyOutboxDrained, backend.NotifyKillSwitch}},
			`,"notifications":{"off":["outbox_drained","kill_switch"]}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpenStore(t)
			st := formatSettings()
			st.Notifications = tt.n
			update(t, db, func(tx backend.Tx) error { return tx.PutSettings(st) })
			raw, err := store.GetRaw(db, "meta", []byte("settings"))
			if err != nil {
				t.Fatal(err)
			}
			if tt.name == "Default" {
				if containsBytes(raw, `"notifications"`) {
					t.Errorf("stored settings at the defaults = %s, want no notifications field", raw)
				}
			} else if n := len(raw) - len(tt.suffix); n < 0 || string(raw[n:]) != tt.suffix {
				t.Errorf("stored settings =\n%s\nwant it to end in\n%s", raw, tt.suffix)
			}
			view(t, db, func(tx backend.Tx) error {
				got, err := tx.Settings()
				if err != nil || !reflect.DeepEqual(got.Notifications, tt.n) {
					t.Errorf("Settings().Notifications = %+v, %v, want %+v", got.Notifications, err, tt.n)
				}
				return nil
			})
		})
	}
}

func containsBytes(b []byte, s string) bool { return strings.Contains(string(b), s) }
