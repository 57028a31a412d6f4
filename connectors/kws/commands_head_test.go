package kws

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestCommandsHead_Shipped checks the trained weights built into the
// binary: commands.head is the artifact `make voice-train` wrote (its
// SHA-256 is the one recorded beside it, so a head edited by hand or
// replaced by a Git LFS pointer fails here), and it loads as a classifier
// of exactly the commands, the last class none.
func TestCommandsHead_Shipped(t *testing.T) {
	rec, err := os.ReadFile("commands.head.sha256")
	if err != nil {
		t.Fatalf("the head's recorded checksum: %v (make voice-train writes it)", err)
	}
	sum := sha256.Sum256(commandsHead)
	if got, want := hex.EncodeToString(sum[:]), strings.TrimSpace(string(rec)); got != want {
		t.Errorf("sha256(commands.head) = %s, want %s (commands.head.sha256): rebuild both with make voice-train", got, want)
	}
	h, err := ReadHead(bytes.NewReader(commandsHead))
	if err != nil {
		t.Fatalf("ReadHead(commands.head) = %v", err)
	}
	if want := append(slices.Clone(Phrases), NoneLabel); !slices.Equal(h.Labels, want) {
		t.Errorf("commands.head labels = %q, want %q", h.Labels, want)
	}
}
