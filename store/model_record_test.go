package store_test

import (
	"reflect"
	"testing"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

// TestModelRecords_DiskFormat pins the bytes of the language model's
// settings and of a move's draft provenance, as TestRecords_DiskFormat
// does for the rest: what this build writes, and that it reads them back.
func TestModelRecords_DiskFormat(t *testing.T) {
	move := func() *backend.Move {
		m := formatMove()
		m.DraftBy = "gpt-4o-mini at api.openai.com"
		m.DraftSent = []backend.ModelMessage{{Role: "system", Content: "Write the reply."}, {Role: "user", Content: "From: Dana <dana@acme.example>"}}
		m.DraftNote = "Offline draft: the model failed."
		return m
	}
	settings := func() *backend.Settings {
		s := formatSettings()
		s.LanguageModel = backend.LanguageModel{URL: "https://api.openai.com/v1", Model: "gpt-4o-mini", DailyTokens: 5000, NeverSend: []string{"acme.example", "co-9"}}
		return s
	}
	tests := []struct {
		name   string
		bucket string
		key    []byte
		suffix string // what follows the record's older fields
		write  func(backend.Tx) error
		read   func(backend.Tx) (any, error)
		want   any
	}{
		{
			name: "Move", bucket: "moves", key: []byte{0, 0, 0, 0, 0, 0, 0, 1},
			suffix: `,"draft_by":"gpt-4o-mini at api.openai.com","draft_sent":[{"role":"system","content":"Write the reply."},{"role":"user","content":"From: Dana \u003cdana@acme.example\u003e"}],"draft_note":"Offline draft: the model failed."}`,
			write:  func(tx backend.Tx) error { return tx.CreateMove(move()) },
			read:   func(tx backend.Tx) (any, error) { return tx.FindMove(1) },
			want:   withID(move(), 1),
		},
		{
			name: "Settings", bucket: "meta", key: []byte("settings"),
			suffix: `,"language_model":{"url":"https://api.openai.com/v1","model":"gpt-4o-mini","daily_tokens":5000,"never_send":["acme.example","co-9"]}}`,
			write:  func(tx backend.Tx) error { return tx.PutSettings(settings()) },
			read:   func(tx backend.Tx) (any, error) { return tx.Settings() },
			want:   settings(),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpenStore(t)
			update(t, db, tt.write)
			got, err := store.GetRaw(db, tt.bucket, tt.key)
			if err != nil {
				t.Fatal(err)
			}
			if n := len(got) - len(tt.suffix); n < 0 || string(got[n:]) != tt.suffix {
				t.Errorf("stored %s/%q =\n%s\nwant it to end in\n%s", tt.bucket, tt.key, got, tt.suffix)
			}
			view(t, db, func(tx backend.Tx) error {
				got, err := tt.read(tx)
				if err != nil || !reflect.DeepEqual(got, tt.want) {
					t.Errorf("reading %s/%q = %+v, %v\nwant %+v", tt.bucket, tt.key, got, err, tt.want)
				}
				return nil
			})
		})
	}
}
