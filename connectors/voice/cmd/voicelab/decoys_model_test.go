//go:build sphinx

package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestDecoys_UpToDate derives the decoys from pocketsphinx-en-us's
// dictionary and language model and compares them with the decoys.txt the
// recognizer embeds; voicelab decoys (go run ./connectors/voice/cmd/voicelab
// decoys) rewrites the file instead.
func TestDecoys_UpToDate(t *testing.T) {
	got, err := deriveDecoys(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "..", "..", "sphinx", "decoys.txt")
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s is out of date with the installed model: run go run ./connectors/voice/cmd/voicelab decoys\n got %q\nwant %q", path, got, want)
	}
}
