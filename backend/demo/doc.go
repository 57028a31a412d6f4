// Package demo holds the demo workspace: a realistic week in the life of
// Casey Morgan, founder of Pebblecache (pebblecache.dev), a developer-tools
// startup selling a remote build cache, as seen through Gmail, HubSpot,
// Google Calendar, X and the website's forms. The sample company has its
// own name so that CaseyOS, the app, is never mistaken for the product the
// founder sells. With no account connected the app ingests these signals,
// so Today's Moves shows what CaseyOS does before anyone trusts it with
// credentials.
//
// Signals(now) replays the scenario relative to now: every time in the file
// is an offset ("-3h", "+20h", "-6d2h"), so the demo always reads as "this
// week". Each signal's DedupeKey is "demo:<id>", so loading the demo twice
// stores nothing new. Label is how the UI names such a workspace.
//
// # The story
//
// Ten accounts, from a $120k fintech enterprise deal to an exploratory retail
// deal with no amount yet; some fit the default ICP (SaaS and fintech, 50–1000
// employees, core markets, target accounts) and some do not. The emails carry
// real bodies (signatures, quoted history apart), and CaseyOS reads them
// (package intent). After one ingest and one Refresh the queue holds about
// eighteen pending moves across sales, marketing and customer success:
//
//   - Northwind Analytics walks the pipeline (appointmentscheduled →
//     qualifiedtobuy → presentationscheduled, demo tomorrow) while Dana's
//     email thread grows from one message to three: one reply move, updated,
//     not three. Her last email asks about pricing and security for 40
//     engineers, says they are ready to sign this month and asks "Could we
//     talk Thursday afternoon?": the reply, a call to book inside Thursday
//     afternoon (schedule_meeting) and the deal to Contract sent
//     (update_deal).
//   - Helix Bank, a customer, writes that they are thinking of cancelling:
//     a customer-success save due within hours, at the top of the day.
//   - Priya at Finch asks for a call next week after the deep dive: a
//     schedule_meeting move for her and Wei.
//   - Ledgerly closes won (customer-success handoff); Quarry Labs closes lost
//     (nurture email).
//   - Brightpath and Orbital have been quiet for 18 and 24 days, so Refresh
//     derives deal.stalled signals: a nudge email to Maya, and a task for
//     Orbital, which has no contact on the deal.
//   - Acme asks a pricing question, then requests a demo: one follow-up,
//     updated by the second form.
//   - A customer QBR with Helix Bank tomorrow, a follow-up after yesterday's
//     Finch deep dive, a duplicate contact for Priya at Finch, a bounce at
//     Verdant Schools, Oliver at Cobalt out of office until Monday, a happy
//     user on X, and the competitor Stackwise (the demo's Settings watch
//     it) named in Dana's first email and in two posts the watch list
//     found: one battle card holding the quotes.
//
// Some signals are history whose moment has passed, and must not surface:
// meetings that already started (Cobalt, Finch, the Northwind intro), calls
// and demos that ended more than a week ago, replies older than two weeks, a
// mention older than the two-day engagement window, a newsletter signup from
// last month. An internal meeting (External false) produces nothing at all.
//
// # File format
//
// scenario.jsonl is in the signal format every import uses (docs/signals.md,
// package signaljson), one signal per line, with one difference: every time
// is an offset from the moment the demo is loaded ("-3h", "+20h", "-6d2h").
// Lines starting with # are comments. A line that does not decode or
// validate, a repeated dedupe key or one without the "demo:" prefix is an
// error naming the line.
package demo
