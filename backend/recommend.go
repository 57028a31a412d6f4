package backend

import (
	"fmt"
	"strings"
	"time"

	"github.com/caseyos/caseyos/backend/intent"
)

// Proposal is what a recommender suggests for one signal. The queue turns it
// into a new move, or updates the open move with the same subject and kind.
type Proposal struct {
	Kind      MoveKind
	Domain    Domain
	Title     string
	Why       []string
	Subject   Subject
	DueAt     time.Time
	DueLabel  string
	ExpiresAt time.Time
	Draft     Draft
	ContactID string
	CompanyID string
	DealID    string
	// StallNudge: the move nudges a stalled deal (see Move.StallNudge).
	StallNudge bool

	// SnoozedUntil: the move starts snoozed until then (a "not now"), and
	// a newer signal keeps it snoozed rather than waking it.
	SnoozedUntil time.Time
	// Ends: instead of a move, the open move with this Subject and Kind
	// ends (expired, Why[0] the reason); nothing is created.
	Ends bool
	// DoNotContact is an address that goes onto the do-not-contact list.
	DoNotContact string
	// NewContact is a person the signal introduced (a referral), stored
	// before the move that names them unless already known.
	NewContact *Contact
	// Quotes: the draft's body is a list of quotes (see MergeQuotes); an
	// update adds the new ones to the open move's instead of replacing.
	Quotes bool
	// Unlinked: the move is about a topic, not the signal's contact,
	// company or deal (a battle card): none is filled in.
	Unlinked bool
}

// RecordLookup gives recommenders the local copy of the CRM records a signal
// refers to. Missing records are nil, not errors.
type RecordLookup interface {
	Contact(id string) *Contact
	Company(id string) *Company
	Deal(id string) *Deal
}

// How long a move stays worth doing when nothing else says: after this its
// reason has passed and it expires, and a signal older than this (a first
// import of last quarter's CRM history) produces no move at all. A stalled
// deal's nudge has no horizon: it lasts as long as the silence does.
const (
	day          = 24 * time.Hour
	stageHorizon = 14 * day // demo prep without a date, CS handoff
	taskHorizon  = 30 * day // bounce fix, nurture, battle card
	mergeHorizon = 90 * day
)

// Recommend returns the moves a signal calls for. It is pure: everything it
// needs is in the signal, the lookups and the settings. A signal may call
// for no move (a deal moving to an ordinary stage, an internal meeting).
// zone is the owner's (nil: time.Local): the due times it chooses for
// tasks land on quarter hours, in working hours there when a day or more
// away (DueBy, DueFrom). A move's own DueAt, which urgency reads, stays
// the exact deadline.
func Recommend(sig *Signal, rec RecordLookup, st *Settings, now time.Time, zone *time.Location) []Proposal {
	return recommend(sig, rec, st, now, zone, nil)
}

// recommend is Recommend with the email's read when the caller has it
// (classifyEmail of the same signal and contact); nil reads it here.
func recommend(sig *Signal, rec RecordLookup, st *Settings, now time.Time, zone *time.Location, read *intent.Result) []Proposal {
	r := recommender{sig: sig, rec: rec, st: st, now: now, zone: zoneOr(zone), read: read}
	r.contact = rec.Contact(sig.ContactID)
	r.company = rec.Company(sig.CompanyID)
	if r.company == nil && r.contact != nil {
		r.company = rec.Company(r.contact.CompanyID)
	}
	r.deal = rec.Deal(sig.DealID)
	if r.deal == nil {
		r.deal = sig.Deal // not stored yet: the snapshot is all there is
	}
	if r.company == nil && r.deal != nil {
		r.company = rec.Company(r.deal.CompanyID)
	}
	var p []Proposal
	switch sig.Type {
	case SignalEmailReplied:
		p = r.inbound(true)
	case SignalEmailReceived:
		p = r.inbound(false)
	case SignalEmailBounced:
		p = r.fixBounce()
	case SignalEmailOutOfOffice:
		p = r.afterOutOfOffice()
	case SignalFormSubmitted:
		p = r.followUpForm()
	case SignalDealStageChanged:
		p = r.stageChanged()
	case SignalDealStalled:
		p = r.nudgeStalled()
	case SignalMeetingUpcoming:
		p = r.prepMeeting()
	case SignalMeetingEnded:
		p = r.followUpMeeting()
	case SignalSocialMention, SignalSocialReply, SignalSocialCompetitorMention:
		p = r.social() // recommend_social.go
	case SignalContactDuplicate:
		p = r.mergeDuplicateFound()
	}
	for i := range p {
		if p[i].Unlinked {
			continue
		}
		if p[i].ContactID == "" {
			p[i].ContactID = sig.ContactID
		}
		if p[i].CompanyID == "" && r.company != nil {
			p[i].CompanyID = r.company.ID
		}
		if p[i].DealID == "" {
			p[i].DealID = sig.DealID
		}
	}
	return p
}

type recommender struct {
	sig     *Signal
	rec     RecordLookup
	st      *Settings
	now     time.Time
	zone    *time.Location
	contact *Contact
	company *Company
	deal    *Deal
	// read is what an inbound email was read as (intent.Classify); nil
	// for every other signal.
	read *intent.Result
}

// ago marks how long ago t was; it is rendered when the reason is shown.
func (r *recommender) ago(t time.Time) string { return AgoToken(t) }

// customerDomain is cs for existing customers, else def.
func (r *recommender) customerDomain(def Domain) Domain {
	if r.contact != nil && equalFold(r.contact.Lifecycle, "customer") {
		return DomainCS
	}
	if r.deal != nil && containsFold(r.st.WonStages, r.deal.Stage) {
		return DomainCS
	}
	return def
}

func (r *recommender) who() string {
	if r.contact != nil {
		return r.contact.DisplayName()
	}
	if r.sig.Email != nil {
		if r.sig.Email.FromName != "" {
			return r.sig.Email.FromName
		}
		return r.sig.Email.From
	}
	return r.sig.ContactID
}

func (r *recommender) firstName() string {
	if r.contact != nil {
		return r.contact.FirstName()
	}
	if r.sig.Email != nil && r.sig.Email.FromName != "" {
		return strings.Fields(r.sig.Email.FromName)[0]
	}
	return "there"
}

func (r *recommender) companyName() string {
	switch {
	case r.company != nil && r.company.Name != "":
		return r.company.Name
	case r.deal != nil && r.deal.Name != "":
		return r.deal.Name
	}
	return "the account"
}

func (r *recommender) signature() string {
	if r.st.OwnerName == "" {
		return ""
	}
	return "\n\n" + r.st.OwnerName
}

func reSubject(s string) string {
	if strings.HasPrefix(strings.ToLower(s), "re:") {
		return s
	}
	return "Re: " + s
}

// replyToEmail is the reply in the thread; read says what the email
// asks, in words.
func (r *recommender) replyToEmail(isReply bool, read string) []Proposal {
	e := r.sig.Email
	verb := "wrote"
	if isReply {
		verb = "replied to"
	}
	why := []string{fmt.Sprintf("%s %s “%s” %s", r.who(), verb, e.Subject, r.ago(e.ReceivedAtOr(r.sig.OccurredAt)))}
	if read != "" {
		why = append(why, read)
	} else if e.Snippet != "" {
		why = append(why, "“"+truncate(e.Snippet, 120)+"”")
	}
	received := e.ReceivedAtOr(r.sig.OccurredAt)
	draft := Draft{
		To: []string{e.From}, Subject: reSubject(e.Subject), ThreadID: e.ThreadID, InReplyTo: e.MessageID,
	}
	if r.read != nil {
		// The composer answers; the thread, subject and recipient stay
		// as above (the subject cleaned as every move's is).
		draft.Body = r.composeReply().Body
	} else {
		draft.Body = fmt.Sprintf("Hi %s,\n\nThanks for getting back to me.%s", r.firstName(), r.signature())
	}
	return []Proposal{{
		Kind:      KindSendEmail,
		Domain:    r.customerDomain(DomainSales),
		Title:     fmt.Sprintf("Reply to %s: %s", r.who(), e.Subject),
		Why:       why,
		Subject:   Subject{SubjectThread, e.ThreadID},
		DueAt:     received.Add(r.st.ReplyWindow),
		DueLabel:  "reply window closes",
		ExpiresAt: received.Add(14 * 24 * time.Hour),
		Draft:     draft,
	}}
}

func (r *recommender) fixBounce() []Proposal {
	addr := ""
	if r.contact != nil {
		addr = r.contact.Email
	}
	return []Proposal{{
		Kind:    KindCreateTask,
		Domain:  DomainSales,
		Title:   fmt.Sprintf("Find a working address for %s", r.who()),
		Why:     []string{fmt.Sprintf("Email to %s bounced %s", nonEmpty(addr, r.who()), r.ago(r.sig.OccurredAt))},
		Subject: Subject{SubjectContact, r.sig.ContactID},
		Draft: Draft{
			TaskTitle: fmt.Sprintf("Find a working address for %s (%s bounced)", r.who(), nonEmpty(addr, "address")),
			TaskDue:   DueBy(r.sig.OccurredAt.Add(r.st.StageSLA), r.now, r.zone),
		},
		DueAt:     r.sig.OccurredAt.Add(r.st.StageSLA),
		DueLabel:  "bounce fix due",
		ExpiresAt: r.sig.OccurredAt.Add(taskHorizon),
	}}
}

func (r *recommender) afterOutOfOffice() []Proposal {
	back, err := time.Parse(time.RFC3339, r.sig.Payload["returns_at"])
	if err != nil {
		back = r.sig.OccurredAt.Add(7 * 24 * time.Hour)
	}
	e := r.sig.Email
	return []Proposal{{
		Kind:    KindCreateTask,
		Domain:  r.customerDomain(DomainSales),
		Title:   fmt.Sprintf("Follow up with %s when they are back", r.who()),
		Why:     []string{fmt.Sprintf("%s is out of office until %s", r.who(), DayToken(back))},
		Subject: Subject{SubjectContact, nonEmpty(r.sig.ContactID, e.From)},
		Draft: Draft{
			TaskTitle: fmt.Sprintf("Follow up with %s about “%s”", r.who(), e.Subject),
			TaskDue:   DueFrom(back, r.now, r.zone),
		},
		DueAt:     back,
		DueLabel:  "they are back",
		ExpiresAt: back.Add(7 * day),
	}}
}

// marketingForms are words in a form's name that mark it as a content or
// newsletter signup rather than a request for sales.
var marketingForms = []string{"newsletter", "subscribe", "webinar", "ebook", "download", "waitlist"}

func (r *recommender) followUpForm() []Proposal {
	f := r.sig.Form
	c := r.sig.Contact
	why := []string{fmt.Sprintf("%s submitted “%s” %s", r.who(), f.Form, r.ago(r.sig.OccurredAt))}
	if msg := f.Fields["message"]; msg != "" {
		why = append(why, "“"+truncate(msg, 120)+"”")
	}
	for _, w := range marketingForms {
		if containsPhrase(f.Form, w) {
			// A signup wants a warm welcome within days, not a sales call within hours.
			return []Proposal{{
				Kind:      KindSendEmail,
				Domain:    DomainMarketing,
				Title:     fmt.Sprintf("Welcome %s from the %s signup", r.who(), f.Form),
				Why:       why,
				Subject:   Subject{SubjectContact, r.sig.ContactID},
				DueAt:     r.sig.OccurredAt.Add(3 * 24 * time.Hour),
				DueLabel:  "welcome due",
				ExpiresAt: r.sig.OccurredAt.Add(14 * 24 * time.Hour),
				Draft: Draft{
					To:      []string{c.Email},
					Subject: "Welcome — a few things worth reading first",
					Body:    fmt.Sprintf("Hi %s,\n\nThanks for signing up. If you tell me a little about what you are building, I will point you to what people find most useful in their first week.%s", r.firstName(), r.signature()),
				},
			}}
		}
	}
	return []Proposal{{
		Kind:      KindSendEmail,
		Domain:    r.customerDomain(DomainSales),
		Title:     fmt.Sprintf("Follow up with %s (%s)", r.who(), f.Form),
		Why:       why,
		Subject:   Subject{SubjectContact, r.sig.ContactID},
		DueAt:     r.sig.OccurredAt.Add(r.st.LeadResponse),
		DueLabel:  "speed-to-lead window closes",
		ExpiresAt: r.sig.OccurredAt.Add(30 * 24 * time.Hour),
		Draft: Draft{
			To:      []string{c.Email},
			Subject: fmt.Sprintf("Re: your %s request", f.Form),
			Body:    fmt.Sprintf("Hi %s,\n\nThanks for reaching out through our %s form.%s", r.firstName(), f.Form, r.signature()),
		},
	}}
}

// hubspotStages are the readable names of HubSpot's default deal stages.
var hubspotStages = map[string]string{
	"appointmentscheduled": "Appointment scheduled", "qualifiedtobuy": "Qualified to buy",
	"presentationscheduled": "Presentation scheduled", "decisionmakerboughtin": "Decision maker bought-in",
	"contractsent": "Contract sent", "closedwon": "Closed won", "closedlost": "Closed lost",
}

// StageLabel returns a readable name for a deal stage id.
func StageLabel(id string) string {
	if l, ok := hubspotStages[strings.ToLower(id)]; ok {
		return l
	}
	return id
}

func (r *recommender) stageChanged() []Proposal {
	d := *r.sig.Deal
	d.Name = nonEmpty(d.Name, r.deal.Name)
	st := r.st
	prev := r.sig.Payload["previous_stage"]
	moved := fmt.Sprintf("%s moved to %s %s", nonEmpty(d.Name, d.ID), StageLabel(d.Stage), r.ago(r.sig.OccurredAt))
	if prev != "" {
		moved = fmt.Sprintf("%s moved from %s to %s %s", nonEmpty(d.Name, d.ID), StageLabel(prev), StageLabel(d.Stage), r.ago(r.sig.OccurredAt))
	}
	subject := Subject{SubjectDeal, d.ID}
	switch {
	case containsFold(st.DemoStages, d.Stage):
		due, label := r.sig.OccurredAt.Add(st.StageSLA), "demo prep due"
		expires := r.sig.OccurredAt.Add(stageHorizon)
		if at, err := time.Parse(time.RFC3339, r.sig.Payload["demo_at"]); err == nil {
			due, label, expires = at, "demo", at
		}
		return []Proposal{{
			Kind: KindCreateTask, Domain: DomainSales,
			Title:   fmt.Sprintf("Prep for the %s demo", r.companyName()),
			Why:     []string{moved},
			Subject: subject, DueAt: due, DueLabel: label, ExpiresAt: expires,
			Draft: Draft{
				TaskTitle: fmt.Sprintf("Demo prep: %s — agenda, use case, stakeholders", r.companyName()),
				TaskDue:   DueBy(due.Add(-time.Hour), r.now, r.zone),
			},
		}}
	case containsFold(st.WonStages, d.Stage):
		return []Proposal{{
			Kind: KindCreateTask, Domain: DomainCS,
			Title:   fmt.Sprintf("Hand off %s to customer success", r.companyName()),
			Why:     []string{moved, "closed-won: kickoff within a day keeps the momentum"},
			Subject: subject, DueAt: r.sig.OccurredAt.Add(24 * time.Hour), DueLabel: "handoff due",
			ExpiresAt: r.sig.OccurredAt.Add(stageHorizon),
			Draft: Draft{
				TaskTitle: fmt.Sprintf("CS handoff: %s — goals, stakeholders, kickoff date", r.companyName()),
				TaskDue:   DueBy(r.sig.OccurredAt.Add(24*time.Hour), r.now, r.zone),
			},
		}}
	case containsFold(st.LostStages, d.Stage):
		to := []string{}
		if r.contact != nil && r.contact.Email != "" {
			to = append(to, r.contact.Email)
		}
		if len(to) == 0 {
			// Without an address the nurture email cannot be drafted; a task stands in.
			return []Proposal{{
				Kind: KindCreateTask, Domain: DomainMarketing,
				Title:   fmt.Sprintf("Add %s to the nurture track", r.companyName()),
				Why:     []string{moved},
				Subject: subject, DueAt: r.sig.OccurredAt.Add(7 * 24 * time.Hour), DueLabel: "nurture touch due",
				ExpiresAt: r.sig.OccurredAt.Add(taskHorizon),
				Draft:     Draft{TaskTitle: fmt.Sprintf("Nurture: %s (closed-lost)", r.companyName())},
			}}
		}
		return []Proposal{{
			Kind: KindSendEmail, Domain: DomainMarketing,
			Title:   fmt.Sprintf("Start nurture for %s after closed-lost", r.companyName()),
			Why:     []string{moved, "closed-lost deals come back when nurtured"},
			Subject: subject, DueAt: r.sig.OccurredAt.Add(7 * 24 * time.Hour), DueLabel: "nurture touch due",
			ExpiresAt: r.sig.OccurredAt.Add(taskHorizon),
			Draft: Draft{
				To: to, Subject: "Staying in touch",
				Body: fmt.Sprintf("Hi %s,\n\nThanks again for considering us. I'll share what we ship over the next few months — no pressure.%s", r.firstName(), r.signature()),
			},
		}}
	}
	return nil
}

// nudgeStalled keeps a nudge on a stalled open deal for as long as it is
// silent: no expiry (the queue ends it when the deal has activity or
// closes, see endStalls), and an urgency that grows with the silence.
func (r *recommender) nudgeStalled() []Proposal {
	d := *r.sig.Deal
	d.Name = nonEmpty(d.Name, r.deal.Name)
	d.Stage = nonEmpty(d.Stage, r.deal.Stage)
	if r.deal.LastActivityAt.After(d.LastActivityAt) {
		d.LastActivityAt = r.deal.LastActivityAt
	}
	if ended, _ := stallEnded(&d, r.st, r.now); ended {
		return nil // closed, or active again since: an old stall from an import
	}
	// Tokens, so the sentence stays true as the silence goes on.
	why := []string{fmt.Sprintf("No activity on %s for %s, since %s", nonEmpty(d.Name, d.ID), ForToken(d.LastActivityAt), DayToken(d.LastActivityAt))}
	if d.LastActivityAt.IsZero() {
		why = []string{fmt.Sprintf("No activity on %s for %d days or more", nonEmpty(d.Name, d.ID), r.st.StalledDealDays)}
	}
	// Due a day after CaseyOS learns of the stall, not after it began: a
	// first sync of a deal quiet for a month is not overdue the moment it
	// appears.
	learned := r.sig.OccurredAt
	if r.now.After(learned) {
		learned = r.now
	}
	p := Proposal{
		Domain: DomainSales, Subject: Subject{SubjectDeal, d.ID},
		Why:   why,
		DueAt: learned.Add(24 * time.Hour), DueLabel: "nudge due",
		StallNudge: true,
	}
	if r.contact != nil && r.contact.Email != "" {
		p.Kind = KindSendEmail
		p.Title = fmt.Sprintf("Nudge %s: %s has gone quiet", r.contact.DisplayName(), nonEmpty(d.Name, r.companyName()))
		p.Draft = Draft{
			To: []string{r.contact.Email}, Subject: fmt.Sprintf("Checking in on %s", nonEmpty(d.Name, "our conversation")),
			Body: fmt.Sprintf("Hi %s,\n\nWanted to check in — is this still a priority this quarter?%s", r.contact.FirstName(), r.signature()),
		}
		return []Proposal{p}
	}
	p.Kind = KindCreateTask
	p.Title = fmt.Sprintf("Revive %s: it has gone quiet", nonEmpty(d.Name, r.companyName()))
	p.Draft = Draft{TaskTitle: fmt.Sprintf("Find the next step on %s", nonEmpty(d.Name, d.ID))}
	return []Proposal{p}
}

func (r *recommender) prepMeeting() []Proposal {
	m := r.sig.Meeting
	if !m.External {
		return nil
	}
	return []Proposal{{
		Kind:      KindNote,
		Domain:    r.customerDomain(DomainSales),
		Title:     fmt.Sprintf("Prep for “%s”", m.Title),
		Why:       []string{fmt.Sprintf("“%s” with %s starts %s", m.Title, attendeeList(r.others(m.Attendees)), AtToken(m.Start))},
		Subject:   Subject{SubjectMeeting, m.ID},
		DueAt:     m.Start,
		DueLabel:  "meeting",
		ExpiresAt: m.Start,
		Draft: Draft{
			Subject: "Prep: " + m.Title,
			Body:    fmt.Sprintf("Goal of the meeting:\nWhat they care about:\nOpen questions:\nNext step to ask for:\n\nAttendees: %s", strings.Join(m.Attendees, ", ")),
		},
	}}
}

func (r *recommender) followUpMeeting() []Proposal {
	m := r.sig.Meeting
	if !m.External {
		return nil
	}
	var to []string
	for _, a := range m.Attendees {
		if r.contact != nil && strings.EqualFold(a, r.contact.Email) {
			to = []string{a}
		}
	}
	if len(to) == 0 {
		to = externalOnly(r.others(m.Attendees), r.st)
	}
	if len(to) == 0 {
		return nil
	}
	return []Proposal{{
		Kind:      KindSendEmail,
		Domain:    r.customerDomain(DomainSales),
		Title:     fmt.Sprintf("Follow up after “%s”", m.Title),
		Why:       []string{fmt.Sprintf("“%s” ended %s", m.Title, r.ago(m.End))},
		Subject:   Subject{SubjectMeeting, m.ID},
		DueAt:     m.End.Add(r.st.MeetingFollowUp),
		DueLabel:  "follow-up window closes",
		ExpiresAt: m.End.Add(7 * 24 * time.Hour),
		Draft: Draft{
			To: to, Subject: "Thanks — next steps after " + m.Title,
			// No notes from the meeting reach us, so the draft promises
			// no recap it cannot fill: it asks for the next step instead.
			Body: fmt.Sprintf("Hi %s,\n\nThanks for the time today. What would be the most useful next step on your side? I am happy to send over anything that helps.%s", r.firstName(), r.signature()),
		},
	}}
}

// mention is the battle card of a post tagged with a competitor (the X
// watch list's search, an import): the quote is the sentence naming it
// when the tag is found in the text, else the post.
func (r *recommender) mention() []Proposal {
	p := r.sig.Post
	name, quote := MentionsCompetitor(p.Text, []string{p.Competitor})
	if name == "" {
		name, quote = p.Competitor, truncate(p.Text, maxQuote)
	}
	why := fmt.Sprintf("@%s posted about %s %s: “%s”", p.Author, name, r.ago(r.sig.OccurredAt), truncate(p.Text, 100))
	return []Proposal{r.battleCard(name, quote, "@"+p.Author, why, p.URL, p.Author)}
}

func (r *recommender) mergeDuplicate() []Proposal {
	dupID := r.sig.Payload["duplicate_id"]
	dup := r.rec.Contact(dupID)
	a, b := r.who(), dupID
	if dup != nil {
		b = dup.DisplayName()
		if dup.Email != "" && r.contact != nil && r.contact.Email != "" {
			a, b = r.contact.Email, dup.Email
		}
	}
	return []Proposal{{
		Kind:      KindMergeContacts,
		Domain:    DomainMarketing,
		Title:     fmt.Sprintf("Merge duplicate contacts %s and %s", a, b),
		Why:       []string{fmt.Sprintf("%s and %s look like the same person", a, b)},
		Subject:   Subject{SubjectContact, r.sig.ContactID},
		Draft:     Draft{MergeIDs: []string{r.sig.ContactID, dupID}},
		ExpiresAt: r.sig.OccurredAt.Add(mergeHorizon),
	}}
}

// ReceivedAtOr returns when the message arrived, or def when unknown.
func (e *EmailMessage) ReceivedAtOr(def time.Time) time.Time {
	if e.ReceivedAt.IsZero() {
		return def
	}
	return e.ReceivedAt
}

func attendeeList(a []string) string {
	switch len(a) {
	case 0:
		return "no one yet"
	case 1, 2, 3:
		return strings.Join(a, ", ")
	}
	return fmt.Sprintf("%s and %d others", strings.Join(a[:2], ", "), len(a)-2)
}

// others drops the founder's own address from a list of attendees.
func (r *recommender) others(attendees []string) []string {
	var out []string
	for _, a := range attendees {
		if r.st.OwnerEmail == "" || !strings.EqualFold(a, r.st.OwnerEmail) {
			out = append(out, a)
		}
	}
	return out
}

// externalOnly drops attendees at the owner's own domain: the domain of
// OwnerEmail when set, else the domain shared by the most attendees.
func externalOnly(attendees []string, st *Settings) []string {
	if i := strings.LastIndexByte(st.OwnerEmail, '@'); i > 0 {
		own := strings.ToLower(st.OwnerEmail[i:])
		var out []string
		for _, a := range attendees {
			if !strings.HasSuffix(strings.ToLower(a), own) {
				out = append(out, a)
			}
		}
		return out
	}
	count := map[string]int{}
	for _, a := range attendees {
		if i := strings.LastIndexByte(a, '@'); i > 0 {
			count[strings.ToLower(a[i+1:])]++
		}
	}
	own, best := "", 1
	for d, n := range count {
		if n > best {
			own, best = d, n
		}
	}
	var out []string
	for _, a := range attendees {
		if own == "" || !strings.HasSuffix(strings.ToLower(a), "@"+own) {
			out = append(out, a)
		}
	}
	return out
}

func truncate(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func nonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
