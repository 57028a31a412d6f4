package store_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"hash"
	"io"
	"math"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

// forgedRecord is an audit record as it is stored, for a forger who edits
// the file directly.
type forgedRecord struct {
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	Action   string    `json:"action"`
	MoveID   uint64    `json:"move_id,omitempty"`
	From     string    `json:"from,omitempty"`
	To       string    `json:"to,omitempty"`
	Detail   string    `json:"detail,omitempty"`
	APS      float64   `json:"aps,omitempty"`
	Reasons  []string  `json:"reasons,omitempty"`
	Version  int       `json:"v,omitempty"`
	PrevHash string    `json:"prev_hash,omitempty"`
	Hash     string    `json:"hash"`
}

// forgeHash is what a forger computes from the published entry encoding:
// plain SHA-256 (key nil, version 0), or an HMAC under a key they guess.
func forgeHash(seq uint64, r *forgedRecord, key []byte) string {
	var h hash.Hash = sha256.New()
	if key != nil {
		h = hmac.New(sha256.New, key)
	}
	num := func(v uint64) { _ = binary.Write(h, binary.BigEndian, v) }
	str := func(s string) { num(uint64(len(s))); io.WriteString(h, s) }
	if key != nil {
		str("caseyos audit entry v2")
	}
	num(seq)
	num(uint64(r.At.UTC().UnixNano()))
	str(r.Actor)
	str(r.Action)
	num(r.MoveID)
	str(r.From)
	str(r.To)
	str(r.Detail)
	num(math.Float64bits(r.APS))
	num(uint64(len(r.Reasons)))
	for _, s := range r.Reasons {
		str(s)
	}
	str(r.PrevHash)
	return hex.EncodeToString(h.Sum(nil))
}

// rewrite edits entry from with edit, then recomputes its hash and every
// later one's (plain when key is nil), relinks them and moves the head.
func rewrite(t *testing.T, db *store.DB, from, n uint64, edit func(*forgedRecord), key []byte) {
	t.Helper()
	prev := ""
	if from > 1 {
		v, _ := store.GetRaw(db, "audit", u64(from-1))
		var r forgedRecord
		if err := json.Unmarshal(v, &r); err != nil {
			t.Fatal(err)
		}
		prev = r.Hash
	}
	for seq := from; seq <= n; seq++ {
		v, _ := store.GetRaw(db, "audit", u64(seq))
		var r forgedRecord
		if err := json.Unmarshal(v, &r); err != nil {
			t.Fatal(err)
		}
		if seq == from {
			edit(&r)
		}
		r.Version = 0
		if key != nil {
			r.Version = backend.AuditKeyed
		}
		r.PrevHash = prev
		r.Hash = forgeHash(seq, &r, key)
		prev = r.Hash
		raw, _ := json.Marshal(r)
		if err := store.PutRaw(db, "audit", u64(seq), raw); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.PutRaw(db, "meta", []byte("audit_head"), []byte(prev)); err != nil {
		t.Fatal(err)
	}
}

// VerifyAudit over the real file finds every way of rewriting the log that
// does not have the audit key.
func TestQueue_VerifyAuditTampering(t *testing.T) {
	const n = 5
	edit := func(r *forgedRecord) { r.Detail = "kill switch off (edited)" }
	for _, tc := range []struct {
		name    string
		tamper  func(*testing.T, *store.DB, []*backend.AuditEntry)
		wantBad uint64
	}{
		{"Edited", func(t *testing.T, db *store.DB, all []*backend.AuditEntry) {
			raw, _ := json.Marshal(map[string]any{"at": all[1].At, "actor": "key", "action": "settings.changed", "detail": "kill switch off (edited)",
				"prev_hash": all[1].PrevHash, "hash": all[1].Hash})
			if err := store.PutRaw(db, "audit", u64(2), raw); err != nil {
				t.Fatal(err)
			}
		}, 2},
		{"Dropped", func(t *testing.T, db *store.DB, _ []*backend.AuditEntry) {
			if err := store.DeleteRaw(db, "audit", u64(2)); err != nil {
				t.Fatal(err)
			}
		}, 2},
		{"TruncatedLast2", func(t *testing.T, db *store.DB, _ []*backend.AuditEntry) {
			for _, seq := range []uint64{4, 5} {
				if err := store.DeleteRaw(db, "audit", u64(seq)); err != nil {
					t.Fatal(err)
				}
			}
			if err := store.SetSequenceRaw(db, "audit", 3); err != nil {
				t.Fatal(err)
			}
		}, 4},
		{"TruncatedLast2HeadMovedBack", func(t *testing.T, db *store.DB, all []*backend.AuditEntry) {
			for _, seq := range []uint64{4, 5} {
				if err := store.DeleteRaw(db, "audit", u64(seq)); err != nil {
					t.Fatal(err)
				}
			}
			if err := errorsJoin(store.SetSequenceRaw(db, "audit", 3), store.PutRaw(db, "meta", []byte("audit_head"), []byte(all[2].Hash))); err != nil {
				t.Fatal(err)
			}
		}, 4},
		{"EditedRehashedPlain", func(t *testing.T, db *store.DB, _ []*backend.AuditEntry) {
			rewrite(t, db, 2, n, edit, nil)
		}, 2},
		{"EditedRehashedWithoutTheKey", func(t *testing.T, db *store.DB, _ []*backend.AuditEntry) {
			rewrite(t, db, 2, n, edit, bytes.Repeat([]byte{7}, 32))
		}, 2},
		{"HeadDeleted", func(t *testing.T, db *store.DB, _ []*backend.AuditEntry) {
			if err := store.DeleteRaw(db, "meta", []byte("audit_head")); err != nil {
				t.Fatal(err)
			}
		}, 0},
		{"SealDeleted", func(t *testing.T, db *store.DB, _ []*backend.AuditEntry) {
			if err := store.DeleteRaw(db, "meta", []byte("audit_seal")); err != nil {
				t.Fatal(err)
			}
		}, 0},
		{"KeyedFromDeleted", func(t *testing.T, db *store.DB, _ []*backend.AuditEntry) {
			if err := store.DeleteRaw(db, "meta", []byte("audit_keyed_from")); err != nil {
				t.Fatal(err)
			}
		}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := MustOpenStore(t)
			q := backend.NewServices(db, backend.NewManualClock(at(3, 9)), nil)
			for i := range n {
				if _, err := q.Guardrails.SetKillSwitch(context.Background(), i%2 == 0, backend.ActorCLI, ""); err != nil {
					t.Fatal(err)
				}
			}
			chk, err := q.Audit.Verify(context.Background())
			if err != nil || !chk.OK || chk.Entries != n {
				t.Fatalf("VerifyAudit(intact) = %+v, %v", chk, err)
			}
			all, _, _ := q.Audit.Entries(context.Background(), 0, 0)
			tc.tamper(t, db, all)
			chk, err = q.Audit.Verify(context.Background())
			if err != nil || chk.OK || chk.BadSeq != tc.wantBad {
				t.Errorf("VerifyAudit(tampered) = %+v, %v; want not OK, entry %d flagged", chk, err, tc.wantBad)
			}
		})
	}
}
