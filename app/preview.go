package app

import (
	"fmt"
	"strings"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// effects lists, in words, every side effect executing the move would have,
// from its draft: the preview the window shows and `caseyos explain` prints.
// contact and deal are the stored records the move refers to (nil when
// unknown), for their names; merging are the contacts a merge names, in
// the order of the draft's merge ids.
func effects(m MoveDTO, contact *backend.Contact, deal *backend.Deal, merging []*backend.Contact) []string {
	d := m.Draft
	switch backend.MoveKind(m.Kind) {
	case backend.KindSendEmail:
		out := []string{fmt.Sprintf("Send an email to %s: “%s”", strings.Join(d.To, ", "), d.Subject)}
		if len(d.Cc) > 0 {
			out = append(out, "Copy "+strings.Join(d.Cc, ", "))
		}
		if d.ThreadID != "" {
			out = append(out, "As a reply in the same thread")
		}
		return out
	case backend.KindCreateTask:
		out := []string{fmt.Sprintf("Create the task “%s”", d.TaskTitle)}
		if d.TaskDue != nil {
			out = append(out, "Due "+backend.Stamp(*d.TaskDue, time.Local))
		}
		if a := backend.AssociatedWith(m.ContactID, contact, m.DealID, deal); a != "" {
			out = append(out, a)
		}
		return out
	case backend.KindMergeContacts:
		if len(d.MergeIDs) == 2 {
			var c [2]*backend.Contact
			copy(c[:], merging)
			return []string{fmt.Sprintf("Merge %s into %s (cannot be undone)",
				backend.ContactLabel(d.MergeIDs[1], c[1]), backend.ContactLabel(d.MergeIDs[0], c[0]))}
		}
	case backend.KindReplySocial:
		post := "post " + d.PostID
		if a := strings.TrimPrefix(d.Fields["author"], "@"); a != "" {
			post = "@" + a + "'s post"
		}
		return []string{fmt.Sprintf("Reply to %s: “%s”", post, d.Body)}
	case backend.KindUpdateDeal:
		name := "deal " + m.DealID
		if deal != nil && deal.ID == m.DealID && deal.Name != "" {
			name = deal.Name
		}
		return []string{fmt.Sprintf("Move %s to %s", name, backend.StageLabel(d.DealStage))}
	case backend.KindScheduleMeeting:
		return []string{fmt.Sprintf("Propose meeting times to %s and book the one chosen", strings.Join(d.To, ", "))}
	case backend.KindNote:
		return []string{fmt.Sprintf("Save the note “%s” (stays on this computer)", d.Subject)}
	}
	return []string{m.Kind}
}

// signalSummary is one line about a signal for the feed.
func signalSummary(s *backend.Signal) string {
	switch {
	case s.Email != nil:
		who := s.Email.FromName
		if who == "" {
			who = s.Email.From
		}
		return fmt.Sprintf("%s: “%s”", who, s.Email.Subject)
	case s.Meeting != nil:
		return fmt.Sprintf("“%s” %s", s.Meeting.Title, backend.Stamp(s.Meeting.Start, time.Local))
	case s.Post != nil:
		return fmt.Sprintf("@%s: “%s”", s.Post.Author, s.Post.Text)
	case s.Form != nil:
		who := s.ContactID
		if s.Contact != nil {
			who = s.Contact.DisplayName()
		}
		return fmt.Sprintf("%s submitted “%s”", who, s.Form.Form)
	case s.Type == backend.SignalDealStalled && s.Deal != nil:
		name := s.Deal.Name
		if name == "" {
			name = "Deal " + s.Deal.ID
		}
		if last := s.Deal.LastActivityAt; !last.IsZero() && s.OccurredAt.After(last) {
			return fmt.Sprintf("%s: no activity for %d days", name, int(s.OccurredAt.Sub(last).Hours()/24))
		}
		return name + ": no recent activity"
	case s.Deal != nil:
		name := s.Deal.Name
		if name == "" {
			name = s.Deal.ID
		}
		return fmt.Sprintf("%s → %s", name, backend.StageLabel(s.Deal.Stage))
	case s.Type == backend.SignalContactDuplicate:
		return fmt.Sprintf("%s duplicates %s", s.Payload["duplicate_id"], s.ContactID)
	}
	return string(s.Type)
}

// ProvenanceDTO says who wrote a move's draft and exactly what was sent
// to a language model for it: the preview's "Draft written by … · what
// was sent ▸" line and the text it expands to.
type ProvenanceDTO struct {
	By   string `json:"by,omitempty"` // the model; "" = composed offline
	Line string `json:"line"`         // "Draft written by gpt-4o-mini at api.openai.com", or "Offline draft"
	// Note says why the offline draft stands when a model is connected
	// (the never-send list, the budget, a failure, a refused answer).
	Note string            `json:"note,omitempty"`
	Sent []ModelMessageDTO `json:"sent,omitempty"` // exactly the messages sent, in order
}

// ModelMessageDTO is one message sent to the model.
type ModelMessageDTO struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// toProvenance is m's draft provenance; nil when no model ever saw it.
func toProvenance(m *backend.Move) *ProvenanceDTO {
	if m.DraftBy == "" && m.DraftNote == "" && len(m.DraftSent) == 0 {
		return nil
	}
	p := &ProvenanceDTO{By: m.DraftBy, Line: "Offline draft", Note: m.DraftNote}
	if m.DraftBy != "" {
		p.Line = "Draft written by " + m.DraftBy
		if m.DraftEdited {
			p.Line += ", edited by you"
		}
	}
	for _, s := range m.DraftSent {
		p.Sent = append(p.Sent, ModelMessageDTO{Role: s.Role, Content: s.Content})
	}
	return p
}

// SentText is what was sent, as one text: each message under its role.
func (p *ProvenanceDTO) SentText() string {
	var b strings.Builder
	for i, s := range p.Sent {
		if i > 0 {
			b.WriteString("\n\n")
		}
		fmt.Fprintf(&b, "[%s]\n%s", s.Role, s.Content)
	}
	return b.String()
}
