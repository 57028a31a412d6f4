package sphinx

import (
	"bufio"
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/caseyos/caseyos/backend"
)

// Phrases are the commands the grammar accepts, as spoken. The backend's
// intent parser maps each to an intent (backend.ParseIntent).
var Phrases = []string{
	"approve", "execute", "skip", "next", "previous", "undo", "read it",
	"snooze", "confirm", "cancel", "stop listening", "hey casey",
}

// ModelDirs are where Debian and Ubuntu (pocketsphinx-en-us), Homebrew and
// a source install put the US English model, in the order they are tried.
var ModelDirs = []string{
	"/usr/share/pocketsphinx/model/en-us",
	"/usr/local/share/pocketsphinx/model/en-us",
	"/opt/homebrew/share/pocketsphinx/model/en-us",
}

// Model is the set of files the recognizer loads.
type Model struct {
	Acoustic string // the acoustic model directory (holds mdef, means …)
	Dict     string // the pronunciation dictionary to take the command words from
	PhoneLM  string // the phonetic language model of the rejection pass; "" means a flat phone loop
}

// FindLanguageModel returns the first of ModelDirs that holds the word
// language model en-us.lm.bin (the recognizer does not load it; the
// decoys and the keyword classifier's training set are drawn from it).
func FindLanguageModel() (string, error) {
	for _, d := range ModelDirs {
		if isFile(filepath.Join(d, "en-us.lm.bin")) {
			return d, nil
		}
	}
	return "", backend.Errorf(backend.ENOTFOUND, "no en-us.lm.bin in %s: apt-get install pocketsphinx-en-us", strings.Join(ModelDirs, ", "))
}

// FindModel locates the model: under dir when it is set (the directory
// holding en-us/, cmudict-en-us.dict and en-us-phone.lm.bin, or the acoustic
// directory itself), else in ModelDirs. A missing model is an unavailable
// error whose message says what to install.
func FindModel(dir string) (Model, error) {
	dirs := ModelDirs
	if dir != "" {
		dirs = []string{dir}
	}
	for _, d := range dirs {
		m := Model{Acoustic: filepath.Join(d, "en-us"), Dict: filepath.Join(d, "cmudict-en-us.dict"), PhoneLM: filepath.Join(d, "en-us-phone.lm.bin")}
		if isFile(filepath.Join(d, "mdef")) { // dir is the acoustic model itself
			m.Acoustic = d
			parent := filepath.Dir(d)
			m.Dict, m.PhoneLM = filepath.Join(parent, "cmudict-en-us.dict"), filepath.Join(parent, "en-us-phone.lm.bin")
		}
		if !isFile(filepath.Join(m.Acoustic, "mdef")) {
			continue
		}
		if !isFile(m.Dict) {
			m.Dict = "" // the embedded command dictionary serves
		}
		if !isFile(m.PhoneLM) {
			m.PhoneLM = ""
		}
		return m, nil
	}
	where := strings.Join(dirs, ", ")
	return Model{}, &backend.Error{Code: backend.EUNAVAILABLE, Op: "sphinx.FindModel",
		Message: fmt.Sprintf("the speech model is not installed (looked in %s): install pocketsphinx-en-us, or set the voice model directory in Settings", where)}
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// fillerList is the 400 most frequent words of the pocketsphinx-en-us
// language model (en-us.lm.bin's unigrams, best first) that are not a
// command word and not within one phone of one: the garbage the grammar
// offers besides the commands. It is derived from the model, never from
// the test corpus (docs/benchmarks.md says how).
//
//go:embed filler.txt
var fillerList string

// Filler returns the first n filler words.
func Filler(n int) []string {
	w := strings.Fields(fillerList)
	return w[:min(n, len(w))]
}

// Grammar returns the JSGF grammar: exactly one command phrase per
// utterance — so "skip skip" or a sentence cannot be stitched together from
// command words — or, when filler is given, any sequence of filler words
// weighted by fillerWeight against the commands' 1. Speech that is not a
// command then has somewhere better to go than the nearest command.
func Grammar(filler []string, fillerWeight float64) string {
	var b strings.Builder
	b.WriteString("#JSGF V1.0;\ngrammar casey;\n")
	if len(filler) > 0 {
		// A bounded run of filler words: pocketsphinx compiles a rule-level
		// "+" into a loop that lets filler run on into a command.
		fmt.Fprintf(&b, "public <utterance> = /1/ <command> | /%g/ <filler>;\n<filler> = <w> [<w> [<w> [<w> [<w>]]]];\n<w> = %s;\n", fillerWeight, strings.Join(filler, " | "))
	} else {
		b.WriteString("public ")
	}
	b.WriteString("<command> = ")
	for i, p := range Phrases {
		if i > 0 {
			b.WriteString(" | ")
		}
		b.WriteString(p)
	}
	b.WriteString(";\n")
	return b.String()
}

// Words returns the distinct words of the phrases, sorted.
func Words() []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range Phrases {
		for _, w := range strings.Fields(p) {
			if !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	sort.Strings(out)
	return out
}

// commandDict is the command words' entries of cmudict-en-us.dict (the
// pocketsphinx-en-us package), used when the model ships no dictionary.
// TestCommandDict_MatchesCmudict keeps it in step with the real file.
const commandDict = `approve AH P R UW V
cancel K AE N S AH L
casey K EY S IY
confirm K AH N F ER M
execute EH K S AH K Y UW T
hey HH EY
it IH T
listening L IH S AH N IH NG
listening(2) L IH S N IH NG
next N EH K S T
next(2) N EH K S
previous P R IY V IY AH S
read R EH D
read(2) R IY D
skip S K IH P
snooze S N UW Z
stop S T AA P
undo AH N D UW
`

// ExtractDict returns the entries of a cmudict-format file for words,
// alternate pronunciations included, in the file's order. Reading the
// 134,000-word file once and loading only these keeps start-up near 150 ms
// and the decoder near 60 MB instead of loading the whole dictionary.
func ExtractDict(path string, words []string) (string, error) {
	dict, found, err := extractDict(path, words)
	if err != nil {
		return "", err
	}
	if err := requireAll(path, words, found); err != nil {
		return "", err
	}
	return dict, nil
}

// requireAll says which of words the dictionary at path lacks.
func requireAll(path string, words []string, found map[string]bool) error {
	for _, w := range words {
		if !found[w] {
			return fmt.Errorf("%s has no pronunciation for %q", path, w)
		}
	}
	return nil
}

// extractDict is ExtractDict without the demand that every word be found.
func extractDict(path string, words []string) (string, map[string]bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", nil, err
	}
	defer f.Close()
	want := map[string]bool{}
	for _, w := range words {
		want[w] = true
	}
	var b strings.Builder
	found := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		word, _, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		base := word
		if i := strings.IndexByte(word, '('); i > 0 {
			base = word[:i]
		}
		if want[base] {
			found[base] = true
			b.WriteString(strings.TrimSpace(line))
			b.WriteByte('\n')
		}
	}
	if err := sc.Err(); err != nil {
		return "", nil, err
	}
	return b.String(), found, nil
}

// pronunciations parses a dictionary into word → its phone sequences.
func pronunciations(dict string) map[string][][]string {
	out := map[string][][]string{}
	for _, line := range strings.Split(dict, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		w := f[0]
		if i := strings.IndexByte(w, '('); i > 0 {
			w = w[:i]
		}
		out[w] = append(out[w], f[1:])
	}
	return out
}

// CommandPronunciations returns every phone sequence the command grammar's
// dictionary allows for phrase (one of Phrases), as the recognizer hears it.
func CommandPronunciations(phrase string) [][]string {
	return phraseProns(phrase, pronunciations(commandDict))
}

// phraseProns expands a phrase into every phone sequence its words allow.
func phraseProns(phrase string, prons map[string][][]string) [][]string {
	seqs := [][]string{nil}
	for _, w := range strings.Fields(phrase) {
		var next [][]string
		for _, s := range seqs {
			for _, p := range prons[w] {
				next = append(next, append(append([]string{}, s...), p...))
			}
		}
		seqs = next
	}
	return seqs
}

// PhoneDistance is the edit distance between two phone strings.
func PhoneDistance(a, b []string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			c = min(c, prev[j]+1, cur[j-1]+1)
			cur[j] = c
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// overridden drops the flags (with their values) of args that extra sets
// again: pocketsphinx refuses a flag given twice.
func overridden(args, extra []string) []string {
	set := map[string]bool{}
	for i := 0; i < len(extra); i += 2 {
		set[extra[i]] = true
	}
	var out []string
	for i := 0; i+1 < len(args); i += 2 {
		if !set[args[i]] {
			out = append(out, args[i], args[i+1])
		}
	}
	return out
}
