package kws

import (
	"bytes"
	_ "embed"
)

// commandsHead is the built-in command classifier, written by the app's
// TestTrainCommandClassifier (its HeadMeta says how it was trained).
//
//go:embed commands.head
var commandsHead []byte

func init() {
	defaultHead = func() (*Head, error) { return ReadHead(bytes.NewReader(commandsHead)) }
}
