package sphinx

import (
	"slices"
	"sort"
	"strings"
)

// Inflections: a command said with an ending — "cancelled", "confirms" —
// is the command with one more phone at its end. In noise, or in a voice
// that says the ending softly, the grammar and the keyword classifier
// both hear the command. The decoys leave these words out on purpose
// (voicelab's FindDecoys: a command plus one trailing phone is also how a
// released final consonant sounds), so they get a pass of their own: when the
// grammar hears the command, it is decoded again against the command and
// its inflections, each weighted inflectionWeight against the command's 1.
// So an inflection wins only where the audio holds it clearly, and then the
// utterance is not the command: pocketsphinx does not accept it, vetoes
// the classifier's command, and confirms nothing.

// inflectionEndings are the phones an English inflection adds to a word
// ending in a voiced or voiceless sound: -ed as /d/ or /t/, -s as /z/ or
// /s/.
var inflectionEndings = []string{"D", "T", "Z", "S"}

// sonorants are the phones with no burst or hiss of their own: the vowels,
// the liquids, the nasals and the glides. Only after one of them is an
// ending's /d/, /t/, /z/ or /s/ something said: after a stop or a
// fricative ("execute", "skip", "approve") the release of the last
// consonant is itself such a burst, and its inflections ("executes",
// "skipped") win on the command said crisply.
var sonorants = map[string]bool{
	"AA": true, "AE": true, "AH": true, "AO": true, "AW": true, "AY": true, "EH": true, "ER": true,
	"EY": true, "IH": true, "IY": true, "OW": true, "OY": true, "UH": true, "UW": true,
	"L": true, "R": true, "M": true, "N": true, "NG": true, "W": true, "Y": true,
}

// inflectionSpellings are the spellings an inflection of each one-word
// phrase may have ("canceled", "cancelled", "cancels", "approved"); New
// looks them up in the dictionary, and Inflections keeps the ones
// pronounced as the phrase plus one of inflectionEndings.
func inflectionSpellings(phrases []string) []string {
	var out []string
	for _, p := range phrases {
		if strings.Contains(p, " ") {
			continue
		}
		last := p[len(p)-1:]
		out = append(out, p+"d", p+"ed", p+last+"ed", p+"s", p+"es")
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// Inflections returns, for each one-word phrase, the words of prons
// (word → pronunciations) spelt as one of its inflections and pronounced
// as it plus one of inflectionEndings after its last phone, a sonorant;
// sorted.
func Inflections(phrases []string, prons map[string][][]string) map[string][]string {
	out := map[string][]string{}
	for _, p := range phrases {
		for _, w := range inflectionSpellings([]string{p}) {
			if inflects(prons[p], prons[w]) {
				out[p] = append(out[p], w)
			}
		}
	}
	return out
}

// inflects reports whether one of word's pronunciations is one of base's
// with an inflection's phone after it.
func inflects(base, word [][]string) bool {
	for _, b := range base {
		for _, w := range word {
			if len(b) > 0 && sonorants[b[len(b)-1]] && len(w) == len(b)+1 && slices.Equal(w[:len(b)], b) && slices.Contains(inflectionEndings, w[len(b)]) {
				return true
			}
		}
	}
	return false
}

// inflectionWeight is each phrase's weight for its inflections against
// its own 1: the largest of the weights tried at which the pass took none
// of the phrase's clips said by the training set's voices for an
// inflection, in every run of TestInflectionWeights (voices, never the
// corpus's, clean and in noise; sox's noise differs between runs). For
// cancel, 10⁻⁵ lost none in one run and 1 of 225 in the next; 10⁻⁶ lost
// none in both. confirm has none: even at 10⁻¹² its pass took 0.9 % of
// confirm's clips, for 6 % of "confirmed" (docs/voice-lab.md). A
// phrase without a weight gets no inflection pass.
var inflectionWeight = map[string]float64{"cancel": 1e-6}

// inflectionSearch names the pass of a phrase against its inflections.
func inflectionSearch(phrase string) string { return "inflections:" + phrase }
