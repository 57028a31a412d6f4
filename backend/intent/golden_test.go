package intent_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend/intent"
)

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/golden.jsonl from the current Classify")

// goldenEmails are the emails TestClassify_Golden pins: both corpora as
// written, in a sender's zone, with a signature and a quoted thread below,
// and with no received time (nothing relative resolves).
func goldenEmails(t *testing.T) []intent.Email {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Skip("no zoneinfo:", err)
	}
	quoted := "\n\nOn Mon, Dec 7, 2026 at 9:14 AM Casey <casey@pebblecache.io> wrote:\n" +
		strings.Repeat("> Thanks for your time on Thursday. Would a call next week help? We can share pricing.\n", 5)
	var out []intent.Email
	for _, path := range []string{"testdata/heldout.jsonl", "testdata/train.jsonl"} {
		for _, x := range loadCorpus(t, path) {
			e := x.email()
			out = append(out, e)
			z := e
			z.Zone = la
			out = append(out, z)
			l := e
			l.Body += "\n\nBest regards,\nDana Whitfield\nVP Engineering | Northwind\n+1 415 555 0100" + quoted
			out = append(out, l)
			n := e
			n.Received = time.Time{}
			out = append(out, n)
		}
	}
	return out
}

// TestClassify_Golden pins Classify's whole result (intent, confidence,
// evidence, entities) over the corpora, so that work on its speed cannot
// change what it reads. Regenerate only for a deliberate change in
// behaviour: go test -run TestClassify_Golden ./backend/intent/ -update-golden
func TestClassify_Golden(t *testing.T) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, e := range goldenEmails(t) {
		if err := enc.Encode(intent.Classify(e)); err != nil {
			t.Fatal(err)
		}
	}
	const path = "testdata/golden.jsonl"
	if *updateGolden {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Split(buf.String(), "\n")
	wl := strings.Split(string(want), "\n")
	if len(got) != len(wl) {
		t.Fatalf("%d results, golden has %d", len(got), len(wl))
	}
	bad := 0
	for i := range got {
		if got[i] != wl[i] {
			bad++
			if bad <= 5 {
				t.Errorf("email %d:\n got %s\nwant %s", i, got[i], wl[i])
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d results differ from %s", bad, len(got)-1, path)
	}
}
