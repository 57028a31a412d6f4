package store_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

// copyFixture copies testdata/name into a temporary directory.
func copyFixture(tb testing.TB, name string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), "caseyos.db")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// testdata/v2-audit.db was written by the schema 2 build (ea25d4f): three
// kill-switch toggles and a move with its move.created entry, so four plain
// audit entries and meta/audit_head.
func TestOpen_MigratesV2AuditLog(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		path := copyFixture(t, "v2-audit.db")
		db := mustOpenPath(t, path, store.Options{})
		if _, err := os.Stat(path + ".v2.bak"); err != nil {
			t.Errorf("no backup before the upgrade: %v", err)
		}
		if v, _ := store.GetRaw(db, "meta", []byte("schema_version")); !slices.Equal(v, u64(3)) {
			t.Errorf("schema_version = %x, want 3", v)
		}
		chk, err := verify(t, db)
		if err != nil || !chk.OK || chk.Entries != 4 {
			t.Fatalf("VerifyAudit() after the upgrade = %+v, %v; want 4 entries OK", chk, err)
		}
		if err := appendSome(t, db, 3); err != nil {
			t.Fatal(err)
		}
		view(t, db, func(tx backend.Tx) error {
			all, _, err := tx.FindAudit(backend.AuditFilter{})
			if err != nil {
				return err
			}
			var versions []int
			for _, e := range all {
				versions = append(versions, e.Version)
			}
			if want := []int{1, 1, 1, 1, 2, 2, 2}; !slices.Equal(versions, want) {
				t.Errorf("entry versions = %v, want %v (old entries stay plain, new ones keyed)", versions, want)
			}
			head, _ := tx.AuditHead()
			if head.KeyedFrom != 5 || head.Count != 7 {
				t.Errorf("AuditHead() = %+v, want keyed from 5, count 7", head)
			}
			return nil
		})
		if chk, err := verify(t, db); err != nil || !chk.OK || chk.Entries != 7 {
			t.Errorf("VerifyAudit() = %+v, %v; want 7 entries OK", chk, err)
		}
		checkIndexes(t, db)
		// The old entries are now protected: rewritten and re-hashed up to
		// the first keyed entry, which links to them, they no longer pass.
		rewrite(t, db, 2, 4, func(r *forgedRecord) { r.Detail = "kill switch off (edited)" }, nil)
		if chk, err := verify(t, db); err != nil || chk.OK || chk.BadSeq != 5 {
			t.Errorf("VerifyAudit() with plain entry 2 rewritten = %+v, %v; want entry 5 flagged", chk, err)
		}
	})
	// Right after the upgrade, before any keyed entry, the seal alone
	// protects the old entries.
	t.Run("PlainEntriesSealed", func(t *testing.T) {
		for name, tamper := range map[string]func(*testing.T, *store.DB){
			"Rewritten": func(t *testing.T, db *store.DB) {
				rewrite(t, db, 3, 4, func(r *forgedRecord) { r.Detail = "edited" }, nil)
			},
			"Truncated": func(t *testing.T, db *store.DB) {
				v, _ := store.GetRaw(db, "audit", u64(3))
				var r forgedRecord
				if err := json.Unmarshal(v, &r); err != nil {
					t.Fatal(err)
				}
				if err := errorsJoin(store.DeleteRaw(db, "audit", u64(4)), store.SetSequenceRaw(db, "audit", 3),
					store.PutRaw(db, "meta", []byte("audit_head"), []byte(r.Hash))); err != nil {
					t.Fatal(err)
				}
			},
			"MarkedAsNeverKeyed": func(t *testing.T, db *store.DB) {
				if err := store.DeleteRaw(db, "meta", []byte("audit_keyed_from")); err != nil {
					t.Fatal(err)
				}
			},
		} {
			t.Run(name, func(t *testing.T) {
				db := mustOpenPath(t, copyFixture(t, "v2-audit.db"), store.Options{})
				tamper(t, db)
				if chk, err := verify(t, db); err != nil || chk.OK {
					t.Errorf("VerifyAudit() = %+v, %v; want the tampering found", chk, err)
				}
			})
		}
	})
	// The upgrade needs the key; where none can be had the file stays at
	// the schema it had, not half upgraded.
	t.Run("ErrNoKey", func(t *testing.T) {
		for _, from := range []uint64{1, 2} {
			path := copyFixture(t, "v2-audit.db")
			if from == 1 {
				path = filepath.Join(t.TempDir(), "caseyos.db")
				writeV1(t, path, v1Moves)
			}
			if err := os.Mkdir(filepath.Join(filepath.Dir(path), store.AuditKeyFile), 0o700); err != nil {
				t.Fatal(err) // a directory where the key file would go: no key can be had
			}
			_, err := store.Open(path, store.Options{})
			if err == nil || !strings.Contains(backend.ErrorMessage(err), "audit key") {
				t.Fatalf("Open(schema %d) = %v; want an error about the audit key", from, err)
			}
			if v := rawGet(t, path, "meta", []byte("schema_version")); !slices.Equal(v, u64(from)) {
				t.Errorf("schema_version after a failed upgrade from %d = %x, want it unchanged", from, v)
			}
		}
	})
}
