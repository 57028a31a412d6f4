package app

import (
	"time"

	"github.com/caseyos/caseyos/backend"
)

// PersonExportFormat names the shape of `caseyos export` (docs/cli.md).
const PersonExportFormat = "caseyos.person-export.v1"

// PersonDTO is who an export is about.
type PersonDTO struct {
	Query      string   `json:"query"`
	Email      string   `json:"email,omitempty"`
	ContactIDs []string `json:"contact_ids"`
	Name       string   `json:"name,omitempty"`
}

// ContactExportDTO is a contact record.
type ContactExportDTO struct {
	ID             string     `json:"id"`
	Email          string     `json:"email,omitempty"`
	Name           string     `json:"name,omitempty"`
	Title          string     `json:"title,omitempty"`
	CompanyID      string     `json:"company_id,omitempty"`
	Lifecycle      string     `json:"lifecycle,omitempty"`
	Timezone       string     `json:"timezone,omitempty"`
	XHandle        string     `json:"x_handle,omitempty"`
	Phone          string     `json:"phone,omitempty"`
	Owner          string     `json:"owner,omitempty"`
	Source         string     `json:"source,omitempty"` // "import" for one imported from a file
	CreatedAt      *time.Time `json:"created_at,omitempty"`
	LastActivityAt *time.Time `json:"last_activity_at,omitempty"`
	UpdatedAt      *time.Time `json:"updated_at,omitempty"`
}

// ContactPairExportDTO is a verdict on a pair of contacts one of the
// person's is in: "distinct" (not a duplicate) or "merged".
type ContactPairExportDTO struct {
	A       string    `json:"a"`
	B       string    `json:"b"`
	Verdict string    `json:"verdict"`
	MoveID  uint64    `json:"move_id,omitempty"`
	Actor   string    `json:"actor,omitempty"`
	At      time.Time `json:"at"`
}

// DealExportDTO is a deal that lists the person among its contacts.
type DealExportDTO struct {
	ID         string   `json:"id"`
	Name       string   `json:"name,omitempty"`
	Stage      string   `json:"stage,omitempty"`
	CompanyID  string   `json:"company_id,omitempty"`
	ContactIDs []string `json:"contact_ids"`
}

// CompanyExportDTO is the contact's company.
type CompanyExportDTO struct {
	ID     string `json:"id"`
	Name   string `json:"name,omitempty"`
	Domain string `json:"domain,omitempty"`
}

// EmailExportDTO is the email a signal carries.
type EmailExportDTO struct {
	MessageID  string     `json:"message_id,omitempty"`
	ThreadID   string     `json:"thread_id,omitempty"`
	From       string     `json:"from,omitempty"`
	FromName   string     `json:"from_name,omitempty"`
	To         []string   `json:"to,omitempty"`
	Subject    string     `json:"subject,omitempty"`
	Snippet    string     `json:"snippet,omitempty"`
	Body       string     `json:"body,omitempty"`
	Quoted     string     `json:"quoted,omitempty"`
	ReceivedAt *time.Time `json:"received_at,omitempty"`
}

// MeetingExportDTO is the meeting a signal carries.
type MeetingExportDTO struct {
	ID        string    `json:"id,omitempty"`
	Title     string    `json:"title,omitempty"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	Attendees []string  `json:"attendees,omitempty"`
	Link      string    `json:"link,omitempty"`
}

// SignalExportDTO is one signal, whole.
type SignalExportDTO struct {
	ID         uint64            `json:"id"`
	Source     string            `json:"source"`
	Type       string            `json:"type"`
	OccurredAt time.Time         `json:"occurred_at"`
	ReceivedAt time.Time         `json:"received_at"`
	ContactID  string            `json:"contact_id,omitempty"`
	CompanyID  string            `json:"company_id,omitempty"`
	DealID     string            `json:"deal_id,omitempty"`
	ThreadID   string            `json:"thread_id,omitempty"`
	Contact    *ContactExportDTO `json:"contact,omitempty"`
	Email      *EmailExportDTO   `json:"email,omitempty"`
	Meeting    *MeetingExportDTO `json:"meeting,omitempty"`
	PostAuthor string            `json:"post_author,omitempty"`
	PostText   string            `json:"post_text,omitempty"`
	Form       map[string]string `json:"form_fields,omitempty"`
	Payload    map[string]string `json:"payload,omitempty"`
}

// ExecutionExportDTO is one execution of a move about the person.
type ExecutionExportDTO struct {
	ID          uint64            `json:"id"`
	MoveID      uint64            `json:"move_id"`
	State       string            `json:"state"`
	Kind        string            `json:"kind"`
	Action      string            `json:"action,omitempty"`
	Actor       string            `json:"actor,omitempty"`
	Draft       DraftDTO          `json:"draft"`
	Plan        string            `json:"plan,omitempty"` // the previewed payload, canonical JSON
	RemoteIDs   map[string]string `json:"remote_ids,omitempty"`
	Result      string            `json:"result,omitempty"`
	Error       string            `json:"error,omitempty"`
	CreatedAt   time.Time         `json:"created_at"`
	CommittedAt *time.Time        `json:"committed_at,omitempty"`
}

// OutcomeExportDTO is one outcome of a move about the person.
type OutcomeExportDTO struct {
	ID          uint64    `json:"id"`
	MoveID      uint64    `json:"move_id"`
	ExecutionID uint64    `json:"execution_id,omitempty"`
	Type        string    `json:"type"`
	SignalID    uint64    `json:"signal_id,omitempty"`
	Note        string    `json:"note,omitempty"`
	Actor       string    `json:"actor,omitempty"`
	OccurredAt  time.Time `json:"occurred_at"`
}

// AuditExportDTO is one audit entry that names the person.
type AuditExportDTO struct {
	AuditDTO
	MoveID    uint64   `json:"move_id,omitempty"`
	Reasons   []string `json:"reasons,omitempty"`
	Hash      string   `json:"hash"`
	Tombstone string   `json:"tombstone,omitempty"`
}

// PersonExportDTO is everything CaseyOS holds about one person
// (`caseyos export`, docs/cli.md). Lists are never null.
type PersonExportDTO struct {
	Format       string               `json:"format"` // PersonExportFormat
	ExportedAt   time.Time            `json:"exported_at"`
	Workspace    string               `json:"workspace"` // the data file
	Person       PersonDTO            `json:"person"`
	Contacts     []ContactExportDTO   `json:"contacts"`
	Company      *CompanyExportDTO    `json:"company"`
	Signals      []SignalExportDTO    `json:"signals"`
	Moves        []MoveDTO            `json:"moves"`
	Executions   []ExecutionExportDTO `json:"executions"`
	Outcomes     []OutcomeExportDTO   `json:"outcomes"`
	Audit        []AuditExportDTO     `json:"audit"`
	DoNotContact *DoNotContactDTO     `json:"do_not_contact"`
	// ContactPairs are the duplicate verdicts one of their contacts is
	// in; Deals the deals that list one of them (a forget takes them off).
	ContactPairs []ContactPairExportDTO `json:"contact_pairs"`
	Deals        []DealExportDTO        `json:"deals"`
}

// ForgetDTO says what ForgetPerson deleted. Person is the hash the
// do-not-contact list and the audit log keep instead of the address.
type ForgetDTO struct {
	Person     string `json:"person"`
	Signals    int    `json:"signals"`
	Moves      int    `json:"moves"`
	Executions int    `json:"executions"`
	Outcomes   int    `json:"outcomes"`
	Contacts   int    `json:"contacts"`
	Pairs      int    `json:"contact_pairs"` // duplicate verdicts deleted
	Deals      int    `json:"deals"`         // deals they were taken off
	Audit      int    `json:"audit_emptied"`
	AuditSeq   uint64 `json:"audit_seq"`
	// HubSpot: "deleted", "absent" (it had no contact with the address),
	// or "" when it was not asked.
	HubSpot string `json:"hubspot,omitempty"`
}

func toDraftDTO(d backend.Draft) DraftDTO {
	return DraftDTO{To: d.To, Cc: d.Cc, Subject: d.Subject, Body: d.Body, ThreadID: d.ThreadID, InReplyTo: d.InReplyTo,
		TaskTitle: d.TaskTitle, TaskDue: timePtr(d.TaskDue), DealStage: d.DealStage, PostID: d.PostID, MergeIDs: d.MergeIDs, Fields: d.Fields}
}

func toContactExport(c *backend.Contact) *ContactExportDTO {
	if c == nil {
		return nil
	}
	return &ContactExportDTO{ID: c.ID, Email: c.Email, Name: c.Name, Title: c.Title, CompanyID: c.CompanyID,
		Lifecycle: c.Lifecycle, Timezone: c.Timezone, XHandle: c.XHandle, Phone: c.Phone, Owner: c.Owner, Source: c.Source,
		CreatedAt: timePtr(c.CreatedAt), LastActivityAt: timePtr(c.LastActivityAt), UpdatedAt: timePtr(c.UpdatedAt)}
}

func toSignalExport(s *backend.Signal) SignalExportDTO {
	out := SignalExportDTO{ID: s.ID, Source: string(s.Source), Type: string(s.Type), OccurredAt: s.OccurredAt.UTC(),
		ReceivedAt: s.ReceivedAt.UTC(), ContactID: s.ContactID, CompanyID: s.CompanyID, DealID: s.DealID,
		ThreadID: s.ThreadID, Contact: toContactExport(s.Contact), Payload: s.Payload}
	if e := s.Email; e != nil {
		out.Email = &EmailExportDTO{MessageID: e.MessageID, ThreadID: e.ThreadID, From: e.From, FromName: e.FromName, To: e.To,
			Subject: e.Subject, Snippet: e.Snippet, Body: e.Body, Quoted: e.Quoted, ReceivedAt: timePtr(e.ReceivedAt)}
	}
	if m := s.Meeting; m != nil {
		out.Meeting = &MeetingExportDTO{ID: m.ID, Title: m.Title, Start: m.Start.UTC(), End: m.End.UTC(), Attendees: m.Attendees, Link: m.Link}
	}
	if s.Post != nil {
		out.PostAuthor, out.PostText = s.Post.Author, s.Post.Text
	}
	if s.Form != nil {
		out.Form = s.Form.Fields
	}
	return out
}

func toPersonExport(d *backend.PersonData, ws string, now time.Time) PersonExportDTO {
	out := PersonExportDTO{Format: PersonExportFormat, ExportedAt: now.UTC(), Workspace: ws,
		Person:   PersonDTO{Query: d.Person.Query, Email: d.Person.Email, ContactIDs: append([]string{}, d.Person.ContactIDs...), Name: d.Person.Name},
		Contacts: []ContactExportDTO{}, Signals: []SignalExportDTO{}, Moves: []MoveDTO{},
		Executions: []ExecutionExportDTO{}, Outcomes: []OutcomeExportDTO{}, Audit: []AuditExportDTO{},
		ContactPairs: []ContactPairExportDTO{}, Deals: []DealExportDTO{}}
	for _, p := range d.Pairs {
		out.ContactPairs = append(out.ContactPairs, ContactPairExportDTO{A: p.A, B: p.B, Verdict: string(p.Verdict), MoveID: p.MoveID, Actor: string(p.Actor), At: p.At.UTC()})
	}
	for _, dl := range d.Deals {
		out.Deals = append(out.Deals, DealExportDTO{ID: dl.ID, Name: dl.Name, Stage: dl.Stage, CompanyID: dl.CompanyID, ContactIDs: append([]string{}, dl.ContactIDs...)})
	}
	for _, c := range d.Contacts {
		out.Contacts = append(out.Contacts, *toContactExport(c))
	}
	if c := d.Company; c != nil {
		out.Company = &CompanyExportDTO{ID: c.ID, Name: c.Name, Domain: c.Domain}
	}
	for _, s := range d.Signals {
		out.Signals = append(out.Signals, toSignalExport(s))
	}
	for _, m := range d.Moves {
		out.Moves = append(out.Moves, toMoveDTO(m, now))
	}
	for _, e := range d.Executions {
		out.Executions = append(out.Executions, ExecutionExportDTO{ID: e.ID, MoveID: e.MoveID, State: string(e.State), Kind: string(e.Kind),
			Action: e.Action, Actor: string(e.Actor), Draft: toDraftDTO(e.Draft), Plan: string(e.Plan), RemoteIDs: e.RemoteIDs,
			Result: e.Result, Error: e.Error, CreatedAt: e.CreatedAt.UTC(), CommittedAt: timePtr(e.CommittedAt)})
	}
	for _, o := range d.Outcomes {
		out.Outcomes = append(out.Outcomes, OutcomeExportDTO{ID: o.ID, MoveID: o.MoveID, ExecutionID: o.ExecutionID, Type: string(o.Type),
			SignalID: o.SignalID, Note: o.Note, Actor: string(o.Actor), OccurredAt: o.OccurredAt.UTC()})
	}
	for _, e := range d.Audit {
		out.Audit = append(out.Audit, AuditExportDTO{AuditDTO: toAuditDTO(e), MoveID: e.MoveID, Reasons: e.Reasons, Hash: e.Hash, Tombstone: e.Tombstone})
	}
	if x := d.DoNotContact; x != nil {
		out.DoNotContact = &DoNotContactDTO{Email: x.Email, Reason: x.Reason, Note: x.Note, By: string(x.Actor), At: x.At.UTC()}
	}
	return out
}

// ExportPerson returns everything CaseyOS holds about a person, named by
// an email address or a contact id (`caseyos export`).
func (svc *SettingsService) ExportPerson(person string) (PersonExportDTO, error) {
	a := svc.a
	d, err := a.queue.Privacy.Export(a.ctx, person)
	if err != nil {
		return PersonExportDTO{}, err
	}
	return toPersonExport(d, a.ws.Path, a.clock.Now()), nil
}

// ForgetPerson deletes everything CaseyOS holds about a person and keeps
// only the hash of their address on the do-not-contact list, as done by
// via (`caseyos forget`); with hubspot, it first deletes them from the
// connected HubSpot for good (its GDPR delete).
func (svc *SettingsService) ForgetPerson(person, via string, hubspot bool) (ForgetDTO, error) {
	a := svc.a
	who, err := actor(via)
	if err != nil {
		return ForgetDTO{}, err
	}
	var crm backend.CRMEraser
	if hubspot {
		if crm, err = a.crmEraser(); err != nil {
			return ForgetDTO{}, err
		}
	}
	r, err := a.queue.Privacy.Forget(a.ctx, person, who, crm)
	if err != nil {
		return ForgetDTO{}, err
	}
	return ForgetDTO{Person: r.Person, Signals: r.Signals, Moves: r.Moves, Executions: r.Executions, Outcomes: r.Outcomes,
		Contacts: r.Contacts, Pairs: r.Pairs, Deals: r.Deals, Audit: r.Audit, AuditSeq: r.AuditSeq, HubSpot: r.CRM}, nil
}

// crmEraser is the connected HubSpot's GDPR delete.
func (a *App) crmEraser() (backend.CRMEraser, error) {
	a.exec.mu.Lock()
	p := a.exec.accounts["hubspot"]
	a.exec.mu.Unlock()
	if p == nil {
		return nil, backend.Errorf(backend.EUNAVAILABLE, "HubSpot is not connected, so it cannot be asked to delete the person: connect it (caseyos connect hubspot), or forget them here only")
	}
	return innerAs[backend.CRMEraser](p)
}

// CompactDTO is what `caseyos compact --json` prints.
type CompactDTO struct {
	Path            string `json:"path"`
	Before          int64  `json:"bytes_before"`
	After           int64  `json:"bytes_after"`
	RetentionMonths int    `json:"retention_months"`
	SignalsPruned   int    `json:"signals_pruned"`
	AuditEmptied    int    `json:"audit_emptied"`
}
