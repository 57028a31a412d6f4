package keychain

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/caseyos/caseyos/backend"
)

// TestKeychain_Real stores, reads and deletes an entry in the real OS
// keychain. It runs when CASEYOS_REAL_KEYCHAIN=1 (make test-keychain starts
// gnome-keyring in a private D-Bus session and sets it) and then must not
// skip. It sorts before keychain_test.go, whose mock replaces the real
// keychain for the rest of the binary.
func TestKeychain_Real(t *testing.T) {
	if os.Getenv("CASEYOS_REAL_KEYCHAIN") != "1" {
		t.Skip("set CASEYOS_REAL_KEYCHAIN=1 (make test-keychain) to use the real keychain")
	}
	if mocked {
		t.Fatal("the mock keychain is installed: run this test first or alone (-run Real)")
	}
	b := make([]byte, 8)
	rand.Read(b)
	account := "test-" + hex.EncodeToString(b)
	secret := "pat-na1-" + hex.EncodeToString(b) + "-secret"
	k := New()
	t.Cleanup(func() { _ = k.Delete(account) })

	if _, err := k.Get(account); backend.ErrorCode(err) != backend.ENOTFOUND {
		t.Fatalf("Get before Set = %v, want not_found", err)
	}
	if err := k.Set(account, secret); err != nil {
		t.Fatalf("Set: %v", err)
	}
	got, err := k.Get(account)
	if err != nil || got != secret {
		t.Fatalf("Get = %q, %v, want the secret", got, err)
	}
	// The entry is where other Secret Service clients see it.
	if path, err := exec.LookPath("secret-tool"); err == nil {
		out, err := exec.Command(path, "lookup", "service", Service, "username", account).Output()
		if err != nil || strings.TrimSpace(string(out)) != secret {
			t.Errorf("secret-tool lookup = %q, %v, want the secret", out, err)
		}
	}
	if err := k.Delete(account); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := k.Get(account); backend.ErrorCode(err) != backend.ENOTFOUND {
		t.Fatalf("Get after Delete = %v, want not_found", err)
	}
}
