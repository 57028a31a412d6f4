package store_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

func TestAuditStore_AppendAudit(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		db := MustOpenStore(t)
		var entries []*backend.AuditEntry
		for i, moveID := range []uint64{1, 2, 1, 0, 1} {
			e := &backend.AuditEntry{
				At: at(3, i), Actor: backend.ActorKey, Action: backend.AuditMoveTransition, MoveID: moveID,
				From: backend.StatusPending, To: backend.StatusExecuting, Detail: "approved with enter",
				APS: 87.5 + float64(i)/3, Reasons: []string{"Dana replied", "$50k ARR deal"},
			}
			// Separate transactions: the chain must link across them.
			update(t, db, func(tx backend.Tx) error { return tx.AppendAudit(e) })
			entries = append(entries, e)
		}
		// An appended entry has no tombstone; TestPrivacy_TombstoneRecord
		// covers those fields' round trip.
		filled := *entries[1]
		filled.Tombstone, filled.TombKeyID, filled.TombMAC = "-", "-", "-"
		requireFilled(t, "AuditEntry", &filled)
		view(t, db, func(tx backend.Tx) error {
			all, total, err := tx.FindAudit(backend.AuditFilter{})
			if err != nil {
				return err
			}
			if total != 5 || !reflect.DeepEqual(all, entries) {
				t.Errorf("FindAudit() = %d entries (total %d), want the 5 appended", len(all), total)
			}
			if bad, err := backend.VerifyAuditChain(all, auditKey(t, db)); err != nil {
				t.Errorf("VerifyAuditChain() = %d, %v", bad, err)
			}
			page, total, err := tx.FindAudit(backend.AuditFilter{Offset: 3, Limit: 5})
			if err != nil || total != 5 || len(page) != 2 || page[0].Seq != 4 {
				t.Errorf("FindAudit(offset 3) = %v (total %d), %v; want seqs 4, 5", page, total, err)
			}
			one, total, err := tx.FindAudit(backend.AuditFilter{MoveID: ptr(uint64(1)), Offset: 1, Limit: 1})
			if err != nil || total != 3 || len(one) != 1 || one[0].Seq != 3 {
				t.Errorf("FindAudit(move 1, offset 1, limit 1) = %v (total %d), %v; want seq 3 of 3", one, total, err)
			}
			return nil
		})
		checkIndexes(t, db)
	})
	t.Run("Tampered", func(t *testing.T) {
		db := MustOpenStore(t)
		for i := range 3 {
			update(t, db, func(tx backend.Tx) error {
				return tx.AppendAudit(&backend.AuditEntry{At: at(3, i), Actor: backend.ActorRule, Action: backend.AuditSettings})
			})
		}
		var raw []byte
		view(t, db, func(tx backend.Tx) error {
			all, _, err := tx.FindAudit(backend.AuditFilter{})
			if err != nil {
				return err
			}
			rec := map[string]any{"at": all[1].At, "actor": "rule", "action": "settings.changed", "detail": "edited later",
				"prev_hash": all[1].PrevHash, "hash": all[1].Hash}
			raw, err = json.Marshal(rec)
			return err
		})
		if err := store.PutRaw(db, "audit", u64(2), raw); err != nil {
			t.Fatal(err)
		}
		view(t, db, func(tx backend.Tx) error {
			all, _, err := tx.FindAudit(backend.AuditFilter{})
			if err != nil {
				return err
			}
			if bad, err := backend.VerifyAuditChain(all, auditKey(t, db)); bad != 2 || err == nil {
				t.Errorf("VerifyAuditChain(tampered) = %d, %v; want entry 2", bad, err)
			}
			return nil
		})
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		db := MustOpenStore(t)
		err := db.Update(ctx, func(tx backend.Tx) error {
			return tx.AppendAudit(&backend.AuditEntry{Actor: backend.ActorKey, At: at(1, 1)})
		})
		wantCode(t, "no action", err, backend.EINVALID)
		// A refused append leaves no gap in the sequence.
		update(t, db, func(tx backend.Tx) error {
			return tx.AppendAudit(&backend.AuditEntry{Actor: backend.ActorKey, At: at(1, 1), Action: "x"})
		})
		view(t, db, func(tx backend.Tx) error {
			all, total, err := tx.FindAudit(backend.AuditFilter{})
			seqs := []uint64{}
			for _, e := range all {
				seqs = append(seqs, e.Seq)
			}
			if err != nil || total != 1 || !slices.Equal(seqs, []uint64{1}) {
				t.Errorf("FindAudit() = %v (total %d), %v; want seq 1 only", seqs, total, err)
			}
			return nil
		})
	})
}

func auditKey(tb testing.TB, db *store.DB) *backend.AuditKey {
	tb.Helper()
	k, err := store.AuditKeyOf(db)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}
