package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/caseyos/caseyos/connectors/kws"
	"github.com/caseyos/caseyos/connectors/kws/kwstrain"
	"github.com/caseyos/caseyos/connectors/sphinx"
	"github.com/caseyos/caseyos/connectors/voice/vad"
)

// Seeds of the shipped command classifier: the training set's and the
// training's. Changing either, or the recipe, changes commands.head.
const (
	trainingSetSeed = 7
	trainingSeed    = 5
)

// train writes the keyword classifier built into the binary
// (connectors/kws/commands.head) from a training set synthesized the way
// GenerateTraining does: espeak-ng voices and festival's ked
// that the test corpus never uses, the commands and words and phrases that
// are not commands (none of the corpus's out-of-grammar phrases, nor a
// word that sounds like one of them), with sox's augmentation and noise.
// Each clip is learnt twice: whole, and as the listener's VAD cuts it from
// a stream (liveUtterance), which is what a microphone's audio reaches the
// classifier as. Beside the head it writes its SHA-256, which the kws
// tests check the embedded head against.
func train(ctx context.Context, args []string, out, log io.Writer) error {
	fs := flag.NewFlagSet("voicelab train", flag.ContinueOnError)
	fs.SetOutput(log)
	headPath := fs.String("out", "connectors/kws/commands.head", "where to write the head (its checksum goes to the same path + .sha256)")
	models := fs.String("models", modelDir(), "the speech-embedding models (make voice-models)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("train takes no arguments, got %q", fs.Args())
	}
	if err := CheckTraining(); err != nil {
		return err
	}
	dir, err := sphinx.FindLanguageModel()
	if err != nil {
		return err
	}
	mdir, err := kws.FindModels(*models)
	if err != nil {
		return err
	}
	emb, err := kws.LoadEmbedder(mdir)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "voicelab-train-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	o := TrainingOptions{Phrases: sphinx.Phrases, Seed: trainingSetSeed, ModelDir: dir, Decoys: sphinx.DecoyWords()}
	start := time.Now()
	var samples []kwstrain.Sample
	perLabel := map[string]int{}
	err = GenerateTraining(ctx, tmp, o, func(c TrainingClip) error {
		label := len(kws.Phrases) // none
		if c.Command {
			label = slices.Index(kws.Phrases, c.Text)
		}
		if label < 0 {
			return fmt.Errorf("training command %q is not one of the classifier's %v", c.Text, kws.Phrases)
		}
		add := func(pcm []int16) {
			samples = append(samples, kwstrain.Sample{Emb: kws.ClipFeatures(emb, pcm), Label: label})
			if label < len(kws.Phrases) {
				perLabel[c.Text]++
			} else {
				perLabel["(none)"]++
			}
		}
		add(c.PCM)
		// And as a microphone's audio reaches it: cut by the listener's
		// VAD, which in noise can end a word early.
		if live, ok := liveUtterance(c.PCM); ok {
			add(live)
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(log, "training set: %d clips in %v: %v\n", len(samples), time.Since(start).Round(time.Second), perLabel)
	start = time.Now()
	h, err := kwstrain.Train(ctx, samples, kwstrain.TrainOptions{Seed: trainingSeed, Progress: func(epoch int, loss float64) {
		fmt.Fprintf(log, "epoch %d: loss %.4f (%v)\n", epoch, loss, time.Since(start).Round(time.Second))
	}})
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := kws.WriteHead(&buf, h); err != nil {
		return err
	}
	if err := os.WriteFile(*headPath, buf.Bytes(), 0o644); err != nil {
		return err
	}
	sum := sha256.Sum256(buf.Bytes())
	if err := os.WriteFile(*headPath+".sha256", []byte(hex.EncodeToString(sum[:])+"\n"), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(out, "wrote %s (%d bytes, sha256 %x) in %v\n", *headPath, buf.Len(), sum, time.Since(start).Round(time.Second))
	return nil
}

// modelDir is $CASEYOS_KWS_MODELS, else build/kws-models under the
// current directory (the repository's root), where make voice-models puts
// them.
func modelDir() string {
	if d := os.Getenv(kws.ModelsEnv); d != "" {
		return d
	}
	return "build/kws-models"
}

// liveUtterance is what the listener would hand the recognizer for a clip
// played into the microphone: the first utterance its VAD cuts from the
// clip fed 20 ms at a time, the last one flushed at its end.
func liveUtterance(pcm []int16) ([]int16, bool) {
	d := vad.New(vad.Config{})
	var us []vad.Utterance
	for i := 0; i < len(pcm); i += 320 {
		us = append(us, d.Write(pcm[i:min(i+320, len(pcm))])...)
	}
	if u, ok := d.Flush(); ok {
		us = append(us, u)
	}
	if len(us) == 0 {
		return nil, false
	}
	return us[0].PCM, true
}
