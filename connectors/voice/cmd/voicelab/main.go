// Command voicelab is the voice stack's developer tool: it rebuilds the
// artifacts the app ships — today the keyword classifier's trained head,
// connectors/kws/commands.head, trained on a set it synthesizes with
// espeak-ng, festival and sox (trainingset.go) — from sources the
// repository names. It is built on demand and never linked into the app:
//
//	go run ./connectors/voice/cmd/voicelab train   (make voice-train)
//	go run ./connectors/voice/cmd/voicelab decoys  (connectors/sphinx/decoys.txt)
//
// It also holds the decoy search that derives pocketsphinx's decoys from
// the model (decoys.go). The measurement harnesses (the corpora, people's
// speech, the decoy gate) are tests of the voice tier, make test-voice;
// docs/voice.md says how the pieces fit and docs/voice-lab.md what was
// measured.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
)

const usage = `usage: voicelab <command> [flags]

commands:
  train   train the keyword classifier's head and write connectors/kws/commands.head
          (and its checksum, commands.head.sha256); about seven minutes
  decoys  derive pocketsphinx's decoys (words that sound almost like a command) from the
          installed model and write connectors/sphinx/decoys.txt

Run it from the repository's root (make voice-train does).
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "voicelab:", err)
		}
		os.Exit(2)
	}
}

// dispatch carries out one voicelab command; out gets its results and log its
// progress.
func dispatch(ctx context.Context, args []string, out, log io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(log, usage)
		return flag.ErrHelp
	}
	switch args[0] {
	case "train":
		return train(ctx, args[1:], out, log)
	case "decoys":
		return decoys(ctx, args[1:], out, log)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(out, usage)
		return nil
	}
	fmt.Fprint(log, usage)
	return fmt.Errorf("unknown command %q", args[0])
}
