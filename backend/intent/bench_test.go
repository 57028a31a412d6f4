package intent_test

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/caseyos/caseyos/backend/intent"
)

// BenchmarkClassify classifies 10,000 emails per op: the held-out and
// training corpora, cycled (docs/benchmarks.md, "Reply intent"; target:
// under 1 s). It reports wall time per email and the process's CPU time
// per email (GC included), which load from other processes does not
// inflate.
func BenchmarkClassify(b *testing.B) {
	var emails []intent.Email
	for _, path := range []string{"testdata/heldout.jsonl", "testdata/train.jsonl"} {
		for _, x := range loadCorpus(b, path) {
			emails = append(emails, x.email())
		}
	}
	const n = 10000
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		for i := range n {
			intent.Classify(emails[i%len(emails)])
		}
	}
	cpu = cpuTime() - cpu
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/email")
	if cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N)/n, "cpu-ns/email")
	}
}

// BenchmarkClassify_LongThreads is BenchmarkClassify with each body made
// the way real replies come: a signature and a 3 KB quoted thread below
// it (Split and StripSignature take them off before the rules run).
func BenchmarkClassify_LongThreads(b *testing.B) {
	var emails []intent.Email
	quoted := "\n\nOn Mon, Dec 7, 2026 at 9:14 AM Casey <casey@pebblecache.io> wrote:\n" +
		strings.Repeat("> Thanks for your time on Thursday. Would a call next week help? We can share pricing and our SOC 2 report.\n", 30)
	for _, path := range []string{"testdata/heldout.jsonl", "testdata/train.jsonl"} {
		for _, x := range loadCorpus(b, path) {
			e := x.email()
			e.Body += "\n\nBest regards,\nDana Whitfield\nVP Engineering | Northwind\n+1 415 555 0100\nnorthwind.io" + quoted
			emails = append(emails, e)
		}
	}
	const n = 10000
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		for i := range n {
			intent.Classify(emails[i%len(emails)])
		}
	}
	cpu = cpuTime() - cpu
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/email")
	if cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N)/n, "cpu-ns/email")
	}
}

// TestImports keeps the package on the standard library, like backend.
func TestImports(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if first, _, _ := strings.Cut(p, "/"); strings.Contains(first, ".") {
				t.Errorf("%s imports %s: backend/intent imports the standard library only", f, p)
			}
		}
	}
}
