package app

import (
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

// badLines streams n short lines that are each rejected: every tenth is
// not JSON, the rest are JSON but not objects, so the rejections carry
// two different reasons.
type badLines struct {
	n, i int
	rest []byte
}

func (b *badLines) Read(p []byte) (int, error) {
	w := 0
	for w < len(p) {
		if len(b.rest) == 0 {
			if b.i == b.n {
				break
			}
			b.i++
			if b.i%10 == 0 {
				b.rest = []byte("nope\n")
			} else {
				b.rest = []byte("42\n")
			}
		}
		c := copy(p[w:], b.rest)
		b.rest, w = b.rest[c:], w+c
	}
	if w == 0 {
		return 0, io.EOF
	}
	return w, nil
}

func heapInuse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// TestApp_IngestRejectedBounded is the regression test for an import whose
// list of rejected lines grew with the input: two million tiny bad lines
// held two million error entries (about 200 MB) until the import ended.
// The first maxRejected are kept with their line and reason, the rest are
// only counted, exactly, with a count per reason.
func TestApp_IngestRejectedBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("streams two million lines")
	}
	st, err := store.Open(filepath.Join(t.TempDir(), "caseyos.db"), store.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a := New(Options{Store: st, Clock: backend.NewManualClock(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC))})
	const n = 2_000_000
	before := heapInuse()
	rep, err := a.ingest(&badLines{n: n})
	if err != nil {
		t.Fatal(err)
	}
	grown := int64(heapInuse()) - int64(before)
	t.Logf("heap in use grew by %d KB for %d rejected lines", grown/1024, n)
	if grown > 4<<20 {
		t.Errorf("heap in use grew by %d MB after %d rejected lines, want under 4 MB", grown>>20, n)
	}
	if rep.Lines != n || rep.Stored != 0 {
		t.Errorf("lines, stored = %d, %d; want %d, 0", rep.Lines, rep.Stored, n)
	}
	if len(rep.Rejected) != 100 {
		t.Fatalf("len(Rejected) = %d, want the first 100", len(rep.Rejected))
	}
	for i, r := range rep.Rejected {
		if r.Line != i+1 {
			t.Fatalf("Rejected[%d].Line = %d, want %d", i, r.Line, i+1)
		}
	}
	if rep.RejectedTotal != n || !rep.RejectedCut {
		t.Errorf("RejectedTotal, RejectedCut = %d, %v; want %d, true", rep.RejectedTotal, rep.RejectedCut, n)
	}
	want := map[string]int{
		"not a valid signal: the line must be a JSON object, not a number":          n - n/10,
		"not a valid signal: invalid character 'o' in literal null (expecting 'u')": n / 10,
	}
	got := map[string]int{}
	for _, r := range rep.RejectedReasons {
		got[r.Message] = r.Count
	}
	if len(got) != 2 || got[rep.Rejected[0].Message] != n-n/10 || got[rep.Rejected[9].Message] != n/10 {
		t.Errorf("RejectedReasons = %v, want counts like %v", rep.RejectedReasons, want)
	}
	runtime.KeepAlive(rep)
}

// The first rejected lines are reported in line order even when a batch's
// own rejections (a time too far ahead, found when it is stored) come after
// lines refused while it was read; reasons past the first ten are counted
// in the total only.
func TestApp_IngestRejectedFirstInOrder(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "caseyos.db"), store.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a := New(Options{Store: st, Clock: backend.NewManualClock(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC))})
	var in strings.Builder
	const n = 450
	for i := 1; i <= n; i++ {
		switch i % 3 {
		case 0: // refused when the batch is stored
			fmt.Fprintf(&in, `{"source":"x","type":"social.mention","occurred_at":"2026-12-31T23:59:%02dZ","dedupe_key":"x:%d","post":{"id":"p%d","author":"a"}}`+"\n", i%60, i, i)
		case 1: // refused while reading
			in.WriteString("[]\n")
		default: // stored
			fmt.Fprintf(&in, `{"source":"x","type":"social.mention","occurred_at":"2026-11-24T08:00:00Z","dedupe_key":"x:%d","post":{"id":"p%d","author":"a"}}`+"\n", i, i)
		}
	}
	rep, err := a.ingest(strings.NewReader(in.String()))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Stored != n/3 || rep.RejectedTotal != n-n/3 || !rep.RejectedCut {
		t.Errorf("stored, rejected total, cut = %d, %d, %v; want %d, %d, true", rep.Stored, rep.RejectedTotal, rep.RejectedCut, n/3, n-n/3)
	}
	if len(rep.Rejected) != 100 {
		t.Fatalf("len(Rejected) = %d, want 100", len(rep.Rejected))
	}
	line := 0
	for i, r := range rep.Rejected {
		line++
		if line%3 == 2 {
			line++
		}
		if r.Line != line {
			t.Fatalf("Rejected[%d].Line = %d, want %d (%v)", i, r.Line, line, rep.Rejected[:i+1])
		}
	}
	sum := 0
	for _, r := range rep.RejectedReasons {
		sum += r.Count
	}
	if len(rep.RejectedReasons) != 10 || sum >= rep.RejectedTotal {
		t.Errorf("RejectedReasons = %v: want the first 10 reasons, counting fewer than all %d lines", rep.RejectedReasons, rep.RejectedTotal)
	}
}
