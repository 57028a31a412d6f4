package app

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/caseyos/caseyos/app/internal/tsgen"
)

// The UI's types and method signatures (frontend/src/api.gen.ts) are
// generated from the bound services' methods and the Go DTOs: a renamed method,
// a changed argument or a changed JSON field makes the committed file
// stale, and this test says how to bring it back.
func TestAPIGen_MatchesGo(t *testing.T) {
	want, err := tsgen.App(".", BoundServices()...)
	if err != nil {
		t.Fatal(err)
	}
	const path = "../frontend/src/api.gen.ts"
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(got, want) {
		return
	}
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < max(len(g), len(w)); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			t.Fatalf("frontend/src/api.gen.ts differs from the Go API at line %d:\n  committed: %q\n  from Go:   %q\nrun go generate ./app/...", i+1, gl, wl)
		}
	}
}
