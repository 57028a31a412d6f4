//go:build sphinx

package sphinx_test

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/caseyos/caseyos/connectors/sphinx"
)

// TestDecoys_UpToDate derives the decoys from pocketsphinx-en-us's
// dictionary and language model and compares them with the embedded
// decoys.txt; CASEYOS_UPDATE_DECOYS=1 rewrites the file instead.
func TestDecoys_UpToDate(t *testing.T) {
	m, err := sphinx.FindModel("")
	if err != nil {
		t.Fatal(err)
	}
	if m.Dict == "" {
		t.Fatal("the model has no dictionary")
	}
	if _, err := exec.LookPath("sphinx_lm_convert"); err != nil {
		t.Fatal("sphinx_lm_convert is not installed (make voice-test-deps)")
	}
	lm := filepath.Join(filepath.Dir(m.Dict), "en-us.lm.bin")
	arpa := filepath.Join(t.TempDir(), "en-us.arpa")
	// Debian's sphinx_lm_convert writes the unigrams, then fails an
	// assertion in the bigrams and loses its last buffer (words after
	// "zi…", none near a command); the unigrams read are enough.
	_ = exec.Command("sphinx_lm_convert", "-i", lm, "-o", arpa, "-ofmt", "arpa").Run()
	logProb := readUnigrams(t, arpa)
	if len(logProb) < 70000 {
		t.Fatalf("read %d unigrams from %s, want the model's ~72,500", len(logProb), lm)
	}
	f, err := os.Open(m.Dict)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := sphinx.FindDecoys(f, logProb)
	if err != nil {
		t.Fatal(err)
	}
	got := sphinx.FormatDecoys(d)
	if os.Getenv("CASEYOS_UPDATE_DECOYS") != "" {
		if err := os.WriteFile("decoys.txt", []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if got != sphinx.DecoyList() {
		t.Errorf("decoys.txt is out of date with %s and %s: run CASEYOS_UPDATE_DECOYS=1 go test -tags sphinx -run TestDecoys_UpToDate ./connectors/sphinx/\n got %q\nwant %q", m.Dict, lm, got, sphinx.DecoyList())
	}
}

func readUnigrams(t *testing.T, path string) map[string]float64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
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
	return out
}
