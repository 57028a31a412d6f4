package store

import (
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	// goccy/go-json is a drop-in for encoding/json that encodes and decodes
	// the records about twice as fast; ingest spends a third of its time
	// here (docs/benchmarks.md).
	json "github.com/goccy/go-json"
	bolt "go.etcd.io/bbolt"

	"github.com/caseyos/caseyos/backend"
)

// The records (the *_record.go files, each beside the store file that
// reads and writes it) are the disk format. They are mapped to and from the
// backend types by hand so that renaming or adding a domain field never
// silently changes what is on disk: a change here is a schema change (see
// migrate.go). Times are stored in UTC (RFC 3339 with nanoseconds) and come
// back in UTC; empty slices and maps come back nil.

// utc drops the location and monotonic reading; the zero time stays zero.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

func cloneStrings(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return append([]string(nil), s...)
}

func cloneMap[K ~string, V any](m map[K]V) map[string]V {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]V, len(m))
	for k, v := range m {
		out[string(k)] = v
	}
	return out
}

func cloneStringMap(m map[string]string) map[string]string { return cloneMap(m) }

// --- encoding ---

// encode marshals a record. The only values JSON cannot hold are NaN,
// infinities and years outside 0–9999; they are the caller's mistake.
// Not MarshalNoEscape: it keeps the record on the caller's stack and
// holds it by address while its encoder grows that stack, so it read the
// freed old stack (TestEncode_FreshGoroutines).
func encode(op, what string, rec any) ([]byte, error) {
	b, err := json.Marshal(rec)
	if err != nil {
		return nil, &backend.Error{
			Code:    backend.EINVALID,
			Message: fmt.Sprintf("%s has a number or time that cannot be stored (NaN, infinity, or a year outside 0–9999)", what),
			Op:      op, Err: err,
		}
	}
	return b, nil
}

// decode unmarshals the value stored under key in bucket. Anything but a
// JSON object of the right shape is a damaged record, never a zero value.
func decode(bucket, key, v []byte, rec any) error {
	if len(v) == 0 || v[0] != '{' {
		return corrupt(bucket, key, fmt.Errorf("value is not a JSON object"))
	}
	if err := json.Unmarshal(v, rec); err != nil {
		return corrupt(bucket, key, err)
	}
	return nil
}

// getRecord reads the record stored under key in bucket and maps it with
// from. When there is none it returns missing's error; a value that does
// not decode is a damaged record (EINTERNAL, wrapped with op).
func getRecord[R, T any](r reader, op string, bucket, key []byte, from func(*R) T, missing func() error) (T, error) {
	var zero T
	v := r.get(bucket, key)
	if v == nil {
		return zero, missing()
	}
	var rec R
	if err := decode(bucket, key, v, &rec); err != nil {
		return zero, backend.WrapError(op, err)
	}
	return from(&rec), nil
}

// errNoMeta tells getMeta that the key is not stored.
var errNoMeta = errors.New("not stored")

// getMeta reads the record stored under key in meta, or returns def() when
// there is none.
func getMeta[R, T any](r reader, op string, key []byte, from func(*R) T, def func() T) (T, error) {
	v, err := getRecord(r, op, bMeta, key, from, func() error { return errNoMeta })
	if err == errNoMeta {
		return def(), nil
	}
	return v, err
}

// getRecords gets the record of each id with get, in order, stopping at the
// first error.
func getRecords[T any](ids []uint64, get func(id uint64) (T, error)) ([]T, error) {
	out := make([]T, 0, len(ids))
	for _, id := range ids {
		x, err := get(id)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

// eachRecord decodes the records in bucket in key order and calls fn with
// each until it returns false. The key is valid only during fn. A value
// that does not decode stops the walk with its error.
func eachRecord[R any](btx *bolt.Tx, bucket []byte, fn func(key []byte, r *R) bool) error {
	c := btx.Bucket(bucket).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		var r R
		if err := decode(bucket, k, v, &r); err != nil {
			return err
		}
		if !fn(k, &r) {
			return nil
		}
	}
	return nil
}

// insertRecord stores the encoded record v under bucket's next sequence
// number together with the index entries entries(id) lists, and returns
// the id.
func (t *tx) insertRecord(op string, bucket, v []byte, entries func(id uint64) []entry) (uint64, error) {
	b := t.bucket(bucket)
	id, err := b.NextSequence()
	if err != nil {
		return 0, internal(op, err)
	}
	if err := b.Put(u64(id), v); err != nil {
		return 0, internal(op, err)
	}
	if err := putEntries(t.bt, entries(id)); err != nil {
		return 0, internal(op, err)
	}
	return id, nil
}

// corrupt is the EINTERNAL error for a record or index entry that cannot be
// read; its message names where it is so it can be found with a bbolt tool.
func corrupt(bucket, key []byte, err error) error {
	return &backend.Error{
		Code:    backend.EINTERNAL,
		Message: fmt.Sprintf("the data file has a damaged record (bucket %s, key %s); restore it from a backup", bucket, keyString(key)),
		Err:     err,
	}
}

// keyString renders a key for a message: ids as numbers, text as quoted
// text, anything else as hex.
func keyString(key []byte) string {
	if id, ok := decodeU64(key); ok {
		return strconv.FormatUint(id, 10)
	}
	if utf8.Valid(key) {
		printable := true
		for _, r := range string(key) {
			if r < 0x20 {
				printable = false
				break
			}
		}
		if printable {
			return strconv.Quote(string(key))
		}
	}
	return fmt.Sprintf("%x", key)
}
