package sphinx

import (
	"bufio"
	_ "embed"
	"fmt"
	"io"
	"slices"
	"sort"
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
// The decoys are derived from the model, never from the test corpus:
// FindDecoys takes the pronunciation dictionary's common words (in the
// model's language model) near a command's pronunciation. decoys.txt is its
// output for pocketsphinx-en-us, one phrase per line; TestDecoys_UpToDate
// regenerates it (CASEYOS_UPDATE_DECOYS=1) and checks it is current.
//
//go:embed decoys.txt
var decoyList string

// MinDecoyLogProb is the language model's log10 unigram probability a word
// needs to be a decoy: about the 10,000 commonest words. Rarer words (names
// such as "knecht" or "kipp") are never said to a laptop by accident, yet
// win the second pass on a badly fitting voice and cost real commands.
const MinDecoyLogProb = -5.5

// maxDecoyTail is how many phones a decoy may run on past a command's
// first phones ("skip" + "ing", "previous" + "ly", "confirm" + "ation" is
// five).
const maxDecoyTail = 5

// FindDecoys returns, for each phrase, the dictionary words near it: not a
// command word, common (unigram log10 probability ≥ MinDecoyLogProb in
// logProb), and either within one phone (substituted, inserted or deleted)
// of the phrase's pronunciation, or beginning within one phone of it and
// going on for two to maxDecoyTail more phones. Two exclusions keep the
// commands hearable: a homophone ("nex" for "next") is the command as far
// as sound goes, and the command plus one trailing phone ("confirmed",
// "skippa") is what a released final consonant sounds like. Phrases under
// three phones get none: too many words are one phone away.
func FindDecoys(dict io.Reader, logProb map[string]float64) (map[string][]string, error) {
	type target struct {
		phrase string
		phones []string
	}
	var targets []target
	for _, p := range Phrases {
		for _, seq := range phraseProns(p, pronunciations(commandDict)) {
			if len(seq) >= 3 {
				targets = append(targets, target{p, seq})
			}
		}
	}
	command := map[string]bool{}
	for _, w := range Words() {
		command[w] = true
	}
	found := map[string]map[string]bool{}
	homophone := map[string]bool{} // of any pronunciation of any phrase
	sc := bufio.NewScanner(dict)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		word := fields[0]
		if i := strings.IndexByte(word, '('); i > 0 {
			word = word[:i]
		}
		if lp, ok := logProb[word]; !ok || lp < MinDecoyLogProb || command[word] || !plainWord(word) {
			continue
		}
		for _, t := range targets {
			if phoneDistance(t.phones, fields[1:]) == 0 {
				homophone[word] = true
			}
			if nearCommand(t.phones, fields[1:]) {
				if found[t.phrase] == nil {
					found[t.phrase] = map[string]bool{}
				}
				found[t.phrase][word] = true
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	// A homophone of any pronunciation stays out, even when it is near
	// another ("nex" is "next" said without its t).
	out := map[string][]string{}
	for p, words := range found {
		for w := range words {
			if !homophone[w] {
				out[p] = append(out[p], w)
			}
		}
		sort.Strings(out[p])
	}
	return out, nil
}

func nearCommand(cmd, word []string) bool {
	if d := phoneDistance(cmd, word); d <= 1 {
		if d == 0 || (len(word) == len(cmd)+1 && phoneDistance(cmd, word[:len(cmd)]) == 0) {
			return false // a homophone, or the command and a released final consonant
		}
		return true
	}
	tail := len(word) - len(cmd)
	return tail >= 2 && tail <= maxDecoyTail && phoneDistance(cmd, word[:len(cmd)]) <= 1
}

// plainWord keeps words the grammar can hold: letters and inner
// apostrophes.
func plainWord(w string) bool {
	if w == "" || w[0] == '\'' {
		return false
	}
	for _, r := range w {
		if (r < 'a' || r > 'z') && r != '\'' {
			return false
		}
	}
	return true
}

// FormatDecoys writes decoys the way decoys.txt holds them.
func FormatDecoys(decoys map[string][]string) string {
	var b strings.Builder
	for _, p := range Phrases {
		if len(decoys[p]) > 0 {
			fmt.Fprintf(&b, "%s: %s\n", p, strings.Join(decoys[p], " "))
		}
	}
	return b.String()
}

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
