package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/caseyos/caseyos/backend"
)

// initialMmapSize is the address space reserved for the data file.
const initialMmapSize = 1 << 30

// DefaultTimeout is how long Open waits for the data file's lock.
const DefaultTimeout = time.Second

// Options configure Open.
type Options struct {
	// Timeout is how long to wait for another process to release the data
	// file before giving up; zero means DefaultTimeout.
	Timeout time.Duration
	// Clock stamps the creation times (Signal.ReceivedAt, Move.CreatedAt,
	// Outcome.RecordedAt …) that a caller leaves zero; nil means the wall
	// clock.
	Clock backend.Clock
	// Secrets is the OS keychain the audit key is kept in. Nil, or a
	// keychain that answers EUNAVAILABLE, keeps it in a 0600 file,
	// AuditKeyFile, beside the data file instead (see loadAuditKey).
	Secrets backend.Secrets
}

// DB is the CaseyOS data file. It implements backend.Store and is safe for
// concurrent use: any number of View transactions run alongside one Update.
type DB struct {
	bolt    *bolt.DB
	path    string
	clock   backend.Clock
	secrets backend.Secrets

	keyMu  sync.Mutex
	key    atomic.Pointer[backend.AuditKey] // loaded once, then read without the lock
	keyErr error                            // why the last load failed
}

var _ backend.Store = (*DB)(nil)

// Open opens the data file at path, creating it (0600) and its directory
// (0700) when missing, creating every bucket, and upgrading a file written
// by an older build after copying it to <path>.v<old version>.bak.
//
// A file another process holds open is an ECONFLICT error ("CaseyOS is
// already running"); a file written by a newer build is EINVALID.
func Open(path string, opts Options) (*DB, error) {
	const op = "store.Open"
	if path == "" {
		return nil, &backend.Error{Code: backend.EINVALID, Message: "the data file path is empty", Op: op}
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Clock == nil {
		opts.Clock = backend.SystemClock{}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, &backend.Error{Code: backend.EINTERNAL, Message: fmt.Sprintf("cannot create the directory for the data file %s", path), Op: op, Err: err}
	}
	if err := privateDir(filepath.Dir(path)); err != nil {
		return nil, &backend.Error{Code: backend.EINTERNAL, Message: fmt.Sprintf("cannot make the directory of the data file %s private", path), Op: op, Err: err}
	}
	bdb, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout: opts.Timeout,
		// Reserve address space up front: each time bbolt grows its map
		// inside a write transaction it must copy every node it holds out
		// of the old map, which dominated large ingests. This reserves
		// virtual memory only; the file still grows as data arrives.
		InitialMmapSize: initialMmapSize,
	})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, &backend.Error{
			Code:    backend.ECONFLICT,
			Message: fmt.Sprintf("CaseyOS is already running (the data file %s is locked by another process)", path),
			Op:      op, Err: err,
		}
	}
	if err != nil {
		return nil, &backend.Error{Code: backend.EINTERNAL, Message: fmt.Sprintf("cannot open the data file %s", path), Op: op, Err: err}
	}
	db := &DB{bolt: bdb, path: path, clock: opts.Clock, secrets: opts.Secrets}
	if err := db.prepare(); err != nil {
		_ = bdb.Close()
		return nil, backend.WrapError(op, err)
	}
	return db, nil
}

// prepare brings the file to currentVersion: a new file gets every bucket
// and the version, an older one is backed up and migrated, a newer one is
// refused.
func (db *DB) prepare() error {
	version, fresh, err := db.schemaVersion()
	if err != nil {
		return err
	}
	switch {
	case version > currentVersion:
		return backend.Errorf(backend.EINVALID, "data file was written by a newer CaseyOS (schema %d, this build knows %d)", version, currentVersion)
	case !fresh && version < currentVersion:
		if err := db.migrate(version); err != nil {
			return err
		}
	}
	var key *backend.AuditKey
	if fresh {
		// A new file is sealed from the start, so that an audit log
		// emptied later cannot pass for a new one.
		if key, err = db.newAuditKey(); err != nil {
			return err
		}
	}
	err = db.bolt.Update(func(btx *bolt.Tx) error {
		if err := createBuckets(btx); err != nil {
			return err
		}
		if fresh {
			if err := putAuditHead(btx.Bucket(bMeta), key, 0, "", 1); err != nil {
				return err
			}
			return btx.Bucket(bMeta).Put(kSchemaVersion, u64(currentVersion))
		}
		return nil
	})
	if err != nil {
		return &backend.Error{Code: backend.EINTERNAL, Message: "cannot initialise the data file", Err: err}
	}
	return nil
}

// schemaVersion reads meta/schema_version. fresh reports a file without any
// bucket, which Open initialises at currentVersion.
func (db *DB) schemaVersion() (version uint64, fresh bool, err error) {
	err = db.bolt.View(func(btx *bolt.Tx) error {
		meta := btx.Bucket(bMeta)
		if meta == nil {
			empty := true
			_ = btx.ForEach(func([]byte, *bolt.Bucket) error { empty = false; return nil })
			if empty {
				fresh = true
				return nil
			}
			return backend.Errorf(backend.EINVALID, "%s is not a CaseyOS data file (it has no schema version)", db.path)
		}
		v, ok := decodeU64(meta.Get(kSchemaVersion))
		if !ok {
			return backend.Errorf(backend.EINVALID, "%s is not a CaseyOS data file (it has no schema version)", db.path)
		}
		version = v
		return nil
	})
	return version, fresh, err
}

// Path returns the data file's path.
func (db *DB) Path() string { return db.path }

// Close releases the data file. It waits for running transactions.
func (db *DB) Close() error {
	if err := db.bolt.Close(); err != nil {
		return &backend.Error{Code: backend.EINTERNAL, Op: "store.Close", Err: err}
	}
	return nil
}

// View runs fn in a read-only transaction. A cancelled ctx stops it before
// it starts; fn's error is returned unchanged.
func (db *DB) View(ctx context.Context, fn func(backend.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.run(false, fn)
}

// Update runs fn in a read-write transaction and commits when fn returns
// nil. A cancelled ctx stops it before it starts; fn's error is returned
// unchanged and nothing fn wrote is kept.
func (db *DB) Update(ctx context.Context, fn func(backend.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.run(true, fn)
}

// fnError marks an error that fn returned, so run can tell it from bbolt's
// own failures without changing it.
type fnError struct{ err error }

func (e fnError) Error() string { return e.err.Error() }

// newAuditKey finds or creates the audit key for a data file that has no
// key ID yet (a new one, or one being upgraded to a keyed log).
func (db *DB) newAuditKey() (*backend.AuditKey, error) {
	k, err := loadAuditKey(db.secrets, filepath.Dir(db.path), "")
	if err != nil {
		return nil, err
	}
	db.key.Store(k)
	return k, nil
}

// auditKey returns the key with ID want, loading it the first time unless
// load is false (inside a write transaction, which must not wait on the
// keychain: loadKeyForUpdate ran before it). A failed load is tried again
// on the next call: the key may have been restored meanwhile.
func (db *DB) auditKey(want string, load bool) (*backend.AuditKey, error) {
	if k := db.key.Load(); k != nil && (want == "" || k.ID() == want) {
		return k, nil
	}
	if want == "" {
		return nil, backend.Errorf(backend.ECONFLICT, "the data file does not name the key its audit log is signed with (meta/audit_key_id is missing): it was altered")
	}
	db.keyMu.Lock()
	defer db.keyMu.Unlock()
	if k := db.key.Load(); k != nil && k.ID() == want {
		return k, nil
	}
	if !load && db.keyErr != nil {
		return nil, db.keyErr
	}
	k, err := loadAuditKey(db.secrets, filepath.Dir(db.path), want)
	if err != nil {
		db.keyErr = err
		return nil, err
	}
	db.key.Store(k)
	return k, nil
}

// loadKeyForUpdate loads the audit key before a write transaction, which
// must not wait on the keychain; the transaction's AppendAudit then finds
// it (or the reason it is missing) at once.
func (db *DB) loadKeyForUpdate() {
	if db.key.Load() != nil {
		return
	}
	var want string
	_ = db.bolt.View(func(btx *bolt.Tx) error {
		if meta := btx.Bucket(bMeta); meta != nil {
			want = string(meta.Get(kAuditKeyID))
		}
		return nil
	})
	if want != "" {
		_, _ = db.auditKey(want, true)
	}
}

func (db *DB) run(writable bool, fn func(backend.Tx) error) error {
	body := func(btx *bolt.Tx) error {
		t := &tx{db: db, bt: btx}
		defer func() { t.bt = nil }() // a Tx used after its transaction panics here, not in bbolt
		if err := fn(t); err != nil {
			return fnError{err}
		}
		return t.sealAudit()
	}
	var err error
	if writable {
		db.loadKeyForUpdate()
		err = db.bolt.Update(body)
	} else {
		err = db.bolt.View(body)
	}
	var fe fnError
	if errors.As(err, &fe) {
		return fe.err
	}
	if err != nil {
		op := "store.View"
		if writable {
			op = "store.Update"
		}
		return &backend.Error{Code: backend.EINTERNAL, Message: "the data file could not be read or written", Op: op, Err: err}
	}
	return nil
}

// Backup writes a consistent copy of the whole data file to w inside a
// read-only transaction, so the store stays usable meanwhile.
func (db *DB) Backup(ctx context.Context, w io.Writer) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var n int64
	err := db.bolt.View(func(btx *bolt.Tx) error {
		var err error
		n, err = btx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, &backend.Error{Code: backend.EINTERNAL, Message: "the backup could not be written", Op: "store.Backup", Err: err}
	}
	return n, nil
}

// writeFileAtomic writes path through path.tmp (0600), syncs it, renames it
// into place and syncs the directory.
func writeFileAtomic(path string, write func(io.Writer) (int64, error)) (err error) {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if _, err = write(f); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	if d, derr := os.Open(filepath.Dir(path)); derr == nil {
		_ = d.Sync() // best effort: not every platform syncs directories
		_ = d.Close()
	}
	return nil
}

// tx is one bbolt transaction seen as a backend.Tx. Every method reads or
// writes through bt and returns copies decoded from the stored bytes.
type tx struct {
	db *DB
	bt *bolt.Tx
	// moveReads counts the move records this transaction decoded.
	moveReads int
	// stored holds the index keys of the moves this transaction read or
	// wrote, as stored (move_keys.go).
	stored map[uint64]moveKeys
	// audit is the end of the audit log as this transaction appended to
	// it; sealAudit writes its head before the commit.
	audit *auditTail
	// cursors are get's, one per bucket (get.go).
	cursors map[string]*bolt.Cursor
	// watchCache holds the outcome watches this transaction read or
	// wrote, as stored (outcome_watch.go).
	watchCache map[uint64]*backend.OutcomeWatch
	// outcomes holds the outcomes of the moves whose outcomes this
	// transaction read, as stored, by move (outcome.go).
	outcomes map[uint64][]backend.Outcome
}

var _ backend.Tx = (*tx)(nil)

func (t *tx) bucket(name []byte) *bolt.Bucket {
	b := t.bt.Bucket(name)
	if b != nil && appendOnly[string(name)] {
		// Keys only ever grow here, so a split page never gets a later
		// key: fill pages instead of leaving them half empty, which halves
		// the pages every commit writes.
		b.FillPercent = 0.95
	}
	return b
}

// now is the clock's time in UTC, for creation stamps a caller left zero.
func (t *tx) now() time.Time { return t.db.clock.Now().UTC() }

// notFound is an ENOTFOUND error with a message naming what is missing.
func notFound(op, format string, args ...any) error {
	e := backend.Errorf(backend.ENOTFOUND, format, args...)
	e.Op = op
	return e
}

// conflict is an ECONFLICT error.
func conflict(op, format string, args ...any) error {
	e := backend.Errorf(backend.ECONFLICT, format, args...)
	e.Op = op
	return e
}

// invalid is an EINVALID error.
func invalid(op, format string, args ...any) error {
	e := backend.Errorf(backend.EINVALID, format, args...)
	e.Op = op
	return e
}

// internal wraps a bbolt failure; its cause is for logs only.
func internal(op string, err error) error {
	if err == nil {
		return nil
	}
	var be *backend.Error
	if errors.As(err, &be) {
		return backend.WrapError(op, err)
	}
	return &backend.Error{Code: backend.EINTERNAL, Op: op, Err: err}
}

var (
	errBadID    = errors.New("id is not 8 bytes")
	errBadKey   = errors.New("index key has the wrong length")
	errBadValue = errors.New("index value is malformed")
	errDangling = errors.New("index entry names a record that does not exist")
)

// checkPage rejects a negative offset or limit; a zero limit means no limit.
func checkPage(op string, offset, limit int) error {
	if offset < 0 || limit < 0 {
		return invalid(op, "offset and limit cannot be negative")
	}
	return nil
}
