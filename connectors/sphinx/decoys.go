package sphinx

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
)

// Decoys: a one-command grammar maps every word that sounds almost like a
// command to that command — "skipping" to "skip", "previously" to
// "previous", "reading" to "read it", "nexus" to "next" — and the phone
// loop cannot tell them apart either, since they share most of their
// phones (docs/voice-lab.md). So when the grammar hears a
// command, the recognizer decodes the utterance a second time against that
// command and its decoys in one search; when a decoy wins, it was not the
// command.
//
// The decoys are derived from the model, never from the test corpus: the
// developer command connectors/voice/cmd/voicelab (voicelab decoys) takes
// the pronunciation dictionary's common words (in the model's language
// model) near a command's pronunciation. decoys.txt is its output for
// pocketsphinx-en-us, one phrase per line; voicelab's TestDecoys_UpToDate
// (make test-voice) checks it is current.
//
//go:embed decoys.txt
var decoyList string

// DecoyWords returns the words of decoys.txt, in the order of Phrases.
func DecoyWords() []string {
	d := parseDecoys(decoyList)
	var out []string
	for _, p := range Phrases {
		out = append(out, d[p]...)
	}
	return out
}

// parseDecoys reads decoys.txt.
func parseDecoys(s string) map[string][]string {
	out := map[string][]string{}
	for _, line := range strings.Split(s, "\n") {
		phrase, words, ok := strings.Cut(line, ":")
		if ok {
			out[strings.TrimSpace(phrase)] = strings.Fields(words)
		}
	}
	return out
}

// decoysFound keeps the decoys that the dictionary can pronounce: another
// model's dictionary may lack some.
func decoysFound(decoys map[string][]string, found map[string]bool) map[string][]string {
	out := map[string][]string{}
	for p, words := range decoys {
		for _, w := range words {
			if found[w] {
				out[p] = append(out[p], w)
			}
		}
	}
	return out
}

// DecoyGrammar is the JSGF grammar of the second pass: the phrase itself
// against its decoys, each weighted decoyWeight to the phrase's 1. One
// search must compare them: scores of separate searches are normalized
// differently and do not compare.
func DecoyGrammar(phrase string, decoys []string, decoyWeight float64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "#JSGF V1.0;\ngrammar decoys;\npublic <heard> = /1/ %s", phrase)
	for _, d := range decoys {
		fmt.Fprintf(&b, " | /%g/ %s", decoyWeight, d)
	}
	b.WriteString(";\n")
	return b.String()
}

// misspoken reports whether a decoy sounds like the phrase said reduced or
// with an accent: one of its pronunciations is one of the phrase's with a
// phone left out ("prove" for approve without its unstressed first vowel,
// "neck" for next) or with one vowel for another ("council" for cancel with
// a British a). When such a decoy wins, pocketsphinx heard a way of saying
// the command as much as another word, so it is not held against a command
// the classifier heard (Veto, Confirm). On the corpus such decoys vetoed
// 64 of the classifier's right commands in four runs and not one false
// accept (docs/voice-lab.md).
func misspoken(phrase, decoy [][]string) bool {
	for _, p := range phrase {
		for _, d := range decoy {
			switch {
			case len(d) == len(p)-1:
				for i := range p {
					if slices.Equal(d, slices.Delete(slices.Clone(p), i, i+1)) {
						return true
					}
				}
			case len(d) == len(p):
				diff := -1
				for i := range p {
					if p[i] != d[i] {
						if diff >= 0 {
							diff = -2
							break
						}
						diff = i
					}
				}
				if diff >= 0 && vowels[p[diff]] && vowels[d[diff]] {
					return true
				}
			}
		}
	}
	return false
}

// misspokenDecoys is, per phrase, its decoys that are misspoken.
func misspokenDecoys(decoys map[string][]string, prons map[string][][]string) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for phrase, words := range decoys {
		for _, w := range words {
			if misspoken(phraseProns(phrase, prons), prons[w]) {
				if out[phrase] == nil {
					out[phrase] = map[string]bool{}
				}
				out[phrase][w] = true
			}
		}
	}
	return out
}

// vowels are the model's vowel phones (ARPAbet).
var vowels = map[string]bool{"AA": true, "AE": true, "AH": true, "AO": true, "AW": true, "AY": true, "EH": true, "ER": true,
	"EY": true, "IH": true, "IY": true, "OW": true, "OY": true, "UH": true, "UW": true}

// decoySearch names the search of a phrase's decoys.
func decoySearch(phrase string) string { return "decoys:" + phrase }

// allDecoys is every phrase's decoys, once each.
func allDecoys(decoys map[string][]string) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range Phrases {
		for _, w := range decoys[p] {
			if !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	return out
}
