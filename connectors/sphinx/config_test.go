package sphinx_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/sphinx"
)

func backendCode(err error) string {
	var e *backend.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func TestGrammar(t *testing.T) {
	g := sphinx.Grammar(nil, 0)
	if !strings.HasPrefix(g, "#JSGF V1.0;") || !strings.Contains(g, "public <command> = approve | execute") || !strings.Contains(g, "stop listening") {
		t.Errorf("Grammar() = %q", g)
	}
	if f := sphinx.Grammar([]string{"the", "of"}, 0.5); !strings.Contains(f, "/0.5/ <filler>") || !strings.Contains(f, "<w> = the | of;") {
		t.Errorf("Grammar(filler) = %q", f)
	}
}

func TestFiller_ExcludesCommands(t *testing.T) {
	words := map[string]bool{}
	for _, w := range sphinx.Words() {
		words[w] = true
	}
	f := sphinx.Filler(1000)
	if len(f) != 400 {
		t.Errorf("len(Filler) = %d, want 400", len(f))
	}
	for _, w := range f {
		if words[w] {
			t.Errorf("filler holds the command word %q", w)
		}
	}
}

func TestPhoneDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{{"S K IH P", "S K IH P", 0}, {"S K IH P", "S K IH", 1}, {"N EH K S T", "T EH K S", 2}, {"", "AH", 1}} {
		if got := sphinx.PhoneDistance(strings.Fields(tt.a), strings.Fields(tt.b)); got != tt.want {
			t.Errorf("phoneDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestFindModel(t *testing.T) {
	t.Run("ErrMissing", func(t *testing.T) {
		_, err := sphinx.FindModel(t.TempDir())
		if code := backendCode(err); code != backend.EUNAVAILABLE {
			t.Errorf("FindModel(empty) code = %q, want %q", code, backend.EUNAVAILABLE)
		}
	})
	t.Run("OK", func(t *testing.T) {
		dir := t.TempDir()
		ac := filepath.Join(dir, "en-us")
		os.MkdirAll(ac, 0o755)
		os.WriteFile(filepath.Join(ac, "mdef"), []byte("x"), 0o644)
		os.WriteFile(filepath.Join(dir, "cmudict-en-us.dict"), []byte("x"), 0o644)
		for _, d := range []string{dir, ac} {
			m, err := sphinx.FindModel(d)
			if err != nil || m.Acoustic != ac || m.Dict != filepath.Join(dir, "cmudict-en-us.dict") || m.PhoneLM != "" {
				t.Errorf("FindModel(%s) = %+v, %v", d, m, err)
			}
		}
	})
}

func TestExtractDict(t *testing.T) {
	p := filepath.Join(t.TempDir(), "d.dict")
	os.WriteFile(p, []byte("a AH\nnext N EH K S T\nnext(2) N EH K S\nnexus N EH K S AH S\n"), 0o644)
	got, err := sphinx.ExtractDict(p, []string{"next"})
	if err != nil || got != "next N EH K S T\nnext(2) N EH K S\n" {
		t.Errorf("ExtractDict = %q, %v", got, err)
	}
	if _, err := sphinx.ExtractDict(p, []string{"skip"}); err == nil {
		t.Error("ExtractDict(missing word) = nil error")
	}
}

func TestOverridden(t *testing.T) {
	got := sphinx.Overridden([]string{"-hmm", "m", "-remove_noise", "no", "-samprate", "16000"}, []string{"-remove_noise", "yes"})
	if want := []string{"-hmm", "m", "-samprate", "16000"}; !slices.Equal(got, want) {
		t.Errorf("Overridden = %v, want %v", got, want)
	}
}
