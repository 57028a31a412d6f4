package store

import (
	"bytes"

	bolt "go.etcd.io/bbolt"
)

// reader reads the value under key in bucket, nil when there is none.
type reader interface {
	get(bucket, key []byte) []byte
}

// boltReader reads through bbolt's Bucket.Get.
type boltReader struct{ btx *bolt.Tx }

func (r boltReader) get(bucket, key []byte) []byte { return r.btx.Bucket(bucket).Get(key) }

// get is Bucket.Get through a cursor the transaction keeps per bucket.
// bbolt's Get makes a cursor and grows its stack afresh on every call;
// an ingest makes tens of lookups per signal, and those allocations were
// a fifth of all it made. A Seek starts from the bucket's root each time,
// so the cursor stays good across the transaction's writes.
func (t *tx) get(bucket, key []byte) []byte {
	k, v := t.cursor(bucket).Seek(key)
	if k == nil || !bytes.Equal(k, key) {
		return nil
	}
	return v
}

// cursor returns the transaction's cursor on bucket, for get and for
// walks that read their keys before anything else uses it.
func (t *tx) cursor(bucket []byte) *bolt.Cursor {
	c := t.cursors[string(bucket)]
	if c == nil {
		if t.cursors == nil {
			t.cursors = map[string]*bolt.Cursor{}
		}
		c = t.bucket(bucket).Cursor()
		t.cursors[string(bucket)] = c
	}
	return c
}
