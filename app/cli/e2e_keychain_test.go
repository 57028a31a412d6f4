package cli_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/app/cli"
	"github.com/caseyos/caseyos/connectors/hubspot/hubspottest"
	"github.com/caseyos/caseyos/connectors/keychain"
)

// TestE2E_RealKeychain connects HubSpot (the fake) through the built
// binary with the real OS keychain: the token is stored, read by a sync
// and deleted by disconnect, and never written anywhere else. It runs when
// CASEYOS_REAL_KEYCHAIN=1 (make test-keychain: gnome-keyring in a private
// D-Bus session) and then must not skip.
func TestE2E_RealKeychain(t *testing.T) {
	if os.Getenv("CASEYOS_REAL_KEYCHAIN") != "1" {
		t.Skip("set CASEYOS_REAL_KEYCHAIN=1 (make test-keychain) to use the real keychain")
	}
	srv := hubspottest.NewTestServer(t, hubspottest.Options{Token: fakeToken})
	srv.Seed(hubspottest.DemoSeed(time.Now()))
	t.Setenv("CASEYOS_HUBSPOT_BASE_URL", srv.URL())
	bin := buildBinary(t)
	data := t.TempDir()
	lookup := func() string {
		out, err := exec.Command("secret-tool", "lookup", "service", keychain.Service, "username", "hubspot").Output()
		if err != nil {
			return ""
		}
		return strings.TrimSpace(string(out))
	}
	t.Cleanup(func() { exec.Command("secret-tool", "clear", "service", keychain.Service, "username", "hubspot").Run() })
	var printed strings.Builder
	run := func(stdin string, args ...string) result {
		r := runBin(t, bin, data, stdin, args...)
		printed.WriteString(r.stdout + r.stderr)
		return r
	}

	if r := run(fakeToken+"\n", "connect", "hubspot", "--token-stdin"); r.code != 0 {
		t.Fatalf("connect: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if _, err := exec.LookPath("secret-tool"); err == nil {
		if got := lookup(); got != fakeToken {
			t.Errorf("the keychain holds %q, want the token", got)
		}
	}
	if r := run("", "sync", "--once"); r.code != 0 {
		t.Fatalf("sync --once: %d %s", r.code, r.stderr)
	}
	r := run("", "status", "--json")
	var st cli.StatusDTO
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil || st.Accounts[0].State != "connected" || st.Accounts[0].Sync == nil || st.Accounts[0].Sync.Items == 0 {
		t.Errorf("status after a sync with the real keychain: %s (%v)", r.stdout, err)
	}
	if r := run("", "today"); r.code != 0 || strings.Contains(r.stdout, "DEMO WORKSPACE") {
		t.Errorf("today: %d %q, want your workspace", r.code, r.stdout)
	}
	assertNoToken(t, data, printed.String())

	if r := run("", "disconnect", "hubspot"); r.code != 0 {
		t.Fatalf("disconnect: %d %s", r.code, r.stderr)
	}
	if _, err := exec.LookPath("secret-tool"); err == nil && lookup() != "" {
		t.Error("the token is still in the keychain after disconnect")
	}
	if r := run("", "sync", "--once"); r.code != cli.ExitError {
		t.Errorf("sync after disconnect: %d, want 1", r.code)
	}
}
