package store

import "time"

// notifiedRecord is the value of notified: when a move interrupted the
// founder (or would have, in quiet hours), so that it never does again.
type notifiedRecord struct {
	At time.Time `json:"at"`
}
