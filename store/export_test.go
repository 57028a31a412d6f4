package store

import (
	"context"

	bolt "go.etcd.io/bbolt"

	"github.com/caseyos/caseyos/backend"
)

// CheckIndexes recomputes every index from the records and reports differences.
func CheckIndexes(db *DB) error { return db.bolt.View(checkIndexes) }

// PutRaw writes value under key in bucket, bypassing every check, to
// simulate a damaged file.
func PutRaw(db *DB, bucket string, key, value []byte) error {
	return db.bolt.Update(func(btx *bolt.Tx) error { return btx.Bucket([]byte(bucket)).Put(key, value) })
}

// DeleteRaw removes key from bucket, bypassing every check, to simulate a
// dropped record.
func DeleteRaw(db *DB, bucket string, key []byte) error {
	return db.bolt.Update(func(btx *bolt.Tx) error { return btx.Bucket([]byte(bucket)).Delete(key) })
}

// AuditKeyOf returns the key db's audit log is signed with.
func AuditKeyOf(db *DB) (*backend.AuditKey, error) {
	var k *backend.AuditKey
	err := db.View(context.Background(), func(t backend.Tx) error {
		var err error
		k, err = t.AuditKey()
		return err
	})
	return k, err
}

// SetSequenceRaw sets bucket's sequence, bypassing every check.
func SetSequenceRaw(db *DB, bucket string, seq uint64) error {
	return db.bolt.Update(func(btx *bolt.Tx) error { return btx.Bucket([]byte(bucket)).SetSequence(seq) })
}

// GetRaw reads the value under key in bucket as stored.
func GetRaw(db *DB, bucket string, key []byte) ([]byte, error) {
	var v []byte
	err := db.bolt.View(func(btx *bolt.Tx) error {
		v = append([]byte(nil), btx.Bucket([]byte(bucket)).Get(key)...)
		return nil
	})
	return v, err
}

// MoveReads returns how many move records tx has decoded.
func MoveReads(t backend.Tx) int { return t.(*tx).moveReads }
