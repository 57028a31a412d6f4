package app

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A copy cut midway by the instance leaves nothing under the name.
func TestRemote_BackupCutStream(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write([]byte(strings.Repeat("x", 64<<10)))
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	}))
	defer srv.Close()
	dir := t.TempDir()
	path := filepath.Join(dir, "copy.db")
	r := &Instance{base: srv.URL + "/", token: "t", client: srv.Client(), ws: Workspace{Path: filepath.Join(t.TempDir(), "caseyos.db")}}
	if _, err := r.Backup(path); err == nil {
		t.Fatal("backup of a cut stream succeeded")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("a cut backup left %v", ents)
	}
}
