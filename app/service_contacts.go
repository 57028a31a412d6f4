package app

import (
	"io"
	"strings"

	"github.com/caseyos/caseyos/backend"
)

// ContactsService is bound for the workspace's contacts: importing a CRM
// export, and the pairs of contacts that look like one person. It is bound
// as ContactsService.<Method> in the window and served as POST
// /api/ContactsService.<Method> (docs/api.md).
type ContactsService struct{ a *App }

// importContactsMethod is the bound ImportContacts, which also streams a
// CSV body (Content-Type text/csv), as `caseyos import contacts` sends it.
const importContactsMethod = "ContactsService.ImportContacts"

// MaxDuplicatePairs bounds how many pairs one Duplicates call returns.
const MaxDuplicatePairs = 5000

// ImportContacts imports a CRM export given whole (a file the window
// read); `caseyos import contacts` streams bigger ones.
func (svc *ContactsService) ImportContacts(csv string) (ImportContactsDTO, error) {
	return svc.a.importContacts(strings.NewReader(csv), nil)
}

// Duplicates lists the pairs of contacts scoring at least minScore (0: the
// default threshold), best first, at most MaxDuplicatePairs of them; with
// propose, those at or above the threshold become merge moves. Pairs said
// not to be duplicates, or merged, are left out.
func (svc *ContactsService) Duplicates(minScore float64, propose bool) (DuplicatesDTO, error) {
	a := svc.a
	pairs, rep, err := a.queue.Contacts.Duplicates(a.ctx, minScore, propose)
	if err != nil {
		return DuplicatesDTO{}, err
	}
	out := DuplicatesDTO{Workspace: a.workspaceDTO(), Threshold: backend.DefaultDuplicateThreshold, Total: len(pairs),
		Pairs: []DuplicatePairDTO{}, Proposed: detectDTO(rep)}
	for i, p := range pairs {
		if i == MaxDuplicatePairs {
			break
		}
		out.Pairs = append(out.Pairs, DuplicatePairDTO{A: duplicateContactDTO(p.Keep), B: duplicateContactDTO(p.Merge),
			Score: roundScore(p.Score), Evidence: append([]string{}, p.Evidence...)})
	}
	return out, nil
}

// CompanyDuplicates lists the pairs of companies scoring at least minScore
// (0: the threshold), best first, at most MaxDuplicatePairs: one account
// twice. Listed only; no move merges companies.
func (svc *ContactsService) CompanyDuplicates(minScore float64) (CompanyDuplicatesDTO, error) {
	a := svc.a
	pairs, err := a.queue.Contacts.CompanyDuplicates(a.ctx, minScore)
	if err != nil {
		return CompanyDuplicatesDTO{}, err
	}
	out := CompanyDuplicatesDTO{Workspace: a.workspaceDTO(), Threshold: backend.DefaultDuplicateThreshold, Total: len(pairs), Pairs: []CompanyPairDTO{}}
	for i, p := range pairs {
		if i == MaxDuplicatePairs {
			break
		}
		out.Pairs = append(out.Pairs, CompanyPairDTO{
			A:     DuplicateCompanyDTO{ID: p.A.ID, Name: p.A.Name, Domain: p.A.Domain, Local: p.A.Local},
			B:     DuplicateCompanyDTO{ID: p.B.ID, Name: p.B.Name, Domain: p.B.Domain, Local: p.B.Local},
			Score: roundScore(p.Score), Evidence: append([]string{}, p.Evidence...)})
	}
	return out, nil
}

// DuplicateCompanyDTO is one side of a company pair.
type DuplicateCompanyDTO struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Domain string `json:"domain"`
	Local  bool   `json:"local"`
}

// CompanyPairDTO is two companies that look like one; A is the one to keep.
type CompanyPairDTO struct {
	A        DuplicateCompanyDTO `json:"a"`
	B        DuplicateCompanyDTO `json:"b"`
	Score    float64             `json:"score"`
	Evidence []string            `json:"evidence"`
}

// CompanyDuplicatesDTO lists company pairs, best first.
type CompanyDuplicatesDTO struct {
	Workspace WorkspaceDTO     `json:"workspace"`
	Threshold float64          `json:"threshold"`
	Total     int              `json:"total"`
	Pairs     []CompanyPairDTO `json:"pairs"`
}

func roundScore(s float64) float64 { return float64(int(s*1000+0.5)) / 1000 }

func duplicateContactDTO(c backend.DuplicateContact) DuplicateContactDTO {
	return DuplicateContactDTO{ID: c.ID, Email: c.Email, Name: c.Name, Local: c.Local}
}

func detectDTO(r backend.DetectReport) DetectDTO {
	moves := append([]uint64{}, r.Moves...)
	return DetectDTO{Pairs: r.Pairs, Moves: moves}
}

// importContacts imports the CSV r; progress, when set, hears the rows
// read after each stored batch.
func (a *App) importContacts(r io.Reader, progress func(int)) (ImportContactsDTO, error) {
	rep, err := a.queue.Contacts.Import(a.ctx, r, backend.ImportOptions{Progress: progress})
	out := ImportContactsDTO{Workspace: a.workspaceDTO(), Rows: rep.Rows, Created: rep.Created, Updated: rep.Updated,
		Unchanged: rep.Unchanged, Rejected: []LineErrorDTO{}, RejectedTotal: rep.RejectedTotal, Duplicates: detectDTO(rep.Duplicates)}
	for _, r := range rep.Rejected {
		out.Rejected = append(out.Rejected, LineErrorDTO{Line: r.Line, Code: backend.ErrorCode(r.Err), Message: backend.ErrorMessage(r.Err)})
	}
	return out, err
}

// ImportContactsDTO reports what a contacts import did: rows read, and
// contacts created, updated and unchanged; Rejected holds the first 100
// rejected rows by line, RejectedTotal counts them all; Duplicates says
// what detection proposed.
type ImportContactsDTO struct {
	Workspace     WorkspaceDTO   `json:"workspace"`
	Rows          int            `json:"rows"`
	Created       int            `json:"created"`
	Updated       int            `json:"updated"`
	Unchanged     int            `json:"unchanged"`
	Rejected      []LineErrorDTO `json:"rejected"`
	RejectedTotal int            `json:"rejected_total"`
	Duplicates    DetectDTO      `json:"duplicates"`
}

// DetectDTO is what duplicate detection proposed: pairs above the
// threshold, and the merge moves they made or updated.
type DetectDTO struct {
	Pairs int      `json:"pairs"`
	Moves []uint64 `json:"moves"`
}

// DuplicateContactDTO is one side of a pair; Local: imported, not in the
// CRM.
type DuplicateContactDTO struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
	Local bool   `json:"local"`
}

// DuplicatePairDTO is two contacts that look like one person; A is the one
// a merge keeps.
type DuplicatePairDTO struct {
	A        DuplicateContactDTO `json:"a"`
	B        DuplicateContactDTO `json:"b"`
	Score    float64             `json:"score"`
	Evidence []string            `json:"evidence"`
}

// DuplicatesDTO lists duplicate pairs, best first: Total counts them all,
// Pairs holds at most MaxDuplicatePairs; Proposed says what --propose made.
type DuplicatesDTO struct {
	Workspace WorkspaceDTO       `json:"workspace"`
	Threshold float64            `json:"threshold"`
	Total     int                `json:"total"`
	Pairs     []DuplicatePairDTO `json:"pairs"`
	Proposed  DetectDTO          `json:"proposed"`
}
