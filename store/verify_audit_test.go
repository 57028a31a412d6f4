package store_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

// VerifyAudit over the real file finds an edited and a dropped entry.
func TestQueue_VerifyAuditTampering(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tamper func(*testing.T, *store.DB, []*backend.AuditEntry)
	}{
		{"Edited", func(t *testing.T, db *store.DB, all []*backend.AuditEntry) {
			raw, _ := json.Marshal(map[string]any{"at": all[1].At, "actor": "key", "action": "settings.changed", "detail": "kill switch off (edited)",
				"prev_hash": all[1].PrevHash, "hash": all[1].Hash})
			if err := store.PutRaw(db, "audit", u64(2), raw); err != nil {
				t.Fatal(err)
			}
		}},
		{"Dropped", func(t *testing.T, db *store.DB, _ []*backend.AuditEntry) {
			if err := store.DeleteRaw(db, "audit", u64(2)); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := MustOpenStore(t)
			q := backend.NewQueue(db, backend.NewManualClock(at(3, 9)), nil)
			for _, on := range []bool{true, false, true} {
				if _, err := q.SetKillSwitch(context.Background(), on, backend.ActorCLI, ""); err != nil {
					t.Fatal(err)
				}
			}
			chk, err := q.VerifyAudit(context.Background())
			if err != nil || !chk.OK || chk.Entries != 3 {
				t.Fatalf("VerifyAudit(intact) = %+v, %v", chk, err)
			}
			all, _, _ := q.Audit(context.Background(), 0, 0)
			tc.tamper(t, db, all)
			chk, err = q.VerifyAudit(context.Background())
			if err != nil || chk.OK || chk.BadSeq != 2 {
				t.Errorf("VerifyAudit(tampered) = %+v, %v; want entry 2 flagged", chk, err)
			}
		})
	}
}
