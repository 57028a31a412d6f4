package sphinxtest_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/caseyos/caseyos/connectors/sphinx/sphinxtest"
)

func TestTrainingVoices(t *testing.T) {
	test := map[string]bool{}
	for _, v := range append(append([]string{}, sphinxtest.Voices...), sphinxtest.FliteVoices...) {
		test[v] = true
	}
	t.Run("OK", func(t *testing.T) {
		vs := sphinxtest.TrainingVoices(70, 7)
		if len(vs) != 70 {
			t.Fatalf("TrainingVoices(70, 7) gave %d voices, want 70", len(vs))
		}
		if !slices.IsSorted(vs) {
			t.Errorf("TrainingVoices(70, 7) = %v, want sorted", vs)
		}
		seen := map[string]bool{}
		for _, v := range vs {
			accent, variant, _ := strings.Cut(v, "+")
			switch {
			case test[v]:
				t.Errorf("TrainingVoices(70, 7) holds test voice %q", v)
			case seen[v]:
				t.Errorf("TrainingVoices(70, 7) holds %q twice", v)
			case !slices.Contains(sphinxtest.TrainingAccents, accent) || !slices.Contains(sphinxtest.TrainingVariants, variant):
				t.Errorf("TrainingVoices(70, 7) holds %q, not an accent+variant", v)
			}
			seen[v] = true
		}
	})
	t.Run("Deterministic", func(t *testing.T) {
		if a, b := sphinxtest.TrainingVoices(70, 7), sphinxtest.TrainingVoices(70, 7); !slices.Equal(a, b) {
			t.Errorf("TrainingVoices(70, 7) = %v, then %v", a, b)
		}
		if a, b := sphinxtest.TrainingVoices(70, 7), sphinxtest.TrainingVoices(70, 8); slices.Equal(a, b) {
			t.Errorf("TrainingVoices(70, 7) = sphinxtest.TrainingVoices(70, 8) = %v, want the seed to matter", a)
		}
	})
	t.Run("Capped", func(t *testing.T) {
		all := sphinxtest.TrainingVoices(1e6, 1)
		if want := len(sphinxtest.TrainingAccents)*len(sphinxtest.TrainingVariants) - len(sphinxtest.Voices); len(all) != want {
			t.Errorf("TrainingVoices(1e6, 1) gave %d voices, want every one of the %d", len(all), want)
		}
		for _, v := range all {
			if test[v] {
				t.Errorf("TrainingVoices(1e6, 1) holds test voice %q", v)
			}
		}
	})
}
