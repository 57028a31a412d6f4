package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/caseyos/caseyos/connectors/sphinx"
)

// The decoy search: which words of the model's dictionary sound almost
// like a command (connectors/sphinx/decoys.go says what the recognizer
// does with them). Its output, for pocketsphinx-en-us, is
// connectors/sphinx/decoys.txt, embedded in the app.

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
// "skippa") is what a released final consonant sounds like. sphinx.Phrases under
// three phones get none: too many words are one phone away.
func FindDecoys(dict io.Reader, logProb map[string]float64) (map[string][]string, error) {
	type target struct {
		phrase string
		phones []string
	}
	var targets []target
	for _, p := range sphinx.Phrases {
		for _, seq := range sphinx.CommandPronunciations(p) {
			if len(seq) >= 3 {
				targets = append(targets, target{p, seq})
			}
		}
	}
	command := map[string]bool{}
	for _, w := range sphinx.Words() {
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
			if sphinx.PhoneDistance(t.phones, fields[1:]) == 0 {
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
	if d := sphinx.PhoneDistance(cmd, word); d <= 1 {
		if d == 0 || (len(word) == len(cmd)+1 && sphinx.PhoneDistance(cmd, word[:len(cmd)]) == 0) {
			return false // a homophone, or the command and a released final consonant
		}
		return true
	}
	tail := len(word) - len(cmd)
	return tail >= 2 && tail <= maxDecoyTail && sphinx.PhoneDistance(cmd, word[:len(cmd)]) <= 1
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
	for _, p := range sphinx.Phrases {
		if len(decoys[p]) > 0 {
			fmt.Fprintf(&b, "%s: %s\n", p, strings.Join(decoys[p], " "))
		}
	}
	return b.String()
}

// decoys derives the decoys from pocketsphinx-en-us's dictionary and
// language model and writes them where the recognizer embeds them.
func decoys(ctx context.Context, args []string, out, log io.Writer) error {
	fs := flag.NewFlagSet("voicelab decoys", flag.ContinueOnError)
	fs.SetOutput(log)
	path := fs.String("out", "connectors/sphinx/decoys.txt", "where to write the decoys")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("decoys takes no arguments, got %q", fs.Args())
	}
	text, err := deriveDecoys(ctx, os.TempDir())
	if err != nil {
		return err
	}
	if err := os.WriteFile(*path, []byte(text), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(out, "wrote %s (%d lines)\n", *path, strings.Count(text, "\n"))
	return nil
}

// deriveDecoys runs the decoy search over the installed model's dictionary
// and the unigrams of its language model (converted to ARPA text with
// sphinx_lm_convert, in tmp), and formats the result as decoys.txt.
func deriveDecoys(ctx context.Context, tmp string) (string, error) {
	m, err := sphinx.FindModel("")
	if err != nil {
		return "", err
	}
	if m.Dict == "" {
		return "", errors.New("the model has no dictionary")
	}
	if _, err := exec.LookPath("sphinx_lm_convert"); err != nil {
		return "", errors.New("sphinx_lm_convert is not installed (make voice-test-deps)")
	}
	lm := filepath.Join(filepath.Dir(m.Dict), "en-us.lm.bin")
	arpa, err := os.CreateTemp(tmp, "en-us-*.arpa")
	if err != nil {
		return "", err
	}
	arpa.Close()
	defer os.Remove(arpa.Name())
	// Debian's sphinx_lm_convert writes the unigrams, then fails an
	// assertion in the bigrams and loses its last buffer (words after
	// "zi…", none near a command); the unigrams read are enough.
	_ = exec.CommandContext(ctx, "sphinx_lm_convert", "-i", lm, "-o", arpa.Name(), "-ofmt", "arpa").Run()
	logProb, err := readUnigrams(arpa.Name())
	if err != nil {
		return "", err
	}
	if len(logProb) < 70000 {
		return "", fmt.Errorf("read %d unigrams from %s, want the model's ~72,500", len(logProb), lm)
	}
	f, err := os.Open(m.Dict)
	if err != nil {
		return "", err
	}
	defer f.Close()
	d, err := FindDecoys(f, logProb)
	if err != nil {
		return "", err
	}
	return FormatDecoys(d), nil
}

// readUnigrams reads the log10 unigram probabilities of an ARPA file.
func readUnigrams(path string) (map[string]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(f)
	in := false
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == `\1-grams:`:
			in = true
		case strings.HasPrefix(line, `\`):
			in = false
		case in:
			fields := strings.Fields(line)
			if len(fields) < 2 {
				continue
			}
			if p, err := strconv.ParseFloat(fields[0], 64); err == nil {
				out[fields[1]] = p
			}
		}
	}
	return out, sc.Err()
}
