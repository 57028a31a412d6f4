package cli_test

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/app"
)

// startIngest starts `caseyos ingest -` on a fresh data directory with a
// standard input the test feeds and holds open.
func startIngest(tb testing.TB, bin, data string) (*exec.Cmd, io.WriteCloser) {
	tb.Helper()
	cmd := exec.Command(bin, "--data-dir", data, "ingest", "-")
	cmd.Env = append(os.Environ(), "CASEYOS_DATA_DIR=")
	in, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, in
}

// waitFor polls cond for up to d.
func waitFor(tb testing.TB, d time.Duration, what string, cond func() bool) {
	tb.Helper()
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	tb.Fatalf("timed out after %v waiting for %s", d, what)
}

func dirNames(dir string) []string {
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// TestE2E_IngestKilledFirstImport is the regression test for a first
// import killed (kill -9) before it stored anything: it left an empty
// caseyos.db that hid the demo from then on. Killed before its first
// batch is stored it leaves no workspace (and the next start removes what
// it was writing); killed after, it keeps what was stored.
func TestE2E_IngestKilledFirstImport(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	if runtime.GOOS == "windows" {
		t.Skip("a first import writes caseyos.db directly on Windows (docs/cli.md)")
	}
	bin := buildBinary(t)
	now := time.Now()

	t.Run("BeforeFirstBatch", func(t *testing.T) {
		data := filepath.Join(t.TempDir(), "data")
		cmd, in := startIngest(t, bin, data)
		for i := 0; i < 3; i++ {
			io.WriteString(in, mention(i, now.Add(-time.Hour))+"\n")
		}
		// The import has opened what it writes to; its batch is not full.
		waitFor(t, 10*time.Second, "the import to open its store", func() bool { return len(dirNames(data)) > 0 })
		time.Sleep(300 * time.Millisecond)
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		if _, err := os.Stat(filepath.Join(data, "caseyos.db")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("caseyos.db after a first import killed before storing anything: %v (dir %v), want none", err, dirNames(data))
		}
		r := runBin(t, bin, data, "", "today")
		if r.code != 0 || !strings.Contains(r.stdout, "DEMO WORKSPACE") {
			t.Errorf("today after the killed import: %d %q %q; want the demo", r.code, r.stdout, r.stderr)
		}
		// The next start removed what the killed import was writing.
		for _, name := range dirNames(data) {
			if name == "caseyos.db" || strings.Contains(name, ".import-") {
				t.Errorf("data directory holds %v after the next start, want no workspace and no import's file", dirNames(data))
			}
		}
	})

	t.Run("AfterFirstBatch", func(t *testing.T) {
		data := filepath.Join(t.TempDir(), "data")
		cmd, in := startIngest(t, bin, data)
		const n = 20_000 // one full batch
		var b strings.Builder
		for i := 1; i <= n; i++ {
			if i%1000 == 0 {
				b.WriteString(mention(i, now.Add(-time.Hour)) + "\n")
			} else {
				b.WriteString(contactLine(i, now.Add(-time.Hour)) + "\n")
			}
		}
		if _, err := io.WriteString(in, b.String()); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 60*time.Second, "caseyos.db", func() bool {
			_, err := os.Stat(filepath.Join(data, "caseyos.db"))
			return err == nil
		})
		time.Sleep(300 * time.Millisecond)
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		r := runBin(t, bin, data, "", "today", "--json")
		var today app.TodayDTO
		if err := json.Unmarshal([]byte(r.stdout), &today); err != nil || today.Workspace.Demo || today.Pending != n/1000 {
			t.Errorf("today after the killed import: %v, demo %v, %d pending; want the %d moves stored before the kill (%q)",
				err, today.Workspace.Demo, today.Pending, n/1000, r.stderr)
		}
		r = runBin(t, bin, data, b.String(), "ingest", "--json", "-")
		var rep app.IngestDTO
		json.Unmarshal([]byte(r.stdout), &rep)
		if rep.Duplicates != n || rep.Stored != 0 {
			t.Errorf("importing again: %d known, %d new; want all %d known", rep.Duplicates, rep.Stored, n)
		}
		for _, name := range dirNames(data) {
			if strings.Contains(name, ".import-") {
				t.Errorf("data directory still holds %s", name)
			}
		}
	})
}

// TestE2E_IngestFirstImportWhileRunning: while a first import is under
// way, its file is not taken for a workspace nor removed by another
// command; once it ends, caseyos.db holds everything.
func TestE2E_IngestFirstImportWhileRunning(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	if runtime.GOOS == "windows" {
		t.Skip("a first import writes caseyos.db directly on Windows (docs/cli.md)")
	}
	bin := buildBinary(t)
	now := time.Now()
	data := filepath.Join(t.TempDir(), "data")
	cmd, in := startIngest(t, bin, data)
	io.WriteString(in, mention(1, now.Add(-time.Hour))+"\n")
	waitFor(t, 10*time.Second, "the import to open its store", func() bool { return len(dirNames(data)) > 0 })
	r := runBin(t, bin, data, "", "today")
	if r.code != 0 || !strings.Contains(r.stdout, "DEMO WORKSPACE") {
		t.Errorf("today during the first import: %d %q %q; want the demo", r.code, r.stdout, r.stderr)
	}
	io.WriteString(in, mention(2, now.Add(-time.Hour))+"\n")
	in.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("ingest: %v", err)
	}
	r = runBin(t, bin, data, "", "today", "--json")
	var today app.TodayDTO
	if err := json.Unmarshal([]byte(r.stdout), &today); err != nil || today.Workspace.Demo || today.Pending != 2 {
		t.Errorf("today after the import: %v, demo %v, %d pending; want both moves in your workspace", err, today.Workspace.Demo, today.Pending)
	}
	for _, name := range dirNames(data) {
		if strings.Contains(name, ".import-") {
			t.Errorf("data directory still holds %s", name)
		}
	}
}
