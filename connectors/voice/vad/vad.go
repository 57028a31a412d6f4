// Package vad finds utterances in a stream of 16-bit mono PCM: an energy
// detector against an adaptive noise floor, with a start debounce, a
// pre-roll so the first consonant is kept, a hangover so short pauses
// inside a command ("read … it") do not cut it, and a bound on utterance
// length. It is pure Go and allocation-light; backend's listener runs it.
//
// An utterance is also offered early, as Tentative, part-way into the
// hangover, with the rest of the hangover filled in by repeating the quiet
// just heard: the utterance the hangover then closes is that same audio,
// sample for sample, unless speech came back. So a listener can start
// decoding while the hangover runs out, and the answer is the one the
// closed utterance would have got.
package vad

import (
	"math"
	"slices"
	"time"
)

// Config tunes a Detector. The zero value of a field means its default.
type Config struct {
	SampleRate int           // default 16000
	Frame      time.Duration // analysis frame; default 10 ms
	// Threshold is how far above the noise floor a frame must be to count
	// as speech (default 9 dB); MinLevel is an absolute floor in dB
	// relative to one LSB RMS (default 36 dB, about −54 dBFS) so that a
	// silent room's dither never counts.
	Threshold float64
	MinLevel  float64
	Start     time.Duration // speech needed to open an utterance; default 60 ms
	Hangover  time.Duration // non-speech that closes it; default 200 ms
	// Early is the non-speech after which the open utterance is offered as
	// Tentative; default half the Hangover. The closed utterance holds
	// Early of what was heard after the speech and then that quiet again.
	Early time.Duration
	// Tail is the non-speech a closed utterance ends with (default 400 ms,
	// at least Hangover): the quiet after the speech is repeated to fill
	// it. The keyword classifier was trained on clips with that much after
	// the speech, and hears far worse with the hangover's 200 ms alone.
	Tail      time.Duration
	PreRoll   time.Duration // audio kept from before the start; default 150 ms
	MaxLength time.Duration // an utterance is cut (and marked Truncated) here; default 4 s
	// MinLength: shorter speech is dropped as a click; default 80 ms. In
	// noise a short word's vowel may be all that is above the floor: "skip"
	// at 13 dB SNR is about 100 ms of it.
	MinLength time.Duration
}

func (c Config) withDefaults() Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	if c.SampleRate == 0 {
		c.SampleRate = 16000
	}
	def(&c.Frame, 10*time.Millisecond)
	def(&c.Start, 60*time.Millisecond)
	def(&c.Hangover, 200*time.Millisecond)
	def(&c.Early, c.Hangover/2)
	c.Early = min(c.Early, c.Hangover)
	def(&c.Tail, 400*time.Millisecond)
	c.Tail = max(c.Tail, c.Hangover)
	def(&c.PreRoll, 150*time.Millisecond)
	def(&c.MaxLength, 4*time.Second)
	def(&c.MinLength, 80*time.Millisecond)
	if c.Threshold == 0 {
		c.Threshold = 9
	}
	if c.MinLevel == 0 {
		c.MinLevel = 36
	}
	return c
}

// frameLen is the analysis frame in samples.
func (c Config) frameLen() int {
	return int(int64(c.SampleRate) * int64(c.Frame) / int64(time.Second))
}

// Utterance is one stretch of speech with its pre-roll and hangover.
type Utterance struct {
	PCM []int16
	// Start and SpeechEnd are offsets into the stream: where the kept audio
	// begins and where the last speech frame ended. The utterance is
	// reported Hangover after SpeechEnd.
	Start, SpeechEnd time.Duration
	// Truncated is set when speech ran past MaxLength; such an utterance is
	// longer than any command.
	Truncated bool
}

// Detector segments a stream. It is not safe for concurrent use.
type Detector struct {
	cfg                                  Config
	frameLen                             int
	startFrames, hangFrames, earlyFrames int
	tailFrames                           int
	preFrames, maxFrames, minF           int

	partial []int16 // samples of an incomplete frame
	pos     int64   // samples consumed in whole frames

	floor      float64 // noise floor, dB
	floorReady bool

	ring []int16 // the last preFrames frames, for pre-roll

	inSpeech  bool
	waitQuiet bool // after a truncation: wait for silence before the next utterance
	run       int  // consecutive speech frames while not in speech
	quiet     int  // consecutive non-speech frames while in speech
	speechLen int  // frames since the utterance opened
	cur       []int16
	curStart  int64
	lastVoice int64 // sample offset of the end of the last speech frame

	tentative *Utterance // the open utterance as it closes if no speech comes back
}

// New returns a Detector.
func New(cfg Config) *Detector {
	cfg = cfg.withDefaults()
	fl := cfg.frameLen()
	frames := func(d time.Duration) int { return int(d / cfg.Frame) }
	hang := max(1, frames(cfg.Hangover))
	return &Detector{cfg: cfg, frameLen: fl, startFrames: max(1, frames(cfg.Start)), hangFrames: hang,
		earlyFrames: min(hang, max(1, frames(cfg.Early))), tailFrames: max(hang, frames(cfg.Tail)),
		preFrames: frames(cfg.PreRoll), maxFrames: frames(cfg.MaxLength), minF: frames(cfg.MinLength)}
}

// Config returns the detector's configuration with defaults filled in.
func (d *Detector) Config() Config { return d.cfg }

// InSpeech reports whether an utterance is open.
func (d *Detector) InSpeech() bool { return d.inSpeech }

// Tentative returns the open utterance as the hangover will close it if no
// speech comes back: offered once Early of non-speech followed the speech,
// withdrawn when speech resumes. The utterance Write then returns has the
// same Start, SpeechEnd and PCM. Short speech the hangover will drop is
// never offered.
func (d *Detector) Tentative() (Utterance, bool) {
	if d.tentative == nil {
		return Utterance{}, false
	}
	return *d.tentative, true
}

// Level returns the noise floor in dB (relative to one LSB RMS).
func (d *Detector) Level() float64 { return d.floor }

// Write consumes samples and returns the utterances they completed.
func (d *Detector) Write(pcm []int16) []Utterance {
	var out []Utterance
	for len(pcm) > 0 {
		need := d.frameLen - len(d.partial)
		if len(d.partial) == 0 && len(pcm) >= d.frameLen {
			if u, ok := d.frame(pcm[:d.frameLen]); ok {
				out = append(out, u)
			}
			pcm = pcm[d.frameLen:]
			continue
		}
		n := min(need, len(pcm))
		d.partial = append(d.partial, pcm[:n]...)
		pcm = pcm[n:]
		if len(d.partial) == d.frameLen {
			if u, ok := d.frame(d.partial); ok {
				out = append(out, u)
			}
			d.partial = d.partial[:0]
		}
	}
	return out
}

// Flush ends the stream (or push-to-talk was let go): an open utterance is
// returned at once.
func (d *Detector) Flush() (Utterance, bool) {
	if !d.inSpeech {
		return Utterance{}, false
	}
	// Push-to-talk let go soon after the speech: the utterance as it was
	// offered, or, before the offer, with the quiet heard since repeated to
	// the Tail, as when the hangover closes an utterance. Let go during
	// speech, there is no quiet to repeat.
	var pcm []int16
	switch {
	case d.tentative != nil:
		pcm = d.tentative.PCM
	case d.quiet > 0:
		pcm = d.filled(d.quiet)
	}
	u, ok := d.close(false)
	if ok && pcm != nil {
		u.PCM = pcm
	}
	return u, ok
}

func (d *Detector) dur(samples int64) time.Duration {
	return time.Duration(samples * int64(time.Second) / int64(d.cfg.SampleRate))
}

// Energy returns a frame's RMS level in dB relative to one LSB.
func Energy(frame []int16) float64 {
	var sum float64
	for _, s := range frame {
		v := float64(s)
		sum += v * v
	}
	ms := sum / float64(len(frame))
	if ms < 1 {
		return 0
	}
	return 10 * math.Log10(ms)
}

func (d *Detector) frame(f []int16) (Utterance, bool) {
	e := Energy(f)
	if !d.floorReady {
		d.floor, d.floorReady = e, true
	}
	speech := e > d.floor+d.cfg.Threshold && e > d.cfg.MinLevel
	// The floor follows quiet frames down fast and creeps up slowly
	// (≈ 3 dB a second), and holds still during speech, so a long
	// command does not raise it and steady noise is learnt in seconds.
	switch {
	case e < d.floor:
		d.floor += 0.2 * (e - d.floor)
	case !speech && !d.inSpeech:
		d.floor += min(0.03, e-d.floor)
	}
	start := d.pos
	d.pos += int64(len(f))

	if d.waitQuiet {
		if speech {
			d.quiet = 0
		} else if d.quiet++; d.quiet >= d.hangFrames {
			d.waitQuiet, d.quiet = false, 0
		}
		d.remember(f)
		return Utterance{}, false
	}
	if !d.inSpeech {
		d.remember(f)
		if !speech {
			d.run = 0
			return Utterance{}, false
		}
		if d.run++; d.run < d.startFrames {
			return Utterance{}, false
		}
		// Open: the ring already holds the debounce frames and the pre-roll.
		d.inSpeech, d.quiet, d.run = true, 0, 0
		d.cur = append(d.cur[:0], d.ring...)
		d.curStart = d.pos - int64(len(d.ring))
		d.speechLen = d.startFrames
		d.lastVoice = d.pos
		d.ring = d.ring[:0]
		return Utterance{}, false
	}
	d.cur = append(d.cur, f...)
	d.speechLen++
	if speech {
		d.quiet = 0
		d.lastVoice = start + int64(len(f))
		d.tentative = nil
	} else {
		d.quiet++
	}
	if d.quiet == d.earlyFrames && d.speechLen-d.quietFramesAtEnd() >= d.minF {
		d.offer()
	}
	if d.quiet >= d.hangFrames {
		return d.closeQuiet()
	}
	if d.speechLen >= d.maxFrames {
		d.waitQuiet = true
		return d.close(true)
	}
	return Utterance{}, false
}

// remember keeps the last preFrames+startFrames frames for the pre-roll.
func (d *Detector) remember(f []int16) {
	keep := (d.preFrames + d.startFrames) * d.frameLen
	d.ring = append(d.ring, f...)
	if len(d.ring) > keep {
		d.ring = append(d.ring[:0], d.ring[len(d.ring)-keep:]...)
	}
}

// offer makes the tentative utterance: what is open now, then the quiet
// after the speech repeated until the Tail is filled.
func (d *Detector) offer() {
	d.tentative = &Utterance{PCM: d.filled(d.earlyFrames), Start: d.dur(d.curStart), SpeechEnd: d.dur(d.lastVoice)}
}

// filled is the open utterance, whose last quietFrames frames are the
// quiet after the speech, with that quiet repeated until Tail.
func (d *Detector) filled(quietFrames int) []int16 {
	n := (d.tailFrames - quietFrames) * d.frameLen
	pcm := make([]int16, len(d.cur), len(d.cur)+n)
	copy(pcm, d.cur)
	quiet := d.cur[len(d.cur)-quietFrames*d.frameLen:]
	for n > 0 {
		k := min(n, len(quiet))
		pcm = append(pcm, quiet[:k]...)
		n -= k
	}
	return pcm
}

// closeQuiet closes the utterance when the hangover ran out: as it was
// offered, or filled to Tail now if it never was.
func (d *Detector) closeQuiet() (Utterance, bool) {
	t := d.tentative
	if t == nil {
		t = &Utterance{PCM: d.filled(d.hangFrames), Start: d.dur(d.curStart), SpeechEnd: d.dur(d.lastVoice)}
	}
	u, ok := d.close(false)
	if ok {
		u.PCM = t.PCM
	}
	return u, ok
}

func (d *Detector) close(truncated bool) (Utterance, bool) {
	d.inSpeech, d.quiet = false, 0
	voiced := d.speechLen - d.quietFramesAtEnd()
	u := Utterance{PCM: append([]int16(nil), d.cur...), Start: d.dur(d.curStart), SpeechEnd: d.dur(d.lastVoice), Truncated: truncated}
	d.cur, d.tentative = d.cur[:0], nil
	if voiced < d.minF && !truncated {
		return Utterance{}, false
	}
	return u, true
}

func (d *Detector) quietFramesAtEnd() int {
	return int((d.curStart + int64(len(d.cur)) - d.lastVoice) / int64(d.frameLen))
}

// Heard is Config{}.Heard: the utterance without the tail the detector
// filled in, for a detector with the default configuration.
func Heard(pcm []int16) []int16 { return Config{}.Heard(pcm) }

// Heard returns an utterance this configuration's detector cut without
// the tail it filled in by repeating the quiet after the speech: what the
// microphone heard, with at least Early of that quiet kept. The keyword
// classifier wants the Tail; pocketsphinx hears a repeated quiet, which
// can hold the end of a word, as more speech. Audio that does not end in
// such a repetition (a whole clip, push-to-talk let go during speech) comes
// back as it is. The result shares pcm's array.
func (c Config) Heard(pcm []int16) []int16 {
	c = c.withDefaults()
	fl := c.frameLen()
	tail := int(c.Tail/c.Frame) * fl
	keep := int(min(c.Early, c.Hangover)/c.Frame) * fl
	if fl <= 0 || len(pcm) < tail {
		return pcm
	}
	// The tail is a block q of the quiet heard (a whole number of frames)
	// and then tail−q samples repeating it: the shortest such block.
	for q := fl; q < tail; q += fl {
		fill := tail - q
		end := pcm[len(pcm)-fill:]
		src := pcm[len(pcm)-fill-q:]
		if slices.Equal(end, src[:fill]) {
			return pcm[:len(pcm)-fill+max(0, keep-q)]
		}
	}
	return pcm
}
