package cli_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/app/cli"
	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

// truncateAudit cuts the last n entries off a closed data file's audit log
// the way someone with a bbolt editor would: the entries, the count, and the
// head moved back to the new last entry, so that all of it looks consistent.
func truncateAudit(tb testing.TB, path string, n int) {
	tb.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("audit"))
		seq := b.Sequence()
		key := func(s uint64) []byte { return binary.BigEndian.AppendUint64(nil, s) }
		for s := seq; s > seq-uint64(n); s-- {
			if err := b.Delete(key(s)); err != nil {
				return err
			}
		}
		var last struct {
			Hash string `json:"hash"`
		}
		if err := json.Unmarshal(b.Get(key(seq-uint64(n))), &last); err != nil {
			return err
		}
		if err := b.SetSequence(seq - uint64(n)); err != nil {
			return err
		}
		return tx.Bucket([]byte("meta")).Put([]byte("audit_head"), []byte(last.Hash))
	})
	if err != nil {
		tb.Fatal(err)
	}
}

func TestCLI_AuditVerify(t *testing.T) {
	dir := t.TempDir()
	clock := backend.NewManualClock(now)
	run := func(args ...string) (int, string, string) {
		t.Helper()
		return runCLI(t, dir, clock, "", args...)
	}
	for _, on := range []string{"on", "off", "on", "off"} {
		if code, _, errb := run("kill-switch", on); code != 0 {
			t.Fatalf("kill-switch %s = %d %s", on, code, errb)
		}
	}
	code, out, errb := run("audit", "--verify", "--json")
	var chk app.AuditCheckDTO
	if err := json.Unmarshal([]byte(out), &chk); err != nil || code != 0 || !chk.OK || chk.Entries < 4 {
		t.Fatalf("audit --verify --json = %d %s%s; want OK", code, out, errb)
	}
	entries := chk.Entries

	db := filepath.Join(dir, "demo.db")
	keyFile := filepath.Join(dir, store.AuditKeyFile)
	fi, err := os.Stat(keyFile)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("audit key file: %v, mode %v; want 0600", err, fi.Mode().Perm())
	}
	key, _ := os.ReadFile(keyFile)
	if raw, _ := os.ReadFile(db); bytes.Contains(raw, bytes.TrimSpace(key)) {
		t.Errorf("the data file holds the audit key")
	}

	truncateAudit(t, db, 2)
	code, out, _ = run("audit", "--verify")
	if code != cli.ExitError || !strings.Contains(out, "TAMPERED") || !strings.Contains(out, "cut off the end") {
		t.Errorf("audit --verify after the last 2 entries were cut = %d %q; want exit 1, TAMPERED, cut off the end", code, out)
	}
	_, out, _ = run("audit", "--verify", "--json")
	chk = app.AuditCheckDTO{}
	if json.Unmarshal([]byte(out), &chk); chk.OK || chk.Entries != entries-2 || chk.BadSeq != uint64(entries-1) {
		t.Errorf("audit --verify --json after the cut = %s; want not ok, %d entries, bad_seq %d", out, entries-2, entries-1)
	}

	if err := os.Remove(keyFile); err != nil {
		t.Fatal(err)
	}
	code, out, errb = run("audit", "--verify")
	if code != cli.ExitError || strings.Contains(out, "OK") || !strings.Contains(errb, "audit log is signed with key") || !strings.Contains(errb, keyFile) {
		t.Errorf("audit --verify without the key = %d %q %q; want exit 1 saying the key is missing and where it was looked for", code, out, errb)
	}
	if code, _, errb := run("kill-switch", "on"); code != cli.ExitError || !strings.Contains(errb, "audit log is signed with key") {
		t.Errorf("kill-switch on without the audit key = %d %q; want it refused, naming the key", code, errb)
	}
}
