package keychain

import (
	"errors"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/caseyos/caseyos/backend"
)

// mocked is set once a test has replaced the real keychain with
// go-keyring's mock: there is no way back within the test binary.
var mocked bool

func mockKeyring(tb testing.TB, err error) {
	tb.Helper()
	mocked = true
	if err != nil {
		keyring.MockInitWithError(err)
	} else {
		keyring.MockInit()
	}
}

const token = "pat-na1-11111111-2222-3333-4444-555555555555"

func TestKeychain(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		mockKeyring(t, nil)
		k := &Keychain{service: Service, mock: true}
		if err := k.Set("hubspot", token); err != nil {
			t.Fatal(err)
		}
		got, err := k.Get("hubspot")
		if err != nil || got != token {
			t.Fatalf("Get = %q, %v, want the token", got, err)
		}
		if err := k.Set("hubspot", token+"x"); err != nil {
			t.Fatal(err)
		}
		if got, _ := k.Get("hubspot"); got != token+"x" {
			t.Errorf("after a second Set, Get = %q, want the new token", got)
		}
		if v, err := keyring.Get(Service, "hubspot"); err != nil || v != token+"x" {
			t.Errorf("entry under service %q, user hubspot = %q, %v", Service, v, err)
		}
		if err := k.Delete("hubspot"); err != nil {
			t.Fatal(err)
		}
		if _, err := k.Get("hubspot"); backend.ErrorCode(err) != backend.ENOTFOUND {
			t.Errorf("Get after Delete = %v, want not_found", err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		mockKeyring(t, nil)
		k := &Keychain{service: Service, mock: true}
		_, err := k.Get("hubspot")
		if backend.ErrorCode(err) != backend.ENOTFOUND || !strings.Contains(backend.ErrorMessage(err), "caseyos connect hubspot") {
			t.Errorf("Get(absent) = %v, want not_found saying how to connect", err)
		}
		if err := k.Delete("hubspot"); backend.ErrorCode(err) != backend.ENOTFOUND {
			t.Errorf("Delete(absent) = %v, want not_found", err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		mockKeyring(t, nil)
		k := &Keychain{service: Service, mock: true}
		if err := k.Set("", token); backend.ErrorCode(err) != backend.EINVALID {
			t.Errorf("Set without account = %v, want invalid", err)
		}
		if err := k.Set("hubspot", "  "); backend.ErrorCode(err) != backend.EINVALID {
			t.Errorf("Set of an empty secret = %v, want invalid", err)
		}
	})
	t.Run("ErrUnavailable", func(t *testing.T) {
		mockKeyring(t, errors.New("The name org.freedesktop.secrets was not provided by any .service files"))
		k := &Keychain{service: Service, mock: true}
		for name, err := range map[string]error{
			"Set":    k.Set("hubspot", token),
			"Get":    func() error { _, err := k.Get("hubspot"); return err }(),
			"Delete": k.Delete("hubspot"),
		} {
			if backend.ErrorCode(err) != backend.EUNAVAILABLE {
				t.Errorf("%s without a keychain = %v, want unavailable", name, err)
			}
			msg := backend.ErrorMessage(err)
			if !strings.Contains(msg, "Secret Service") && !strings.Contains(msg, "Keychain") && !strings.Contains(msg, "Credential Manager") {
				t.Errorf("%s message %q does not say how to fix the keychain", name, msg)
			}
			if strings.Contains(err.Error(), token) {
				t.Errorf("%s error %q holds the secret", name, err)
			}
		}
	})
}

func TestFixHint(t *testing.T) {
	for goos, want := range map[string]string{"linux": "gnome-keyring", "darwin": "Keychain Access", "windows": "Credential Manager", "freebsd": "D-Bus"} {
		if got := FixHint(goos); !strings.Contains(got, want) {
			t.Errorf("FixHint(%s) = %q, want it to mention %q", goos, got, want)
		}
	}
}
