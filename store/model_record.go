package store

// The disk format of the optional language model's settings and of a
// move's draft provenance. record.go says what every record follows; the
// model's API key is never here (it lives in the keychain).

import "github.com/caseyos/caseyos/backend"

type languageModelRecord struct {
	URL         string   `json:"url"`
	Model       string   `json:"model,omitempty"`
	DailyTokens int      `json:"daily_tokens,omitempty"`
	NeverSend   []string `json:"never_send,omitempty"`
}

func toLanguageModelRecord(l backend.LanguageModel) *languageModelRecord {
	if l.URL == "" && l.Model == "" && l.DailyTokens == 0 && len(l.NeverSend) == 0 {
		return nil
	}
	return &languageModelRecord{URL: l.URL, Model: l.Model, DailyTokens: l.DailyTokens, NeverSend: cloneStrings(l.NeverSend)}
}

func fromLanguageModelRecord(r *languageModelRecord) backend.LanguageModel {
	if r == nil {
		return backend.LanguageModel{}
	}
	return backend.LanguageModel{URL: r.URL, Model: r.Model, DailyTokens: r.DailyTokens, NeverSend: r.NeverSend}
}

type modelMessageRecord struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

func toModelMessageRecords(ms []backend.ModelMessage) []modelMessageRecord {
	if len(ms) == 0 {
		return nil
	}
	out := make([]modelMessageRecord, len(ms))
	for i, m := range ms {
		out[i] = modelMessageRecord{Role: m.Role, Content: m.Content}
	}
	return out
}

func fromModelMessageRecords(rs []modelMessageRecord) []backend.ModelMessage {
	if len(rs) == 0 {
		return nil
	}
	out := make([]backend.ModelMessage, len(rs))
	for i, r := range rs {
		out[i] = backend.ModelMessage{Role: r.Role, Content: r.Content}
	}
	return out
}
