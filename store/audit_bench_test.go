package store_test

import (
	"testing"

	"github.com/caseyos/caseyos/backend"
)

// BenchmarkAudit_Append measures AppendAudit, which every execution step
// calls: InBatch is the append alone (1,000 per transaction, as an ingest
// or a re-score writes them), Commit one append per durable transaction.
//
//	go test -run '^$' -bench Audit_Append -benchmem -count 5 ./store/
func BenchmarkAudit_Append(b *testing.B) {
	entry := func(i int) *backend.AuditEntry {
		return &backend.AuditEntry{
			At: at(3, 9), Actor: backend.ActorKey, Action: backend.AuditExecCommitted, MoveID: uint64(i%500 + 1),
			From: backend.StatusExecuting, To: backend.StatusDone, Detail: "sent: gmail message 18c2f0a1b2c3d4e5 in thread thr-42",
			APS: 87.5, Reasons: []string{"Dana replied 2 hours ago", "$50k ARR deal", "reply window in 21 hours"},
		}
	}
	b.Run("InBatch", func(b *testing.B) {
		db := MustOpenStore(b)
		b.ReportAllocs()
		b.ResetTimer()
		for done := 0; done < b.N; {
			n := min(1000, b.N-done)
			update(b, db, func(tx backend.Tx) error {
				for i := range n {
					if err := tx.AppendAudit(entry(done + i)); err != nil {
						return err
					}
				}
				return nil
			})
			done += n
		}
	})
	b.Run("Commit", func(b *testing.B) {
		db := MustOpenStore(b)
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			update(b, db, func(tx backend.Tx) error { return tx.AppendAudit(entry(i)) })
		}
	})
}
