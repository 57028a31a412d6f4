package backend

import (
	"fmt"
	"strings"
	"unicode"
)

// The recommenders for posts on X: a mention of us, a reply to one of our
// posts, a post naming a competitor.

// MentionReach is the follower count from which a mention is worth a
// reply whatever it says: the author's audience sees the answer.
const MentionReach = 1000

// social handles social.mention, social.reply and
// social.competitor_mention.
func (r *recommender) social() []Proposal {
	p := r.sig.Post
	if p.Competitor != "" {
		return r.mention() // the battle card (recommend.go)
	}
	var out []Proposal
	if why, ok := r.worthReply(); ok {
		out = append(out, r.replyToPost(why))
	} else {
		out = append(out, r.likePost())
	}
	if lead, ok := r.prospectPosted(); ok {
		out = append(out, lead)
	}
	// A competitor from Settings named in it: its battle card too.
	return append(out, r.postCompetitor()...) // recommend_intent.go
}

// worthReply says whether the post deserves a written answer, and why, in
// words: the author is a customer or a known contact, has reach, or asked
// a question.
func (r *recommender) worthReply() (string, bool) {
	p := r.sig.Post
	switch {
	case r.contact != nil && r.customerDomain("") == DomainCS:
		return fmt.Sprintf("%s is a customer", r.contact.DisplayName()), true
	case r.contact != nil:
		return fmt.Sprintf("@%s is %s, a known contact%s", p.Author, r.contact.DisplayName(), r.atCompany()), true
	case asksQuestion(p.Text):
		return "it asks a question", true
	case p.Verified && p.Followers >= MentionReach/10, p.Followers >= MentionReach:
		return fmt.Sprintf("@%s has %s", p.Author, reach(p.Followers, p.Verified)), true
	}
	return "", false
}

func (r *recommender) atCompany() string {
	if r.company != nil && r.company.Name != "" {
		return " at " + r.company.Name
	}
	return ""
}

// asksQuestion reports whether text asks something: a question mark
// outside a link, or a question word opening a sentence.
func asksQuestion(text string) bool {
	for _, w := range strings.Fields(text) {
		if strings.Contains(w, "://") {
			continue
		}
		if strings.Contains(w, "?") {
			return true
		}
	}
	for _, sentence := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return r == '.' || r == '!' || r == '\n' }) {
		f := strings.Fields(sentence)
		for len(f) > 0 && strings.HasPrefix(f[0], "@") {
			f = f[1:] // the @handles a reply opens with
		}
		word := func(i int) string {
			if i >= len(f) {
				return ""
			}
			return strings.TrimFunc(f[i], func(r rune) bool { return !unicode.IsLetter(r) })
		}
		// "how …", "anyone …", or an auxiliary asking someone: "does it",
		// "can you", "is there" — not "is neat".
		if questionWords[word(0)] || auxiliaries[word(0)] && askedOf[word(1)] {
			return true
		}
	}
	return false
}

var (
	questionWords = map[string]bool{"how": true, "what": true, "why": true, "anyone": true, "anybody": true, "who": true, "where": true, "which": true, "when": true}
	auxiliaries   = map[string]bool{"does": true, "do": true, "can": true, "could": true, "is": true, "are": true, "will": true, "would": true, "should": true, "did": true, "has": true, "have": true}
	askedOf       = map[string]bool{"it": true, "you": true, "i": true, "we": true, "they": true, "there": true, "this": true, "that": true, "anyone": true, "anybody": true, "someone": true}
)

// reach says "12.4k followers, verified".
func reach(followers int, verified bool) string {
	var s string
	switch {
	case followers >= 1_000_000:
		s = fmt.Sprintf("%.1fM followers", float64(followers)/1e6)
	case followers >= 10_000:
		s = fmt.Sprintf("%.0fk followers", float64(followers)/1e3)
	case followers >= 1_000:
		s = fmt.Sprintf("%.1fk followers", float64(followers)/1e3)
	case followers == 1:
		s = "1 follower"
	default:
		s = fmt.Sprintf("%d followers", followers)
	}
	s = strings.Replace(s, ".0k", "k", 1)
	if verified {
		s += ", verified"
	}
	return s
}

// firstWords is the start of a post for a title: at most n words, the
// @handles a reply opens with left out.
func firstWords(text string, n int) string {
	f := strings.Fields(text)
	for len(f) > 1 && strings.HasPrefix(f[0], "@") {
		f = f[1:]
	}
	if len(f) > n {
		return strings.Join(f[:n], " ") + "…"
	}
	return truncate(strings.Join(f, " "), 80)
}

// said is the post in a reason: who, reach, what happened, the quote.
func (r *recommender) said() string {
	p := r.sig.Post
	verb := "mentioned us"
	switch {
	case r.sig.Type == SignalSocialReply:
		verb = "replied to our post"
	case p.Keyword != "":
		verb = fmt.Sprintf("posted about “%s”", p.Keyword)
	}
	who := "@" + p.Author
	if p.Followers > 0 || p.Verified {
		who += " (" + reach(p.Followers, p.Verified) + ")"
	}
	return fmt.Sprintf("%s %s %s: “%s”", who, verb, r.ago(r.sig.OccurredAt), truncate(p.Text, 100))
}

// replyToPost is the reply move.
func (r *recommender) replyToPost(why string) Proposal {
	p := r.sig.Post
	return Proposal{
		Kind:      KindReplySocial,
		Domain:    r.customerDomain(DomainMarketing),
		Title:     fmt.Sprintf("Reply to @%s: %s", p.Author, firstWords(p.Text, 8)),
		Why:       []string{r.said(), "Worth a reply: " + why},
		Subject:   Subject{SubjectPost, p.ID},
		DueAt:     r.sig.OccurredAt.Add(r.st.MentionWindow / 2),
		DueLabel:  "best reply window closes",
		ExpiresAt: r.sig.OccurredAt.Add(r.st.MentionWindow),
		Draft:     Draft{PostID: p.ID, Body: fmt.Sprintf("Thanks @%s! ", p.Author), Fields: map[string]string{"author": p.Author}},
	}
}

// likePost acknowledges a mention not worth a written reply.
func (r *recommender) likePost() Proposal {
	p := r.sig.Post
	return Proposal{
		Kind:      KindReplySocial,
		Domain:    DomainMarketing,
		Title:     fmt.Sprintf("Like @%s's post: %s", p.Author, firstWords(p.Text, 8)),
		Why:       []string{r.said()},
		Subject:   Subject{SubjectPost, p.ID},
		DueAt:     r.sig.OccurredAt.Add(r.st.MentionWindow / 2),
		DueLabel:  "best reply window closes",
		ExpiresAt: r.sig.OccurredAt.Add(r.st.MentionWindow),
		Draft:     Draft{PostID: p.ID, Fields: map[string]string{"author": p.Author, "mode": "like"}},
	}
}

// prospectPosted is a sales move when the author is a known contact at a
// company we are selling to (an open deal, or a lead or opportunity): a
// public post about us from there is a buying signal.
func (r *recommender) prospectPosted() (Proposal, bool) {
	c := r.contact
	if c == nil || r.customerDomain("") == DomainCS {
		return Proposal{}, false
	}
	openDeal := r.deal != nil && !containsFold(r.st.WonStages, r.deal.Stage) && !containsFold(r.st.LostStages, r.deal.Stage)
	lead := equalFold(c.Lifecycle, "lead") || equalFold(c.Lifecycle, "opportunity") || equalFold(c.Lifecycle, "salesqualifiedlead") || equalFold(c.Lifecycle, "marketingqualifiedlead")
	if !openDeal && !lead {
		return Proposal{}, false
	}
	p := r.sig.Post
	at := r.companyName()
	pr := Proposal{
		Kind:      KindCreateTask,
		Domain:    DomainSales,
		Title:     fmt.Sprintf("Follow up with %s at %s: they posted about us on X", c.DisplayName(), at),
		Why:       []string{r.said(), fmt.Sprintf("%s is a %s at %s", c.DisplayName(), nonEmpty(c.Lifecycle, "prospect"), at)},
		Subject:   Subject{SubjectContact, c.ID},
		DueAt:     r.sig.OccurredAt.Add(r.st.LeadResponse),
		DueLabel:  "lead response window",
		ExpiresAt: r.sig.OccurredAt.Add(taskHorizon),
		ContactID: c.ID,
		Draft: Draft{
			TaskTitle: fmt.Sprintf("Follow up with %s (%s): posted about us on X", c.DisplayName(), at),
			Body:      fmt.Sprintf("@%s wrote: “%s”\n%s", p.Author, p.Text, p.URL),
		},
	}
	if openDeal {
		pr.DealID = r.deal.ID
	}
	return pr, true
}
