package sphinxtest

import (
	"math/rand"
	"sort"
	"strings"
)

// The espeak-ng voices outside the corpus: the keyword classifier's
// training set is spoken in them (connectors/voice/cmd/voicelab), and the
// measurements of how the recognizer does on voices it was not tuned on
// draw from them.

// TrainingAccents are the espeak-ng English accents training voices are
// drawn from.
var TrainingAccents = []string{
	"en", "en-us", "en-gb", "en-gb-scotland", "en-gb-x-gbclan", "en-gb-x-rp",
	"en-gb-x-gbcwmd", "en-029", "en-us-nyc",
}

// TrainingVariants are the espeak-ng voice variants ("" is an accent's own
// voice) combined with an accent as "accent+variant".
var TrainingVariants = append([]string{""}, strings.Fields(`Alex Alicia Andrea Andy Annie Denis Diogo Gene Gene2
	Henrique Hugo Jacky Lee Marco Mario Michael Mike Nguyen Storm adam anika announcer antonio
	aunty belinda benjamin boris caleb david ed edward edward2 f1 f2 f3 f4 f5 grandma grandpa
	gustave iven iven2 iven3 iven4 john klatt klatt2 klatt3 klatt4 linda m1 m2 m3 m4 m5 m6 m7 m8
	marcelo max michel miguel norbert pablo paul pedro quincy rob robert sandro shelby steph
	steph2 steph3 travis victor zac whisperf`)...)

// TrainingVoices draws n espeak-ng voices, accent with a variant nine times
// in ten, none of them a test corpus voice (Voices), sorted. n is capped at
// the number of such voices.
func TrainingVoices(n int, seed int64) []string {
	test := map[string]bool{}
	for _, v := range Voices {
		test[v] = true
	}
	n = min(n, len(TrainingAccents)*len(TrainingVariants)-len(test))
	rng := rand.New(rand.NewSource(voiceSeed(seed)))
	seen := map[string]bool{}
	var out []string
	for len(out) < n {
		v := TrainingAccents[rng.Intn(len(TrainingAccents))]
		if rng.Float64() < 0.9 {
			if variant := TrainingVariants[rng.Intn(len(TrainingVariants))]; variant != "" {
				v += "+" + variant
			}
		}
		if !test[v] && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

// voiceSeed is the seed TrainingVoices draws from: seed's splitmix64
// stream 1, the one the training set's generator sets aside for voices.
func voiceSeed(seed int64) int64 {
	z := uint64(seed) + 1*0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return int64(z ^ z>>31)
}
