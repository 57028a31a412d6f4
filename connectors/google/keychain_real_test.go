package google_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/caseyos/caseyos/connectors/google"
	"github.com/caseyos/caseyos/connectors/google/googletest"
	"github.com/caseyos/caseyos/connectors/keychain"
)

// TestAuthorize_RealKeychain drives the loopback consent flow against the
// fake token endpoint and lands the token in the real OS keychain, then
// refreshes from it as a later run would. It runs when
// CASEYOS_REAL_KEYCHAIN=1 (make test-keychain: gnome-keyring in a private
// D-Bus session).
func TestAuthorize_RealKeychain(t *testing.T) {
	if os.Getenv("CASEYOS_REAL_KEYCHAIN") != "1" {
		t.Skip("set CASEYOS_REAL_KEYCHAIN=1 (make test-keychain) to use the real keychain")
	}
	fake := googletest.NewTestServer(t, googletest.Options{})
	kc := keychain.New()
	account := "google-test-" + time.Now().Format("150405.000000")
	t.Cleanup(func() { _ = kc.Delete(account) })
	cfg := config(fake, kc)
	cfg.Account = account
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tok, err := google.Authorize(ctx, cfg, browser(t, nil))
	if err != nil {
		t.Fatalf("Authorize() error = %v", err)
	}
	later := google.Config{Secrets: kc, Account: account, TokenURL: fake.TokenURL()}
	got, err := google.LoadToken(later)
	if err != nil || got.RefreshToken != tok.RefreshToken {
		t.Fatalf("token in the keychain = %+v, %v; want the issued one", got, err)
	}
	fake.ExpireAccessTokens()
	ts := google.NewTokenSource(ctx, later)
	fresh, err := ts.ForceRefresh(got.AccessToken)
	if err != nil || !fake.Valid(fresh.AccessToken) {
		t.Fatalf("refresh from the keychain = %v, %v", fresh, err)
	}
	if again, _ := google.LoadToken(later); again.AccessToken != fresh.AccessToken {
		t.Error("the refreshed token was not written back to the keychain")
	}
}
