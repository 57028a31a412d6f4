package gmail

import (
	"encoding/base64"
	"runtime"
	"strings"
	"testing"

	"google.golang.org/api/gmail/v1"

	"github.com/caseyos/caseyos/backend"
)

// TestMessageText_Bounds feeds messageText payloads no mail client would
// build: the work it does is bounded by what a signal keeps, not by what
// the sender sent.
func TestMessageText_Bounds(t *testing.T) {
	t.Run("25MBPartNotCopied", func(t *testing.T) {
		data := base64.URLEncoding.EncodeToString([]byte(strings.Repeat("forty engineers ", 25<<20/16)))
		p := &gmail.MessagePart{MimeType: "text/plain", Body: &gmail.MessagePartBody{Data: data, Size: 25 << 20}}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		got := messageText(p)
		runtime.ReadMemStats(&after)
		if len(got) > maxBodyRead || len(got) < maxBodyRead-16 {
			t.Errorf("messageText = %d bytes, want about %d", len(got), maxBodyRead)
		}
		// The part's data is 33 MB of base64; decoding a copy of it would
		// allocate that much again.
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 2<<20 {
			t.Errorf("messageText allocated %d bytes for a 25 MB part, want under 2 MB", alloc)
		}
	})
	t.Run("DeepNesting", func(t *testing.T) {
		for _, depth := range []int{maxMIMEDepth - 1, 1000, 100000} {
			leaf := &gmail.MessagePart{MimeType: "text/plain", Body: &gmail.MessagePartBody{Data: base64.URLEncoding.EncodeToString([]byte("deep"))}}
			p := leaf
			for i := 0; i < depth; i++ {
				p = &gmail.MessagePart{MimeType: "multipart/mixed", Parts: []*gmail.MessagePart{p}}
			}
			want := ""
			if depth < maxMIMEDepth {
				want = "deep"
			}
			if got := messageText(p); got != want {
				t.Errorf("messageText(%d deep) = %q, want %q", depth, got, want)
			}
		}
	})
	t.Run("ManyParts", func(t *testing.T) {
		// 100,000 sibling text parts of 1 kB each: reading stops at the bound.
		one := base64.URLEncoding.EncodeToString([]byte(strings.Repeat("x", 1023) + "\n"))
		root := &gmail.MessagePart{MimeType: "multipart/mixed"}
		for i := 0; i < 100000; i++ {
			root.Parts = append(root.Parts, &gmail.MessagePart{MimeType: "text/plain", Body: &gmail.MessagePartBody{Data: one}})
		}
		if got := messageText(root); len(got) > maxBodyRead+2*1024 {
			t.Errorf("messageText = %d bytes, want at most about %d", len(got), maxBodyRead)
		}
	})
	t.Run("HTMLDeepTags", func(t *testing.T) {
		src := strings.Repeat("<div><blockquote>", 10000) + "deep text" + strings.Repeat("</blockquote></div>", 10000)
		p := &gmail.MessagePart{MimeType: "text/html", Body: &gmail.MessagePartBody{Data: base64.URLEncoding.EncodeToString([]byte(src))}}
		if got := messageText(p); !strings.Contains(got, "deep text") {
			t.Errorf("messageText(10,000 nested tags) = %q…, want the text", got[:min(len(got), 80)])
		}
	})
	if maxBodyRead != 2*backend.MaxText {
		t.Errorf("maxBodyRead = %d, want twice backend.MaxText", maxBodyRead)
	}
}
