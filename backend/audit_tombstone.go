package backend

import (
	"encoding/binary"
	"math"
	"strings"
)

// Tombstones. An audit entry that names a person who asked to be forgotten,
// or that is older than the retention period, keeps its place in the chain
// but loses its content: Detail and Reasons are emptied and Tombstone says
// why (a PersonHash, or AuditRetention). The entry keeps its Hash — the
// keyed digest (HMAC) of the content it had and of the entry before it —
// so the next entry still links to it and nothing after it changes; what
// is gone can no longer be recomputed, so the tombstone itself is signed:
// TombMAC is an HMAC under the audit key (TombKeyID) over the entry's
// sequence number, the fields it keeps, its PrevHash and Hash and the
// tombstone's reason. Making a tombstone therefore needs the key, as
// editing an entry does: without it an entry can be neither altered nor
// emptied. A verifier checks a tombstoned entry's link and its TombMAC in
// place of its content.

// AuditRetention is the Tombstone of an entry emptied because it was older
// than the retention period.
const AuditRetention = "retention"

// Tombstoned reports whether the entry's content was removed.
func (e *AuditEntry) Tombstoned() bool { return e.Tombstone != "" }

// Tombstonable reports whether the entry may be emptied: an
// AuditKeyReplaced entry holds no person data and its detail is what the
// verifier reads the key periods from; an entry already emptied stays as
// it is.
func (e *AuditEntry) Tombstonable() bool {
	return e.Action != AuditKeyReplaced && !e.Tombstoned()
}

// MakeTombstone empties e's content, records why, and signs the tombstone
// with key. e must be sealed (Hash set) and Tombstonable.
func (e *AuditEntry) MakeTombstone(why string, key *AuditKey) error {
	if key == nil {
		return Errorf(EUNAVAILABLE, "the audit key is needed to empty an audit entry")
	}
	if !e.Tombstonable() {
		return Errorf(ECONFLICT, "audit entry %d cannot be emptied", e.Seq)
	}
	if strings.TrimSpace(why) == "" {
		return Errorf(EINVALID, "an emptied audit entry needs a reason")
	}
	e.Detail, e.Reasons = "", nil
	e.Tombstone, e.TombKeyID = why, key.ID()
	e.TombMAC = e.tombMAC(key)
	return nil
}

// tombMAC is the HMAC of a tombstoned entry under key.
func (e *AuditEntry) tombMAC(key *AuditKey) string {
	if key == nil {
		return ""
	}
	str := func(b []byte, s string) []byte {
		return append(binary.BigEndian.AppendUint64(b, uint64(len(s))), s...)
	}
	m := key.mac()
	defer key.macs.Put(m)
	b := str(m.buf[:0], "caseyos audit tombstone v1")
	b = binary.BigEndian.AppendUint64(b, e.Seq)
	b = binary.BigEndian.AppendUint64(b, uint64(e.At.UTC().UnixNano()))
	b = str(b, string(e.Actor))
	b = str(b, e.Action)
	b = binary.BigEndian.AppendUint64(b, e.MoveID)
	b = str(b, string(e.From))
	b = str(b, string(e.To))
	b = binary.BigEndian.AppendUint64(b, math.Float64bits(e.APS))
	b = binary.BigEndian.AppendUint64(b, uint64(e.Version))
	b = str(b, e.Tombstone)
	b = str(b, e.PrevHash)
	m.buf = str(b, e.Hash)
	return m.sum()
}

// checkTombstone says whether a tombstoned entry is intact: emptied, and
// signed by key (the key named by its TombKeyID).
func (e *AuditEntry) checkTombstone(key *AuditKey) bool {
	return e.Detail == "" && len(e.Reasons) == 0 && key != nil && key.ID() == e.TombKeyID &&
		hashEqual(e.TombMAC, e.tombMAC(key))
}
