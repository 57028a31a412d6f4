//go:build sphinx

package sphinx

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// Recognizer is also the grammar of connectors/voice (voice.Grammar: it
// vetoes and confirms); main wires it into voice.ClassifierFirst, which
// checks that at compile time without this connector importing another.
var _ backend.Recognizer = (*Recognizer)(nil)

// Recognizer is the offline command recognizer. It is safe for concurrent
// use; decodes are serialized.
type Recognizer struct {
	cfg    Config
	mu     sync.Mutex
	dec    *decoder
	prons  map[string][][]string
	decoys map[string][]string // phrase → its near-miss words
	// inflections are the phrases' inflected forms (Inflections).
	inflections map[string][]string
	// misspoken holds the decoys that sound like their phrase said reduced
	// or with an accent (misspoken): Veto and Confirm ignore them.
	misspoken map[string]map[string]bool
	last      memo // the last decode, for the same audio asked again
	runs      int  // utterances decoded (not answered from last)
}

// memo is one decode's result and a digest of the audio it was for. The
// shipped recognizer asks pocketsphinx twice about an utterance whose
// command the classifier heard and the decoy pass vetoed (Veto, then
// Recognize): the second answer comes from here, 80 ms sooner and the
// same as the first.
type memo struct {
	ok  bool
	n   int
	sum uint64
	res Result
}

// digest is the FNV-1a hash of the samples.
func digest(pcm []int16) uint64 {
	h := uint64(14695981039346656037)
	for _, v := range pcm {
		h = (h ^ uint64(uint16(v))) * 1099511628211
	}
	return h
}

// Available reports whether this build has pocketsphinx in it.
const Available = true

// New loads the model and returns a Recognizer.
func New(cfg Config) (*Recognizer, error) {
	cfg = cfg.withDefaults()
	m, err := FindModel(cfg.ModelDir)
	if err != nil {
		return nil, err
	}
	dict := commandDict
	var filler []string
	var decoys map[string][]string
	if m.Dict != "" {
		if cfg.FillerWords > 0 {
			filler = Filler(cfg.FillerWords)
		}
		// One read of the 134,000-word file: the command and filler words
		// must all be there; a decoy another model's dictionary lacks is
		// left out.
		want := append(Words(), filler...)
		var embedded map[string][]string
		var spellings []string
		if !cfg.NoDecoys {
			embedded = parseDecoys(decoyList)
			spellings = inflectionSpellings(Phrases)
		}
		var found map[string]bool
		if dict, found, err = extractDict(m.Dict, slices.Concat(want, allDecoys(embedded), spellings)); err == nil {
			err = requireAll(m.Dict, want, found)
		}
		if err != nil {
			return nil, &backend.Error{Code: backend.EUNAVAILABLE, Op: "sphinx.New", Message: "the speech model's dictionary cannot be read", Err: err}
		}
		decoys = decoysFound(embedded, found)
	}
	f, err := os.CreateTemp("", "caseyos-commands-*.dict")
	if err != nil {
		return nil, &backend.Error{Code: backend.EINTERNAL, Op: "sphinx.New", Message: "cannot write the command dictionary", Err: err}
	}
	defer os.Remove(f.Name())
	if _, err := f.WriteString(dict); err != nil {
		f.Close()
		return nil, &backend.Error{Code: backend.EINTERNAL, Op: "sphinx.New", Message: "cannot write the command dictionary", Err: err}
	}
	f.Close()
	phoneLM := ""
	if cfg.PhoneLM {
		phoneLM = m.PhoneLM
	}
	dictPath := f.Name()
	// -remove_noise no: spectral subtraction cost 8 points of accuracy on
	// the corpus. -allphone_ci yes: a context-dependent phone loop takes
	// seconds per utterance; context-independent phones take ~40 ms.
	args := []string{"-hmm", m.Acoustic, "-dict", dictPath, "-samprate", "16000", "-logfn", "/dev/null",
		"-remove_noise", "no", "-allphone_ci", "yes"}
	args = append(overridden(args, cfg.ExtraArgs), cfg.ExtraArgs...)
	prons := pronunciations(dict)
	grammars := map[string]string{}
	for phrase, words := range decoys {
		if len(words) > 0 {
			grammars[decoySearch(phrase)] = DecoyGrammar(phrase, words, cfg.DecoyWeight)
		}
	}
	inflections := map[string][]string{}
	if !cfg.NoDecoys && cfg.InflectionWeight >= 0 {
		for phrase, words := range Inflections(Phrases, prons) {
			w := cfg.InflectionWeight
			if w == 0 {
				w = inflectionWeight[phrase]
			}
			if w > 0 {
				inflections[phrase] = words
				grammars[inflectionSearch(phrase)] = DecoyGrammar(phrase, words, w)
			}
		}
	}
	d, err := newDecoder(args, Grammar(filler, cfg.FillerWeight), phoneLM, grammars)
	if err != nil {
		return nil, &backend.Error{Code: backend.EUNAVAILABLE, Op: "sphinx.New", Message: "the speech model cannot be loaded", Err: err}
	}
	return &Recognizer{cfg: cfg, dec: d, prons: prons, decoys: decoys, inflections: inflections, misspoken: misspokenDecoys(decoys, prons)}, nil
}

// Close frees the decoder.
func (r *Recognizer) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.dec.close()
	return nil
}

// Decode runs both passes over one utterance and decides whether to accept
// the grammar's hypothesis. Asked again about the same audio, it answers
// from the last decode.
func (r *Recognizer) Decode(pcm []int16) (Result, error) {
	start := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.dec.ps == nil {
		return Result{}, backend.Errorf(backend.EUNAVAILABLE, "the recognizer is closed")
	}
	sum := digest(pcm)
	if r.last.ok && r.last.n == len(pcm) && r.last.sum == sum {
		res := r.last.res
		res.Elapsed = time.Since(start)
		return res, nil
	}
	res, err := r.decode(pcm)
	if err != nil {
		return Result{}, err
	}
	r.last = memo{ok: true, n: len(pcm), sum: sum, res: res}
	res.Elapsed = time.Since(start)
	return res, nil
}

// decode is Decode's work, under r.mu.
func (r *Recognizer) decode(pcm []int16) (Result, error) {
	r.runs++
	g, err := r.dec.decode(searchCommands, pcm)
	if err != nil {
		return Result{}, &backend.Error{Code: backend.EINTERNAL, Op: "sphinx.Decode", Message: "decoding failed", Err: err}
	}
	res := Result{Hypothesis: strings.TrimSpace(g.hyp), Frames: g.frames}
	if !isPhrase(res.Hypothesis) {
		// Filler won: not a command.
		res.Filler, res.Hypothesis = res.Hypothesis, ""
	}
	if res.Hypothesis != "" {
		p, err := r.dec.decode(searchPhones, pcm)
		if err != nil {
			return Result{}, &backend.Error{Code: backend.EINTERNAL, Op: "sphinx.Decode", Message: "decoding failed", Err: err}
		}
		r.score(&res, g, p)
		if len(r.decoys[res.Hypothesis]) > 0 {
			d, err := r.dec.decode(decoySearch(res.Hypothesis), pcm)
			if err != nil {
				return Result{}, &backend.Error{Code: backend.EINTERNAL, Op: "sphinx.Decode", Message: "decoding failed", Err: err}
			}
			if h := strings.TrimSpace(d.hyp); h != res.Hypothesis {
				res.Decoy = h // "" too: the second pass found no path at all
				if h == "" {
					res.Decoy = noDecoyPath
				}
			}
		}
		if len(r.inflections[res.Hypothesis]) > 0 {
			if res.Inflection, err = r.inflection(res.Hypothesis, pcm); err != nil {
				return Result{}, &backend.Error{Code: backend.EINTERNAL, Op: "sphinx.Decode", Message: "decoding failed", Err: err}
			}
		}
		res.Accepted = r.cfg.accept(res)
	}
	return res, nil
}

// inflection is the inflection of phrase that beat it in the inflection
// pass over pcm, or "". Under r.mu.
func (r *Recognizer) inflection(phrase string, pcm []int16) (string, error) {
	p, err := r.dec.decode(inflectionSearch(phrase), pcm)
	if h := strings.TrimSpace(p.hyp); err == nil && h != phrase {
		return h, nil // "" when the pass found no path at all
	}
	return "", err
}

// Veto implements voice.Vetoer: for a command another recognizer heard,
// the decoy that made this recognizer reject the same command ("skipping"
// for skip), or "". It vetoes only when its own grammar heard that command
// and its phone-loop checks passed, so that the decoy pass alone decides:
// on speech the model fits badly (espeak-ng's voices, noise) its grammar
// seldom hears the command and it leaves the other recognizer's answer be.
// A misspoken decoy ("prove" for approve) does not veto. An inflection
// that beat the command ("cancelled" for cancel) vetoes whatever the
// phone-loop checks said: the pass compares the two words over the same
// audio, so it decides on its own.
func (r *Recognizer) Veto(ctx context.Context, pcm []int16, command string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	res, err := r.Decode(pcm)
	if err != nil {
		return "", err
	}
	if res.Hypothesis == command && res.Inflection != "" {
		return res.Inflection, nil
	}
	if res.Hypothesis != command || res.Decoy == "" || res.Decoy == noDecoyPath || r.misspoken[command][res.Decoy] {
		return "", nil
	}
	without := res
	without.Decoy = ""
	if !r.cfg.accept(without) {
		return "", nil
	}
	return res.Decoy, nil
}

// Confirm implements voice.Confirmer: whether this recognizer's grammar,
// before its rejection's thresholds, heard command too, and none of its
// decoys but a misspoken one, nor an inflection, fitted better. It is the weaker test that lets two recognizers
// agree where neither alone was sure enough.
func (r *Recognizer) Confirm(ctx context.Context, pcm []int16, command string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	res, err := r.Decode(pcm)
	if err != nil {
		return false, err
	}
	return res.Hypothesis == command && res.Inflection == "" && (res.Decoy == "" || r.misspoken[command][res.Decoy]), nil
}

// noDecoyPath is Result.Decoy when the decoy pass found no path at all.
const noDecoyPath = "(none)"

// score compares the grammar's account of the speech with the phone
// loop's over the same frames: from the first to the last frame the grammar
// assigned to a word, so that the silence around a command (which both
// passes model equally well) does not dilute the comparison.
func (r *Recognizer) score(res *Result, g, p pass) {
	first, last := -1, -1
	var gs int64
	for _, s := range g.segs {
		if s.isFiller() {
			continue
		}
		if first < 0 {
			first = s.sf
		}
		last = s.ef
	}
	if first < 0 {
		return
	}
	for _, s := range g.segs {
		if s.sf >= first && s.ef <= last {
			gs += int64(s.ascr)
		}
	}
	var ps int64
	var phones []string
	for _, s := range p.segs {
		// Phone segments straddling the span count in proportion.
		lo, hi := max(s.sf, first), min(s.ef, last)
		if hi < lo {
			continue
		}
		ps += int64(s.ascr) * int64(hi-lo+1) / int64(s.ef-s.sf+1)
		if !s.isFiller() {
			phones = append(phones, s.word)
		}
	}
	res.SpeechFrames = last - first + 1
	res.ScoreRatio = float64(gs-ps) / float64(res.SpeechFrames)
	res.Phones = strings.Join(phones, " ")
	res.PhoneError = r.phoneError(res.Hypothesis, phones)
}

func isPhrase(s string) bool {
	for _, p := range Phrases {
		if s == p {
			return true
		}
	}
	return false
}

// phoneError is the phone-loop's distance from the closest pronunciation of
// hyp, per phone of that pronunciation.
func (r *Recognizer) phoneError(hyp string, phones []string) float64 {
	best := -1.0
	for _, seq := range phraseProns(hyp, r.prons) {
		if len(seq) == 0 {
			continue
		}
		e := float64(PhoneDistance(seq, phones)) / float64(len(seq))
		if best < 0 || e < best {
			best = e
		}
	}
	if best < 0 {
		return 1
	}
	return best
}

// Recognize implements backend.Recognizer: the command heard, and ok false
// when the utterance was rejected as not a command.
func (r *Recognizer) Recognize(ctx context.Context, pcm []int16) (string, bool, error) {
	if err := ctx.Err(); err != nil {
		return "", false, err
	}
	res, err := r.Decode(pcm)
	if err != nil {
		return "", false, err
	}
	return res.Hypothesis, res.Accepted, nil
}

// String describes the recognizer for diagnostics.
func (r *Recognizer) String() string { return fmt.Sprintf("pocketsphinx (%s)", r.cfg.ModelDir) }
