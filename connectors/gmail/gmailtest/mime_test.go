package gmailtest_test

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/connectors/gmail/gmailtest"
)

// TestServer_FullFormat checks format=full against Gmail's wire shape for
// a message built from a MIME tree.
func TestServer_FullFormat(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	s := gmailtest.NewTestServer(t, gmailtest.Options{Now: func() time.Time { return now }})
	start := s.HistoryID()
	id, _ := s.Deliver(gmailtest.Message{From: "a@b.example", To: []string{"casey@pebblecache.dev"}, Subject: "Files",
		MIME: &gmailtest.Part{Type: "multipart/mixed", Parts: []gmailtest.Part{
			{Type: "multipart/alternative", Parts: []gmailtest.Part{
				{Type: "text/plain; charset=ISO-8859-1", Encoding: "quoted-printable", Body: []byte("Caf\xe9 =")},
				gmailtest.HTML("<p>Café</p>"),
			}},
			gmailtest.Attachment("q.pdf", "application/pdf", []byte("%PDF")),
		}}})
	_, msg, raw := get(t, s, "messages/"+id+"?format=full", "t")
	payload := msg["payload"].(map[string]any)
	if payload["mimeType"] != "multipart/mixed" {
		t.Fatalf("payload = %s", raw)
	}
	parts := payload["parts"].([]any)
	alt := parts[0].(map[string]any)
	plain := alt["parts"].([]any)[0].(map[string]any)
	if plain["partId"] != "0.0" || plain["mimeType"] != "text/plain" {
		t.Errorf("plain part = %v, want partId 0.0 text/plain", plain)
	}
	data, _ := base64.URLEncoding.DecodeString(plain["body"].(map[string]any)["data"].(string))
	// The transfer encoding is undone; the charset is not.
	if string(data) != "Caf\xe9 =" {
		t.Errorf("plain body.data = %q, want the Latin-1 bytes with quoted-printable undone", data)
	}
	att := parts[1].(map[string]any)
	body := att["body"].(map[string]any)
	aid, _ := body["attachmentId"].(string)
	if att["filename"] != "q.pdf" || aid == "" || body["data"] != nil || body["size"] != float64(4) {
		t.Errorf("attachment = %v, want filename, attachmentId and size, no data", att)
	}
	_, a, _ := get(t, s, "messages/"+id+"/attachments/"+aid, "t")
	if d, _ := base64.URLEncoding.DecodeString(a["data"].(string)); string(d) != "%PDF" {
		t.Errorf("attachments.get data = %q, want %%PDF", d)
	}
	if msg["snippet"] != "Caf\uFFFD =" {
		t.Errorf("snippet = %q", msg["snippet"])
	}

	id2, _ := s.Deliver(gmailtest.Message{From: "a@b.example", Subject: "Unpadded", Body: "ab", Unpadded: true, Labels: []string{"INBOX", "CATEGORY_UPDATES"}})
	_, msg, _ = get(t, s, "messages/"+id2, "t")
	if d := msg["payload"].(map[string]any)["body"].(map[string]any)["data"].(string); strings.Contains(d, "=") {
		t.Errorf("unpadded body.data = %q, want no padding", d)
	}
	_, h, raw := get(t, s, "history?historyTypes=messageAdded&startHistoryId="+itoa(start), "t")
	last := h["history"].([]any)[1].(map[string]any)["messagesAdded"].([]any)[0].(map[string]any)["message"].(map[string]any)
	if last["id"] != id2 || len(last["labelIds"].([]any)) != 2 {
		t.Errorf("messagesAdded = %s, want the message's labelIds", raw)
	}
}
