package backend_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/backend/intent"
)

// pebblecache are the demo company's settings: a price list and facts.
func pebblecache() *backend.Settings {
	s := backend.DefaultSettings()
	s.OwnerName = "Casey Morgan"
	s.Pricing = backend.Pricing{Currency: "USD", Tiers: []backend.PriceTier{
		{Name: "Starter", MinSeats: 1, MaxSeats: 10, SeatPrice: 29},
		{Name: "Team", MinSeats: 11, MaxSeats: 100, SeatPrice: 24},
		{Name: "Scale", MinSeats: 101, MaxSeats: 500, SeatPrice: 19.5},
	}}
	s.Facts = []backend.Fact{
		{Topic: "security", Keywords: []string{"sso", "saml", "okta"}, Text: "SSO over SAML (Okta, Entra ID, Google) comes with the Team and Scale plans."},
		{Topic: "security", Text: "Our security overview is at https://pebblecache.dev/security."},
		{Topic: "compliance", Keywords: []string{"soc 2", "soc2", "audit"}, Text: "We are SOC 2 Type II audited; the report is available under NDA."},
		{Topic: "trial", Text: "You can try it free for 14 days, no card needed."},
		{Topic: "pricing", Keywords: []string{"expensive", "budget", "discount"}, Text: "Annual plans come with two months free."},
	}
	return s
}

var (
	newYork = composeZone("America/New_York")
	berlin  = composeZone("Europe/Berlin")
)

func composeZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

func danaEmail() *backend.EmailMessage {
	return &backend.EmailMessage{
		ThreadID: "t-dana", MessageID: "<CAF=dana-1@mail.gmail.com>", From: "dana@northwind.io", FromName: "Dana Whitfield",
		Subject: "Pebblecache for the platform team",
		Body: "Hi Casey,\n\nThanks for the walkthrough. Two questions before we go further: what would pricing look like for 40 engineers, " +
			"and do you have a security overview we can send to our CISO? If it all checks out we could sign this month.\n\nDana",
		ReceivedAt: time.Date(2026, 12, 7, 14, 5, 0, 0, time.UTC),
	}
}

func danaInput() backend.ReplyInput {
	return backend.ReplyInput{
		Intent: intent.Result{Intent: intent.PricingQuestion, Confidence: 0.9, Evidence: []string{"what would pricing look like"},
			Entities: intent.Entities{Seats: 40, Questions: []intent.Question{
				{Text: "what would pricing look like for 40 engineers", Topic: intent.TopicPricing},
				{Text: "do you have a security overview we can send to our CISO?", Topic: intent.TopicSecurity},
			}}},
		Email:    danaEmail(),
		Contact:  &backend.Contact{ID: "dana@northwind.io", Email: "dana@northwind.io", Name: "Dana Whitfield"},
		Company:  &backend.Company{ID: "c1", Name: "Northwind"},
		Settings: pebblecache(),
		Slots: []backend.PlanSlot{
			{Start: time.Date(2026, 12, 8, 15, 0, 0, 0, time.UTC), End: time.Date(2026, 12, 8, 15, 30, 0, 0, time.UTC)},
			{Start: time.Date(2026, 12, 9, 14, 0, 0, 0, time.UTC), End: time.Date(2026, 12, 9, 14, 30, 0, 0, time.UTC)},
			{Start: time.Date(2026, 12, 10, 16, 30, 0, 0, time.UTC), End: time.Date(2026, 12, 10, 17, 0, 0, 0, time.UTC)},
		},
		Zone:  newYork,
		Owner: berlin,
	}
}

// Dana asked about pricing and security for 40 engineers and offered to
// sign this month: the draft quotes the Team tier and its total, points to
// the security overview, proposes the three slots in her zone with the
// owner's beside them, and signs as the owner.
func TestComposeReply_Dana(t *testing.T) {
	r := backend.ComposeReply(danaInput())
	want := `Hi Dana,

Thanks for the questions.

For 40 seats you would be on our Team plan at $24 per seat per month, so $960 a month in total.

Our security overview is at https://pebblecache.dev/security.

Would one of these times work for a call?

- Tue 8 Dec, 10:00–10:30 EST (16:00 CET for me)
- Wed 9 Dec, 09:00–09:30 EST (15:00 CET for me)
- Thu 10 Dec, 11:30–12:00 EST (17:30 CET for me)

If the answers work for you, I can send the order form so you can sign this month.

Casey Morgan`
	if r.Draft.Body != want {
		t.Errorf("ComposeReply(Dana).Body =\n%s\n\nwant\n%s", r.Draft.Body, want)
	}
	d := r.Draft
	if strings.Join(d.To, ",") != "dana@northwind.io" || d.Subject != "Re: Pebblecache for the platform team" || d.ThreadID != "t-dana" || d.InReplyTo != "<CAF=dana-1@mail.gmail.com>" {
		t.Errorf("ComposeReply(Dana).Draft = %+v, want a reply to dana@northwind.io in thread t-dana", d)
	}
	if len(r.Unanswered) != 0 || r.Tier == nil || r.Tier.Name != "Team" || len(r.Facts) != 1 {
		t.Errorf("ComposeReply(Dana) = unanswered %v, tier %v, facts %v; want none, Team, the security overview", r.Unanswered, r.Tier, r.Facts)
	}
	if h := backend.FindTemplateHoles(d.Subject, d.Body); len(h) != 0 {
		t.Errorf("ComposeReply(Dana) holds template text: %v", h)
	}
}

// A question nothing answers stands in the draft as one hole that names
// it; the rest of the draft is answered.
func TestComposeReply_UnansweredIsAHole(t *testing.T) {
	in := danaInput()
	in.Intent.Entities.Questions = append(in.Intent.Entities.Questions, intent.Question{Text: "Can we host it in our own VPC?", Topic: intent.TopicData})
	r := backend.ComposeReply(in)
	holes := backend.FindTemplateHoles(r.Draft.Subject, r.Draft.Body)
	if len(holes) != 1 || holes[0].Kind != backend.HoleUnanswered || holes[0].Text != "Can we host it in our own VPC?" {
		t.Fatalf("FindTemplateHoles(draft) = %v, want one unanswered question naming the VPC question\n%s", holes, r.Draft.Body)
	}
	if len(r.Unanswered) != 1 || r.Unanswered[0].Text != "Can we host it in our own VPC?" {
		t.Errorf("Unanswered = %v, want the VPC question", r.Unanswered)
	}
	if !strings.Contains(r.Draft.Body, "$960 a month") {
		t.Errorf("the answered questions are still answered; body:\n%s", r.Draft.Body)
	}
}

func TestComposeReply(t *testing.T) {
	q := func(text, topic string) intent.Question { return intent.Question{Text: text, Topic: topic} }
	march := time.Date(2027, 3, 1, 0, 0, 0, 0, newYork)
	tests := []struct {
		name       string
		edit       func(in *backend.ReplyInput)
		want       []string // phrases the body holds
		not        []string // phrases it must not hold
		unanswered []string // the questions left as holes
	}{
		{
			name: "pricing without a seat count lists the tiers",
			edit: func(in *backend.ReplyInput) {
				in.Intent = intent.Result{Intent: intent.PricingQuestion, Entities: intent.Entities{Questions: []intent.Question{q("How much does it cost?", "pricing")}}}
				in.Slots = nil
				in.Email.Body = "How much does it cost?"
			},
			want: []string{"Pricing is per seat per month: Starter is $29 (1–10 seats), Team is $24 (11–100 seats) and Scale is $19.50 (101–500 seats).",
				"Would a short call help as a next step?"},
			not: []string{"in total", "order form"},
		},
		{
			name: "a pricing question asked in no words is still answered",
			edit: func(in *backend.ReplyInput) {
				in.Intent = intent.Result{Intent: intent.PricingQuestion, Entities: intent.Entities{Seats: 250}}
			},
			want: []string{"For 250 seats you would be on our Scale plan at $19.50 per seat per month, so $4,875 a month in total."},
		},
		{
			name: "a seat count no tier fits is left to the founder",
			edit: func(in *backend.ReplyInput) {
				in.Intent.Entities.Seats = 2000
				in.Intent.Entities.Questions = in.Intent.Entities.Questions[:1]
			},
			unanswered: []string{"what would pricing look like for 40 engineers"},
			not:        []string{"per seat per month"},
		},
		{
			name: "a new workspace states nothing about the product",
			edit: func(in *backend.ReplyInput) {
				in.Settings = backend.DefaultSettings()
			},
			unanswered: []string{"what would pricing look like for 40 engineers", "do you have a security overview we can send to our CISO?"},
			not:        []string{"$", "security overview is at"},
		},
		{
			name: "a keyword beats a topic, and one fact is said once",
			edit: func(in *backend.ReplyInput) {
				in.Intent = intent.Result{Intent: intent.Other, Entities: intent.Entities{Questions: []intent.Question{
					q("Do you support SSO with Okta?", "security"), q("What about SAML?", "other"), q("And is there a trial?", "trial"),
				}}}
				in.Slots = nil
			},
			want: []string{"Thanks for the questions.", "SSO over SAML (Okta, Entra ID, Google) comes with the Team and Scale plans.\n\nYou can try it free for 14 days, no card needed."},
			not:  []string{"security overview", "next step"},
		},
		{
			name: "one question that asks two things is answered on both",
			edit: func(in *backend.ReplyInput) {
				in.Intent.Entities.Questions = []intent.Question{q("Could you send pricing for ~40 engineers and your security questionnaire?", "pricing")}
			},
			want: []string{"so $960 a month in total. Our security overview is at https://pebblecache.dev/security.\n\n"},
		},
		{
			name: "a security question that also asks the price",
			edit: func(in *backend.ReplyInput) {
				in.Intent.Intent = intent.Interested
				in.Intent.Entities.Questions = []intent.Question{q("Do you support SSO, and what would it cost us?", "security")}
			},
			want: []string{"For 40 seats you would be on our Team plan at $24 per seat per month, so $960 a month in total. SSO over SAML (Okta, Entra ID, Google) comes with the Team and Scale plans.\n\n"},
			not:  []string{"security overview"},
		},
		{
			name: "a keyword across topics: compliance asked as security",
			edit: func(in *backend.ReplyInput) {
				in.Intent.Entities.Questions = []intent.Question{q("Is there a SOC 2 report?", "security")}
				in.Intent.Intent = intent.Interested
			},
			want: []string{"Thanks for getting back to me — glad to hear it.", "We are SOC 2 Type II audited; the report is available under NDA.", "Would one of these times work for a call?"},
		},
		{
			name: "interested with no slots asks for a time",
			edit: func(in *backend.ReplyInput) {
				in.Intent = intent.Result{Intent: intent.Interested}
				in.Slots = nil
				in.Email.Body = "Sounds great, let's talk."
			},
			want: []string{"glad to hear it", "Would a short call help as a next step? Tell me a time that suits you and I'll send an invite."},
			not:  []string{"order form"},
		},
		{
			name: "they proposed a time and there are slots",
			edit: func(in *backend.ReplyInput) {
				in.Intent = intent.Result{Intent: intent.MeetingRequest, Entities: intent.Entities{Times: []intent.When{{Text: "Thursday afternoon"}}}}
			},
			want: []string{"Thanks — happy to find a time.", "You mentioned Thursday afternoon — would one of these work?", "- Thu 10 Dec, 11:30–12:00 EST"},
			not:  []string{"order form", "next step"},
		},
		{
			name: "they proposed a time and there are no slots",
			edit: func(in *backend.ReplyInput) {
				in.Intent = intent.Result{Intent: intent.MeetingRequest, Entities: intent.Entities{Times: []intent.When{{Text: "tomorrow at 3pm"}}}}
				in.Slots = nil
			},
			want: []string{"Thanks for suggesting tomorrow at 3pm — I'll confirm a time shortly."},
			not:  []string{"next step"},
		},
		{
			name: "an objection met by a fact",
			edit: func(in *backend.ReplyInput) {
				in.Intent = intent.Result{Intent: intent.Objection, Evidence: []string{"too expensive"}}
				in.Email.Body = "Honestly this is too expensive for our budget right now."
				in.Slots = nil
			},
			want: []string{"Thanks for being straight with me — that's a fair concern.", "Annual plans come with two months free."},
			not:  []string{"order form", "next step", "$"},
		},
		{
			name: "an objection no fact meets",
			edit: func(in *backend.ReplyInput) {
				in.Intent = intent.Result{Intent: intent.Objection, Evidence: []string{"we already use Stackwise"}}
				in.Email.Body = "We already use Stackwise and are happy."
				in.Slots = nil
			},
			want: []string{"that's a fair concern.", "Would it help to talk it through?"},
			not:  []string{"Annual plans"},
		},
		{
			name: "not now, with the date they named",
			edit: func(in *backend.ReplyInput) {
				in.Intent = intent.Result{Intent: intent.NotNow, Entities: intent.Entities{Until: march}}
				in.Email.Body = "Not a priority this quarter, ping me in March."
			},
			want: []string{"Understood, and thanks for letting me know.", "I'll get back in touch around 1 March."},
			not:  []string{"Would one of these", "order form", "next step"},
		},
		{
			name: "not now, the follow-up date wins",
			edit: func(in *backend.ReplyInput) {
				in.Intent = intent.Result{Intent: intent.NotNow, Entities: intent.Entities{Until: march}}
				in.FollowUp = time.Date(2027, 3, 8, 14, 0, 0, 0, time.UTC)
			},
			want: []string{"around 8 March."},
		},
		{
			name: "not now: a date at midnight UTC is that date, not the evening before in New York",
			edit: func(in *backend.ReplyInput) {
				in.Intent = intent.Result{Intent: intent.NotNow, Entities: intent.Entities{Until: time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)}}
			},
			want: []string{"around 1 February."},
		},
		{
			name: "a question asking for a time is answered by the slots, not left as a hole",
			edit: func(in *backend.ReplyInput) {
				in.Intent = intent.Result{Intent: intent.MeetingRequest, Entities: intent.Entities{
					Times:     []intent.When{{Text: "Thursday afternoon"}},
					Questions: []intent.Question{q("Could we get 30 minutes on the calendar Thursday afternoon?", "other"), q("Do you have a slot early next week?", "other")},
				}}
			},
			want: []string{"You mentioned Thursday afternoon — would one of these work?"},
			not:  []string{"[answer"},
		},
		{
			name: "a question asking for a time, no slots: the next step asks for one",
			edit: func(in *backend.ReplyInput) {
				in.Intent = intent.Result{Intent: intent.Objection, Entities: intent.Entities{Questions: []intent.Question{q("Can we get on a call about it?", "other")}}}
				in.Slots = nil
				in.Email.Body = "Not convinced. Can we get on a call about it?"
			},
			want: []string{"that's a fair concern.", "Tell me a time that suits you and I'll send an invite."},
		},
		{
			name: "the price list is quoted once; a second pricing question needs a fact",
			edit: func(in *backend.ReplyInput) {
				in.Intent.Entities.Questions = []intent.Question{q("What is the cost for 40 engineers, and is there a volume discount?", "pricing"), q("Is there a charge for on-premise deployment?", "pricing")}
			},
			want:       []string{"so $960 a month in total. Annual plans come with two months free.\n\n[answer: Is there a charge for on-premise deployment?]"},
			unanswered: []string{"Is there a charge for on-premise deployment?"},
		},
		{
			name: "ready to sign with nothing to answer",
			edit: func(in *backend.ReplyInput) {
				in.Intent = intent.Result{Intent: intent.Interested}
				in.Email.Body = "Please send the contract and we will sign by the end of the month."
				in.Slots = nil
			},
			want: []string{"I can send the order form so you can sign by the end of the month."},
			not:  []string{"If the answers work"},
		},
		{
			name: "churn risk without slots asks for a time",
			edit: func(in *backend.ReplyInput) {
				in.Intent = intent.Result{Intent: intent.ChurnRisk}
				in.Slots = nil
			},
			want: []string{"Could we talk it through? Tell me a time that suits you and I'll make it work."},
		},
		{
			name: "not now without a date",
			edit: func(in *backend.ReplyInput) {
				in.Intent = intent.Result{Intent: intent.NotNow}
			},
			want: []string{"reach out whenever the timing is better."},
		},
		{
			name: "a referral thanks the referrer",
			edit: func(in *backend.ReplyInput) {
				in.Intent = intent.Result{Intent: intent.Referral, Entities: intent.Entities{Referral: &intent.Person{Name: "Sam Okafor", Email: "sam@northwind.io"}}}
			},
			want: []string{"Thank you for pointing me to Sam Okafor — I'll reach out to them directly."},
			not:  []string{"Would one of these"},
		},
		{
			name: "churn risk offers a call",
			edit: func(in *backend.ReplyInput) {
				in.Intent = intent.Result{Intent: intent.ChurnRisk, Evidence: []string{"thinking of cancelling"}}
				in.Email.Body = "We are thinking of cancelling."
			},
			want: []string{"I'm sorry it hasn't been working as it should.", "Could we talk it through? Would one of these times work?"},
			not:  []string{"order form"},
		},
		{
			name: "not signing is not an offer to sign",
			edit: func(in *backend.ReplyInput) {
				in.Email.Body = "We won't sign anything before legal reviews it."
			},
			not: []string{"order form"},
		},
		{
			name: "same zone: no second clock",
			edit: func(in *backend.ReplyInput) { in.Zone = berlin },
			want: []string{"- Tue 8 Dec, 16:00–16:30 CET\n"},
			not:  []string{"for me"},
		},
		{
			name: "no zone given: the contact's",
			edit: func(in *backend.ReplyInput) {
				in.Zone = nil
				in.Contact.Timezone = "Asia/Tokyo"
			},
			want: []string{"- Wed 9 Dec, 00:00–00:30 JST (Tue 16:00 CET for me)"},
		},
		{
			name: "the owner's clock is on another day",
			edit: func(in *backend.ReplyInput) {
				in.Zone = composeZone("Asia/Tokyo")
				in.Owner = composeZone("America/Los_Angeles")
			},
			want: []string{"- Wed 9 Dec, 00:00–00:30 JST (Tue 07:00 PST for me)"},
		},
		{
			name: "no owner name: no signature line",
			edit: func(in *backend.ReplyInput) { in.Settings.OwnerName = "" },
			want: []string{"so you can sign this month."},
		},
		{
			name: "no name to greet",
			edit: func(in *backend.ReplyInput) {
				in.Contact = nil
				in.Email.FromName = "[Name]"
			},
			want: []string{"Hi,\n\n"},
		},
		{
			name: "the sender's name when there is no contact",
			edit: func(in *backend.ReplyInput) {
				in.Contact = nil
				in.Email.FromName = "Dana W."
			},
			want: []string{"Hi Dana,\n\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := danaInput()
			tt.edit(&in)
			r := backend.ComposeReply(in)
			body := r.Draft.Body
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("body does not hold %q:\n%s", w, body)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(body, w) {
					t.Errorf("body holds %q:\n%s", w, body)
				}
			}
			var got []string
			for _, q := range r.Unanswered {
				got = append(got, q.Text)
			}
			if strings.Join(got, "|") != strings.Join(tt.unanswered, "|") {
				t.Errorf("Unanswered = %q, want %q", got, tt.unanswered)
			}
			checkDraftShape(t, in, r)
		})
	}
}

// checkDraftShape: the draft's only template holes are its unanswered
// questions, one each; it greets, signs as the owner or not at all, has
// no empty paragraphs, and is the same every time.
func checkDraftShape(t *testing.T, in backend.ReplyInput, r backend.Reply) {
	t.Helper()
	d := r.Draft
	holes := backend.FindTemplateHoles(d.Subject, d.Body)
	if len(holes) != len(r.Unanswered) {
		t.Errorf("%d template holes %v for %d unanswered questions\n%s", len(holes), holes, len(r.Unanswered), d.Body)
	}
	for i, h := range holes {
		if h.Kind != backend.HoleUnanswered {
			t.Errorf("hole %v is not an unanswered question", h)
		} else if i < len(r.Unanswered) && !strings.HasPrefix(strings.Join(strings.Fields(r.Unanswered[i].Text), " "), strings.TrimSuffix(h.Text, "…")) {
			t.Errorf("hole %d names %q, want %q", i, h.Text, r.Unanswered[i].Text)
		}
	}
	if !strings.HasPrefix(d.Body, "Hi") {
		t.Errorf("body does not greet: %q", d.Body)
	}
	if strings.Contains(d.Body, "\n\n\n") || strings.HasSuffix(d.Body, "\n") || strings.Contains(d.Body, " \n") {
		t.Errorf("body has an empty paragraph or a trailing blank: %q", d.Body)
	}
	owner := strings.TrimSpace(in.Settings.OwnerName)
	if owner != "" && !strings.HasSuffix(d.Body, "\n\n"+owner) {
		t.Errorf("body is not signed %q: %q", owner, d.Body)
	}
	if again := backend.ComposeReply(in); again.Draft.Body != d.Body || again.Draft.Subject != d.Subject {
		t.Errorf("ComposeReply is not deterministic:\n%s\n---\n%s", d.Body, again.Draft.Body)
	}
}

// Whatever the email holds, the draft stays bounded, holds no template
// text but the holes it reports, and every intent and question mix
// composes.
func TestComposeReply_NoHolesAcrossInputs(t *testing.T) {
	topics := append([]string{}, backend.FactTopics...)
	settings := []*backend.Settings{pebblecache(), backend.DefaultSettings()}
	settings[1].OwnerName = ""
	questions := []string{"How much is it?", "Do you support SSO?", "Is there a SOC 2 report?", "Can we try it first?",
		"Does it integrate with GitHub Actions?", "Where is our data stored?", "What does onboarding look like?", "Can we cancel any time?",
		"[urgent] is there a {{discount}}? TODO", "- ", "XXX", ""}
	n := 0
	for _, label := range []intent.Label{intent.MeetingRequest, intent.PricingQuestion, intent.Interested, intent.Objection, intent.NotNow,
		intent.Unsubscribe, intent.OutOfOffice, intent.ChurnRisk, intent.Referral, intent.Other} {
		for si, st := range settings {
			for k := 0; k <= len(questions); k++ {
				in := danaInput()
				in.Settings = st
				in.Intent = intent.Result{Intent: label, Entities: intent.Entities{Seats: []int{0, 5, 40, 9000}[k%4]}}
				for j := 0; j < k%4; j++ {
					qi := (k + j) % len(questions)
					in.Intent.Entities.Questions = append(in.Intent.Entities.Questions, intent.Question{Text: questions[qi], Topic: topics[(k+j)%len(topics)]})
				}
				if k%3 == 0 {
					in.Slots = nil
				}
				if k%5 == 0 {
					in.Intent.Entities.Times = []intent.When{{Text: "{{time}} next [day]"}}
				}
				if label == intent.Referral && k%2 == 0 {
					in.Intent.Entities.Referral = &intent.Person{Name: "TODO Person", Email: "x@y.io"}
				}
				if k%6 == 1 {
					in.Contact, in.Email.FromName = nil, "XXX"
				}
				t.Run(fmt.Sprintf("%s/settings%d/%d", label, si, k), func(t *testing.T) {
					r := backend.ComposeReply(in)
					for _, q := range r.Unanswered {
						if strings.TrimSpace(q.Text) == "" {
							continue
						}
					}
					holes := backend.FindTemplateHoles(r.Draft.Subject, r.Draft.Body)
					for _, h := range holes {
						if h.Kind != backend.HoleUnanswered {
							t.Errorf("template text %v in\n%s", h, r.Draft.Body)
						}
					}
					if len(holes) != len(r.Unanswered) {
						t.Errorf("%d holes for %d unanswered questions\n%s", len(holes), len(r.Unanswered), r.Draft.Body)
					}
				})
				n++
			}
		}
	}
	if n < 200 {
		t.Fatalf("only %d inputs", n)
	}
}

func TestComposeReply_Hostile(t *testing.T) {
	t.Run("a question 10 KB long", func(t *testing.T) {
		in := danaInput()
		long := "Could you " + strings.Repeat("please explain in detail ", 420) + "how it works?"
		in.Intent.Entities.Questions = []intent.Question{{Text: long, Topic: intent.TopicOther}}
		r := backend.ComposeReply(in)
		if len(r.Draft.Body) > 2000 {
			t.Errorf("body is %d bytes for a 10 KB question, want it bounded", len(r.Draft.Body))
		}
		if h := backend.FindTemplateHoles("", r.Draft.Body); len(h) != 1 || h[0].Kind != backend.HoleUnanswered {
			t.Errorf("holes = %v, want the one long question, cut short", h)
		}
	})
	t.Run("50 questions", func(t *testing.T) {
		in := danaInput()
		in.Intent = intent.Result{Intent: intent.Other}
		for i := 0; i < 50; i++ {
			in.Intent.Entities.Questions = append(in.Intent.Entities.Questions, intent.Question{Text: fmt.Sprintf("Question number %d about something else?", i), Topic: intent.TopicOther})
		}
		r := backend.ComposeReply(in)
		holes := backend.FindTemplateHoles("", r.Draft.Body)
		if len(holes) != backend.MaxReplyQuestions+1 || len(r.Unanswered) != backend.MaxReplyQuestions+1 {
			t.Fatalf("%d holes, %d unanswered for 50 questions; want %d (the rest named in one)", len(holes), len(r.Unanswered), backend.MaxReplyQuestions+1)
		}
		if last := holes[len(holes)-1].Text; last != "38 more questions in their email" {
			t.Errorf("last hole = %q, want the count of the rest", last)
		}
		if len(r.Draft.Body) > 4000 {
			t.Errorf("body is %d bytes for 50 questions, want it bounded", len(r.Draft.Body))
		}
	})
	t.Run("50 slots, 10 KB subject, no email", func(t *testing.T) {
		in := danaInput()
		for i := 0; i < 50; i++ {
			s := time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour)
			in.Slots = append(in.Slots, backend.PlanSlot{Start: s, End: s.Add(30 * time.Minute)})
		}
		in.Email.Subject = strings.Repeat("[Long] ", 1500)
		r := backend.ComposeReply(in)
		if n := strings.Count(r.Draft.Body, "\n- "); n != backend.MaxReplySlots {
			t.Errorf("%d slots proposed, want %d", n, backend.MaxReplySlots)
		}
		if len(r.Draft.Subject) > 300 || len(backend.FindTemplateHoles(r.Draft.Subject, "")) != 0 {
			t.Errorf("subject = %q (%d bytes), want it short and without holes", r.Draft.Subject[:40], len(r.Draft.Subject))
		}
		in.Email = nil
		if r := backend.ComposeReply(in); len(r.Draft.To) != 0 || !strings.HasPrefix(r.Draft.Body, "Hi Dana,") {
			t.Errorf("ComposeReply(no email) = %+v", r.Draft)
		}
		in.Settings = nil
		_ = backend.ComposeReply(in) // no settings: no panic
	})
}

func TestComposeIntro(t *testing.T) {
	in := danaInput()
	in.Intent = intent.Result{Intent: intent.Referral, Entities: intent.Entities{Referral: &intent.Person{Name: "Sam Okafor", Email: "sam@northwind.io"}}}
	d := backend.ComposeIntro(in)
	want := "Hi Sam,\n\nDana Whitfield at Northwind suggested I get in touch with you. Would a short call be useful? Tell me a time that suits you and I'll send an invite.\n\nCasey Morgan"
	if d.Body != want || strings.Join(d.To, ",") != "sam@northwind.io" || strings.Join(d.Cc, ",") != "dana@northwind.io" || d.Subject != "Introduction via Dana" {
		t.Errorf("ComposeIntro = %+v\nwant body %q", d, want)
	}
	in.Intent.Entities.Referral = &intent.Person{Name: "Sam"}
	if d := backend.ComposeIntro(in); len(d.To) != 0 {
		t.Errorf("ComposeIntro(no address) = %+v, want the zero draft", d)
	}
}

// corpusEmail is one line of backend/intent/testdata/*.jsonl.
type corpusEmail struct {
	Subject    string    `json:"subject"`
	Body       string    `json:"body"`
	From       string    `json:"from"`
	ReceivedAt time.Time `json:"received_at"`
}

// Every reply in the classifier's corpus, read by the classifier and
// answered with the demo's facts and with none, composes a draft whose
// only template holes are the questions it reports unanswered, one each.
func TestComposeReply_NoHolesOverCorpus(t *testing.T) {
	files, err := filepath.Glob("intent/testdata/*.jsonl")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	n, unanswered := 0, 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range bytes.Split(data, []byte("\n")) {
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			var e corpusEmail
			if err := json.Unmarshal(line, &e); err != nil {
				t.Fatalf("%s:%d: %v", f, i+1, err)
			}
			res := intent.Classify(intent.Email{Subject: e.Subject, Body: e.Body, From: e.From, Received: e.ReceivedAt})
			reply, _ := intent.Split(e.Body)
			name, addr := e.From, e.From
			if a, err := mail.ParseAddress(e.From); err == nil {
				name, addr = a.Name, a.Address
			}
			for si, st := range []*backend.Settings{pebblecache(), backend.DefaultSettings()} {
				in := backend.ReplyInput{Intent: res, Email: &backend.EmailMessage{ThreadID: "t", MessageID: "<m@x>", From: addr, FromName: name, Subject: e.Subject, Body: reply, ReceivedAt: e.ReceivedAt},
					Settings: st, Zone: newYork, Owner: berlin}
				if i%2 == 0 {
					in.Slots = danaInput().Slots
				}
				r := backend.ComposeReply(in)
				hs := backend.FindTemplateHoles(r.Draft.Subject, r.Draft.Body)
				for _, h := range hs {
					if h.Kind != backend.HoleUnanswered {
						t.Errorf("%s:%d (settings %d, %s): template text %v in\n%s", f, i+1, si, res.Intent, h, r.Draft.Body)
					}
				}
				if len(hs) != len(r.Unanswered) {
					t.Errorf("%s:%d (settings %d): %d holes for %d unanswered questions\n%s", f, i+1, si, len(hs), len(r.Unanswered), r.Draft.Body)
				}
				if len(r.Draft.Body) > 4000 {
					t.Errorf("%s:%d: a %d-byte draft", f, i+1, len(r.Draft.Body))
				}
				if si == 0 {
					unanswered += len(r.Unanswered)
				}
				n++
			}
		}
	}
	if n < 600 {
		t.Fatalf("composed %d drafts, want the whole corpus twice", n)
	}
	t.Logf("%d drafts; with the demo's facts %d questions left unanswered", n, unanswered)
}
