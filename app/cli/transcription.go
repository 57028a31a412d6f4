package cli

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/backend"
)

// `caseyos connect whisper --url URL [--model M] [--timeout D] [--key-stdin]`
// and `caseyos disconnect whisper`: the optional online recognizer.

type transcriptionFlags struct {
	url, model string
	timeout    time.Duration
	keyStdin   bool
	noCheck    bool
}

func (f transcriptionFlags) set() bool {
	return f.url != "" || f.model != "" || f.timeout != 0 || f.keyStdin || f.noCheck
}

// connectTranscription checks the endpoint with a second of silence,
// stores the key in the keychain (or removes an old one when none is
// given) and the endpoint in the workspace's settings — the steps Settings
// takes too (transcriptionConnect). Like connecting an account, it makes
// the workspace your own.
func (c *command) connectTranscription(ctx context.Context, f transcriptionFlags) int {
	if f.url == "" {
		c.usageError("connect whisper needs --url: https://api.openai.com/v1 (with --key-stdin), or your whisper.cpp server's, e.g. http://127.0.0.1:8080/v1")
		return ExitUsage
	}
	t := backend.Transcription{URL: strings.TrimRight(strings.TrimSpace(f.url), "/"), Model: f.model, Timeout: f.timeout}
	if err := t.Validate(); err != nil {
		return c.fail(err)
	}
	if c.env.Voice.Online == nil {
		return c.fail(backend.Errorf(backend.EUNAVAILABLE, "this build has no online speech recognizer"))
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
	name, hasKey, err := app.ConnectTranscriptionEndpoint(ctx, c.env.Voice, c.env.Secrets, t, key, !f.noCheck, func() error {
		_, err := c.setTranscription(ctx, t, true)
		return err
	})
	if err != nil {
		return c.fail(err)
	}
	where := "no API key"
	if hasKey {
		where = "its key in the OS keychain"
	}
	fmt.Fprintf(c.env.Stdout, "Connected the online speech recognizer %s (%s). Voice commands go to it first; the offline recognizer answers whenever it cannot.\n",
		name, where)
	if dir, err := app.DataDir(c.g.dataDir); err == nil {
		if info, err := app.ReadInstance(dir); err == nil && app.FindInstance(dir, app.ChooseWorkspace(dir, true, false)) != nil {
			fmt.Fprintf(c.env.Stdout, "CaseyOS (pid %d) is showing the demo workspace: restart it to switch to yours.\n", info.PID)
		}
	}
	return ExitOK
}

// disconnectTranscription removes the endpoint and its key: voice is
// offline again and makes no request.
func (c *command) disconnectTranscription(ctx context.Context) int {
	if err := app.RemoveTranscriptionKey(c.env.Secrets); err != nil {
		return c.fail(err)
	}
	if _, err := c.setTranscription(ctx, backend.Transcription{}, false); err != nil {
		return c.fail(err)
	}
	fmt.Fprintln(c.env.Stdout, "Disconnected the online speech recognizer: its key is gone from the keychain and voice is offline only.")
	return ExitOK
}

// setTranscription stores t in your workspace, through the running
// instance when one holds it (its voice then uses t from the next command).
func (c *command) setTranscription(ctx context.Context, t backend.Transcription, createsReal bool) (app.TranscriptionDTO, error) {
	dir, err := app.DataDir(c.g.dataDir)
	if err != nil {
		return app.TranscriptionDTO{}, err
	}
	ws := app.ChooseWorkspace(dir, false, createsReal)
	in := app.TranscriptionDTO{URL: t.URL, Model: t.Model, TimeoutMS: t.Timeout.Milliseconds()}
	f, done, err := c.reach(ctx, dir, ws)
	if err != nil {
		return app.TranscriptionDTO{}, err
	}
	defer done()
	return app.Forward[app.TranscriptionDTO](f, "ConnectionsService.ConfigureTranscription", in, "cli")
}

// transcription reads the endpoint configured for the workspace voice runs
// on, without creating a workspace.
func (c *command) transcription(ctx context.Context) (backend.Transcription, error) {
	dir, err := app.DataDir(c.g.dataDir)
	if err != nil {
		return backend.Transcription{}, err
	}
	ws := app.ChooseWorkspace(dir, c.g.demo, false)
	if _, err := os.Stat(ws.Path); err != nil {
		return backend.Transcription{}, nil
	}
	f, done, err := c.reach(ctx, dir, ws)
	if err != nil {
		return backend.Transcription{}, err
	}
	defer done()
	d, err := app.Forward[app.TranscriptionDTO](f, "ConnectionsService.Transcription")
	return d.Transcription(), err
}

// voiceRecognizers builds what `voice recognize` hears with: the offline
// recognizer from model (or the configured directory), and the workspace's
// endpoint when one is configured.
func (c *command) voiceRecognizers(ctx context.Context, model string) (app.VoiceRecognizers, error) {
	t, err := c.transcription(ctx)
	if err != nil {
		return app.VoiceRecognizers{}, err
	}
	off, offErr := c.voiceRecognizer(model)
	r := app.ComposeRecognizers(c.env.Voice, off, offErr, t, c.env.Secrets, c.env.Clock)
	if err := r.Err(); err != nil {
		return r, err
	}
	if err := r.OnlineErr(); err != nil {
		fmt.Fprintf(c.env.Stderr, "caseyos %s: the online recognizer cannot be used (%s); the offline one answers\n", c.name, backend.ErrorMessage(err))
	}
	return r, nil
}
