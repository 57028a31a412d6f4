package backend_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/llm/llmtest"
)

// followModel is a follow-up sequence with the model connected: the first
// mail went to Maya on Tuesday 24 November, and the model (the real
// connector over the fake server) is connected afterwards, so that only
// follow-ups are sent to it.
type followModel struct {
	*followFixture
	srv *llmtest.Server
}

func newFollowModel(tb testing.TB, opts llmtest.Options, lm backend.LanguageModel) *followModel {
	tb.Helper()
	f := newFollowFixture(tb)
	srv := llmtest.NewTestServer(tb, opts)
	lm.URL, lm.Model = srv.URL(), "gpt-test"
	if err := f.q.Settings.SetLanguageModel(f.ctx, lm, backend.ActorClick); err != nil {
		tb.Fatal(err)
	}
	st, err := f.q.Settings.Get(f.ctx)
	if err != nil {
		tb.Fatal(err)
	}
	st.OwnerName = "Casey"
	st.Pricing = backend.Pricing{Currency: "USD", Tiers: []backend.PriceTier{{Name: "Team", MinSeats: 1, MaxSeats: 50, SeatPrice: 30}}}
	st.Facts = []backend.Fact{{Topic: "compliance", Text: "We are SOC 2 Type II audited"}}
	if err := f.q.Settings.Save(f.ctx, st, backend.ActorClick); err != nil {
		tb.Fatal(err)
	}
	f.q.Model.SetLLM(mustClient(tb, srv.URL(), 2*time.Second), lm.Name(), 2*time.Second)
	return &followModel{followFixture: f, srv: srv}
}

// firstFollowUp lets Friday pass without an answer and returns the
// follow-up proposed, with its offline draft.
func (f *followModel) firstFollowUp(tb testing.TB) *backend.Move {
	tb.Helper()
	f.at(2026, 11, 27, 10, 1)
	f.outcome(tb, f.origin.ID, backend.OutcomeNoResponse)
	q := f.sequence(tb)
	if len(q.Steps) != 2 {
		tb.Fatalf("after no_response: %d steps, want the first follow-up proposed", len(q.Steps))
	}
	m, err := f.q.Moves.Move(f.ctx, q.Steps[1].MoveID)
	if err != nil {
		tb.Fatal(err)
	}
	if m.DraftBy != "" || !strings.Contains(m.Draft.Body, "Following up on my note from Tuesday") {
		tb.Fatalf("follow-up as proposed: %q by %q, want the offline template", m.Draft.Body, m.DraftBy)
	}
	return m
}

func (f *followModel) move(tb testing.TB, id uint64) *backend.Move {
	tb.Helper()
	m, err := f.q.Moves.Move(f.ctx, id)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func TestModelService_FollowUp(t *testing.T) {
	f := newFollowModel(t, llmtest.Options{}, backend.LanguageModel{})
	firstMail := f.mail.sent[0]
	fu := f.firstFollowUp(t)
	if n := len(f.srv.Requests()); n != 0 {
		t.Fatalf("%d requests before the worker ran: proposing a follow-up must not wait on the model", n)
	}
	f.q.Model.Drain(f.ctx)
	reqs := f.srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests after the follow-up was proposed, want 1", len(reqs))
	}
	if reqs[0].Format != "json_schema" || reqs[0].SchemaName != "follow_up" {
		t.Errorf("format %q %q, want json_schema follow_up", reqs[0].Format, reqs[0].SchemaName)
	}
	system, user := reqs[0].Messages[0].Content, reqs[0].Messages[1].Content
	for _, w := range []string{
		"Writing to: Maya Chen <maya@acme.io>, CEO at Acme",
		"This is follow-up 1 of 2.",
		"Our earlier mail, unanswered:\nSubject: Re: Pricing\nSent: Tuesday 24 November 2026, to maya@acme.io\n\n" + strings.TrimSpace(firstMail.Body),
		"Price list (per seat per month):\n- Team, 1 to 50 seats: $30",
		"Facts:\n- We are SOC 2 Type II audited",
		"The offline draft, to improve on:\n" + fu.Draft.Body,
		"Sign as: Casey",
	} {
		if !strings.Contains(user, w) {
			t.Errorf("prompt lacks %q:\n%s", w, user)
		}
	}
	if strings.Contains(user, "Earlier follow-ups") {
		t.Errorf("the first follow-up's prompt names earlier follow-ups:\n%s", user)
	}
	if !strings.Contains(system, "without repeating") || strings.Contains(system, "last follow-up") {
		t.Errorf("system prompt %q: want a reference without repetition, not the last step", system)
	}
	got := f.move(t, fu.ID)
	want := llmtest.FollowUp(user)
	if got.Draft.Body != want || !strings.HasPrefix(want, "Hi Maya,") || !strings.Contains(want, "my note from Tuesday about “Pricing”") {
		t.Errorf("draft body %q, want the model's %q", got.Draft.Body, want)
	}
	d, o := got.Draft, fu.Draft
	if d.Subject != o.Subject || d.ThreadID != o.ThreadID || d.InReplyTo != o.InReplyTo || strings.Join(d.To, ",") != strings.Join(o.To, ",") {
		t.Errorf("draft %+v: want only the body replaced, the rest of %+v kept", d, o)
	}
	if !strings.HasPrefix(got.DraftBy, "gpt-test at 127.0.0.1:") || got.DraftNote != "" || got.DraftEdited {
		t.Errorf("DraftBy %q note %q edited %v, want the model's name and no note", got.DraftBy, got.DraftNote, got.DraftEdited)
	}
	if len(got.DraftSent) != 2 || got.DraftSent[0].Content != system || got.DraftSent[1].Content != user {
		t.Errorf("DraftSent %+v, want exactly what the server received", got.DraftSent)
	}
	if h := f.audit(t, fu.ID); !strings.Contains(h[len(h)-1].Detail, "draft written by gpt-test") {
		t.Errorf("last audit %q, want the draft's writer recorded", h[len(h)-1].Detail)
	}
	if res, err := f.q.Model.Upgrade(f.ctx, fu.ID); res != backend.UpgradeNone || err != nil || len(f.srv.Requests()) != 1 {
		t.Errorf("Upgrade again = %q, %v; want none and nothing sent", res, err)
	}

	t.Run("SecondCarriesTheEarlierMailAndTheFirst", func(t *testing.T) {
		f.send(t, fu.ID)
		sentFollowUp := f.mail.sent[1]
		if sentFollowUp.Body != got.Draft.Body {
			t.Fatalf("the follow-up sent %q, want the model's draft", sentFollowUp.Body)
		}
		f.at(2026, 12, 1, 10, 5)
		f.outcome(t, fu.ID, backend.OutcomeNoResponse)
		f.at(2026, 12, 2, 10, 2)
		if rep := f.refresh(t); rep.FollowUps != 1 {
			t.Fatalf("refresh proposed %d follow-ups, want the second", rep.FollowUps)
		}
		last := f.move(t, f.sequence(t).Steps[2].MoveID)
		f.q.Model.Drain(f.ctx)
		reqs := f.srv.Requests()
		if len(reqs) != 2 {
			t.Fatalf("%d requests, want one more for the second follow-up", len(reqs))
		}
		system, user := reqs[1].Messages[0].Content, reqs[1].Messages[1].Content
		for _, w := range []string{
			"This is follow-up 2 of 2, the last.",
			"Subject: Re: Pricing\nSent: Tuesday 24 November 2026, to maya@acme.io\n\n" + strings.TrimSpace(firstMail.Body),
			"Earlier follow-ups, already sent:\nFollow-up 1, sent Friday 27 November 2026:\n" + strings.TrimSpace(sentFollowUp.Body),
			"The offline draft, to improve on:\n" + last.Draft.Body,
		} {
			if !strings.Contains(user, w) {
				t.Errorf("prompt lacks %q:\n%s", w, user)
			}
		}
		if !strings.Contains(system, "last follow-up") {
			t.Errorf("system prompt %q: want the last step said", system)
		}
		if got := f.move(t, last.ID); got.DraftBy == "" || got.Draft.Body != llmtest.FollowUp(user) || !strings.Contains(got.Draft.Body, "One last nudge") {
			t.Errorf("second follow-up %q by %q, want the model's", got.Draft.Body, got.DraftBy)
		}
	})
}

// followAnswer is a scripted follow-up answer.
func followAnswer(body string) func(llmtest.Request) string {
	return func(llmtest.Request) string {
		b, _ := json.Marshal(map[string]string{"body": body})
		return string(b)
	}
}

func TestModelService_FollowUpFallback(t *testing.T) {
	tests := []struct {
		name   string
		fault  func(*llmtest.Server)
		script func(llmtest.Request) string
		result string
		note   string
	}{
		{name: "InventedPrice", script: followAnswer("Hi Maya,\n\nThe Team plan is $19 a seat now.\n\nCasey"), result: backend.UpgradeRefused, note: `"19"`},
		{name: "InventedDay", script: followAnswer("Hi Maya,\n\nCould we talk Friday?\n\nCasey"), result: backend.UpgradeRefused, note: `"Friday"`},
		{name: "InventedMonth", script: followAnswer("Hi Maya,\n\nShall we revisit in January?\n\nCasey"), result: backend.UpgradeRefused, note: `"January"`},
		{name: "AnswerHole", script: followAnswer("Hi Maya,\n\nOn your question: [answer: SSO support]\n\nCasey"), result: backend.UpgradeRefused, note: "template text"},
		{name: "TooLong", script: followAnswer("Hi Maya,\n\n" + strings.Repeat("Checking in about the plan again. ", 48) + "\n\nCasey"), result: backend.UpgradeRefused, note: "longer than"},
		{name: "Empty", script: followAnswer(" "), result: backend.UpgradeRefused, note: "empty"},
		{name: "RateLimited", fault: func(s *llmtest.Server) { s.RateLimit(1, "30") }, result: backend.UpgradeFailed, note: "rate limit"},
		{name: "ServerError", fault: func(s *llmtest.Server) { s.Fail(1, 503) }, result: backend.UpgradeFailed, note: "HTTP 503"},
		{name: "NotJSON", fault: func(s *llmtest.Server) { s.Malformed(2) }, result: backend.UpgradeRefused, note: "not the JSON asked for"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFollowModel(t, llmtest.Options{}, backend.LanguageModel{})
			if tt.fault != nil {
				tt.fault(f.srv)
			}
			f.srv.Script(tt.script)
			fu := f.firstFollowUp(t)
			res, err := f.q.Model.Upgrade(f.ctx, fu.ID)
			if res != tt.result || err == nil {
				t.Errorf("Upgrade = %q, %v; want %q with the error", res, err, tt.result)
			}
			if n := len(f.srv.Requests()); n == 0 {
				t.Fatal("nothing was sent to the model")
			}
			got := f.move(t, fu.ID)
			if got.Draft.Body != fu.Draft.Body || got.DraftBy != "" || got.Status != backend.StatusPending {
				t.Errorf("draft %q by %q, %s; want the offline template standing, pending", got.Draft.Body, got.DraftBy, got.Status)
			}
			if !strings.HasPrefix(got.DraftNote, "Offline draft") || !strings.Contains(got.DraftNote, tt.note) {
				t.Errorf("note %q, want it to say %q", got.DraftNote, tt.note)
			}
			if len(backend.DraftHoles(got)) != 0 {
				t.Errorf("the follow-up holds template text: %v", backend.DraftHoles(got))
			}
		})
	}

	t.Run("NeverSend", func(t *testing.T) {
		f := newFollowModel(t, llmtest.Options{}, backend.LanguageModel{NeverSend: []string{"acme.io"}})
		fu := f.firstFollowUp(t)
		f.q.Model.Drain(f.ctx)
		if n := len(f.srv.Requests()); n != 0 {
			t.Errorf("%d requests for a never-send account, want none", n)
		}
		if got := f.move(t, fu.ID); got.Draft.Body != fu.Draft.Body || !strings.Contains(got.DraftNote, "never-send") {
			t.Errorf("draft %q note %q, want the template and why", got.Draft.Body, got.DraftNote)
		}
	})

	t.Run("DailyBudget", func(t *testing.T) {
		f := newFollowModel(t, llmtest.Options{}, backend.LanguageModel{DailyTokens: 1})
		f.at(2026, 11, 27, 9, 0) // the morning of the day the follow-up is proposed
		if err := f.db.Update(f.ctx, func(tx backend.Tx) error {
			return tx.AddStat(backend.StatModelTokens, f.clock.Now(), 5)
		}); err != nil {
			t.Fatal(err)
		}
		fu := f.firstFollowUp(t)
		f.q.Model.Drain(f.ctx)
		if n := len(f.srv.Requests()); n != 0 {
			t.Errorf("%d requests with the day's budget spent, want none", n)
		}
		if got := f.move(t, fu.ID); got.DraftBy != "" || !strings.Contains(got.DraftNote, "budget") {
			t.Errorf("draft by %q note %q, want the template and the budget named", got.DraftBy, got.DraftNote)
		}
	})
}

// TestModelService_FollowUpLate: an answer that comes back after the
// founder edited the follow-up, or after its sequence stopped, or after
// the move was skipped or executed, is dropped.
func TestModelService_FollowUpLate(t *testing.T) {
	meanwhile := []struct {
		name string
		do   func(t *testing.T, f *followModel, fu *backend.Move)
		want backend.MoveStatus
		body func(fu *backend.Move) string
	}{
		{name: "Edited", do: func(t *testing.T, f *followModel, fu *backend.Move) {
			d := fu.Draft
			d.Body = "Maya, mine."
			if _, err := f.q.Moves.EditDraft(context.Background(), fu.ID, d, backend.ActorClick); err != nil {
				t.Error(err)
			}
		}, want: backend.StatusPending, body: func(*backend.Move) string { return "Maya, mine." }},
		{name: "StoppedByHand", do: func(t *testing.T, f *followModel, fu *backend.Move) {
			if _, err := f.q.FollowUps.Stop(context.Background(), fu.ID, backend.ActorKey); err != nil {
				t.Error(err)
			}
		}, want: backend.StatusExpired},
		{name: "TheyReplied", do: func(t *testing.T, f *followModel, fu *backend.Move) {
			if _, err := f.q.Outcomes.Record(context.Background(), backend.OutcomeInput{MoveID: f.origin.ID, Type: backend.OutcomeReplied, Actor: backend.ActorSystem}); err != nil {
				t.Error(err)
			}
		}, want: backend.StatusExpired},
		{name: "Skipped", do: func(t *testing.T, f *followModel, fu *backend.Move) {
			if _, err := f.q.Moves.Skip(context.Background(), fu.ID, "", backend.ActorKey); err != nil {
				t.Error(err)
			}
		}, want: backend.StatusSkipped},
		{name: "Executed", do: func(t *testing.T, f *followModel, fu *backend.Move) {
			if _, _, err := f.q.Executions.Execute(context.Background(), fu.ID, backend.ExecuteOptions{Actor: backend.ActorKey}); err != nil {
				t.Error(err)
			}
		}, want: backend.StatusExecuting},
	}
	for _, tt := range meanwhile {
		t.Run(tt.name, func(t *testing.T) {
			f := newFollowModel(t, llmtest.Options{}, backend.LanguageModel{})
			fu := f.firstFollowUp(t)
			f.srv.Script(func(r llmtest.Request) string {
				tt.do(t, f, fu)
				return llmtest.Answer(r)
			})
			if res, err := f.q.Model.Upgrade(f.ctx, fu.ID); res != backend.UpgradeStale || err != nil {
				t.Errorf("Upgrade = %q, %v; want stale", res, err)
			}
			got := f.move(t, fu.ID)
			want := fu.Draft.Body
			if tt.body != nil {
				want = tt.body(fu)
			}
			if got.Draft.Body != want || got.DraftBy != "" || got.Status != tt.want {
				t.Errorf("after a late answer: %s, %q by %q; want %s, %q", got.Status, got.Draft.Body, got.DraftBy, tt.want, want)
			}
			if tt.want == backend.StatusExecuting {
				f.clock.Advance(10 * time.Second)
				f.tick(t)
				if sent := f.mail.sent[len(f.mail.sent)-1]; sent.Body != fu.Draft.Body {
					t.Errorf("the follow-up left as %q, want the offline template it was executed with", sent.Body)
				}
			}
		})
	}

	t.Run("EditedBefore", func(t *testing.T) {
		f := newFollowModel(t, llmtest.Options{}, backend.LanguageModel{})
		fu := f.firstFollowUp(t)
		d := fu.Draft
		d.Body = "Maya, mine."
		if _, err := f.q.Moves.EditDraft(f.ctx, fu.ID, d, backend.ActorClick); err != nil {
			t.Fatal(err)
		}
		f.q.Model.Drain(f.ctx)
		if n := len(f.srv.Requests()); n != 0 || f.move(t, fu.ID).Draft.Body != "Maya, mine." {
			t.Errorf("%d requests for an edited follow-up, want none and the edit kept", n)
		}
	})

	t.Run("StoppedBefore", func(t *testing.T) {
		f := newFollowModel(t, llmtest.Options{}, backend.LanguageModel{})
		fu := f.firstFollowUp(t)
		if _, err := f.q.FollowUps.Stop(f.ctx, fu.ID, backend.ActorKey); err != nil {
			t.Fatal(err)
		}
		f.q.Model.Drain(f.ctx)
		if res, err := f.q.Model.Upgrade(f.ctx, fu.ID); res != backend.UpgradeNone || err != nil || len(f.srv.Requests()) != 0 {
			t.Errorf("Upgrade of a stopped sequence's follow-up = %q, %v with %d requests; want none", res, err, len(f.srv.Requests()))
		}
	})
}

// TestModelService_FollowUpFromSync: the follow-up a sync proposes (its
// ingest sweeps the no_response waits that ran out) and the one the
// scheduler's sweep proposes both reach the model once they are stored.
func TestModelService_FollowUpFromSync(t *testing.T) {
	for _, via := range []string{"Ingest", "Sweep"} {
		t.Run(via, func(t *testing.T) {
			f := newFollowModel(t, llmtest.Options{}, backend.LanguageModel{})
			f.at(2026, 11, 27, 10, 1) // Friday: three business days, nothing back
			switch via {
			case "Ingest":
				f.ingest(t, mentionSignal("x:1", "p-1", f.clock.Now().Add(-time.Minute)))
			case "Sweep":
				if n, err := f.q.Outcomes.Sweep(f.ctx); n != 1 || err != nil {
					t.Fatalf("Sweep = %d, %v; want the first mail's no_response", n, err)
				}
			}
			ms := followUpMoves(t, f.db)
			if len(ms) != 1 {
				t.Fatalf("%d follow-ups after the %s, want 1", len(ms), via)
			}
			f.q.Model.Drain(f.ctx)
			if reqs := f.srv.Requests(); len(reqs) != 1 || reqs[0].SchemaName != "follow_up" {
				t.Fatalf("%d requests, want the follow-up's", len(reqs))
			}
			if got := f.move(t, ms[0].ID); got.DraftBy == "" {
				t.Errorf("follow-up %q, note %q: want the model's draft", got.Draft.Body, got.DraftNote)
			}
		})
	}
}
