package sphinx_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/caseyos/caseyos/connectors/sphinx"
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
	got, err := sphinx.FindDecoys(strings.NewReader(dict), common)
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

// TestMisspokenDecoys: a decoy one phone short of the command, or one
// vowel off, is how the command sounds said reduced or with an accent;
// other near misses are words of their own.
func TestMisspokenDecoys(t *testing.T) {
	dict := strings.Join([]string{
		"approve AH P R UW V",
		"prove P R UW V", // the unstressed first vowel left out
		"approval AH P R UW V AH L",
		"cancel K AE N S AH L",
		"council K AW N S AH L", // a vowel for another
		"candle K AE N D AH L",  // a consonant for another: a word of its own
		"castle K AE S AH L",    // a consonant left out
		"read R IY D",
		"read(2) R EH D",
		"it IH T",
		"reading R IY D IH NG",
		"credit K R EH D IH T",
		"rate R EY T", // read it's second pronunciation less two phones
		"next N EH K S T",
		"next(2) N EH K S",
		"neck N EH K", // next(2) without its s
		"nexus N EH K S AH S",
	}, "\n")
	decoys := map[string][]string{
		"approve": {"approval", "prove"},
		"cancel":  {"candle", "castle", "council"},
		"read it": {"credit", "rate", "reading"},
		"next":    {"neck", "nexus"},
		"skip":    {"skipping"}, // not in the dictionary: nothing to compare
	}
	got := sphinx.MisspokenDecoys(decoys, dict)
	want := map[string]map[string]bool{
		"approve": {"prove": true},
		"cancel":  {"castle": true, "council": true},
		"next":    {"neck": true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("MisspokenDecoys = %v, want %v", got, want)
	}
}

func TestDecoyGrammar(t *testing.T) {
	g := sphinx.DecoyGrammar("skip", []string{"skipping", "skid"}, 0.5)
	if want := "public <heard> = /1/ skip | /0.5/ skipping | /0.5/ skid;"; !strings.Contains(g, want) {
		t.Errorf("DecoyGrammar = %q, want it to contain %q", g, want)
	}
}

func TestDecoyWords(t *testing.T) {
	words := sphinx.DecoyWords()
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(sphinx.DecoyList()), "\n") {
		_, ws, _ := strings.Cut(line, ":")
		n += len(strings.Fields(ws))
	}
	if len(words) != n || !slices.Contains(words, "skipping") || !slices.Contains(words, "previously") {
		t.Errorf("DecoyWords() = %d words %v, want decoys.txt's %d, skipping and previously among them", len(words), words, n)
	}
}
