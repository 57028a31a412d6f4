package store

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/caseyos/caseyos/backend"
)

// migration upgrades the data file by one schema version. Each runs in its
// own transaction together with the version bump, so a failure leaves the
// file at the previous version.
//
// The list is append-only and a released migration never changes. When a
// later schema changes something a migration here relies on (a record
// struct, an entries function, allBuckets), copy the old form into this
// file first so the migration keeps producing exactly its version's format.
type migration struct {
	version uint64 // the schema version it produces, from version-1
	name    string
	// fn gets the audit key, found or created before the first migration
	// that needs it runs (needsKey), outside any transaction; else nil.
	fn       func(*bolt.Tx, *backend.AuditKey) error
	needsKey bool
}

var migrations = []migration{
	{version: 2, name: "score components, move and signal indexes, move counts",
		fn: func(btx *bolt.Tx, _ *backend.AuditKey) error { return migrateV1toV2(btx) }},
	{version: 3, name: "keyed audit log", fn: migrateV2toV3, needsKey: true},
}

// migrate copies the file to <path>.v<from>.bak, then runs every migration
// after from.
func (db *DB) migrate(from uint64) error {
	backup := fmt.Sprintf("%s.v%d.bak", db.path, from)
	err := db.bolt.View(func(btx *bolt.Tx) error { return writeFileAtomic(backup, btx.WriteTo) })
	if err != nil {
		return &backend.Error{Code: backend.EINTERNAL, Message: fmt.Sprintf("cannot back up the data file to %s before upgrading it", backup), Err: err}
	}
	// The key is found (or made) before the first migration runs, so that
	// without one the file stays as it was rather than half upgraded.
	var key *backend.AuditKey
	for _, m := range migrations {
		if m.version > from && m.needsKey {
			if key, err = db.newAuditKey(); err != nil {
				return &backend.Error{
					Code:    backend.ErrorCode(err),
					Message: fmt.Sprintf("upgrading the data file to schema %d (%s) needs the audit key: %s; the file is unchanged and a copy is at %s", m.version, m.name, backend.ErrorMessage(err), backup),
					Err:     err,
				}
			}
			break
		}
	}
	version := from
	for _, m := range migrations {
		if m.version <= version {
			continue
		}
		if m.version != version+1 {
			break
		}
		err := db.bolt.Update(func(btx *bolt.Tx) error {
			if err := m.fn(btx, key); err != nil {
				return err
			}
			return btx.Bucket(bMeta).Put(kSchemaVersion, u64(m.version))
		})
		if err != nil {
			detail := ""
			var be *backend.Error
			if errors.As(err, &be) && be.Message != "" {
				detail = ": " + be.Message
			}
			return &backend.Error{
				Code:    backend.EINTERNAL,
				Message: fmt.Sprintf("upgrading the data file to schema %d (%s) failed, the file is unchanged and a copy is at %s%s", m.version, m.name, backup, detail),
				Err:     err,
			}
		}
		version = m.version
	}
	if version != currentVersion {
		return backend.Errorf(backend.EINTERNAL, "this build has no upgrade from schema %d to %d", version, currentVersion)
	}
	return nil
}

// Schema version 1, frozen: buckets meta (schema_version), signals (id →
// the signalRecord JSON, unchanged in version 2) and moves (id →
// moveRecordV1). Moves carried only their APS, the subject as one
// "type:id" string and a three-field draft; there were no indexes.
type moveRecordV1 struct {
	Kind         string        `json:"kind"`
	Domain       string        `json:"domain"`
	Title        string        `json:"title"`
	Reasons      []string      `json:"reasons"`
	APS          float64       `json:"aps"`
	Status       string        `json:"status"`
	Subject      string        `json:"subject"`
	ContactID    string        `json:"contact_id"`
	DealID       string        `json:"deal_id"`
	Draft        draftRecordV1 `json:"draft"`
	DueAt        time.Time     `json:"due_at"`
	SnoozedUntil time.Time     `json:"snoozed_until"`
	CreatedAt    time.Time     `json:"created_at"`
	UpdatedAt    time.Time     `json:"updated_at"`
}

type draftRecordV1 struct {
	To      []string `json:"to"`
	Subject string   `json:"subject"`
	Body    string   `json:"body"`
}

// signalKeysV1 is the part of a version 1 signal the new indexes need.
type signalKeysV1 struct {
	Source     string    `json:"source"`
	Type       string    `json:"type"`
	OccurredAt time.Time `json:"occurred_at"`
	DedupeKey  string    `json:"dedupe_key"`
}

// migrateV1toV2 rewrites every move into moveRecord (the APS becomes a
// Score with no components, to be filled by the next rescoring), then builds
// the move indexes and counts and the signal indexes. If two open moves
// share a subject and kind, the newer one holds moves_open.
// migratedRescoreAt is the RescoreAt given to moves upgraded from v1.
var migratedRescoreAt = time.Unix(1, 0).UTC()

func migrateV1toV2(btx *bolt.Tx) error {
	if err := createBuckets(btx); err != nil {
		return err
	}
	type kv struct{ k, v []byte }
	var old []kv
	moves := btx.Bucket(bMoves)
	if err := moves.ForEach(func(k, v []byte) error {
		old = append(old, kv{bytes.Clone(k), bytes.Clone(v)})
		return nil
	}); err != nil {
		return err
	}
	for _, x := range old {
		id, ok := decodeU64(x.k)
		if !ok {
			return corrupt(bMoves, x.k, errBadID)
		}
		var r moveRecordV1
		if err := decode(bMoves, x.k, x.v, &r); err != nil {
			return err
		}
		typ, sid, ok := strings.Cut(r.Subject, ":")
		if !ok || typ == "" || sid == "" {
			return corrupt(bMoves, x.k, fmt.Errorf("subject %q is not type:id", r.Subject))
		}
		m := &backend.Move{
			ID:      id,
			Kind:    backend.MoveKind(r.Kind),
			Domain:  backend.Domain(r.Domain),
			Title:   r.Title,
			Reasons: r.Reasons,
			// v1 kept only the APS: RescoreAt long past makes the first
			// Refresh re-score every migrated open move from its data.
			Score:        backend.Score{APS: r.APS, RescoreAt: migratedRescoreAt},
			Status:       backend.MoveStatus(r.Status),
			Draft:        backend.Draft{To: r.Draft.To, Subject: r.Draft.Subject, Body: r.Draft.Body},
			Subject:      backend.Subject{Type: backend.SubjectType(typ), ID: sid},
			ContactID:    r.ContactID,
			DealID:       r.DealID,
			DueAt:        utc(r.DueAt),
			SnoozedUntil: utc(r.SnoozedUntil),
			CreatedAt:    utc(r.CreatedAt),
			UpdatedAt:    utc(r.UpdatedAt),
		}
		v, err := encode("store.migrate", fmt.Sprintf("move %d", id), toMoveRecord(m))
		if err != nil {
			return err
		}
		if err := moves.Put(x.k, v); err != nil {
			return err
		}
		if err := putEntries(btx, moveEntries(m)); err != nil {
			return err
		}
		if err := addCount(btx, countKey(m.Status, m.Domain), 1); err != nil {
			return err
		}
	}
	return btx.Bucket(bSignals).ForEach(func(k, v []byte) error {
		id, ok := decodeU64(k)
		if !ok {
			return corrupt(bSignals, k, errBadID)
		}
		var r signalKeysV1
		if err := decode(bSignals, k, v, &r); err != nil {
			return err
		}
		if r.DedupeKey == "" {
			return corrupt(bSignals, k, errors.New("signal has no dedupe key"))
		}
		s := &backend.Signal{
			Source: backend.Source(r.Source), Type: backend.SignalType(r.Type),
			OccurredAt: r.OccurredAt, DedupeKey: r.DedupeKey,
		}
		return putEntries(btx, signalEntries(id, s))
	})
}

// migrateV2toV3 keys the audit log from the next entry on. The entries
// already there stay plain SHA-256 (they cannot be re-signed: that would
// vouch for whatever they hold now); the first keyed entry's HMAC covers
// the last plain one's hash, and until it exists the seal covers the head,
// so from this upgrade on none of them can be edited or cut off without
// the key. audit_keyed_from records where plain entries end, under the
// seal, so keyed entries cannot be passed off as plain ones later.
func migrateV2toV3(btx *bolt.Tx, key *backend.AuditKey) error {
	meta := btx.Bucket(bMeta)
	count := btx.Bucket(bAudit).Sequence()
	return putAuditHead(meta, key, count, string(meta.Get(kAuditHead)), count+1)
}
