package kws

import (
	"context"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// Recognizer is also the classifier of connectors/voice (voice.Classifier:
// it vetoes and answers at another threshold); main wires it into
// voice.ClassifierFirst, which checks that at compile time without this
// connector importing another.
var _ backend.Recognizer = (*Recognizer)(nil)

// ModelsEnv names the environment variable that points at the directory
// holding the two model files; FindModels tries it first.
const ModelsEnv = "CASEYOS_KWS_MODELS"

// Clip lengths, in samples at SampleRate.
const (
	// PadSamples is the length a clip is left-padded to before its
	// features are taken: 2 s, 16 embeddings, so that a short command
	// fills a whole DefaultWindow and its end lines up with the window's.
	PadSamples = 2 * SampleRate
	// MinSamples is the shortest clip the recognizer classifies (100 ms):
	// anything shorter is no command. The voice activity detector already
	// drops speech under 80 ms as a click.
	MinSamples = SampleRate / 10
)

// DefaultThreshold is the probability the likeliest command needs to be
// accepted.
const DefaultThreshold = 0.98

// DefaultVetoBelow is the probability under which the classifier vetoes a
// command another recognizer heard: about 10⁻¹² is what it gives speech it
// is certain is no command at all, such as a sentence ("one two three"
// heard as undo by pocketsphinx's grammar). The commands pocketsphinx
// heard right went no lower than 10⁻⁹ on the corpus, flite's voices the
// classifier fits worst included (docs/voice-lab.md).
const DefaultVetoBelow = 1e-12

// PadClip returns pcm left-padded to PadSamples with a quiet dither (−2..2)
// in front; a clip that long or longer comes back as it is. The dither is
// the one the prototype's feature extractor used (a 31-bit LCG computed in
// JavaScript doubles), so features here match the ones it trained on.
func PadClip(pcm []int16) []int16 {
	if len(pcm) >= PadSamples {
		return pcm
	}
	out := make([]int16, PadSamples)
	n := PadSamples - len(pcm)
	seed := uint32(1)
	for i := range n {
		// seed = (seed*1103515245 + 12345) & 0x7fffffff with JavaScript's
		// numbers: the product is rounded to a double (it needs 62 bits),
		// and & keeps the low 31 bits of the rounded value. The explicit
		// conversion stops the compiler fusing the two into one FMA.
		v := float64(float64(seed)*1103515245) + 12345
		seed = uint32(uint64(v)) & 0x7fffffff
		out[i] = int16(seed%5) - 2
	}
	copy(out[n:], pcm)
	return out
}

// ClipFeatures returns the embeddings the classifier reads for one clip:
// e.Features of the clip padded by PadClip. Training samples are made with
// it too.
func ClipFeatures(e *Embedder, pcm []int16) [][EmbeddingSize]float32 {
	return e.Features(PadClip(pcm))
}

// ModelSearchPath returns the directories FindModels tries, in order:
// $CASEYOS_KWS_MODELS, kws-models beside the executable, the executable's
// ../share/caseyos/kws-models (where the .deb installs them), in a macOS
// app bundle Contents/Resources/kws-models, and build/kws-models under
// the working directory (where `make voice-models` puts them).
func ModelSearchPath() []string {
	exe, err := os.Executable()
	if err == nil {
		if real, err := filepath.EvalSymlinks(exe); err == nil {
			exe = real
		}
	} else {
		exe = ""
	}
	return searchPath(os.Getenv(ModelsEnv), exe)
}

func searchPath(env, exe string) []string {
	var dirs []string
	if env != "" {
		dirs = append(dirs, env)
	}
	if exe != "" {
		d := filepath.Dir(exe)
		dirs = append(dirs, filepath.Join(d, "kws-models"), filepath.Join(d, "..", "share", "caseyos", "kws-models"))
		if filepath.Base(d) == "MacOS" { // a macOS bundle: Contents/MacOS/caseyos
			dirs = append(dirs, filepath.Join(d, "..", "Resources", "kws-models"))
		}
	}
	return append(dirs, filepath.Join("build", "kws-models"))
}

// FindModels returns the directory holding MelModelFile and
// EmbeddingModelFile: dir when it is set, else the first of
// ModelSearchPath that has both. None is backend.ENOTFOUND, naming where
// it looked.
func FindModels(dir string) (string, error) {
	dirs := []string{dir}
	if dir == "" {
		dirs = ModelSearchPath()
	}
	for _, d := range dirs {
		if isFile(filepath.Join(d, MelModelFile)) && isFile(filepath.Join(d, EmbeddingModelFile)) {
			return d, nil
		}
	}
	return "", &backend.Error{Code: backend.ENOTFOUND, Op: "kws.FindModels",
		Message: fmt.Sprintf("the keyword-spotting models (%s, %s) are not installed (looked in %s): `make voice-models` fetches them, or set %s to their directory",
			MelModelFile, EmbeddingModelFile, strings.Join(dirs, ", "), ModelsEnv)}
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// defaultHead returns the classifier built into the binary, for a Config
// without a Head. head_default.go, which embeds commands.head, sets it;
// without that file the build has none.
var defaultHead = func() (*Head, error) {
	return nil, &backend.Error{Code: backend.ENOTFOUND, Op: "kws.defaultHead",
		Message: "this build has no built-in command classifier (commands.head): give the recognizer one"}
}

// Config sets up a Recognizer. The zero value finds the models, uses the
// built-in classifier and the default threshold.
type Config struct {
	ModelDir  string  // "" = FindModels' search
	Head      *Head   // nil = the classifier built into the binary
	Threshold float64 // the probability a command needs; 0 = DefaultThreshold; above 1 accepts nothing
	VetoBelow float64 // Veto's: a command less likely than this is vetoed; 0 = DefaultVetoBelow; below 0 vetoes nothing
}

// Recognizer recognizes the spoken commands of its head offline: the speech
// embedding of the clip, then the head. It is safe for concurrent use.
type Recognizer struct {
	emb       *Embedder
	head      *Head
	threshold float64
	vetoBelow float64
	dir       string

	mu   sync.Mutex
	last memo // the last clip decoded: the shipped recognizer asks up to three times about one utterance (Recognize, WithThreshold, Veto)
}

// memo is one clip's Result and a copy of the clip.
type memo struct {
	pcm []int16
	res Result
}

// Result is what the recognizer made of one clip.
type Result struct {
	Text     string             // the likeliest command ("" for a clip too short to classify)
	OK       bool               // its probability reached the threshold
	Prob     float32            // its probability
	Probs    map[string]float32 // every label's, NoneLabel's under ""
	Duration time.Duration      // how long Decode took
}

// New loads the models and the head. Missing models are backend.ENOTFOUND
// (FindModels), a head that does not validate or a negative threshold
// backend.EINVALID.
func New(cfg Config) (*Recognizer, error) {
	const op = "kws.New"
	th := cfg.Threshold
	if th == 0 {
		th = DefaultThreshold
	}
	if math.IsNaN(th) || th < 0 {
		return nil, &backend.Error{Code: backend.EINVALID, Op: op, Message: fmt.Sprintf("the command threshold %v is not a probability", cfg.Threshold)}
	}
	veto := cfg.VetoBelow
	if veto == 0 {
		veto = DefaultVetoBelow
	}
	if math.IsNaN(veto) || veto > 1 {
		return nil, &backend.Error{Code: backend.EINVALID, Op: op, Message: fmt.Sprintf("the veto threshold %v is not a probability", cfg.VetoBelow)}
	}
	h := cfg.Head
	if h == nil {
		var err error
		if h, err = defaultHead(); err != nil {
			return nil, backend.WrapError(op, err)
		}
	}
	if err := h.validate(); err != nil {
		return nil, &backend.Error{Code: backend.EINVALID, Op: op, Message: "the command classifier is incomplete or inconsistent", Err: err}
	}
	dir, err := FindModels(cfg.ModelDir)
	if err != nil {
		return nil, backend.WrapError(op, err)
	}
	e, err := LoadEmbedder(dir)
	if err != nil {
		return nil, backend.WrapError(op, err)
	}
	return &Recognizer{emb: e, head: h, threshold: th, vetoBelow: veto, dir: dir}, nil
}

// Decode classifies one clip of 16 kHz mono pcm, ideally one utterance as
// the voice activity detector cut it. Its last PadSamples decide: that is
// where the head's window ends. A clip shorter than MinSamples is no
// command. Asked again about the same clip, it answers from the last
// decode.
func (r *Recognizer) Decode(pcm []int16) (Result, error) {
	start := time.Now()
	r.mu.Lock()
	if r.last.pcm != nil && slices.Equal(r.last.pcm, pcm) {
		res := r.last.res
		res.Probs = maps.Clone(res.Probs)
		r.mu.Unlock()
		res.Duration = time.Since(start)
		return res, nil
	}
	r.mu.Unlock()
	res := r.decode(pcm)
	res.Duration = time.Since(start)
	r.mu.Lock()
	r.last = memo{pcm: slices.Clone(pcm), res: res}
	r.last.res.Probs = maps.Clone(res.Probs)
	r.mu.Unlock()
	return res, nil
}

// decode is Decode's work.
func (r *Recognizer) decode(pcm []int16) Result {
	var res Result
	if len(pcm) >= MinSamples {
		if p := r.head.Probabilities(ClipFeatures(r.emb, pcm)); p != nil {
			labels := r.head.Labels
			best := 0
			for i := range len(labels) - 1 { // NoneLabel is never the answer
				if p[i] > p[best] {
					best = i
				}
			}
			res.Text, res.Prob = labels[best], p[best]
			res.OK = float64(p[best]) >= r.threshold
			res.Probs = make(map[string]float32, len(labels))
			for i, l := range labels {
				res.Probs[l] = p[i]
			}
		}
	}
	return res
}

// Recognize implements backend.Recognizer: the command heard, or ok false
// when no command reached the threshold.
func (r *Recognizer) Recognize(ctx context.Context, pcm []int16) (string, bool, error) {
	if err := ctx.Err(); err != nil {
		return "", false, err
	}
	res, err := r.Decode(pcm)
	if err != nil || !res.OK {
		return "", false, err
	}
	return res.Text, true, nil
}

// Veto implements voice.Vetoer: for a command another recognizer heard
// (pocketsphinx's grammar), NoneLabel's name "none" when the classifier
// finds that command less likely than its VetoBelow, else "". A clip too
// short to classify is never vetoed.
func (r *Recognizer) Veto(ctx context.Context, pcm []int16, command string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	res, err := r.Decode(pcm)
	if err != nil || res.Probs == nil {
		return "", err
	}
	p, ok := res.Probs[command]
	if ok && float64(p) < r.vetoBelow {
		return "none", nil
	}
	return "", nil
}

// WithThreshold is the recognizer accepting a command from probability p
// on (clamped to 0..1): the same models and last decode.
func (r *Recognizer) WithThreshold(p float64) backend.Recognizer {
	return thresholded{r, min(max(p, 0), 1)}
}

type thresholded struct {
	r *Recognizer
	p float64
}

func (t thresholded) Recognize(ctx context.Context, pcm []int16) (string, bool, error) {
	if err := ctx.Err(); err != nil {
		return "", false, err
	}
	res, err := t.r.Decode(pcm)
	if err != nil || res.Probs == nil || float64(res.Prob) < t.p {
		return "", false, err
	}
	return res.Text, true, nil
}

// String describes the recognizer for diagnostics.
func (r *Recognizer) String() string {
	return fmt.Sprintf("speech-embedding command classifier (%d commands, %s)", len(r.head.Labels)-1, r.dir)
}
