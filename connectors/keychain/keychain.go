package keychain

import (
	"errors"
	"runtime"
	"strings"

	"github.com/zalando/go-keyring"

	"github.com/caseyos/caseyos/backend"
)

// Service is the one service name every CaseyOS entry is stored under.
const Service = "CaseyOS"

// Keychain is backend.Secrets over the OS keychain.
type Keychain struct {
	service string
	mock    bool // go-keyring's in-memory mock: no bus to check
}

var _ backend.Secrets = (*Keychain)(nil)

// New returns the keychain under Service.
func New() *Keychain { return &Keychain{service: Service} }

// NewMock returns a Keychain over go-keyring's in-memory mock, for tests in
// other packages. It replaces the OS keychain for the whole process.
func NewMock() *Keychain {
	keyring.MockInit()
	return &Keychain{service: Service, mock: true}
}

// ready fails, starting nothing, when the OS keychain cannot be reached.
func (k *Keychain) ready(op string) error {
	if k.mock {
		return nil
	}
	return checkBus(op)
}

// Get returns account's secret; ENOTFOUND when none is stored.
func (k *Keychain) Get(account string) (string, error) {
	const op = "keychain.Get"
	if err := checkAccount(account); err != nil {
		return "", backend.WrapError(op, err)
	}
	if err := k.ready(op); err != nil {
		return "", err
	}
	s, err := keyring.Get(k.service, account)
	switch {
	case errors.Is(err, keyring.ErrNotFound):
		return "", &backend.Error{Code: backend.ENOTFOUND, Op: op, Message: "no credentials for " + account + " are stored in the keychain: run `caseyos connect " + account + "`"}
	case err != nil:
		return "", unavailable(op, err)
	}
	return s, nil
}

// Set stores secret as account's entry, replacing any there.
func (k *Keychain) Set(account, secret string) error {
	const op = "keychain.Set"
	if err := checkAccount(account); err != nil {
		return backend.WrapError(op, err)
	}
	if strings.TrimSpace(secret) == "" {
		return &backend.Error{Code: backend.EINVALID, Op: op, Message: "the credential for " + account + " is empty"}
	}
	if err := k.ready(op); err != nil {
		return err
	}
	err := keyring.Set(k.service, account, secret)
	switch {
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return &backend.Error{Code: backend.EINVALID, Op: op, Message: "the credential for " + account + " is too large for the keychain", Err: err}
	case err != nil:
		return unavailable(op, err)
	}
	return nil
}

// Delete removes account's entry; ENOTFOUND when there is none.
func (k *Keychain) Delete(account string) error {
	const op = "keychain.Delete"
	if err := checkAccount(account); err != nil {
		return backend.WrapError(op, err)
	}
	if err := k.ready(op); err != nil {
		return err
	}
	err := keyring.Delete(k.service, account)
	switch {
	case errors.Is(err, keyring.ErrNotFound):
		return &backend.Error{Code: backend.ENOTFOUND, Op: op, Message: "no credentials for " + account + " are stored in the keychain"}
	case err != nil:
		return unavailable(op, err)
	}
	return nil
}

func checkAccount(account string) error {
	if strings.TrimSpace(account) == "" || strings.ContainsAny(account, "\x00\n") {
		return backend.Errorf(backend.EINVALID, "a keychain entry needs an account name")
	}
	return nil
}

// unavailable explains that the keychain cannot be used and how to fix it.
// The cause (a D-Bus or Security framework error) goes in Err for logs; it
// never holds the secret.
func unavailable(op string, err error) error {
	return &backend.Error{Code: backend.EUNAVAILABLE, Op: op, Message: FixHint(runtime.GOOS), Err: err}
}

// FixHint says, for an OS, why the keychain could not be used and how to
// make it usable.
func FixHint(goos string) string {
	switch goos {
	case "darwin":
		return "the macOS Keychain is not usable: unlock your login keychain in Keychain Access and allow CaseyOS to use it"
	case "windows":
		return "the Windows Credential Manager is not usable: sign in to a user session that has one"
	}
	return "no OS keychain is available: CaseyOS keeps credentials in a Secret Service (gnome-keyring or KeePassXC) " +
		"reached over the D-Bus session bus; start one and unlock it (for example `gnome-keyring-daemon --start --components=secrets` " +
		"in a session where DBUS_SESSION_BUS_ADDRESS is set)"
}
