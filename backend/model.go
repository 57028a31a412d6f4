package backend

import (
	"context"
	"net/url"
	"strings"
)

// The optional language model: one OpenAI-compatible endpoint (OpenAI,
// xAI, Gemini's compatible endpoint, a local Ollama or llama.cpp) that
// rewrites reply and follow-up drafts and summarizes battle-card quotes
// in the background. Without one configured nothing here runs and no
// request is ever made; with one, the offline draft still stands at once
// and is replaced only by a model's draft that passed validation
// (modeldraft.go).

// LanguageModel configures the model. The zero value is none. Its API key
// is a secret: it lives in the keychain, never here.
type LanguageModel struct {
	URL   string // the API base, e.g. https://api.openai.com/v1; "" = none
	Model string // the model's name at that endpoint, e.g. gpt-4o-mini, llama3.2
	// DailyTokens bounds the tokens the model may use per day (prompt and
	// answer, as the API counts them); 0 = DefaultModelDailyTokens.
	DailyTokens int
	// NeverSend lists the accounts — company ids or email domains — whose
	// threads are never sent to the model: their drafts stay offline.
	NeverSend []string
}

// DefaultModelDailyTokens is the daily token budget when none is set:
// about a hundred drafts.
const DefaultModelDailyTokens = 200_000

// MaxModelDailyTokens bounds LanguageModel.DailyTokens.
const MaxModelDailyTokens = 100_000_000

// maxNeverSend bounds the never-send list.
const maxNeverSend = 1000

// Configured reports whether a model is set.
func (l LanguageModel) Configured() bool { return l.URL != "" }

// Budget is the daily token budget in force.
func (l LanguageModel) Budget() int {
	if l.DailyTokens <= 0 {
		return DefaultModelDailyTokens
	}
	return l.DailyTokens
}

// Name names the model for people: "gpt-4o-mini at api.openai.com".
func (l LanguageModel) Name() string {
	host := l.URL
	if u, err := url.Parse(l.URL); err == nil && u.Host != "" {
		host = u.Host
	}
	if l.Model == "" {
		return host
	}
	return l.Model + " at " + host
}

// Validate checks the endpoint is an http(s) URL without credentials in
// it, with a model name, a sane budget and a bounded never-send list.
func (l LanguageModel) Validate() error {
	if l.URL == "" {
		if l.Model != "" {
			return Errorf(EINVALID, "a language model needs its URL")
		}
	} else {
		u, err := url.Parse(l.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return Errorf(EINVALID, "the model URL must be an http(s) API base such as https://api.openai.com/v1")
		}
		if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			return Errorf(EINVALID, "the model URL must not carry credentials or a query: the API key goes to the keychain")
		}
		if l.Model == "" {
			return Errorf(EINVALID, "a language model needs a model name, e.g. gpt-4o-mini or llama3.2")
		}
	}
	if len(l.Model) > 200 || strings.ContainsFunc(l.Model, func(r rune) bool { return r <= ' ' }) {
		return Errorf(EINVALID, "the model name must be a name without spaces")
	}
	if l.DailyTokens < 0 || l.DailyTokens > MaxModelDailyTokens {
		return Errorf(EINVALID, "the model's daily token budget must be between 0 (the default, %d) and %d", DefaultModelDailyTokens, MaxModelDailyTokens)
	}
	if len(l.NeverSend) > maxNeverSend {
		return Errorf(EINVALID, "the never-send-to-the-model list holds at most %d accounts", maxNeverSend)
	}
	for _, a := range l.NeverSend {
		if strings.TrimSpace(a) == "" || len(a) > 253 || strings.ContainsAny(a, " \t\r\n") {
			return Errorf(EINVALID, "%q on the never-send-to-the-model list is not a company id or a domain", a)
		}
	}
	return nil
}

// ModelMessage is one chat message sent to the model.
type ModelMessage struct {
	Role    string // system or user
	Content string
}

// ModelRequest is one call to the model: the messages and, when the answer
// must be JSON, the schema it must follow.
type ModelRequest struct {
	Messages []ModelMessage
	// SchemaName and Schema (a JSON Schema document) ask for structured
	// output; a server that cannot do it is asked for JSON in the prompt.
	SchemaName string
	Schema     string
	MaxTokens  int // bounds the answer
}

// ModelReply is the model's answer with what it cost.
type ModelReply struct {
	Content string
	Model   string // the model that answered, as the server names it
	// PromptTokens and CompletionTokens are the API's usage counts.
	PromptTokens     int
	CompletionTokens int
}

// Tokens is the call's cost against the daily budget.
func (r ModelReply) Tokens() int { return r.PromptTokens + r.CompletionTokens }

// LLM is a language model. Complete sends one request. Failures are
// backend Errors: unauthorized for a refused key, unavailable (with a
// RetryAfter when the server said) for limits, timeouts and 5xx, invalid
// for a request the server refused.
type LLM interface {
	Complete(ctx context.Context, r ModelRequest) (ModelReply, error)
}

// SetLanguageModel stores the model's configuration (the zero value
// removes it) with the change in the audit log. Nothing is re-scored.
func (s *SettingsService) SetLanguageModel(ctx context.Context, l LanguageModel, actor Actor) error {
	l.NeverSend = cleanNeverSend(l.NeverSend)
	if err := l.Validate(); err != nil {
		return err
	}
	detail := "language model removed"
	if l.Configured() {
		detail = "language model set to " + l.Name()
	}
	err := s.store.Update(ctx, func(tx Tx) error {
		st, err := tx.Settings()
		if err != nil {
			return err
		}
		if l.Configured() == st.LanguageModel.Configured() && l.URL == st.LanguageModel.URL && l.Model == st.LanguageModel.Model {
			detail = "language model settings changed"
		}
		st.LanguageModel = l
		if err := tx.PutSettings(st); err != nil {
			return err
		}
		return tx.AppendAudit(&AuditEntry{At: s.clock.Now(), Actor: actor, Action: AuditSettings, Detail: detail})
	})
	return WrapError("set language model", err)
}

// cleanNeverSend trims, lowercases and dedupes the never-send list.
func cleanNeverSend(list []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, a := range list {
		a = strings.ToLower(strings.TrimSpace(a))
		a = strings.TrimPrefix(a, "@")
		if a == "" || seen[a] {
			continue
		}
		seen[a] = true
		out = append(out, a)
	}
	return out
}
