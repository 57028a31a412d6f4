package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/backend"
)

// VoiceRecognizeDTO is what `caseyos voice recognize --json` prints.
type VoiceRecognizeDTO struct {
	File     string  `json:"file"`
	Command  string  `json:"command"` // the phrase accepted, or "none"
	Heard    string  `json:"heard"`   // the closest phrase, even when rejected
	Intent   string  `json:"intent"`
	Accepted bool    `json:"accepted"`
	DecodeMS float64 `json:"decode_ms"`
	Seconds  float64 `json:"seconds"` // audio length
	// Recognizer is what answered: "online" or "offline".
	Recognizer string `json:"recognizer"`
	// RecognizerName names the online recognizer when it answered
	// ("whisper-1 at api.openai.com").
	RecognizerName string `json:"recognizer_name,omitempty"`
	// Fallback is why the online recognizer did not answer, when offline
	// answered in its place.
	Fallback string `json:"fallback,omitempty"`
}

func runVoice(ctx context.Context, c *command, args []string) int {
	if len(args) == 0 {
		c.usageError("voice needs recognize FILE.wav, devices or listen")
		return ExitUsage
	}
	sub, rest := args[0], args[1:]
	c.name = "voice " + sub
	switch sub {
	case "recognize":
		return runVoiceRecognize(ctx, c, rest)
	case "devices":
		return runVoiceDevices(ctx, c, rest)
	case "listen":
		return runVoiceListen(ctx, c, rest)
	}
	c.usageError(fmt.Sprintf("unknown voice command %q: recognize, devices or listen", sub))
	return ExitUsage
}

func (c *command) voiceRecognizer(model string) (backend.Recognizer, error) {
	v := c.env.Voice
	if v.Recognizer == nil {
		return nil, backend.Errorf(backend.EUNAVAILABLE, "this build has no speech recognizer")
	}
	if model == "" {
		model = v.ModelDir
	}
	return v.Recognizer(model)
}

func runVoiceRecognize(ctx context.Context, c *command, args []string) int {
	fs := c.flags()
	fs.BoolVar(&c.json, "json", false, "print JSON")
	model := fs.String("model", "", "the pocketsphinx model directory")
	pos, ok := c.parse(args, 1, "a 16 kHz mono WAV file")
	if !ok {
		return ExitUsage
	}
	if c.env.Voice.ReadWAV == nil {
		return c.fail(backend.Errorf(backend.EUNAVAILABLE, "this build cannot read audio files"))
	}
	pcm, err := c.env.Voice.ReadWAV(pos[0])
	if err != nil {
		return c.fail(err)
	}
	recs, err := c.voiceRecognizers(ctx, *model)
	if err != nil {
		return c.fail(err)
	}
	start := time.Now()
	res, err := recs.Recognition(ctx, pcm)
	if err != nil {
		return c.fail(err)
	}
	text, accepted := res.Text, res.OK
	out := VoiceRecognizeDTO{File: pos[0], Command: "none", Heard: text, Accepted: accepted,
		DecodeMS: float64(time.Since(start).Microseconds()) / 1000, Seconds: float64(len(pcm)) / 16000,
		Recognizer: res.By}
	if res.By == backend.RecognizerOnline {
		out.RecognizerName = recs.OnlineName()
	}
	if res.OnlineErr != nil {
		out.Fallback = backend.ErrorMessage(res.OnlineErr)
	}
	if accepted {
		out.Command, out.Intent = text, string(backend.ParseIntent(text))
	}
	if c.json {
		c.printJSON(c.env.Stdout, out)
		return ExitOK
	}
	closest := ""
	if !accepted && text != "" {
		closest = fmt.Sprintf(" (rejected; closest: %s)", text)
	}
	by := out.Recognizer
	if out.RecognizerName != "" {
		by += " recognizer (" + out.RecognizerName + ")"
	} else {
		by += " recognizer"
	}
	fmt.Fprintf(c.env.Stdout, "%s%s — decoded %.1f s of audio in %.0f ms by the %s\n", out.Command, closest, out.Seconds, out.DecodeMS, by)
	if out.Fallback != "" {
		fmt.Fprintf(c.env.Stdout, "  the online recognizer did not answer: %s\n", out.Fallback)
	}
	return ExitOK
}

func runVoiceDevices(ctx context.Context, c *command, args []string) int {
	fs := c.flags()
	fs.BoolVar(&c.json, "json", false, "print JSON")
	if _, ok := c.parse(args, 0, "no arguments"); !ok {
		return ExitUsage
	}
	if c.env.Voice.Microphone == nil {
		return c.fail(backend.Errorf(backend.EUNAVAILABLE, "this build cannot capture audio"))
	}
	devs, err := c.env.Voice.Microphone.Devices(ctx)
	if err != nil {
		return c.fail(err)
	}
	if c.json {
		if devs == nil {
			devs = []backend.AudioDevice{}
		}
		c.printJSON(c.env.Stdout, devs)
		return ExitOK
	}
	if len(devs) == 0 {
		fmt.Fprintln(c.env.Stdout, "No microphone found.")
		return ExitOK
	}
	for _, d := range devs {
		def := " "
		if d.Default {
			def = "*"
		}
		fmt.Fprintf(c.env.Stdout, "%s %s  %s\n", def, d.Name, d.ID)
	}
	return ExitOK
}

func runVoiceListen(ctx context.Context, c *command, args []string) int {
	fs := c.flags()
	fs.BoolVar(&c.json, "json", false, "print one JSON outcome per line")
	device := fs.String("device", "", "microphone id from `caseyos voice devices` (default: the system's)")
	mode := fs.String("mode", backend.ModeAlways, "always (every utterance is a command) or wake (say \"hey casey\" first)")
	model := fs.String("model", "", "the pocketsphinx model directory")
	quiet := fs.Bool("quiet", false, "no spoken read-back")
	if _, ok := c.parse(args, 0, "no arguments"); !ok {
		return ExitUsage
	}
	if *mode != backend.ModeAlways && *mode != backend.ModeWake {
		c.usageError("--mode is always or wake")
		return ExitUsage
	}
	if c.env.Voice.Microphone == nil {
		return c.fail(backend.Errorf(backend.EUNAVAILABLE, "this build cannot capture audio"))
	}
	dir, err := app.DataDir(c.g.dataDir)
	if err != nil {
		return c.fail(err)
	}
	env := c.env
	if *quiet {
		env.Voice.Speaker = nil
		c.env = env
	}
	a, done, err := c.openLocal(ctx, app.ChooseWorkspace(dir, c.g.demo, false))
	if err != nil {
		return c.fail(err)
	}
	defer done()
	// The App's recognizer: offline, or online first when an endpoint is
	// configured for this workspace.
	if err := a.Voice().PrepareVoice(*model); err != nil {
		return c.fail(err)
	}
	src, err := c.env.Voice.Microphone.Open(ctx, *device)
	if err != nil {
		return c.fail(err)
	}
	if err := a.Voice().SetVoiceMode(*mode); err != nil {
		return c.fail(err)
	}
	fmt.Fprintf(c.env.Stderr, "Listening (%s) with %s. Say \"stop listening\" or press Ctrl-C to end.\n", *mode, hearsWith(a.Voice().VoiceStatus()))
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	l := a.Voice().Listener(func(o backend.VoiceOutcome, lat time.Duration) {
		if c.json {
			c.printJSON(c.env.Stdout, struct {
				backend.VoiceOutcome
				LatencyMS int64 `json:"latency_ms"`
			}{o, lat.Milliseconds()})
		} else if o.Ignored != "" {
			fmt.Fprintf(c.env.Stdout, "· ignored (%s) %s\n", o.Ignored, o.Heard)
		} else {
			fmt.Fprintf(c.env.Stdout, "▶ %s → %s: %s  [%d ms]\n", o.Heard, nonDash(o.Action), o.Said, lat.Milliseconds())
		}
		if o.Intent == backend.IntentStopListening {
			cancel()
		}
	})
	defer src.Close()
	if err := l.Run(lctx, src); err != nil && lctx.Err() == nil {
		return c.fail(err)
	}
	return ExitOK
}

// hearsWith says which recognizer hears commands, for `voice listen`.
func hearsWith(st app.VoiceStatusDTO) string {
	o := st.Online
	switch {
	case o == nil:
		return "the offline recognizer"
	case o.State == "unavailable":
		return "the offline recognizer (the online one cannot be used: " + o.Message + ")"
	case st.ActiveRecognizer == backend.RecognizerOnline:
		return "the online recognizer (" + o.Name + ")"
	}
	return "the online recognizer (" + o.Name + ") first, the offline one when it fails"
}
