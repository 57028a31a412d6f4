package store

import bolt "go.etcd.io/bbolt"

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
