package store

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/caseyos/caseyos/backend"
)

// AuditKeyAccount is the keychain account (under the keychain's service,
// "CaseyOS") that holds the audit key.
const AuditKeyAccount = "audit-key"

// AuditKeyFile is the file beside the data file that holds the audit key
// where there is no keychain.
const AuditKeyFile = "audit.key"

const keychainWhere = "the OS keychain (entry " + AuditKeyAccount + ")"

// auditKeyAccountFor is the keychain account that holds the key with id
// alone. A key made in the keychain is written there as well as to
// AuditKeyAccount, which every workspace shares: two processes that create
// a key at once both write AuditKeyAccount and the last one wins, but
// neither key is lost.
func auditKeyAccountFor(id string) string { return AuditKeyAccount + "-" + id }

// loadAuditKey finds the key the audit log is signed with. One rule says
// where a key lives: in the OS keychain when there is one (secrets is set
// and does not answer EUNAVAILABLE — the keychain's own decision, e.g.
// "no D-Bus session bus"), else in AuditKeyFile (0600) in dir. The key
// never enters the data file, which records only its ID.
//
// want is that recorded ID. A data file that has one takes the key with
// that ID from wherever it is found, and fails with EUNAVAILABLE naming
// both places when neither holds it. Only a data file without one (new,
// or being upgraded to a keyed log) gets a key created: with crypto/rand,
// in the keychain when it answers, else in the file.
func loadAuditKey(secrets backend.Secrets, dir, want string) (*backend.AuditKey, error) {
	const op = "store.auditKey"
	var found []*backend.AuditKey
	keychainOK := false
	why := "this build has no keychain"
	if secrets != nil {
		s, err := secrets.Get(AuditKeyAccount)
		switch backend.ErrorCode(err) {
		case "":
			k, err := parseAuditKey(s, keychainWhere)
			if err != nil {
				return nil, backend.WrapError(op, err)
			}
			found, keychainOK = append(found, k), true
		case backend.ENOTFOUND:
			keychainOK = true
		case backend.EUNAVAILABLE:
			why = backend.ErrorMessage(err)
		default:
			return nil, backend.WrapError(op, err)
		}
	}
	path := filepath.Join(dir, AuditKeyFile)
	fk, err := readAuditKeyFile(path)
	if err != nil {
		return nil, backend.WrapError(op, err)
	}
	if fk != nil {
		found = append(found, fk)
	}
	if want != "" {
		for _, k := range found {
			if k.ID() == want {
				return k, nil
			}
		}
		if keychainOK {
			where := "the OS keychain (entry " + auditKeyAccountFor(want) + ")"
			s, err := secrets.Get(auditKeyAccountFor(want))
			switch backend.ErrorCode(err) {
			case "":
				k, err := parseAuditKey(s, where)
				if err != nil {
					return nil, backend.WrapError(op, err)
				}
				if k.ID() == want {
					return k, nil
				}
			case backend.ENOTFOUND:
			default:
				return nil, backend.WrapError(op, err)
			}
		}
		where := keychainWhere
		if !keychainOK {
			where += " — it cannot be used here: " + why + " —"
		}
		return nil, &backend.Error{Code: backend.EUNAVAILABLE, Op: op, Message: fmt.Sprintf(
			"the audit log is signed with key %s, which is in neither %s nor %s; restore that key to verify the audit log or add to it (nothing that is audited can happen until then), or, if it is lost for good, run `caseyos audit --rekey` to go on with a new key (the entries signed with the lost key can then no longer be proven untampered)",
			want, where, path)}
	}
	if len(found) > 0 && keychainOK {
		return found[0], nil // the keychain's key, when it has one
	}
	if keychainOK {
		secret, err := newAuditSecret()
		if err != nil {
			return nil, backend.WrapError(op, err)
		}
		k, err := createAuditKeyEntry(secrets, secret)
		if err == nil {
			return k, nil
		}
		if backend.ErrorCode(err) != backend.EUNAVAILABLE {
			return nil, backend.WrapError(op, err)
		}
	}
	if fk != nil {
		return fk, nil
	}
	k, err := createAuditKeyFile(path)
	return k, backend.WrapError(op, err)
}

// createAuditKeyEntry stores a new key in the keychain: first in its own
// entry, which nothing else writes, then in the shared one. Another
// process may have created a key at the same moment and written the
// shared entry after this one did: what it holds when read back is used,
// so that both settle on one key, and the key of whichever process read
// back first stays in its own entry even if it is overwritten later.
func createAuditKeyEntry(secrets backend.Secrets, secret []byte) (*backend.AuditKey, error) {
	k, err := backend.NewAuditKey(secret, keychainWhere)
	if err != nil {
		return nil, err
	}
	if err := secrets.Set(auditKeyAccountFor(k.ID()), hex.EncodeToString(secret)); err != nil {
		return nil, err
	}
	if err := secrets.Set(AuditKeyAccount, hex.EncodeToString(secret)); err != nil {
		return nil, err
	}
	if s, err := secrets.Get(AuditKeyAccount); err == nil {
		if held, err := parseAuditKey(s, keychainWhere); err == nil {
			return held, nil
		}
	}
	return k, nil
}

func newAuditSecret() ([]byte, error) {
	secret := make([]byte, backend.AuditKeySize)
	if _, err := rand.Read(secret); err != nil {
		return nil, &backend.Error{Code: backend.EINTERNAL, Message: "cannot make an audit key", Err: err}
	}
	return secret, nil
}

func parseAuditKey(s, where string) (*backend.AuditKey, error) {
	secret, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil || len(secret) != backend.AuditKeySize {
		return nil, backend.Errorf(backend.EINVALID, "the audit key in %s is damaged (want %d hex-encoded bytes)", where, backend.AuditKeySize)
	}
	return backend.NewAuditKey(secret, where)
}

// readAuditKeyFile reads the key file; nil, nil when there is none. A file
// other users can read is refused: its key can no longer be trusted.
func readAuditKeyFile(path string) (*backend.AuditKey, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, &backend.Error{Code: backend.EUNAVAILABLE, Message: fmt.Sprintf("cannot read the audit key file %s", path), Err: err}
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, &backend.Error{Code: backend.EUNAVAILABLE, Message: fmt.Sprintf("cannot read the audit key file %s", path), Err: err}
	}
	if perm := fi.Mode().Perm(); runtime.GOOS != "windows" && perm&0o077 != 0 {
		return nil, backend.Errorf(backend.EUNAVAILABLE, "the audit key file %s can be read by other users (mode %04o): it must be 0600 (chmod 600 %s)", path, perm, path)
	}
	buf := make([]byte, 4*backend.AuditKeySize)
	n, _ := f.Read(buf)
	return parseAuditKey(string(buf[:n]), path)
}

// createAuditKeyFile writes a new key to path, 0600, whole or not at all:
// to a temporary file first, then linked into place, so that of two
// processes creating it at once one wins and the other reads its key.
func createAuditKeyFile(path string) (*backend.AuditKey, error) {
	secret, err := newAuditSecret()
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*backend.AuditKey, error) {
		return nil, &backend.Error{Code: backend.EUNAVAILABLE, Message: fmt.Sprintf("cannot write the audit key file %s", path), Err: err}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), AuditKeyFile+".tmp*")
	if err != nil {
		return fail(err)
	}
	defer os.Remove(tmp.Name())
	// CreateTemp makes the file 0600; the key is written only after that.
	if _, err := tmp.WriteString(hex.EncodeToString(secret) + "\n"); err != nil {
		tmp.Close()
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			k, err := readAuditKeyFile(path)
			if err == nil && k == nil {
				err = errors.New("the audit key file vanished")
			}
			return k, err
		}
		// No hard links here (some file systems): create it exclusively.
		f, cerr := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if cerr != nil {
			return fail(errors.Join(err, cerr))
		}
		_, werr := f.WriteString(hex.EncodeToString(secret) + "\n")
		if werr = errors.Join(werr, f.Sync(), f.Close()); werr != nil {
			_ = os.Remove(path)
			return fail(werr)
		}
	}
	return backend.NewAuditKey(secret, path)
}
