package backend

import (
	"fmt"
	"math"
	"strings"
	"time"
	"unicode"

	"github.com/caseyos/caseyos/backend/intent"
)

// The offline composer: a reply draft that answers what an email asked.
//
//	r := ComposeReply(ReplyInput{Intent: intent.Classify(…), Email: sig.Email,
//		Contact: c, Company: co, Deal: d, Settings: st, Slots: slots,
//		Zone: theirZone, Owner: ownerZone})
//	// r.Draft is ready to send unless r.Unanswered is not empty: each of
//	// those questions stands in the body as AnswerHole(q.Text), which the
//	// preview and execute refuse (HoleUnanswered) until the founder
//	// writes the answer.
//
// A draft greets the sender by first name, says one short thing for the
// intent, answers each question asked in its own paragraph — from the
// price list (the tier that fits the seats they named, with the total)
// and the facts list (by keyword, then by topic) and from nothing else —
// proposes the slots given (in the recipient's zone, the owner's beside
// them when it differs) or acknowledges the time they proposed, gives a
// next step, and signs as Settings.OwnerName (no signature line at all
// when it is unset). It never holds template text other than the
// unanswered-question holes, it is deterministic, and its size is bounded
// whatever the email holds.
//
// ReplyInput is also what connectors/llm sends to a language model, and
// Reply.Facts and Reply.Tier are what its answer may quote.

// Limits on a composed draft.
const (
	// MaxReplyQuestions is how many questions a draft answers one by one;
	// the rest are named in one hole.
	MaxReplyQuestions = 12
	// MaxReplySlots is how many slots a draft proposes.
	MaxReplySlots = 5
)

// ReplyInput is everything an answering draft is made from.
type ReplyInput struct {
	// Intent is the classifier's reading of the email being answered:
	// the intent, and the questions, times, seats and dates it found.
	Intent intent.Result
	// Email is the email being answered: its thread, Message-ID, sender
	// and subject make the draft a reply in the same thread.
	Email *EmailMessage
	// Contact, Company and Deal are the local records, when known.
	Contact *Contact
	Company *Company
	Deal    *Deal
	// Settings give the owner's name (the signature), Pricing and Facts.
	Settings *Settings
	// Slots are free times to propose, best first (BestSlots); none: the
	// draft asks for a time instead.
	Slots []PlanSlot
	// SlotsMissed: none of Slots is inside the times they proposed (those
	// are busy or past), so the draft says these are the nearest free ones.
	SlotsMissed bool
	// Zone is the recipient's time zone; nil: the contact's Timezone when
	// set and known, else the owner's.
	Zone *time.Location
	// Owner is the owner's time zone; nil: time.Local.
	Owner *time.Location
	// FollowUp is, for not_now, when the follow-up is due; zero:
	// Intent.Entities.Until.
	FollowUp time.Time
}

// Reply is a composed draft and what it could not answer.
type Reply struct {
	Draft Draft
	// Unanswered are the questions the draft holds as holes, in order.
	Unanswered []intent.Question
	// Facts are the facts the draft quotes, and Tier the price tier, if any.
	Facts []Fact
	Tier  *PriceTier
	// AsksTime: the draft, composed without slots, offers a call and asks
	// for a time, or acknowledges a time they proposed — the drafts that
	// free slots from the calendar answer better (DraftSlots).
	AsksTime bool
}

// ComposeReply writes the reply to in.Email that answers it; the comment
// at the top of this file says what it says.
func ComposeReply(in ReplyInput) Reply {
	c := newComposer(in)
	var paras []string
	add := func(p string) {
		if p = strings.TrimSpace(p); p != "" {
			paras = append(paras, p)
		}
	}
	add(c.opening())
	for _, p := range c.answers() {
		add(p)
	}
	add(c.intentNote())
	add(c.times())
	add(c.nextStep())

	body := c.greeting() + "\n\n" + strings.Join(paras, "\n\n")
	if name := c.signer(); name != "" {
		body += "\n\n" + name
	}
	e := c.email
	d := Draft{Subject: reSubject(nonEmpty(cleanLine(e.Subject, 200), "your note")), ThreadID: e.ThreadID, InReplyTo: e.MessageID, Body: body}
	if e.From != "" {
		d.To = []string{e.From}
	}
	return Reply{Draft: d, Unanswered: c.unanswered, Facts: c.quoted, Tier: c.tier, AsksTime: c.asksTime}
}

// ComposeIntro writes the introduction to the person a referral pointed
// to (in.Intent.Entities.Referral), naming who referred us. The zero
// Draft when the referral has no address.
func ComposeIntro(in ReplyInput) Draft {
	c := newComposer(in)
	p := in.Intent.Entities.Referral
	if p == nil || !ValidEmail(p.Email) {
		return Draft{}
	}
	first := firstWord(cleanName(p.Name))
	greet := "Hi,"
	if first != "" {
		greet = "Hi " + first + ","
	}
	referrer := cleanName(nonEmpty(c.contactName(), c.email.FromName))
	if referrer == "" {
		referrer = c.email.From
	}
	about := ""
	if co := c.companyName(); co != "" {
		about = " at " + co
	}
	body := fmt.Sprintf("%s\n\n%s%s suggested I get in touch with you. Would a short call be useful? Tell me a time that suits you and I'll send an invite.",
		greet, referrer, about)
	if name := c.signer(); name != "" {
		body += "\n\n" + name
	}
	return Draft{To: []string{p.Email}, Cc: ccOf(c.email.From), Subject: "Introduction via " + nonEmpty(firstWord(referrer), referrer), Body: body}
}

func ccOf(addr string) []string {
	if addr == "" {
		return nil
	}
	return []string{addr}
}

type composer struct {
	in         ReplyInput
	st         *Settings
	email      *EmailMessage
	res        intent.Result
	owner, loc *time.Location
	unanswered []intent.Question
	quoted     []Fact
	tier       *PriceTier
	priced     bool // the price list has been quoted once
	scheduling bool // a question asked for a time: the slots or the next step answer it
	asksTime   bool // the draft asks for a time or acknowledges theirs (Reply.AsksTime)
}

func newComposer(in ReplyInput) *composer {
	c := &composer{in: in, st: in.Settings, email: in.Email, res: in.Intent}
	if c.st == nil {
		c.st = &Settings{}
	}
	if c.email == nil {
		c.email = &EmailMessage{}
	}
	c.owner = zoneOr(in.Owner)
	c.loc = c.owner
	if in.Zone != nil {
		c.loc = in.Zone
	} else if in.Contact != nil && in.Contact.Timezone != "" && len(in.Slots) > 0 {
		if l, err := time.LoadLocation(in.Contact.Timezone); err == nil {
			c.loc = l
		}
	}
	return c
}

func (c *composer) contactName() string {
	if c.in.Contact != nil {
		return c.in.Contact.Name
	}
	return ""
}

func (c *composer) companyName() string {
	switch {
	case c.in.Company != nil && c.in.Company.Name != "":
		return cleanName(c.in.Company.Name)
	}
	return ""
}

func (c *composer) greeting() string {
	name := firstWord(cleanName(c.contactName()))
	if name == "" {
		name = firstWord(cleanName(c.email.FromName))
	}
	if name == "" {
		return "Hi,"
	}
	return "Hi " + name + ","
}

func (c *composer) signer() string {
	return cleanLine(c.st.OwnerName, 80)
}

func (c *composer) opening() string {
	switch c.res.Intent {
	case intent.Objection:
		return "Thanks for being straight with me — that's a fair concern."
	case intent.NotNow:
		return "Understood, and thanks for letting me know."
	case intent.ChurnRisk:
		return "Thanks for telling me, and I'm sorry it hasn't been working as it should."
	case intent.Unsubscribe:
		return "Understood — I won't email you about this again."
	case intent.OutOfOffice:
		return "Thanks — I'll pick this up when you're back."
	case intent.Referral:
		if p := c.res.Entities.Referral; p != nil {
			who := nonEmpty(cleanName(p.Name), cleanLine(p.Email, 100))
			if who != "" {
				return fmt.Sprintf("Thank you for pointing me to %s — I'll reach out to them directly.", who)
			}
		}
		return "Thank you for the introduction."
	case intent.MeetingRequest:
		return "Thanks — happy to find a time."
	case intent.Interested:
		return "Thanks for getting back to me — glad to hear it."
	}
	switch n := len(c.questions()); {
	case n == 1:
		return "Thanks for the question."
	case n > 1:
		return "Thanks for the questions."
	}
	return "Thanks for getting back to me."
}

// questions are the questions to answer: those asked, and for a pricing
// question that asked none in words, the price itself.
func (c *composer) questions() []intent.Question {
	var qs []intent.Question
	for _, q := range c.res.Entities.Questions {
		if strings.IndexFunc(q.Text, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0 {
			qs = append(qs, q)
		}
	}
	if c.res.Intent == intent.PricingQuestion {
		asked := false
		for _, q := range qs {
			asked = asked || q.Topic == intent.TopicPricing
		}
		if !asked {
			text := "Pricing"
			if n := c.res.Entities.Seats; n > 0 {
				text = fmt.Sprintf("Pricing for %d seats", n)
			}
			qs = append([]intent.Question{{Text: text, Topic: intent.TopicPricing}}, qs...)
		}
	}
	return qs
}

// answers says one paragraph per question, each answer once.
func (c *composer) answers() []string {
	qs := c.questions()
	var out []string
	said := map[string]bool{}
	for i, q := range qs {
		if i == MaxReplyQuestions {
			more := intent.Question{Text: fmt.Sprintf("%d more questions in their email", len(qs)-i), Topic: intent.TopicOther}
			c.unanswered = append(c.unanswered, more)
			out = append(out, AnswerHole(more.Text))
			break
		}
		if c.isScheduling(q) {
			c.scheduling = true
			continue
		}
		a := c.answer(q)
		if a == "" {
			c.unanswered = append(c.unanswered, q)
			out = append(out, AnswerHole(q.Text))
			continue
		}
		if !said[a] {
			said[a] = true
			out = append(out, a)
		}
	}
	return out
}

// answer is what the price list and the facts say to q; "" when nothing.
// The first pricing question (or a seats question no fact answers by
// keyword) is answered from the price list; a seat count no tier fits is
// left to the founder, who quotes it. A later pricing question needs a
// fact of its own: the price list has been said.
func (c *composer) answer(q intent.Question) string {
	fact, score := c.bestFact(q)
	lower := strings.ToLower(truncateBytes(q.Text, 1<<10))
	var parts []string
	asksPrice := q.Topic == intent.TopicPricing || q.Topic == intent.TopicSeats && score < 2 ||
		firstPhrase(lower, topicWords[intent.TopicPricing]) != ""
	if !c.priced && asksPrice {
		p := c.priceAnswer()
		if p == "" && c.res.Entities.Seats > 0 && len(c.st.Pricing.Tiers) > 0 {
			return ""
		}
		if p != "" {
			c.priced = true
			parts = append(parts, p)
		}
	}
	if fact != nil && !c.quotedAlready(*fact) {
		parts = append(parts, strings.TrimSpace(fact.Text))
		c.quote(*fact)
	} else if fact != nil && len(parts) == 0 && score >= 2 {
		return strings.TrimSpace(fact.Text) // said already: answers() says it once
	}
	// A question that asks two things ("pricing for 40 engineers and your
	// security questionnaire?") is answered on both: by any other fact
	// whose keyword it holds, or, for a fact without keywords, whose topic
	// it names.
	for i := range c.st.Facts {
		if len(parts) >= 4 {
			break
		}
		f := &c.st.Facts[i]
		if f == fact || c.quotedAlready(*f) {
			continue
		}
		hit := len(f.Keywords) == 0 && !equalFold(f.Topic, q.Topic) && firstPhrase(lower, topicWords[strings.ToLower(f.Topic)]) != ""
		for _, k := range f.Keywords {
			if k = strings.ToLower(strings.TrimSpace(k)); !hit && k != "" && wordAt(lower, k) {
				hit = true
			}
		}
		if hit {
			parts = append(parts, strings.TrimSpace(f.Text))
			c.quote(*f)
		}
	}
	return strings.Join(parts, " ")
}

// topicWords are the words by which a question names a topic besides its
// own; topics whose names are common words (data, seats, other) have none.
var topicWords = map[string][]string{
	intent.TopicPricing:     {"pricing", "price", "prices", "cost", "costs", "quote"},
	intent.TopicSecurity:    {"security"},
	intent.TopicCompliance:  {"compliance", "compliant"},
	intent.TopicIntegration: {"integration", "integrations", "integrate"},
	intent.TopicTrial:       {"trial"},
	intent.TopicContract:    {"contract"},
	intent.TopicOnboarding:  {"onboarding"},
}

// scheduleWords mark a question that asks for a time ("do you have a
// slot early next week?"), which the slots or the next step answer.
var scheduleWords = []string{"calendar", "slot", "slots", "call", "chat", "meet", "meeting", "availability", "available", "free", "time to talk"}

func (c *composer) isScheduling(q intent.Question) bool {
	if q.Topic != intent.TopicOther {
		return false
	}
	switch c.res.Intent {
	case intent.Unsubscribe, intent.OutOfOffice:
		return false
	}
	lower := strings.ToLower(truncateBytes(q.Text, 1<<10))
	for _, w := range c.res.Entities.Times {
		if w.Text != "" && strings.Contains(lower, strings.ToLower(w.Text)) {
			return true
		}
	}
	return firstPhrase(lower, scheduleWords) != ""
}

func (c *composer) quotedAlready(f Fact) bool {
	for _, q := range c.quoted {
		if q.Text == f.Text && q.Topic == f.Topic {
			return true
		}
	}
	return false
}

func (c *composer) quote(f Fact) {
	if !c.quotedAlready(f) {
		c.quoted = append(c.quoted, f)
	}
}

// bestFact: a fact whose keyword the question holds (3 when of the
// question's topic, 2 otherwise), else the first fact of the topic that
// has no keywords (1). Ties go to the earlier fact.
func (c *composer) bestFact(q intent.Question) (*Fact, int) {
	var best *Fact
	bestScore := 0
	lower := strings.ToLower(truncateBytes(q.Text, 1<<10))
	for i := range c.st.Facts {
		f := &c.st.Facts[i]
		score := 0
		sameTopic := equalFold(f.Topic, q.Topic)
		for _, k := range f.Keywords {
			if k = strings.ToLower(strings.TrimSpace(k)); k != "" && wordAt(lower, k) {
				score = 2
				if sameTopic {
					score = 3
				}
				break
			}
		}
		if score == 0 && sameTopic && len(f.Keywords) == 0 {
			score = 1
		}
		if score > bestScore {
			best, bestScore = f, score
		}
	}
	return best, bestScore
}

// priceAnswer quotes the tier that fits the seats they named, with the
// total, or the whole list when they named none; "" when there is no
// price list or no tier fits.
func (c *composer) priceAnswer() string {
	p := c.st.Pricing
	if len(p.Tiers) == 0 {
		return ""
	}
	if n := c.res.Entities.Seats; n > 0 {
		t, ok := p.Tier(n)
		if !ok {
			return ""
		}
		c.tier = &t
		return fmt.Sprintf("For %d seats you would be on our %s plan at %s per seat per month, so %s a month in total.",
			n, cleanLine(t.Name, 60), priceText(t.SeatPrice, p.Currency), priceText(t.SeatPrice*float64(n), p.Currency))
	}
	var list []string
	for _, t := range p.Tiers {
		seats := fmt.Sprintf("%d–%d seats", t.MinSeats, t.MaxSeats)
		switch {
		case t.MaxSeats == 0:
			seats = fmt.Sprintf("%d seats and up", t.MinSeats)
		case t.MaxSeats == t.MinSeats:
			seats = fmt.Sprintf("%d seats", t.MinSeats)
		}
		list = append(list, fmt.Sprintf("%s is %s (%s)", cleanLine(t.Name, 60), priceText(t.SeatPrice, p.Currency), seats))
	}
	return "Pricing is per seat per month: " + joinAnd(list) + "."
}

func joinAnd(list []string) string {
	switch len(list) {
	case 0:
		return ""
	case 1:
		return list[0]
	}
	return strings.Join(list[:len(list)-1], ", ") + " and " + list[len(list)-1]
}

// priceText formats an amount: "$1,000", "€24.50", "1,200 CHF".
func priceText(v float64, currency string) string {
	whole := math.Abs(v-math.Round(v)) < 0.005
	var s string
	if whole {
		s = groupThousands(fmt.Sprintf("%.0f", math.Round(v)))
	} else {
		s = fmt.Sprintf("%.2f", v)
		s = groupThousands(s[:len(s)-3]) + s[len(s)-3:]
	}
	switch currency {
	case "USD":
		return "$" + s
	case "EUR":
		return "€" + s
	case "GBP":
		return "£" + s
	}
	return s + " " + currency
}

func groupThousands(digits string) string {
	neg := strings.HasPrefix(digits, "-")
	digits = strings.TrimPrefix(digits, "-")
	var b strings.Builder
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// intentNote is what the intent calls for beyond the answers: a fact that
// meets an objection, the date a not_now follow-up is for.
func (c *composer) intentNote() string {
	switch c.res.Intent {
	case intent.Objection:
		if f := c.objectionFact(); f != nil {
			c.quote(*f)
			return strings.TrimSpace(f.Text)
		}
		return "Would it help to talk it through? I'd like to understand what would need to be true for this to work for you."
	case intent.NotNow:
		// Until is a date, midnight where they are: read it there, not
		// in another zone where it would be the evening before.
		at := c.res.Entities.Until
		if !c.in.FollowUp.IsZero() {
			at = c.in.FollowUp.In(c.loc)
		}
		if at.IsZero() {
			return "I'll leave it with you — reach out whenever the timing is better."
		}
		return fmt.Sprintf("I'll get back in touch around %s.", at.Format("2 January"))
	}
	return ""
}

// objectionFact is the fact whose keyword the email's reply or the
// classifier's evidence holds, unless an answer already quoted it.
func (c *composer) objectionFact() *Fact {
	text := strings.ToLower(strings.Join(c.res.Evidence, " ") + " " + truncateBytes(c.email.Body, 4<<10))
	for i := range c.st.Facts {
		f := &c.st.Facts[i]
		for _, k := range f.Keywords {
			if k = strings.ToLower(strings.TrimSpace(k)); k != "" && wordAt(text, k) {
				for _, q := range c.quoted {
					if q.Text == f.Text {
						return nil
					}
				}
				return f
			}
		}
	}
	return nil
}

// times proposes the slots, or acknowledges the time they proposed.
func (c *composer) times() string {
	switch c.res.Intent {
	case intent.Unsubscribe, intent.OutOfOffice, intent.NotNow, intent.Referral:
		return ""
	}
	theirs := ""
	if ts := c.res.Entities.Times; len(ts) > 0 {
		theirs = cleanLine(ts[0].Text, 60)
	}
	if len(c.in.Slots) == 0 {
		if theirs != "" {
			c.asksTime = true
			return fmt.Sprintf("Thanks for suggesting %s — I'll confirm a time shortly.", theirs)
		}
		return ""
	}
	lead := "Would one of these times work for a call?"
	switch {
	case theirs != "" && c.in.SlotsMissed:
		lead = fmt.Sprintf("You mentioned %s — I can't make that, so these are the nearest times I have free. Would one of them work?", theirs)
	case theirs != "":
		lead = fmt.Sprintf("You mentioned %s — would one of these work?", theirs)
	case c.res.Intent == intent.ChurnRisk:
		lead = "Could we talk it through? Would one of these times work?"
	}
	lines := []string{lead, ""}
	for i, s := range c.in.Slots {
		if i == MaxReplySlots {
			break
		}
		line := "- " + c.slot(s)
		if theirs != "" && !c.in.SlotsMissed && !c.inTheirTimes(s) {
			line += " — the nearest I have outside that"
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// inTheirTimes: s lies inside one of the times they proposed.
func (c *composer) inTheirTimes(s PlanSlot) bool {
	for _, w := range c.res.Entities.Times {
		end := w.End
		if !end.After(w.Start) {
			end = w.Start.Add(defaultMeeting)
		}
		if !s.Start.Before(w.Start) && !s.End.After(end) {
			return true
		}
	}
	return false
}

// slot formats s in the recipient's zone with the owner's clock beside it
// when it differs: "Tue 8 Dec, 10:00–10:30 EST (16:00 CET for me)".
func (c *composer) slot(s PlanSlot) string {
	start, end := s.Start.In(c.loc), s.End.In(c.loc)
	name, off := start.Zone()
	out := start.Format("Mon 2 Jan, 15:04–") + end.Format("15:04 ") + zoneLabel(name, off)
	o := s.Start.In(c.owner)
	if oname, ooff := o.Zone(); oname != name || ooff != off {
		layout := "15:04 "
		if o.YearDay() != start.YearDay() || o.Year() != start.Year() {
			layout = "Mon 15:04 "
		}
		out += " (" + o.Format(layout) + zoneLabel(oname, ooff) + " for me)"
	}
	return out
}

// zoneLabel is a zone's abbreviation, or its UTC offset when the zone has
// none ("+03" → "UTC+03:00").
func zoneLabel(name string, offset int) string {
	if name != "" && name[0] != '+' && name[0] != '-' {
		return name
	}
	sign := '+'
	if offset < 0 {
		sign, offset = '-', -offset
	}
	return fmt.Sprintf("UTC%c%02d:%02d", sign, offset/3600, offset%3600/60)
}

// Words that mark an offer to sign, its negation, and the time they named
// for it; matched as whole words in the lower-cased reply (no regexps:
// a draft is composed at ingest, per email).
var (
	signWords = []string{"sign", "signing", "signed", "contract", "order form", "paperwork", "purchase order"}
	noSign    = []string{"not sign", "'t sign", "’t sign", "never sign", "cannot sign", "not be signing", "'t be signing", "’t be signing", "not signing"}
	signWhen  = []string{"this month", "this quarter", "this week", "end of the month", "end of the quarter", "end of the week"}
)

// firstPhrase returns the first of phrases that lower, lower-cased text,
// holds as whole words, or "".
func firstPhrase(lower string, phrases []string) string {
	for _, p := range phrases {
		if wordAt(lower, p) {
			return p
		}
	}
	return ""
}

// wordAt: lower holds phrase with no letter or digit on either side.
func wordAt(lower, phrase string) bool {
	isWord := func(b byte) bool { return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' }
	for i := 0; ; {
		j := strings.Index(lower[i:], phrase)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(phrase)
		if (start == 0 || !isWord(lower[start-1]) || !isWord(phrase[0])) && (end == len(lower) || !isWord(lower[end])) {
			return true
		}
		i = start + 1
	}
}

// nextStep: what happens next when the email wants to go on.
func (c *composer) nextStep() string {
	askTime := "Would a short call help as a next step? Tell me a time that suits you and I'll send an invite."
	noTimes := len(c.in.Slots) == 0 && len(c.res.Entities.Times) == 0
	switch c.res.Intent {
	case intent.PricingQuestion, intent.Interested, intent.Other, intent.MeetingRequest:
	case intent.ChurnRisk:
		if noTimes {
			c.asksTime = true
			return "Could we talk it through? Tell me a time that suits you and I'll make it work."
		}
		return ""
	default:
		if c.scheduling && noTimes && c.res.Intent != intent.Unsubscribe && c.res.Intent != intent.OutOfOffice {
			c.asksTime = true
			return "Tell me a time that suits you and I'll send an invite."
		}
		return ""
	}
	var out []string
	reply := strings.ToLower(truncateBytes(c.email.Body, 4<<10))
	if c.res.Intent != intent.MeetingRequest && firstPhrase(reply, signWords) != "" && firstPhrase(reply, noSign) == "" {
		when := "whenever you're ready"
		if m := firstPhrase(reply, signWhen); m != "" {
			when = m
			if strings.HasPrefix(when, "end of") {
				when = "by the " + when
			}
		}
		lead := "I can send the order form"
		if len(c.quoted) > 0 || c.priced {
			lead = "If the answers work for you, I can send the order form"
		}
		out = append(out, fmt.Sprintf("%s so you can sign %s.", lead, when))
	}
	if noTimes && (c.scheduling || c.res.Intent == intent.Interested || c.res.Intent == intent.PricingQuestion || c.res.Intent == intent.MeetingRequest) {
		out = append(out, askTime)
		c.asksTime = true
	}
	return strings.Join(out, " ")
}

// cleanLine makes outside text safe to put in a draft: one line, at most
// n runes, with no brackets or braces a hole check would read as a
// template hole.
func cleanLine(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case '[', '{':
			return '('
		case ']', '}':
			return ')'
		}
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = truncate(s, n)
	if len(markers(s)) > 0 {
		return "" // TODO, XXX: not something to say to anyone
	}
	return s
}

// cleanName is a person's or company's name fit to greet: "" when it is an
// address or holds no letters.
func cleanName(s string) string {
	s = strings.Trim(strings.TrimSpace(s), `"'`)
	if strings.ContainsAny(s, "@<>()[]{}") {
		return ""
	}
	s = cleanLine(s, 60)
	for _, r := range s {
		if unicode.IsLetter(r) {
			return s
		}
	}
	return ""
}

func firstWord(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return strings.TrimRight(f[0], ",;")
	}
	return ""
}

func truncateBytes(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
