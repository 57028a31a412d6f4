package store

import (
	"bytes"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// notifiedKey is moveID | kind, the key of notified.
func notifiedKey(id uint64, kind backend.NotifyKind) []byte {
	return join(u64(id), []byte(kind))
}

// Notified returns when move id notified (or was suppressed) for kind; zero
// when it never did.
func (t *tx) Notified(id uint64, kind backend.NotifyKind) (time.Time, error) {
	const op = "store.Notified"
	at, err := getRecord(t, op, bNotified, notifiedKey(id, kind),
		func(r *notifiedRecord) time.Time { return r.At },
		func() error { return errNoMeta })
	if err == errNoMeta {
		return time.Time{}, nil
	}
	return at, err
}

// PutNotified records that move id notified for kind at at.
func (t *tx) PutNotified(id uint64, kind backend.NotifyKind, at time.Time) error {
	const op = "store.PutNotified"
	if id == 0 || kind == "" {
		return invalid(op, "a notification record needs a move and a kind")
	}
	v, err := encode(op, "notification record", notifiedRecord{At: utc(at)})
	if err != nil {
		return err
	}
	return internal(op, t.bucket(bNotified).Put(notifiedKey(id, kind), v))
}

// deleteNotified removes what move id notified, every kind: a move that
// is forgotten or expired leaves nothing behind.
func (t *tx) deleteNotified(id uint64) error {
	prefix := u64(id)
	c := t.bucket(bNotified).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Seek(prefix) {
		if err := c.Delete(); err != nil {
			return err
		}
	}
	return nil
}
