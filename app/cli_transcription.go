package app

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// `caseyos connect whisper --url URL [--model M] [--timeout D] [--key-stdin]`
// and `caseyos disconnect whisper`: the optional online recognizer.

// transcriptionCheckTimeout bounds the check `connect whisper` makes: a
// local whisper.cpp server may still be loading its model.
const transcriptionCheckTimeout = 30 * time.Second

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
// given) and the endpoint in the workspace's settings. Like connecting an
// account, it makes the workspace your own.
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
	rec, err := c.env.Voice.Online(backend.Transcription{URL: t.URL, Model: t.Model, Timeout: transcriptionCheckTimeout}, key)
	if err != nil {
		return c.fail(err)
	}
	if !f.noCheck {
		// A second of silence proves the URL, the model and the key, and
		// costs at most a second of transcription.
		if _, _, err := rec.Recognize(ctx, make([]int16, 16000)); err != nil {
			return c.fail(err)
		}
	}
	if key != "" {
		if err := c.env.Secrets.Set(TranscriptionAccount, key); err != nil {
			return c.fail(err)
		}
	} else if c.env.Secrets != nil {
		// A key left from an earlier endpoint must not go to this one.
		if err := c.env.Secrets.Delete(TranscriptionAccount); err != nil && backend.ErrorCode(err) != backend.ENOTFOUND {
			return c.fail(err)
		}
	}
	out, code := c.setTranscription(ctx, t, true)
	if code != ExitOK {
		return code
	}
	where := "no API key"
	if out.HasKey {
		where = "its key in the OS keychain"
	}
	fmt.Fprintf(c.env.Stdout, "Connected the online speech recognizer %s (%s). Voice commands go to it first; the offline recognizer answers whenever it cannot.\n",
		onlineName(t, rec), where)
	return ExitOK
}

// disconnectTranscription removes the endpoint and its key: voice is
// offline again and makes no request.
func (c *command) disconnectTranscription(ctx context.Context) int {
	if c.env.Secrets != nil {
		if err := c.env.Secrets.Delete(TranscriptionAccount); err != nil && backend.ErrorCode(err) != backend.ENOTFOUND {
			return c.fail(err)
		}
	}
	if _, code := c.setTranscription(ctx, backend.Transcription{}, false); code != ExitOK {
		return code
	}
	fmt.Fprintln(c.env.Stdout, "Disconnected the online speech recognizer: its key is gone from the keychain and voice is offline only.")
	return ExitOK
}

// setTranscription stores t in your workspace, through the running
// instance when one holds it (its voice then uses t from the next command).
func (c *command) setTranscription(ctx context.Context, t backend.Transcription, createsReal bool) (TranscriptionDTO, int) {
	dir, err := DataDir(c.g.dataDir)
	if err != nil {
		return TranscriptionDTO{}, c.fail(err)
	}
	ws := ChooseWorkspace(dir, false, createsReal)
	in := TranscriptionDTO{URL: t.URL, Model: t.Model, TimeoutMS: t.Timeout.Milliseconds()}
	if r := findInstance(dir, ws); r != nil {
		out, err := r.ConfigureTranscription(in, "cli")
		if err != nil {
			return out, c.fail(err)
		}
		return out, ExitOK
	}
	a, done, err := c.openLocal(ctx, ws)
	if err != nil {
		return TranscriptionDTO{}, c.fail(err)
	}
	defer done()
	out, err := a.ConfigureTranscription(in, "cli")
	if err != nil {
		return out, c.fail(err)
	}
	return out, ExitOK
}

// transcription reads the endpoint configured for the workspace voice runs
// on, without creating a workspace.
func (c *command) transcription(ctx context.Context) (backend.Transcription, error) {
	dir, err := DataDir(c.g.dataDir)
	if err != nil {
		return backend.Transcription{}, err
	}
	ws := ChooseWorkspace(dir, c.g.demo, false)
	if _, err := os.Stat(ws.Path); err != nil {
		return backend.Transcription{}, nil
	}
	var f interface {
		Transcription() (TranscriptionDTO, error)
	}
	if r := findInstance(dir, ws); r != nil {
		f = r
	} else {
		a, done, err := c.openLocal(ctx, ws)
		if err != nil {
			return backend.Transcription{}, err
		}
		defer done()
		f = a
	}
	d, err := f.Transcription()
	return d.transcription(), err
}

// voiceRecognizers builds what `voice recognize` hears with: the offline
// recognizer from model (or the configured directory), and the workspace's
// endpoint when one is configured.
func (c *command) voiceRecognizers(ctx context.Context, model string) (voiceRecognizers, error) {
	t, err := c.transcription(ctx)
	if err != nil {
		return voiceRecognizers{}, err
	}
	off, offErr := c.voiceRecognizer(model)
	r := composeRecognizers(c.env.Voice, off, offErr, t, c.env.Secrets, c.env.Clock, nil)
	if r.rec == nil {
		return r, r.err
	}
	if r.onErr != nil {
		fmt.Fprintf(c.env.Stderr, "caseyos %s: the online recognizer cannot be used (%s); the offline one answers\n", c.name, backend.ErrorMessage(r.onErr))
	}
	return r, nil
}
