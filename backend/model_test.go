package backend_test

import (
	"testing"

	"github.com/caseyos/caseyos/backend"
)

func TestLanguageModel_Validate(t *testing.T) {
	tests := []struct {
		name string
		l    backend.LanguageModel
		code string
	}{
		{"None", backend.LanguageModel{}, ""},
		{"OpenAI", backend.LanguageModel{URL: "https://api.openai.com/v1", Model: "gpt-4o-mini"}, ""},
		{"Ollama", backend.LanguageModel{URL: "http://127.0.0.1:11434/v1", Model: "llama3.2:3b", DailyTokens: 1000, NeverSend: []string{"acme.example", "co-7"}}, ""},
		{"ErrNoModel", backend.LanguageModel{URL: "https://api.x.ai/v1"}, backend.EINVALID},
		{"ErrModelWithoutURL", backend.LanguageModel{Model: "grok-3"}, backend.EINVALID},
		{"ErrKeyInURL", backend.LanguageModel{URL: "https://sk-secret@api.openai.com/v1", Model: "m"}, backend.EINVALID},
		{"ErrQuery", backend.LanguageModel{URL: "https://generativelanguage.googleapis.com/v1beta/openai?key=AIza", Model: "gemini-2.0-flash"}, backend.EINVALID},
		{"ErrScheme", backend.LanguageModel{URL: "ftp://models.example", Model: "m"}, backend.EINVALID},
		{"ErrModelSpace", backend.LanguageModel{URL: "https://api.openai.com/v1", Model: "gpt 4"}, backend.EINVALID},
		{"ErrBudget", backend.LanguageModel{URL: "https://api.openai.com/v1", Model: "m", DailyTokens: -1}, backend.EINVALID},
		{"ErrNeverSendEntry", backend.LanguageModel{NeverSend: []string{"acme example"}}, backend.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := backend.ErrorCode(tt.l.Validate()); got != tt.code {
				t.Errorf("Validate(%+v) code %q, want %q", tt.l, got, tt.code)
			}
		})
	}
	if b := (backend.LanguageModel{}).Budget(); b != backend.DefaultModelDailyTokens {
		t.Errorf("Budget() of the zero value = %d, want the default %d", b, backend.DefaultModelDailyTokens)
	}
}

func TestSettingsService_SetLanguageModel(t *testing.T) {
	f := newQueue(t)
	err := f.q.Settings.SetLanguageModel(f.ctx, backend.LanguageModel{URL: "https://api.openai.com/v1", Model: "gpt-4o-mini", NeverSend: []string{" @Acme.Example ", "acme.example", "CO-7"}}, backend.ActorClick)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.q.Settings.Get(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.LanguageModel.NeverSend; len(got) != 2 || got[0] != "acme.example" || got[1] != "co-7" {
		t.Errorf("NeverSend = %q, want it trimmed, lowercased and deduplicated", got)
	}
	wantErr := f.q.Settings.SetLanguageModel(f.ctx, backend.LanguageModel{URL: "https://api.openai.com/v1"}, backend.ActorClick)
	if backend.ErrorCode(wantErr) != backend.EINVALID {
		t.Errorf("SetLanguageModel without a model = %v, want invalid", wantErr)
	}
}
