package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/app/cli"
	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

// runFull runs the CLI with what main.go wires beyond runCLI: restoring
// a backup and compacting the file.
func runFull(tb testing.TB, dir string, clock backend.Clock, stdin string, args ...string) (int, string, string) {
	tb.Helper()
	var out, errb bytes.Buffer
	code := cli.Main(context.Background(), append([]string{"--data-dir", dir}, args...), cli.Env{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Clock: clock,
		Open: func(p string) (backend.Store, error) {
			return store.Open(p, store.Options{Timeout: 200 * time.Millisecond})
		},
		Restore: store.RestoreFile, Compact: store.CompactFile,
	})
	return code, out.String(), errb.String()
}

func ingestOne(tb testing.TB, dir string, clock backend.Clock, key, from string) {
	tb.Helper()
	line := `{"source":"gmail","type":"email.received","occurred_at":"2026-11-22T07:10:00Z","dedupe_key":"` + key + `",` +
		`"contact":{"id":"` + from + `","email":"` + from + `"},"email":{"thread_id":"t-` + key + `","message_id":"<` + key + `@x>","from":"` + from + `","subject":"Pricing"}}` + "\n"
	if code, out, errb := runFull(tb, dir, clock, line, "ingest", "-"); code != 0 {
		tb.Fatalf("ingest: %d %q %q", code, out, errb)
	}
}

// TestCLI_RestoreFile: `restore FILE` puts a backup in place of the data
// file and keeps the one it replaced; it refuses while CaseyOS holds the
// file and anything that is not a CaseyOS backup, changing nothing;
// `restore ID` still restores a move.
func TestCLI_RestoreFile(t *testing.T) {
	dir := t.TempDir()
	clock := backend.NewManualClock(now)
	ingestOne(t, dir, clock, "before", "ann@before.example")
	bak := filepath.Join(t.TempDir(), "copy.db")
	if code, out, errb := runFull(t, dir, clock, "", "backup", bak); code != 0 {
		t.Fatalf("backup: %d %q %q", code, out, errb)
	}
	ingestOne(t, dir, clock, "after", "bob@after.example")
	data := filepath.Join(dir, "caseyos.db")

	// Refusals: not a backup; the running app; nothing changes.
	junk := filepath.Join(t.TempDir(), "junk.db")
	os.WriteFile(junk, bytes.Repeat([]byte("not bbolt "), 1000), 0o600)
	for _, tc := range []struct{ file, want string }{
		{junk, "not a CaseyOS backup"},
		{filepath.Join(t.TempDir(), "missing.db"), "not a backup file that can be read"},
		{data, "the data file itself"},
	} {
		if code, _, errb := runFull(t, dir, clock, "", "restore", tc.file); code != cli.ExitError || !strings.Contains(errb, tc.want) {
			t.Errorf("restore %s: %d %q; want %q", filepath.Base(tc.file), code, errb, tc.want)
		}
	}
	held, err := store.Open(data, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	code, _, errb := runFull(t, dir, clock, "", "restore", bak)
	held.Close()
	if code != cli.ExitError || !strings.Contains(errb, "running") {
		t.Errorf("restore while the file is held: %d %q; want it refused", code, errb)
	}
	if !fileHolds(t, data, "bob@after.example") {
		t.Fatal("a refused restore changed the data file")
	}
	if m, _ := filepath.Glob(data + ".replaced-*"); len(m) != 0 {
		t.Fatalf("a refused restore left %v", m)
	}

	code, out, errb := runFull(t, dir, clock, "", "restore", bak, "--json")
	var r cli.RestoreDTO
	if err := json.Unmarshal([]byte(out), &r); code != 0 || err != nil {
		t.Fatalf("restore: %d %v %q %q", code, err, out, errb)
	}
	if r.Path != data || r.Replaced == "" || !strings.HasPrefix(r.Replaced, data+".replaced-") {
		t.Errorf("restore = %+v", r)
	}
	if fileHolds(t, data, "bob@after.example") || !fileHolds(t, data, "ann@before.example") {
		t.Error("the data file is not the backup")
	}
	if !fileHolds(t, r.Replaced, "bob@after.example") {
		t.Error("the replaced file was not kept whole")
	}
	if fi, err := os.Stat(data); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("restored file mode = %v, %v", fi.Mode(), err)
	}
	if code, out, errb := runFull(t, dir, clock, "", "audit", "--verify"); code != 0 {
		t.Errorf("audit --verify after restore: %d %q %q", code, out, errb)
	}
	if code, _, errb := runFull(t, dir, clock, "", "restore", "424242"); code != cli.ExitError || !strings.Contains(errb, "not found") {
		t.Errorf("restore ID: %d %q; want the move restore", code, errb)
	}
}

// TestCLI_CompactRefusesWhileRunning: compact and the compaction after a
// forget do not touch a data file another process holds.
func TestCLI_CompactRefusesWhileRunning(t *testing.T) {
	dir := t.TempDir()
	clock := backend.NewManualClock(now)
	ingestOne(t, dir, clock, "one", "ann@one.example")
	held, err := store.Open(filepath.Join(dir, "caseyos.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if code, _, errb := runFull(t, dir, clock, "", "compact"); code != cli.ExitError || !strings.Contains(errb, "running") {
		t.Errorf("compact while held: %d %q; want it refused", code, errb)
	}
}

// TestCLI_ForgetDemo forgets a person of the demo workspace: the demo's
// audit log still verifies and the file no longer holds the address.
func TestCLI_ForgetDemo(t *testing.T) {
	dir := t.TempDir()
	clock := backend.NewManualClock(now)
	const addr = "dana@northwind.io"
	code, out, errb := runFull(t, dir, clock, "", "export", addr)
	if code != 0 || !strings.Contains(out, `"signals"`) {
		t.Fatalf("export in the demo: %d %q %q", code, out, errb)
	}
	if code, out, errb := runFull(t, dir, clock, "", "forget", addr, "--yes"); code != 0 || !strings.Contains(out, "compacted") {
		t.Fatalf("forget in the demo: %d %q %q", code, out, errb)
	}
	if fileHolds(t, filepath.Join(dir, "demo.db"), addr) {
		t.Error("the demo file still holds the address")
	}
	if code, out, errb := runFull(t, dir, clock, "", "audit", "--verify"); code != 0 {
		t.Errorf("audit --verify: %d %q %q", code, out, errb)
	}
}
