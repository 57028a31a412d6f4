package backend_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// transient is an unavailable failure with a wait, as connectors make them.
func transient(wait time.Duration) error {
	return &backend.Error{Code: backend.EUNAVAILABLE, Message: "the endpoint cannot be reached", Err: waitErr{wait}}
}

func TestOnlineState(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, backend.OnlineReady},
		{"network", transient(time.Second), backend.OnlineUnreachable},
		{"key", backend.Errorf(backend.EUNAUTHORIZED, "refused the key"), backend.OnlineUnauthorized},
		{"quota", backend.Errorf(backend.EUNAVAILABLE, "no quota left"), backend.OnlineRefused},
		{"model", backend.Errorf(backend.ENOTFOUND, "no model"), backend.OnlineRefused},
		{"plain", errors.New("boom"), backend.OnlineRefused},
	} {
		if got := backend.OnlineState(tt.err); got != tt.want {
			t.Errorf("OnlineState(%s) = %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestTranscription_Validate(t *testing.T) {
	for _, tt := range []struct {
		name string
		t    backend.Transcription
		code string
	}{
		{"OK_None", backend.Transcription{}, ""},
		{"OK_OpenAI", backend.Transcription{URL: "https://api.openai.com/v1", Model: "whisper-1", Timeout: 4 * time.Second}, ""},
		{"OK_Local", backend.Transcription{URL: "http://127.0.0.1:8080/v1"}, ""},
		{"ErrModelWithoutURL", backend.Transcription{Model: "whisper-1"}, backend.EINVALID},
		{"ErrScheme", backend.Transcription{URL: "file:///tmp/x"}, backend.EINVALID},
		{"ErrNoHost", backend.Transcription{URL: "https:///v1"}, backend.EINVALID},
		{"ErrUserInfo", backend.Transcription{URL: "https://k:sk-x@api.openai.com/v1"}, backend.EINVALID},
		{"ErrQuery", backend.Transcription{URL: "https://api.openai.com/v1?key=sk-x"}, backend.EINVALID},
		{"ErrModelSpaces", backend.Transcription{URL: "https://api.openai.com/v1", Model: "whisper 1"}, backend.EINVALID},
		{"ErrTimeout", backend.Transcription{URL: "https://api.openai.com/v1", Timeout: time.Minute}, backend.EINVALID},
	} {
		if got := backend.ErrorCode(tt.t.Validate()); got != tt.code {
			t.Errorf("%s: Validate() code = %q, want %q", tt.name, got, tt.code)
		}
	}
}

func TestQueue_SetTranscription(t *testing.T) {
	f := newQueue(t)
	settings := func() *backend.Settings {
		st, err := f.q.Settings.Get(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	want := backend.Transcription{URL: "https://api.openai.com/v1", Model: "whisper-1", Timeout: 3 * time.Second}
	if err := f.q.Settings.SetTranscription(f.ctx, want, backend.ActorCLI); err != nil {
		t.Fatal(err)
	}
	st := settings()
	if st.Transcription != want {
		t.Errorf("Transcription = %+v, want %+v", st.Transcription, want)
	}
	st.Transcription = backend.Transcription{}
	if st.TodayLimit != backend.DefaultSettings().TodayLimit {
		t.Errorf("other settings changed: %+v", st)
	}
	var entries []*backend.AuditEntry
	f.db.View(f.ctx, func(tx backend.Tx) error {
		entries, _, _ = tx.FindAudit(backend.AuditFilter{})
		return nil
	})
	if len(entries) != 1 || entries[0].Action != backend.AuditSettings || entries[0].Actor != backend.ActorCLI || !strings.Contains(entries[0].Detail, "api.openai.com") {
		t.Errorf("audit = %+v, want one settings entry naming the endpoint", entries)
	}
	if err := f.q.Settings.SetTranscription(f.ctx, backend.Transcription{}, backend.ActorCLI); err != nil || settings().Transcription.Configured() {
		t.Errorf("removing: %v, %+v", err, settings().Transcription)
	}
	if err := f.q.Settings.SetTranscription(f.ctx, backend.Transcription{URL: "ftp://x"}, backend.ActorCLI); backend.ErrorCode(err) != backend.EINVALID {
		t.Errorf("bad URL: %v, want invalid", err)
	}
}
