package app

import (
	"context"
	"strings"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// The optional language model: an OpenAI-compatible endpoint configured
// with `caseyos connect llm` or in Settings. Its URL, model, daily token
// budget and never-send list are workspace settings; its API key lives in
// the keychain under ModelAccount. A running App connects it to the
// backend's ModelService, which rewrites reply drafts in the background;
// the demo workspace never does, and without a configured model nothing
// is sent anywhere.

// ModelAccount is the keychain entry of the model's API key and the CLI's
// name for it (`connect llm`, `disconnect llm`).
const ModelAccount = "llm"

// ModelFunc builds the client for a configured model with its key ("" =
// none). main.go wires connectors/llm; nil in a build without one.
type ModelFunc func(l backend.LanguageModel, key string) (backend.LLM, error)

// modelCheckTimeout bounds the check a connect makes: a local server may
// still be loading its model.
const modelCheckTimeout = 60 * time.Second

// LanguageModelDTO is the model's configuration. It never holds the key,
// only whether one is stored.
type LanguageModelDTO struct {
	URL         string   `json:"url"` // "" = none: drafts are offline
	Model       string   `json:"model,omitempty"`
	DailyTokens int      `json:"daily_tokens,omitempty"` // 0 = the default budget
	NeverSend   []string `json:"never_send"`             // company ids or domains never sent to the model
	HasKey      bool     `json:"has_key"`
	// Budget is the daily budget in force, UsedToday the tokens spent
	// since local midnight.
	Budget    int `json:"budget"`
	UsedToday int `json:"used_today"`
	// Name is who answers ("gpt-4o-mini at api.openai.com"); Active says
	// this workspace sends drafts to it now (not in the demo, a model is
	// configured and its client could be built); Notice says why not.
	Name   string `json:"name,omitempty"`
	Active bool   `json:"active"`
	Notice string `json:"notice,omitempty"`
}

// LanguageModel is the configuration the DTO describes.
func (d LanguageModelDTO) LanguageModel() backend.LanguageModel {
	return backend.LanguageModel{URL: strings.TrimRight(strings.TrimSpace(d.URL), "/"), Model: strings.TrimSpace(d.Model),
		DailyTokens: d.DailyTokens, NeverSend: d.NeverSend}
}

// modelKey reads the model's API key: "" when none is stored or there is
// no keychain.
func modelKey(secrets backend.Secrets) (string, error) {
	if secrets == nil {
		return "", nil
	}
	key, err := secrets.Get(ModelAccount)
	switch backend.ErrorCode(err) {
	case "":
		return key, nil
	case backend.ENOTFOUND:
		return "", nil
	}
	return "", &backend.Error{Code: backend.EUNAVAILABLE, Op: "model key", Message: "the keychain cannot be read for the model's API key", Err: err}
}

// RemoveModelKey deletes the model's key from the keychain, if one is
// stored.
func RemoveModelKey(secrets backend.Secrets) error {
	if secrets == nil {
		return nil
	}
	if err := secrets.Delete(ModelAccount); err != nil && backend.ErrorCode(err) != backend.ENOTFOUND {
		return err
	}
	return nil
}

// ConnectModel is `caseyos connect llm` and Settings' connect: it builds
// the client for l with key, checks it with a one-token call (when
// check), then stores the key in the keychain — or, with no key, removes
// a stored one, which must never go to another endpoint — and calls save
// to store l. Nothing is stored when the check fails; a key stored for a
// model that save fails to store is removed again. No error holds the key.
func ConnectModel(ctx context.Context, build ModelFunc, secrets backend.Secrets, l backend.LanguageModel, key string, check bool, save func() error) (err error) {
	defer func() { err = scrubSecret(err, key, "connect llm") }()
	if err := l.Validate(); err != nil {
		return err
	}
	if !l.Configured() {
		return backend.Errorf(backend.EINVALID, "connect llm needs --url: https://api.openai.com/v1, https://api.x.ai/v1, or a local server's, e.g. http://127.0.0.1:11434/v1")
	}
	if build == nil {
		return backend.Errorf(backend.EUNAVAILABLE, "this build has no language model connector")
	}
	if key != "" && secrets == nil {
		return backend.Errorf(backend.EUNAVAILABLE, "this build of CaseyOS has no keychain to keep the API key in")
	}
	client, err := build(l, key)
	if err != nil {
		return err
	}
	if check {
		c, ok := client.(interface{ Check(context.Context) error })
		if ok {
			cctx, cancel := context.WithTimeout(ctx, modelCheckTimeout)
			err := c.Check(cctx)
			cancel()
			if err != nil {
				return err
			}
		}
	}
	stored := false
	if key != "" {
		if err := secrets.Set(ModelAccount, key); err != nil {
			return err
		}
		stored = true
	} else if err := RemoveModelKey(secrets); err != nil {
		return err
	}
	if err := save(); err != nil {
		if stored {
			_ = secrets.Delete(ModelAccount)
		}
		return err
	}
	return nil
}

// scrubSecret makes sure no error shown or logged holds key.
func scrubSecret(err error, key, op string) error {
	if err == nil || key == "" || (!strings.Contains(err.Error(), key) && !strings.Contains(backend.ErrorMessage(err), key)) {
		return err
	}
	return &backend.Error{Code: backend.ErrorCode(err), Op: op, Message: strings.ReplaceAll(backend.ErrorMessage(err), key, "[key]")}
}

// wireModel connects the workspace's configured model to the backend, or
// disconnects it: never in the demo, never without a configuration. It
// returns why the model is not active ("" when it is).
func (a *App) wireModel(ctx context.Context) string {
	st, err := a.queue.Settings.Get(ctx)
	if err != nil {
		a.queue.Model.SetLLM(nil, "", 0)
		return backend.ErrorMessage(err)
	}
	l := st.LanguageModel
	switch {
	case !l.Configured():
		a.queue.Model.SetLLM(nil, "", 0)
		return ""
	case a.ws.Demo:
		a.queue.Model.SetLLM(nil, "", 0)
		return "The demo workspace drafts offline only: nothing is sent to the model."
	case a.model == nil:
		a.queue.Model.SetLLM(nil, "", 0)
		return "This build has no language model connector."
	}
	key, err := modelKey(a.secrets)
	if err != nil {
		a.queue.Model.SetLLM(nil, "", 0)
		return backend.ErrorMessage(err)
	}
	client, err := a.model(l, key)
	if err != nil {
		a.queue.Model.SetLLM(nil, "", 0)
		return backend.ErrorMessage(scrubSecret(err, key, "model"))
	}
	a.queue.Model.SetLLM(client, l.Name(), 0)
	return ""
}

// startModel connects the model and runs the background upgrade, with
// the open drafts no model has seen yet queued first (moves that came in
// while CaseyOS was closed, or before the model was connected).
func (a *App) startModel() {
	a.wireModel(a.ctx)
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		_ = a.queue.Model.Backfill(a.ctx, modelBackfill)
		_ = a.queue.Model.Run(a.ctx)
	}()
}

// modelBackfill bounds the drafts queued for the model at startup.
const modelBackfill = 50

// languageModel is the DTO of the workspace's model.
func (a *App) languageModel(ctx context.Context) (LanguageModelDTO, error) {
	st, err := a.queue.Settings.Get(ctx)
	if err != nil {
		return LanguageModelDTO{}, err
	}
	l := st.LanguageModel
	out := LanguageModelDTO{URL: l.URL, Model: l.Model, DailyTokens: l.DailyTokens, NeverSend: l.NeverSend, Budget: l.Budget()}
	if out.NeverSend == nil {
		out.NeverSend = []string{}
	}
	if used, err := a.queue.Model.UsedToday(ctx); err == nil {
		out.UsedToday = used
	}
	if l.Configured() {
		out.Name = l.Name()
		key, err := modelKey(a.secrets)
		out.HasKey = err == nil && key != ""
		out.Active = a.queue.Model.Connected()
		if !out.Active {
			switch {
			case a.ws.Demo:
				out.Notice = "The demo workspace drafts offline only: nothing is sent to the model."
			case a.model == nil:
				out.Notice = "This build has no language model connector."
			}
		}
	}
	return out, nil
}

// setLanguageModel stores l and connects (or disconnects) the model.
func (a *App) setLanguageModel(ctx context.Context, l backend.LanguageModel, who backend.Actor) error {
	if err := a.queue.Settings.SetLanguageModel(ctx, l, who); err != nil {
		return err
	}
	a.wireModel(ctx)
	if a.queue.Model.Connected() {
		_ = a.queue.Model.Backfill(ctx, modelBackfill)
	}
	return nil
}
