package backend_test

import (
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// records is an in-memory RecordLookup for recommender tests.
type records struct {
	contacts  map[string]*backend.Contact
	companies map[string]*backend.Company
	deals     map[string]*backend.Deal
}

func (r records) Contact(id string) *backend.Contact { return r.contacts[id] }
func (r records) Company(id string) *backend.Company { return r.companies[id] }
func (r records) Deal(id string) *backend.Deal       { return r.deals[id] }

var testNow = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

func testRecords() records {
	return records{
		contacts: map[string]*backend.Contact{
			"maya@acme.io":  {ID: "maya@acme.io", Email: "maya@acme.io", Name: "Maya Chen", Title: "CEO", CompanyID: "acme"},
			"li@acme.io":    {ID: "li@acme.io", Email: "li@acme.io", Name: "Li Wu", CompanyID: "acme"},
			"ops@globex.io": {ID: "ops@globex.io", Email: "ops@globex.io", Name: "Ola P", CompanyID: "globex", Lifecycle: "customer"},
		},
		companies: map[string]*backend.Company{
			"acme":   {ID: "acme", Name: "Acme", Industry: "SaaS", Employees: 200},
			"globex": {ID: "globex", Name: "Globex"},
		},
		deals: map[string]*backend.Deal{
			"d1": {ID: "d1", Name: "Acme platform", Amount: 50_000, Stage: "presentationscheduled", CompanyID: "acme", ContactIDs: []string{"maya@acme.io"}},
		},
	}
}

func TestRecommend(t *testing.T) {
	h := func(d float64) time.Time { return testNow.Add(time.Duration(d * float64(time.Hour))) }
	email := func(from, subject string) *backend.EmailMessage {
		return &backend.EmailMessage{ThreadID: "t1", MessageID: "<m1@acme.io>", From: from, Subject: subject, ReceivedAt: h(-3)}
	}
	tests := []struct {
		name    string
		sig     backend.Signal
		kind    backend.MoveKind // "" = no move expected
		domain  backend.Domain
		subject string
		title   string // substring
		why     string // substring of the first Why
		due     time.Time
		check   func(t *testing.T, p backend.Proposal)
	}{
		{
			name: "email reply → reply in thread", kind: backend.KindSendEmail, domain: backend.DomainSales,
			sig:     backend.Signal{Type: backend.SignalEmailReplied, ContactID: "maya@acme.io", Email: email("maya@acme.io", "Pricing for 40 seats")},
			subject: "thread:t1", title: "Reply to Maya Chen: Pricing for 40 seats", why: "Maya Chen replied to “Pricing for 40 seats” 3 hours ago",
			due: h(21),
			check: func(t *testing.T, p backend.Proposal) {
				d := p.Draft
				if d.ThreadID != "t1" || d.InReplyTo != "<m1@acme.io>" || d.Subject != "Re: Pricing for 40 seats" || d.To[0] != "maya@acme.io" {
					t.Errorf("draft = %+v, want a threaded reply to maya", d)
				}
			},
		},
		{
			name: "customer email → cs", kind: backend.KindSendEmail, domain: backend.DomainCS,
			sig:     backend.Signal{Type: backend.SignalEmailReceived, ContactID: "ops@globex.io", Email: email("ops@globex.io", "SSO question")},
			subject: "thread:t1", title: "Reply to Ola P", why: "Ola P wrote",
		},
		{
			name: "form submission → speedy follow-up", kind: backend.KindSendEmail, domain: backend.DomainSales,
			sig: backend.Signal{Type: backend.SignalFormSubmitted, OccurredAt: h(-1), ContactID: "li@acme.io",
				Contact: &backend.Contact{ID: "li@acme.io", Email: "li@acme.io"}, Form: &backend.FormSubmission{Form: "Demo request", Fields: map[string]string{"message": "We need SSO"}}},
			subject: "contact:li@acme.io", title: "Follow up with Li Wu (Demo request)", why: "Li Wu submitted “Demo request” 60 minutes ago",
			due: h(3),
		},
		{
			name: "newsletter signup → marketing welcome, not a sales chase", kind: backend.KindSendEmail, domain: backend.DomainMarketing,
			sig: backend.Signal{Type: backend.SignalFormSubmitted, OccurredAt: h(-1), ContactID: "li@acme.io",
				Contact: &backend.Contact{ID: "li@acme.io", Email: "li@acme.io"}, Form: &backend.FormSubmission{Form: "Newsletter"}},
			subject: "contact:li@acme.io", title: "Welcome Li Wu from the Newsletter signup", why: "Li Wu submitted “Newsletter”",
			due: h(71),
		},
		{
			name: "deal enters demo stage → demo prep", kind: backend.KindCreateTask, domain: backend.DomainSales,
			sig: backend.Signal{Type: backend.SignalDealStageChanged, OccurredAt: h(-2), DealID: "d1", CompanyID: "acme",
				Deal: &backend.Deal{ID: "d1", Name: "Acme platform", Stage: "presentationscheduled"}, Payload: map[string]string{"previous_stage": "qualifiedtobuy", "demo_at": h(20).Format(time.RFC3339)}},
			subject: "deal:d1", title: "Prep for the Acme demo", why: "Acme platform moved from Qualified to buy to Presentation scheduled 2 hours ago", due: h(20),
			check: func(t *testing.T, p backend.Proposal) {
				if p.DueLabel != "demo" || !p.ExpiresAt.Equal(h(20)) {
					t.Errorf("due label %q, expires %v; want the demo time", p.DueLabel, p.ExpiresAt)
				}
			},
		},
		{
			name: "closed-won → CS handoff", kind: backend.KindCreateTask, domain: backend.DomainCS,
			sig:     backend.Signal{Type: backend.SignalDealStageChanged, OccurredAt: h(-1), DealID: "d1", Deal: &backend.Deal{ID: "d1", Stage: "closedwon"}},
			subject: "deal:d1", title: "Hand off Acme to customer success", why: "Acme platform moved to Closed won", due: h(23),
		},
		{
			name: "closed-lost → nurture email", kind: backend.KindSendEmail, domain: backend.DomainMarketing,
			sig:     backend.Signal{Type: backend.SignalDealStageChanged, OccurredAt: h(-1), DealID: "d1", ContactID: "maya@acme.io", Deal: &backend.Deal{ID: "d1", Stage: "closedlost"}},
			subject: "deal:d1", title: "Start nurture for Acme", why: "moved to Closed lost",
		},
		{
			name: "ordinary stage change → nothing",
			sig:  backend.Signal{Type: backend.SignalDealStageChanged, OccurredAt: h(-1), DealID: "d1", Deal: &backend.Deal{ID: "d1", Stage: "qualifiedtobuy"}},
		},
		{
			name: "stalled deal → nudge the contact", kind: backend.KindSendEmail, domain: backend.DomainSales,
			sig:     backend.Signal{Type: backend.SignalDealStalled, OccurredAt: testNow, DealID: "d1", ContactID: "maya@acme.io", Deal: &backend.Deal{ID: "d1", Stage: "presentationscheduled", LastActivityAt: h(-20 * 24)}},
			subject: "deal:d1", title: "Nudge Maya Chen", why: "No activity on Acme platform for 20 days, since Mon 2 Nov",
			check: func(t *testing.T, p backend.Proposal) {
				if !p.StallNudge || !p.ExpiresAt.IsZero() {
					t.Errorf("stall nudge %v, expires %v; want a stall nudge that never expires", p.StallNudge, p.ExpiresAt)
				}
			},
		},
		{
			name: "a stall from an import, active since → nothing",
			sig:  backend.Signal{Type: backend.SignalDealStalled, OccurredAt: h(-10 * 24), DealID: "d1", Deal: &backend.Deal{ID: "d1", Stage: "presentationscheduled", LastActivityAt: h(-24)}},
		},
		{
			name: "a stall of a deal closed since → nothing",
			sig:  backend.Signal{Type: backend.SignalDealStalled, OccurredAt: testNow, DealID: "d1", Deal: &backend.Deal{ID: "d1", Stage: "closedwon", LastActivityAt: h(-20 * 24)}},
		},
		{
			name: "external meeting ahead → prep note that expires at the start", kind: backend.KindNote, domain: backend.DomainSales,
			sig: backend.Signal{Type: backend.SignalMeetingUpcoming, ContactID: "maya@acme.io", Meeting: &backend.Meeting{ID: "ev1", Title: "Acme / CaseyOS", Start: h(5), End: h(6), External: true,
				Attendees: []string{"casey@pebblecache.dev", "maya@acme.io"}}},
			subject: "meeting:ev1", title: "Prep for “Acme / CaseyOS”", why: "“Acme / CaseyOS” with maya@acme.io starts today 14:00", due: h(5),
			check: func(t *testing.T, p backend.Proposal) {
				if !p.ExpiresAt.Equal(h(5)) {
					t.Errorf("expires %v, want the meeting start", p.ExpiresAt)
				}
			},
		},
		{
			name: "internal meeting → nothing",
			sig:  backend.Signal{Type: backend.SignalMeetingUpcoming, Meeting: &backend.Meeting{ID: "ev2", Title: "Standup", Start: h(1), End: h(2)}},
		},
		{
			name: "external meeting ended → follow-up to the external attendees", kind: backend.KindSendEmail, domain: backend.DomainSales,
			sig: backend.Signal{Type: backend.SignalMeetingEnded, Meeting: &backend.Meeting{ID: "ev3", Title: "Discovery", Start: h(-3), End: h(-2), External: true,
				Attendees: []string{"casey@pebblecache.dev", "sam@pebblecache.dev", "li@acme.io"}}},
			subject: "meeting:ev3", title: "Follow up after “Discovery”", why: "“Discovery” ended 2 hours ago", due: h(22),
			check: func(t *testing.T, p backend.Proposal) {
				if len(p.Draft.To) != 1 || p.Draft.To[0] != "li@acme.io" {
					t.Errorf("follow-up goes to %v, want only li@acme.io", p.Draft.To)
				}
			},
		},
		{
			name: "mention of us with reach → reply", kind: backend.KindReplySocial, domain: backend.DomainMarketing,
			sig:     backend.Signal{Type: backend.SignalSocialMention, OccurredAt: h(-4), Post: &backend.Post{ID: "p1", Author: "devjane", Text: "CaseyOS saved my Monday", Followers: 2400}},
			subject: "post:p1", title: "Reply to @devjane: CaseyOS saved my Monday", why: "@devjane (2.4k followers) mentioned us 4 hours ago",
		},
		{
			name: "reply to our post asking → reply", kind: backend.KindReplySocial, domain: backend.DomainMarketing,
			sig: backend.Signal{Type: backend.SignalSocialReply, OccurredAt: h(-1), Post: &backend.Post{ID: "p3", Author: "ana_builds",
				Text: "@caseyos does it sync HubSpot deals too", InReplyTo: "p0", ConversationID: "p0"}},
			subject: "post:p3", title: "Reply to @ana_builds: does it sync HubSpot deals too", why: "@ana_builds replied to our post 60 minutes ago",
		},
		{
			name: "competitor mention from the watch list → battle card", kind: backend.KindCreateTask, domain: backend.DomainMarketing,
			sig: backend.Signal{Type: backend.SignalSocialCompetitorMention, OccurredAt: h(-4), Post: &backend.Post{ID: "p4", Author: "cto_bob",
				Text: "RivalCRM raised prices again", Competitor: "RivalCRM", Followers: 90}},
			subject: "topic:battlecard:rivalcrm", title: "Update the RivalCRM battle card", why: "@cto_bob posted about RivalCRM",
		},
		{
			name: "competitor mention → battle card", kind: backend.KindCreateTask, domain: backend.DomainMarketing,
			sig:     backend.Signal{Type: backend.SignalSocialMention, OccurredAt: h(-4), Post: &backend.Post{ID: "p2", Author: "cto_bob", Text: "RivalCRM raised prices again", Competitor: "RivalCRM"}},
			subject: "topic:battlecard:rivalcrm", title: "Update the RivalCRM battle card", why: "@cto_bob posted about RivalCRM",
		},
		{
			name: "duplicate contact → merge", kind: backend.KindMergeContacts, domain: backend.DomainMarketing,
			sig:     backend.Signal{Type: backend.SignalContactDuplicate, ContactID: "maya@acme.io", Payload: map[string]string{"duplicate_id": "li@acme.io"}},
			subject: "contact:maya@acme.io", title: "Merge duplicate contacts maya@acme.io and li@acme.io", why: "look like the same person",
			check: func(t *testing.T, p backend.Proposal) {
				if strings.Join(p.Draft.MergeIDs, ",") != "maya@acme.io,li@acme.io" {
					t.Errorf("merge ids = %v", p.Draft.MergeIDs)
				}
			},
		},
		{
			name: "bounce → find a working address", kind: backend.KindCreateTask, domain: backend.DomainSales,
			sig:     backend.Signal{Type: backend.SignalEmailBounced, OccurredAt: h(-1), ContactID: "li@acme.io"},
			subject: "contact:li@acme.io", title: "Find a working address for Li Wu", why: "Email to li@acme.io bounced",
		},
		{
			name: "out of office → follow up on return", kind: backend.KindCreateTask, domain: backend.DomainSales,
			sig: backend.Signal{Type: backend.SignalEmailOutOfOffice, OccurredAt: h(-1), ContactID: "maya@acme.io", Email: email("maya@acme.io", "Pricing"),
				Payload: map[string]string{"returns_at": h(72).Format(time.RFC3339)}},
			subject: "contact:maya@acme.io", title: "Follow up with Maya Chen when they are back", why: "Maya Chen is out of office until Wed 25 Nov", due: h(72),
		},
		{
			name: "unsubscribe → do-not-contact, no move",
			sig:  backend.Signal{Type: backend.SignalEmailUnsubscribed, Email: email("li@acme.io", "Re: Pricing")},
		},
		{
			name: "new contact → mirrored, no move",
			sig:  backend.Signal{Type: backend.SignalContactCreated, ContactID: "li@acme.io", Contact: &backend.Contact{ID: "li@acme.io", Email: "li@acme.io"}},
		},
		{
			name: "task completed → an outcome, no move",
			sig:  backend.Signal{Type: backend.SignalTaskCompleted, Payload: map[string]string{"task_id": "t1"}},
		},
		{
			name: "record edited → re-scored, no move",
			sig:  backend.Signal{Type: backend.SignalRecordUpdated, DealID: "d1", Deal: &backend.Deal{ID: "d1", Stage: "closedwon", Amount: 90000}},
		},
	}
	covered := map[backend.SignalType]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sig := tt.sig
			if sig.OccurredAt.IsZero() {
				sig.OccurredAt = h(-3)
			}
			covered[sig.Type] = true
			st := backend.DefaultSettings()
			st.OwnerEmail = "casey@pebblecache.dev"
			got := backend.Recommend(&sig, testRecords(), st, testNow, time.UTC)
			if tt.kind == "" {
				if len(got) != 0 {
					t.Fatalf("Recommend(%s) = %+v, want no move", sig.Type, got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("Recommend(%s) gave %d proposals, want 1", sig.Type, len(got))
			}
			p := got[0]
			// What a recommender drafts is sendable as it stands.
			if h := backend.DraftHoles(&backend.Move{Kind: p.Kind, Title: p.Title, Draft: p.Draft}); len(h) > 0 {
				t.Errorf("Recommend(%s) drafted template holes: %v\n%s\n%s", sig.Type, h, p.Draft.Subject, p.Draft.Body)
			}
			if p.Kind != tt.kind || p.Domain != tt.domain || p.Subject.Key() != tt.subject {
				t.Errorf("Recommend(%s) = kind %s domain %s subject %s, want %s %s %s", sig.Type, p.Kind, p.Domain, p.Subject.Key(), tt.kind, tt.domain, tt.subject)
			}
			if !strings.Contains(p.Title, tt.title) {
				t.Errorf("title = %q, want it to contain %q", p.Title, tt.title)
			}
			if len(p.Why) == 0 || !strings.Contains(backend.RenderReason(p.Why[0], testNow, time.UTC), tt.why) {
				t.Errorf("why = %q, want it to contain %q", backend.RenderReasons(p.Why, testNow, time.UTC), tt.why)
			}
			if !tt.due.IsZero() && !p.DueAt.Equal(tt.due) {
				t.Errorf("due = %v, want %v", p.DueAt, tt.due)
			}
			if tt.check != nil {
				tt.check(t, p)
			}
		})
	}
	for _, st := range backend.SignalTypes {
		if !covered[st] {
			t.Errorf("signal type %s has no recommender test", st)
		}
	}
}
