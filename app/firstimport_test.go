package app

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/caseyos/caseyos/backend"
)

// A caseyos.db created by another command during a first import is never
// replaced: publishing says so and the import's file goes.
func TestFirstImport_PublishConflict(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, RealFile)
	f := NewFirstImport(real)
	if err := os.WriteFile(f.tmp, []byte("import"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(real, []byte("other"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := f.Publish(); backend.ErrorCode(err) != backend.ECONFLICT {
		t.Fatalf("publish over an existing caseyos.db = %v, want conflict", err)
	}
	f.Finish()
	if b, _ := os.ReadFile(real); string(b) != "other" {
		t.Errorf("caseyos.db = %q, want the other command's file", b)
	}
	if _, err := os.Stat(f.tmp); !os.IsNotExist(err) {
		t.Errorf("the import's file is still there: %v", err)
	}
}

// Only files of imports whose process is gone are removed.
func TestRemoveAbandonedImports(t *testing.T) {
	dir := t.TempDir()
	self := filepath.Join(dir, importPrefix+strconv.Itoa(os.Getpid()))
	gone := filepath.Join(dir, importPrefix+"999999999")
	other := filepath.Join(dir, RealFile+".import-notapid")
	for _, p := range []string{self, gone, other} {
		os.WriteFile(p, nil, 0o600)
	}
	removeAbandonedImports(dir)
	for p, want := range map[string]bool{self: true, gone: false, other: true} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Errorf("%s exists = %v, want %v", filepath.Base(p), err == nil, want)
		}
	}
}
