package sphinx_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/caseyos/caseyos/connectors/sphinx"
)

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
