package backend

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/caseyos/caseyos/backend/intent"
)

// How soon the moves an email's intent calls for are due.
const (
	churnWindow   = 4 * time.Hour // a customer thinking of leaving hears back the same day
	notNowDefault = 90 * day      // "not now" without a date: a quarter
	dealMoveDue   = day           // a stage the conversation reached is recorded within a day
	maxQuotes     = 8             // quotes a battle card keeps, newest first
)

// Fields of a schedule_meeting draft.
const (
	// FieldProposed holds the windows the other side proposed, as RFC 3339
	// "start/end" ranges separated by spaces; Plan picks slots inside them.
	FieldProposed = "proposed"
	// FieldProposedText is how they put it ("Thursday afternoon").
	FieldProposedText = "proposed_text"
)

// inbound recommends the moves an inbound email calls for, from what it
// says: its intent, read offline by package intent.
func (r *recommender) inbound(isReply bool) []Proposal {
	if r.read == nil { // ingest may have read it already (readEmail)
		res := r.classify()
		r.read = &res
	}
	res := *r.read
	var p []Proposal
	if res.Confidence < intent.LowConfidence {
		// A guess is no ground for the do-not-contact list or a save: a
		// reply, saying what was read. Words as plain as "could we talk
		// Thursday?" or "send the contract" still propose the call and
		// move the deal.
		p = r.replyToEmail(isReply, r.readWhy(res))
		p = append(p, r.proposedCall(res)...)
		p = append(p, r.dealMove(res)...)
		return append(p, r.emailCompetitor()...)
	}
	switch res.Intent {
	case intent.MeetingRequest:
		if meetWords.MatchString(r.text()) {
			p = r.scheduleMeeting(res)
		}
		if len(p) == 0 {
			// A time without a word of meeting ("can we start Monday?")
			// or no one to invite: answered, not booked.
			p = r.replyToEmail(isReply, r.readWhy(res))
		}
		p = append(p, r.dealMove(res)...)
	case intent.PricingQuestion, intent.Interested:
		p = r.replyToEmail(isReply, r.readWhy(res))
		p = append(p, r.proposedCall(res)...)
		p = append(p, r.dealMove(res)...)
	case intent.ChurnRisk:
		p = r.replyToEmail(isReply, r.readWhy(res))
		if r.customerDomain(DomainSales) == DomainCS {
			r.atRisk(&p[0], res)
		}
	case intent.Unsubscribe:
		return r.unsubscribe(res)
	case intent.NotNow:
		p = r.notNow(res)
	case intent.Referral:
		p = r.referral(isReply, res)
	case intent.OutOfOffice:
		p = r.outOfOffice(res)
	default: // objection, other
		p = r.replyToEmail(isReply, r.readWhy(res))
		p = append(p, r.dealMove(res)...)
	}
	return append(p, r.emailCompetitor()...)
}

// text is what the sender wrote: the body, or the snippet when the source
// did not fetch it.
func (r *recommender) text() string { return emailText(r.sig.Email) }

func emailText(e *EmailMessage) string {
	if strings.TrimSpace(e.Body) != "" {
		return e.Body
	}
	return e.Snippet
}

func (r *recommender) classify() intent.Result { return classifyEmail(r.sig, r.contact) }

// classifyEmail reads an inbound email as the recommender does: its text
// in the sender's time zone (contact's, when known). Outcome detection
// takes the same read.
func classifyEmail(sig *Signal, contact *Contact) intent.Result {
	e := sig.Email
	return intent.Classify(intent.Email{Subject: e.Subject, Body: emailText(e), From: e.From, Received: e.ReceivedAtOr(sig.OccurredAt), Zone: contactZone(contact)})
}

// theirZone is the contact's time zone, nil when unknown.
func (r *recommender) theirZone() *time.Location { return contactZone(r.contact) }

func contactZone(c *Contact) *time.Location {
	if c != nil {
		return loadZone(c.Timezone)
	}
	return nil
}

// replyInput is what the composer writes a draft from (no free slots:
// Recommend reads no calendar, so the draft asks for a time or takes
// theirs; the schedule_meeting move books it).
func (r *recommender) replyInput() ReplyInput {
	return ReplyInput{Intent: *r.read, Email: r.sig.Email, Contact: r.contact, Company: r.company, Deal: r.deal,
		Settings: r.st, Zone: r.theirZone(), Owner: r.zone}
}

// composeReply is the answering draft of the email (ComposeReply).
func (r *recommender) composeReply() Draft {
	return ComposeReply(r.replyInput()).Draft
}

// intentWords says each intent for a person.
var intentWords = map[intent.Label]string{
	intent.MeetingRequest: "asks to meet", intent.PricingQuestion: "asks about pricing", intent.Interested: "is interested",
	intent.Objection: "raises an objection", intent.NotNow: "says not now", intent.Unsubscribe: "asks to stop hearing from us",
	intent.OutOfOffice: "is out of office", intent.ChurnRisk: "may cancel", intent.Referral: "points us to someone else",
	intent.Other: "wrote",
}

// readWhy is the sentence saying what was read and the words that decided
// it; a low-confidence reading says so.
func (r *recommender) readWhy(res intent.Result) string {
	words := nonEmpty(intentWords[res.Intent], string(res.Intent))
	s := "Reads as: " + words
	if res.Confidence < intent.LowConfidence {
		s = "Unsure what they want (a guess: " + words + ")"
	}
	if q := questionTopics(res); q != "" && (res.Intent == intent.PricingQuestion || res.Intent == intent.Interested || res.Intent == intent.Objection) {
		s += " — asks about " + q
	}
	if len(res.Evidence) > 0 {
		s += ": " + quoteList(res.Evidence, 3)
	} else if t := strings.TrimSpace(r.text()); t != "" {
		s += ": “" + truncate(t, 100) + "”"
	}
	return s
}

func questionTopics(res intent.Result) string {
	var topics []string
	seen := map[string]bool{}
	for _, q := range res.Entities.Questions {
		if t := q.Topic; t != "" && t != intent.TopicOther && !seen[t] {
			seen[t] = true
			topics = append(topics, t)
		}
	}
	if res.Entities.Seats > 0 {
		topics = append(topics, fmt.Sprintf("%d seats", res.Entities.Seats))
	}
	return strings.Join(topics, ", ")
}

func quoteList(ev []string, n int) string {
	var out []string
	for _, e := range ev {
		if len(out) == n {
			break
		}
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, "“"+truncate(e, 80)+"”")
		}
	}
	return strings.Join(out, ", ")
}

// thread is who is on the email's thread besides the owner: the sender
// first, then the other recipients.
func (r *recommender) thread() []string {
	e := r.sig.Email
	var out []string
	seen := map[string]bool{}
	for _, a := range append([]string{e.From}, e.To...) {
		a = normalizeEmail(a)
		if a == "" || seen[a] || r.st.OwnerEmail != "" && equalFold(a, r.st.OwnerEmail) || !ValidEmail(a) {
			continue
		}
		seen[a] = true
		out = append(out, a)
	}
	return out
}

// scheduleMeeting proposes booking the call they asked for: the thread's
// people, the deal, and the windows they proposed for Plan to pick slots
// in.
func (r *recommender) scheduleMeeting(res intent.Result) []Proposal {
	e := r.sig.Email
	to := r.thread()
	if len(to) == 0 {
		return nil
	}
	received := e.ReceivedAtOr(r.sig.OccurredAt)
	var windows, texts []string
	last := time.Time{}
	for _, w := range res.Entities.Times {
		end := w.End
		if !end.After(w.Start) {
			end = w.Start.Add(defaultMeeting)
		}
		if !end.After(r.now) {
			continue // a window already past proposes nothing
		}
		windows = append(windows, w.Start.Format(time.RFC3339)+"/"+end.Format(time.RFC3339))
		if w.Text != "" {
			texts = append(texts, w.Text)
		}
		if end.After(last) {
			last = end
		}
	}
	why := []string{fmt.Sprintf("%s asked to meet in “%s” %s", r.who(), e.Subject, r.ago(received))}
	if len(res.Entities.Times) > 0 {
		var said []string
		for _, w := range res.Entities.Times {
			said = append(said, w.Text)
		}
		why = append(why, "They proposed "+quoteList(said, 3))
	} else if len(res.Evidence) > 0 {
		why = append(why, "“"+truncate(res.Evidence[0], 100)+"”")
	}
	fields := map[string]string{}
	if len(windows) > 0 {
		fields[FieldProposed] = strings.Join(windows, " ")
		fields[FieldProposedText] = strings.Join(texts, ", ")
	}
	expires := received.Add(14 * day)
	if last.After(expires) {
		expires = last
	}
	return []Proposal{{
		Kind:      KindScheduleMeeting,
		Domain:    r.customerDomain(DomainSales),
		Title:     fmt.Sprintf("Book the call %s asked for (%s)", r.who(), r.companyName()),
		Why:       why,
		Subject:   Subject{SubjectThread, e.ThreadID},
		DueAt:     received.Add(r.st.ReplyWindow),
		DueLabel:  "reply window closes",
		ExpiresAt: expires,
		Draft: Draft{
			To: to, Subject: fmt.Sprintf("%s × %s", r.companyName(), nonEmpty(r.st.OwnerName, "us")),
			Duration: defaultMeeting, Fields: fields,
		},
	}}
}

// proposedCall is the call they proposed besides what else they wrote:
// "Could we talk Thursday afternoon?". A date alone ("we'll fill it in
// this week") proposes no call.
func (r *recommender) proposedCall(res intent.Result) []Proposal {
	if len(res.Entities.Times) == 0 || !meetWords.MatchString(r.text()) {
		return nil
	}
	return r.scheduleMeeting(res)
}

// ProposedWindows reads a schedule_meeting draft's FieldProposed; windows
// that do not parse are left out.
func ProposedWindows(d Draft) []PlanSlot {
	var out []PlanSlot
	for _, w := range strings.Fields(d.Fields[FieldProposed]) {
		a, b, ok := strings.Cut(w, "/")
		if !ok {
			continue
		}
		s, err1 := time.Parse(time.RFC3339, a)
		e, err2 := time.Parse(time.RFC3339, b)
		if err1 == nil && err2 == nil && e.After(s) {
			out = append(out, PlanSlot{Start: s, End: e})
		}
	}
	return out
}

// Phrases that say where a deal stands now.
var (
	contractWords = regexp.MustCompile(`(?i)\b(signed|ready to sign|happy to sign|sign (it |this |the contract |the order form )?(this|by the end of the|before the end of the|next) (week|month|quarter)|send (over |us |me )?(the |a )?(contract|order form|paperwork|msa)|contract over)\b`)
	meetWords     = regexp.MustCompile(`(?i)\b(call|talk|speak|meet|meeting|chat|catch up|demo|zoom|teams|hop on|walk ?through|schedule|sync|session|coffee|slot)\b`)
	demoWords     = regexp.MustCompile(`(?i)\b((book|schedule|set up|do|see|run|have) (a |the |that |your )?(live )?demo|demo (on|tomorrow|next|this)|demo is booked)\b`)
)

// dealMove proposes moving the deal when the email says it moved: a demo
// booked → the first demo stage; signed or "send the contract" → the
// first contract stage. Never backwards, never to the stage it is in.
func (r *recommender) dealMove(res intent.Result) []Proposal {
	d := r.deal
	if d == nil || d.ID == "" {
		return nil
	}
	text := r.text()
	var target, phrase, label string
	if m := contractWords.FindString(text); m != "" && len(r.st.ContractStages) > 0 {
		target, phrase, label = firstKnownStage(r.st.ContractStages), m, "contract"
	} else if m := demoWords.FindString(text); m != "" && len(r.st.DemoStages) > 0 {
		target, phrase, label = firstKnownStage(r.st.DemoStages), m, "demo"
	}
	if target == "" || !stageForward(r.st, d.Stage, target) {
		return nil
	}
	e := r.sig.Email
	received := e.ReceivedAtOr(r.sig.OccurredAt)
	return []Proposal{{
		Kind:   KindUpdateDeal,
		Domain: DomainSales,
		Title:  fmt.Sprintf("Move %s to %s", nonEmpty(d.Name, r.companyName()), StageLabel(target)),
		Why: []string{
			fmt.Sprintf("%s wrote “%s” %s", r.who(), truncate(sentenceAround(text, strings.Index(text, phrase)), 120), r.ago(received)),
			fmt.Sprintf("The %s is the next step: %s → %s", label, StageLabel(d.Stage), StageLabel(target)),
		},
		Subject:   Subject{SubjectDeal, d.ID},
		DueAt:     received.Add(dealMoveDue),
		DueLabel:  "deal stage update due",
		ExpiresAt: received.Add(stageHorizon),
		DealID:    d.ID,
		Draft:     Draft{DealStage: target},
	}}
}

// firstKnownStage is the first of stages that HubSpot's default pipeline
// has, else the first.
func firstKnownStage(stages []string) string {
	for _, s := range stages {
		if _, ok := stageOrder[strings.ToLower(s)]; ok {
			return s
		}
	}
	return stages[0]
}

// stageOrder ranks HubSpot's default pipeline.
var stageOrder = map[string]int{
	"appointmentscheduled": 1, "qualifiedtobuy": 2, "presentationscheduled": 3,
	"decisionmakerboughtin": 4, "contractsent": 5, "closedwon": 6, "closedlost": 6,
}

// stageForward reports whether moving a deal from stage from to stage to
// is a step ahead: not the same stage, not out of a closed one, not back
// to a demo once the contract is out, and, within the default pipeline,
// later.
func stageForward(st *Settings, from, to string) bool {
	switch {
	case equalFold(from, to), containsFold(st.WonStages, from), containsFold(st.LostStages, from),
		containsFold(st.ContractStages, from) && !containsFold(st.ContractStages, to),
		containsFold(st.ContractStages, from) && containsFold(st.ContractStages, to),
		containsFold(st.DemoStages, from) && containsFold(st.DemoStages, to):
		return false
	}
	a, okA := stageOrder[strings.ToLower(from)]
	b, okB := stageOrder[strings.ToLower(to)]
	if okA && okB {
		return b > a
	}
	return true
}

// atRisk turns a customer's reply into the save: customer success, due
// within hours, the risk in their words first.
func (r *recommender) atRisk(p *Proposal, res intent.Result) {
	e := r.sig.Email
	received := e.ReceivedAtOr(r.sig.OccurredAt)
	risk := truncate(r.text(), 100)
	if len(res.Evidence) > 0 {
		risk = res.Evidence[0]
	}
	p.Domain = DomainCS
	p.Title = fmt.Sprintf("Save %s: %s may cancel", r.companyName(), r.who())
	p.Why = append([]string{fmt.Sprintf("Churn risk: %s wrote “%s” %s", r.who(), truncate(risk, 100), r.ago(received))}, p.Why...)
	p.DueAt = received.Add(churnWindow)
	p.DueLabel = "churn risk: answer today"
}

// unsubscribe puts the sender on the do-not-contact list and ends the
// open reply on the thread: nothing is sent to them again.
func (r *recommender) unsubscribe(res intent.Result) []Proposal {
	e := r.sig.Email
	return []Proposal{{
		Kind: KindSendEmail, Subject: Subject{SubjectThread, e.ThreadID}, Domain: r.customerDomain(DomainSales),
		Title: fmt.Sprintf("%s unsubscribed", r.who()), Ends: true,
		Why:          []string{fmt.Sprintf("%s asked to stop hearing from us: %s", r.who(), nonEmpty(quoteList(res.Evidence, 2), "“"+truncate(r.text(), 80)+"”"))},
		DoNotContact: e.From,
	}}
}

// notNow replaces the reply with a follow-up, snoozed until the date they
// named (a quarter when they named none).
func (r *recommender) notNow(res intent.Result) []Proposal {
	e := r.sig.Email
	received := e.ReceivedAtOr(r.sig.OccurredAt)
	until := res.Entities.Until
	named := !until.IsZero() && until.After(received)
	if !named {
		until = received.Add(notNowDefault)
	}
	until = DueFrom(until, r.now, r.zone)
	when := "in three months (they named no date)"
	if named {
		when = "on " + DayToken(until) + ", when they said"
	}
	return []Proposal{{
		Kind:         KindSendEmail,
		Domain:       r.customerDomain(DomainSales),
		Title:        fmt.Sprintf("Follow up with %s: they said not now", r.who()),
		Why:          []string{fmt.Sprintf("%s said not now %s: %s", r.who(), r.ago(received), nonEmpty(quoteList(res.Evidence, 2), "“"+truncate(r.text(), 80)+"”")), "Back " + when},
		Subject:      Subject{SubjectThread, e.ThreadID},
		DueAt:        until.Add(r.st.ReplyWindow),
		DueLabel:     "follow-up due",
		ExpiresAt:    until.Add(taskHorizon),
		SnoozedUntil: until,
		Draft: Draft{
			To: []string{e.From}, Subject: reSubject(e.Subject), ThreadID: e.ThreadID, InReplyTo: e.MessageID,
			Body: fmt.Sprintf("Hi %s,\n\nYou mentioned this would be a better time to pick our conversation up again. Is it still on your list?%s", r.firstName(), r.signature()),
		},
	}}
}

// referral records the person they pointed to and proposes the intro,
// the referrer in copy.
func (r *recommender) referral(isReply bool, res intent.Result) []Proposal {
	ref := res.Entities.Referral
	e := r.sig.Email
	if ref == nil || !ValidEmail(normalizeEmail(ref.Email)) || equalFold(ref.Email, e.From) {
		// No address to write to: ask the referrer for it.
		return r.replyToEmail(isReply, r.readWhy(res)+" — no address given")
	}
	addr := normalizeEmail(ref.Email)
	c := &Contact{ID: addr, Email: addr, Name: ref.Name, Lifecycle: "lead"}
	if r.company != nil && sameDomain(addr, e.From) {
		c.CompanyID = r.company.ID
	}
	if r.contact != nil && r.contact.Timezone != "" && c.CompanyID != "" {
		c.Timezone = r.contact.Timezone
	}
	name := nonEmpty(ref.Name, addr)
	in := r.replyInput()
	in.Intent.Entities.Referral = &intent.Person{Name: ref.Name, Email: addr}
	intro := ComposeIntro(in)
	intro.To, intro.Cc = []string{addr}, []string{normalizeEmail(e.From)}
	received := e.ReceivedAtOr(r.sig.OccurredAt)
	return []Proposal{{
		Kind:       KindSendEmail,
		Domain:     r.customerDomain(DomainSales),
		Title:      fmt.Sprintf("Introduce yourself to %s (referred by %s)", name, r.who()),
		Why:        []string{fmt.Sprintf("%s pointed us to %s %s", r.who(), name, r.ago(received)), r.readWhy(res)},
		Subject:    Subject{SubjectContact, addr},
		DueAt:      received.Add(r.st.ReplyWindow),
		DueLabel:   "intro while the referral is fresh",
		ExpiresAt:  received.Add(14 * day),
		ContactID:  addr,
		CompanyID:  c.CompanyID,
		NewContact: c,
		Draft:      intro,
	}}
}

func sameDomain(a, b string) bool {
	i, j := strings.LastIndexByte(a, '@'), strings.LastIndexByte(b, '@')
	return i > 0 && j > 0 && equalFold(a[i:], b[j:])
}

// outOfOffice is the auto-reply path for mail that came in as an
// ordinary email: the follow-up when they are back.
func (r *recommender) outOfOffice(res intent.Result) []Proposal {
	if !res.Entities.Until.IsZero() {
		if r.sig.Payload == nil || r.sig.Payload["returns_at"] == "" {
			// Recommend must not change the signal: a copy carries the date.
			s := *r.sig
			s.Payload = map[string]string{"returns_at": res.Entities.Until.Format(time.RFC3339)}
			for k, v := range r.sig.Payload {
				s.Payload[k] = v
			}
			rr := *r
			rr.sig = &s
			return rr.afterOutOfOffice()
		}
	}
	return r.afterOutOfOffice()
}

// emailCompetitor is the battle-card move when the email names a
// competitor from Settings.
func (r *recommender) emailCompetitor() []Proposal {
	name, quote := MentionsCompetitor(r.text(), r.st.Competitors)
	if name == "" {
		return nil
	}
	e := r.sig.Email
	return []Proposal{r.battleCard(name, quote, r.who()+" (email)", fmt.Sprintf("%s named %s %s: “%s”", r.who(), name, r.ago(e.ReceivedAtOr(r.sig.OccurredAt)), truncate(quote, 100)), "", "")}
}

// postCompetitor is the battle card when a post about us names a
// competitor from Settings.
func (r *recommender) postCompetitor() []Proposal {
	p := r.sig.Post
	name, quote := MentionsCompetitor(p.Text, r.st.Competitors)
	if name == "" {
		return nil
	}
	why := fmt.Sprintf("@%s posted about %s %s: “%s”", p.Author, name, r.ago(r.sig.OccurredAt), truncate(p.Text, 100))
	return []Proposal{r.battleCard(name, quote, "@"+p.Author, why, p.URL, p.Author)}
}

// battleCard is the create_task move that keeps what people say about a
// competitor; its body is the quotes, newest first (Proposal.Quotes).
func (r *recommender) battleCard(competitor, quote, by, why, url, author string) Proposal {
	line := fmt.Sprintf("- “%s” — %s, %s", truncate(quote, maxQuote), by, DayStamp(r.sig.OccurredAt, r.sig.OccurredAt, r.zone))
	if url != "" {
		line += " " + url
	}
	fields := map[string]string{}
	if url != "" {
		fields["source_url"] = url
	}
	title := fmt.Sprintf("Battle card: %s — add what was said", competitor)
	if author != "" {
		title = fmt.Sprintf("Battle card: %s — add what @%s said", competitor, author)
	}
	return Proposal{
		Kind:      KindCreateTask,
		Domain:    DomainMarketing,
		Title:     fmt.Sprintf("Update the %s battle card", competitor),
		Why:       []string{why},
		Subject:   Subject{SubjectTopic, "battlecard:" + strings.ToLower(competitor)},
		DueAt:     r.sig.OccurredAt.Add(r.st.StageSLA),
		DueLabel:  "battle card refresh due",
		ExpiresAt: r.sig.OccurredAt.Add(taskHorizon),
		Quotes:    true,
		Unlinked:  true,
		Draft: Draft{
			TaskTitle: title,
			Body:      fmt.Sprintf("What people say about %s:\n%s", competitor, line),
			Fields:    fields,
		},
	}
}

// MergeQuotes adds the quote lines of newer to those of older (a battle
// card's body: a header line, then one "- " line per quote), newest
// first, each once, at most maxQuotes.
func MergeQuotes(newer, older string) string {
	head, nl := splitQuotes(newer)
	_, ol := splitQuotes(older)
	seen := map[string]bool{}
	var lines []string
	for _, l := range append(nl, ol...) {
		if !seen[l] && len(lines) < maxQuotes {
			seen[l] = true
			lines = append(lines, l)
		}
	}
	return strings.Join(append([]string{head}, lines...), "\n")
}

func splitQuotes(body string) (head string, quotes []string) {
	for i, l := range strings.Split(body, "\n") {
		switch {
		case i == 0 && !strings.HasPrefix(l, "- "):
			head = l
		case strings.HasPrefix(l, "- "):
			quotes = append(quotes, l)
		}
	}
	return head, quotes
}

// zones caches loaded time zones: Recommend runs on every signal and
// loading a zone reads the zoneinfo database.
var zones sync.Map // name → *time.Location (nil: unknown)

// loadZone returns the named zone, or nil when the name is empty or
// unknown.
func loadZone(name string) *time.Location {
	if name == "" {
		return nil
	}
	if l, ok := zones.Load(name); ok {
		return l.(*time.Location)
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		l = nil
	}
	zones.Store(name, l)
	return l
}
