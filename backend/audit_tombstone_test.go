package backend_test

import (
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// TestAuditTombstone: an emptied entry keeps the log verifying when the
// key signed its tombstone, and every way to empty or alter an entry
// without the key is found.
func TestAuditTombstone(t *testing.T) {
	key, other := mustKey(t, 1), mustKey(t, 2)
	who := backend.PersonHash("dana@northwind.io")
	tomb := func(l *auditLog, i int, k *backend.AuditKey) {
		t.Helper()
		if err := l.entries[i-1].MakeTombstone(who, k); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name     string
		plain, n int
		tamper   func(l *auditLog)
		wantText string // "": verifies
	}{
		{name: "KeyedEntries", n: 30, tamper: func(l *auditLog) { tomb(l, 3, key); tomb(l, 17, key); tomb(l, 30, key) }},
		{name: "PlainEntryBeforeTheKey", plain: 10, n: 30, tamper: func(l *auditLog) { tomb(l, 4, key); tomb(l, 12, key) }},
		{name: "EmptiedWithoutTombstone", n: 30, tamper: func(l *auditLog) {
			l.entries[4].Detail, l.entries[4].Reasons = "", nil
		}, wantText: "entry 5 was altered"},
		{name: "TombstoneSignedWithAnotherKey", n: 30, tamper: func(l *auditLog) { tomb(l, 5, other) },
			wantText: "entry 5 was emptied, but its tombstone does not verify"},
		{name: "TombstoneForgedUnderTheRightID", n: 30, tamper: func(l *auditLog) {
			tomb(l, 5, other)
			l.entries[4].TombKeyID = key.ID()
		}, wantText: "entry 5 was emptied, but its tombstone does not verify"},
		{name: "TombstoneKeptFieldEdited", n: 30, tamper: func(l *auditLog) {
			tomb(l, 5, key)
			l.entries[4].At = l.entries[4].At.Add(time.Hour)
		}, wantText: "entry 5 was emptied, but its tombstone does not verify"},
		{name: "TombstoneDetailRefilled", n: 30, tamper: func(l *auditLog) {
			tomb(l, 5, key)
			l.entries[4].Detail = "something else"
		}, wantText: "entry 5 was emptied, but its tombstone does not verify"},
		{name: "TombstoneReasonSwapped", n: 30, tamper: func(l *auditLog) {
			tomb(l, 5, key)
			l.entries[4].Tombstone = backend.AuditRetention
		}, wantText: "entry 5 was emptied, but its tombstone does not verify"},
		{name: "TombstonedEntryDropped", n: 30, tamper: func(l *auditLog) {
			tomb(l, 5, key)
			l.entries = append(l.entries[:4:4], l.entries[5:]...)
			for i, e := range l.entries {
				e.Seq = uint64(i + 1)
			}
			l.reseal(key) // even with the count and seal mended
		}, wantText: "entry 5 does not link to the entry before it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := buildLog(key, tc.plain, tc.n)
			tc.tamper(l)
			bad, problem := backend.CheckAuditLog(l.entries, int(l.head.Count), l.head, key)
			if tc.wantText == "" {
				if problem != "" {
					t.Fatalf("CheckAuditLog = %d %q, want it to verify", bad, problem)
				}
				if _, err := backend.VerifyAuditChain(l.entries, key); err != nil {
					t.Errorf("VerifyAuditChain: %v", err)
				}
				return
			}
			if !strings.Contains(problem, tc.wantText) {
				t.Errorf("CheckAuditLog = %d %q, want %q", bad, problem, tc.wantText)
			}
		})
	}
}

// TestCheckAuditLogKeys_Tombstone: a tombstone signed with a key that is
// not at hand fails the log, unless the key was lost and replaced since,
// in which case its period is reported unverifiable.
func TestCheckAuditLogKeys_Tombstone(t *testing.T) {
	k1, k2, stranger := mustKey(t, 1), mustKey(t, 2), mustKey(t, 3)
	held := func(ks ...*backend.AuditKey) func(string) *backend.AuditKey {
		return func(id string) *backend.AuditKey {
			for _, k := range ks {
				if k.ID() == id {
					return k
				}
			}
			return nil
		}
	}
	l := buildLog(k1, 0, 10)
	if err := l.entries[3].MakeTombstone("x", stranger); err != nil {
		t.Fatal(err)
	}
	r := backend.CheckAuditLogKeys(l.entries, int(l.head.Count), l.head, held(k1))
	if !strings.Contains(r.Problem, "entry 4 was emptied with key "+stranger.ID()+", which is not at hand") {
		t.Errorf("unknown tombstone key: %q", r.Problem)
	}
	// Emptied with k1, which is then lost and replaced by k2.
	l = buildLog(k1, 0, 10)
	if err := l.entries[3].MakeTombstone("x", k1); err != nil {
		t.Fatal(err)
	}
	l.rekey(k2, 3)
	r = backend.CheckAuditLogKeys(l.entries, int(l.head.Count), l.head, held(k2))
	if r.Problem != "" || len(r.Unverifiable()) != 1 || r.OK() {
		t.Errorf("lost tombstone key: problem %q, unverifiable %+v", r.Problem, r.Unverifiable())
	}
	r = backend.CheckAuditLogKeys(l.entries, int(l.head.Count), l.head, held(k1, k2))
	if !r.OK() {
		t.Errorf("both keys held: %q %+v", r.Problem, r.Unverifiable())
	}
}

func TestAuditEntry_MakeTombstone(t *testing.T) {
	key := mustKey(t, 1)
	l := buildLog(key, 0, 3)
	rk := buildLog(key, 0, 2).rekey(mustKey(t, 2), 0)
	for _, tc := range []struct {
		name string
		e    *backend.AuditEntry
		why  string
		key  *backend.AuditKey
		code string
	}{
		{"NoKey", l.entries[0], "x", nil, backend.EUNAVAILABLE},
		{"NoReason", l.entries[0], " ", key, backend.EINVALID},
		{"KeyReplacedEntry", rk.entries[2], "x", key, backend.ECONFLICT},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.e.MakeTombstone(tc.why, tc.key); backend.ErrorCode(err) != tc.code {
				t.Errorf("MakeTombstone = %v, want %s", err, tc.code)
			}
		})
	}
	e := l.entries[1]
	if err := e.MakeTombstone("r", key); err != nil || e.Detail != "" || e.Reasons != nil || !e.Tombstoned() {
		t.Fatalf("MakeTombstone = %v, entry %+v", err, e)
	}
	if err := e.MakeTombstone("r", key); backend.ErrorCode(err) != backend.ECONFLICT {
		t.Errorf("a second MakeTombstone = %v, want conflict", err)
	}
}

func TestPersonHash(t *testing.T) {
	h := backend.PersonHash(" Dana@Northwind.IO ")
	if h != backend.PersonHash("dana@northwind.io") || !backend.IsPersonHash(h) || strings.Contains(h, "dana") {
		t.Errorf("PersonHash = %q", h)
	}
	for _, s := range []string{"dana@northwind.io", "sha256:", "sha256:" + strings.Repeat("G", 64), strings.ToUpper(h)} {
		if backend.IsPersonHash(s) {
			t.Errorf("IsPersonHash(%q) = true", s)
		}
	}
}
