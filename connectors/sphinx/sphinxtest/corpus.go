package sphinxtest

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/caseyos/caseyos/connectors/voice/wav"
)

// Voices are the espeak-ng voices of the corpus: American and British
// English, male and female variants, and a Caribbean accent.
var Voices = []string{"en-us", "en-us+f3", "en-gb", "en-gb-x-rp+m3", "en-029+f2"}

// FliteVoices are CMU flite's voices, named "flite:NAME": awb, rms and slt
// are statistical voices trained on recordings of people (CMU ARCTIC), kal16
// a diphone voice. Their speech is much closer to a person's than
// espeak-ng's formant synthesis, which the en-us acoustic model, trained on
// real speech, fits badly (docs/benchmarks.md).
var FliteVoices = []string{"flite:awb", "flite:rms", "flite:slt", "flite:kal16"}

// Speeds are the speaking rates, in words per minute (flite's are mapped to
// a duration stretch around its natural 165).
var Speeds = []int{130, 165, 200}

// OutOfGrammar are phrases a person near the laptop might say that are not
// commands: conversation, near misses of command words, and single words.
var OutOfGrammar = []string{
	"what time is it", "hello there", "I will call you back", "the weather is nice today",
	"send me the report", "thank you very much", "good morning", "let me think about it",
	"where is the meeting", "can you hear me", "that sounds great", "see you tomorrow",
	"yes", "no", "okay", "maybe later", "hello", "sorry",
	"approval", "skipping", "nexus", "undone", "reading", "snowy", "confirmation", "cancelled",
	"stop it", "listen", "executive", "previously", "coffee", "lunch", "perfect", "absolutely",
	"how are you doing", "we should talk about pricing", "I am on my way", "one two three",
	"the deal is closed", "remind me later",
}

// Noise is a background noise in a condition.
type Noise string

// The noises sox can synthesize that the corpus uses.
const (
	NoNoise Noise = ""
	White   Noise = "whitenoise"
	Pink    Noise = "pinknoise"
)

// Condition is one noise level of the corpus.
type Condition struct {
	Noise Noise
	SNR   float64 // dB; ignored for NoNoise
}

func (c Condition) String() string {
	if c.Noise == NoNoise {
		return "clean"
	}
	return fmt.Sprintf("%s %.0f dB", map[Noise]string{White: "white", Pink: "pink"}[c.Noise], c.SNR)
}

// Conditions are the issue's: clean, and white and pink noise at 20 and 13 dB.
var Conditions = []Condition{{NoNoise, 0}, {White, 20}, {Pink, 20}, {White, 13}, {Pink, 13}}

// Clip is one utterance of the corpus: 16 kHz mono PCM.
type Clip struct {
	Text  string // what was said; "" for noise or silence
	Voice string
	Speed int
	PCM   []int16
}

// Name identifies the clip in failure messages.
func (c Clip) Name() string {
	if c.Text == "" {
		return "(no speech)"
	}
	return fmt.Sprintf("%q %s %d wpm", c.Text, c.Voice, c.Speed)
}

// Pad is the silence before and after each utterance.
const Pad = 0.3 // seconds

// Check reports whether espeak-ng, flite and sox are installed.
func Check() error {
	for _, tool := range []string{"espeak-ng", "flite", "sox"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s is not installed (make voice-test-deps)", tool)
		}
	}
	return nil
}

// Speak synthesizes text into 16 kHz mono PCM with Pad seconds of silence
// on each side.
func Speak(ctx context.Context, dir, text, voice string, speed int) ([]int16, error) {
	f, err := os.CreateTemp(dir, "speak-*.wav")
	if err != nil {
		return nil, err
	}
	f.Close()
	defer os.Remove(f.Name())
	synth := exec.CommandContext(ctx, "espeak-ng", "-v", voice, "-s", fmt.Sprint(speed), "-w", f.Name(), text)
	if name, ok := strings.CutPrefix(voice, "flite:"); ok {
		synth = exec.CommandContext(ctx, "flite", "-voice", name, "--setf", fmt.Sprintf("duration_stretch=%.3f", 165/float64(speed)), "-t", text, "-o", f.Name())
	}
	if out, err := synth.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("%s %s: %v: %s", synth.Args[0], voice, err, out)
	}
	raw, err := exec.CommandContext(ctx, "sox", f.Name(), "-r", "16000", "-c", "1", "-b", "16", "-e", "signed-integer", "-t", "raw", "-",
		"pad", fmt.Sprint(Pad), fmt.Sprint(Pad)).Output()
	if err != nil {
		return nil, fmt.Errorf("sox: %v", err)
	}
	return RawPCM(raw), nil
}

// SoxNoise returns seconds of sox-synthesized noise at full scale.
func SoxNoise(ctx context.Context, n Noise, seconds float64) ([]int16, error) {
	raw, err := exec.CommandContext(ctx, "sox", "-n", "-r", "16000", "-c", "1", "-b", "16", "-e", "signed-integer", "-t", "raw", "-",
		"synth", fmt.Sprint(seconds), string(n), "vol", "0.5").Output()
	if err != nil {
		return nil, fmt.Errorf("sox synth %s: %v", n, err)
	}
	return RawPCM(raw), nil
}

// RawPCM reads headerless 16-bit little-endian samples, as sox's raw
// output and pocketsphinx's .raw recordings are; an odd last byte is
// dropped.
func RawPCM(raw []byte) []int16 {
	out := make([]int16, len(raw)/2)
	_ = binary.Read(bytes.NewReader(raw), binary.LittleEndian, out)
	return out
}

// SpeechPower is the mean square of the samples louder than 1 % of the
// clip's peak: the speech, not the padding around it.
func SpeechPower(pcm []int16) float64 {
	peak := 0.0
	for _, s := range pcm {
		peak = math.Max(peak, math.Abs(float64(s)))
	}
	var sum float64
	var n int
	for _, s := range pcm {
		if v := math.Abs(float64(s)); v > peak/100 {
			sum += v * v
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// Mix adds noise to speech at snr dB (speech power over noise power),
// starting at a random offset into noise.
func Mix(speech, noise []int16, snr float64, rng *rand.Rand) []int16 {
	var np float64
	for _, s := range noise {
		np += float64(s) * float64(s)
	}
	np /= float64(len(noise))
	gain := math.Sqrt(SpeechPower(speech) / (np * math.Pow(10, snr/10)))
	off := rng.Intn(len(noise) - len(speech))
	out := make([]int16, len(speech))
	for i, s := range speech {
		v := float64(s) + gain*float64(noise[off+i])
		out[i] = int16(math.Max(-32768, math.Min(32767, v)))
	}
	return out
}

// Corpus is a generated corpus: clean clips and the noise to mix in.
type Corpus struct {
	Commands []Clip // one per phrase × voice × speed
	Rejects  []Clip // out-of-grammar speech, noise and silence
	noise    map[Noise][]int16
}

// Options bound a corpus's size.
type Options struct {
	Phrases []string // the commands
	Voices  []string
	Speeds  []int
	// RejectVoices and RejectSpeeds are used for the out-of-grammar phrases.
	RejectVoices []string
	RejectSpeeds []int
}

// Generate synthesizes the corpus, two clips at a time.
func Generate(ctx context.Context, dir string, o Options) (*Corpus, error) {
	type job struct {
		text, voice string
		speed       int
		reject      bool
	}
	var jobs []job
	for _, p := range o.Phrases {
		for _, v := range o.Voices {
			for _, s := range o.Speeds {
				jobs = append(jobs, job{p, v, s, false})
			}
		}
	}
	for _, p := range OutOfGrammar {
		for _, v := range o.RejectVoices {
			for _, s := range o.RejectSpeeds {
				jobs = append(jobs, job{p, v, s, true})
			}
		}
	}
	clips := make([]Clip, len(jobs))
	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				j := jobs[i]
				p, err := Speak(ctx, dir, j.text, j.voice, j.speed)
				clips[i], errs[i] = Clip{Text: j.text, Voice: j.voice, Speed: j.speed, PCM: p}, err
			}
		}()
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()
	c := &Corpus{noise: map[Noise][]int16{}}
	for i, j := range jobs {
		if errs[i] != nil {
			return nil, errs[i]
		}
		if j.reject {
			c.Rejects = append(c.Rejects, clips[i])
		} else {
			c.Commands = append(c.Commands, clips[i])
		}
	}
	for _, n := range []Noise{White, Pink} {
		p, err := SoxNoise(ctx, n, 20)
		if err != nil {
			return nil, err
		}
		c.noise[n] = p
		// Noise alone, at a speaking level, and silence are never commands.
		for k := 0; k < 4; k++ {
			c.Rejects = append(c.Rejects, Clip{PCM: scale(p[k*16000:(k+1)*16000+8000], 0.1)})
		}
	}
	c.Rejects = append(c.Rejects, Clip{PCM: make([]int16, 16000)}, Clip{PCM: dither(16000)})
	return c, nil
}

func scale(p []int16, g float64) []int16 {
	out := make([]int16, len(p))
	for i, s := range p {
		out[i] = int16(float64(s) * g)
	}
	return out
}

// dither is near-silence: a quiet room's ±2 LSB.
func dither(n int) []int16 {
	rng := rand.New(rand.NewSource(1))
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(rng.Intn(5) - 2)
	}
	return out
}

// In returns the clips under condition c, noise mixed in deterministically.
func (c *Corpus) In(clips []Clip, cond Condition) []Clip {
	if cond.Noise == NoNoise {
		return clips
	}
	rng := rand.New(rand.NewSource(int64(cond.SNR*10) + int64(len(cond.Noise))))
	out := make([]Clip, len(clips))
	for i, cl := range clips {
		out[i] = cl
		if cl.Text != "" {
			out[i].PCM = Mix(cl.PCM, c.noise[cond.Noise], cond.SNR, rng)
		}
	}
	return out
}

// AllVoices are the corpus's voices: Voices, then FliteVoices.
func AllVoices() []string { return append(append([]string{}, Voices...), FliteVoices...) }

// StandardOptions are the measured corpus's: phrases × AllVoices × Speeds,
// and the out-of-grammar phrases in every voice at 165 wpm.
func StandardOptions(phrases []string) Options {
	return Options{Phrases: phrases, Voices: AllVoices(), Speeds: Speeds, RejectVoices: AllVoices(), RejectSpeeds: []int{165}}
}

// Synth is one synthesizer's share of the corpus, reported on its own: the
// recognizers fit the two very differently.
type Synth struct {
	Name string
	Has  func(voice string) bool // noise and silence clips (no voice) count in both
}

// Synths are espeak-ng and flite.
var Synths = []Synth{
	{"espeak-ng", func(v string) bool { return !strings.HasPrefix(v, "flite:") }},
	{"flite", func(v string) bool { return v == "" || strings.HasPrefix(v, "flite:") }},
}

// Measured returns the clips a measurement uses under cond: those whose
// voice has accepts, all of them clean and every other one in noise (so
// that a run stays near a minute on two cores), with cond's noise mixed in.
func (c *Corpus) Measured(clips []Clip, has func(voice string) bool, cond Condition) []Clip {
	var out []Clip
	for _, cl := range clips {
		if has(cl.Voice) {
			out = append(out, cl)
		}
	}
	if cond.Noise != NoNoise {
		var half []Clip
		for i := 0; i < len(out); i += 2 {
			half = append(half, out[i])
		}
		out = half
	}
	return c.In(out, cond)
}

// WriteWAV writes 16 kHz mono PCM as a WAV file.
func WriteWAV(path string, pcm []int16) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, wav.Encode(pcm), 0o644)
}

// Decoders is how many decoders a corpus measurement runs at once: one
// per core, up to four.
func Decoders() int { return min(runtime.NumCPU(), 4) }

// Across decodes clips with every one of decoders at once (each a
// recognizer, or a set of them, that decodes one utterance at a time):
// decoder w takes clips w, w+len(decoders), …. The results are in clips'
// order; the first error stops its decoder and is returned.
func Across[D, R any](decoders []D, clips []Clip, decode func(D, []int16) (R, error)) ([]R, error) {
	n := max(1, len(decoders))
	out := make([]R, len(clips))
	errs := make([]error, n)
	var wg sync.WaitGroup
	for w := range decoders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(clips) && errs[w] == nil; i += n {
				out[i], errs[w] = decode(decoders[w], clips[i].PCM)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
