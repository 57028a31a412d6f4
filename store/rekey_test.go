package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

// forgetKeychain deletes every audit key the keychain holds: the keychain
// was reset, or the workspace moved to another machine.
func forgetKeychain(kc *fakeKeychain) {
	for a := range kc.m {
		if strings.HasPrefix(a, store.AuditKeyAccount) {
			delete(kc.m, a)
		}
	}
}

func TestDB_RekeyAudit(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		kc   *fakeKeychain
	}{
		{"Keychain", &fakeKeychain{m: map[string]string{}}},
		{"FileWithoutKeychain", &fakeKeychain{err: noKeychain}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "caseyos.db")
			keyFile := filepath.Join(dir, store.AuditKeyFile)
			db := mustOpenPath(t, path, store.Options{Secrets: tc.kc})
			if err := appendSome(t, db, 5); err != nil {
				t.Fatal(err)
			}
			if _, err := db.RekeyAudit(ctx, backend.ActorCLI); backend.ErrorCode(err) != backend.ECONFLICT {
				t.Errorf("RekeyAudit() with the key at hand = %v; want conflict", err)
			}
			oldKey, _ := store.AuditKeyOf(db)
			savedKeychain := map[string]string{}
			for a, v := range tc.kc.m {
				savedKeychain[a] = v
			}
			db.Close()

			// The key is lost.
			forgetKeychain(tc.kc)
			os.Remove(keyFile)
			db = mustOpenPath(t, path, store.Options{Secrets: tc.kc})
			err := appendSome(t, db, 1)
			if backend.ErrorCode(err) != backend.EUNAVAILABLE || !strings.Contains(backend.ErrorMessage(err), "caseyos audit --rekey") {
				t.Fatalf("append without the key = %v; want unavailable, naming `caseyos audit --rekey`", err)
			}
			rk, err := db.RekeyAudit(ctx, backend.ActorCLI)
			if err != nil {
				t.Fatalf("RekeyAudit() = %v", err)
			}
			if rk.Seq != 6 || rk.Before != 5 || rk.OldKeyID != oldKey.ID() || rk.NewKeyID == oldKey.ID() || rk.Actor != backend.ActorCLI {
				t.Errorf("RekeyAudit() = %+v; want entry 6 after 5, replacing %s", rk, oldKey.ID())
			}
			if tc.kc.err != nil {
				if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o600 {
					t.Errorf("the new key file: %v; want it 0600", err)
				}
			} else if _, ok := tc.kc.m[store.AuditKeyAccount]; !ok {
				t.Errorf("the new key is not in the keychain")
			} else if _, err := os.Stat(keyFile); err == nil {
				t.Errorf("the new key went to %s although the keychain answers", keyFile)
			}
			if err := appendSome(t, db, 2); err != nil {
				t.Fatalf("append after the rekey = %v", err)
			}
			if _, err := db.RekeyAudit(ctx, backend.ActorCLI); backend.ErrorCode(err) != backend.ECONFLICT {
				t.Errorf("a second RekeyAudit() = %v; want conflict (the new key is here)", err)
			}
			chk, err := verify(t, db)
			if err != nil || chk.OK || chk.Problem != "" || len(chk.Unverifiable) != 1 || chk.Unverifiable[0].From != 1 || chk.Unverifiable[0].To != 5 ||
				!strings.Contains(chk.Message, "entries 1–5 were signed with key "+oldKey.ID()) || !strings.Contains(chk.Message, "cannot be verified") {
				t.Errorf("VerifyAudit() after the rekey = %+v, %v; want not OK, entries 1–5 unverifiable, nothing wrong", chk, err)
			}
			entries, _, _ := findAudit(t, db)
			if last := entries[5]; last.Action != backend.AuditKeyReplaced || !strings.Contains(last.Detail, oldKey.ID()) || !strings.Contains(last.Detail, "5 entries") {
				t.Errorf("entry 6 = %s %q; want the key's replacement, naming %s and 5 entries", last.Action, last.Detail, oldKey.ID())
			}
			db.Close()

			// Reopened, the new key is found.
			db = mustOpenPath(t, path, store.Options{Secrets: tc.kc})
			defer db.Close()
			if err := appendSome(t, db, 1); err != nil {
				t.Fatalf("append after reopening = %v", err)
			}
			if chk, _ := verify(t, db); chk.OK || chk.Problem != "" || len(chk.Unverifiable) != 1 {
				t.Errorf("VerifyAudit() reopened = %+v; want entries 1–5 unverifiable only", chk)
			}
			if tc.kc.err == nil {
				// The old key found again (its own keychain entry
				// restored): its period verifies too, and the
				// replacement is still reported.
				for a, v := range savedKeychain {
					if a != store.AuditKeyAccount {
						tc.kc.m[a] = v
					}
				}
				tc.kc.gets = 0
				if chk, _ := verify(t, db); !chk.OK || len(chk.Rekeys) != 1 || !strings.Contains(chk.Message, "entry 6 replaced lost key "+oldKey.ID()) {
					t.Errorf("VerifyAudit() with the old key found = %+v; want OK, the replacement reported", chk)
				}
				if tc.kc.gets > 2 {
					t.Errorf("VerifyAudit() asked the keychain %d times; want the old key looked up once (2 entries)", tc.kc.gets)
				}
			}
			// Tampering after the rekey is caught.
			rewrite(t, db, 8, 9, func(r *forgedRecord) { r.Detail = "edited" }, []byte("a guessed key, 32 bytes long...."))
			if chk, _ := verify(t, db); chk.OK || chk.BadSeq != 8 || !strings.Contains(chk.Problem, "entry 8 was altered") {
				t.Errorf("VerifyAudit() after an edit in the new period = %+v; want entry 8 altered", chk)
			}
		})
	}
}

func findAudit(tb testing.TB, db *store.DB) ([]*backend.AuditEntry, int, error) {
	tb.Helper()
	var out []*backend.AuditEntry
	var n int
	err := db.View(context.Background(), func(tx backend.Tx) error {
		var err error
		out, n, err = tx.FindAudit(backend.AuditFilter{})
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out, n, err
}

// blindKeychain answers ENOTFOUND to the next Get of the shared audit key
// entry when blind is set: a process that looked before another one
// created the key.
type blindKeychain struct {
	*fakeKeychain
	blind bool
}

func (k *blindKeychain) Get(a string) (string, error) {
	if a == store.AuditKeyAccount && k.blind {
		k.blind = false
		return "", backend.Errorf(backend.ENOTFOUND, "no %s", a)
	}
	return k.fakeKeychain.Get(a)
}

// Two processes create the keychain's audit key at the same moment: both
// found none, and the one that writes last overwrites the shared entry.
// The workspace keyed by the first must still find its key.
func TestAuditKey_CreateRace(t *testing.T) {
	kc := &blindKeychain{fakeKeychain: &fakeKeychain{m: map[string]string{}}}
	pathA := filepath.Join(t.TempDir(), "caseyos.db")
	kc.blind = true
	a := mustOpenPath(t, pathA, store.Options{Secrets: kc})
	if err := appendSome(t, a, 3); err != nil {
		t.Fatal(err)
	}
	keyA, _ := store.AuditKeyOf(a)
	a.Close()

	kc.blind = true // B looked before A wrote its key
	b := mustOpenPath(t, filepath.Join(t.TempDir(), "caseyos.db"), store.Options{Secrets: kc})
	if err := appendSome(t, b, 3); err != nil {
		t.Fatal(err)
	}
	b.Close()

	a = mustOpenPath(t, pathA, store.Options{Secrets: kc})
	defer a.Close()
	if err := appendSome(t, a, 1); err != nil {
		t.Fatalf("append to the workspace keyed with %s after another process created a key at once = %v; want its key found", keyA.ID(), err)
	}
	if chk, err := verify(t, a); err != nil || !chk.OK {
		t.Errorf("VerifyAudit() = %+v, %v; want OK", chk, err)
	}
}
