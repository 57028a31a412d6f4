package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/app/cli"
	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/llm"
	"github.com/caseyos/caseyos/connectors/llm/llmtest"
)

// modelFunc wires connectors/llm for the configured language model. The
// base URL is $CASEYOS_LLM_BASE_URL when set (tests point it at
// llmtest), else the configured one.
func modelFunc() app.ModelFunc {
	return func(l backend.LanguageModel, key string) (backend.LLM, error) {
		base := l.URL
		if env := os.Getenv("CASEYOS_LLM_BASE_URL"); env != "" {
			base = env
		}
		c, err := llm.New(llm.Config{BaseURL: base, Model: l.Model, APIKey: key})
		if err != nil {
			return nil, err
		}
		return c, nil
	}
}

// fakeLLM serves llmtest's fake OpenAI-compatible model server with one
// API key, printed for the developer.
func fakeLLM() cli.Fake {
	return func(ctx context.Context, addr string) (string, func(), error) {
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			return "", nil, err
		}
		key := "sk-fake-" + hex.EncodeToString(b)
		srv := llmtest.New(llmtest.Options{APIKey: key})
		url, err := srv.Start(addr)
		if err != nil {
			return "", nil, backend.Errorf(backend.EUNAVAILABLE, "the fake model server cannot listen on %s", addr)
		}
		fmt.Fprintf(os.Stderr, "fake model API key: %s\n", key)
		return url, srv.Close, nil
	}
}
