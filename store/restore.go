package store

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/caseyos/caseyos/backend"
)

// RestoreFile puts the backup src in place of the data file at path and
// returns where the replaced file was kept ("" when there was none):
// path.replaced-<UTC time>, beside it, never deleted. The backup is
// checked first — a bbolt file whose pages are sound, with a CaseyOS
// schema this build can read (an older one is upgraded when next opened)
// — and copied to a temporary file (0600), synced, then renamed into
// place while the replaced file's lock is held, so no CaseyOS can open
// either meanwhile. A data file another process holds (CaseyOS is
// running) is refused with ECONFLICT, and nothing changes.
func RestoreFile(path, src string) (replaced string, err error) {
	const op = "store.RestoreFile"
	fi, err := os.Stat(src)
	if err != nil || !fi.Mode().IsRegular() {
		return "", &backend.Error{Code: backend.EINVALID, Op: op, Message: fmt.Sprintf("%s is not a backup file that can be read", src), Err: err}
	}
	if cur, err := os.Stat(path); err == nil && os.SameFile(cur, fi) {
		return "", backend.Errorf(backend.EINVALID, "%s is the data file itself", src)
	}
	if err := checkBackup(src); err != nil {
		return "", backend.WrapError(op, err)
	}
	var held *bolt.DB
	if _, err := os.Stat(path); err == nil {
		held, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: DefaultTimeout})
		if errors.Is(err, berrors.ErrTimeout) {
			return "", &backend.Error{Code: backend.ECONFLICT, Op: op, Err: err,
				Message: fmt.Sprintf("CaseyOS is running (the data file %s is locked by another process): quit it first, then restore", path)}
		}
		if err != nil {
			held = nil // a damaged data file can still be replaced: it is kept
		}
	}
	if held != nil {
		defer held.Close()
	}
	failed := func(err error) (string, error) {
		return "", &backend.Error{Code: backend.EINTERNAL, Op: op, Message: fmt.Sprintf("the backup could not be restored to %s; the data file is unchanged", path), Err: err}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return failed(err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".restore.*")
	if err != nil {
		return failed(err)
	}
	defer os.Remove(tmp.Name()) // after the rename there is nothing there
	in, err := os.Open(src)
	if err != nil {
		tmp.Close()
		return failed(err)
	}
	_, err = io.Copy(tmp, in)
	in.Close()
	if err == nil {
		err = tmp.Chmod(0o600)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return failed(err)
	}
	if _, err := os.Stat(path); err == nil {
		replaced = fmt.Sprintf("%s.replaced-%s", path, time.Now().UTC().Format("20060102T150405Z"))
		if _, err := os.Lstat(replaced); err == nil {
			replaced = fmt.Sprintf("%s.replaced-%s", path, time.Now().UTC().Format("20060102T150405.000000000Z"))
		}
		if err := os.Link(path, replaced); err != nil {
			if err := copyFile(path, replaced); err != nil {
				return failed(err)
			}
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return failed(err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		if replaced != "" {
			_ = os.Remove(replaced)
		}
		return failed(err)
	}
	if d, derr := os.Open(filepath.Dir(path)); derr == nil {
		_ = d.Sync() // best effort: not every platform syncs directories
		_ = d.Close()
	}
	return replaced, nil
}

// checkBackup says whether src is a CaseyOS data file this build can open.
func checkBackup(src string) error {
	db, err := bolt.Open(src, 0o600, &bolt.Options{ReadOnly: true, Timeout: DefaultTimeout})
	if err != nil {
		return &backend.Error{Code: backend.EINVALID, Message: fmt.Sprintf("%s is not a CaseyOS backup (not a data file)", src), Err: err}
	}
	defer db.Close()
	return db.View(func(btx *bolt.Tx) error {
		var errs []error
		for err := range btx.Check() {
			errs = append(errs, err)
		}
		if err := errors.Join(errs...); err != nil {
			return &backend.Error{Code: backend.EINVALID, Message: fmt.Sprintf("%s is damaged", src), Err: err}
		}
		meta := btx.Bucket(bMeta)
		if meta == nil {
			return backend.Errorf(backend.EINVALID, "%s is not a CaseyOS backup (it has no schema version)", src)
		}
		v, ok := decodeU64(meta.Get(kSchemaVersion))
		switch {
		case !ok:
			return backend.Errorf(backend.EINVALID, "%s is not a CaseyOS backup (it has no schema version)", src)
		case v > currentVersion:
			return backend.Errorf(backend.EINVALID, "%s was written by a newer CaseyOS (schema %d, this build knows %d)", src, v, currentVersion)
		}
		return nil
	})
}

// copyFile copies src to a new file dst (0600), synced.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err = io.Copy(out, in); err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}
