package intent_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend/intent"
)

func mustZone(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		tb.Fatal(err)
	}
	return loc
}

// monday is when most table rows are received: Monday 7 December 2026,
// 14:00 UTC.
var monday = time.Date(2026, 12, 7, 14, 0, 0, 0, time.UTC)

func TestClassify_Times(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	berlin := mustZone(t, "Europe/Berlin")
	type window struct{ start, end string } // RFC 3339
	for _, tc := range []struct {
		name     string
		body     string
		received time.Time
		zone     *time.Location
		want     []window
	}{
		// DST ends in New York at 02:00 on Sunday 1 November 2026: the
		// next day's 3pm is 15:00 EST (UTC-5), not 24 hours after.
		{"NewYorkBeforeDSTEnds", "Could we talk tomorrow at 3pm?", time.Date(2026, 10, 31, 11, 0, 0, 0, ny), ny,
			[]window{{"2026-11-01T15:00:00-05:00", "2026-11-01T15:30:00-05:00"}}},
		// DST starts in Berlin on Sunday 29 March 2026.
		{"BerlinBeforeDSTStarts", "Can we do a call tomorrow at 3pm?", time.Date(2026, 3, 28, 10, 0, 0, 0, berlin), berlin,
			[]window{{"2026-03-29T15:00:00+02:00", "2026-03-29T15:30:00+02:00"}}},
		// Received late on Saturday evening in New York, which is already
		// Sunday in UTC: "tomorrow" is the sender's tomorrow.
		{"SenderDayNotUTCDay", "Let's meet tomorrow morning.", time.Date(2026, 10, 31, 22, 30, 0, 0, ny), ny,
			[]window{{"2026-11-01T09:00:00-05:00", "2026-11-01T12:00:00-05:00"}}},
		{"ThursdayOnAThursday", "Could we do Thursday afternoon?", time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC), nil,
			[]window{{"2026-12-10T12:00:00Z", "2026-12-10T17:00:00Z"}}},
		{"ThisThursdayOnAThursday", "Are you free this Thursday at 4pm?", time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC), nil,
			[]window{{"2026-12-03T16:00:00Z", "2026-12-03T16:30:00Z"}}},
		{"NextWeek", "Happy to hop on a call next week.", monday, nil,
			[]window{{"2026-12-14T09:00:00Z", "2026-12-18T17:00:00Z"}}},
		{"EarlyNextWeek", "Do you have a slot early next week?", monday, nil,
			[]window{{"2026-12-14T09:00:00Z", "2026-12-15T17:00:00Z"}}},
		{"DateAndTime", "Does Dec 10 at 10:30 work?", monday, nil,
			[]window{{"2026-12-10T10:30:00Z", "2026-12-10T11:00:00Z"}}},
		{"AfterTimeBeforeDay", "We are free any time after 2pm Friday.", monday, nil,
			[]window{{"2026-12-11T14:00:00Z", "2026-12-11T17:00:00Z"}}},
		{"TwoProposals", "We are free Dec 10 at 10:30 or any time after 2pm Friday.", monday, nil,
			[]window{{"2026-12-10T10:30:00Z", "2026-12-10T11:00:00Z"}, {"2026-12-11T14:00:00Z", "2026-12-11T17:00:00Z"}}},
		{"RangeWithZone", "Thursday 2-4pm ET is open on my side.", monday, nil,
			[]window{{"2026-12-10T14:00:00-05:00", "2026-12-10T16:00:00-05:00"}}},
		{"ZoneWordWinsOverSenderZone", "Can we meet Tuesday at 9am Pacific time?", monday, berlin,
			[]window{{"2026-12-08T09:00:00-08:00", "2026-12-08T09:30:00-08:00"}}},
		{"TwoDays", "What does your calendar look like Monday or Tuesday?", monday, nil,
			[]window{{"2026-12-14T09:00:00Z", "2026-12-14T17:00:00Z"}, {"2026-12-08T09:00:00Z", "2026-12-08T17:00:00Z"}}},
		{"WeekOf", "Please propose two or three dates in the week of 14 December.", monday, nil,
			[]window{{"2026-12-14T09:00:00Z", "2026-12-18T17:00:00Z"}}},
		{"NextWeekday", "Can we meet next Wednesday at 11?", monday, nil,
			[]window{{"2026-12-16T11:00:00Z", "2026-12-16T11:30:00Z"}}},
		{"TwentyFourHour", "Would Tuesday 8 December 14:00 CET be possible for a call?", monday, nil,
			[]window{{"2026-12-08T14:00:00+01:00", "2026-12-08T14:30:00+01:00"}}},
		{"DateWithoutYearAlreadyPast", "Shall we meet on January 5 at 9am?", monday, nil,
			[]window{{"2027-01-05T09:00:00Z", "2027-01-05T09:30:00Z"}}},
		{"WeekdayNextWeek", "Friday after lunch is good for us, or Tuesday next week in the morning.", monday, nil,
			[]window{{"2026-12-11T12:00:00Z", "2026-12-11T13:00:00Z"}, {"2026-12-15T09:00:00Z", "2026-12-15T12:00:00Z"}}},
		{"ListSharesNext", "Kindly advise your time slots for next Tuesday or Wednesday (Beijing time).", monday, nil,
			[]window{{"2026-12-15T09:00:00+08:00", "2026-12-15T17:00:00+08:00"}, {"2026-12-16T09:00:00+08:00", "2026-12-16T17:00:00+08:00"}}},
		{"DayOfMonthAndBareRange", "Could you join us on Wednesday the 16th, ideally between 10 and 12 Pacific?", monday, nil,
			[]window{{"2026-12-16T10:00:00-08:00", "2026-12-16T12:00:00-08:00"}}},
		{"CityZone", "Let's do the demo on Monday 10:00 Buenos Aires time.", monday, nil,
			[]window{{"2026-12-14T10:00:00-03:00", "2026-12-14T10:30:00-03:00"}}},
		{"TodayAsNowadays", "We're around 55 engineers today, what would it cost?", monday, nil, nil},
		{"TodayWithTime", "Easier to talk, you around at 4 today?", monday, nil,
			[]window{{"2026-12-07T16:00:00Z", "2026-12-07T16:30:00Z"}}},
		{"DeadlineIsNotAProposal", "Our trial ends Friday, can you send the quote by Friday?", monday, nil, nil},
		{"QuotedHistoryIgnored", "Sounds good, thanks.\n\nOn Mon, Dec 7, 2026 at 9:00 AM Casey <c@p.io> wrote:\n> Would Thursday at 3pm work?", monday, nil, nil},
		{"NoReceivedTime", "Can we talk tomorrow at 3pm?", time.Time{}, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := intent.Classify(intent.Email{Subject: "Re: hello", Body: tc.body, Received: tc.received, Zone: tc.zone})
			var got []window
			for _, w := range res.Entities.Times {
				got = append(got, window{w.Start.Format(time.RFC3339), w.End.Format(time.RFC3339)})
				if w.Text == "" || !strings.Contains(tc.body, w.Text) {
					t.Errorf("When.Text = %q, not a phrase of the body", w.Text)
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Classify(%q).Entities.Times = %v, want %v", tc.body, got, tc.want)
			}
		})
	}
}

func TestClassify_Amounts(t *testing.T) {
	for _, tc := range []struct {
		body string
		want []intent.Amount
	}{
		{"Our budget is $40k.", []intent.Amount{{Value: 40000, Currency: "USD", Text: "$40k"}}},
		{"We have €12,500 for this.", []intent.Amount{{Value: 12500, Currency: "EUR", Text: "€12,500"}}},
		{"Roughly USD 3,000/month of usage.", []intent.Amount{{Value: 3000, Currency: "USD", Text: "USD 3,000/month"}}},
		{"We spend £2,000 per month and 1.5M EUR a year.", []intent.Amount{{Value: 2000, Currency: "GBP", Text: "£2,000 per month"}, {Value: 1.5e6, Currency: "EUR", Text: "1.5M EUR a year"}}},
		{"Is the $49 per user?", []intent.Amount{{Value: 49, Currency: "USD", Text: "$49 per user"}}},
		{"It costs 12.500 € in Germany.", []intent.Amount{{Value: 12500, Currency: "EUR", Text: "12.500 €"}}},
		{"We have 40 engineers and latency is down 40%.", nil},
	} {
		res := intent.Classify(intent.Email{Body: tc.body, Received: monday})
		if !reflect.DeepEqual(res.Entities.Amounts, tc.want) {
			t.Errorf("Classify(%q).Entities.Amounts = %+v, want %+v", tc.body, res.Entities.Amounts, tc.want)
		}
	}
}

func TestClassify_Seats(t *testing.T) {
	for _, tc := range []struct {
		body string
		want int
	}{
		{"What would pricing look like for 40 engineers?", 40},
		{"We need 40 seats.", 40},
		{"What is the cost for a team of 40?", 40},
		{"We're a 12-person team.", 12},
		{"We'd be looking at roughly 25 users.", 25},
		{"About forty developers would use it.", 40},
		{"Latency is down 40% and the call took 30 minutes.", 0},
		{"", 0},
	} {
		if got := intent.Classify(intent.Email{Body: tc.body, Received: monday}).Entities.Seats; got != tc.want {
			t.Errorf("Classify(%q).Entities.Seats = %d, want %d", tc.body, got, tc.want)
		}
	}
}

func TestClassify_Questions(t *testing.T) {
	body := "Hi Casey,\n\nA couple of questions. What would pricing look like for 40 engineers? And do you have a SOC 2 report you can share? " +
		"Does it work with our Kubernetes setup? Please let us know whether a trial is possible.\n\nThanks,\nDana\n\n" +
		"On Mon, Dec 7, 2026 at 9:00 AM Casey <casey@pebblecache.io> wrote:\n> Do you need GDPR terms?\n> Is there anything else?"
	res := intent.Classify(intent.Email{Subject: "Re: PebbleCache", Body: body, Received: monday})
	want := []intent.Question{
		{Text: "What would pricing look like for 40 engineers?", Topic: intent.TopicPricing},
		{Text: "And do you have a SOC 2 report you can share?", Topic: intent.TopicSecurity},
		{Text: "Does it work with our Kubernetes setup?", Topic: intent.TopicIntegration},
		{Text: "Please let us know whether a trial is possible.", Topic: intent.TopicTrial},
	}
	if !reflect.DeepEqual(res.Entities.Questions, want) {
		t.Errorf("Questions = %+v\nwant %+v", res.Entities.Questions, want)
	}
	// Inline answers: the quoted lines are ours, only the sender's count.
	res = intent.Classify(intent.Email{Body: "> Would Thursday work?\nYes. Can you send the invite?\n> How many seats?\n40.", Received: monday})
	if len(res.Entities.Questions) != 1 || res.Entities.Questions[0].Text != "Can you send the invite?" {
		t.Errorf("inline answers: Questions = %+v, want only the sender's", res.Entities.Questions)
	}
}

func TestClassify_Referral(t *testing.T) {
	for _, tc := range []struct {
		name, from, body string
		want             *intent.Person
	}{
		{"Parenthesis", "Dana <dana@northwind.io>", "I'm not the right person for this — you should talk to Priya (priya@acme.io), our CTO.",
			&intent.Person{Name: "Priya", Email: "priya@acme.io"}},
		{"AngleBrackets", "Jake <jake@ellis.com>", "I've moved to a different role. Please reach out to Monica Reyes <Monica.Reyes@ellis.com>, she handles vendors now.",
			&intent.Person{Name: "Monica Reyes", Email: "monica.reyes@ellis.com"}},
		{"TitleBeforeName", "Ingrid <ingrid@fjell.no>", "I have forwarded your email to our CTO Henrik Dahl (henrik@fjell.no).",
			&intent.Person{Name: "Henrik Dahl", Email: "henrik@fjell.no"}},
		{"NameElsewhere", "Bill <bill@turner.com>", "Wrong guy, but my colleague Steve Park handles our servers. Try him at steve@turner.com",
			&intent.Person{Name: "Steve Park", Email: "steve@turner.com"}},
		{"OnlyAnAddress", "Ola <ola@x.io>", "Please write to kari.nordmann@x.io instead, not my area.",
			&intent.Person{Name: "Kari Nordmann", Email: "kari.nordmann@x.io"}},
		{"SharedInboxIsNotAPerson", "Ola <ola@x.io>", "Not my area, please write to support@x.io.", nil},
		{"OwnNewAddressIsNotAReferral", "Ahmet Yilmaz <ahmet@bosphorus.tr>", "I changed my email address, please use ahmet.yilmaz@bosphorus.com.tr from now on.", nil},
		{"QuotedAddressIgnored", "Ola <ola@x.io>", "Thanks, noted.\n\nOn Mon, Dec 7, 2026 at 9:00 AM Casey <casey@pebblecache.io> wrote:\n> You could also talk to Priya (priya@acme.io).", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := intent.Classify(intent.Email{Body: tc.body, From: tc.from, Received: monday})
			if !reflect.DeepEqual(res.Entities.Referral, tc.want) {
				t.Errorf("Classify(%q) = %s, Referral %+v, want %+v", tc.body, res.Intent, res.Entities.Referral, tc.want)
			}
			if tc.want != nil && res.Intent != intent.Referral {
				t.Errorf("Classify(%q).Intent = %s, want referral", tc.body, res.Intent)
			}
		})
	}
}

func TestClassify_Until(t *testing.T) {
	for _, tc := range []struct {
		subject, body string
		intent        intent.Label
		want          string // date in UTC
	}{
		{"Re: intro", "We're in the middle of a migration, not the right time. Can you ping me in March?", intent.NotNow, "2027-03-01"},
		{"Re: intro", "Not a priority right now. Circle back after Q1.", intent.NotNow, "2027-04-01"},
		{"Re: intro", "Budget is spent. Please contact me again next quarter.", intent.NotNow, "2027-01-01"},
		{"Re: intro", "We're locked into our contract until June 30. Reach out in May and we can talk.", intent.NotNow, "2027-05-01"},
		{"Re: intro", "Timing isn't great, we just froze spend. Maybe in 6 months?", intent.NotNow, "2027-06-07"},
		{"Re: intro", "Heads down on a launch until end of January. Let's reconnect after that.", intent.NotNow, "2027-02-01"},
		{"Automatic reply: intro", "I am out of the office until Monday, December 14 with limited access to email.", intent.OutOfOffice, "2026-12-14"},
		{"Abwesenheitsnotiz", "Ich bin bis zum 04.01.2027 nicht im Büro.", intent.OutOfOffice, "2027-01-04"},
		{"Out of office", "I'm on vacation from Dec 18 to Jan 3 and won't be checking email.", intent.OutOfOffice, "2027-01-03"},
		{"Auto: intro", "I'm on leave and will return in March.", intent.OutOfOffice, "2027-03-01"},
	} {
		res := intent.Classify(intent.Email{Subject: tc.subject, Body: tc.body, Received: monday})
		if res.Intent != tc.intent {
			t.Errorf("Classify(%q).Intent = %s, want %s", tc.body, res.Intent, tc.intent)
		}
		if got := res.Entities.Until.UTC().Format("2006-01-02"); res.Entities.Until.IsZero() || got != tc.want {
			t.Errorf("Classify(%q).Entities.Until = %v, want %s", tc.body, res.Entities.Until, tc.want)
		}
	}
	// Until belongs to not_now and out_of_office only.
	res := intent.Classify(intent.Email{Body: "Please send the contract, we will sign in March.", Received: monday})
	if !res.Entities.Until.IsZero() {
		t.Errorf("interested reply: Until = %v, want zero", res.Entities.Until)
	}
}

func TestClassify_Rules(t *testing.T) {
	for _, tc := range []struct {
		subject, body string
		want          intent.Label
		evidence      string // one phrase the evidence must hold, as written
	}{
		{"Re: renewal", "Leadership is thinking of cancelling. The price is too high for what we get.", intent.ChurnRisk, "thinking of cancelling"},
		{"Re: renewal", "We are not renewing: the team is moving to Momento.", intent.ChurnRisk, "not renewing"},
		{"Re: intro", "Please remove me from this list.", intent.Unsubscribe, "remove me"},
		{"Re: intro", "STOP EMAILING ME", intent.Unsubscribe, "STOP EMAILING"},
		{"Automatic reply: Re: intro", "Thank you for your message. I will reply on my return.", intent.OutOfOffice, "Automatic reply"},
		{"Re: intro", "The price is too high for a company our size.", intent.Objection, "too high"},
		{"Re: intro", "I am not interested in a call.", intent.Unsubscribe, "not interested"},
		{"Re: intro", "", intent.Other, ""},
	} {
		res := intent.Classify(intent.Email{Subject: tc.subject, Body: tc.body, Received: monday})
		if res.Intent != tc.want {
			t.Errorf("Classify(%q, %q) = %s (%v), want %s", tc.subject, tc.body, res.Intent, res.Evidence, tc.want)
			continue
		}
		if res.Confidence < 0 || res.Confidence > 1 {
			t.Errorf("Classify(%q).Confidence = %v, want 0..1", tc.body, res.Confidence)
		}
		if tc.evidence == "" {
			continue
		}
		found := false
		for _, e := range res.Evidence {
			found = found || e == tc.evidence
			if !strings.Contains(tc.subject+"\n"+tc.body, e) {
				t.Errorf("Classify(%q): evidence %q is not a phrase of the email", tc.body, e)
			}
		}
		if !found {
			t.Errorf("Classify(%q).Evidence = %q, want it to hold %q", tc.body, res.Evidence, tc.evidence)
		}
	}
}

// TestClassify_Backoff: a reply no rule speaks for gets naive Bayes's
// reading, always under LowConfidence, with words of the reply as
// evidence.
func TestClassify_Backoff(t *testing.T) {
	for _, tc := range []struct {
		body string
		want intent.Label
	}{
		{"What's your phone number? I can ring you in an hour.", intent.MeetingRequest},
		{"The invoices keep being wrong and the service is down again.", intent.ChurnRisk},
	} {
		res := intent.Classify(intent.Email{Subject: "Re: hello", Body: tc.body, Received: monday})
		if res.Intent != tc.want || res.Confidence >= intent.LowConfidence || len(res.Evidence) == 0 {
			t.Errorf("Classify(%q) = %s %.2f %q, want %s under LowConfidence with evidence", tc.body, res.Intent, res.Confidence, res.Evidence, tc.want)
		}
		for _, e := range res.Evidence {
			if !strings.Contains(tc.body, e) || len(e) < 3 {
				t.Errorf("Classify(%q): evidence %q is not a phrase of the reply", tc.body, e)
			}
		}
	}
}

func TestStripSignature(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"Closing", "Sounds good, Thursday works.\n\nBest,\nDana Whitfield\nVP Eng | Northwind\n+1 415 555 0100", "Sounds good, Thursday works."},
		{"DashDash", "Yes please.\n-- \nDana\nnorthwind.io", "Yes please."},
		{"Mobile", "On my way.\n\nSent from my iPhone", "On my way."},
		{"NameOnly", "Send the contract.\n\nDana", "Send the contract."},
		{"ContactBlock", "We'll sign this month.\n\nTom Grady\nVP Engineering, Fenwick\ntgrady@fenwick.co | 415-555-0199", "We'll sign this month."},
		{"KeepsShortReply", "Thanks!", "Thanks!"},
		{"KeepsLastSentence", "Can we meet Thursday.\n\nOr Friday.", "Can we meet Thursday.\n\nOr Friday."},
		{"German", "Passt gut.\n\nMit freundlichen Grüßen\nJonas Keller", "Passt gut."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := intent.StripSignature(tc.in); got != tc.want {
				t.Errorf("StripSignature(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestClassify_Hostile feeds input no email should have and wants an
// answer, no panic, in bounded time.
func TestClassify_Hostile(t *testing.T) {
	huge := strings.Repeat("Please send pricing for 40 engineers? ", 5<<20/38)
	binary := make([]byte, 1<<20)
	for i := range binary {
		binary[i] = byte(i*131 + i>>8)
	}
	lines := strings.Repeat("a\n", 100000)
	for _, tc := range []struct {
		name string
		e    intent.Email
	}{
		{"Empty", intent.Email{}},
		{"FiveMegabytes", intent.Email{Subject: "Re: x", Body: huge, Received: monday}},
		{"Binary", intent.Email{Subject: string(binary[:300]), Body: string(binary), From: string(binary[:50]), Received: monday}},
		{"HundredThousandLines", intent.Email{Body: lines, Received: monday}},
		{"HundredThousandQuotedLines", intent.Email{Body: strings.Repeat("> quoted?\n", 100000), Received: monday}},
		{"OnlyDigits", intent.Email{Body: strings.Repeat("1234567890 ", 200000), Received: monday}},
		{"OnlyPunctuation", intent.Email{Body: strings.Repeat("?!.,;$€@", 500000), Received: monday}},
		{"HugeSubject", intent.Email{Subject: strings.Repeat("Automatic reply ", 100000), Received: monday}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			res := intent.Classify(tc.e)
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("Classify took %v, want bounded time", d)
			}
			if res.Intent == "" || res.Confidence < 0 || res.Confidence > 1 || res.Evidence == nil {
				t.Errorf("Classify = %+v, want a label, a confidence in 0..1 and evidence", res)
			}
			if len(res.Entities.Questions) > 20 || len(res.Entities.Times) > 10 || len(res.Entities.Amounts) > 10 {
				t.Errorf("Classify entities unbounded: %d questions, %d times, %d amounts", len(res.Entities.Questions), len(res.Entities.Times), len(res.Entities.Amounts))
			}
		})
	}
}
