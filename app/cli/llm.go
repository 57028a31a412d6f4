package cli

import (
	"context"
	"fmt"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/backend"
)

// `caseyos connect llm --url URL --model MODEL [--key-stdin] [--no-check]
// [--daily-tokens N]` and `caseyos disconnect llm`: the optional language
// model that rewrites reply drafts, as `connect whisper` is for voice.

// connectModel checks the model with a one-token call, stores the key in
// the keychain (or removes an old one when none is given) and the model
// in your own workspace — through the running CaseyOS when one holds it,
// which then sends drafts to it — keeping the budget and the never-send
// list already set unless --daily-tokens says otherwise.
func (c *command) connectModel(ctx context.Context, f transcriptionFlags, dailyTokens int) int {
	if f.url == "" || f.model == "" {
		c.usageError("connect llm needs --url and --model: e.g. --url https://api.openai.com/v1 --model gpt-4o-mini --key-stdin, or --url http://127.0.0.1:11434/v1 --model llama3.2 for Ollama")
		return ExitUsage
	}
	if f.timeout != 0 {
		c.usageError("--timeout is for `connect whisper`")
		return ExitUsage
	}
	var key string
	if f.keyStdin {
		if c.env.Secrets == nil {
			return c.fail(backend.Errorf(backend.EUNAVAILABLE, "this build of CaseyOS has no keychain to keep the API key in"))
		}
		var err error
		if key, err = c.readSecret(); err != nil {
			return c.fail(err)
		}
	}
	dir, err := app.DataDir(c.g.dataDir)
	if err != nil {
		return c.fail(err)
	}
	t, done, err := c.reach(ctx, dir, app.ChooseWorkspace(dir, false, true))
	if err != nil {
		return c.fail(err)
	}
	defer done()
	cur, err := app.Forward[app.LanguageModelDTO](t, "ConnectionsService.LanguageModel")
	if err != nil {
		return c.fail(err)
	}
	cur.URL, cur.Model = f.url, f.model
	if dailyTokens != 0 {
		cur.DailyTokens = dailyTokens
	}
	l := cur.LanguageModel()
	var out app.LanguageModelDTO
	err = app.ConnectModel(ctx, c.env.Model, c.env.Secrets, l, key, !f.noCheck, func() error {
		var err error
		out, err = app.Forward[app.LanguageModelDTO](t, "ConnectionsService.ConfigureLanguageModel", cur, "cli")
		return err
	})
	if err != nil {
		return c.fail(err)
	}
	where := "no API key"
	if key != "" {
		where = "its key in the OS keychain"
	}
	fmt.Fprintf(c.env.Stdout, "Connected the language model %s (%s). Reply drafts are composed offline at once and rewritten by the model when its draft passes the checks; budget %d tokens a day.\n",
		out.Name, where, out.Budget)
	if info, err := app.ReadInstance(dir); err == nil && app.FindInstance(dir, app.ChooseWorkspace(dir, true, false)) != nil {
		fmt.Fprintf(c.env.Stdout, "CaseyOS (pid %d) is showing the demo workspace, which drafts offline only: restart it to switch to yours.\n", info.PID)
	}
	return ExitOK
}

// disconnectModel removes the model and its key: drafts are offline again
// and nothing is sent.
func (c *command) disconnectModel(ctx context.Context) int {
	if err := app.RemoveModelKey(c.env.Secrets); err != nil {
		return c.fail(err)
	}
	dir, err := app.DataDir(c.g.dataDir)
	if err != nil {
		return c.fail(err)
	}
	t, done, err := c.reach(ctx, dir, app.ChooseWorkspace(dir, false, false))
	if err != nil {
		return c.fail(err)
	}
	defer done()
	if _, err := app.Forward[app.LanguageModelDTO](t, "ConnectionsService.DisconnectLanguageModel", "cli"); err != nil {
		return c.fail(err)
	}
	fmt.Fprintln(c.env.Stdout, "Disconnected the language model: its key is gone from the keychain and every draft is offline.")
	return ExitOK
}

// modelStatus is the status line of the language model.
func modelStatus(m app.LanguageModelDTO) string {
	if m.URL == "" {
		return "Language model: none (drafts are offline; caseyos connect llm --url URL --model MODEL)"
	}
	state := "active"
	if !m.Active {
		state = "not active"
		if m.Notice != "" {
			state += ": " + m.Notice
		}
	}
	key := "no key"
	if m.HasKey {
		key = "key in the keychain"
	}
	return fmt.Sprintf("Language model: %s, %s, %s; %d of %d tokens used today", m.Name, key, state, m.UsedToday, m.Budget)
}
