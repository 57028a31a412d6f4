package gmailtest

import (
	"sort"
	"time"
)

// DemoSeed fills the mailbox with the demo workspace's week, consistent with
// the Gmail lines of backend/demo/scenario.jsonl: the same people, thread
// ids, Message-IDs and times relative to now. The owner is Casey Morgan,
// casey@pebblecache.dev. Messages are added oldest first, so history ids follow
// time.
func (s *Server) DemoSeed(now time.Time) {
	const casey = "Casey Morgan <casey@pebblecache.dev>"
	at := func(d time.Duration) time.Time { return now.Add(-d) }
	h, d := time.Hour, 24*time.Hour
	sent := []string{"SENT"}
	msgs := []Message{
		// Ledgerly: security review, answered three weeks ago.
		{ThreadID: "thr-ledgerly-security", From: casey, To: []string{"Tom Ashby <tom.ashby@ledgerly.com>"}, Labels: sent,
			Subject: "Security review — SOC 2 report", MessageID: "<caseyos.ledgerly-soc2@pebblecache.dev>", Date: at(21 * d),
			Body: "Hi Tom,\n\nAttached is our SOC 2 Type II report and the pen-test summary.\n\nCasey"},
		{ThreadID: "thr-ledgerly-security", From: "Tom Ashby <tom.ashby@ledgerly.com>", To: []string{casey},
			Subject: "Re: Security review — SOC 2 report", MessageID: "<CAL4x9-security@ledgerly.com>", Date: at(20 * d),
			InReplyTo: "<caseyos.ledgerly-soc2@pebblecache.dev>", References: []string{"<caseyos.ledgerly-soc2@pebblecache.dev>"},
			Body: "Thanks, the SOC 2 report covers what our auditors asked for. I'll get legal to look at the DPA next."},
		// Brightpath: pilot proposal, waiting on their security team.
		{ThreadID: "thr-brightpath-pilot", From: casey, To: []string{"Maya Chen <maya.chen@brightpath.health>"}, Labels: sent,
			Subject: "Pilot proposal", MessageID: "<caseyos.brightpath-pilot@pebblecache.dev>", Date: at(19 * d),
			Body: "Hi Maya,\n\nAs promised, the pilot proposal: 60 days, two platform teams, success criteria on page 2.\n\nCasey"},
		{ThreadID: "thr-brightpath-pilot", From: "Maya Chen <maya.chen@brightpath.health>", To: []string{casey},
			Subject: "Re: Pilot proposal", MessageID: "<b7f2-pilot@brightpath.health>", Date: at(18 * d),
			InReplyTo: "<caseyos.brightpath-pilot@pebblecache.dev>", References: []string{"<caseyos.brightpath-pilot@pebblecache.dev>"},
			Body: "Looping in our security team — I'll come back to you once they've had a look."},
		// Internal: last week's pipeline notes from Alex.
		{ThreadID: "thr-internal-pipeline", From: "Alex Rivera <alex@pebblecache.dev>", To: []string{casey},
			Subject: "Pipeline review notes", MessageID: "<alex-notes-1@pebblecache.dev>", Date: at(7*d - 2*h),
			Body: "Notes from today: Northwind is the one to push, Quarry wants a follow-up demo, Verdant went quiet."},
		// Cobalt proposal; Oliver's auto-reply comes back an hour later.
		{ThreadID: "thr-cobalt-proposal", From: casey, To: []string{"Oliver Grant <oliver@cobaltcloud.io>"}, Cc: []string{"Emma Clarke <emma.clarke@cobaltcloud.io>"},
			Labels: sent, Subject: "Cobalt Cloud proposal", MessageID: "<caseyos.cobalt-proposal@pebblecache.dev>", Date: at(6 * h),
			Body: "Hi Oliver,\n\nHere is the proposal we discussed for Cobalt Cloud: 25 seats, annual, with the architecture review included.\n\nCasey"},
		{ThreadID: "thr-cobalt-proposal", From: "Oliver Grant <oliver@cobaltcloud.io>", To: []string{casey},
			Subject: "Automatic reply: Cobalt Cloud proposal", MessageID: "<ooo-4471@cobaltcloud.io>", Date: at(5 * h),
			InReplyTo: "<caseyos.cobalt-proposal@pebblecache.dev>", References: []string{"<caseyos.cobalt-proposal@pebblecache.dev>"},
			Headers: map[string]string{"Auto-Submitted": "auto-replied", "X-Autoreply": "yes"},
			Body:    "I'm away at KubeCon with limited access to email. For anything urgent, please contact Emma Clarke. I'm back on " + now.Add(4*d).Format("Monday, 2 January") + "."},
		// A newsletter: not a signal.
		{From: "SaaStr Weekly <newsletter@saastr.com>", To: []string{"casey@pebblecache.dev"}, Subject: "The 5 metrics every seed-stage founder should track",
			MessageID: "<nl-20931@saastr.com>", Date: at(3 * d), Headers: map[string]string{"List-Unsubscribe": "<https://saastr.com/u>", "Precedence": "bulk"},
			Body: "This week: net revenue retention, burn multiple and why your pipeline coverage is lying to you."},
		// Verdant: the cold email bounces.
		{ThreadID: "thr-verdant-intro", From: casey, To: []string{"Mark Ellis <mark.ellis@verdantschools.org>"}, Labels: sent,
			Subject: "Quick question about Verdant's Chromebook rollout", MessageID: "<caseyos.verdant-intro@pebblecache.dev>", Date: at(d + h),
			Body: "Hi Mark,\n\nI saw Verdant is rolling out Chromebooks district-wide — would a 20-minute call next week help?\n\nCasey"},
		{ThreadID: "thr-verdant-intro", From: "Mail Delivery Subsystem <mailer-daemon@googlemail.com>", To: []string{"casey@pebblecache.dev"},
			Subject: "Delivery Status Notification (Failure)", MessageID: "<bounce-55101@mx.google.com>", Date: at(d),
			InReplyTo: "<caseyos.verdant-intro@pebblecache.dev>", References: []string{"<caseyos.verdant-intro@pebblecache.dev>"},
			Headers: map[string]string{"X-Failed-Recipients": "mark.ellis@verdantschools.org", "Auto-Submitted": "auto-replied"},
			Body:    "Address not found\n\nYour message wasn't delivered to mark.ellis@verdantschools.org because the address couldn't be found, or is unable to receive mail.\n\nThe response from the remote server was:\n550 5.1.1 The email account that you tried to reach does not exist."},
	}
	// Northwind: Dana's evaluation thread, the hottest of the week.
	nw := "Pricing and security questions for 40 engineers"
	dana := "Dana Whitfield <dana@northwind.io>"
	msgs = append(msgs,
		Message{ThreadID: "thr-northwind-eval", From: dana, To: []string{casey}, Subject: nw, MessageID: "<CAN0rth-1@northwind.io>", Date: at(2 * d),
			Body: "Hi Casey,\n\nWe're comparing you with Stackwise. Could you send pricing for ~40 engineers and your security questionnaire?\n\nDana"},
		Message{ThreadID: "thr-northwind-eval", From: casey, To: []string{dana}, Labels: sent, Subject: "Re: " + nw,
			MessageID: "<caseyos.nw-1@pebblecache.dev>", Date: at(2*d - 3*h),
			InReplyTo: "<CAN0rth-1@northwind.io>", References: []string{"<CAN0rth-1@northwind.io>"},
			Body: "Hi Dana,\n\nPricing for 40 engineers attached; the questionnaire is in our trust portal.\n\nCasey"},
		Message{ThreadID: "thr-northwind-eval", From: dana, To: []string{casey}, Subject: "Re: " + nw, MessageID: "<CAN0rth-2@northwind.io>", Date: at(d + 2*h),
			InReplyTo: "<caseyos.nw-1@pebblecache.dev>", References: []string{"<CAN0rth-1@northwind.io>", "<caseyos.nw-1@pebblecache.dev>"},
			Body: "Thanks — pricing works. Our security lead will fill in the questionnaire this week."},
		Message{ThreadID: "thr-northwind-eval", From: casey, To: []string{dana}, Labels: sent, Subject: "Re: " + nw,
			MessageID: "<caseyos.nw-2@pebblecache.dev>", Date: at(d),
			InReplyTo: "<CAN0rth-2@northwind.io>", References: []string{"<CAN0rth-1@northwind.io>", "<caseyos.nw-1@pebblecache.dev>", "<CAN0rth-2@northwind.io>"},
			Body: "Great. Shall we show the cache numbers to your platform team live?\n\nCasey"},
		Message{ThreadID: "thr-northwind-eval", From: dana, To: []string{casey}, Subject: "Re: " + nw, MessageID: "<CAN0rth-3@northwind.io>", Date: at(3 * h),
			InReplyTo: "<caseyos.nw-2@pebblecache.dev>", References: []string{"<CAN0rth-1@northwind.io>", "<caseyos.nw-1@pebblecache.dev>", "<CAN0rth-2@northwind.io>", "<caseyos.nw-2@pebblecache.dev>"},
			Body: "Hi Casey,\n\nBefore we take this to our platform team, two questions:\n\n" +
				"1. What would pricing look like for 40 engineers on an annual plan?\n" +
				"2. Do you have a SOC 2 Type II report and a security questionnaire we can share with our security lead?\n\n" +
				"If the numbers hold up we're ready to sign this month. Could we talk Thursday afternoon?\n\n" +
				"Dana Whitfield\nVP Engineering, Northwind Analytics\n+1 (617) 555-0142\n\n" +
				"On " + at(d).Format("Mon, Jan 2, 2006") + " Casey Morgan <casey@pebblecache.dev> wrote:\n> Great. Shall we show the cache numbers to your platform team live?\n> Casey"},
	)
	// Helix Bank, a customer, thinking of leaving; Finch asking for a call.
	msgs = append(msgs,
		Message{ThreadID: "thr-helix-renewal", From: "Rachel Kim <rachel.kim@helixbank.com>", To: []string{casey}, Subject: "Renewal",
			MessageID: "<hx-renewal-1@helixbank.com>", Date: at(6 * h),
			Body: "Hi Casey,\n\nAhead of the quarterly review: we are thinking of cancelling at renewal. Cache hit rates dropped after our Bazel 8 upgrade and the team has stopped trusting the numbers.\n\nRachel Kim\nDirector of Developer Experience, Helix Bank"},
		Message{ThreadID: "thr-finch-deepdive", From: "Priya Raman <priya@finchpay.com>", To: []string{casey, "Wei Zhang <wei.zhang@finchpay.com>"},
			Subject: "Re: Technical deep dive follow-up", MessageID: "<fp-deepdive-2@finchpay.com>", Date: at(8 * h),
			Body: "Hi Casey,\n\nThanks for the deep dive. Could we set up a call next week with Wei to go through the rollout plan? Tuesday or Wednesday morning works best for us.\n\nPriya\n--\nPriya Raman | Head of Engineering | Finch Payments"},
	)
	sort.SliceStable(msgs, func(i, j int) bool { return msgs[i].Date.Before(msgs[j].Date) })
	for _, m := range msgs {
		s.Deliver(m)
	}
}
