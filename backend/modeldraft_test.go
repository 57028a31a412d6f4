package backend_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/llm"
	"github.com/caseyos/caseyos/connectors/llm/llmtest"
)

// modelFixture is a queue with the model connected: the real connector
// over the fake server.
type modelFixture struct {
	*queueFixture
	srv *llmtest.Server
}

func newModelQueue(tb testing.TB, opts llmtest.Options, lm backend.LanguageModel) *modelFixture {
	tb.Helper()
	f := newQueue(tb)
	srv := llmtest.NewTestServer(tb, opts)
	if lm.URL == "" {
		lm.URL = srv.URL()
	}
	if lm.Model == "" {
		lm.Model = "gpt-test"
	}
	if err := f.q.Settings.SetLanguageModel(f.ctx, lm, backend.ActorClick); err != nil {
		tb.Fatal(err)
	}
	st, err := f.q.Settings.Get(f.ctx)
	if err != nil {
		tb.Fatal(err)
	}
	st.OwnerName = "Casey"
	// A price list, so that the offline draft answers Dana's question and
	// can be sent as it stands.
	st.Pricing = backend.Pricing{Currency: "USD", Tiers: []backend.PriceTier{{Name: "Team", MinSeats: 1, MaxSeats: 50, SeatPrice: 30}, {Name: "Scale", MinSeats: 51, SeatPrice: 24}}}
	if err := f.q.Settings.Save(f.ctx, st, backend.ActorClick); err != nil {
		tb.Fatal(err)
	}
	c, err := llm.New(llm.Config{BaseURL: lm.URL, Model: lm.Model, Timeout: 2 * time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	f.q.Model.SetLLM(c, lm.Name(), 2*time.Second)
	return &modelFixture{queueFixture: f, srv: srv}
}

// danaAsks is Dana's reply asking about pricing, with a body.
func danaAsks(key string, at time.Time) *backend.Signal {
	s := replySignal(key, "thr-dana", "dana@acme.example", at)
	s.Contact.Name = "Dana Scully"
	s.Company.Domain = "acme.example"
	s.Email.FromName = "Dana Scully"
	s.Email.Subject = "Pricing for 40 engineers"
	s.Email.Body = "Hi Casey,\n\nWhat does it cost for 40 engineers? Could we talk Thursday?\n\nDana"
	return s
}

func (f *modelFixture) move(tb testing.TB, id uint64) *backend.Move {
	tb.Helper()
	m, err := f.q.Moves.Move(f.ctx, id)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func (f *modelFixture) replyMove(tb testing.TB, sig *backend.Signal) *backend.Move {
	tb.Helper()
	rep := f.ingest(tb, sig)
	var reply *backend.Move
	for _, id := range rep.Created {
		if m := f.move(tb, id); m.Kind == backend.KindSendEmail && m.Draft.ThreadID != "" {
			if reply != nil {
				tb.Fatalf("ingest created two replies: %d and %d", reply.ID, m.ID)
			}
			reply = m
		}
	}
	if reply == nil {
		tb.Fatalf("ingest created %v, want a reply move among them", rep.Created)
	}
	return reply
}

func TestModelService_Upgrade(t *testing.T) {
	t.Run("Replaced", func(t *testing.T) {
		f := newModelQueue(t, llmtest.Options{}, backend.LanguageModel{})
		m := f.replyMove(t, danaAsks("g:1", testNow.Add(-time.Hour)))
		offline := m.Draft.Body
		if m.DraftBy != "" || len(f.srv.Requests()) != 0 {
			t.Fatalf("before the upgrade: DraftBy %q, %d requests; ingest must not wait on the model", m.DraftBy, len(f.srv.Requests()))
		}
		f.q.Model.Drain(f.ctx)
		reqs := f.srv.Requests()
		if len(reqs) != 1 {
			t.Fatalf("%d requests, want 1", len(reqs))
		}
		got := f.move(t, m.ID)
		want := llmtest.Draft(reqs[0].Messages[1].Content)
		if got.Draft.Body != want || !strings.HasPrefix(got.Draft.Body, "Hi Dana,") {
			t.Errorf("draft body %q, want the model's %q", got.Draft.Body, want)
		}
		if got.Draft.Body == offline || got.Draft.Subject != m.Draft.Subject || got.Draft.ThreadID != m.Draft.ThreadID || strings.Join(got.Draft.To, ",") != "dana@acme.example" {
			t.Errorf("draft %+v: want the body replaced and the rest kept", got.Draft)
		}
		if !strings.HasPrefix(got.DraftBy, "gpt-test at 127.0.0.1:") || got.DraftNote != "" {
			t.Errorf("DraftBy %q note %q, want the model's name and no note", got.DraftBy, got.DraftNote)
		}
		if len(got.DraftSent) != len(reqs[0].Messages) {
			t.Fatalf("DraftSent %+v, want what the server received %+v", got.DraftSent, reqs[0].Messages)
		}
		for i, msg := range reqs[0].Messages {
			if got.DraftSent[i].Role != msg.Role || got.DraftSent[i].Content != msg.Content {
				t.Errorf("DraftSent[%d] = %+v, want exactly what was sent %+v", i, got.DraftSent[i], msg)
			}
		}
		user := reqs[0].Messages[1].Content
		for _, w := range []string{"From: Dana Scully <dana@acme.example>", "What does it cost for 40 engineers?", "Sign as: Casey", offline} {
			if !strings.Contains(user, w) {
				t.Errorf("prompt lacks %q:\n%s", w, user)
			}
		}
		if reqs[0].Format != "json_schema" || reqs[0].SchemaName != "reply" {
			t.Errorf("format %q %q, want json_schema reply", reqs[0].Format, reqs[0].SchemaName)
		}
		// Asked again (an older signal landed on the thread), nothing is sent.
		if res, err := f.q.Model.Upgrade(f.ctx, m.ID); res != backend.UpgradeNone || err != nil || len(f.srv.Requests()) != 1 {
			t.Errorf("Upgrade of a model's draft = %q, %v with %d requests; want none, nothing sent", res, err, len(f.srv.Requests()))
		}
		h := f.audit(t, m.ID)
		if last := h[len(h)-1]; last.Action != backend.AuditMoveUpdated || !strings.Contains(last.Detail, "draft written by gpt-test") {
			t.Errorf("last audit %s %q, want the draft's writer recorded", last.Action, last.Detail)
		}
	})

	t.Run("FactsAndPriceList", func(t *testing.T) {
		f := newModelQueue(t, llmtest.Options{}, backend.LanguageModel{})
		st, err := f.q.Settings.Get(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		st.Pricing = backend.Pricing{Currency: "USD", Tiers: []backend.PriceTier{{Name: "Team", MinSeats: 1, MaxSeats: 50, SeatPrice: 30}, {Name: "Scale", MinSeats: 51, SeatPrice: 24}}}
		st.Facts = []backend.Fact{{Topic: "compliance", Text: "We are SOC 2 Type II audited; the report is available under NDA."}, {Topic: "integration", Text: "Slack and Jira integrations are included."}}
		if err := f.q.Settings.Save(f.ctx, st, backend.ActorClick); err != nil {
			t.Fatal(err)
		}
		sig := danaAsks("g:1", testNow.Add(-time.Hour))
		sig.Email.Body = "What does it cost for 40 engineers? Are you SOC 2 compliant?"
		m := f.replyMove(t, sig)
		f.q.Model.Drain(f.ctx)
		reqs := f.srv.Requests()
		if len(reqs) != 1 {
			t.Fatalf("%d requests, want 1", len(reqs))
		}
		user := reqs[0].Messages[1].Content
		for _, w := range []string{"Price list (per seat per month):\n- Team, 1 to 50 seats: $30\n- Scale, 51 or more seats: $24", "- We are SOC 2 Type II audited; the report is available under NDA.",
			"Questions they asked:\n- What does it cost for 40 engineers?\n- Are you SOC 2 compliant?", "Seats they named: 40"} {
			if !strings.Contains(user, w) {
				t.Errorf("prompt lacks %q:\n%s", w, user)
			}
		}
		got := f.move(t, m.ID)
		if got.DraftBy == "" || !strings.Contains(got.Draft.Body, "SOC 2 Type II audited") {
			t.Errorf("draft %q by %q, want the model's draft quoting the fact", got.Draft.Body, got.DraftBy)
		}
		// A price the list does not hold is refused.
		f.srv.Script(answer("Hi Dana, for 40 seats it is $28 per seat a month.\n\nCasey"))
		later := danaAsks("g:2", testNow.Add(-30*time.Minute))
		later.Email.Body = "And what does it cost for 40 engineers on a yearly plan?"
		f.ingest(t, later)
		f.q.Model.Drain(f.ctx)
		if got := f.move(t, m.ID); got.DraftBy != "" || !strings.Contains(got.DraftNote, `"28"`) {
			t.Errorf("draft %q by %q note %q, want the invented price refused", got.Draft.Body, got.DraftBy, got.DraftNote)
		}
	})

	t.Run("IntentWhenUnsure", func(t *testing.T) {
		f := newModelQueue(t, llmtest.Options{}, backend.LanguageModel{})
		sig := danaAsks("g:1", testNow.Add(-time.Hour))
		sig.Email.Body = "Interesting. Not now though, maybe a call?"
		m := f.replyMove(t, sig)
		f.q.Model.Drain(f.ctx)
		got := f.move(t, m.ID)
		if !strings.Contains(strings.Join(got.Reasons, "|"), "The model reads this as meeting request (offline: not now, unsure)") {
			t.Errorf("reasons %q: want the model's reading beside the unsure offline one", got.Reasons)
		}
		// A sure offline reading keeps its place: the model's is not added.
		sure := replySignal("g:2", "thr-2", "lee@other.example", testNow.Add(-30*time.Minute))
		sure.Email.Body = "Please unsubscribe me from these emails."
		f.srv.Script(answer("Hi Lee,\n\nDone.\n\nCasey"))
		rep := f.ingest(t, sure)
		f.q.Model.Drain(f.ctx)
		for _, id := range append(rep.Created, rep.Updated...) {
			if r := f.move(t, id).Reasons; strings.Contains(strings.Join(r, "|"), "The model reads this as") {
				t.Errorf("reasons %q: the offline reading was sure", r)
			}
		}
	})

	t.Run("NothingSentOffline", func(t *testing.T) {
		f := newModelQueue(t, llmtest.Options{}, backend.LanguageModel{})
		f.q.Model.SetLLM(nil, "", 0) // disconnected
		m := f.replyMove(t, danaAsks("g:1", testNow.Add(-time.Hour)))
		f.q.Model.Drain(f.ctx)
		if res, err := f.q.Model.Upgrade(f.ctx, m.ID); res != backend.UpgradeNone || err != nil {
			t.Errorf("Upgrade without a model = %q, %v; want none", res, err)
		}
		if n := len(f.srv.Requests()); n != 0 {
			t.Errorf("%d requests without a model, want none", n)
		}
	})

	t.Run("NothingSentWhenNotConfigured", func(t *testing.T) {
		f := newModelQueue(t, llmtest.Options{}, backend.LanguageModel{})
		if err := f.q.Settings.SetLanguageModel(f.ctx, backend.LanguageModel{}, backend.ActorClick); err != nil {
			t.Fatal(err)
		}
		m := f.replyMove(t, danaAsks("g:1", testNow.Add(-time.Hour)))
		f.q.Model.Drain(f.ctx)
		if n := len(f.srv.Requests()); n != 0 || f.move(t, m.ID).DraftSent != nil {
			t.Errorf("%d requests with the model removed from settings, want none", n)
		}
	})

	t.Run("NeverSendAccount", func(t *testing.T) {
		for _, entry := range []string{"acme.example", "ACME", "@Acme.Example"} {
			f := newModelQueue(t, llmtest.Options{}, backend.LanguageModel{NeverSend: []string{"other.example", entry}})
			m := f.replyMove(t, danaAsks("g:1", testNow.Add(-time.Hour)))
			f.q.Model.Drain(f.ctx)
			if n := len(f.srv.Requests()); n != 0 {
				t.Errorf("never-send %q: the fake received %d requests, want none", entry, n)
			}
			got := f.move(t, m.ID)
			if got.Draft.Body != m.Draft.Body || got.DraftSent != nil || !strings.Contains(got.DraftNote, "never-send") {
				t.Errorf("never-send %q: body %q sent %v note %q; want the offline draft, nothing sent, and why", entry, got.Draft.Body, got.DraftSent, got.DraftNote)
			}
		}
	})

	t.Run("DailyBudget", func(t *testing.T) {
		f := newModelQueue(t, llmtest.Options{}, backend.LanguageModel{DailyTokens: 50})
		first := f.replyMove(t, danaAsks("g:1", testNow.Add(-time.Hour)))
		f.q.Model.Drain(f.ctx)
		if f.move(t, first.ID).DraftBy == "" {
			t.Fatal("the first draft was not upgraded")
		}
		second := replySignal("g:2", "thr-2", "lee@other.example", testNow.Add(-30*time.Minute))
		m2 := f.replyMove(t, second)
		f.q.Model.Drain(f.ctx)
		if n := len(f.srv.Requests()); n != 1 {
			t.Errorf("%d requests, want 1: the budget (50 tokens) was spent by the first", n)
		}
		got := f.move(t, m2.ID)
		if got.DraftBy != "" || !strings.Contains(got.DraftNote, "daily token budget (50) is used up") {
			t.Errorf("DraftBy %q note %q, want the offline draft and the budget named", got.DraftBy, got.DraftNote)
		}
		// The next day the budget is fresh.
		f.clock.Advance(24 * time.Hour)
		if res, err := f.q.Model.Upgrade(f.ctx, m2.ID); res != backend.UpgradeReplaced || err != nil {
			t.Errorf("Upgrade the next day = %q, %v; want replaced", res, err)
		}
	})

	t.Run("FounderEditedFirst", func(t *testing.T) {
		f := newModelQueue(t, llmtest.Options{}, backend.LanguageModel{})
		m := f.replyMove(t, danaAsks("g:1", testNow.Add(-time.Hour)))
		d := m.Draft
		d.Body = "Hi Dana, mine."
		if _, err := f.q.Moves.EditDraft(f.ctx, m.ID, d, backend.ActorClick); err != nil {
			t.Fatal(err)
		}
		f.q.Model.Drain(f.ctx)
		if n := len(f.srv.Requests()); n != 0 || f.move(t, m.ID).Draft.Body != "Hi Dana, mine." {
			t.Errorf("%d requests for an edited draft, want none and the founder's draft kept", n)
		}
	})

	t.Run("FounderEditedWhileTheModelWrote", func(t *testing.T) {
		f := newModelQueue(t, llmtest.Options{}, backend.LanguageModel{})
		m := f.replyMove(t, danaAsks("g:1", testNow.Add(-time.Hour)))
		f.srv.Script(func(r llmtest.Request) string {
			d := m.Draft
			d.Body = "Hi Dana, mine."
			if _, err := f.q.Moves.EditDraft(context.Background(), m.ID, d, backend.ActorClick); err != nil {
				t.Error(err)
			}
			return llmtest.Answer(r)
		})
		res, err := f.q.Model.Upgrade(f.ctx, m.ID)
		if res != backend.UpgradeStale || err != nil {
			t.Errorf("Upgrade = %q, %v; want stale", res, err)
		}
		if got := f.move(t, m.ID); got.Draft.Body != "Hi Dana, mine." || got.DraftBy != "" {
			t.Errorf("body %q by %q, want the founder's edit kept", got.Draft.Body, got.DraftBy)
		}
	})

	t.Run("NotWhileExecutingOrDone", func(t *testing.T) {
		f := newModelQueue(t, llmtest.Options{}, backend.LanguageModel{})
		m := f.replyMove(t, danaAsks("g:1", testNow.Add(-time.Hour)))
		if _, err := f.q.Moves.Skip(f.ctx, m.ID, "", backend.ActorClick); err != nil {
			t.Fatal(err)
		}
		if res, _ := f.q.Model.Upgrade(f.ctx, m.ID); res != backend.UpgradeNone || len(f.srv.Requests()) != 0 {
			t.Errorf("Upgrade of a skipped move = %q with %d requests, want none", res, len(f.srv.Requests()))
		}
	})
}

func TestModelService_Fallback(t *testing.T) {
	tests := []struct {
		name   string
		opts   llmtest.Options
		fault  func(*llmtest.Server)
		script func(llmtest.Request) string
		key    string
		result string
		note   string
	}{
		{name: "Unauthorized", opts: llmtest.Options{APIKey: "sk-right-0123456789"}, result: backend.UpgradeFailed, note: "reconnect the model"},
		{name: "RateLimitedWithRetryAfter", fault: func(s *llmtest.Server) { s.RateLimit(1, "60") }, result: backend.UpgradeFailed, note: "rate limit"},
		{name: "RateLimitedWithoutRetryAfter", fault: func(s *llmtest.Server) { s.RateLimit(1, "") }, result: backend.UpgradeFailed, note: "rate limit"},
		{name: "ServerError", fault: func(s *llmtest.Server) { s.Fail(1, 502) }, result: backend.UpgradeFailed, note: "HTTP 502"},
		{name: "Slow", fault: func(s *llmtest.Server) { s.Slow(1, 5*time.Second) }, result: backend.UpgradeFailed, note: "did not answer within"},
		{name: "NotJSONTwice", fault: func(s *llmtest.Server) { s.Malformed(2) }, result: backend.UpgradeRefused, note: "not the JSON asked for"},
		{name: "InventedPrice", script: answer(`Hi Dana, it is $99 per seat.`), result: backend.UpgradeRefused, note: `"99"`},
		{name: "InventedDay", script: answer(`Hi Dana, how about Friday?`), result: backend.UpgradeRefused, note: `"Friday"`},
		{name: "TemplateHole", script: answer("Hi Dana,\n\nOur price is [PRICE].\n\nCasey"), result: backend.UpgradeRefused, note: "template text"},
		{name: "Empty", script: answer("  "), result: backend.UpgradeRefused, note: "empty"},
		{name: "TooLong", script: answer(strings.Repeat("abcdefghijklmnop ", 300)), result: backend.UpgradeRefused, note: "longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newModelQueue(t, tt.opts, backend.LanguageModel{})
			// No key: the Unauthorized server wants one.
			f.q.Model.SetLLM(mustClient(t, f.srv.URL(), 300*time.Millisecond), "gpt-test", 300*time.Millisecond)
			if tt.fault != nil {
				tt.fault(f.srv)
			}
			f.srv.Script(tt.script)
			m := f.replyMove(t, danaAsks("g:1", testNow.Add(-time.Hour)))
			start := time.Now()
			res, err := f.q.Model.Upgrade(f.ctx, m.ID)
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("the upgrade took %s", d)
			}
			if res != tt.result || err == nil {
				t.Errorf("Upgrade = %q, %v; want %q with the error", res, err, tt.result)
			}
			got := f.move(t, m.ID)
			if got.Draft.Body != m.Draft.Body || got.DraftBy != "" || got.Status != backend.StatusPending {
				t.Errorf("draft %q by %q status %s; want the offline draft standing, pending", got.Draft.Body, got.DraftBy, got.Status)
			}
			if !strings.Contains(got.DraftNote, tt.note) || !strings.HasPrefix(got.DraftNote, "Offline draft") {
				t.Errorf("note %q, want it to say %q", got.DraftNote, tt.note)
			}
			if len(got.DraftSent) != 2 {
				t.Errorf("DraftSent %d messages, want what was sent recorded", len(got.DraftSent))
			}
			if len(backend.DraftHoles(got)) != 0 {
				t.Errorf("the offline draft holds template text: %v", backend.DraftHoles(got))
			}
		})
	}

	t.Run("RateLimitPausesCalls", func(t *testing.T) {
		f := newModelQueue(t, llmtest.Options{}, backend.LanguageModel{})
		f.srv.RateLimit(1, "60")
		m := f.replyMove(t, danaAsks("g:1", testNow.Add(-time.Hour)))
		f.q.Model.Drain(f.ctx)
		m2 := f.replyMove(t, replySignal("g:2", "thr-2", "lee@other.example", testNow.Add(-30*time.Minute)))
		f.q.Model.Drain(f.ctx)
		if n := len(f.srv.Requests()); n != 1 {
			t.Errorf("%d requests, want 1: the model asked to wait 60s", n)
		}
		if note := f.move(t, m2.ID).DraftNote; !strings.Contains(note, "asked to wait") {
			t.Errorf("note %q, want the wait named", note)
		}
		_ = m
	})
}

func answer(body string) func(llmtest.Request) string {
	return func(llmtest.Request) string {
		b, _ := json.Marshal(map[string]string{"body": body, "intent": "pricing_question"})
		return string(b)
	}
}

func mustClient(tb testing.TB, url string, timeout time.Duration) *llm.Client {
	tb.Helper()
	c, err := llm.New(llm.Config{BaseURL: url, Model: "gpt-test", Timeout: timeout})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func TestModelService_BattleCard(t *testing.T) {
	f := newModelQueue(t, llmtest.Options{}, backend.LanguageModel{})
	sig := mentionSignal("x:1", "p-1", testNow.Add(-time.Hour))
	sig.Post.Competitor = "Rival"
	sig.Post.Text = "Switched from Rival to Acme: Rival raised prices 20% this month"
	rep := f.ingest(t, sig)
	if len(rep.Created) != 1 {
		t.Fatalf("created %v, want the battle card", rep.Created)
	}
	f.q.Model.Drain(f.ctx)
	got := f.move(t, rep.Created[0])
	if got.Kind != backend.KindCreateTask || !strings.HasPrefix(got.Draft.Body, "What changed (summary by gpt-test at ") ||
		!strings.Contains(got.Draft.Body, "raised prices 20%") {
		t.Errorf("task body %q, want the model's summary of the quote", got.Draft.Body)
	}
	reqs := f.srv.Requests()
	if len(reqs) != 1 || reqs[0].SchemaName != "battle_card_summary" || !strings.Contains(reqs[0].Messages[1].Content, "Rival raised prices 20%") {
		t.Errorf("requests %+v, want one summary request with the quote", reqs)
	}
	t.Run("RefusedWhenInvented", func(t *testing.T) {
		f := newModelQueue(t, llmtest.Options{}, backend.LanguageModel{})
		f.srv.Script(func(llmtest.Request) string { return `{"summary":"Rival now charges $49 a seat."}` })
		sig := mentionSignal("x:1", "p-1", testNow.Add(-time.Hour))
		sig.Post.Competitor = "Rival"
		rep := f.ingest(t, sig)
		f.q.Model.Drain(f.ctx)
		if got := f.move(t, rep.Created[0]); got.DraftBy != "" || strings.Contains(got.Draft.Body, "$49") {
			t.Errorf("body %q by %q, want the invented price refused", got.Draft.Body, got.DraftBy)
		}
	})
}

func TestModelService_NewerSignalResetsTheDraft(t *testing.T) {
	f := newModelQueue(t, llmtest.Options{}, backend.LanguageModel{})
	m := f.replyMove(t, danaAsks("g:1", testNow.Add(-2*time.Hour)))
	f.q.Model.Drain(f.ctx)
	if f.move(t, m.ID).DraftBy == "" {
		t.Fatal("not upgraded")
	}
	f.srv.Fail(1, 500)
	later := danaAsks("g:2", testNow.Add(-time.Hour))
	later.Email.Body = "Also: do you have SSO?"
	f.ingest(t, later)
	got := f.move(t, m.ID)
	if got.DraftBy != "" || got.DraftSent != nil {
		t.Errorf("after a newer email: DraftBy %q, sent %d; want the offline draft for it, provenance cleared", got.DraftBy, len(got.DraftSent))
	}
	f.q.Model.Drain(f.ctx)
	if n := len(f.srv.Requests()); n != 2 {
		t.Errorf("%d requests, want the newer email sent too", n)
	}
}

func TestModelJob_Invented(t *testing.T) {
	// Exercised through Upgrade above; this pins the number and date
	// rules on their own.
	tests := []struct {
		text, allowed, want string
	}{
		{"It is $1,200 a year for 40 seats.", "Team: 1200 per year; they asked about 40 engineers", ""},
		{"It is $1,250 a year.", "Team: 1200 per year", "1250"},
		{"Thursday at 10:30 works.", "Could we talk Thu? Slots: 10:30", ""},
		{"Friday works.", "Could we talk Thursday?", "Friday"},
		{"SOC 2 Type II.", "- SOC 2 Type II audited", ""},
		{"We can do 3pm.", "free at 15:00", "3"},
		{"May I ask more?", "", ""},
	}
	for _, tt := range tests {
		if got := backend.Invented(tt.text, tt.allowed); got != tt.want {
			t.Errorf("Invented(%q, %q) = %q, want %q", tt.text, tt.allowed, got, tt.want)
		}
	}
}

func TestModelService_BattleCardFromTaskQuotes(t *testing.T) {
	// A battle card whose task body holds the quotes (from emails or
	// posts naming a competitor from Settings): they are what is sent.
	f := newModelQueue(t, llmtest.Options{}, backend.LanguageModel{})
	sig := mentionSignal("x:1", "p-1", testNow.Add(-time.Hour))
	sig.Post.Competitor = "Rival"
	rep := f.ingest(t, sig)
	m := f.move(t, rep.Created[0])
	d := m.Draft
	d.Body = "What people say about Rival:\n- “Rival doubled its price to $40 a seat” — Dana (email), 21 Nov"
	if err := f.db.Update(f.ctx, func(tx backend.Tx) error {
		got, err := tx.FindMove(m.ID)
		if err != nil {
			return err
		}
		got.Draft = d
		return tx.UpdateMove(got)
	}); err != nil {
		t.Fatal(err)
	}
	if res, err := f.q.Model.Upgrade(f.ctx, m.ID); res != backend.UpgradeReplaced || err != nil {
		t.Fatalf("Upgrade = %q, %v; want replaced", res, err)
	}
	reqs := f.srv.Requests()
	if user := reqs[0].Messages[1].Content; !strings.Contains(user, "- “Rival doubled its price to $40 a seat” — Dana (email), 21 Nov") {
		t.Errorf("prompt %q, want the task's quote lines", user)
	}
	got := f.move(t, m.ID)
	if !strings.Contains(got.Draft.Body, "Rival doubled its price to $40 a seat") || !strings.HasSuffix(got.Draft.Body, d.Body) {
		t.Errorf("body %q, want the summary above the quotes", got.Draft.Body)
	}
}
