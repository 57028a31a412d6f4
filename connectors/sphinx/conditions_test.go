//go:build sphinx

package sphinx

import (
	"context"
	"math/rand"
	"testing"

	"github.com/caseyos/caseyos/connectors/sphinx/sphinxtest"
	"github.com/caseyos/caseyos/connectors/voice/denoise"
)

// conditions is how the measurement tests hear a clip in each of the
// corpus's conditions: with the condition's noise mixed in, then through
// the noise filter, as the shipped recognizer hears it (voice.Cleaned).
type conditions map[sphinxtest.Noise][]int16

// newConditions synthesizes the corpus's noises.
func newConditions(t *testing.T) conditions {
	t.Helper()
	noises := conditions{}
	for _, n := range []sphinxtest.Noise{sphinxtest.White, sphinxtest.Pink} {
		var err error
		if noises[n], err = sphinxtest.SoxNoise(context.Background(), n, 20); err != nil {
			t.Fatal(err)
		}
	}
	return noises
}

// heard is pcm in condition c, cleaned; rng places the noise.
func (n conditions) heard(pcm []int16, c sphinxtest.Condition, rng *rand.Rand) []int16 {
	if c.Noise != sphinxtest.NoNoise {
		pcm = sphinxtest.Mix(pcm, n[c.Noise], c.SNR, rng)
	}
	return denoise.Clean(pcm)
}
