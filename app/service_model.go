package app

import (
	"strings"

	"github.com/caseyos/caseyos/backend"
)

// The optional language model's bound methods, on ConnectionsService
// (model.go says how it is wired).

// LanguageModel returns the model's configuration, whether its key is
// stored, whether it is active here and today's token use.
func (svc *ConnectionsService) LanguageModel() (LanguageModelDTO, error) {
	return svc.a.languageModel(svc.a.ctx)
}

// ConfigureLanguageModel stores the model's configuration — URL, model,
// daily token budget, never-send list — without touching its key (a URL
// of "" removes the model and keeps the guardrails). The key is stored
// beforehand (`caseyos connect llm --key-stdin`, or ConnectLanguageModel).
func (svc *ConnectionsService) ConfigureLanguageModel(in LanguageModelDTO, via string) (LanguageModelDTO, error) {
	a := svc.a
	who, err := actor(via)
	if err != nil {
		return LanguageModelDTO{}, err
	}
	if err := a.setLanguageModel(a.ctx, in.LanguageModel(), who); err != nil {
		return LanguageModelDTO{}, err
	}
	return svc.LanguageModel()
}

// ConnectLanguageModel connects the model from Settings as `caseyos
// connect llm` does: a one-token check call first (unless check is
// false), so that a wrong URL, model or key is refused before anything
// is stored; then key goes to the keychain (never to the data file, an
// error or the audit log) and the configuration to the workspace. An
// empty key with in.HasKey keeps the key already stored for the same URL;
// otherwise an empty key means none, and a stored one is removed so that
// it never goes to another endpoint. The demo workspace refuses: it
// drafts offline only.
func (svc *ConnectionsService) ConnectLanguageModel(in LanguageModelDTO, key string, check bool, via string) (LanguageModelDTO, error) {
	a := svc.a
	who, err := actor(via)
	if err != nil {
		return LanguageModelDTO{}, err
	}
	if a.ws.Demo {
		return LanguageModelDTO{}, backend.Errorf(backend.EINVALID, "the demo workspace drafts offline only: connect the model in your own workspace (caseyos connect llm)")
	}
	key = strings.TrimSpace(key)
	if len(key) > MaxSecret {
		return LanguageModelDTO{}, backend.Errorf(backend.EINVALID, "the API key is longer than any key an endpoint issues")
	}
	l := in.LanguageModel()
	st, err := a.queue.Settings.Get(a.ctx)
	if err != nil {
		return LanguageModelDTO{}, err
	}
	if key == "" && in.HasKey && st.LanguageModel.URL == l.URL {
		if key, err = modelKey(a.secrets); err != nil {
			return LanguageModelDTO{}, err
		}
		// Storing it again is harmless; removing it would not be.
	}
	err = ConnectModel(a.ctx, a.model, a.secrets, l, key, check, func() error {
		return a.setLanguageModel(a.ctx, l, who)
	})
	if err != nil {
		return LanguageModelDTO{}, err
	}
	return svc.LanguageModel()
}

// DisconnectLanguageModel removes the model and its key, as `caseyos
// disconnect llm` does: drafts are offline again and nothing is sent. The
// budget and the never-send list stay for the next model.
func (svc *ConnectionsService) DisconnectLanguageModel(via string) (LanguageModelDTO, error) {
	a := svc.a
	who, err := actor(via)
	if err != nil {
		return LanguageModelDTO{}, err
	}
	if err := RemoveModelKey(a.secrets); err != nil {
		return LanguageModelDTO{}, err
	}
	st, err := a.queue.Settings.Get(a.ctx)
	if err != nil {
		return LanguageModelDTO{}, err
	}
	l := st.LanguageModel
	l.URL, l.Model = "", ""
	if err := a.setLanguageModel(a.ctx, l, who); err != nil {
		return LanguageModelDTO{}, err
	}
	return svc.LanguageModel()
}
