package main

import (
	"slices"
	"strings"
	"testing"
)

func TestFindDecoys(t *testing.T) {
	dict := strings.Join([]string{
		"skipping S K IH P IH NG", // command + two phones
		"skippa S K IH P AH",      // command + one phone: a released p
		"skid S K IH D",           // one phone substituted
		"kipp K IH P",             // one phone deleted, but rare
		"nex N EH K S",            // a homophone of next(2)
		"nexus N EH K S AH S",     // begins one phone from "next", then one more
		"reading R IY D IH NG",    // one phone from read(2) it
		"previously P R IY V IY AH S L IY",
		"council K AW N S AH L",
		"hello HH AH L OW", // nowhere near
		"skip S K IH P",    // a command word itself
		"o'neil OW N IY L", // not near; apostrophes are fine
		"x-ray EH K S R EY",
	}, "\n")
	common := map[string]float64{"skipping": -5.4, "skippa": -5, "skid": -5.9, "kipp": -6.8, "nex": -5, "nexus": -5.1,
		"reading": -3.9, "previously": -4.6, "council": -4.4, "hello": -3, "skip": -4, "x-ray": -5}
	got, err := FindDecoys(strings.NewReader(dict), common)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"skip":     {"skipping"},
		"next":     {"nexus"},
		"read it":  {"reading"},
		"previous": {"previously"},
		"cancel":   {"council"},
	}
	for p, w := range want {
		if !slices.Equal(got[p], w) {
			t.Errorf("decoys of %q = %v, want %v", p, got[p], w)
		}
	}
	for p, w := range got {
		if _, ok := want[p]; !ok {
			t.Errorf("unexpected decoys of %q: %v", p, w)
		}
	}
}
