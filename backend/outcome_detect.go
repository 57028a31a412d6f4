package backend

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/caseyos/caseyos/backend/intent"
)

// Outcome detection. When an execution commits, watchExecution stores an
// OutcomeWatch naming what later signals can be matched by: the thread and
// our Message-ID of a sent email, the event we booked, the deal, the task,
// our post, the people reached. Each new signal at ingest looks up only the
// watches its own ids name (detectOutcomes), so detection costs a few index
// reads per signal whatever the number of executions; a sent email's
// RespondBy puts it in a time index that sweepNoResponse reads up to now.
//
// Reply intents (intent.Classify) that make a reply positive or negative:
//
//	positive_reply: interested, meeting_request, pricing_question, referral
//	negative_reply: objection, unsubscribe, churn_risk, not_now
//
// other is a reply and nothing more; an auto-reply (the connector's
// email.out_of_office, or a reply the classifier reads as out_of_office)
// is out_of_office and never a reply.

// DefaultNoResponseDays is how many business days a sent email waits for
// an answer before its no_response outcome.
const DefaultNoResponseDays = 3

// noResponseDays is the setting, 0 reading as the default.
func noResponseDays(st *Settings) int {
	if st == nil || st.NoResponseDays <= 0 {
		return DefaultNoResponseDays
	}
	return st.NoResponseDays
}

// addBusinessDays returns t plus n weekdays in loc (Saturday and Sunday
// do not count), at the same wall-clock time.
func addBusinessDays(t time.Time, n int, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.Local
	}
	d := t.In(loc)
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return d
}

var positiveIntents = map[intent.Label]bool{intent.Interested: true, intent.MeetingRequest: true, intent.PricingQuestion: true, intent.Referral: true}
var negativeIntents = map[intent.Label]bool{intent.Objection: true, intent.Unsubscribe: true, intent.ChurnRisk: true, intent.NotNow: true}

// missedRe is a reply saying the meeting did not happen for them.
var missedRe = regexp.MustCompile(`(?i)\b(sorry (i|we) missed|(i|we) missed (the|our) (call|meeting)|couldn'?t make (it|the call|the meeting)|could not make (it|the call|the meeting)|missed our (call|meeting)|no[- ]show)`)

// watchKey normalizes a Message-ID for a link: lower case, in angle brackets.
func msgLink(id string) string {
	id = strings.ToLower(strings.Trim(strings.TrimSpace(id), "<>"))
	if id == "" {
		return ""
	}
	return "msgid:<" + id + ">"
}

func contactLink(addr string) string {
	if a := normalizeEmail(addr); a != "" {
		return "contact:" + a
	}
	return ""
}

// ago says how long after the execution something happened: "2 h after".
func ago(from, to time.Time) string {
	d := to.Sub(from)
	switch {
	case d < time.Minute:
		return "moments"
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h", int(d.Hours()))
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

// watchExecution starts watching a committed execution and records the
// outcomes its own commit is (a meeting we booked, a merge), in the
// commit's transaction.
func (c *core) watchExecution(tx Tx, m *Move, e *Execution, p *Plan, now time.Time) error {
	w := &OutcomeWatch{ExecutionID: e.ID, MoveID: m.ID, Kind: e.Kind, Action: e.Action, CommittedAt: now}
	if p != nil {
		w.Action = p.Action
	}
	add := func(l string) {
		for _, x := range w.Links {
			if x == l {
				return
			}
		}
		if l != "" && !strings.HasSuffix(l, ":") {
			w.Links = append(w.Links, l)
		}
	}
	ids := e.RemoteIDs
	if m.DealID != "" {
		add("deal:" + m.DealID)
	}
	var booked *Outcome
	switch {
	case p != nil && p.Email != nil && p.Action == ActionSendEmail:
		add("thread:" + ids["thread_id"])
		add("thread:" + p.Email.ThreadID)
		add(msgLink(ids["rfc822_id"]))
		add(msgLink(p.Email.MessageID))
		for _, to := range p.Email.To {
			add(contactLink(to))
		}
		if len(p.Email.To) > 0 {
			w.Contact = p.Email.To[0]
		}
		st, err := tx.Settings()
		if err != nil {
			return err
		}
		w.RespondBy = addBusinessDays(now, noResponseDays(st), c.zone)
	case p != nil && p.Meeting != nil:
		add("event:" + ids["event_id"])
		add("event:" + p.Meeting.EventID)
		if m.Subject.Type == SubjectThread {
			add("thread:" + m.Subject.ID)
		}
		st, err := tx.Settings()
		if err != nil {
			return err
		}
		for _, a := range p.Meeting.Attendees {
			if !strings.EqualFold(a, st.OwnerEmail) {
				add(contactLink(a))
				if w.Contact == "" {
					w.Contact = a
				}
			}
		}
		w.MeetingEnd = p.Meeting.End
		booked = &Outcome{MoveID: m.ID, ExecutionID: e.ID, Type: OutcomeMeetingBooked, Actor: ActorSystem, OccurredAt: now,
			Note: fmt.Sprintf("we booked “%s” for %s with %s", p.Meeting.Title, Stamp(p.Meeting.Start, c.zone), strings.Join(p.Meeting.Attendees, ", "))}
	case p != nil && p.Task != nil:
		add("task:" + ids["task_id"])
		add("deal:" + p.Task.DealID)
	case p != nil && p.Deal != nil:
		add("deal:" + p.Deal.DealID)
		w.Stage = p.Deal.ToStage
	case p != nil && p.Social != nil && p.Action == ActionReplySocial:
		add("post:" + ids["post_id"])
		w.Contact = p.Social.Author
	case p != nil && p.Merge != nil:
		return c.detected(tx, &Outcome{MoveID: m.ID, ExecutionID: e.ID, Type: OutcomeMerged, Actor: ActorSystem, OccurredAt: now,
			Note: fmt.Sprintf("%s merged into %s", p.Merge.mergedLabel(), p.Merge.primaryLabel())}, nil, now)
	}
	if len(w.Links) == 0 && w.RespondBy.IsZero() {
		return nil
	}
	if err := tx.PutOutcomeWatch(w); err != nil {
		return err
	}
	if booked != nil {
		return c.detected(tx, booked, w, now)
	}
	return nil
}

// executionEnded records undone or error for an execution that ended that
// way, and stops waiting for a response to it.
func (c *core) executionEnded(tx Tx, m *Move, e *Execution, typ OutcomeType, why string, now time.Time) error {
	o := &Outcome{MoveID: m.ID, ExecutionID: e.ID, Type: typ, Actor: ActorSystem, OccurredAt: now, Note: why}
	w, err := tx.OutcomeWatch(e.ID)
	switch {
	case ErrorCode(err) == ENOTFOUND:
		w = nil
	case err != nil:
		return err
	}
	return c.detected(tx, o, w, now)
}

// detected records a detected outcome once per execution and type, and
// stops the watch's wait for a response when the outcome is one.
func (c *core) detected(tx Tx, o *Outcome, w *OutcomeWatch, now time.Time) error {
	if _, err := c.recordOutcome(tx, o, now); err != nil {
		return err
	}
	if w == nil || w.RespondBy.IsZero() {
		return nil
	}
	switch o.Type {
	case OutcomeOutOfOffice, OutcomeMeetingHeld, OutcomeNoShow, OutcomeDealAdvanced, OutcomeTaskCompleted, OutcomeMentionEngaged:
		return nil // not an answer to the email: keep waiting
	}
	w.RespondBy = time.Time{}
	return tx.PutOutcomeWatch(w)
}

// detector matches one signal to the watches its ids name.
type detector struct {
	in  *ingester
	c   *core
	tx  Tx
	st  *Settings
	rec *txRecords
	now time.Time
	s   *Signal
}

// detectOutcomes finds what a newly stored signal says about earlier
// executions. Only watches committed before the signal count: a stage
// change or a reply from before the move is no outcome of it.
func (in *ingester) detectOutcomes(s *Signal) error {
	if in.core == nil {
		return nil
	}
	d := &detector{in: in, c: in.core, tx: in.tx, st: in.st, rec: in.rec, now: in.now, s: s}
	switch s.Type {
	case SignalEmailReplied, SignalEmailReceived:
		return d.reply()
	case SignalEmailOutOfOffice:
		return d.emailOutcome(OutcomeOutOfOffice, "sent an auto-reply")
	case SignalEmailUnsubscribed:
		return d.emailOutcome(OutcomeUnsubscribed, "asked to be unsubscribed")
	case SignalEmailBounced:
		return d.bounce()
	case SignalMeetingUpcoming:
		return d.meetingBooked()
	case SignalMeetingEnded:
		return d.meetingEnded()
	case SignalDealStageChanged:
		return d.stage()
	case SignalSocialReply, SignalSocialMention:
		return d.social()
	case SignalTaskCompleted:
		return d.task()
	}
	return nil
}

// watches returns the watches of the links, each once, committed before
// the signal.
func (d *detector) watches(links ...string) ([]*OutcomeWatch, error) {
	var out []*OutcomeWatch
	seen := map[uint64]bool{}
	for _, l := range links {
		if l == "" || strings.HasSuffix(l, ":") {
			continue
		}
		ws, err := d.tx.OutcomeWatchesByLink(l)
		if err != nil {
			return nil, err
		}
		for _, w := range ws {
			if !seen[w.ExecutionID] && w.CommittedAt.Before(d.s.OccurredAt) {
				seen[w.ExecutionID] = true
				out = append(out, w)
			}
		}
	}
	return out, nil
}

// who names the signal's person for an explanation.
func (d *detector) who() string {
	if d.s.ContactID != "" {
		if c := d.rec.Contact(d.s.ContactID); c != nil {
			return c.DisplayName()
		}
	}
	if e := d.s.Email; e != nil {
		if e.FromName != "" {
			return e.FromName
		}
		if e.From != "" {
			return e.From
		}
	}
	if p := d.s.Post; p != nil && p.Author != "" {
		return "@" + p.Author
	}
	return "they"
}

func (d *detector) record(w *OutcomeWatch, typ OutcomeType, note string) error {
	o := &Outcome{MoveID: w.MoveID, ExecutionID: w.ExecutionID, Type: typ, SignalID: d.s.ID, Actor: ActorSystem,
		OccurredAt: d.s.OccurredAt, Note: note}
	if typ == OutcomeNoShow {
		// The calendar only knows the event ended; a "sorry I missed it"
		// afterwards corrects the meeting_held read from that.
		have, err := d.tx.FindOutcomes(w.MoveID)
		if err != nil {
			return err
		}
		for _, h := range have {
			if h.ExecutionID == w.ExecutionID && h.Type == OutcomeMeetingHeld {
				o.Corrects = h.ID
			}
		}
	}
	return d.c.detected(d.tx, o, w, d.now)
}

// emailWatches are the watches a message answers: the Message-IDs it
// names, then its thread. A message that is itself one of ours (our sent
// mail coming back through a sync) or from the owner answers none.
func (d *detector) emailWatches() ([]*OutcomeWatch, error) {
	e := d.s.Email
	if e == nil {
		return d.watches("thread:" + d.s.ThreadID)
	}
	if d.st.OwnerEmail != "" && strings.EqualFold(e.From, d.st.OwnerEmail) {
		return nil, nil
	}
	if own, err := d.tx.OutcomeWatchesByLink(msgLink(e.MessageID)); err != nil || len(own) > 0 {
		return nil, err
	}
	links := []string{msgLink(e.InReplyTo)}
	for _, r := range e.References {
		links = append(links, msgLink(r))
	}
	links = append(links, "thread:"+nonEmpty(e.ThreadID, d.s.ThreadID))
	ws, err := d.watches(links...)
	if err != nil {
		return nil, err
	}
	out := ws[:0]
	for _, w := range ws {
		if w.Action == ActionSendEmail || w.Kind == KindScheduleMeeting {
			out = append(out, w)
		}
	}
	return out, nil
}

func (d *detector) where() string {
	if d.s.Email != nil && d.s.Email.Subject != "" {
		return "in the thread “" + d.s.Email.Subject + "”"
	}
	if t := nonEmpty(d.s.ThreadID, ""); t != "" {
		return "in thread " + t
	}
	return ""
}

func (d *detector) emailOutcome(typ OutcomeType, what string) error {
	ws, err := d.emailWatches()
	if err != nil {
		return err
	}
	if typ == OutcomeUnsubscribed && len(ws) == 0 && d.s.Email != nil {
		if ws, err = d.emailsTo(d.s.Email.From); err != nil {
			return err
		}
	}
	for _, w := range ws {
		if w.Action != ActionSendEmail {
			continue
		}
		if err := d.record(w, typ, fmt.Sprintf("%s %s %s, %s after the send", d.who(), what, d.where(), ago(w.CommittedAt, d.s.OccurredAt))); err != nil {
			return err
		}
	}
	return nil
}

// emailsTo returns the sent emails to addr still awaiting a response.
func (d *detector) emailsTo(addr string) ([]*OutcomeWatch, error) {
	ws, err := d.watches(contactLink(addr))
	if err != nil {
		return nil, err
	}
	out := ws[:0]
	for _, w := range ws {
		if w.Action == ActionSendEmail && !w.RespondBy.IsZero() {
			out = append(out, w)
		}
	}
	return out, nil
}

func (d *detector) reply() error {
	ws, err := d.emailWatches()
	if err != nil {
		return err
	}
	e := d.s.Email
	if e == nil {
		return nil
	}
	text := e.Subject + " " + nonEmpty(e.Body, e.Snippet)
	missed := missedRe.MatchString(text)
	if ws, err = d.unread(ws); err != nil {
		return err
	}
	if len(ws) == 0 && !missed {
		return nil
	}
	res := d.in.readEmail(d.s)
	for _, w := range ws {
		after := ago(w.CommittedAt, d.s.OccurredAt)
		if w.Kind == KindScheduleMeeting {
			if !w.MeetingEnd.IsZero() && w.MeetingEnd.Before(d.s.OccurredAt) && missed {
				if err := d.record(w, OutcomeNoShow, fmt.Sprintf("%s wrote “%s” after the meeting ended", d.who(), truncate(e.Snippet, 80))); err != nil {
					return err
				}
			}
			continue
		}
		if res.Intent == intent.OutOfOffice {
			if err := d.record(w, OutcomeOutOfOffice, fmt.Sprintf("%s sent an auto-reply %s, %s after the send", d.who(), d.where(), after)); err != nil {
				return err
			}
			continue
		}
		if err := d.record(w, OutcomeReplied, fmt.Sprintf("%s replied %s, %s after the send", d.who(), d.where(), after)); err != nil {
			return err
		}
		why := ""
		if len(res.Evidence) > 0 {
			why = ": “" + res.Evidence[0] + "”"
		}
		switch {
		case positiveIntents[res.Intent]:
			err = d.record(w, OutcomePositiveReply, fmt.Sprintf("%s's reply reads as %s%s", d.who(), res.Intent, why))
		case negativeIntents[res.Intent]:
			err = d.record(w, OutcomeNegativeReply, fmt.Sprintf("%s's reply reads as %s%s", d.who(), res.Intent, why))
		}
		if err != nil {
			return err
		}
	}
	// "Sorry I missed the call" in a new thread: the meetings we booked
	// with the sender that have ended.
	if missed {
		mws, err := d.watches(contactLink(e.From))
		if err != nil {
			return err
		}
		for _, w := range mws {
			if w.Kind == KindScheduleMeeting && !w.MeetingEnd.IsZero() && w.MeetingEnd.Before(d.s.OccurredAt) {
				if err := d.record(w, OutcomeNoShow, fmt.Sprintf("%s wrote “%s” after the meeting ended", d.who(), truncate(e.Snippet, 80))); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// unread drops the sent emails whose reply has been read in full already
// (replied and its tone recorded): another message in the thread adds
// nothing, and reading it is the costly part. Meetings stay: a reply may
// say it was missed.
func (d *detector) unread(ws []*OutcomeWatch) ([]*OutcomeWatch, error) {
	out := ws[:0]
	for _, w := range ws {
		if w.Kind == KindScheduleMeeting {
			out = append(out, w)
			continue
		}
		have, err := d.tx.FindOutcomes(w.MoveID)
		if err != nil {
			return nil, err
		}
		replied, tone := false, false
		for _, o := range have {
			if o.ExecutionID == w.ExecutionID && o.Actor == ActorSystem {
				replied = replied || o.Type == OutcomeReplied
				tone = tone || o.Type == OutcomePositiveReply || o.Type == OutcomeNegativeReply
			}
		}
		if !replied || !tone {
			out = append(out, w)
		}
	}
	return out, nil
}

func (d *detector) bounce() error {
	ws, err := d.watches("thread:" + d.s.ThreadID)
	if err != nil {
		return err
	}
	addr := d.s.Payload["bounced_address"]
	if len(ws) == 0 && addr != "" {
		if ws, err = d.emailsTo(addr); err != nil {
			return err
		}
	}
	for _, w := range ws {
		if w.Action != ActionSendEmail {
			continue
		}
		why := ""
		if r := d.s.Payload["reason"]; r != "" {
			why = " (" + r + ")"
		}
		if err := d.record(w, OutcomeBounced, fmt.Sprintf("the email to %s bounced%s, %s after the send", nonEmpty(addr, w.Contact), why, ago(w.CommittedAt, d.s.OccurredAt))); err != nil {
			return err
		}
	}
	return nil
}

// meetingBooked: an event with someone we emailed, first seen after the
// email. Our own booking was recorded when it committed.
func (d *detector) meetingBooked() error {
	mt := d.s.Meeting
	if mt == nil || !mt.External {
		return nil // a meeting among colleagues is no one's answer to an email
	}
	if ours, err := d.tx.OutcomeWatchesByLink("event:" + mt.ID); err != nil || len(ours) > 0 {
		return err
	}
	for _, a := range mt.Attendees {
		if strings.EqualFold(a, d.st.OwnerEmail) {
			continue
		}
		ws, err := d.watches(contactLink(a))
		if err != nil {
			return err
		}
		for _, w := range ws {
			if w.Action != ActionSendEmail {
				continue
			}
			if err := d.record(w, OutcomeMeetingBooked, fmt.Sprintf("“%s” with %s was booked for %s, %s after the send", mt.Title, a, Stamp(mt.Start, d.c.zone), ago(w.CommittedAt, d.s.OccurredAt))); err != nil {
				return err
			}
		}
	}
	return nil
}

func (d *detector) meetingEnded() error {
	mt := d.s.Meeting
	if mt == nil {
		return nil
	}
	ws, err := d.watches("event:" + mt.ID)
	if err != nil {
		return err
	}
	for _, w := range ws {
		if w.Kind != KindScheduleMeeting {
			continue
		}
		// The guests we invited (the watch's contacts): no show when every
		// one of them declined.
		guests, declined := 0, 0
		for _, l := range w.Links {
			if a, ok := strings.CutPrefix(l, "contact:"); ok {
				guests++
				if containsFold(mt.Declined, a) {
					declined++
				}
			}
		}
		if guests > 0 && declined == guests {
			err = d.record(w, OutcomeNoShow, fmt.Sprintf("“%s” ended at %s; %s declined", mt.Title, Stamp(mt.End, d.c.zone), strings.Join(mt.Declined, ", ")))
		} else {
			err = d.record(w, OutcomeMeetingHeld, fmt.Sprintf("“%s” ended at %s", mt.Title, Stamp(mt.End, d.c.zone)))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// stage reads a stage change after the move: won, lost, or forward. The
// CRM echoing the stage our own update_deal set is none of them.
func (d *detector) stage() error {
	if d.s.DealID == "" || d.s.Deal == nil || d.s.Deal.Stage == "" {
		return nil
	}
	to, from := d.s.Deal.Stage, d.s.Payload["previous_stage"]
	ws, err := d.watches("deal:" + d.s.DealID)
	if err != nil {
		return err
	}
	for _, w := range ws {
		if w.Stage != "" && equalFold(w.Stage, to) && d.s.OccurredAt.Sub(w.CommittedAt) < time.Hour {
			return nil // our own change coming back
		}
	}
	typ := OutcomeDealAdvanced
	switch {
	case containsFold(d.st.WonStages, to):
		typ = OutcomeDealWon
	case containsFold(d.st.LostStages, to):
		typ = OutcomeDealLost
	case from == "" || !stageForward(d.st, from, to):
		return nil
	}
	name := d.s.DealID
	if d.s.Deal.Name != "" {
		name = d.s.Deal.Name
	}
	for _, w := range ws {
		note := fmt.Sprintf("%s moved to %s, %s after the move", name, StageLabel(to), ago(w.CommittedAt, d.s.OccurredAt))
		if from != "" {
			note = fmt.Sprintf("%s moved from %s to %s, %s after the move", name, StageLabel(from), StageLabel(to), ago(w.CommittedAt, d.s.OccurredAt))
		}
		if err := d.record(w, typ, note); err != nil {
			return err
		}
	}
	return nil
}

// social: a reply to our post, or a like of it.
func (d *detector) social() error {
	p := d.s.Post
	if p == nil {
		return nil
	}
	target, verb := p.InReplyTo, "replied to"
	if liked := d.s.Payload["liked_post_id"]; liked != "" {
		target, verb = liked, "liked"
	}
	if target == "" {
		return nil
	}
	ws, err := d.watches("post:" + target)
	if err != nil {
		return err
	}
	for _, w := range ws {
		if err := d.record(w, OutcomeMentionEngaged, fmt.Sprintf("@%s %s our post, %s after it went out", p.Author, verb, ago(w.CommittedAt, d.s.OccurredAt))); err != nil {
			return err
		}
	}
	return nil
}

// task: the CRM says a task we created is completed.
func (d *detector) task() error {
	id := d.s.Payload["task_id"]
	ws, err := d.watches("task:" + id)
	if err != nil {
		return err
	}
	for _, w := range ws {
		if err := d.record(w, OutcomeTaskCompleted, fmt.Sprintf("task %s was completed, %s after we created it", nonEmpty(d.s.Payload["subject"], id), ago(w.CommittedAt, d.s.OccurredAt))); err != nil {
			return err
		}
	}
	return nil
}

// sweepNoResponse records no_response for up to limit sent emails whose
// wait has run out by now, earliest first, and reports how many.
func (c *core) sweepNoResponse(tx Tx, now time.Time, limit int) (int, error) {
	ws, err := tx.OutcomeWatchesDue(now, limit)
	if err != nil || len(ws) == 0 {
		return 0, err
	}
	st, err := tx.Settings()
	if err != nil {
		return 0, err
	}
	for _, w := range ws {
		o := &Outcome{MoveID: w.MoveID, ExecutionID: w.ExecutionID, Type: OutcomeNoResponse, Actor: ActorSystem, OccurredAt: w.RespondBy,
			Note: fmt.Sprintf("nothing came back from %s within %d business days of the send (due %s)", nonEmpty(w.Contact, "them"), noResponseDays(st), Stamp(w.RespondBy, c.zone))}
		if err := c.detected(tx, o, w, now); err != nil {
			return 0, err
		}
	}
	return len(ws), nil
}
