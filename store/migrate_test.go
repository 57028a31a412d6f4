package store_test

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

// v1Moves and v1Signals are records exactly as schema version 1 wrote them.
var v1Moves = map[uint64]string{
	1: `{"kind":"send_email","domain":"sales","title":"Reply to Dana about pricing","reasons":["Dana replied 2 hours ago","$50k ARR deal"],"aps":87.5,"status":"pending","subject":"thread:thr-1","contact_id":"c-1","deal_id":"d-1","draft":{"to":["dana@acme.example"],"subject":"Re: pricing","body":"Hi Dana"},"due_at":"2025-03-04T08:30:15.123456789Z","snoozed_until":"0001-01-01T00:00:00Z","created_at":"2025-03-03T09:30:15.123456789Z","updated_at":"2025-03-03T11:30:15.123456789Z"}`,
	2: `{"kind":"create_task","domain":"cs","title":"Check in with Globex","reasons":["no reply in 9 days"],"aps":40,"status":"snoozed","subject":"deal:d-9","contact_id":"","deal_id":"d-9","draft":{"to":null,"subject":"","body":""},"due_at":"0001-01-01T00:00:00Z","snoozed_until":"2025-03-07T09:00:00Z","created_at":"2025-03-01T09:00:00Z","updated_at":"2025-03-02T09:00:00Z"}`,
	3: `{"kind":"note","domain":"marketing","title":"Battle card: Rival","reasons":null,"aps":95,"status":"done","subject":"topic:rival","contact_id":"","deal_id":"","draft":{"to":null,"subject":"","body":""},"due_at":"0001-01-01T00:00:00Z","snoozed_until":"0001-01-01T00:00:00Z","created_at":"2025-02-01T09:00:00Z","updated_at":"2025-02-02T09:00:00Z"}`,
	4: `{"kind":"update_deal","domain":"sales","title":"Move Globex to demo","reasons":["demo booked"],"aps":60,"status":"pending","subject":"deal:d-9","contact_id":"","deal_id":"d-9","draft":{"to":null,"subject":"","body":""},"due_at":"2025-03-10T09:00:00Z","snoozed_until":"0001-01-01T00:00:00Z","created_at":"2025-03-01T10:00:00Z","updated_at":"2025-03-01T10:00:00Z"}`,
}

var v1Signals = map[uint64]string{
	1: `{"source":"gmail","type":"email.replied","occurred_at":"2025-03-03T07:30:00Z","received_at":"2025-03-03T07:31:00Z","dedupe_key":"gmail:msg-1","contact_id":"c-1","thread_id":"thr-1","email":{"thread_id":"thr-1","from":"dana@acme.example","subject":"Re: pricing"}}`,
	2: `{"source":"hubspot","type":"deal.stalled","occurred_at":"2025-03-05T07:30:00Z","received_at":"2025-03-05T07:31:00Z","dedupe_key":"hubspot:d-9:stalled","deal_id":"d-9","deal":{"id":"d-9","stage":"demo"}}`,
}

// writeV1 builds a schema version 1 data file: meta/schema_version = 1 and
// the signals and moves buckets, nothing else.
func writeV1(tb testing.TB, path string, moves map[uint64]string) {
	tb.Helper()
	bdb, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer bdb.Close()
	err = bdb.Update(func(btx *bolt.Tx) error {
		meta, err := btx.CreateBucket([]byte("meta"))
		if err != nil {
			return err
		}
		if err := meta.Put([]byte("schema_version"), u64(1)); err != nil {
			return err
		}
		for name, recs := range map[string]map[uint64]string{"moves": moves, "signals": v1Signals} {
			b, err := btx.CreateBucket([]byte(name))
			if err != nil {
				return err
			}
			for id, v := range recs {
				if err := b.Put(u64(id), []byte(v)); err != nil {
					return err
				}
				if id > b.Sequence() {
					if err := b.SetSequence(id); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// rawGet reads one value from a closed data file.
func rawGet(tb testing.TB, path, bucket string, key []byte) []byte {
	tb.Helper()
	bdb, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		tb.Fatal(err)
	}
	defer bdb.Close()
	var v []byte
	_ = bdb.View(func(btx *bolt.Tx) error {
		if b := btx.Bucket([]byte(bucket)); b != nil {
			v = append([]byte(nil), b.Get(key)...)
		}
		return nil
	})
	return v
}

func TestOpen_MigratesV1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "caseyos.db")
	writeV1(t, path, v1Moves)

	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatalf("Open(v1 file) = %v", err)
	}
	checkIndexes(t, db)
	want1 := &backend.Move{
		ID: 1, Kind: backend.KindSendEmail, Domain: backend.DomainSales, Title: "Reply to Dana about pricing",
		Reasons: []string{"Dana replied 2 hours ago", "$50k ARR deal"},
		Score:   backend.Score{APS: 87.5, RescoreAt: time.Unix(1, 0).UTC()}, Status: backend.StatusPending,
		Draft:   backend.Draft{To: []string{"dana@acme.example"}, Subject: "Re: pricing", Body: "Hi Dana"},
		Subject: backend.Subject{Type: backend.SubjectThread, ID: "thr-1"}, ContactID: "c-1", DealID: "d-1",
		DueAt: at(4, 8), CreatedAt: at(3, 9), UpdatedAt: at(3, 11),
	}
	sales := backend.DomainSales
	view(t, db, func(tx backend.Tx) error {
		got, err := tx.FindMove(1)
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(got, want1) {
			t.Errorf("migrated move 1 = %+v\nwant %+v", got, want1)
		}
		pending := backend.StatusPending
		ms, total, err := tx.FindMoves(backend.MoveFilter{Status: &pending, ByScore: true})
		if err != nil {
			return err
		}
		if !slices.Equal(moveIDs(ms), []uint64{1, 4}) || total != 2 {
			t.Errorf("FindMoves(pending) = %v (total %d), want [1 4]", moveIDs(ms), total)
		}
		for _, c := range []struct {
			s backend.MoveStatus
			d *backend.Domain
			n int
		}{{backend.StatusPending, &sales, 2}, {backend.StatusSnoozed, nil, 1}, {backend.StatusDone, nil, 1}, {backend.StatusDone, &sales, 0}} {
			if n, err := tx.CountMoves(c.s, c.d); n != c.n || err != nil {
				t.Errorf("CountMoves(%s, %v) = %d, %v; want %d", c.s, c.d, n, err, c.n)
			}
		}
		if m, err := tx.OpenMove(backend.Subject{Type: backend.SubjectDeal, ID: "d-9"}, backend.KindCreateTask); err != nil || m.ID != 2 {
			t.Errorf("OpenMove(deal:d-9, create_task) = %v, %v; want move 2", m, err)
		}
		due, _ := tx.OpenMovesToRescore(at(30, 0))
		snoozed, _ := tx.SnoozedMovesUntil(at(30, 0))
		// Every migrated open move is due for a re-score.
		if !slices.Equal(moveIDs(due), []uint64{1, 2, 4}) || !slices.Equal(moveIDs(snoozed), []uint64{2}) {
			t.Errorf("to rescore %v, snoozed %v; want [1 2 4], [2]", moveIDs(due), moveIDs(snoozed))
		}
		s, err := tx.SignalByDedupeKey("hubspot:d-9:stalled")
		if err != nil || s.ID != 2 || s.Deal == nil || s.Deal.Stage != "demo" {
			t.Errorf("SignalByDedupeKey() = %+v, %v; want signal 2 with its deal", s, err)
		}
		ss, total, err := tx.FindSignals(backend.SignalFilter{})
		if err != nil || total != 2 || len(ss) != 2 || ss[0].ID != 2 {
			t.Errorf("FindSignals() = %v (total %d), %v; want signals 2, 1", ss, total, err)
		}
		return nil
	})
	// New records continue the old sequences.
	m := newMove("thread:new", backend.KindSendEmail, backend.StatusPending, 10, backend.DomainCS)
	update(t, db, func(tx backend.Tx) error { return tx.CreateMove(m) })
	if m.ID != 5 {
		t.Errorf("first new move id = %d, want 5", m.ID)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	if v := rawGet(t, path, "meta", []byte("schema_version")); !slices.Equal(v, u64(store.SchemaVersion)) {
		t.Errorf("schema_version after Open = %x, want %d", v, store.SchemaVersion)
	}
	backup := path + ".v1.bak"
	fi, err := os.Stat(backup)
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode = %v, want 0600", fi.Mode().Perm())
	}
	if v := rawGet(t, backup, "meta", []byte("schema_version")); !slices.Equal(v, u64(1)) {
		t.Errorf("backup schema_version = %x, want 1", v)
	}
	if v := rawGet(t, backup, "moves", u64(1)); string(v) != v1Moves[1] {
		t.Errorf("backup move 1 = %s, want the v1 record", v)
	}

	// A second Open finds nothing to do.
	if err := os.Remove(backup); err != nil {
		t.Fatal(err)
	}
	mustOpenPath(t, path, store.Options{})
	if _, err := os.Stat(backup); !os.IsNotExist(err) {
		t.Errorf("second Open wrote a backup again: %v", err)
	}
}

func TestOpen_MigrationFailureKeepsV1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "caseyos.db")
	moves := map[uint64]string{}
	for id, v := range v1Moves {
		moves[id] = v
	}
	moves[3] = `{"kind":"note","domain":"cs","title":"x","aps":1,"status":"done","subject":"no colon"}`
	writeV1(t, path, moves)

	_, err := store.Open(path, store.Options{})
	wantCode(t, "Open(v1 file with a damaged move)", err, backend.EINTERNAL)
	if v := rawGet(t, path, "meta", []byte("schema_version")); !slices.Equal(v, u64(1)) {
		t.Errorf("schema_version after a failed upgrade = %x, want 1", v)
	}
	if v := rawGet(t, path, "moves", u64(1)); string(v) != v1Moves[1] {
		t.Errorf("move 1 after a failed upgrade = %s, want it untouched", v)
	}
	if v := rawGet(t, path, "move_counts", []byte("pending\x00sales")); v != nil {
		t.Errorf("move_counts written by a failed upgrade: %x", v)
	}
	if _, err := os.Stat(path + ".v1.bak"); err != nil {
		t.Errorf("backup: %v", err)
	}
}
