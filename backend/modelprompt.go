package backend

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/caseyos/caseyos/backend/intent"
)

// What is sent to the model and how its answer is checked. The prompt is
// built here, in the domain, so that the preview can show exactly what was
// sent; the connector only carries it. Every number and every day or
// month name in the model's answer must appear in what was sent to it as
// data (the email, the thread, the deal, the facts and the slots) — never
// only in the instructions — so an invented price, seat count or date is
// refused and the offline draft stands.

// ModelIntents are the labels the model may give an inbound email: the
// offline classifier's (backend/intent).
var ModelIntents = func() []string {
	out := make([]string, len(intent.Labels))
	for i, l := range intent.Labels {
		out[i] = string(l)
	}
	return out
}()

// The JSON schemas of the answers.
const (
	replySchema = `{"type":"object","properties":{"body":{"type":"string","description":"the reply's plain-text body, greeting to signature"},` +
		`"intent":{"type":"string","enum":["meeting_request","pricing_question","interested","objection","not_now","unsubscribe","out_of_office","churn_risk","referral","other"]}},` +
		`"required":["body","intent"],"additionalProperties":false}`
	summarySchema = `{"type":"object","properties":{"summary":{"type":"string","description":"two sentences at most"}},"required":["summary"],"additionalProperties":false}`
)

// modelAnswer is a parsed answer.
type modelAnswer struct {
	Body    string `json:"body"`
	Intent  string `json:"intent"`
	Summary string `json:"summary"`
}

// buildModelJob builds the request for move m, or nil when there is
// nothing to ask (no email or post behind it). zone is the owner's.
func buildModelJob(tx Tx, m *Move, st *Settings, zone *time.Location) (*modelJob, error) {
	if isFollowUp(m) {
		return followUpJob(tx, m, st, zone) // our earlier mail, not an inbound one (modelfollowup.go)
	}
	var sigs []*Signal
	for _, id := range m.SignalIDs {
		s, err := tx.FindSignal(id)
		switch {
		case ErrorCode(err) == ENOTFOUND:
			continue
		case err != nil:
			return nil, err
		}
		sigs = append(sigs, s)
	}
	if isBattleCard(m) {
		return battleCardJob(m, sigs), nil
	}
	in, err := replyInputFrom(tx, m, sigs, st, zone)
	if in == nil || err != nil {
		return nil, err
	}
	in.Slots, in.SlotsMissed = DraftSlots(m.Draft)
	return replyJob(m, *in), nil
}

// replyInputFor is the composer's input for reply move m: the newest email
// of its thread among its signals and the records around it; nil when
// none of its signals is an email of the thread.
func replyInputFor(tx Tx, m *Move, st *Settings, zone *time.Location) (*ReplyInput, error) {
	var sigs []*Signal
	for _, id := range m.SignalIDs {
		s, err := tx.FindSignal(id)
		switch {
		case ErrorCode(err) == ENOTFOUND:
			continue
		case err != nil:
			return nil, err
		}
		sigs = append(sigs, s)
	}
	return replyInputFrom(tx, m, sigs, st, zone)
}

func replyInputFrom(tx Tx, m *Move, sigs []*Signal, st *Settings, zone *time.Location) (*ReplyInput, error) {
	var email *EmailMessage
	for _, s := range sigs {
		if s.Email != nil && s.Email.ThreadID == m.Draft.ThreadID && (email == nil || !s.OccurredAt.Before(email.ReceivedAt)) {
			e := *s.Email
			if e.ReceivedAt.IsZero() {
				e.ReceivedAt = s.OccurredAt
			}
			email = &e
		}
	}
	if email == nil {
		return nil, nil
	}
	in := ReplyInput{Email: email, Settings: st, Owner: zone}
	if c, err := tx.FindContact(m.ContactID); err == nil {
		in.Contact = c
	}
	if c, err := tx.FindCompany(m.CompanyID); err == nil {
		in.Company = c
	}
	if d, err := tx.FindDeal(m.DealID); err == nil {
		in.Deal = d
	}
	if in.Contact != nil && in.Contact.Timezone != "" {
		if loc, err := time.LoadLocation(in.Contact.Timezone); err == nil {
			in.Zone = loc
		}
	}
	from := email.From
	if email.FromName != "" {
		from = email.FromName + " <" + email.From + ">"
	}
	in.Intent = intent.Classify(intent.Email{Subject: email.Subject, Body: email.Body, From: from, Received: email.ReceivedAt, Zone: in.Zone})
	return &in, nil
}

// replyJob asks for the reply the composer's input describes: the same
// ReplyInput the offline draft was made from, so the model is told the
// same facts, the same price list and the same questions, and its answer
// is checked against exactly what it was told.
func replyJob(m *Move, in ReplyInput) *modelJob {
	st, e := in.Settings, in.Email
	owner := nonEmpty(st.OwnerName, "the founder")
	system := fmt.Sprintf("You write a reply email for %s, a founder, to someone who wrote to them. "+
		"Answer each question they asked, using only the price list and the facts given in the user message. "+
		"Never state a price, amount, count, date, day or time that does not appear in the user message; "+
		"when the facts do not answer a question, say you will follow up on it. "+
		"No placeholders, brackets or TODO. Plain text, under 180 words, signed as %s. "+
		"Also label their email's intent as one of: %s. "+
		`Answer with JSON only: {"body": "...", "intent": "..."}.`,
		owner, owner, strings.Join(ModelIntents, ", "))
	var b strings.Builder
	who := nonEmpty(e.FromName, e.From)
	if in.Contact != nil && in.Contact.Name != "" {
		who = in.Contact.Name
	}
	fmt.Fprintf(&b, "From: %s <%s>", oneLine(who), oneLine(e.From))
	if in.Contact != nil && in.Contact.Title != "" {
		fmt.Fprintf(&b, ", %s", oneLine(in.Contact.Title))
	}
	if in.Company != nil && in.Company.Name != "" {
		fmt.Fprintf(&b, " at %s", oneLine(in.Company.Name))
	}
	b.WriteString("\n")
	if d := in.Deal; d != nil {
		fmt.Fprintf(&b, "Deal: %s, stage %s", oneLine(nonEmpty(d.Name, d.ID)), StageLabel(d.Stage))
		if d.Amount > 0 {
			fmt.Fprintf(&b, ", %s a year", priceText(d.Amount, nonEmpty(d.Currency, "USD")))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "Subject: %s\n\nTheir email:\n%s\n", oneLine(e.Subject), clip(nonEmpty(strings.TrimSpace(e.Body), e.Snippet), maxPromptThread))
	if q := strings.TrimSpace(e.Quoted); q != "" {
		fmt.Fprintf(&b, "\nEarlier in the thread:\n%s\n", clip(q, maxPromptThread/2))
	}
	if qs := in.Intent.Entities.Questions; len(qs) > 0 {
		b.WriteString("\nQuestions they asked:\n")
		for i, q := range qs {
			if i == MaxReplyQuestions {
				break
			}
			fmt.Fprintf(&b, "- %s\n", oneLine(q.Text))
		}
	}
	if n := in.Intent.Entities.Seats; n > 0 {
		fmt.Fprintf(&b, "\nSeats they named: %d\n", n)
	}
	writePriceList(&b, st.Pricing)
	if len(in.Slots) > 0 {
		// Free in the owner's calendar when the draft was made: the only
		// dates and times the reply may propose.
		b.WriteString("\nFree times to propose (their time zone first):\n")
		c := newComposer(in)
		for i, sl := range in.Slots {
			if i == MaxReplySlots {
				break
			}
			fmt.Fprintf(&b, "- %s\n", c.slot(sl))
		}
	}
	if facts := modelFacts(in); len(facts) > 0 {
		b.WriteString("\nFacts:\n")
		for _, f := range facts {
			fmt.Fprintf(&b, "- %s\n", oneLine(f.Text))
		}
	}
	fmt.Fprintf(&b, "\nThe offline draft, to improve on:\n%s\n\nSign as: %s\n", m.Draft.Body, owner)
	user := b.String()
	job := &modelJob{
		kind: "reply",
		req: ModelRequest{
			Messages:   []ModelMessage{{Role: "system", Content: system}, {Role: "user", Content: user}},
			SchemaName: "reply", Schema: replySchema, MaxTokens: modelAnswerTokens,
		},
		allowed: user,
		offline: m.Draft,
	}
	if in.Intent.Confidence < intent.LowConfidence {
		// The offline reading is a guess: the model's is worth recording.
		job.askIntent, job.offLbl = true, string(in.Intent.Intent)
	}
	return job
}

// writePriceList writes the price list, when there is one, as the reply
// and follow-up prompts send it.
func writePriceList(b *strings.Builder, p Pricing) {
	if len(p.Tiers) == 0 {
		return
	}
	b.WriteString("\nPrice list (per seat per month):\n")
	for _, t := range p.Tiers {
		seats := fmt.Sprintf("%d or more seats", t.MinSeats)
		if t.MaxSeats > 0 {
			seats = fmt.Sprintf("%d to %d seats", t.MinSeats, t.MaxSeats)
		}
		fmt.Fprintf(b, "- %s, %s: %s\n", oneLine(t.Name), seats, priceText(t.SeatPrice, p.Currency))
	}
}

// Bounds on the facts sent with a reply.
const (
	maxModelFacts     = 20
	maxModelFactBytes = 6000
)

// modelFacts are the facts sent with a reply: those the offline draft
// quotes first, then those on the topics of the questions asked, then
// the rest, within bounds.
func modelFacts(in ReplyInput) []Fact {
	quoted := ComposeReply(in).Facts
	topics := map[string]bool{}
	for _, q := range in.Intent.Entities.Questions {
		topics[q.Topic] = true
	}
	var out []Fact
	seen := map[string]bool{}
	size := 0
	add := func(f Fact) {
		if seen[f.Text] || len(out) == maxModelFacts || size+len(f.Text) > maxModelFactBytes {
			return
		}
		seen[f.Text] = true
		size += len(f.Text)
		out = append(out, f)
	}
	for _, f := range quoted {
		add(f)
	}
	for _, f := range in.Settings.Facts {
		if topics[f.Topic] {
			add(f)
		}
	}
	for _, f := range in.Settings.Facts {
		add(f)
	}
	return out
}

// battleCardJob asks for a short summary of what the quotes behind a
// battle card say: the quote lines of its task body ("- …"), else the
// posts behind it.
func battleCardJob(m *Move, sigs []*Signal) *modelJob {
	var b strings.Builder
	competitor := strings.TrimPrefix(m.Subject.ID, "battlecard:")
	n := 0
	for _, line := range strings.Split(m.Draft.Body, "\n") {
		if q, ok := strings.CutPrefix(strings.TrimSpace(line), "- "); ok && strings.TrimSpace(q) != "" {
			fmt.Fprintf(&b, "- %s\n", oneLine(clip(q, 600)))
			n++
		}
	}
	for _, s := range sigs {
		if s.Post != nil && s.Post.Competitor != "" {
			competitor = s.Post.Competitor
		}
	}
	if n == 0 {
		for _, s := range sigs {
			if s.Post == nil {
				continue
			}
			fmt.Fprintf(&b, "- @%s: “%s”\n", oneLine(s.Post.Author), oneLine(clip(s.Post.Text, 600)))
			n++
		}
	}
	if n == 0 {
		return nil
	}
	system := "You keep a sales battle card about a competitor up to date. In at most two sentences, say what the quotes below " +
		"tell us changed about the competitor. Use only what the quotes say; never add a number, price or date that is not in them. " +
		`Answer with JSON only: {"summary": "..."}.`
	user := fmt.Sprintf("Competitor: %s\nQuotes:\n%s", oneLine(competitor), b.String())
	return &modelJob{
		kind: "battlecard",
		req: ModelRequest{
			Messages:   []ModelMessage{{Role: "system", Content: system}, {Role: "user", Content: user}},
			SchemaName: "battle_card_summary", Schema: summarySchema, MaxTokens: 200,
		},
		allowed: user,
		offline: m.Draft,
	}
}

// check parses and validates the model's answer.
func (j *modelJob) check(content string) (modelAnswer, error) {
	var a modelAnswer
	content = strings.TrimSpace(content)
	content = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(content, "```json"), "```"), "```")
	if err := json.Unmarshal([]byte(strings.TrimSpace(content)), &a); err != nil {
		return a, Errorf(EINVALID, "its answer was not the JSON asked for")
	}
	text, limit, field := a.Body, MaxModelDraft, "draft"
	switch j.kind {
	case "battlecard":
		text, limit, field = a.Summary, MaxModelSummary, "summary"
	case "followup":
		limit, field = MaxModelFollowUp, "follow-up"
	}
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		return a, Errorf(EINVALID, "its %s was empty", field)
	case len(text) > limit:
		return a, Errorf(EINVALID, "its %s was longer than %d bytes", field, limit)
	case !utf8.ValidString(text):
		return a, Errorf(EINVALID, "its %s was not valid text", field)
	}
	if holes := FindTemplateHoles(j.offline.Subject, text); len(holes) > 0 {
		return a, Errorf(EINVALID, "its %s holds template text (%s)", field, holes[0])
	}
	if bad := invented(text, j.allowed); bad != "" {
		return a, Errorf(EINVALID, "it names %q, which is not in what was sent", bad)
	}
	if j.kind == "battlecard" {
		a.Summary = text
	} else {
		a.Body = text
	}
	a.Intent = strings.TrimSpace(a.Intent)
	if !containsFold(ModelIntents, a.Intent) {
		a.Intent = ""
	}
	return a, nil
}

// dateWords are the day and month names a date is written with.
var dateWords = map[string]bool{
	"monday": true, "tuesday": true, "wednesday": true, "thursday": true, "friday": true, "saturday": true, "sunday": true,
	"mon": true, "tue": true, "tues": true, "wed": true, "thu": true, "thur": true, "thurs": true, "fri": true, "sat": true, "sun": true,
	"january": true, "february": true, "march": true, "april": true, "june": true, "july": true, "august": true,
	"september": true, "october": true, "november": true, "december": true,
	"jan": true, "feb": true, "mar": true, "apr": true, "jun": true, "jul": true, "aug": true, "sep": true, "sept": true,
	"oct": true, "nov": true, "dec": true,
}

// invented returns the first number, day or month name in text that
// allowed does not hold, or "". Numbers compare without thousands
// separators ("1,200" is "1200"); a day or month compares by name, so
// "Thursday" is allowed when "Thu" was sent, and the reverse.
func invented(text, allowed string) string {
	nums, words := tokens(allowed)
	tn, tw := tokensOrdered(text)
	for _, n := range tn {
		if !nums[n] {
			return n
		}
	}
	for _, w := range tw {
		if !words[dateKey(w)] {
			return w
		}
	}
	return ""
}

func tokens(s string) (map[string]bool, map[string]bool) {
	nums, words := map[string]bool{}, map[string]bool{}
	n, w := tokensOrdered(s)
	for _, x := range n {
		nums[x] = true
	}
	for _, x := range w {
		words[dateKey(x)] = true
	}
	return nums, words
}

// tokensOrdered returns the numbers (digits, thousands separators
// dropped, decimals kept) and the day or month names in s.
func tokensOrdered(s string) (nums, words []string) {
	rs := []rune(s)
	for i := 0; i < len(rs); {
		switch {
		case unicode.IsDigit(rs[i]):
			j := i
			var b strings.Builder
			for j < len(rs) {
				if unicode.IsDigit(rs[j]) {
					b.WriteRune(rs[j])
					j++
					continue
				}
				// 1,200 or 1.5: a separator between digits.
				if (rs[j] == ',' || rs[j] == '.') && j+1 < len(rs) && unicode.IsDigit(rs[j+1]) && j > i {
					if rs[j] == '.' {
						b.WriteRune('.')
					}
					j++
					continue
				}
				break
			}
			nums = append(nums, strings.TrimLeft(b.String(), "0"))
			i = j
		case unicode.IsLetter(rs[i]):
			j := i
			for j < len(rs) && unicode.IsLetter(rs[j]) {
				j++
			}
			if w := strings.ToLower(string(rs[i:j])); dateWords[w] {
				words = append(words, string(rs[i:j]))
			}
			i = j
		default:
			i++
		}
	}
	return nums, words
}

// dateKey names a day or month by its first three letters.
func dateKey(w string) string {
	w = strings.ToLower(w)
	if len(w) > 3 {
		w = w[:3]
	}
	return w
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// clip bounds s to n bytes on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
