package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/caseyos/caseyos/backend"
)

// TestAuditStore_AppendAudit_OneTransaction: many entries appended in one
// transaction (an ingest batch) leave the head and its seal on the last of
// them, seen by AuditHead inside the transaction and verified after the
// commit; a transaction that fails after appending leaves head and log as
// they were.
func TestAuditStore_AppendAudit_OneTransaction(t *testing.T) {
	db := MustOpenStore(t)
	key := auditKey(t, db)
	check := func(want uint64) {
		t.Helper()
		view(t, db, func(tx backend.Tx) error {
			all, total, err := tx.FindAudit(backend.AuditFilter{})
			if err != nil {
				return err
			}
			head, err := tx.AuditHead()
			if err != nil {
				return err
			}
			if head.Count != want || total != int(want) {
				t.Errorf("AuditHead().Count = %d, total %d; want %d", head.Count, total, want)
			}
			r := backend.CheckAuditLogKeys(all, total, head, func(string) *backend.AuditKey { return key })
			if !r.OK() {
				t.Errorf("CheckAuditLogKeys() = %q at %d, want OK", r.Problem, r.BadSeq)
			}
			return nil
		})
	}
	appendN := func(tx backend.Tx, n int) (*backend.AuditEntry, error) {
		var e *backend.AuditEntry
		for i := range n {
			e = &backend.AuditEntry{At: at(3, i), Actor: backend.ActorSystem, Action: backend.AuditMoveCreated, MoveID: uint64(i%7 + 1)}
			if err := tx.AppendAudit(e); err != nil {
				return nil, err
			}
		}
		return e, nil
	}
	update(t, db, func(tx backend.Tx) error {
		last, err := appendN(tx, 250)
		if err != nil {
			return err
		}
		head, err := tx.AuditHead()
		if err != nil {
			return err
		}
		if head.Count != 250 || head.Hash != last.Hash || head.Seal == "" {
			t.Errorf("AuditHead() in the transaction = %d %q (seal %q), want 250 %q sealed", head.Count, head.Hash, head.Seal, last.Hash)
		}
		_, err = appendN(tx, 5) // after a head was read, more appends
		return err
	})
	check(255)
	boom := errors.New("boom")
	err := db.Update(context.Background(), func(tx backend.Tx) error {
		if _, err := appendN(tx, 3); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update() = %v, want boom", err)
	}
	check(255)
	update(t, db, func(tx backend.Tx) error { _, err := appendN(tx, 2); return err })
	check(257)
}
