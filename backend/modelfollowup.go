package backend

import (
	"fmt"
	"strings"
	"time"
)

// Follow-ups written by the model. A follow-up move (followup.go) is
// proposed with an offline template at once; when a model is connected it
// goes to the same post-ingest queue as replies (ModelService), and the
// job built here sends what a person would reread before writing the
// nudge: our earlier mail (subject, body, when, to whom), the follow-ups
// already sent, which step this is, and the owner's price list and facts.
// The answer passes the same checks as a reply's — every number, day and
// month must come from that data, no template holes, the size cap, the
// day's token budget, the never-send list — or the template stands. A
// follow-up the founder edited, whose sequence has ended, or whose move
// was carried out or skipped meanwhile is never rewritten
// (modelMayWriteIn).

// Bounds on a follow-up job.
const (
	// MaxModelFollowUp bounds a model's follow-up, in bytes: it is asked
	// for under 90 words.
	MaxModelFollowUp = 1500
	// modelFollowUpTokens bounds the model's answer to a follow-up job.
	modelFollowUpTokens = 300
	// maxPromptFollowUp bounds each earlier follow-up's text sent, in bytes.
	maxPromptFollowUp = 1500
)

// followUpSchema is the JSON schema of a follow-up answer.
const followUpSchema = `{"type":"object","properties":{"body":{"type":"string","description":"the follow-up's plain-text body, greeting to signature"}},` +
	`"required":["body"],"additionalProperties":false}`

// isFollowUp: a move proposed by a follow-up sequence.
func isFollowUp(m *Move) bool { return m.Subject.Type == SubjectFollowUp }

// modelMayWriteIn is modelMayWrite, and for a follow-up also that its
// sequence has not ended: once something came back, or the founder
// stopped it, the follow-up is not rewritten.
func modelMayWriteIn(tx Tx, m *Move) (bool, error) {
	if !modelMayWrite(m) {
		return false, nil
	}
	if !isFollowUp(m) {
		return true, nil
	}
	q, err := tx.SequenceByMove(m.ID)
	switch {
	case ErrorCode(err) == ENOTFOUND:
		return false, nil
	case err != nil:
		return false, err
	}
	return !q.Ended(), nil
}

// sentMail is one mail of a sequence as it left.
type sentMail struct {
	draft Draft
	at    time.Time
}

// sentStep is the mail of step as it was executed (the committed
// execution's draft), else the move's draft.
func sentStep(tx Tx, step SequenceStep) (sentMail, error) {
	execs, err := tx.FindExecutions(step.MoveID)
	if err != nil {
		return sentMail{}, err
	}
	out := sentMail{at: step.SentAt}
	for _, e := range execs {
		if e.State == ExecCommitted {
			out.draft = e.Draft
			if out.at.IsZero() {
				out.at = e.CommittedAt
			}
		}
	}
	if out.draft.Body == "" && out.draft.Subject == "" {
		m, err := tx.FindMove(step.MoveID)
		if err != nil {
			return sentMail{}, err
		}
		out.draft = m.Draft
	}
	return out, nil
}

// followUpJob asks for follow-up move m; nil when its sequence cannot be
// found (nothing to refer to). zone is the owner's.
func followUpJob(tx Tx, m *Move, st *Settings, zone *time.Location) (*modelJob, error) {
	q, err := tx.SequenceByMove(m.ID)
	switch {
	case ErrorCode(err) == ENOTFOUND:
		return nil, nil
	case err != nil:
		return nil, err
	}
	step := q.Step(m.ID)
	if step == nil || step.N < 2 || len(q.Steps) == 0 {
		return nil, nil
	}
	first, err := sentStep(tx, q.Steps[0])
	if err != nil {
		return nil, err
	}
	var earlier []sentMail
	for _, s := range q.Steps[1:] {
		if s.N >= step.N {
			break
		}
		sm, err := sentStep(tx, s)
		if err != nil {
			return nil, err
		}
		earlier = append(earlier, sm)
	}
	loc := zoneOr(zone)
	day := func(t time.Time) string {
		if t.IsZero() {
			return "earlier"
		}
		return t.In(loc).Format("Monday 2 January 2006")
	}
	owner := nonEmpty(st.OwnerName, "the founder")
	last := step.N >= q.MaxSteps

	system := fmt.Sprintf("You write a short follow-up email for %s, a founder, who sent the earlier mail in the user message and has had no answer. "+
		"Refer to that mail briefly, by its subject or what it offered, without repeating or quoting it, and say nothing the earlier follow-ups already said. "+
		"Give one reason to answer or one easy next step, using only the price list and the facts given in the user message. "+
		"Never state a price, amount, count, date, day or time that does not appear in the user message. "+
		"No placeholders, brackets or TODO. Plain text, under 90 words, greeting to signature, signed as %s. ", owner, owner)
	if last {
		system += "This is the last follow-up: say so kindly, and that a one-line answer either way is welcome. "
	}
	system += `Answer with JSON only: {"body": "..."}.`

	var b strings.Builder
	to := q.To
	if len(m.Draft.To) > 0 {
		to = m.Draft.To[0]
	}
	who := to
	var contact *Contact
	if c, err := tx.FindContact(nonEmpty(m.ContactID, q.ContactID)); err == nil {
		contact = c
		if strings.TrimSpace(c.Name) != "" {
			who = c.Name
		}
	}
	fmt.Fprintf(&b, "Writing to: %s <%s>", oneLine(who), oneLine(to))
	if contact != nil && contact.Title != "" {
		fmt.Fprintf(&b, ", %s", oneLine(contact.Title))
	}
	if co, err := tx.FindCompany(nonEmpty(m.CompanyID, q.CompanyID)); err == nil && co.Name != "" {
		fmt.Fprintf(&b, " at %s", oneLine(co.Name))
	}
	b.WriteString("\n")
	if d, err := tx.FindDeal(nonEmpty(m.DealID, q.DealID)); err == nil {
		fmt.Fprintf(&b, "Deal: %s, stage %s", oneLine(nonEmpty(d.Name, d.ID)), StageLabel(d.Stage))
		if d.Amount > 0 {
			fmt.Fprintf(&b, ", %s a year", priceText(d.Amount, nonEmpty(d.Currency, "USD")))
		}
		b.WriteString("\n")
	}
	if last {
		fmt.Fprintf(&b, "This is follow-up %d of %d, the last.\n", step.N-1, q.MaxSteps-1)
	} else {
		fmt.Fprintf(&b, "This is follow-up %d of %d.\n", step.N-1, q.MaxSteps-1)
	}
	fmt.Fprintf(&b, "\nOur earlier mail, unanswered:\nSubject: %s\nSent: %s, to %s\n\n%s\n",
		oneLine(nonEmpty(first.draft.Subject, q.Subject)), day(first.at), oneLine(nonEmpty(strings.Join(first.draft.To, ", "), q.To)),
		clip(strings.TrimSpace(first.draft.Body), maxPromptThread))
	if len(earlier) > 0 {
		b.WriteString("\nEarlier follow-ups, already sent:\n")
		for i, e := range earlier {
			fmt.Fprintf(&b, "Follow-up %d, sent %s:\n%s\n", i+1, day(e.at), clip(strings.TrimSpace(e.draft.Body), maxPromptFollowUp))
		}
	}
	writePriceList(&b, st.Pricing)
	var facts []string
	size := 0
	for _, f := range st.Facts {
		text := oneLine(f.Text)
		if text == "" || len(facts) == maxModelFacts || size+len(text) > maxModelFactBytes {
			continue
		}
		size += len(text)
		facts = append(facts, text)
	}
	if len(facts) > 0 {
		b.WriteString("\nFacts:\n")
		for _, f := range facts {
			fmt.Fprintf(&b, "- %s\n", f)
		}
	}
	fmt.Fprintf(&b, "\nThe offline draft, to improve on:\n%s\n\nSign as: %s\n", m.Draft.Body, owner)
	user := b.String()
	return &modelJob{
		kind: "followup",
		req: ModelRequest{
			Messages:   []ModelMessage{{Role: "system", Content: system}, {Role: "user", Content: user}},
			SchemaName: "follow_up", Schema: followUpSchema, MaxTokens: modelFollowUpTokens,
		},
		allowed: user,
		offline: m.Draft,
	}, nil
}
