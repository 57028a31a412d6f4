package dedupe

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"testing"
	"time"
)

func buildIndex(recs []genRecord) *Index {
	ix := NewIndex(Options{})
	for _, r := range recs {
		ix.Put(r.Record)
	}
	return ix
}

// evaluate returns precision and recall of pairs against the labels.
func evaluate(recs []genRecord, pairs []Pair) (p, r float64, tp, truth int) {
	person := make(map[string]int, len(recs))
	count := map[int]int{}
	for _, x := range recs {
		person[x.ID] = x.person
		count[x.person]++
	}
	for _, c := range count {
		truth += c * (c - 1) / 2
	}
	for _, pr := range pairs {
		if person[pr.A.ID] == person[pr.B.ID] {
			tp++
		}
	}
	return float64(tp) / float64(max(len(pairs), 1)), float64(tp) / float64(max(truth, 1)), tp, truth
}

// TestPairs_PrecisionRecall runs detection over the labelled set of
// 100,000 contacts and holds it to the targets of issue 24: precision ≥
// 0.98 and recall ≥ 0.95 at DefaultThreshold.
func TestPairs_PrecisionRecall(t *testing.T) {
	n := 100_000
	if testing.Short() {
		n = 20_000
	}
	recs := generate(1, n)
	ix := buildIndex(recs)
	start := time.Now()
	pairs := ix.Pairs(0)
	took := time.Since(start)
	p, r, tp, truth := evaluate(recs, pairs)
	t.Logf("%d contacts: %d pairs proposed, %d of %d true pairs; precision %.4f recall %.4f; all pairs in %v", n, len(pairs), tp, truth, p, r, took)
	if p < 0.98 || r < 0.95 {
		t.Errorf("precision %.4f (want ≥ 0.98), recall %.4f (want ≥ 0.95)", p, r)
	}
	if os.Getenv("DEDUPE_DEBUG") != "" {
		debugMisses(t, recs, ix, pairs)
	}
}

func debugMisses(t *testing.T, recs []genRecord, ix *Index, pairs []Pair) {
	person := map[string]int{}
	byPerson := map[int][]*Record{}
	for i := range recs {
		person[recs[i].ID] = recs[i].person
		byPerson[recs[i].person] = append(byPerson[recs[i].person], &recs[i].Record)
	}
	found := map[string]bool{}
	shown := 0
	for _, pr := range pairs {
		found[pr.A.ID+"|"+pr.B.ID], found[pr.B.ID+"|"+pr.A.ID] = true, true
		if person[pr.A.ID] != person[pr.B.ID] && shown < 30 {
			shown++
			t.Logf("FP %.3f %+v\n   %+v\n   %v", pr.Score, *pr.A, *pr.B, pr.Evidence)
		}
	}
	var ids []int
	for id := range byPerson {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	shown = 0
	for _, id := range ids {
		rs := byPerson[id]
		for i := range rs {
			for j := i + 1; j < len(rs); j++ {
				if !found[rs[i].ID+"|"+rs[j].ID] && shown < 40 {
					shown++
					m := Compare(rs[i], rs[j], Options{})
					t.Logf("FN %.3f veto=%v %s\n   %s | %s | %s | %s %s\n   %s | %s | %s | %s %s", m.Score, m.Veto, fmt.Sprint(m.Evidence),
						rs[i].Name, rs[i].Email, rs[i].Phone, rs[i].CompanyName, rs[i].CompanyDomain,
						rs[j].Name, rs[j].Email, rs[j].Phone, rs[j].CompanyName, rs[j].CompanyDomain)
				}
			}
		}
	}
}

// BenchmarkPairs_100k is all pairs over 100,000 contacts (the index built
// once, outside the timing).
func BenchmarkPairs_100k(b *testing.B) {
	recs := generate(1, 100_000)
	ix := buildIndex(recs)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		_ = ix.Pairs(0)
	}
	b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "cpu-s/op")
}

// BenchmarkIndexAndPairs_100k is building the index and all pairs, as
// `caseyos duplicates` does from a store.
func BenchmarkIndexAndPairs_100k(b *testing.B) {
	recs := generate(1, 100_000)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		_ = buildIndex(recs).Pairs(0)
	}
	b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "cpu-s/op")
}

// BenchmarkIndexMemory_100k reports the heap an index of 100,000 contacts
// keeps (the App keeps one for the checks after each sync).
func BenchmarkIndexMemory_100k(b *testing.B) {
	recs := generate(1, 100_000)
	var kept float64
	for i := 0; i < b.N; i++ {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		ix := buildIndex(recs)
		runtime.GC()
		runtime.ReadMemStats(&after)
		kept = float64(int64(after.HeapInuse)-int64(before.HeapInuse)) / (1 << 20)
		runtime.KeepAlive(ix)
	}
	b.ReportMetric(kept, "MB-kept")
}
