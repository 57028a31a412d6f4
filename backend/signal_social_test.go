package backend_test

import (
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

func socialSignal(typ backend.SignalType, p backend.Post) *backend.Signal {
	return &backend.Signal{Source: backend.SourceX, Type: typ, OccurredAt: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC),
		DedupeKey: "x:post:" + p.ID, Post: &p}
}

func TestSignal_ValidateSocial(t *testing.T) {
	ok := backend.Post{ID: "1790000000000000404", Author: "devjess", Text: "hi"}
	tests := []struct {
		name string
		sig  *backend.Signal
		code string
	}{
		{"mention", socialSignal(backend.SignalSocialMention, ok), ""},
		{"competitor mention names the competitor", socialSignal(backend.SignalSocialCompetitorMention, backend.Post{ID: "1", Author: "a", Competitor: "Stackwise"}), ""},
		{"competitor mention without a competitor", socialSignal(backend.SignalSocialCompetitorMention, ok), backend.EINVALID},
		{"reply names our post", socialSignal(backend.SignalSocialReply, backend.Post{ID: "2", Author: "a", InReplyTo: "1"}), ""},
		{"reply without the post it answers", socialSignal(backend.SignalSocialReply, ok), backend.EINVALID},
		{"negative followers", socialSignal(backend.SignalSocialMention, backend.Post{ID: "1", Author: "a", Followers: -1}), backend.EINVALID},
		{"control character in the post id", socialSignal(backend.SignalSocialMention, backend.Post{ID: "1\x00", Author: "a"}), backend.EINVALID},
		{"control character in in_reply_to", socialSignal(backend.SignalSocialReply, backend.Post{ID: "2", Author: "a", InReplyTo: "1\n"}), backend.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.sig.Normalize()
			err := tt.sig.Validate()
			if got := codeOf(err); got != tt.code {
				t.Errorf("Validate() = %v (code %q), want code %q", err, got, tt.code)
			}
		})
	}
}

func codeOf(err error) string {
	if err == nil {
		return ""
	}
	return backend.ErrorCode(err)
}

// A hostile author: a 10 KB display name and a post full of control
// characters are cleaned, not stored as they came.
func TestSignal_NormalizeHostilePost(t *testing.T) {
	s := socialSignal(backend.SignalSocialMention, backend.Post{ID: "1", Author: "a",
		AuthorName: strings.Repeat("Ж", 5<<10), Text: "hi\x00 there\x1b[31m red\x07", Keyword: "cache\r\nInjected: yes"})
	s.Normalize()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if n := len(s.Post.AuthorName); n > backend.MaxTextLine {
		t.Errorf("AuthorName is %d bytes after Normalize, want at most %d", n, backend.MaxTextLine)
	}
	for _, r := range s.Post.Text + s.Post.Keyword {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
			t.Errorf("a control character U+%04X survived Normalize: %q %q", r, s.Post.Text, s.Post.Keyword)
		}
	}
	if strings.Contains(s.Post.Keyword, "\n") {
		t.Errorf("Keyword %q keeps a line break", s.Post.Keyword)
	}
}
