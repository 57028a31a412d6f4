package backend_test

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/caseyos/caseyos/backend"
)

// PersonHash is the key a forgotten address is kept under: its bytes must
// never change, and ingest computes it for addresses it has not seen, so
// it costs one allocation (the string it returns).
func TestPersonHash_FormatAndCost(t *testing.T) {
	long := strings.Repeat("x", 300) + "@example.com"
	for _, addr := range []string{"dana@northwind.io", "  Dana@NorthWind.IO\t", "", long, "ünï@cödé.example"} {
		sum := sha256.Sum256([]byte("caseyos person v1\x00" + strings.ToLower(strings.TrimSpace(addr))))
		if got, want := backend.PersonHash(addr), "sha256:"+hex.EncodeToString(sum[:]); got != want {
			t.Errorf("PersonHash(%q) = %q, want %q", addr, got, want)
		}
		if h := backend.PersonHash(addr); !backend.IsPersonHash(h) {
			t.Errorf("IsPersonHash(PersonHash(%q)) = false", addr)
		}
	}
	if n := testing.AllocsPerRun(100, func() { backend.PersonHash("dana@northwind.io") }); n > 1 {
		t.Errorf("PersonHash allocates %v times, want at most 1", n)
	}
}
