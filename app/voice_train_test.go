package app_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/caseyos/caseyos/connectors/kws"
	"github.com/caseyos/caseyos/connectors/sphinx"
	"github.com/caseyos/caseyos/connectors/sphinx/sphinxtest"
)

// Seeds of the shipped command classifier: the training set's and the
// training's. Changing either, or the recipe, changes commands.head.
const (
	trainingSetSeed = 7
	trainingSeed    = 5
)

// TestTrainCommandClassifier writes connectors/kws/commands.head, the
// keyword classifier built into the binary, from a training set
// synthesized the way sphinxtest.GenerateTraining does: espeak-ng voices
// and festival's ked that the test corpus never uses, the commands and
// words and phrases that are not commands (none of the corpus's
// out-of-grammar phrases, nor a word that sounds like one of them), with
// sox's augmentation and noise. Each clip is learnt twice: whole, and as
// the listener's VAD cuts it from a stream (liveUtterance), which is what
// a microphone's audio reaches the classifier as. It takes about seven
// minutes:
//
//	CASEYOS_TRAIN_KWS=1 go test -run TestTrainCommandClassifier -timeout 60m -v ./app/
func TestTrainCommandClassifier(t *testing.T) {
	if os.Getenv("CASEYOS_TRAIN_KWS") == "" {
		t.Skip("CASEYOS_TRAIN_KWS=1 trains connectors/kws/commands.head")
	}
	if err := sphinxtest.CheckTraining(); err != nil {
		t.Fatal(err)
	}
	dir, err := sphinx.FindLanguageModel()
	if err != nil {
		t.Fatal(err)
	}
	o := sphinxtest.TrainingOptions{Phrases: sphinx.Phrases, Seed: trainingSetSeed, ModelDir: dir, Decoys: sphinx.DecoyWords()}
	emb := mustEmbedder(t)
	ctx := context.Background()
	start := time.Now()
	var samples []kws.Sample
	perLabel := map[string]int{}
	err = sphinxtest.GenerateTraining(ctx, t.TempDir(), o, func(c sphinxtest.TrainingClip) error {
		label := len(kws.Phrases) // none
		if c.Command {
			label = slices.Index(kws.Phrases, c.Text)
		}
		if label < 0 {
			t.Fatalf("training command %q is not one of the classifier's %v", c.Text, kws.Phrases)
		}
		add := func(pcm []int16) {
			samples = append(samples, kws.Sample{Emb: kws.ClipFeatures(emb, pcm), Label: label})
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
		t.Fatal(err)
	}
	t.Logf("training set: %d clips in %v: %v", len(samples), time.Since(start).Round(time.Second), perLabel)
	start = time.Now()
	h, err := kws.Train(ctx, samples, kws.TrainOptions{Seed: trainingSeed, Progress: func(epoch int, loss float64) {
		t.Logf("epoch %d: loss %.4f (%v)", epoch, loss, time.Since(start).Round(time.Second))
	}})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := kws.WriteHead(&buf, h); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join("..", "connectors", "kws", "commands.head")
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d bytes) in %v", out, buf.Len(), time.Since(start).Round(time.Second))
}

// mustEmbedder loads the speech-embedding models (make voice-models).
func mustEmbedder(tb testing.TB) *kws.Embedder {
	tb.Helper()
	dir, err := kws.FindModels(kwsModelDir())
	if err != nil {
		tb.Fatal(err)
	}
	e, err := kws.LoadEmbedder(dir)
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// kwsModelDir is $CASEYOS_KWS_MODELS, else the repository's
// build/kws-models, where make voice-models puts them.
func kwsModelDir() string {
	if d := os.Getenv(kws.ModelsEnv); d != "" {
		return d
	}
	return filepath.Join("..", "build", "kws-models")
}
