package store_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

// MustOpenStore opens a store in a fresh temporary directory and closes it
// when the test ends.
func MustOpenStore(tb testing.TB) *store.DB {
	tb.Helper()
	return mustOpenPath(tb, filepath.Join(tb.TempDir(), "caseyos.db"), store.Options{})
}

func mustOpenPath(tb testing.TB, path string, opts store.Options) *store.DB {
	tb.Helper()
	db, err := store.Open(path, opts)
	if err != nil {
		tb.Fatalf("Open(%s) = %v", path, err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("Close() = %v", err)
		}
	})
	return db
}

// update runs fn in an Update and fails the test on error.
func update(tb testing.TB, db *store.DB, fn func(backend.Tx) error) {
	tb.Helper()
	if err := db.Update(context.Background(), fn); err != nil {
		tb.Fatalf("Update() = %v", err)
	}
}

// view runs fn in a View and fails the test on error.
func view(tb testing.TB, db *store.DB, fn func(backend.Tx) error) {
	tb.Helper()
	if err := db.View(context.Background(), fn); err != nil {
		tb.Fatalf("View() = %v", err)
	}
}

func wantCode(tb testing.TB, what string, err error, code string) {
	tb.Helper()
	if got := backend.ErrorCode(err); got != code {
		tb.Fatalf("%s: error code = %q (%v), want %q", what, got, err, code)
	}
}

func checkIndexes(tb testing.TB, db *store.DB) {
	tb.Helper()
	if err := store.CheckIndexes(db); err != nil {
		tb.Fatal(err)
	}
}

// at is a UTC time without a monotonic reading, the form the store returns.
func at(day, hour int) time.Time {
	return time.Date(2025, time.March, day, hour, 30, 15, 123456789, time.UTC)
}

// requireFilled fails when any field of v, however deep, is its zero value,
// so a round-trip test notices a domain field the records do not map yet.
func requireFilled(tb testing.TB, name string, v any) {
	tb.Helper()
	var walk func(path string, v reflect.Value)
	walk = func(path string, v reflect.Value) {
		if v.IsZero() {
			tb.Errorf("%s is zero: set it so the round trip covers it", path)
			return
		}
		switch v.Kind() {
		case reflect.Pointer:
			walk(path, v.Elem())
		case reflect.Struct:
			if v.Type() == reflect.TypeFor[time.Time]() {
				return
			}
			for i := range v.NumField() {
				walk(path+"."+v.Type().Field(i).Name, v.Field(i))
			}
		case reflect.Slice:
			for i := range v.Len() {
				walk(path+"[]", v.Index(i))
			}
		}
	}
	walk(name, reflect.ValueOf(v))
}

func TestOpen(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "data")
		path := filepath.Join(dir, "caseyos.db")
		mustOpenPath(t, path, store.Options{})
		for p, want := range map[string]os.FileMode{dir: 0o700, path: 0o600} {
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != want {
				t.Errorf("mode of %s = %v, want %v", p, got, want)
			}
		}
	})
	t.Run("TightensExistingDir", func(t *testing.T) {
		if runtime.GOOS == "windows" {
			t.Skip("no POSIX modes")
		}
		// A data directory made by hand (or by an older build) with the
		// umask's 0755 lets every user list it.
		dir := filepath.Join(t.TempDir(), "data")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		os.Chmod(dir, 0o755) // whatever the umask made of it
		mustOpenPath(t, filepath.Join(dir, "caseyos.db"), store.Options{})
		if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
			t.Errorf("mode of an existing 0755 data dir after Open = %v, want 0700", fi.Mode().Perm())
		}
	})
	t.Run("SharedDirUntouched", func(t *testing.T) {
		if runtime.GOOS == "windows" {
			t.Skip("no POSIX modes")
		}
		// A file put straight into a shared directory such as /tmp
		// (sticky, world-writable) must not take the directory from others.
		dir := filepath.Join(t.TempDir(), "shared")
		if err := os.Mkdir(dir, 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(dir, 0o777|os.ModeSticky); err != nil {
			t.Fatal(err)
		}
		mustOpenPath(t, filepath.Join(dir, "caseyos.db"), store.Options{})
		if fi, _ := os.Stat(dir); fi.Mode()&(os.ModePerm|os.ModeSticky) != 0o777|os.ModeSticky {
			t.Errorf("mode of a sticky shared dir after Open = %v, want it unchanged", fi.Mode())
		}
	})
	t.Run("ErrAlreadyRunning", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "caseyos.db")
		mustOpenPath(t, path, store.Options{})
		start := time.Now()
		db, err := store.Open(path, store.Options{Timeout: 100 * time.Millisecond})
		if err == nil {
			db.Close()
			t.Fatal("second Open succeeded")
		}
		wantCode(t, "second Open", err, backend.ECONFLICT)
		if msg := backend.ErrorMessage(err); !strings.Contains(msg, "already running") {
			t.Errorf("message = %q, want it to say CaseyOS is already running", msg)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("second Open took %v", d)
		}
	})
	t.Run("ErrNewerSchema", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "caseyos.db")
		db := mustOpenPath(t, path, store.Options{})
		db.Close()
		setRaw(t, path, "meta", "schema_version", u64(store.SchemaVersion+1))
		_, err := store.Open(path, store.Options{})
		wantCode(t, "Open of a newer file", err, backend.EINVALID)
	})
	t.Run("ErrNotCaseyOS", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "other.db")
		bdb, err := bolt.Open(path, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := bdb.Update(func(btx *bolt.Tx) error { _, err := btx.CreateBucket([]byte("widgets")); return err }); err != nil {
			t.Fatal(err)
		}
		bdb.Close()
		_, err = store.Open(path, store.Options{})
		wantCode(t, "Open of a foreign bolt file", err, backend.EINVALID)
	})
	t.Run("ErrNotBolt", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "junk.db")
		if err := os.WriteFile(path, bytes.Repeat([]byte("junk"), 2048), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := store.Open(path, store.Options{})
		wantCode(t, "Open of a junk file", err, backend.EINTERNAL)
	})
}

// setRaw writes one key in a closed data file, bypassing the store.
func setRaw(tb testing.TB, path, bucket, key string, value []byte) {
	tb.Helper()
	bdb, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer bdb.Close()
	if err := bdb.Update(func(btx *bolt.Tx) error { return btx.Bucket([]byte(bucket)).Put([]byte(key), value) }); err != nil {
		tb.Fatal(err)
	}
}

func u64(v uint64) []byte {
	b := make([]byte, 8)
	for i := 7; i >= 0; i-- {
		b[i] = byte(v)
		v >>= 8
	}
	return b
}

func TestDB_Update(t *testing.T) {
	t.Run("ErrFromFnUnchangedAndRolledBack", func(t *testing.T) {
		db := MustOpenStore(t)
		sentinel := backend.Errorf(backend.ECONFLICT, "stop")
		err := db.Update(context.Background(), func(tx backend.Tx) error {
			if err := tx.PutCursor("gmail:me", "42"); err != nil {
				return err
			}
			return sentinel
		})
		if err != sentinel {
			t.Fatalf("Update() = %v, want the error fn returned", err)
		}
		view(t, db, func(tx backend.Tx) error {
			if c, _ := tx.Cursor("gmail:me"); c != "" {
				t.Errorf("Cursor after a failed Update = %q, want it rolled back", c)
			}
			return nil
		})
	})
	t.Run("ErrCanceled", func(t *testing.T) {
		db := MustOpenStore(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		ran := false
		err := db.Update(ctx, func(backend.Tx) error { ran = true; return nil })
		if !errors.Is(err, context.Canceled) || ran {
			t.Errorf("Update(cancelled) = %v, ran %v; want context.Canceled without running", err, ran)
		}
		err = db.View(ctx, func(backend.Tx) error { ran = true; return nil })
		if !errors.Is(err, context.Canceled) || ran {
			t.Errorf("View(cancelled) = %v, ran %v; want context.Canceled without running", err, ran)
		}
	})
	t.Run("ErrWriteInView", func(t *testing.T) {
		db := MustOpenStore(t)
		err := db.View(context.Background(), func(tx backend.Tx) error { return tx.PutCursor("x", "1") })
		wantCode(t, "PutCursor in a View", err, backend.EINTERNAL)
	})
}

func TestDB_Backup(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		db := MustOpenStore(t)
		m := newMove("thread:t1", backend.KindSendEmail, backend.StatusPending, 61, backend.DomainSales)
		update(t, db, func(tx backend.Tx) error { return tx.CreateMove(m) })

		var buf bytes.Buffer
		n, err := db.Backup(context.Background(), &buf)
		if err != nil || n != int64(buf.Len()) || n == 0 {
			t.Fatalf("Backup() = %d, %v; buffer has %d bytes", n, err, buf.Len())
		}
		path := filepath.Join(t.TempDir(), "copy.db")
		if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		copied := mustOpenPath(t, path, store.Options{})
		view(t, copied, func(tx backend.Tx) error {
			got, err := tx.FindMove(m.ID)
			if err != nil {
				return err
			}
			if !reflect.DeepEqual(got, m) {
				t.Errorf("move in backup = %+v, want %+v", got, m)
			}
			return nil
		})
	})
}

func TestOptions_Clock(t *testing.T) {
	clock := backend.NewManualClock(at(9, 8))
	db := mustOpenPath(t, filepath.Join(t.TempDir(), "c.db"), store.Options{Clock: clock})
	s := newSignal("k1", at(9, 7))
	s.ReceivedAt = time.Time{}
	update(t, db, func(tx backend.Tx) error { return tx.CreateSignal(s) })
	if !s.ReceivedAt.Equal(at(9, 8)) {
		t.Errorf("ReceivedAt = %v, want the clock's %v", s.ReceivedAt, at(9, 8))
	}
}

var ctx = context.Background()

func errorsJoin(errs ...error) error { return errors.Join(errs...) }
