package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/app/cli"
	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/keychain"
	"github.com/caseyos/caseyos/connectors/llm"
	"github.com/caseyos/caseyos/connectors/llm/llmtest"
	"github.com/caseyos/caseyos/store"
)

const llmKey = "sk-proj-cl1m0d3l-7e57c0de-2222-l3akf1nd3r"

type llmCLI struct {
	dir     string
	secrets backend.Secrets
}

func (c *llmCLI) run(tb testing.TB, stdin string, args ...string) (int, string, string) {
	tb.Helper()
	var out, errb bytes.Buffer
	code := cli.Main(context.Background(), append([]string{"--data-dir", c.dir}, args...), cli.Env{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Clock: backend.SystemClock{},
		Open: func(p string) (backend.Store, error) {
			return store.Open(p, store.Options{Timeout: 200 * time.Millisecond})
		},
		Secrets: c.secrets,
		Model: func(l backend.LanguageModel, key string) (backend.LLM, error) {
			cl, err := llm.New(llm.Config{BaseURL: l.URL, Model: l.Model, APIKey: key, Timeout: 3 * time.Second})
			if err != nil {
				return nil, err
			}
			return cl, nil
		},
	})
	return code, out.String(), errb.String()
}

func TestCLI_ConnectLLM(t *testing.T) {
	srv := llmtest.NewTestServer(t, llmtest.Options{APIKey: llmKey, Models: []string{"gpt-test"}})
	c := &llmCLI{dir: t.TempDir(), secrets: keychain.NewMock()}

	t.Run("ErrWrongKey", func(t *testing.T) {
		code, _, errOut := c.run(t, "sk-wrong-1234567890\n", "connect", "llm", "--url", srv.URL(), "--model", "gpt-test", "--key-stdin")
		if code != cli.ExitError || !strings.Contains(errOut, srv.URL()) || strings.Contains(errOut, "sk-wrong-1234567890") {
			t.Errorf("connect with a wrong key = %d, %q; want an error naming %s and not the key", code, errOut, srv.URL())
		}
		if _, err := c.secrets.Get(app.ModelAccount); backend.ErrorCode(err) != backend.ENOTFOUND {
			t.Errorf("keychain after a failed check: %v, want nothing stored", err)
		}
	})
	t.Run("ErrUsage", func(t *testing.T) {
		if code, _, _ := c.run(t, "", "connect", "llm", "--url", srv.URL()); code != cli.ExitUsage {
			t.Errorf("connect llm without --model = %d, want usage", code)
		}
	})

	code, out, errOut := c.run(t, llmKey+"\n", "connect", "llm", "--url", srv.URL(), "--model", "gpt-test", "--key-stdin", "--daily-tokens", "12345")
	if code != cli.ExitOK || !strings.Contains(out, "Connected the language model gpt-test at 127.0.0.1:") {
		t.Fatalf("connect llm = %d, %q, %q", code, out, errOut)
	}
	if reqs := srv.Requests(); len(reqs) != 2 || reqs[1].MaxTokens != 1 || reqs[1].Auth != "Bearer "+llmKey {
		t.Errorf("requests %+v, want the wrong key's check and one one-token check with the key", reqs)
	}
	if k, err := c.secrets.Get(app.ModelAccount); err != nil || k != llmKey {
		t.Errorf("keychain %q, %v; want the key", k, err)
	}
	code, out, _ = c.run(t, "", "status", "--json")
	var st cli.StatusDTO
	if code != cli.ExitOK || json.Unmarshal([]byte(out), &st) != nil || st.Model.URL != srv.URL() || st.Model.Budget != 12345 || !st.Model.HasKey {
		t.Errorf("status --json = %d, %+v; want the model, its budget and its key", code, st.Model)
	}
	if code, out, _ = c.run(t, "", "status"); !strings.Contains(out, "Language model: gpt-test at 127.0.0.1:") || !strings.Contains(out, "of 12345 tokens used today") {
		t.Errorf("status = %d, %q; want the model's line", code, out)
	}
	err := filepath.Walk(c.dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err == nil && bytes.Contains(data, []byte(llmKey)) {
			t.Errorf("the key is in %s", p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	code, out, _ = c.run(t, "", "disconnect", "llm")
	if code != cli.ExitOK || !strings.Contains(out, "Disconnected the language model") {
		t.Errorf("disconnect llm = %d, %q", code, out)
	}
	if _, err := c.secrets.Get(app.ModelAccount); backend.ErrorCode(err) != backend.ENOTFOUND {
		t.Errorf("keychain after disconnect: %v, want the key gone", err)
	}
	if _, out, _ = c.run(t, "", "status"); !strings.Contains(out, "Language model: none") {
		t.Errorf("status after disconnect = %q", out)
	}
}
