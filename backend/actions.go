package backend

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Action names: what an execution does. Every MoveKind maps to one (a
// send_email move whose draft says mode=draft becomes create_draft).
const (
	ActionSendEmail       = "send_email"
	ActionCreateDraft     = "create_draft"
	ActionCreateTask      = "create_task"
	ActionUpdateDeal      = "update_deal"
	ActionScheduleMeeting = "schedule_meeting"
	ActionMergeContacts   = "merge_contacts"
	ActionReplySocial     = "reply_social"
	// ActionLikeSocial likes the post: a reply_social move whose draft
	// says mode=like.
	ActionLikeSocial = "like_social"
	ActionNote       = "note"
)

// Capabilities are the outside systems the actions use; a nil one is not
// connected, and the kinds it serves are refused with "connect X".
type Capabilities struct {
	Mailbox  Mailbox
	Calendar Calendar
	CRM      CRM
	Social   SocialFeed
}

// TaskFinder is a CRM that can find a task by the idempotency key stored
// on it (HubSpot: a custom task property), so a crash after the create is
// reconciled instead of repeated.
type TaskFinder interface {
	FindTaskByKey(ctx context.Context, key string) (id string, ok bool, err error)
}

// PlanInput is what planning reads: the move and the records around it,
// as stored when the preview was asked for.
type PlanInput struct {
	Move    *Move
	Contact *Contact
	Company *Company
	Deal    *Deal
	// Merging are the stored contacts a merge names, in the order of
	// Draft.MergeIDs (nil where unknown), for their names.
	Merging  []*Contact
	Settings *Settings
	Now      time.Time
	// Zone is the owner's time zone, for meeting times (nil: the
	// computer's, time.Local).
	Zone *time.Location
}

// Action is an Executor that can also dry-run, look for its own effect and
// compensate. The queue plans with Plan, stores the plan, and later carries
// out exactly that plan with Do; Execute (from Executor) is Plan then Do.
type Action interface {
	Executor
	// Plan renders exactly what executing the move would do. It writes
	// nothing anywhere (it may read, e.g. free/busy).
	Plan(ctx context.Context, in PlanInput) (*Plan, error)
	// Do carries out p. Calling it again with the same p must not make a
	// second effect where the remote side allows it (client-chosen ids).
	Do(ctx context.Context, p *Plan) (ExecutionResult, error)
	// Find asks the remote side whether p was already carried out (after
	// a crash or a lost answer). ok=false with a nil error means it was
	// not, so it may be done now; an ECONFLICT error means the remote side
	// cannot tell, and says what to check.
	Find(ctx context.Context, p *Plan) (res ExecutionResult, ok bool, err error)
	// Compensate undoes a committed p, or returns ECONFLICT saying
	// honestly why it cannot.
	Compensate(ctx context.Context, p *Plan, remote map[string]string) error
}

// NewActions returns one action per connected capability plus the local
// note action, ready for NewServices.
func NewActions(c Capabilities) []Executor {
	out := []Executor{LocalExecutor{}}
	if c.Mailbox != nil {
		out = append(out, EmailAction{Mailbox: c.Mailbox})
	}
	if c.CRM != nil {
		out = append(out, TaskAction{CRM: c.CRM}, DealAction{CRM: c.CRM})
	}
	// Imported contacts merge here without HubSpot; the action says when
	// a merge needs it.
	out = append(out, MergeAction{CRM: c.CRM})
	if c.Calendar != nil {
		out = append(out, MeetingAction{Calendar: c.Calendar})
	}
	if c.Social != nil {
		out = append(out, SocialAction{Feed: c.Social})
	}
	return out
}

// planAndDo is Executor.Execute for an action: plan from the move alone,
// bound to the execution's key, then do.
func planAndDo(ctx context.Context, a Action, m *Move, exec *Execution) (ExecutionResult, error) {
	p, err := a.Plan(ctx, PlanInput{Move: m, Settings: DefaultSettings(), Now: time.Now()})
	if err != nil {
		return ExecutionResult{}, err
	}
	p.bind(exec.IdempotencyKey, "")
	return a.Do(ctx, p)
}

func cannotVerify(format string, args ...any) error {
	return Errorf(ECONFLICT, format, args...)
}

func recipients(in PlanInput, addrs ...[]string) []PlanRecipient {
	var out []PlanRecipient
	for _, list := range addrs {
		for _, a := range list {
			r := PlanRecipient{Email: strings.ToLower(strings.TrimSpace(a))}
			if in.Contact != nil && strings.EqualFold(in.Contact.Email, r.Email) {
				r.TimeZone = in.Contact.Timezone
			}
			out = append(out, r)
		}
	}
	return out
}

// EmailAction sends email or saves it as a draft through a Mailbox.
type EmailAction struct{ Mailbox Mailbox }

// Supports reports true for send_email.
func (EmailAction) Supports(kind MoveKind) bool { return kind == KindSendEmail }

// Execute plans and sends.
func (a EmailAction) Execute(ctx context.Context, m *Move, exec *Execution) (ExecutionResult, error) {
	return planAndDo(ctx, a, m, exec)
}

// Plan renders the email: a reply in its thread, or a new message; with
// Draft.Fields["mode"] = "draft", a Gmail draft instead of a send.
func (EmailAction) Plan(_ context.Context, in PlanInput) (*Plan, error) {
	d := in.Move.Draft
	if len(d.To) == 0 {
		return nil, Errorf(EINVALID, "the email has no recipient")
	}
	for _, a := range append(append([]string{}, d.To...), d.Cc...) {
		if !ValidEmail(strings.ToLower(strings.TrimSpace(a))) {
			return nil, Errorf(EINVALID, "%q is not an email address", a)
		}
	}
	if strings.TrimSpace(d.Body) == "" {
		return nil, Errorf(EINVALID, "the email is empty")
	}
	p := &Plan{MoveID: in.Move.ID, Kind: KindSendEmail, Action: ActionSendEmail, Account: "gmail", Outgoing: true,
		Email:      &PlanEmail{To: d.To, Cc: d.Cc, Subject: d.Subject, Body: d.Body, ThreadID: d.ThreadID, InReplyTo: d.InReplyTo},
		Recipients: recipients(in, d.To, d.Cc),
		Undo:       "Can be cancelled during the undo window; once sent, an email cannot be recalled.",
	}
	verb := "Send an email to"
	if d.Fields["mode"] == "draft" {
		p.Action, verb = ActionCreateDraft, "Save a Gmail draft to"
		p.Recipients = nil // a draft reaches no one
		p.Undo = "Rollback deletes the draft."
	}
	p.Effects = []string{fmt.Sprintf("%s %s: “%s”", verb, strings.Join(d.To, ", "), d.Subject)}
	if len(d.Cc) > 0 {
		p.Effects = append(p.Effects, "Copy "+strings.Join(d.Cc, ", "))
	}
	if d.ThreadID != "" {
		p.Effects = append(p.Effects, "As a reply in the same thread")
	} else {
		p.Effects = append(p.Effects, "As a new message")
	}
	return p, nil
}

// Owner asks the mailbox for its own address when it can tell ("" when not).
func (a EmailAction) Owner(ctx context.Context) string {
	if o, ok := a.Mailbox.(interface {
		Address(context.Context) (string, error)
	}); ok {
		if addr, err := o.Address(ctx); err == nil {
			return addr
		}
	}
	return ""
}

func (EmailAction) outgoing(p *Plan) OutgoingEmail {
	e := p.Email
	return OutgoingEmail{To: e.To, Cc: e.Cc, Subject: e.Subject, Body: e.Body, ThreadID: e.ThreadID, InReplyTo: e.InReplyTo, MessageID: e.MessageID}
}

// Do sends the email or saves the draft.
func (a EmailAction) Do(ctx context.Context, p *Plan) (ExecutionResult, error) {
	if p.Action == ActionCreateDraft {
		d, err := a.Mailbox.CreateDraft(ctx, a.outgoing(p))
		if err != nil {
			return ExecutionResult{}, err
		}
		return ExecutionResult{RemoteIDs: map[string]string{"draft_id": d.DraftID, "message_id": d.ID, "thread_id": d.ThreadID},
			Summary: "draft saved for " + strings.Join(p.Email.To, ", ")}, nil
	}
	s, err := a.Mailbox.Send(ctx, a.outgoing(p))
	if err != nil {
		return ExecutionResult{}, err
	}
	return a.sent(p, s), nil
}

func (EmailAction) sent(p *Plan, s SentEmail) ExecutionResult {
	what := "email sent to "
	if p.Email.ThreadID != "" {
		what = "reply sent to "
	}
	return ExecutionResult{RemoteIDs: map[string]string{"message_id": s.ID, "thread_id": s.ThreadID, "rfc822_id": p.Email.MessageID},
		Summary: what + strings.Join(p.Email.To, ", ")}
}

// Find looks in sent mail for our Message-ID. Drafts cannot be searched
// that way, so a draft is reported as unverifiable.
func (a EmailAction) Find(ctx context.Context, p *Plan) (ExecutionResult, bool, error) {
	if p.Action == ActionCreateDraft {
		return ExecutionResult{}, false, cannotVerify("Gmail cannot be asked whether the draft “%s” was saved: look in Drafts before trying again", p.Email.Subject)
	}
	s, ok, err := a.Mailbox.FindSent(ctx, p.Email.MessageID)
	if err != nil || !ok {
		return ExecutionResult{}, false, err
	}
	return a.sent(p, s), true, nil
}

// Compensate deletes a draft; a sent email cannot be recalled.
func (a EmailAction) Compensate(ctx context.Context, p *Plan, remote map[string]string) error {
	if p.Action == ActionCreateDraft {
		return a.Mailbox.DeleteDraft(ctx, remote["draft_id"])
	}
	return Errorf(ECONFLICT, "The email to %s was sent; a sent email cannot be recalled. Send a correction instead.", strings.Join(p.Email.To, ", "))
}

// TaskAction creates CRM tasks.
type TaskAction struct{ CRM CRM }

// Supports reports true for create_task.
func (TaskAction) Supports(kind MoveKind) bool { return kind == KindCreateTask }

// Execute plans and creates the task.
func (a TaskAction) Execute(ctx context.Context, m *Move, exec *Execution) (ExecutionResult, error) {
	return planAndDo(ctx, a, m, exec)
}

// Plan renders the task, associated with the move's contact and deal.
func (TaskAction) Plan(_ context.Context, in PlanInput) (*Plan, error) {
	m := in.Move
	subject := strings.TrimSpace(nonEmpty(m.Draft.TaskTitle, m.Title))
	if subject == "" {
		return nil, Errorf(EINVALID, "the task has no title")
	}
	t := &PlanTask{Subject: subject, Body: m.Draft.Body, Due: m.Draft.TaskDue, ContactID: m.ContactID, DealID: m.DealID}
	p := &Plan{MoveID: m.ID, Kind: m.Kind, Action: ActionCreateTask, Account: "hubspot", Outgoing: true, Task: t,
		Effects: []string{fmt.Sprintf("Create the HubSpot task “%s”", subject)},
		Undo:    "Rollback deletes the task."}
	if !t.Due.IsZero() {
		p.Effects = append(p.Effects, "Due "+Stamp(t.Due, in.Zone))
	}
	if a := AssociatedWith(t.ContactID, in.Contact, t.DealID, in.Deal); a != "" {
		p.Effects = append(p.Effects, a)
	}
	return p, nil
}

// ContactLabel names a contact for a person: "Priya Raman
// <priya@example.com>", the name or the email alone when it has only one,
// and "contact 1012" only when the record is unknown (nil, or another id).
func ContactLabel(id string, c *Contact) string {
	if c == nil || c.ID != id {
		return "contact " + id
	}
	switch {
	case c.Name != "" && c.Email != "":
		return c.Name + " <" + c.Email + ">"
	case c.Name != "":
		return c.Name
	case c.Email != "":
		return c.Email
	}
	return "contact " + id
}

// AssociatedWith says in words which contact and deal a task is attached
// to: "Associated with Mark Ellis (contact) and Verdant — Classroom pilot
// (deal)". A record that is unknown (nil, or another id) or has no name
// reads as its id: "contact 1009". "" when there is neither.
func AssociatedWith(contactID string, c *Contact, dealID string, d *Deal) string {
	var parts []string
	if contactID != "" {
		if c != nil && c.ID == contactID && c.DisplayName() != c.ID {
			parts = append(parts, c.DisplayName()+" (contact)")
		} else {
			parts = append(parts, "contact "+contactID)
		}
	}
	if dealID != "" {
		if d != nil && d.ID == dealID && d.Name != "" {
			parts = append(parts, d.Name+" (deal)")
		} else {
			parts = append(parts, "deal "+dealID)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "Associated with " + strings.Join(parts, " and ")
}

// Do creates the task with our key on it.
func (a TaskAction) Do(ctx context.Context, p *Plan) (ExecutionResult, error) {
	t := p.Task
	id, err := a.CRM.CreateTask(ctx, NewTask{Subject: t.Subject, Body: t.Body, Due: t.Due, ContactID: t.ContactID, DealID: t.DealID, Key: t.Key})
	if err != nil {
		return ExecutionResult{}, err
	}
	return ExecutionResult{RemoteIDs: map[string]string{"task_id": id}, Summary: "task created: " + t.Subject}, nil
}

// Find searches the CRM for a task carrying our key.
func (a TaskAction) Find(ctx context.Context, p *Plan) (ExecutionResult, bool, error) {
	f, ok := a.CRM.(TaskFinder)
	if !ok {
		return ExecutionResult{}, false, cannotVerify("the CRM cannot be asked whether the task “%s” was created: check it before trying again", p.Task.Subject)
	}
	id, found, err := f.FindTaskByKey(ctx, p.Task.Key)
	if err != nil || !found {
		return ExecutionResult{}, false, err
	}
	return ExecutionResult{RemoteIDs: map[string]string{"task_id": id}, Summary: "task created: " + p.Task.Subject}, true, nil
}

// Compensate deletes the task.
func (a TaskAction) Compensate(ctx context.Context, _ *Plan, remote map[string]string) error {
	return a.CRM.DeleteTask(ctx, remote["task_id"])
}

// DealAction moves deals between stages.
type DealAction struct{ CRM CRM }

// Supports reports true for update_deal.
func (DealAction) Supports(kind MoveKind) bool { return kind == KindUpdateDeal }

// Execute plans and updates the deal.
func (a DealAction) Execute(ctx context.Context, m *Move, exec *Execution) (ExecutionResult, error) {
	return planAndDo(ctx, a, m, exec)
}

// Plan renders the stage change and remembers the stage it leaves, for
// rollback.
func (DealAction) Plan(_ context.Context, in PlanInput) (*Plan, error) {
	m := in.Move
	if m.DealID == "" {
		return nil, Errorf(EINVALID, "the move names no deal")
	}
	if strings.TrimSpace(m.Draft.DealStage) == "" {
		return nil, Errorf(EINVALID, "the move names no stage to move the deal to")
	}
	d := &PlanDeal{DealID: m.DealID, ToStage: m.Draft.DealStage}
	name := "deal " + m.DealID
	if in.Deal != nil {
		d.FromStage = in.Deal.Stage
		if in.Deal.Name != "" {
			name = in.Deal.Name
		}
	}
	p := &Plan{MoveID: m.ID, Kind: m.Kind, Action: ActionUpdateDeal, Account: "hubspot", Outgoing: true, Deal: d,
		Effects: []string{fmt.Sprintf("Move %s to %s", name, StageLabel(d.ToStage))}}
	if d.FromStage != "" {
		p.Effects[0] += " (from " + StageLabel(d.FromStage) + ")"
		p.Undo = "Rollback moves the deal back to " + StageLabel(d.FromStage) + "."
	} else {
		p.Undo = "The deal's current stage is unknown here, so rollback cannot restore it."
	}
	return p, nil
}

// Do sets the stage; setting it again is harmless, so a retry is safe.
func (a DealAction) Do(ctx context.Context, p *Plan) (ExecutionResult, error) {
	if err := a.CRM.UpdateDealStage(ctx, p.Deal.DealID, p.Deal.ToStage); err != nil {
		return ExecutionResult{}, err
	}
	return ExecutionResult{RemoteIDs: map[string]string{"deal_id": p.Deal.DealID, "previous_stage": p.Deal.FromStage},
		Summary: "deal moved to " + StageLabel(p.Deal.ToStage)}, nil
}

// Find reports not found: Do is idempotent, so reconciling re-applies it.
func (DealAction) Find(context.Context, *Plan) (ExecutionResult, bool, error) {
	return ExecutionResult{}, false, nil
}

// Compensate restores the previous stage.
func (a DealAction) Compensate(ctx context.Context, p *Plan, _ map[string]string) error {
	if p.Deal.FromStage == "" {
		return Errorf(ECONFLICT, "The deal's stage before the change is not known, so it cannot be restored; set it in HubSpot.")
	}
	return a.CRM.UpdateDealStage(ctx, p.Deal.DealID, p.Deal.FromStage)
}

// MergeAction merges duplicate contacts: in HubSpot when both are
// HubSpot's (CRM), here when one was imported and is not in HubSpot. The
// survivor's id — HubSpot may give it anew — is followed in the local
// records when the execution commits (applyMerge).
type MergeAction struct{ CRM CRM }

// Supports reports true for merge_contacts.
func (MergeAction) Supports(kind MoveKind) bool { return kind == KindMergeContacts }

// Execute plans and merges.
func (a MergeAction) Execute(ctx context.Context, m *Move, exec *Execution) (ExecutionResult, error) {
	return planAndDo(ctx, a, m, exec)
}

// Plan renders the merge: what goes into what, which values win, and
// whether HubSpot is asked.
func (a MergeAction) Plan(_ context.Context, in PlanInput) (*Plan, error) {
	ids := in.Move.Draft.MergeIDs
	if len(ids) != 2 || ids[0] == "" || ids[1] == "" || ids[0] == ids[1] {
		return nil, Errorf(EINVALID, "a merge needs two different contacts")
	}
	m := &PlanMerge{PrimaryID: ids[0], MergeID: ids[1]}
	var primary, merged *Contact
	if len(in.Merging) == 2 {
		primary, merged = in.Merging[0], in.Merging[1]
	}
	if primary != nil && merged != nil && (primary.LocalOnly() || merged.LocalOnly()) {
		// The HubSpot record, when there is one, survives.
		if primary.LocalOnly() && !merged.LocalOnly() {
			primary, merged = merged, primary
			m.PrimaryID, m.MergeID = m.MergeID, m.PrimaryID
		}
		m.Local = true
	}
	if len(in.Merging) == 2 {
		m.Primary, m.Merged = ContactLabel(m.PrimaryID, primary), ContactLabel(m.MergeID, merged)
	}
	if !m.Local && a.CRM == nil {
		return nil, Errorf(EUNAVAILABLE, "Merging contacts needs a connected HubSpot account: run `caseyos connect hubspot`")
	}
	p := &Plan{MoveID: in.Move.ID, Kind: in.Move.Kind, Action: ActionMergeContacts, Account: "hubspot", Outgoing: true, Merge: m,
		Effects: []string{fmt.Sprintf("Merge %s into %s (cannot be undone)", m.mergedLabel(), m.primaryLabel())},
		Undo:    "Can be cancelled during the undo window; HubSpot cannot undo a merge."}
	if m.Local {
		p.Account, p.Outgoing = "local", false
		p.Effects = []string{fmt.Sprintf("Merge %s into %s in this workspace: the imported contact is not in HubSpot, so nothing is sent (cannot be undone)", m.mergedLabel(), m.primaryLabel())}
		p.Undo = "Can be cancelled during the undo window; the merged contact's records then live on the surviving contact."
	}
	p.Effects = append(p.Effects, mergeEffects(m, primary, merged)...)
	return p, nil
}

// Do merges in HubSpot, or, for a local merge, leaves it to the commit.
func (a MergeAction) Do(ctx context.Context, p *Plan) (ExecutionResult, error) {
	summary := fmt.Sprintf("%s merged into %s", p.Merge.mergedLabel(), p.Merge.primaryLabel())
	if p.Merge.Local {
		return ExecutionResult{RemoteIDs: map[string]string{"contact_id": p.Merge.PrimaryID}, Summary: summary + " here"}, nil
	}
	if a.CRM == nil {
		return ExecutionResult{}, Errorf(EUNAVAILABLE, "Merging contacts needs a connected HubSpot account: run `caseyos connect hubspot`")
	}
	id, err := a.CRM.MergeContacts(ctx, p.Merge.PrimaryID, p.Merge.MergeID)
	if err != nil {
		return ExecutionResult{}, err
	}
	return ExecutionResult{RemoteIDs: map[string]string{"contact_id": id}, Summary: summary}, nil
}

// Find cannot tell for HubSpot, which keeps no key on a merge (a retry's
// 409 is reconciled by the connector); a local merge is simply done again.
func (MergeAction) Find(_ context.Context, p *Plan) (ExecutionResult, bool, error) {
	if p.Merge.Local {
		return ExecutionResult{}, false, nil
	}
	return ExecutionResult{}, false, cannotVerify("HubSpot cannot be asked whether %s was merged into %s: check it before trying again", p.Merge.mergedLabel(), p.Merge.primaryLabel())
}

// Compensate refuses: a merge is final.
func (MergeAction) Compensate(_ context.Context, p *Plan, _ map[string]string) error {
	if p.Merge != nil && p.Merge.Local {
		return Errorf(ECONFLICT, "A merge cannot be undone; the merged contact's records now live on the surviving contact.")
	}
	return Errorf(ECONFLICT, "HubSpot cannot undo a merge; the merged contact's history now lives on the surviving contact.")
}

// SocialAction replies to posts, or likes them.
type SocialAction struct{ Feed SocialFeed }

// SocialLiker is a SocialFeed that can like a post and take the like back.
// Liking twice is harmless (X answers liked: true again), so a retry is
// safe.
type SocialLiker interface {
	Like(ctx context.Context, postID string) error
	Unlike(ctx context.Context, postID string) error
}

// ReplyFinder is a SocialFeed that can look through our own recent posts
// for a reply to postID saying text, so that a crash after the post went
// out is reconciled instead of repeated.
type ReplyFinder interface {
	FindReply(ctx context.Context, postID, text string) (id string, ok bool, err error)
}

// Supports reports true for reply_social.
func (SocialAction) Supports(kind MoveKind) bool { return kind == KindReplySocial }

// Execute plans and replies.
func (a SocialAction) Execute(ctx context.Context, m *Move, exec *Execution) (ExecutionResult, error) {
	return planAndDo(ctx, a, m, exec)
}

// Plan renders the reply, refusing one X would refuse for its length; with
// Draft.Fields["mode"] = "like", a like of the post instead.
func (a SocialAction) Plan(_ context.Context, in PlanInput) (*Plan, error) {
	d := in.Move.Draft
	author := NormalizeHandle(d.Fields["author"])
	if d.Fields["mode"] == "like" {
		if d.PostID == "" {
			return nil, Errorf(EINVALID, "a like needs a post")
		}
		if _, ok := a.Feed.(SocialLiker); !ok {
			return nil, Errorf(EINVALID, "the connected X account cannot like posts here")
		}
		return &Plan{MoveID: in.Move.ID, Kind: in.Move.Kind, Action: ActionLikeSocial, Account: "x", Outgoing: true,
			Social:  &PlanSocial{PostID: d.PostID, Author: author},
			Effects: []string{fmt.Sprintf("Like %s", postLabel(d))},
			Undo:    "Rollback takes the like back."}, nil
	}
	if d.PostID == "" || strings.TrimSpace(d.Body) == "" {
		return nil, Errorf(EINVALID, "a reply needs a post and some text")
	}
	n := PostLength(d.Body)
	if n > MaxPostLength {
		return nil, Errorf(EINVALID, "The reply is %d characters in X's count (links count 23, most emoji and CJK characters 2); X allows %d: shorten it by %d.", n, MaxPostLength, n-MaxPostLength)
	}
	return &Plan{MoveID: in.Move.ID, Kind: in.Move.Kind, Action: ActionReplySocial, Account: "x", Outgoing: true,
		Social: &PlanSocial{PostID: d.PostID, Text: d.Body, Author: author, Length: n},
		Effects: []string{fmt.Sprintf("Reply publicly to %s: “%s”", postLabel(d), d.Body),
			fmt.Sprintf("%d of %d characters", n, MaxPostLength)},
		Undo: "Rollback deletes the reply (people may have seen it)."}, nil
}

// postLabel names the post a reply answers: "@ana's post" when the draft
// knows its author, else "post 123".
func postLabel(d Draft) string {
	return socialLabel(d.Fields["author"], d.PostID)
}

func socialLabel(author, postID string) string {
	if a := NormalizeHandle(author); a != "" {
		return "@" + a + "'s post"
	}
	return "post " + postID
}

// Do posts the reply, or likes the post.
func (a SocialAction) Do(ctx context.Context, p *Plan) (ExecutionResult, error) {
	s := p.Social
	if p.Action == ActionLikeSocial {
		l, ok := a.Feed.(SocialLiker)
		if !ok {
			return ExecutionResult{}, Errorf(EUNAVAILABLE, "the connected X account cannot like posts here")
		}
		if err := l.Like(ctx, s.PostID); err != nil {
			return ExecutionResult{}, err
		}
		return ExecutionResult{RemoteIDs: map[string]string{"liked_post_id": s.PostID}, Summary: "liked " + socialLabel(s.Author, s.PostID)}, nil
	}
	id, err := a.Feed.Reply(ctx, s.PostID, s.Text)
	if err != nil {
		return ExecutionResult{}, err
	}
	return a.replied(p, id), nil
}

func (SocialAction) replied(p *Plan, id string) ExecutionResult {
	return ExecutionResult{RemoteIDs: map[string]string{"post_id": id, "in_reply_to": p.Social.PostID},
		Summary: "replied to " + socialLabel(p.Social.Author, p.Social.PostID)}
}

// Find looks through our recent posts for the reply (ReplyFinder). A like
// needs no looking: liking again is harmless.
func (a SocialAction) Find(ctx context.Context, p *Plan) (ExecutionResult, bool, error) {
	if p.Action == ActionLikeSocial {
		return ExecutionResult{}, false, nil
	}
	f, ok := a.Feed.(ReplyFinder)
	if !ok {
		return ExecutionResult{}, false, cannotVerify("X cannot be asked whether the reply to %s went out: check it before trying again", socialLabel(p.Social.Author, p.Social.PostID))
	}
	id, found, err := f.FindReply(ctx, p.Social.PostID, p.Social.Text)
	if err != nil || !found {
		return ExecutionResult{}, false, err
	}
	return a.replied(p, id), true, nil
}

// Compensate deletes the reply, or takes the like back.
func (a SocialAction) Compensate(ctx context.Context, p *Plan, remote map[string]string) error {
	if p.Action == ActionLikeSocial {
		l, ok := a.Feed.(SocialLiker)
		if !ok {
			return Errorf(ECONFLICT, "The connected X account cannot take the like back here; unlike the post on X.")
		}
		return l.Unlike(ctx, p.Social.PostID)
	}
	if remote["post_id"] == "" {
		return Errorf(ECONFLICT, "The reply's id on X is not known, so it cannot be deleted from here; delete it on X.")
	}
	return a.Feed.DeletePost(ctx, remote["post_id"])
}

// Supports reports true for notes.
func (LocalExecutor) Supports(kind MoveKind) bool { return kind == KindNote }

// Execute records the note.
func (l LocalExecutor) Execute(ctx context.Context, m *Move, exec *Execution) (ExecutionResult, error) {
	return planAndDo(ctx, l, m, exec)
}

// Plan renders the note; it stays on this computer.
func (LocalExecutor) Plan(_ context.Context, in PlanInput) (*Plan, error) {
	d := in.Move.Draft
	if strings.TrimSpace(d.Body) == "" && strings.TrimSpace(d.Subject) == "" {
		return nil, Errorf(EINVALID, "the note is empty")
	}
	return &Plan{MoveID: in.Move.ID, Kind: in.Move.Kind, Action: ActionNote, Account: "local",
		Note:    &PlanNote{Subject: d.Subject, Body: d.Body},
		Effects: []string{fmt.Sprintf("Save the note “%s” (stays on this computer)", nonEmpty(d.Subject, truncate(d.Body, 60)))},
		Undo:    "Rollback marks the note undone."}, nil
}

// Do records the note: the execution record is the note.
func (LocalExecutor) Do(_ context.Context, p *Plan) (ExecutionResult, error) {
	return ExecutionResult{Summary: "note saved: " + nonEmpty(p.Note.Subject, truncate(p.Note.Body, 60))}, nil
}

// Find reports not found: Do has no outside effect to repeat.
func (LocalExecutor) Find(context.Context, *Plan) (ExecutionResult, bool, error) {
	return ExecutionResult{}, false, nil
}

// Compensate has nothing outside to undo.
func (LocalExecutor) Compensate(context.Context, *Plan, map[string]string) error { return nil }
