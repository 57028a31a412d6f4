package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/caseyos/caseyos/connectors/sphinx/sphinxtest"
)

// The training set of the keyword classifier is synthesized the way the
// test corpus is, but kept disjoint from it so that the corpus measures
// speech the classifier never heard: other espeak-ng voices (never flite's),
// festival's ked voice, and none of the corpus's out-of-grammar phrases
// (sphinxtest.OutOfGrammar), their words, or words that sound the same. The recipe is the Python prototype's that
// the classifier was first trained on (gen_train.py, gen_train2.py,
// noisy2.py), with sox in repeatable mode (-R) so that a seed gives the
// same set every time.

// Brown is sox's brown noise, heavier in the low frequencies than sphinxtest.Pink.
const Brown sphinxtest.Noise = "brownnoise"

// KedStretches are the duration stretches of festival's ked voice at which
// each command is said once.
var KedStretches = []float64{0.8, 0.9, 1.0, 1.1, 1.25, 1.4}

// TrainingOptions say what to synthesize. Zero values take the defaults.
type TrainingOptions struct {
	Phrases  []string // the commands
	Decoys   []string // words near a command (connectors/sphinx/decoys.txt), said as negatives
	ModelDir string   // the pocketsphinx model directory holding en-us.lm.bin
	Voices   int      // espeak-ng voices; 70 when zero
	Seed     int64
	Workers  int // synthesizers run at once; 2 when zero
	// Small makes a set of a few clips of each kind, for tests: each
	// command at one ked stretch, and six negatives and two or three
	// noise, babble and silence clips.
	Small bool
}

// TrainingKind is how a training clip was made.
type TrainingKind string

// The kinds of training clip.
const (
	Spoken    TrainingKind = "spoken"    // synthesized, resampled and padded
	Augmented TrainingKind = "augmented" // a spoken clip with sox's speed, filters, reverb and gain
	Noisy     TrainingKind = "noisy"     // a spoken or augmented clip with noise mixed in at SNR
	NoiseOnly TrainingKind = "noise"     // noise alone at a random level
	Babble    TrainingKind = "babble"    // several negatives at once
	Silence   TrainingKind = "silence"   // a quiet room's ±3 LSB
)

// TrainingClip is one clip of the training set: 16 kHz mono PCM.
type TrainingClip struct {
	Text    string // what was said: a command or a negative; "" for noise, babble and silence
	Command bool   // Text is one of the commands, said alone
	Voice   string // an espeak-ng voice or "ked:STRETCH"; "" when no one voice spoke
	Kind    TrainingKind
	Noise   sphinxtest.Noise // for Noisy and NoiseOnly clips
	SNR     float64          // dB, for Noisy clips: sphinxtest.SpeechPower of the clip under it over the noise's power
	PCM     []int16
}

// trainingCounts are a recipe's sizes (gen_train2.py and noisy2.py).
type trainingCounts struct {
	perVoice       int       // clips of each command per espeak-ng voice
	ked            []float64 // ked's stretches for each command
	unigrams       int       // single words drawn from the language model
	decoyRepeats   int
	morphRepeats   int
	limit          int // when > 0, decoys and near misses are cut to this many, for Small
	sentences      int // 2–6 random words
	commandPhrases int // a command with 1–3 random words before or after it
	kedNegatives   float64
	augNegatives   float64 // the share of negatives given an augmented copy; commands get two
	noiseOnly      int
	babble         int
	silence        int
}

var fullCounts = trainingCounts{
	perVoice: 2, ked: KedStretches, unigrams: 1600, decoyRepeats: 3, morphRepeats: 4,
	sentences: 450, commandPhrases: 350, kedNegatives: 0.07, augNegatives: 0.35,
	noiseOnly: 400, babble: 300, silence: 50,
}

var smallCounts = trainingCounts{
	perVoice: 2, ked: []float64{1.0}, unigrams: 2, decoyRepeats: 1, morphRepeats: 1, limit: 1,
	sentences: 1, commandPhrases: 1, kedNegatives: 0.07, augNegatives: 0.35,
	noiseOnly: 3, babble: 2, silence: 2,
}

func (o TrainingOptions) counts() trainingCounts {
	if o.Small {
		return smallCounts
	}
	return fullCounts
}

func (o TrainingOptions) workers() int {
	if o.Workers > 0 {
		return o.Workers
	}
	return 2
}

// The recipe's ranges.
const (
	noiseSeconds = 60   // of each noise, the pool clips' noise is cut from
	maxSNR       = 25.0 // noisy copies are mixed at U(0, maxSNR) dB
	minSpeed     = 0.85 // sox speed factors of augmented copies
	maxSpeed     = 1.18
	maxLowpass   = 7000 // Hz; gen_train2.py's randint(3000, 7000)
	maxBabble    = 4    // clips summed into a babble clip, from 2; noisy2.py's numpy randint(2, 5)
)

// Salts separate the random streams drawn from one seed.
const (
	saltVoices = iota + 1 // sphinxtest.TrainingVoices draws the voices with it
	saltNegatives
	saltNegativeVoices
	saltExtras
	saltJob = 1 << 32
)

// subSeed derives an independent seed (splitmix64).
func subSeed(seed int64, salt uint64) int64 {
	z := uint64(seed) + salt*0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return int64(z ^ z>>31)
}

// trainingTools are the programs the training set needs, with the Debian
// and Ubuntu packages that install them.
var trainingTools = []struct{ tool, pkg string }{
	{"espeak-ng", "espeak-ng"}, {"sox", "sox"}, {"text2wave", "festival"},
	{"sphinx_lm_convert", "sphinxbase-utils"},
}

// CheckTraining reports the programs and the festival voice the training
// set needs that are missing, with the packages to install.
func CheckTraining() error {
	var missing, pkgs []string
	for _, t := range trainingTools {
		if _, err := exec.LookPath(t.tool); err != nil {
			missing, pkgs = append(missing, t.tool), append(pkgs, t.pkg)
		}
	}
	if len(missing) == 0 {
		// text2wave exits 0 when a voice is missing; only its stderr says so.
		cmd := exec.Command("text2wave", "-eval", "(voice_ked_diphone)", "-o", os.DevNull)
		cmd.Stdin = strings.NewReader("a\n")
		out, err := cmd.CombinedOutput()
		if err != nil || bytes.Contains(out, []byte("SIOD ERROR")) {
			missing, pkgs = append(missing, "festival's ked voice"), append(pkgs, "festvox-kdlpc16k")
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s missing (apt-get install %s)", strings.Join(missing, ", "), strings.Join(pkgs, " "))
	}
	return nil
}

// MinUnigramLogProb is the language model's log10 unigram probability a
// word needs to be said as a negative: about the 5,000 commonest words.
const MinUnigramLogProb = -5.0

// Negatives returns the out-of-grammar speech of the training set, with
// repeats, in the order it is synthesized: common words of the model's
// language model, the decoys, near misses of the command words ("skipped",
// "undoing"), random sentences of those words, and commands run into such
// words ("snooze mother", "data skip"). None is a sphinxtest.OutOfGrammar phrase or
// holds one of their words, a command word, or a word espeak-ng says the
// same way as one of those ("canceled" for "cancelled", "whether" for
// "weather"). dir holds temporary files.
func Negatives(ctx context.Context, dir string, o TrainingOptions) ([]string, error) {
	c := o.counts()
	if len(o.Phrases) == 0 {
		return nil, errors.New("sphinxtest: Negatives: no command phrases")
	}
	lm, err := unigrams(ctx, dir, o.ModelDir)
	if err != nil {
		return nil, err
	}
	banned := map[string]bool{}
	for _, p := range sphinxtest.OutOfGrammar {
		p = strings.ToLower(p)
		banned[p] = true
		for _, w := range strings.Fields(p) {
			banned[w] = true
		}
	}
	commandWords := map[string]bool{}
	for _, p := range o.Phrases {
		for _, w := range strings.Fields(strings.ToLower(p)) {
			commandWords[w] = true
		}
	}
	morph := nearMisses(o.Phrases)

	// One espeak-ng run per worker says every single word.
	words := map[string]bool{}
	for _, set := range [][]string{mapKeys(banned), mapKeys(commandWords), lm, o.Decoys, morph} {
		for _, w := range set {
			if alphabetic(w) {
				words[w] = true
			}
		}
	}
	ph, err := phonemes(ctx, mapKeys(words), o.workers())
	if err != nil {
		return nil, err
	}
	sounds := map[string]bool{}
	for w := range banned {
		if p, ok := ph[w]; ok {
			sounds[p] = true
		}
	}
	for w := range commandWords {
		if p, ok := ph[w]; ok {
			sounds[p] = true
		}
	}
	allowed := func(ws []string) []string {
		var out []string
		for _, w := range ws {
			if alphabetic(w) && !banned[w] && !commandWords[w] && !sounds[ph[w]] {
				out = append(out, w)
			}
		}
		return out
	}
	uni, decoys, morph := allowed(lm), allowed(o.Decoys), allowed(morph)
	if len(uni) == 0 {
		return nil, fmt.Errorf("sphinxtest: no words in the language model of %s", o.ModelDir)
	}

	rng := rand.New(rand.NewSource(subSeed(o.Seed, saltNegatives)))
	pick := func() string { return uni[rng.Intn(len(uni))] }
	some := func(lo, hi int) string {
		ws := make([]string, lo+rng.Intn(hi-lo+1))
		for i := range ws {
			ws[i] = pick()
		}
		return strings.Join(ws, " ")
	}
	if c.limit > 0 {
		decoys, morph = sample(decoys, c.limit, rng), sample(morph, c.limit, rng)
	}
	var neg []string
	for range c.unigrams {
		neg = append(neg, pick())
	}
	for range c.decoyRepeats {
		neg = append(neg, decoys...)
	}
	for range c.morphRepeats {
		neg = append(neg, morph...)
	}
	for range c.sentences {
		neg = append(neg, some(2, 6))
	}
	for range c.commandPhrases {
		cmd, ws := o.Phrases[rng.Intn(len(o.Phrases))], some(1, 3)
		if rng.Intn(2) == 0 {
			neg = append(neg, ws+" "+cmd)
		} else {
			neg = append(neg, cmd+" "+ws)
		}
	}
	return neg, nil
}

// nearMisses are the command words with an ending or a prefix added
// (gen_train2.py's rules), sorted; Negatives drops the ones that are, or
// sound like, a command or test word.
func nearMisses(phrases []string) []string {
	set := map[string]bool{}
	for _, p := range phrases {
		for _, w := range strings.Fields(strings.ToLower(p)) {
			last := w[len(w)-1:]
			doubled := w + last + "ing"
			if strings.HasSuffix(w, "e") {
				doubled = w[:len(w)-1] + "ing"
			}
			for _, v := range []string{
				w + "s", w + "ed", w + "d", w + "ing", w + "er", w + "ers", w + "ion", w + "ation",
				w + "al", w + "ly", w + "ive", "un" + w, "re" + w, "pre" + w, w + "y", w + "ment",
				doubled, w + last + "ed", w + "ful", w + "ness",
			} {
				set[v] = true
			}
		}
	}
	return mapKeys(set)
}

func sample(ws []string, n int, rng *rand.Rand) []string {
	if len(ws) <= n {
		return ws
	}
	out := make([]string, n)
	for i, k := range rng.Perm(len(ws))[:n] {
		out[i] = ws[k]
	}
	return out
}

func alphabetic(w string) bool {
	for _, r := range w {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return w != ""
}

func mapKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// unigrams returns the alphabetic words of the model's language model with
// a log10 probability of at least MinUnigramLogProb, in its order.
//
// sphinx_lm_convert (sphinxbase 5prealpha, Debian's) aborts on an assertion
// while writing en-us.lm.bin's bigrams, after most of the unigrams: the
// last ~120 words of 72,547 ("zimbabwe" on) are lost. So a failed run is
// accepted when it wrote at least 90 % of the unigrams the header declares,
// and the cut-off last line is dropped.
func unigrams(ctx context.Context, dir, modelDir string) ([]string, error) {
	if modelDir == "" {
		return nil, errors.New("sphinxtest: no pocketsphinx model directory (TrainingOptions.ModelDir)")
	}
	tmp, err := os.MkdirTemp(dir, "lm-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	arpa := filepath.Join(tmp, "lm.arpa")
	cmd := exec.CommandContext(ctx, "sphinx_lm_convert", "-i", filepath.Join(modelDir, "en-us.lm.bin"), "-o", arpa, "-ofmt", "arpa")
	_, runErr := run(cmd)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	b, err := os.ReadFile(arpa)
	if err != nil {
		if runErr != nil {
			return nil, runErr
		}
		return nil, err
	}
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 && runErr != nil {
		b = b[:i+1]
	}
	declared, seen := 0, 0
	var words []string
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, `\`) {
			section = line
			continue
		}
		f := strings.Fields(line)
		switch {
		case section == `\data\` && len(f) == 2 && f[0] == "ngram":
			if n, ok := strings.CutPrefix(f[1], "1="); ok {
				declared, _ = strconv.Atoi(n)
			}
		case section == `\1-grams:` && len(f) >= 2:
			seen++
			p, err := strconv.ParseFloat(f[0], 64)
			if err == nil && p >= MinUnigramLogProb && alphabetic(f[1]) {
				words = append(words, f[1])
			}
		}
	}
	if runErr != nil && (declared == 0 || seen < declared*9/10) {
		return nil, fmt.Errorf("%w (%d of %d unigrams written)", runErr, seen, declared)
	}
	return words, nil
}

// phonemes returns espeak-ng's en-us phonemes (-x) of each word. espeak-ng
// says one word per line of its input and prints one line for each, as it
// would for the word alone, so a run per worker serves thousands of words
// in seconds.
func phonemes(ctx context.Context, words []string, workers int) (map[string]string, error) {
	chunk := (len(words) + workers - 1) / workers
	out := map[string]string{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := 0; w < workers && w*chunk < len(words); w++ {
		part := words[w*chunk : min(len(words), (w+1)*chunk)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.CommandContext(ctx, "espeak-ng", "-q", "-x", "-v", "en-us")
			cmd.Stdin = strings.NewReader(strings.Join(part, "\n") + "\n")
			b, err := run(cmd)
			if err != nil {
				errs[w] = err
				return
			}
			lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
			if len(lines) != len(part) {
				errs[w] = fmt.Errorf("espeak-ng -q -x -v en-us: %d lines of phonemes for %d words", len(lines), len(part))
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for i, l := range lines {
				out[part[i]] = strings.TrimSpace(l)
			}
		}()
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

// trainingJob is one utterance to synthesize, with every random choice
// about it made in advance from its own stream, so that the set does not
// depend on which worker ran what.
type trainingJob struct {
	text    string
	command bool
	voice   string  // espeak-ng voice, or "ked:STRETCH"
	stretch float64 // ked's duration stretch; 0 for espeak-ng
	speed   int     // espeak-ng words per minute
	pitch   int
	augs    [][]string         // sox effects of each augmented copy
	noises  []sphinxtest.Noise // of the noisy copy of the spoken clip, then of each augmented one
	snrs    []float64
	rng     *rand.Rand // for the noise offsets, drawn after synthesis
}

var trainingNoises = []sphinxtest.Noise{sphinxtest.White, sphinxtest.Pink, Brown}

// maxLowpassAfter is the highest lowpass, in whole Hz, sox takes after a
// speed change by factor speed (as the recipe prints it) of a clip voice
// synthesized: under the resampled clip's Nyquist rate. festival's 16 kHz
// slowed to 0.85 is 6.8 kHz, under the recipe's 7 kHz; espeak-ng's
// 22,050 Hz never is. It lowers only what sox would refuse, so a seed that
// ran before gives the same clips.
func maxLowpassAfter(voice, speed string) int {
	rate := 22050.0 // espeak-ng's
	if strings.HasPrefix(voice, "ked:") {
		rate = 16000 // festival's ked
	}
	f, _ := strconv.ParseFloat(speed, 64)
	return int(math.Ceil(rate*f/2)) - 1
}

func newTrainingJob(seed int64, i int, text string, command bool, voice string, c trainingCounts) *trainingJob {
	r := rand.New(rand.NewSource(subSeed(seed, saltJob+uint64(i))))
	j := &trainingJob{text: text, command: command, voice: voice, rng: r}
	if s, ok := strings.CutPrefix(voice, "ked:"); ok {
		j.stretch, _ = strconv.ParseFloat(s, 64)
	}
	j.speed, j.pitch = 120+r.Intn(101), 25+r.Intn(51)
	n := 2
	if !command {
		n = 0
		if r.Float64() < c.augNegatives {
			n = 1
		}
	}
	for range n {
		speed := fmt.Sprintf("%.3f", minSpeed+(maxSpeed-minSpeed)*r.Float64())
		eff := []string{"speed", speed}
		if r.Float64() < 0.5 {
			eff = append(eff, "highpass", strconv.Itoa(80+r.Intn(221)))
		}
		if r.Float64() < 0.5 {
			eff = append(eff, "lowpass", strconv.Itoa(min(3000+r.Intn(maxLowpass-3000+1), maxLowpassAfter(voice, speed))))
		}
		if r.Float64() < 0.3 {
			eff = append(eff, "reverb", strconv.Itoa(10+r.Intn(51)))
		}
		eff = append(eff, "gain", "-n", strconv.Itoa(-1-r.Intn(12)))
		j.augs = append(j.augs, eff)
	}
	for range 1 + n {
		j.noises = append(j.noises, trainingNoises[r.Intn(len(trainingNoises))])
		j.snrs = append(j.snrs, maxSNR*r.Float64())
	}
	return j
}

// synthesize returns the job's spoken clip, its augmented copies, and a
// noisy copy of each.
func (j *trainingJob) synthesize(ctx context.Context, dir string, noise map[sphinxtest.Noise][]int16) ([]TrainingClip, error) {
	f, err := os.CreateTemp(dir, "train-*.wav")
	if err != nil {
		return nil, err
	}
	f.Close()
	defer os.Remove(f.Name())
	var cmd *exec.Cmd
	if j.stretch > 0 {
		cmd = exec.CommandContext(ctx, "text2wave", "-eval", "(voice_ked_diphone)",
			"-eval", fmt.Sprintf("(Parameter.set (quote Duration_Stretch) %.2f)", j.stretch), "-o", f.Name())
		cmd.Stdin = strings.NewReader(j.text + "\n")
	} else {
		cmd = exec.CommandContext(ctx, "espeak-ng", "-v", j.voice, "-s", strconv.Itoa(j.speed), "-p", strconv.Itoa(j.pitch), "-w", f.Name(), j.text)
	}
	// text2wave exits 0 when festival fails; only its stderr tells.
	if _, stderr, err := runStderr(cmd); err != nil {
		return nil, err
	} else if strings.Contains(stderr, "SIOD ERROR") {
		return nil, fmt.Errorf("%s: %s", commandLine(cmd), stderr)
	}
	base := TrainingClip{Text: j.text, Command: j.command, Voice: j.voice}
	var clips []TrainingClip
	for k := -1; k < len(j.augs); k++ {
		args := []string{"-R", f.Name(), "-r", "16000", "-c", "1", "-b", "16", "-e", "signed-integer", "-t", "raw", "-"}
		cl := base
		cl.Kind = Spoken
		if k >= 0 {
			args = append(args, j.augs[k]...)
			cl.Kind = Augmented
		}
		args = append(args, "pad", fmt.Sprint(sphinxtest.Pad), fmt.Sprint(sphinxtest.Pad))
		if k >= 0 {
			args = append(args, "rate", "16000")
		}
		raw, err := run(exec.CommandContext(ctx, "sox", args...))
		if err != nil {
			return nil, err
		}
		cl.PCM = sphinxtest.RawPCM(raw)
		clips = append(clips, cl)
	}
	for k := range clips[:len(j.noises)] {
		cl, n := clips[k], noise[j.noises[k]]
		if len(cl.PCM) >= len(n) {
			return nil, fmt.Errorf("sphinxtest: %q in %s is longer than the %d s of noise", j.text, j.voice, noiseSeconds)
		}
		cl.Kind, cl.Noise, cl.SNR = Noisy, j.noises[k], j.snrs[k]
		cl.PCM = sphinxtest.Mix(cl.PCM, n, cl.SNR, j.rng)
		clips = append(clips, cl)
	}
	return clips, nil
}

// GenerateTraining synthesizes the training set and hands each clip to
// emit, in an order fixed by o.Seed: every command said twice by each of
// o.Voices espeak-ng voices and at each of KedStretches by festival's ked
// voice, each negative (Negatives) once by a random voice (ked one time in
// fourteen); two augmented copies of each command clip and one of 35 % of
// the negatives (sox speed, high- and low-pass, reverb, gain); a noisy copy
// of every clip so far (white, pink or brown noise at 0–25 dB); then 400
// noise-only clips, 300 babble clips and 50 of near-silence. The clips
// stream rather than return because the whole set is 1.1 GB of
// samples. emit runs on the calling goroutine; its error stops the run.
// dir holds temporary files.
func GenerateTraining(ctx context.Context, dir string, o TrainingOptions, emit func(TrainingClip) error) error {
	c := o.counts()
	nv := o.Voices
	if nv <= 0 {
		nv = 70
	}
	voices := sphinxtest.TrainingVoices(nv, o.Seed)
	neg, err := Negatives(ctx, dir, o)
	if err != nil {
		return err
	}

	var jobs []*trainingJob
	add := func(text string, command bool, voice string) {
		jobs = append(jobs, newTrainingJob(o.Seed, len(jobs), text, command, voice, c))
	}
	for _, p := range o.Phrases {
		for _, v := range voices {
			for range c.perVoice {
				add(p, true, v)
			}
		}
		for _, s := range c.ked {
			add(p, true, fmt.Sprintf("ked:%.2f", s))
		}
	}
	vr := rand.New(rand.NewSource(subSeed(o.Seed, saltNegativeVoices)))
	for _, p := range neg {
		v := voices[vr.Intn(len(voices))]
		if vr.Float64() < c.kedNegatives {
			v = fmt.Sprintf("ked:%.2f", 0.8+0.6*vr.Float64())
		}
		add(p, false, v)
	}

	// The babble is drawn from the spoken and augmented negatives; only
	// the clips it uses are kept until the end.
	pool := 0
	for _, j := range jobs {
		if !j.command {
			pool += 1 + len(j.augs)
		}
	}
	xr := rand.New(rand.NewSource(subSeed(o.Seed, saltExtras)))
	type part struct {
		clip int
		gain float64
	}
	babble := make([][]part, 0, c.babble)
	keep := map[int][]int16{}
	for range c.babble {
		if pool == 0 {
			break
		}
		ps := make([]part, 2+xr.Intn(maxBabble-1))
		for i := range ps {
			ps[i].clip = xr.Intn(pool)
			keep[ps[i].clip] = nil
		}
		for i := range ps {
			ps[i].gain = 0.3 + 0.7*xr.Float64()
		}
		babble = append(babble, ps)
	}

	noise := map[sphinxtest.Noise][]int16{}
	for _, n := range trainingNoises {
		if noise[n], err = trainingNoise(ctx, n); err != nil {
			return err
		}
	}

	ctx, cancel := context.WithCancel(ctx)
	type result struct {
		clips []TrainingClip
		err   error
	}
	results := make([]chan result, len(jobs))
	for i := range results {
		results[i] = make(chan result, 1)
	}
	next := make(chan int)
	ahead := make(chan struct{}, 8*o.workers()) // bounds the clips held for in-order emission
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(next)
		for i := range jobs {
			select {
			case ahead <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	for range o.workers() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				cl, err := jobs[i].synthesize(ctx, dir, noise)
				results[i] <- result{cl, err}
			}
		}()
	}
	negClip := 0
	for i := range jobs {
		var r result
		select {
		case r = <-results[i]:
		case <-ctx.Done():
			return ctx.Err()
		}
		if r.err != nil {
			return r.err
		}
		for _, cl := range r.clips {
			if !cl.Command && cl.Kind != Noisy {
				if _, ok := keep[negClip]; ok {
					keep[negClip] = cl.PCM
				}
				negClip++
			}
			if err := emit(cl); err != nil {
				return err
			}
		}
		<-ahead
	}

	for k := range c.noiseOnly {
		kind := trainingNoises[k%len(trainingNoises)]
		n := noise[kind]
		l := 8000 + xr.Intn(32000) // 0.5–2.5 s
		off := xr.Intn(len(n) - l)
		cl := TrainingClip{Kind: NoiseOnly, Noise: kind, PCM: scale(n[off:off+l], math.Pow(10, -2.5*xr.Float64()))}
		if err := emit(cl); err != nil {
			return err
		}
	}
	for _, ps := range babble {
		l := 0
		for _, p := range ps {
			l = max(l, len(keep[p.clip]))
		}
		sum := make([]float64, l)
		for _, p := range ps {
			for i, s := range keep[p.clip] {
				sum[i] += p.gain * float64(s)
			}
		}
		out := make([]int16, l)
		for i, v := range sum {
			out[i] = int16(math.Max(-32768, math.Min(32767, v)))
		}
		if err := emit(TrainingClip{Kind: Babble, PCM: out}); err != nil {
			return err
		}
	}
	for range c.silence {
		out := make([]int16, 8000+xr.Intn(24000))
		for i := range out {
			out[i] = int16(xr.Intn(7) - 3)
		}
		if err := emit(TrainingClip{Kind: Silence, PCM: out}); err != nil {
			return err
		}
	}
	return nil
}

// scale multiplies every sample of p by g.
func scale(p []int16, g float64) []int16 {
	out := make([]int16, len(p))
	for i, s := range p {
		out[i] = int16(float64(s) * g)
	}
	return out
}

// trainingNoise is sphinxtest.SoxNoise in sox's repeatable mode, so that the noise,
// and the set, is the same on every run.
func trainingNoise(ctx context.Context, n sphinxtest.Noise) ([]int16, error) {
	raw, err := run(exec.CommandContext(ctx, "sox", "-R", "-n", "-r", "16000", "-c", "1", "-b", "16", "-e", "signed-integer", "-t", "raw", "-",
		"synth", strconv.Itoa(noiseSeconds), string(n), "vol", "0.5"))
	if err != nil {
		return nil, err
	}
	return sphinxtest.RawPCM(raw), nil
}

// run runs cmd and returns its standard output; a failure names the
// command and carries its standard error.
func run(cmd *exec.Cmd) ([]byte, error) {
	out, _, err := runStderr(cmd)
	return out, err
}

func runStderr(cmd *exec.Cmd) ([]byte, string, error) {
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	msg := strings.TrimSpace(stderr.String())
	if len(msg) > 1000 {
		msg = msg[:1000] + " …"
	}
	if err != nil {
		return nil, msg, fmt.Errorf("%s: %w: %s", commandLine(cmd), err, msg)
	}
	return out, msg, nil
}

func commandLine(cmd *exec.Cmd) string {
	args := make([]string, len(cmd.Args))
	for i, a := range cmd.Args {
		args[i] = a
		if strings.ContainsAny(a, " ()'\"") {
			args[i] = strconv.Quote(a)
		}
	}
	return strings.Join(args, " ")
}
