package store_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

// fakeKeychain is backend.Secrets over a map; err, when set, is what every
// call answers (EUNAVAILABLE: no keychain here).
type fakeKeychain struct {
	m    map[string]string
	err  error
	gets int
}

func (k *fakeKeychain) Get(a string) (string, error) {
	k.gets++
	if k.err != nil {
		return "", k.err
	}
	v, ok := k.m[a]
	if !ok {
		return "", backend.Errorf(backend.ENOTFOUND, "no %s", a)
	}
	return v, nil
}

func (k *fakeKeychain) Set(a, v string) error {
	if k.err != nil {
		return k.err
	}
	k.m[a] = v
	return nil
}

func (k *fakeKeychain) Delete(a string) error {
	if k.err != nil {
		return k.err
	}
	delete(k.m, a)
	return nil
}

var noKeychain = backend.Errorf(backend.EUNAVAILABLE, "no D-Bus session bus: the keychain needs a desktop session (or set DBUS_SESSION_BUS_ADDRESS)")

// appendSome appends n audit entries, each in its own transaction.
func appendSome(tb testing.TB, db *store.DB, n int) error {
	tb.Helper()
	for i := range n {
		err := db.Update(context.Background(), func(tx backend.Tx) error {
			return tx.AppendAudit(&backend.AuditEntry{At: at(3, i), Actor: backend.ActorCLI, Action: backend.AuditSettings, Detail: "saved"})
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func verify(tb testing.TB, db *store.DB) (backend.AuditCheck, error) {
	tb.Helper()
	return backend.NewServices(db, backend.NewManualClock(at(3, 9)), nil).Audit.Verify(context.Background())
}

// readAll reads a closed file whole.
func readAll(tb testing.TB, path string) []byte {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// keyNotIn fails when the key (hex or raw) appears anywhere in file.
func keyNotIn(tb testing.TB, file string, hexKey string) {
	tb.Helper()
	raw, err := hex.DecodeString(hexKey)
	if err != nil || len(raw) != backend.AuditKeySize {
		tb.Fatalf("key %q is not %d hex bytes", hexKey, backend.AuditKeySize)
	}
	b := readAll(tb, file)
	if bytes.Contains(b, []byte(hexKey)) || bytes.Contains(bytes.ToLower(b), []byte(strings.ToLower(hexKey))) || bytes.Contains(b, raw) {
		tb.Errorf("%s holds the audit key", filepath.Base(file))
	}
}

func TestAuditKey_Where(t *testing.T) {
	t.Run("FileWithoutKeychain", func(t *testing.T) {
		for name, secrets := range map[string]backend.Secrets{"NilSecrets": nil, "Unavailable": &fakeKeychain{err: noKeychain}} {
			t.Run(name, func(t *testing.T) {
				dir := t.TempDir()
				path := filepath.Join(dir, "caseyos.db")
				db := mustOpenPath(t, path, store.Options{Secrets: secrets})
				if err := appendSome(t, db, 20); err != nil {
					t.Fatal(err)
				}
				keyFile := filepath.Join(dir, store.AuditKeyFile)
				fi, err := os.Stat(keyFile)
				if err != nil {
					t.Fatalf("key file: %v", err)
				}
				if fi.Mode().Perm() != 0o600 {
					t.Errorf("key file mode = %04o, want 0600", fi.Mode().Perm())
				}
				key := strings.TrimSpace(string(readAll(t, keyFile)))
				if chk, err := verify(t, db); err != nil || !chk.OK {
					t.Errorf("VerifyAudit() = %+v, %v", chk, err)
				}
				if err := db.Close(); err != nil {
					t.Fatal(err)
				}
				keyNotIn(t, path, key)
			})
		}
	})
	t.Run("Keychain", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "caseyos.db")
		kc := &fakeKeychain{m: map[string]string{}}
		db := mustOpenPath(t, path, store.Options{Secrets: kc})
		if err := appendSome(t, db, 5); err != nil {
			t.Fatal(err)
		}
		key := kc.m[store.AuditKeyAccount]
		if len(key) != 2*backend.AuditKeySize {
			t.Fatalf("keychain entry %s holds %d characters, want a %d-byte hex key", store.AuditKeyAccount, len(key), backend.AuditKeySize)
		}
		if _, err := os.Stat(filepath.Join(dir, store.AuditKeyFile)); !os.IsNotExist(err) {
			t.Errorf("a key file was written although the keychain answered: %v", err)
		}
		// A second workspace on the same keychain uses the same key.
		db2 := mustOpenPath(t, filepath.Join(dir, "demo.db"), store.Options{Secrets: kc})
		if err := appendSome(t, db2, 2); err != nil || kc.m[store.AuditKeyAccount] != key {
			t.Errorf("second workspace: %v; keychain key replaced: %v", err, kc.m[store.AuditKeyAccount] != key)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		keyNotIn(t, path, key)

		// Reopened where the keychain cannot be reached: the log's key is
		// not in a file either, so nothing is appended and nothing vouched for.
		kc.err = noKeychain
		db = mustOpenPath(t, path, store.Options{Secrets: kc})
		err := appendSome(t, db, 1)
		if backend.ErrorCode(err) != backend.EUNAVAILABLE || !strings.Contains(backend.ErrorMessage(err), "no D-Bus session bus") {
			t.Errorf("append without the keychain = %v; want unavailable saying why the keychain cannot be used", err)
		}
		if _, err := os.Stat(filepath.Join(dir, store.AuditKeyFile)); !os.IsNotExist(err) {
			t.Errorf("a new key file was made for a log that has its key: %v", err)
		}
		if chk, err := verify(t, db); backend.ErrorCode(err) != backend.EUNAVAILABLE || chk.OK {
			t.Errorf("VerifyAudit() without the key = %+v, %v; want unavailable", chk, err)
		}
		kc.err = nil // the keychain is back: the same DB finds the key
		if err := appendSome(t, db, 1); err != nil {
			t.Errorf("append once the keychain is back: %v", err)
		}
		if chk, err := verify(t, db); err != nil || !chk.OK || chk.Entries != 6 {
			t.Errorf("VerifyAudit() = %+v, %v; want 6 entries OK", chk, err)
		}
	})
	t.Run("ErrKeyFileGone", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "caseyos.db")
		db := mustOpenPath(t, path, store.Options{})
		if err := appendSome(t, db, 3); err != nil {
			t.Fatal(err)
		}
		db.Close()
		if err := os.Remove(filepath.Join(dir, store.AuditKeyFile)); err != nil {
			t.Fatal(err)
		}
		db = mustOpenPath(t, path, store.Options{})
		err := appendSome(t, db, 1)
		if backend.ErrorCode(err) != backend.EUNAVAILABLE || !strings.Contains(backend.ErrorMessage(err), store.AuditKeyFile) {
			t.Errorf("append without the key = %v; want unavailable naming the key file", err)
		}
		chk, err := verify(t, db)
		if backend.ErrorCode(err) != backend.EUNAVAILABLE || chk.OK {
			t.Errorf("VerifyAudit() without the key = %+v, %v; want unavailable, not OK", chk, err)
		}
		if _, err := os.Stat(filepath.Join(dir, store.AuditKeyFile)); !os.IsNotExist(err) {
			t.Errorf("a new key was made for a log signed with another: %v", err)
		}
		// Reads that do not need the key still work.
		view(t, db, func(tx backend.Tx) error {
			_, total, err := tx.FindAudit(backend.AuditFilter{})
			if err != nil || total != 3 {
				t.Errorf("FindAudit() total %d, %v; want 3", total, err)
			}
			return nil
		})
	})
	t.Run("ErrKeyFileReadable", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "caseyos.db")
		db := mustOpenPath(t, path, store.Options{})
		db.Close()
		if err := os.Chmod(filepath.Join(dir, store.AuditKeyFile), 0o644); err != nil {
			t.Fatal(err)
		}
		db = mustOpenPath(t, path, store.Options{})
		if err := appendSome(t, db, 1); backend.ErrorCode(err) != backend.EUNAVAILABLE || !strings.Contains(backend.ErrorMessage(err), "chmod 600") {
			t.Errorf("append with a 0644 key file = %v; want unavailable saying to chmod 600", err)
		}
	})
	t.Run("ErrKeyFileDamaged", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, store.AuditKeyFile), []byte("not a key\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := store.Open(filepath.Join(dir, "caseyos.db"), store.Options{})
		if backend.ErrorCode(err) != backend.EINVALID || !strings.Contains(backend.ErrorMessage(err), "damaged") {
			t.Errorf("Open with a damaged key file = %v; want invalid saying it is damaged", err)
		}
	})
}
