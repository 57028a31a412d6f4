package sphinx

import "time"

// Result is what the recognizer made of one utterance.
type Result struct {
	Filler       string  // the filler words the grammar preferred to any command
	Hypothesis   string  // the grammar's best phrase; "" when nothing matched at all
	Accepted     bool    // the hypothesis passed rejection
	Phones       string  // the phone loop's hypothesis
	Decoy        string  // the near-miss word (Decoys) that fit better than the hypothesis; "" when none did
	Inflection   string  // the hypothesis's inflected form (Inflections) that fit better, "cancelled" for cancel; "" when none did
	ScoreRatio   float64 // (grammar − phone loop) acoustic score per frame; 0 is a perfect match, more negative is worse
	PhoneError   float64 // edit distance of the phone loop from the hypothesis, per expected phone
	Frames       int     // 10 ms frames decoded
	SpeechFrames int     // frames from the first to the last word
	Elapsed      time.Duration
}

// Config tunes the recognizer. The zero value is the measured default.
type Config struct {
	ModelDir string // "" finds the model in ModelDirs

	// MinScoreRatio and MaxPhoneError are the rejection thresholds: a
	// hypothesis is accepted only when its grammar score per frame is
	// within MinScoreRatio of the unconstrained phone loop's and the phone
	// loop heard roughly the hypothesis's phones.
	MinScoreRatio float64
	MaxPhoneError float64

	// FillerWords is how many filler words the grammar offers besides the
	// commands (0: none, the default — measured, it swallows the commands
	// too), and FillerWeight their weight against the commands' 1.
	FillerWords  int
	FillerWeight float64

	// NoDecoys turns the decoy check off; DecoyWeight is a decoy's weight
	// against the hypothesis's 1 in the second pass.
	NoDecoys    bool
	DecoyWeight float64

	// InflectionWeight, when positive, is every inflection's weight
	// against its phrase's 1 in the inflection pass (Inflections), in
	// place of the measured per-phrase weights (inflectionWeight); a
	// negative one turns the pass off, as NoDecoys does.
	InflectionWeight float64

	PhoneLM   bool     // weight the phone loop with en-us-phone.lm.bin (slower, measured worse)
	ExtraArgs []string // extra pocketsphinx arguments, for tuning
}

// Default rejection thresholds (docs/voice-lab.md).
const (
	DefaultMinScoreRatio = -10
	DefaultMaxPhoneError = 1.0
	DefaultFillerWeight  = 1.0
	DefaultDecoyWeight   = 1.0
)

func (c Config) withDefaults() Config {
	if c.FillerWeight == 0 {
		c.FillerWeight = DefaultFillerWeight
	}
	if c.DecoyWeight == 0 {
		c.DecoyWeight = DefaultDecoyWeight
	}
	if c.MinScoreRatio == 0 {
		c.MinScoreRatio = DefaultMinScoreRatio
	}
	if c.MaxPhoneError == 0 {
		c.MaxPhoneError = DefaultMaxPhoneError
	}
	return c
}

func (c Config) accept(r Result) bool {
	return r.Hypothesis != "" && r.ScoreRatio >= c.MinScoreRatio && r.PhoneError <= c.MaxPhoneError &&
		(c.NoDecoys || r.Decoy == "" && r.Inflection == "")
}
