//go:build sphinx

package sphinx

import (
	"context"
	"fmt"
	"maps"
	"math/rand"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/caseyos/caseyos/connectors/sphinx/sphinxtest"
)

// inflectionWeightsTried are the weights TestInflectionWeights measures.
var inflectionWeightsTried = []float64{1e-12, 1e-10, 1e-8, 1e-6, 1e-5, 1e-4, 1e-3}

// TestInflectionWeights measures, for each phrase with inflections, at
// each weight, how many clips of the phrase its inflection pass takes for
// an inflection (commands lost) and how many clips of its inflections it
// catches, on 15 training voices (sphinxtest.TrainingVoices: none of them
// a corpus voice), clean and in white and pink noise at 20 and 13 dB, and
// on the corpus's voices for comparison. The pass is run as the
// recognizer runs it, on the audio cleaned, wherever the grammar heard the
// phrase. It prints the largest weight at which the phrase loses none of
// its training clips, which inflectionWeight holds. About eight minutes:
//
//	CASEYOS_VOICE_INFLECTIONS=1 go test -tags sphinx -run TestInflectionWeights -timeout 30m -v ./connectors/sphinx/
func TestInflectionWeights(t *testing.T) {
	if os.Getenv("CASEYOS_VOICE_INFLECTIONS") == "" {
		t.Skip("CASEYOS_VOICE_INFLECTIONS=1 measures the inflection pass's weights")
	}
	if err := sphinxtest.Check(); err != nil {
		t.Fatal(err)
	}
	var recs []*Recognizer
	for _, w := range inflectionWeightsTried {
		r, err := New(Config{InflectionWeight: w})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		recs = append(recs, r)
	}
	ctx := context.Background()
	dir := t.TempDir()
	noises := newConditions(t)
	sets := []struct {
		name   string
		voices []string
	}{
		{"training voices", sphinxtest.TrainingVoices(15, 7)},
		{"corpus: espeak-ng", sphinxtest.Voices},
		{"corpus: flite", sphinxtest.FliteVoices},
	}
	for _, phrase := range slices.Sorted(maps.Keys(recs[0].inflections)) {
		said := append([]string{phrase}, recs[0].inflections[phrase]...)
		for _, set := range sets {
			rng := rand.New(rand.NewSource(3))
			// hits[word][k]: clips of word whose inflection won at weight k
			hits := map[string][]int{}
			n := map[string]int{}
			for _, v := range set.voices {
				for _, speed := range sphinxtest.Speeds {
					for _, word := range said {
						pcm, err := sphinxtest.Speak(ctx, dir, word, v, speed)
						if err != nil {
							t.Fatal(err)
						}
						for _, c := range sphinxtest.Conditions {
							cl := noises.heard(pcm, c, rng)
							n[word]++
							if hits[word] == nil {
								hits[word] = make([]int, len(recs))
							}
							// The grammar is the same at every weight; only the
							// inflection pass is run again.
							res, err := recs[0].Decode(cl)
							if err != nil {
								t.Fatal(err)
							}
							if res.Hypothesis != phrase {
								continue
							}
							for k, r := range recs {
								r.mu.Lock()
								won, err := r.inflection(phrase, cl)
								r.mu.Unlock()
								if err != nil {
									t.Fatal(err)
								}
								if won != "" {
									hits[word][k]++
								}
							}
						}
					}
				}
			}
			var b strings.Builder
			fmt.Fprintf(&b, "%s, %s (clean and noisy clips together):\n", phrase, set.name)
			for _, w := range inflectionWeightsTried {
				fmt.Fprintf(&b, "%9.0e", w)
			}
			b.WriteString("  weight\n")
			for _, word := range said {
				for k := range recs {
					fmt.Fprintf(&b, "%8.1f%%", 100*float64(hits[word][k])/float64(n[word]))
				}
				what := "caught"
				if word == phrase {
					what = "lost"
				}
				fmt.Fprintf(&b, "  %q %s, of %d\n", word, what, n[word])
			}
			if set.name == sets[0].name {
				best := "none"
				for k, w := range inflectionWeightsTried {
					if hits[phrase][k] == 0 {
						best = fmt.Sprint(w)
					}
				}
				fmt.Fprintf(&b, "largest weight losing none of %q: %s (inflectionWeight: %g)\n", phrase, best, inflectionWeight[phrase])
			}
			t.Log("\n" + b.String())
		}
	}
}
