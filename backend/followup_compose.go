package backend

import (
	"fmt"
	"strings"
	"time"
)

// FollowUpInput is what a follow-up draft is made from.
type FollowUpInput struct {
	Step  int // 2 for the first follow-up: the first mail is step 1
	Steps int // mails in all
	// Subject is the first mail's, without "Re:".
	Subject string
	To      string
	// ThreadID and InReplyTo (our last message's Message-ID) keep the
	// follow-up in the same thread.
	ThreadID    string
	InReplyTo   string
	FirstSentAt time.Time
	LastSentAt  time.Time
	Contact     *Contact
	Settings    *Settings
	Owner       *time.Location // the owner's zone; nil: time.Local
	Now         time.Time
}

// ComposeFollowUp writes a short follow-up that names the earlier mail by
// its subject and the day it went ("Following up on my note from Tuesday
// about “Pricing”"). It greets and signs like ComposeReply (the same
// composer), holds no template holes, and is deterministic. The last step
// says it is the last.
func ComposeFollowUp(in FollowUpInput) Draft {
	c := newComposer(ReplyInput{Contact: in.Contact, Settings: in.Settings, Owner: in.Owner,
		Email: &EmailMessage{From: in.To, ThreadID: in.ThreadID, MessageID: in.InReplyTo, Subject: in.Subject}})
	subject := nonEmpty(cleanLine(in.Subject, 200), "your note")
	when := dayPhrase(in.LastSentAt, in.Now, c.owner)
	var body string
	switch {
	case in.Step >= in.Steps && in.Step > 2:
		body = fmt.Sprintf("One last note from me about “%s”, first sent %s. If now isn't the right time, no problem at all — just tell me and I'll stop writing. If it is, a one-line reply is plenty and I'll take it from there.",
			subject, dayPhrase(in.FirstSentAt, in.Now, c.owner))
	case in.Step > 2:
		body = fmt.Sprintf("Following up once more on my note from %s about “%s”. I know inboxes fill up — would a short call be easier? Tell me a time that suits you.", when, subject)
	default:
		body = fmt.Sprintf("Following up on my note from %s about “%s”, in case it got buried. Is this something worth a quick conversation? A short reply either way helps.", when, subject)
	}
	text := c.greeting() + "\n\n" + body
	if name := c.signer(); name != "" {
		text += "\n\n" + name
	}
	return Draft{To: []string{in.To}, Subject: reSubject(subject), Body: text, ThreadID: in.ThreadID, InReplyTo: in.InReplyTo}
}

// dayPhrase names the day of t as seen from now, in loc: "Tuesday" within
// the last week, "Tuesday 3 November" before that.
func dayPhrase(t, now time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "last week"
	}
	t, now = t.In(loc), now.In(loc)
	y1, m1, d1 := t.Date()
	y2, m2, d2 := now.Date()
	days := int(time.Date(y2, m2, d2, 0, 0, 0, 0, time.UTC).Sub(time.Date(y1, m1, d1, 0, 0, 0, 0, time.UTC)).Hours() / 24)
	switch {
	case days == 0:
		return "earlier today"
	case days == 1:
		return "yesterday"
	case days < 7:
		return t.Weekday().String()
	}
	return strings.TrimSpace(t.Format("Monday 2 January"))
}
