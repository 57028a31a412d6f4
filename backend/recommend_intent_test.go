package backend_test

import (
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// intentRecords adds to testRecords a deal early in the pipeline, one with
// the contract out, and zones.
func intentRecords() records {
	r := testRecords()
	r.contacts["maya@acme.io"].Timezone = "America/Chicago"
	r.contacts["ops@globex.io"].Timezone = "Europe/London"
	r.contacts["jo@initech.io"] = &backend.Contact{ID: "jo@initech.io", Email: "jo@initech.io", Name: "Jo Park", CompanyID: "initech", Lifecycle: "opportunity"}
	r.companies["initech"] = &backend.Company{ID: "initech", Name: "Initech", Domain: "initech.io"}
	r.deals["d2"] = &backend.Deal{ID: "d2", Name: "Initech pilot", Amount: 20_000, Stage: "qualifiedtobuy", CompanyID: "initech"}
	r.deals["d3"] = &backend.Deal{ID: "d3", Name: "Acme expansion", Amount: 30_000, Stage: "contractsent", CompanyID: "acme"}
	return r
}

// want is one proposal a case must (or must not) produce.
type want struct {
	kind    backend.MoveKind
	subject string // "" = any
	domain  backend.Domain
	why     string // substring of the rendered reasons
	check   func(t *testing.T, p backend.Proposal)
}

// TestRecommend_Intent: each intent of an inbound email → the moves it must
// and must not produce.
func TestRecommend_Intent(t *testing.T) {
	received := testNow.Add(-3 * time.Hour) // Sun 22 Nov 2026 06:00 UTC
	sig := func(contact, deal, body string) backend.Signal {
		return backend.Signal{Type: backend.SignalEmailReplied, OccurredAt: received, ContactID: contact, DealID: deal,
			Email: &backend.EmailMessage{ThreadID: "t1", MessageID: "<m1@x>", From: contact, Subject: "Re: Next steps", Body: body,
				To: []string{"casey@pebblecache.dev", "li@acme.io"}, ReceivedAt: received}}
	}
	const sign = "\n\nBest,\nMaya Chen\nCEO, Acme\n\nOn Fri, Nov 20, 2026 at 9:14 AM Casey <casey@pebblecache.dev> wrote:\n> Happy to help — what would be most useful?"
	tests := []struct {
		name    string
		sig     backend.Signal
		must    []want
		mustNot []backend.MoveKind // no (non-ending) proposal of these kinds
		effects func(t *testing.T, ps []backend.Proposal)
	}{
		{
			name: "meeting_request with a proposal → schedule_meeting in their windows, no reply",
			sig:  sig("maya@acme.io", "d1", "Could we set up a call on Thursday afternoon to walk through the rollout with Li?"+sign),
			must: []want{{kind: backend.KindScheduleMeeting, subject: "thread:t1", domain: backend.DomainSales, why: "Maya Chen asked to meet",
				check: func(t *testing.T, p backend.Proposal) {
					if strings.Join(p.Draft.To, ",") != "maya@acme.io,li@acme.io" || p.DealID != "d1" {
						t.Errorf("invite to %v on deal %q, want maya and li (not the owner) on d1", p.Draft.To, p.DealID)
					}
					ws := backend.ProposedWindows(p.Draft)
					if len(ws) == 0 {
						t.Fatalf("no proposed windows in %v", p.Draft.Fields)
					}
					chi, _ := time.LoadLocation("America/Chicago")
					if s := ws[0].Start.In(chi); s.Weekday() != time.Thursday || s.Hour() < 12 {
						t.Errorf("window starts %v, want Thursday afternoon in Chicago", s)
					}
				}}},
			mustNot: []backend.MoveKind{backend.KindSendEmail},
		},
		{
			name: "meeting_request without a proposal → schedule_meeting with no windows",
			sig:  sig("maya@acme.io", "d1", "Could we set up a call to go through this together?"+sign),
			must: []want{{kind: backend.KindScheduleMeeting, subject: "thread:t1", check: func(t *testing.T, p backend.Proposal) {
				if len(backend.ProposedWindows(p.Draft)) != 0 {
					t.Errorf("windows %v, want none", p.Draft.Fields)
				}
			}}},
			mustNot: []backend.MoveKind{backend.KindSendEmail},
		},
		{
			name:    "pricing_question → reply with what was asked, no stage move",
			sig:     sig("maya@acme.io", "d1", "What does pricing look like for 40 engineers? And is there a SOC 2 report?"+sign),
			must:    []want{{kind: backend.KindSendEmail, subject: "thread:t1", domain: backend.DomainSales, why: "Reads as: asks about pricing"}},
			mustNot: []backend.MoveKind{backend.KindUpdateDeal, backend.KindScheduleMeeting},
		},
		{
			name: "pricing_question saying send the contract → reply and the deal to contract sent",
			sig:  sig("jo@initech.io", "d2", "The pricing works for us. Please send the contract and we'll sign this week."),
			must: []want{
				{kind: backend.KindSendEmail, subject: "thread:t1"},
				{kind: backend.KindUpdateDeal, subject: "deal:d2", domain: backend.DomainSales, why: "Qualified to buy → Contract sent", check: func(t *testing.T, p backend.Proposal) {
					if p.Draft.DealStage != "contractsent" || p.DealID != "d2" || !p.DueAt.Equal(received.Add(24*time.Hour)) {
						t.Errorf("stage %q deal %q due %v, want contractsent on d2 within a day", p.Draft.DealStage, p.DealID, p.DueAt)
					}
				}},
			},
		},
		{
			name: "a demo booked for Tuesday → the meeting and the deal to the demo stage",
			sig:  sig("jo@initech.io", "d2", "Sounds great, we're interested. Let's do the demo on Tuesday with the platform team."),
			must: []want{{kind: backend.KindScheduleMeeting}, {kind: backend.KindUpdateDeal, why: "Presentation scheduled", check: func(t *testing.T, p backend.Proposal) {
				if p.Draft.DealStage != "presentationscheduled" {
					t.Errorf("stage = %q, want the first demo stage HubSpot has", p.Draft.DealStage)
				}
			}}},
		},
		{
			name:    "a time without a word of meeting → answered, not booked",
			sig:     sig("maya@acme.io", "d1", "Works for us. Can we start Monday?"),
			must:    []want{{kind: backend.KindSendEmail, subject: "thread:t1"}},
			mustNot: []backend.MoveKind{backend.KindScheduleMeeting},
		},
		{
			name:    "pricing_question with a date but no call → no meeting",
			sig:     sig("maya@acme.io", "d1", "Thanks — pricing works. Our security lead will fill in the questionnaire this week."),
			must:    []want{{kind: backend.KindSendEmail}},
			mustNot: []backend.MoveKind{backend.KindScheduleMeeting},
		},
		{
			name: "pricing and security questions, ready to sign, a call proposed → reply, call and contract stage",
			sig: sig("jo@initech.io", "d2", "Hi Casey,\n\nTwo questions:\n1. What would pricing look like for 40 engineers on an annual plan?\n2. Do you have a SOC 2 Type II report?\n\n"+
				"If the numbers hold up we're ready to sign this month. Could we talk Thursday afternoon?\n\nJo Park\nCTO, Initech"),
			must: []want{
				{kind: backend.KindSendEmail, why: "pricing"},
				{kind: backend.KindScheduleMeeting, why: "They proposed", check: func(t *testing.T, p backend.Proposal) {
					if len(backend.ProposedWindows(p.Draft)) == 0 {
						t.Errorf("no windows in %v", p.Draft.Fields)
					}
				}},
				{kind: backend.KindUpdateDeal, why: "ready to sign"},
			},
		},
		{
			name:    "a demo asked for once the contract is out → never backwards",
			sig:     sig("maya@acme.io", "d3", "Sounds great, we're interested. Can we do the demo again for finance?"),
			must:    []want{{kind: backend.KindSendEmail}},
			mustNot: []backend.MoveKind{backend.KindUpdateDeal},
		},
		{
			name:    "contract words when the contract is already out → no move to the same stage",
			sig:     sig("maya@acme.io", "d3", "Thanks for the pricing — ready to sign, send the contract over to legal."),
			mustNot: []backend.MoveKind{backend.KindUpdateDeal},
		},
		{
			name: "churn_risk from a customer → CS reply due within hours",
			sig:  sig("ops@globex.io", "", "Honestly we are thinking of cancelling our subscription at renewal. The team barely uses it."),
			must: []want{{kind: backend.KindSendEmail, subject: "thread:t1", domain: backend.DomainCS, why: "Churn risk: Ola P wrote", check: func(t *testing.T, p backend.Proposal) {
				if !p.DueAt.Equal(received.Add(4*time.Hour)) || !strings.Contains(p.Title, "Save Globex") {
					t.Errorf("due %v title %q, want within 4 hours of the email, a save", p.DueAt, p.Title)
				}
			}}},
		},
		{
			name: "churn_risk from a prospect → not CS",
			sig:  sig("maya@acme.io", "d1", "Honestly we are thinking of cancelling the evaluation. The team barely uses it."),
			must: []want{{kind: backend.KindSendEmail, domain: backend.DomainSales, check: func(t *testing.T, p backend.Proposal) {
				if !p.DueAt.Equal(received.Add(24 * time.Hour)) {
					t.Errorf("due %v, want the ordinary reply window", p.DueAt)
				}
			}}},
		},
		{
			name:    "unsubscribe → do-not-contact, the open reply ends, no send",
			sig:     sig("li@acme.io", "", "Please take me off your list. Unsubscribe."),
			mustNot: []backend.MoveKind{backend.KindSendEmail, backend.KindScheduleMeeting, backend.KindUpdateDeal},
			effects: func(t *testing.T, ps []backend.Proposal) {
				if len(ps) != 1 || !ps[0].Ends || ps[0].DoNotContact != "li@acme.io" || ps[0].Subject.Key() != "thread:t1" || ps[0].Kind != backend.KindSendEmail {
					t.Errorf("unsubscribe = %+v, want one ending of the thread's reply with li on the list", ps)
				}
			},
		},
		{
			name: "not_now with a date → a follow-up snoozed until then",
			sig:  sig("maya@acme.io", "d1", "Not right now — we're heads down until the end of Q1. Ping me in March?"+sign),
			must: []want{{kind: backend.KindSendEmail, subject: "thread:t1", why: "said not now", check: func(t *testing.T, p backend.Proposal) {
				if p.SnoozedUntil.Before(time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC).Add(-24*time.Hour)) || p.SnoozedUntil.After(time.Date(2027, 3, 3, 0, 0, 0, 0, time.UTC)) {
					t.Errorf("snoozed until %v, want 1 March 2027", p.SnoozedUntil)
				}
				if !p.DueAt.After(p.SnoozedUntil) {
					t.Errorf("due %v before the snooze ends %v", p.DueAt, p.SnoozedUntil)
				}
			}}},
			mustNot: []backend.MoveKind{backend.KindScheduleMeeting},
		},
		{
			name: "not_now without a date → snoozed a quarter",
			sig:  sig("maya@acme.io", "d1", "Not right now, thanks. Budget is frozen."),
			must: []want{{kind: backend.KindSendEmail, why: "in three months", check: func(t *testing.T, p backend.Proposal) {
				if d := p.SnoozedUntil.Sub(received); d < 89*24*time.Hour || d > 93*24*time.Hour {
					t.Errorf("snoozed %v after the email, want about 90 days", d)
				}
			}}},
		},
		{
			name: "referral → the new contact and an intro, the referrer in copy",
			sig:  sig("maya@acme.io", "d1", "I'm not the right person for this — please reach out to Lena Ortiz <lena.ortiz@acme.io>, she runs developer productivity.\n\nReferral: Lena Ortiz <lena.ortiz@acme.io>"),
			must: []want{{kind: backend.KindSendEmail, subject: "contact:lena.ortiz@acme.io", why: "Maya Chen pointed us to Lena Ortiz", check: func(t *testing.T, p backend.Proposal) {
				if strings.Join(p.Draft.To, ",") != "lena.ortiz@acme.io" || strings.Join(p.Draft.Cc, ",") != "maya@acme.io" || p.ContactID != "lena.ortiz@acme.io" {
					t.Errorf("intro to %v cc %v contact %q, want lena, maya in copy", p.Draft.To, p.Draft.Cc, p.ContactID)
				}
				c := p.NewContact
				if c == nil || c.Email != "lena.ortiz@acme.io" || c.Name != "Lena Ortiz" || c.CompanyID != "acme" {
					t.Errorf("new contact = %+v, want Lena at acme", c)
				}
			}}},
		},
		{
			name: "objection → the reply as today",
			sig:  sig("maya@acme.io", "d1", "Honestly this is too expensive for a team our size, and we already have a cache."),
			must: []want{{kind: backend.KindSendEmail, subject: "thread:t1", why: "raises an objection"}},
		},
		{
			name:    "an email naming a competitor from Settings → a battle card with the quote",
			sig:     sig("maya@acme.io", "d1", "What does pricing look like for 40 engineers? We're also comparing you with Stackwise."),
			must:    []want{{kind: backend.KindSendEmail}, {kind: backend.KindCreateTask, subject: "topic:battlecard:stackwise", domain: backend.DomainMarketing, why: "Maya Chen named Stackwise", check: battleCardQuote("We're also comparing you with Stackwise.")}},
			mustNot: []backend.MoveKind{backend.KindScheduleMeeting},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := backend.DefaultSettings()
			st.OwnerEmail, st.OwnerName = "casey@pebblecache.dev", "Casey"
			st.Competitors = []string{"Stackwise"}
			s := tt.sig
			got := backend.Recommend(&s, intentRecords(), st, testNow, time.UTC)
			checkProposals(t, got, tt.must, tt.mustNot)
			if tt.effects != nil {
				tt.effects(t, got)
			}
		})
	}
}

func battleCardQuote(quote string) func(t *testing.T, p backend.Proposal) {
	return func(t *testing.T, p backend.Proposal) {
		t.Helper()
		if !strings.Contains(p.Draft.Body, "“"+quote+"”") || !p.Quotes || p.ContactID != "" || p.DealID != "" {
			t.Errorf("battle card body %q quotes %v contact %q deal %q; want the quote, accumulating, linked to no one", p.Draft.Body, p.Quotes, p.ContactID, p.DealID)
		}
	}
}

func checkProposals(t *testing.T, got []backend.Proposal, must []want, mustNot []backend.MoveKind) {
	t.Helper()
	list := func() string {
		var s []string
		for _, p := range got {
			s = append(s, string(p.Kind)+" "+p.Subject.Key()+" "+p.Title+" | "+strings.Join(backend.RenderReasons(p.Why, testNow, time.UTC), " | "))
		}
		return strings.Join(s, "\n  ")
	}
	for _, w := range must {
		found := false
		for _, p := range got {
			if p.Ends || p.Kind != w.kind || w.subject != "" && p.Subject.Key() != w.subject {
				continue
			}
			found = true
			if w.domain != "" && p.Domain != w.domain {
				t.Errorf("%s domain = %s, want %s", w.kind, p.Domain, w.domain)
			}
			if why := strings.Join(backend.RenderReasons(p.Why, testNow, time.UTC), " | "); !strings.Contains(why, w.why) {
				t.Errorf("%s why = %q, want %q in it", w.kind, why, w.why)
			}
			// No template text; a question no fact answers stays a hole
			// on purpose (the settings here have no facts).
			for _, h := range backend.DraftHoles(&backend.Move{Kind: p.Kind, Title: p.Title, Draft: p.Draft}) {
				if h.Kind != backend.HoleUnanswered {
					t.Errorf("%s drafted template holes: %v", w.kind, h)
				}
			}
			if w.check != nil {
				w.check(t, p)
			}
		}
		if !found {
			t.Errorf("no %s %s move; got:\n  %s", w.kind, w.subject, list())
		}
	}
	for _, k := range mustNot {
		for _, p := range got {
			if p.Kind == k && !p.Ends {
				t.Errorf("a %s move, want none; got:\n  %s", k, list())
			}
		}
	}
}

// TestRecommend_CompetitorMention: competitor names come from Settings;
// a tag on the post is still honored; a name inside another word is not
// a mention.
func TestRecommend_CompetitorMention(t *testing.T) {
	st := backend.DefaultSettings()
	st.Competitors = []string{"Stackwise", "Build Buddy"}
	post := func(text, tag string) backend.Signal {
		return backend.Signal{Type: backend.SignalSocialMention, OccurredAt: testNow.Add(-time.Hour),
			Post: &backend.Post{ID: "p1", Author: "ci_carla", Text: text, URL: "https://x.com/ci_carla/status/1", Competitor: tag}}
	}
	tests := []struct {
		name    string
		sig     backend.Signal
		must    []want
		mustNot []backend.MoveKind
	}{
		{"named in Settings", post("Honestly build buddy's new pricing is wild. Moving off it.", ""),
			// The post is about us too: answered or liked as any mention.
			[]want{{kind: backend.KindCreateTask, subject: "topic:battlecard:build buddy", why: "@ci_carla posted about Build Buddy", check: battleCardQuote("Honestly build buddy's new pricing is wild.")},
				{kind: backend.KindReplySocial, subject: "post:p1"}},
			nil},
		{"tagged by an import", post("RivalCRM raised prices again", "RivalCRM"),
			[]want{{kind: backend.KindCreateTask, subject: "topic:battlecard:rivalcrm"}}, nil},
		{"inside another word", post("Stackwiser is a band", ""),
			[]want{{kind: backend.KindReplySocial}}, []backend.MoveKind{backend.KindCreateTask}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.sig
			checkProposals(t, backend.Recommend(&s, testRecords(), st, testNow, time.UTC), tt.must, tt.mustNot)
		})
	}
}

// TestRecommend_LowConfidence: a guess still gives the reply, saying what
// was read, and nothing it would take certainty to propose.
func TestRecommend_LowConfidence(t *testing.T) {
	st := backend.DefaultSettings()
	s := backend.Signal{Type: backend.SignalEmailReceived, OccurredAt: testNow.Add(-time.Hour), ContactID: "maya@acme.io",
		Email: &backend.EmailMessage{ThreadID: "t9", From: "maya@acme.io", Subject: "hmm", Body: "ok", ReceivedAt: testNow.Add(-time.Hour)}}
	got := backend.Recommend(&s, testRecords(), st, testNow, time.UTC)
	checkProposals(t, got, []want{{kind: backend.KindSendEmail, subject: "thread:t9", why: "“ok”"}},
		[]backend.MoveKind{backend.KindScheduleMeeting, backend.KindUpdateDeal})
}
