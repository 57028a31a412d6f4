package kws

import (
	"bytes"
	_ "embed"
)

// commandsHead is the built-in command classifier, written by make
// voice-train (connectors/voice/cmd/voicelab train; its HeadMeta says how
// it was trained, commands.head.sha256 records its checksum).
//
//go:embed commands.head
var commandsHead []byte

func init() {
	defaultHead = func() (*Head, error) { return ReadHead(bytes.NewReader(commandsHead)) }
}
