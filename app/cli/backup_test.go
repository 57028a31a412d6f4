package cli_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/app/cli"
	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

// checkBackup opens path as a workspace and asserts it holds pending moves.
func checkBackup(tb testing.TB, path string) {
	tb.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		tb.Fatalf("backup: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		tb.Errorf("backup mode = %v, want 0600", fi.Mode().Perm())
	}
	st, err := store.Open(path, store.Options{Timeout: time.Second})
	if err != nil {
		tb.Fatalf("open backup: %v", err)
	}
	defer st.Close()
	q := backend.NewServices(st, backend.SystemClock{}, nil)
	_, n, err := q.Ingest.Signals(context.Background(), 0, 1)
	if err != nil || n == 0 {
		tb.Errorf("backup holds %d signals, %v; want the workspace's", n, err)
	}
}

// noStrays asserts dir holds only names.
func noStrays(tb testing.TB, dir string, names ...string) {
	tb.Helper()
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if !want[e.Name()] {
			tb.Errorf("%s left in %s", e.Name(), dir)
		}
	}
}

// backupCases runs the CLI's backup against dir (a running instance or
// not) and checks that it writes new files only.
func backupCases(t *testing.T, dir string) {
	clock := backend.SystemClock{}
	out := t.TempDir()
	t.Run("OK", func(t *testing.T) {
		path := filepath.Join(out, "copy.db")
		code, stdout, errb := runCLI(t, dir, clock, "", "backup", path)
		if code != 0 || !strings.Contains(stdout, "Backed up") {
			t.Fatalf("backup: %d %q %q", code, stdout, errb)
		}
		checkBackup(t, path)
	})
	t.Run("ErrExists", func(t *testing.T) {
		precious := filepath.Join(out, "precious.txt")
		if err := os.WriteFile(precious, []byte("do not touch"), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{precious, filepath.Join(out, "copy.db")} {
			before, _ := os.ReadFile(path)
			code, _, errb := runCLI(t, dir, clock, "", "backup", path)
			if code != cli.ExitError || !strings.Contains(errb, "already exists") {
				t.Errorf("backup over %s: exit %d %q, want 1 and \"already exists\"", filepath.Base(path), code, errb)
			}
			if after, _ := os.ReadFile(path); string(after) != string(before) {
				t.Errorf("backup changed the existing %s", filepath.Base(path))
			}
		}
		if fi, _ := os.Stat(precious); fi.Mode().Perm() != 0o644 {
			t.Errorf("precious.txt mode = %v, want it left 0644", fi.Mode().Perm())
		}
	})
	t.Run("ErrDanglingSymlink", func(t *testing.T) {
		// A link to a file that does not exist yet is not a new name.
		target := filepath.Join(out, "target.txt")
		link := filepath.Join(out, "link.db")
		if err := os.Symlink(target, link); err != nil {
			t.Skip(err)
		}
		code, _, errb := runCLI(t, dir, clock, "", "backup", link)
		if code != cli.ExitError || !strings.Contains(errb, "already exists") {
			t.Errorf("backup to a dangling symlink: exit %d %q, want 1", code, errb)
		}
		if _, err := os.Stat(target); !os.IsNotExist(err) {
			t.Errorf("backup wrote through the symlink: %v", err)
		}
	})
	noStrays(t, out, "copy.db", "precious.txt", "link.db")
}

func TestCLI_Backup(t *testing.T) {
	t.Run("Local", func(t *testing.T) {
		backupCases(t, t.TempDir())
	})
	t.Run("ThroughRunningInstance", func(t *testing.T) {
		s := startServe(t)
		backupCases(t, s.dir)
	})
}

func TestServe_NoBackupMethod(t *testing.T) {
	s := startServe(t)
	dir := t.TempDir()
	precious := filepath.Join(dir, "precious.txt")
	if err := os.WriteFile(precious, []byte("do not touch"), 0o600); err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(dir, "fresh.db")
	// Neither the method nor the CLI's stream writes a file it is given.
	for _, name := range []string{"Backup", "backup"} {
		for _, path := range []string{precious, fresh} {
			code, body := s.post(t, name, []any{path}, nil)
			if name == "Backup" && code != http.StatusNotFound {
				t.Errorf("POST /api/%s [%s] = %d %s, want 404: no such method", name, filepath.Base(path), code, body)
			}
		}
	}
	if b, _ := os.ReadFile(precious); string(b) != "do not touch" {
		t.Errorf("the API overwrote precious.txt: %q", b)
	}
	if _, err := os.Stat(fresh); !os.IsNotExist(err) {
		t.Errorf("the API wrote fresh.db: %v", err)
	}
	// The CLI's backup stream needs the token in the header, and the
	// server's own origin.
	for _, tt := range []struct {
		name   string
		url    string
		header map[string]string
		status int
	}{
		{"NoToken", s.base + "api/backup", nil, 401},
		{"QueryToken", s.base + "api/backup?token=" + s.token, nil, 401},
		{"ForeignOrigin", s.base + "api/backup", map[string]string{"Authorization": "Bearer " + s.token, "Origin": "https://evil.example"}, 403},
		{"GET", s.base + "api/backup", map[string]string{"Authorization": "Bearer " + s.token, "X-Method": "GET"}, 405},
	} {
		method := http.MethodPost
		if tt.header["X-Method"] != "" {
			method = tt.header["X-Method"]
		}
		req, _ := http.NewRequest(method, tt.url, nil)
		for k, v := range tt.header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("%s: %d, want %d", tt.name, resp.StatusCode, tt.status)
		}
	}
}
