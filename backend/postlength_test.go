package backend_test

import (
	"strings"
	"testing"

	"github.com/caseyos/caseyos/backend"
)

func TestPostLength(t *testing.T) {
	tests := []struct {
		name, text string
		want       int
	}{
		{"ASCII", "hello", 5},
		{"280 letters", strings.Repeat("a", 280), 280},
		{"a long link counts 23", "see https://example.com/a/very/long/path/that/goes/on?and=on&on=on", 4 + 23},
		{"a short link counts 23 too", "https://t.co", 23},
		{"a bare domain is a link", "try pebblecache.dev now", 4 + 23 + 4},
		{"trailing punctuation is not the link", "(https://x.com/a).", 1 + 23 + 2},
		{"an e-mail address is not a link", "jess@example.com", 16},
		{"a dotted word without a known TLD is text", "a.b", 3},
		{"CJK counts 2", "日本語", 6},
		{"an emoji counts 2", "👍", 2},
		{"a skin tone does not add", "👍🏽", 2},
		{"a ZWJ family counts once", "👨‍👩‍👧", 2},
		{"a flag counts once", "🇩🇪", 2},
		{"a keycap counts 2", "1️⃣", 2},
		{"accents in Latin-1 count 1", "café", 4},
		{"dashes and quotes count 1", "a—b “c”", 7},
		{"an ellipsis is outside the ranges: 2", "…", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := backend.PostLength(tt.text); got != tt.want {
				t.Errorf("PostLength(%q) = %d, want %d", tt.text, got, tt.want)
			}
		})
	}
}
