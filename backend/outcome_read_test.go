package backend_test

import (
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend/intent"
)

// TestOutcomeDetect_ReadOnce: the tone of a reply (positive_reply,
// negative_reply, out_of_office or a plain reply) is what the reply-intent
// classifier says when it reads the email as the recommender does — the
// body, or the snippet when the body is blank, in the sender's time zone —
// since ingest reads each email once for both. Each case classifies the
// email again and compares.
func TestOutcomeDetect_ReadOnce(t *testing.T) {
	tone := map[intent.Label]string{
		intent.Interested: "positive_reply,replied", intent.MeetingRequest: "positive_reply,replied",
		intent.PricingQuestion: "positive_reply,replied", intent.Referral: "positive_reply,replied",
		intent.Objection: "negative_reply,replied", intent.Unsubscribe: "negative_reply,replied",
		intent.ChurnRisk: "negative_reply,replied", intent.NotNow: "negative_reply,replied",
		intent.OutOfOffice: "out_of_office",
	}
	for _, tc := range []struct {
		name, body, snippet, zone, want string
	}{
		// The body was not fetched (only whitespace came): the snippet is
		// the reply. Reading the blank body found a plain reply.
		{"BlankBodyReadsTheSnippet", " \n\t ", "Yes, we're interested. Could you send over pricing for 40 seats?", "", "positive_reply,replied"},
		{"Interested", "This looks great, we'd love to move forward.", "", "America/New_York", "positive_reply,replied"},
		{"MeetingInTheirZone", "Can we talk tomorrow at 3pm? Thursday works too.", "", "Asia/Tokyo", "positive_reply,replied"},
		{"NotNow", "Not now, ping me again next quarter.", "", "Europe/Berlin", "negative_reply,replied"},
		{"OutOfOffice", "I am out of the office until Monday 30 November with limited access to email.", "", "", "out_of_office"},
		{"Other", "Thanks, got it.", "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newExecFixture(t)
			m, _, thread := f.sent(t, "r1", "maya@acme.io")
			f.clock.Advance(time.Hour)
			s := inbound("g-r1", thread, "maya@acme.io", "Re: Pricing", tc.body, f.clock.Now())
			s.Email.Snippet, s.Contact.Timezone = tc.snippet, tc.zone
			var zone *time.Location
			if tc.zone != "" {
				z, err := time.LoadLocation(tc.zone)
				if err != nil {
					t.Skip(err)
				}
				zone = z
			}
			text := tc.body
			if tc.snippet != "" {
				text = tc.snippet
			}
			res := intent.Classify(intent.Email{Subject: "Re: Pricing", Body: text, From: "maya@acme.io", Received: s.OccurredAt, Zone: zone})
			want := tone[res.Intent]
			if want == "" {
				want = "replied"
			}
			if tc.want != "" && want != tc.want {
				t.Fatalf("Classify() = %s: the case no longer tests what it names (%q, want %q)", res.Intent, want, tc.want)
			}
			f.ingest(t, s)
			if got := f.outcomeTypes(t, m.ID); got != want {
				t.Fatalf("outcomes = %q, want %q (Classify() = %s)", got, want, res.Intent)
			}
		})
	}
}
