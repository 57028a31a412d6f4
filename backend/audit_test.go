package backend_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/caseyos/caseyos/backend"
)

func mustKey(tb testing.TB, b byte) *backend.AuditKey {
	tb.Helper()
	k, err := backend.NewAuditKey(bytes.Repeat([]byte{b}, backend.AuditKeySize), "test")
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// auditLog is a log as the store holds it: entries and the head.
type auditLog struct {
	entries []*backend.AuditEntry
	head    backend.AuditHead
}

// buildLog writes plain entries 1..plain (as schema 2 did), then seals the
// head as the upgrade does, then keyed entries up to n.
func buildLog(key *backend.AuditKey, plain, n int) *auditLog {
	l := &auditLog{}
	for i := 1; i <= n; i++ {
		if i == plain+1 {
			l.head.KeyedFrom = uint64(i)
		}
		e := &backend.AuditEntry{Seq: uint64(i), At: testNow, Actor: backend.ActorKey, Action: backend.AuditMoveTransition,
			MoveID: uint64(i % 7), Detail: fmt.Sprintf("step %d", i), APS: 50, Reasons: []string{"x"}}
		k := key
		if i <= plain {
			k = nil
		}
		e.Seal(l.head.Hash, k)
		l.entries = append(l.entries, e)
		l.head.Hash = e.Hash
	}
	if l.head.KeyedFrom == 0 {
		l.head.KeyedFrom = uint64(n + 1)
	}
	l.reseal(key)
	return l
}

// reseal sets the count from the entries and seals the head with key, as
// an append does; with another key it is what a forger without the key can
// do at best.
func (l *auditLog) reseal(key *backend.AuditKey) {
	l.head.Count = uint64(len(l.entries))
	l.head.KeyID = key.ID()
	l.head.Seal = key.SealHead(l.head.Count, l.head.Hash, l.head.KeyedFrom)
}

// rechain recomputes every hash from entry i on, each entry keyed with key
// or, when key is nil, plain; and moves the head.
func (l *auditLog) rechain(i int, key *backend.AuditKey) {
	prev := ""
	if i > 1 {
		prev = l.entries[i-2].Hash
	}
	for _, e := range l.entries[i-1:] {
		e.Seal(prev, key)
		prev = e.Hash
	}
	l.head.Hash = prev
}

func TestCheckAuditLog(t *testing.T) {
	key, other := mustKey(t, 1), mustKey(t, 2)
	for _, tc := range []struct {
		name     string
		plain, n int
		tamper   func(l *auditLog)
		key      *backend.AuditKey // nil: key
		wantBad  uint64
		wantText string // "" with wantBad 0: verifies
	}{
		{name: "LongKeyedChain", n: 2000},
		{name: "Empty", n: 0},
		{name: "PlainThenKeyed", plain: 40, n: 100},
		{name: "PlainOnlySealed", plain: 40, n: 40},
		{name: "TruncatedLast3", n: 50, tamper: func(l *auditLog) { l.entries = l.entries[:47] },
			wantBad: 48, wantText: "says it has 50 entries but holds 47"},
		{name: "TruncatedLast3CountAndHeadMovedBack", n: 50, tamper: func(l *auditLog) {
			l.entries = l.entries[:47]
			l.head.Count, l.head.Hash = 47, l.entries[46].Hash
		}, wantBad: 48, wantText: "seal over the audit log's end does not match"},
		{name: "TruncatedLast3HeadLeft", n: 50, tamper: func(l *auditLog) {
			l.entries = l.entries[:47]
			l.head.Count = 47
		}, wantBad: 48, wantText: "cut off the end"},
		{name: "TruncatedToNothing", n: 50, tamper: func(l *auditLog) {
			l.entries, l.head.Count, l.head.Hash = nil, 0, ""
		}, wantBad: 1, wantText: "seal over the audit log's end does not match"},
		{name: "TruncatedPlainOnly", plain: 40, n: 40, tamper: func(l *auditLog) {
			l.entries = l.entries[:39]
			l.head.Count, l.head.Hash = 39, l.entries[38].Hash
		}, wantBad: 40, wantText: "seal over the audit log's end does not match"},
		{name: "EditedKeyedNotRehashed", n: 50, tamper: func(l *auditLog) { l.entries[9].Detail = "edited" },
			wantBad: 10, wantText: "entry 10 was altered"},
		{name: "EditedRehashedPlain", n: 50, tamper: func(l *auditLog) {
			l.entries[9].Detail = "edited"
			l.rechain(10, nil)
		}, wantBad: 10, wantText: "entry 10 is not keyed"},
		{name: "AllDowngradedToPlainMarkMoved", n: 50, tamper: func(l *auditLog) {
			l.entries[9].Detail = "edited"
			l.rechain(1, nil)
			l.head.KeyedFrom = 51
			l.reseal(other)
		}, wantBad: 51, wantText: "seal over the audit log's end does not match"},
		{name: "EditedRehashedWithoutTheKey", n: 50, tamper: func(l *auditLog) {
			l.entries[9].Detail = "edited"
			l.rechain(10, other)
			l.reseal(other)
		}, wantBad: 10, wantText: "entry 10 was altered"},
		{name: "EditedPlainRehashedUpToKeyed", plain: 20, n: 50, tamper: func(l *auditLog) {
			l.entries[4].Detail = "edited"
			l.rechain(5, nil) // every entry plain from 5: the keyed ones too
		}, wantBad: 21, wantText: "entry 21 is not keyed"},
		{name: "EditedPlainRehashedPlainPart", plain: 20, n: 50, tamper: func(l *auditLog) {
			l.entries[4].Detail = "edited"
			prev := l.entries[3].Hash
			for _, e := range l.entries[4:20] {
				e.Seal(prev, nil)
				prev = e.Hash
			}
		}, wantBad: 21, wantText: "entry 21 does not link"},
		{name: "KeyedFromLowered", plain: 20, n: 50, tamper: func(l *auditLog) { l.head.KeyedFrom = 10 },
			wantBad: 10, wantText: "entry 10 is not keyed"},
		{name: "KeyedFromRaised", plain: 20, n: 50, tamper: func(l *auditLog) { l.head.KeyedFrom = 30 },
			wantBad: 21, wantText: "entry 21 is keyed, but keyed entries only begin at 30"},
		{name: "KeyedFromDeleted", n: 5, tamper: func(l *auditLog) { l.head.KeyedFrom = 0 },
			wantText: "meta/audit_keyed_from) is missing"},
		{name: "HeadDeleted", n: 5, tamper: func(l *auditLog) { l.head.Hash = "" },
			wantText: "head (meta/audit_head) is missing"},
		{name: "SealDeleted", n: 5, tamper: func(l *auditLog) { l.head.Seal = "" },
			wantText: "meta/audit_seal) is missing"},
		{name: "EntryDropped", n: 5, tamper: func(l *auditLog) { l.entries = append(l.entries[:2], l.entries[3:]...) },
			wantBad: 3, wantText: "entry 3 is missing"},
		{name: "WrongKey", n: 5, key: other, wantBad: 1, wantText: "entry 1 was altered"},
		{name: "WrongKeyPlainOnly", plain: 5, n: 5, key: other, wantBad: 6, wantText: "seal over the audit log's end does not match"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := buildLog(key, tc.plain, tc.n)
			if tc.tamper != nil {
				tc.tamper(l)
			}
			k := key
			if tc.key != nil {
				k = tc.key
			}
			bad, problem := backend.CheckAuditLog(l.entries, int(l.head.Count), l.head, k)
			if bad != tc.wantBad || (tc.wantText == "") != (problem == "") || !strings.Contains(problem, tc.wantText) {
				t.Errorf("CheckAuditLog() = %d, %q; want %d, %q", bad, problem, tc.wantBad, tc.wantText)
			}
		})
	}
}

func TestVerifyAuditChain(t *testing.T) {
	key := mustKey(t, 1)
	l := buildLog(key, 2, 4)
	if bad, err := backend.VerifyAuditChain(l.entries, key); err != nil || bad != 0 {
		t.Fatalf("VerifyAuditChain = %d, %v; want an intact chain", bad, err)
	}
	if bad, err := backend.VerifyAuditChain(l.entries, nil); bad != 3 || err == nil {
		t.Errorf("VerifyAuditChain without the key = %d, %v; want entry 3 (the first keyed one) flagged", bad, err)
	}
	l.entries[2].Detail = "edited after the fact"
	if bad, err := backend.VerifyAuditChain(l.entries, key); backend.ErrorCode(err) != backend.ECONFLICT || bad != 3 {
		t.Errorf("VerifyAuditChain after an edit = %d, %v; want entry 3 flagged", bad, err)
	}
}

// The key never shows in what is printed about it.
func TestAuditKey_String(t *testing.T) {
	k := mustKey(t, 0xab)
	for _, s := range []string{fmt.Sprint(k), fmt.Sprintf("%v %+v %#v %s", k, k, k, k)} {
		if strings.Contains(s, "abab") || strings.Contains(s, "\xab\xab") || strings.Contains(s, "171") {
			t.Errorf("printing the key shows its secret: %q", s)
		}
	}
	if _, err := backend.NewAuditKey(make([]byte, 16), "x"); backend.ErrorCode(err) != backend.EINVALID {
		t.Errorf("NewAuditKey(16 bytes) = %v, want invalid", err)
	}
}

// BenchmarkAuditEntry_Seal measures the hash of one entry: Plain as schema
// 2 computed it, Keyed the HMAC every entry gets now.
//
//	go test -run '^$' -bench AuditEntry_Seal -benchmem ./backend/
func BenchmarkAuditEntry_Seal(b *testing.B) {
	key := mustKey(b, 1)
	e := &backend.AuditEntry{Seq: 42, At: testNow, Actor: backend.ActorKey, Action: backend.AuditExecCommitted, MoveID: 7,
		From: backend.StatusExecuting, To: backend.StatusDone, Detail: "sent: gmail message 18c2f0a1b2c3d4e5 in thread thr-42",
		APS: 87.5, Reasons: []string{"Dana replied 2 hours ago", "$50k ARR deal", "reply window in 21 hours"}}
	prev := strings.Repeat("ab", 32)
	for name, k := range map[string]*backend.AuditKey{"Plain": nil, "Keyed": key} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				e.Seal(prev, k)
			}
		})
	}
}

// rekey appends the entry that replaces the log's key with key, signed
// with it, as store's RekeyAudit does, then m entries under key, and
// reseals with key.
func (l *auditLog) rekey(key *backend.AuditKey, m int) *auditLog {
	rk := backend.AuditRekey{At: testNow, Actor: backend.ActorCLI, OldKeyID: l.head.KeyID, NewKeyID: key.ID(), Before: uint64(len(l.entries))}
	e := rk.Entry()
	e.Seq = uint64(len(l.entries) + 1)
	e.Seal(l.head.Hash, key)
	l.entries = append(l.entries, e)
	l.head.Hash = e.Hash
	l.append(key, m)
	return l
}

// append adds m keyed entries under key and reseals with it.
func (l *auditLog) append(key *backend.AuditKey, m int) {
	for range m {
		e := &backend.AuditEntry{Seq: uint64(len(l.entries) + 1), At: testNow, Actor: backend.ActorKey, Action: backend.AuditSettings, Detail: "later"}
		e.Seal(l.head.Hash, key)
		l.entries = append(l.entries, e)
		l.head.Hash = e.Hash
	}
	l.reseal(key)
}

func TestCheckAuditLogKeys(t *testing.T) {
	k1, k2, k3, guess := mustKey(t, 1), mustKey(t, 2), mustKey(t, 3), mustKey(t, 9)
	type period struct {
		from, to uint64
		key      *backend.AuditKey
		verified bool
	}
	for _, tc := range []struct {
		name     string
		log      func() *auditLog
		held     []*backend.AuditKey
		wantBad  uint64
		wantText string   // "" when nothing is wrong
		periods  []period // checked when wantText is ""
		rekeys   int
		verified string // which replacements verified, when set: "[false true]"
	}{
		{name: "LostKeyPeriodThenIntact", log: func() *auditLog { return buildLog(k1, 0, 10).rekey(k2, 5) },
			held: []*backend.AuditKey{k2}, periods: []period{{1, 10, k1, false}, {11, 16, k2, true}}, rekeys: 1},
		{name: "OldKeyFoundAgain", log: func() *auditLog { return buildLog(k1, 3, 10).rekey(k2, 5) },
			held: []*backend.AuditKey{k1, k2}, periods: []period{{1, 10, k1, true}, {11, 16, k2, true}}, rekeys: 1},
		{name: "PlainPrefixInLostPeriod", log: func() *auditLog { return buildLog(k1, 4, 10).rekey(k2, 2) },
			held: []*backend.AuditKey{k2}, periods: []period{{1, 10, k1, false}, {11, 13, k2, true}}, rekeys: 1},
		// A migrated log whose key was lost before it signed anything:
		// the plain entries are pinned by the new key's first entry.
		{name: "PlainOnlyThenRekey", log: func() *auditLog { return buildLog(k1, 6, 6).rekey(k2, 2) },
			held: []*backend.AuditKey{k2}, periods: []period{{1, 9, k2, true}}, rekeys: 1},
		{name: "EmptyThenRekey", log: func() *auditLog { return buildLog(k1, 0, 0).rekey(k2, 0) },
			held: []*backend.AuditKey{k2}, periods: []period{{1, 1, k2, true}}, rekeys: 1},
		{name: "TwoLostKeys", log: func() *auditLog { return buildLog(k1, 0, 4).rekey(k2, 3).rekey(k3, 1) },
			held: []*backend.AuditKey{k3}, periods: []period{{1, 4, k1, false}, {5, 8, k2, false}, {9, 10, k3, true}}, rekeys: 2, verified: "[false true]"},
		{name: "EditedInLostPeriodStaysUnverified", log: func() *auditLog {
			l := buildLog(k1, 0, 10).rekey(k2, 5)
			l.entries[3].Detail = "edited"
			return l
		}, held: []*backend.AuditKey{k2}, periods: []period{{1, 10, k1, false}, {11, 16, k2, true}}, rekeys: 1},
		{name: "EditedInLostPeriodKeyFound", log: func() *auditLog {
			l := buildLog(k1, 0, 10).rekey(k2, 5)
			l.entries[3].Detail = "edited"
			return l
		}, held: []*backend.AuditKey{k1, k2}, wantBad: 4, wantText: "entry 4 was altered"},
		{name: "DroppedInLostPeriod", log: func() *auditLog {
			l := buildLog(k1, 0, 10).rekey(k2, 5)
			l.entries = append(l.entries[:3], l.entries[4:]...)
			return l
		}, held: []*backend.AuditKey{k2}, wantBad: 4, wantText: "entry 4 is missing"},
		{name: "LastOfLostPeriodRehashed", log: func() *auditLog {
			l := buildLog(k1, 0, 10).rekey(k2, 5)
			l.entries[9].Detail = "edited"
			l.entries[9].Seal(l.entries[8].Hash, guess)
			return l
		}, held: []*backend.AuditKey{k2}, wantBad: 11, wantText: "entry 11 does not link"},
		{name: "EditedInNewPeriod", log: func() *auditLog {
			l := buildLog(k1, 0, 10).rekey(k2, 5)
			l.entries[12].Detail = "edited"
			return l
		}, held: []*backend.AuditKey{k2}, wantBad: 13, wantText: "entry 13 was altered"},
		{name: "EditedInNewPeriodRehashedWithoutTheKey", log: func() *auditLog {
			l := buildLog(k1, 0, 10).rekey(k2, 5)
			l.entries[12].Detail = "edited"
			l.rechain(13, guess)
			l.reseal(guess)
			l.head.KeyID = k2.ID()
			return l
		}, held: []*backend.AuditKey{k2}, wantBad: 13, wantText: "entry 13 was altered"},
		{name: "NewPeriodCutOff", log: func() *auditLog {
			l := buildLog(k1, 0, 10).rekey(k2, 5)
			l.entries = l.entries[:13]
			l.head.Count, l.head.Hash = 13, l.entries[12].Hash
			return l
		}, held: []*backend.AuditKey{k2}, wantBad: 14, wantText: "seal over the audit log's end does not match"},
		// Forging a replacement without the key: the entries after it
		// signed and the end sealed with a key of the forger's own.
		{name: "ForgedRekeyInNewPeriod", log: func() *auditLog {
			l := buildLog(k1, 0, 10).rekey(k2, 5)
			l.entries, l.head.Hash = l.entries[:12], l.entries[11].Hash
			l.head.KeyID = k2.ID()
			return l.rekey(guess, 4)
		}, held: []*backend.AuditKey{k2}, wantBad: 18, wantText: "seal over the audit log's end does not match"},
		{name: "ForgedRekeyHidingAnEdit", log: func() *auditLog {
			l := buildLog(k1, 0, 10)
			l.entries[3].Detail = "edited" // an edit the intact key would show
			return l.rekey(guess, 2)
		}, held: []*backend.AuditKey{k1}, wantBad: 4, wantText: "entry 4 was altered"},
		{name: "ForgedRekeyEntrySignedWithGuess", log: func() *auditLog {
			l := buildLog(k1, 0, 10).rekey(k2, 5)
			rk := backend.AuditRekey{At: testNow, Actor: backend.ActorCLI, OldKeyID: k2.ID(), NewKeyID: k2.ID(), Before: 12}
			e := rk.Entry()
			e.Seq = 13
			*l.entries[12] = *e
			l.rechain(13, guess)
			l.reseal(guess)
			l.head.KeyID = k2.ID()
			return l
		}, held: []*backend.AuditKey{k2}, wantBad: 13, wantText: "entry 13 was altered"},
		{name: "EntryTurnedIntoRekey", log: func() *auditLog {
			l := buildLog(k1, 0, 10).rekey(k2, 5)
			e := (backend.AuditRekey{OldKeyID: k2.ID(), NewKeyID: k2.ID(), Before: 12}).Entry()
			l.entries[12].Action, l.entries[12].Detail = e.Action, e.Detail
			return l
		}, held: []*backend.AuditKey{k2}, wantBad: 13, wantText: "entry 13 was altered"},
		{name: "RekeyCountWrong", log: func() *auditLog {
			l := buildLog(k1, 0, 10)
			rk := backend.AuditRekey{At: testNow, OldKeyID: k1.ID(), NewKeyID: k2.ID(), Before: 7, Actor: backend.ActorCLI}
			e := rk.Entry()
			e.Seq = 11
			e.Seal(l.head.Hash, k2)
			l.entries, l.head.Hash = append(l.entries, e), e.Hash
			l.append(k2, 1)
			return l
		}, held: []*backend.AuditKey{k2}, wantBad: 11, wantText: "after 7 entries, but 10 entries come before it"},
		{name: "RekeyChainInconsistent", log: func() *auditLog {
			l := buildLog(k1, 0, 4).rekey(k2, 1)
			l.head.KeyID = guess.ID() // the next replacement names a key that signed nothing
			return l.rekey(k3, 1)
		}, held: []*backend.AuditKey{k3}, wantBad: 7, wantText: "replaces key " + guess.ID()},
		{name: "KeyIDNotTheLastRekeys", log: func() *auditLog {
			l := buildLog(k1, 0, 4).rekey(k2, 2)
			l.reseal(k3)
			return l
		}, held: []*backend.AuditKey{k2, k3}, wantBad: 5, wantText: "but the log names key " + k3.ID()},
		{name: "RekeyDetailMangled", log: func() *auditLog {
			l := buildLog(k1, 0, 4).rekey(k2, 2)
			l.entries[4].Detail += " (really)"
			l.rechain(5, k2)
			l.reseal(k2)
			return l
		}, held: []*backend.AuditKey{k2}, wantBad: 5, wantText: "not in the form CaseyOS writes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := tc.log()
			keys := func(id string) *backend.AuditKey {
				for _, k := range tc.held {
					if k.ID() == id {
						return k
					}
				}
				return nil
			}
			r := backend.CheckAuditLogKeys(l.entries, int(l.head.Count), l.head, keys)
			if r.BadSeq != tc.wantBad || (tc.wantText == "") != (r.Problem == "") || !strings.Contains(r.Problem, tc.wantText) {
				t.Fatalf("CheckAuditLogKeys() = %d, %q; want %d, %q", r.BadSeq, r.Problem, tc.wantBad, tc.wantText)
			}
			if tc.wantText != "" {
				if r.OK() {
					t.Errorf("CheckAuditLogKeys().OK() = true with a problem")
				}
				return
			}
			var got []period
			allVerified := true
			for _, p := range r.Periods {
				var k *backend.AuditKey
				for _, c := range []*backend.AuditKey{k1, k2, k3} {
					if c.ID() == p.KeyID {
						k = c
					}
				}
				got = append(got, period{p.From, p.To, k, p.Verified})
				allVerified = allVerified && p.Verified
				if p.Replaced == nil && p.To != uint64(len(l.entries)) {
					t.Errorf("period %d–%d has no replacement but is not the newest", p.From, p.To)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.periods) || len(r.Rekeys) != tc.rekeys {
				t.Errorf("CheckAuditLogKeys() periods = %v, %d rekeys; want %v, %d", got, len(r.Rekeys), tc.periods, tc.rekeys)
			}
			if tc.verified != "" {
				var v []bool
				for _, rk := range r.Rekeys {
					v = append(v, rk.Verified)
				}
				if fmt.Sprint(v) != tc.verified {
					t.Errorf("CheckAuditLogKeys() replacements verified = %v; want %s", v, tc.verified)
				}
			}
			if r.OK() != allVerified || len(r.Unverifiable()) == 0 != allVerified {
				t.Errorf("CheckAuditLogKeys().OK() = %v, %d unverifiable; want OK only when every period verified", r.OK(), len(r.Unverifiable()))
			}
		})
	}
}
