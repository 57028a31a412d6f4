package app

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/llm"
	"github.com/caseyos/caseyos/connectors/llm/llmtest"
	"github.com/caseyos/caseyos/store"
)

// The key the fake model accepts; a leak is found by a plain search.
const modelKeyValue = "sk-proj-m0d3lk3y-7e57c0de-1111-l3akf1nd3r"

type modelFixture struct {
	app  *App
	srv  *llmtest.Server
	keys *memKeychain
	path string // the bbolt file
}

func newModelApp(t *testing.T, demo bool) *modelFixture {
	t.Helper()
	path := filepath.Join(t.TempDir(), "caseyos.db")
	db, err := store.Open(path, store.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &modelFixture{srv: llmtest.NewTestServer(t, llmtest.Options{APIKey: modelKeyValue}), keys: &memKeychain{m: map[string]string{}}, path: path}
	build := func(l backend.LanguageModel, key string) (backend.LLM, error) {
		c, err := llm.New(llm.Config{BaseURL: l.URL, Model: l.Model, APIKey: key, Timeout: 3 * time.Second})
		if err != nil {
			return nil, err
		}
		return c, nil
	}
	f.app = New(Options{Store: db, Secrets: f.keys, Workspace: Workspace{Path: path, Demo: demo}, Model: build})
	// A price list, so that the offline draft answers the pricing question.
	st, err := f.app.queue.Settings.Get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	st.Pricing = backend.Pricing{Currency: "USD", Tiers: []backend.PriceTier{{Name: "Team", MinSeats: 1, SeatPrice: 30}}}
	if err := f.app.queue.Settings.Save(context.Background(), st, backend.ActorCLI); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	f.app.ctx = ctx
	f.app.startModel()
	t.Cleanup(func() { cancel(); f.app.wg.Wait() })
	return f
}

// ingestReply brings in Dana's pricing question and returns its move.
func (f *modelFixture) ingestReply(t *testing.T, key, domain string) MoveDTO {
	t.Helper()
	at := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
	line := fmt.Sprintf(`{"source":"gmail","type":"email.replied","occurred_at":%q,"dedupe_key":%q,`+
		`"contact":{"email":"dana@%s","name":"Dana Scully"},`+
		`"email":{"thread_id":"thr-%s","from":"dana@%s","from_name":"Dana Scully","subject":"Pricing","received_at":%q,`+
		`"body":"What does it cost for 40 engineers?"}}`, at, key, domain, key, domain, at)
	rep, err := f.app.bound.Signals.Ingest(line)
	if err != nil || rep.Stored != 1 {
		t.Fatalf("Ingest = %+v, %v", rep, err)
	}
	today, err := f.app.bound.Today.Today("", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range today.Moves {
		if m.Subject == "thread:thr-"+key {
			return m
		}
	}
	t.Fatalf("no reply move for thr-%s in %+v", key, today.Moves)
	return MoveDTO{}
}

// waitPreview waits for the move's draft to have a provenance.
func (f *modelFixture) waitPreview(t *testing.T, id uint64) ExecutionPreviewDTO {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		p, err := f.app.bound.Execution.PreviewExecution(id)
		if err != nil {
			t.Fatal(err)
		}
		if p.Provenance != nil || time.Now().After(deadline) {
			return p
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestApp_ConnectLanguageModel(t *testing.T) {
	f := newModelApp(t, false)
	bound := f.app.bound.Connections
	in := LanguageModelDTO{URL: f.srv.URL(), Model: "gpt-test", NeverSend: []string{"secret.example"}, DailyTokens: 100000}

	t.Run("ErrWrongKey", func(t *testing.T) {
		_, err := bound.ConnectLanguageModel(in, "sk-wrong-00000000000000", true, "click")
		if backend.ErrorCode(err) != backend.EUNAUTHORIZED || !strings.Contains(backend.ErrorMessage(err), f.srv.URL()) {
			t.Errorf("ConnectLanguageModel with a wrong key = %v; want unauthorized naming %s", err, f.srv.URL())
		}
		got, _ := bound.LanguageModel()
		if got.URL != "" || len(f.keys.m) != 0 {
			t.Errorf("after a failed check: model %q, keychain %v; want nothing stored", got.URL, f.keys.m)
		}
	})

	got, err := bound.ConnectLanguageModel(in, modelKeyValue, true, "click")
	if err != nil {
		t.Fatal(err)
	}
	if !got.Active || !got.HasKey || !strings.HasPrefix(got.Name, "gpt-test at 127.0.0.1:") || got.Budget != 100000 {
		t.Errorf("LanguageModel after connect = %+v; want active, with its key, the budget set", got)
	}
	if f.keys.m[ModelAccount] != modelKeyValue {
		t.Errorf("keychain %v: want the key under %q", f.keys.m, ModelAccount)
	}
	if reqs := f.srv.Requests(); len(reqs) == 0 || reqs[len(reqs)-1].MaxTokens != 1 {
		t.Errorf("requests %+v: want the one-token check", reqs)
	}

	m := f.ingestReply(t, "1", "acme.example")
	p := f.waitPreview(t, m.ID)
	if p.Provenance == nil || p.Provenance.By != got.Name || !strings.HasPrefix(p.Provenance.Line, "Draft written by gpt-test") {
		t.Fatalf("preview provenance %+v, want the draft written by %s", p.Provenance, got.Name)
	}
	reqs := f.srv.Requests()
	last := reqs[len(reqs)-1]
	if len(p.Provenance.Sent) != len(last.Messages) {
		t.Fatalf("preview shows %d messages sent, the server received %d", len(p.Provenance.Sent), len(last.Messages))
	}
	for i, msg := range last.Messages {
		if p.Provenance.Sent[i].Role != msg.Role || p.Provenance.Sent[i].Content != msg.Content {
			t.Errorf("preview's sent[%d] = %+v, want exactly what was sent %+v", i, p.Provenance.Sent[i], msg)
		}
	}
	if !strings.HasPrefix(p.Draft.Body, "Hi Dana,") || !strings.Contains(p.Draft.Body, "What does it cost for 40 engineers?") || p.Plan == nil && p.NeedsAccount == "" {
		t.Errorf("preview draft %q, want the model's", p.Draft.Body)
	}
	if lm, _ := bound.LanguageModel(); lm.UsedToday == 0 {
		t.Errorf("UsedToday = 0 after a draft, want the API's usage counted")
	}

	t.Run("NeverSend", func(t *testing.T) {
		before := len(f.srv.Requests())
		m := f.ingestReply(t, "2", "secret.example")
		p := f.waitPreview(t, m.ID)
		if n := len(f.srv.Requests()); n != before {
			t.Errorf("the fake received %d requests for a never-send account, want none", n-before)
		}
		if p.Provenance == nil || p.Provenance.By != "" || len(p.Provenance.Sent) != 0 || !strings.Contains(p.Provenance.Note, "never-send") {
			t.Errorf("provenance %+v, want an offline draft saying why", p.Provenance)
		}
	})

	t.Run("KeyNeverInTheDataFile", func(t *testing.T) {
		data, err := os.ReadFile(f.path)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte(modelKeyValue)) || bytes.Contains(data, []byte(modelKeyValue[8:24])) {
			t.Error("the model's API key is in the bbolt file")
		}
		if !bytes.Contains(data, []byte("gpt-test")) {
			t.Error("the model's configuration is not in the bbolt file either: the search proves nothing")
		}
	})

	t.Run("Disconnect", func(t *testing.T) {
		out, err := bound.DisconnectLanguageModel("click")
		if err != nil {
			t.Fatal(err)
		}
		if out.URL != "" || out.Active || out.HasKey || len(out.NeverSend) != 1 {
			t.Errorf("after disconnect %+v: want no model, no key, the never-send list kept", out)
		}
		if _, ok := f.keys.m[ModelAccount]; ok {
			t.Error("the key is still in the keychain")
		}
		before := len(f.srv.Requests())
		f.ingestReply(t, "3", "acme.example")
		time.Sleep(200 * time.Millisecond)
		if n := len(f.srv.Requests()); n != before {
			t.Errorf("%d requests after disconnect, want none", n-before)
		}
	})
}

func TestApp_LanguageModelInTheDemo(t *testing.T) {
	f := newModelApp(t, true)
	// A model configured in the demo's settings (by hand, or an older
	// build) is never sent to.
	if err := f.app.queue.Settings.SetLanguageModel(context.Background(), backend.LanguageModel{URL: f.srv.URL(), Model: "gpt-test"}, backend.ActorCLI); err != nil {
		t.Fatal(err)
	}
	f.keys.m[ModelAccount] = modelKeyValue
	f.app.wireModel(context.Background())
	m := f.ingestReply(t, "1", "acme.example")
	time.Sleep(200 * time.Millisecond)
	if n := len(f.srv.Requests()); n != 0 {
		t.Errorf("the demo sent %d requests to the model, want none", n)
	}
	if p, _ := f.app.bound.Execution.PreviewExecution(m.ID); p.Provenance != nil {
		t.Errorf("demo preview provenance %+v, want none", p.Provenance)
	}
	lm, _ := f.app.bound.Connections.LanguageModel()
	if lm.Active || !strings.Contains(lm.Notice, "demo") {
		t.Errorf("LanguageModel in the demo = %+v, want inactive, saying why", lm)
	}
	if _, err := f.app.bound.Connections.ConnectLanguageModel(LanguageModelDTO{URL: f.srv.URL(), Model: "gpt-test"}, modelKeyValue, false, "click"); backend.ErrorCode(err) != backend.EINVALID {
		t.Errorf("ConnectLanguageModel in the demo = %v, want refused", err)
	}
}

func TestApp_ModelFailureKeepsTheMoveExecutable(t *testing.T) {
	f := newModelApp(t, false)
	if _, err := f.app.bound.Connections.ConnectLanguageModel(LanguageModelDTO{URL: f.srv.URL(), Model: "gpt-test"}, modelKeyValue, false, "click"); err != nil {
		t.Fatal(err)
	}
	f.srv.Slow(1, 5*time.Second)
	start := time.Now()
	m := f.ingestReply(t, "1", "acme.example")
	p, err := f.app.bound.Execution.PreviewExecution(m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("ingest and preview took %s with a slow model, want no wait", d)
	}
	if p.Provenance != nil && p.Provenance.By != "" {
		t.Errorf("provenance %+v before the model answered", p.Provenance)
	}
	if m, err := f.app.queue.Moves.Move(context.Background(), m.ID); err != nil || len(backend.DraftHoles(m)) != 0 || p.Draft.Body == "" {
		t.Errorf("the offline draft %q is not ready to execute: %v", p.Draft.Body, backend.DraftHoles(m))
	}
	p = f.waitPreview(t, m.ID)
	if p.Provenance == nil || p.Provenance.By != "" || !strings.Contains(p.Provenance.Note, "did not answer within") {
		t.Errorf("provenance %+v, want the offline draft standing with the timeout named", p.Provenance)
	}
}

// TestApp_ModelWritesFollowUps: a mail sent ten days ago that nothing
// answered gets a follow-up, and the running App's model worker rewrites
// it from the earlier mail; the preview says who wrote it and what was
// sent.
func TestApp_ModelWritesFollowUps(t *testing.T) {
	f := newModelApp(t, false)
	lm, err := f.app.bound.Connections.ConnectLanguageModel(LanguageModelDTO{URL: f.srv.URL(), Model: "gpt-test"}, modelKeyValue, false, "click")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const earlier = "Hi Dana,\n\nThe Team plan is $30 per seat a month; happy to walk your team through it.\n\nCasey"
	past := backend.PastMove{
		Move: &backend.Move{Kind: backend.KindSendEmail, Domain: backend.DomainSales, Title: "Answer Dana about pricing", Subject: backend.Subject{Type: backend.SubjectThread, ID: "thr-past"},
			Draft: backend.Draft{To: []string{"dana@acme.example"}, Subject: "Re: Pricing", Body: earlier, ThreadID: "thr-past"}},
		ExecutedAt: time.Now().Add(-10 * 24 * time.Hour),
	}
	if err := f.app.queue.LoadHistory(ctx, []backend.PastMove{past}); err != nil {
		t.Fatal(err)
	}
	today, err := f.app.bound.Today.Today("", 0)
	if err != nil {
		t.Fatal(err)
	}
	var fu *MoveDTO
	for i, m := range today.Moves {
		if m.Subject == "follow_up:thr-past/2" {
			fu = &today.Moves[i]
		}
	}
	if fu == nil {
		t.Fatalf("no follow-up in %+v", today.Moves)
	}
	p := f.waitPreview(t, fu.ID)
	if p.Provenance == nil || p.Provenance.By != lm.Name || !strings.HasPrefix(p.Provenance.Line, "Draft written by gpt-test") {
		t.Fatalf("preview provenance %+v, want the follow-up written by %s", p.Provenance, lm.Name)
	}
	reqs := f.srv.Requests()
	last := reqs[len(reqs)-1]
	if last.SchemaName != "follow_up" || !strings.Contains(last.Messages[1].Content, "Subject: Re: Pricing\nSent: ") ||
		!strings.Contains(last.Messages[1].Content, earlier) {
		t.Errorf("request %q:\n%s\nwant the follow-up prompt carrying the earlier mail", last.SchemaName, last.Messages[1].Content)
	}
	if len(p.Provenance.Sent) != 2 || p.Provenance.Sent[1].Content != last.Messages[1].Content {
		t.Errorf("preview shows %+v as sent, want exactly what the server received", p.Provenance.Sent)
	}
	if !strings.Contains(p.Draft.Body, "nudge on my note from") || !strings.Contains(p.Draft.Body, "about “Pricing”") || p.Draft.Subject != "Re: Pricing" {
		t.Errorf("preview draft %+v, want the model's follow-up in the thread", p.Draft)
	}
}
