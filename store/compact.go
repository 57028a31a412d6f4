package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/caseyos/caseyos/backend"
)

// compactTxSize bounds one transaction of the copy, so a large file is
// copied in bounded memory.
const compactTxSize = 64 << 20

// CompactFile rewrites the data file at path without its free pages:
// bbolt never gives space back to the file system, and the pages it freed
// still hold the bytes of deleted records (a forgotten person's among
// them) until they are reused. The live records are copied into a new
// file beside it (0600), which is synced and renamed over path; the old
// file is kept locked until then, so a CaseyOS starting meanwhile waits.
// A file another process holds (CaseyOS is running) is refused with
// ECONFLICT. It returns the file's size before and after.
func CompactFile(path string) (before, after int64, err error) {
	const op = "store.CompactFile"
	fi, err := os.Stat(path)
	if err != nil {
		return 0, 0, &backend.Error{Code: backend.ENOTFOUND, Op: op, Message: fmt.Sprintf("there is no data file at %s", path), Err: err}
	}
	before = fi.Size()
	src, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: DefaultTimeout})
	if errors.Is(err, berrors.ErrTimeout) {
		return 0, 0, &backend.Error{Code: backend.ECONFLICT, Op: op, Err: err,
			Message: fmt.Sprintf("CaseyOS is running (the data file %s is locked by another process): quit it first, then compact", path)}
	}
	if err != nil {
		return 0, 0, &backend.Error{Code: backend.EINTERNAL, Op: op, Message: fmt.Sprintf("cannot open the data file %s", path), Err: err}
	}
	defer src.Close()
	failed := func(err error) (int64, int64, error) {
		return 0, 0, &backend.Error{Code: backend.EINTERNAL, Op: op, Message: fmt.Sprintf("the data file %s could not be compacted; it is unchanged", path), Err: err}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".compact.*")
	if err != nil {
		return failed(err)
	}
	tmpPath := tmp.Name()
	tmp.Close()
	defer os.Remove(tmpPath) // after the rename there is nothing there
	if err := os.Chmod(tmpPath, 0o600); err != nil {
		return failed(err)
	}
	dst, err := bolt.Open(tmpPath, 0o600, &bolt.Options{Timeout: DefaultTimeout})
	if err != nil {
		return failed(err)
	}
	if err := bolt.Compact(dst, src, compactTxSize); err != nil {
		dst.Close()
		return failed(err)
	}
	if err := dst.Sync(); err != nil {
		dst.Close()
		return failed(err)
	}
	if err := dst.Close(); err != nil {
		return failed(err)
	}
	if err := checkFile(tmpPath); err != nil {
		return failed(err)
	}
	if err := os.Rename(tmpPath, path); err != nil {
		return failed(err)
	}
	if d, derr := os.Open(filepath.Dir(path)); derr == nil {
		_ = d.Sync() // best effort: not every platform syncs directories
		_ = d.Close()
	}
	if fi, err := os.Stat(path); err == nil {
		after = fi.Size()
	}
	return before, after, nil
}

// checkFile opens a bbolt file read-only and checks its pages (bbolt's
// own consistency check).
func checkFile(path string) error {
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: DefaultTimeout})
	if err != nil {
		return err
	}
	defer db.Close()
	return db.View(func(btx *bolt.Tx) error {
		var errs []error
		for err := range btx.Check() {
			errs = append(errs, err)
		}
		return errors.Join(errs...)
	})
}
