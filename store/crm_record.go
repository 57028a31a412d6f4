package store

// The disk format of contacts/<id>, companies/<id> and deals/<id>.
// record.go says what every record follows.

import (
	"time"

	"github.com/caseyos/caseyos/backend"
)

type contactRecord struct {
	ID             string     `json:"id"`
	Email          string     `json:"email,omitempty"`
	Name           string     `json:"name,omitempty"`
	Title          string     `json:"title,omitempty"`
	CompanyID      string     `json:"company_id,omitempty"`
	Lifecycle      string     `json:"lifecycle,omitempty"`
	Timezone       string     `json:"timezone,omitempty"`
	XHandle        string     `json:"x_handle,omitempty"`
	LastActivityAt time.Time  `json:"last_activity_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	Phone          string     `json:"phone,omitempty"`
	Owner          string     `json:"owner,omitempty"`
	CreatedAt      *time.Time `json:"created_at,omitempty"`
	Source         string     `json:"source,omitempty"`
}

type companyRecord struct {
	ID          string    `json:"id"`
	Name        string    `json:"name,omitempty"`
	Domain      string    `json:"domain,omitempty"`
	Industry    string    `json:"industry,omitempty"`
	Employees   int       `json:"employees,omitempty"`
	Country     string    `json:"country,omitempty"`
	ExpectedARR float64   `json:"expected_arr,omitempty"`
	Tags        []string  `json:"tags,omitempty"`
	UpdatedAt   time.Time `json:"updated_at"`
	Source      string    `json:"source,omitempty"`
}

type dealRecord struct {
	ID             string    `json:"id"`
	Name           string    `json:"name,omitempty"`
	Amount         float64   `json:"amount,omitempty"`
	Currency       string    `json:"currency,omitempty"`
	Stage          string    `json:"stage,omitempty"`
	Pipeline       string    `json:"pipeline,omitempty"`
	CloseDate      time.Time `json:"close_date"`
	CompanyID      string    `json:"company_id,omitempty"`
	ContactIDs     []string  `json:"contact_ids,omitempty"`
	LastActivityAt time.Time `json:"last_activity_at"`
	StageChangedAt time.Time `json:"stage_changed_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

func toContactRecord(c *backend.Contact) contactRecord {
	return contactRecord{
		ID: c.ID, Email: c.Email, Name: c.Name, Title: c.Title, CompanyID: c.CompanyID,
		Lifecycle: c.Lifecycle, Timezone: c.Timezone, XHandle: c.XHandle,
		LastActivityAt: utc(c.LastActivityAt), UpdatedAt: utc(c.UpdatedAt),
		Phone: c.Phone, Owner: c.Owner, CreatedAt: optTime(c.CreatedAt), Source: c.Source,
	}
}

func fromContactRecord(r *contactRecord) *backend.Contact {
	return &backend.Contact{
		ID: r.ID, Email: r.Email, Name: r.Name, Title: r.Title, CompanyID: r.CompanyID,
		Lifecycle: r.Lifecycle, Timezone: r.Timezone, XHandle: r.XHandle,
		LastActivityAt: r.LastActivityAt, UpdatedAt: r.UpdatedAt,
		Phone: r.Phone, Owner: r.Owner, CreatedAt: fromOptTime(r.CreatedAt), Source: r.Source,
	}
}

func toCompanyRecord(c *backend.Company) companyRecord {
	return companyRecord{
		ID: c.ID, Name: c.Name, Domain: c.Domain, Industry: c.Industry, Employees: c.Employees,
		Country: c.Country, ExpectedARR: c.ExpectedARR, Tags: cloneStrings(c.Tags), UpdatedAt: utc(c.UpdatedAt),
		Source: c.Source,
	}
}

func fromCompanyRecord(r *companyRecord) *backend.Company {
	return &backend.Company{
		ID: r.ID, Name: r.Name, Domain: r.Domain, Industry: r.Industry, Employees: r.Employees,
		Country: r.Country, ExpectedARR: r.ExpectedARR, Tags: r.Tags, UpdatedAt: r.UpdatedAt,
		Source: r.Source,
	}
}

func toDealRecord(d *backend.Deal) dealRecord {
	return dealRecord{
		ID: d.ID, Name: d.Name, Amount: d.Amount, Currency: d.Currency, Stage: d.Stage,
		Pipeline: d.Pipeline, CloseDate: utc(d.CloseDate), CompanyID: d.CompanyID,
		ContactIDs: cloneStrings(d.ContactIDs), LastActivityAt: utc(d.LastActivityAt),
		StageChangedAt: utc(d.StageChangedAt), UpdatedAt: utc(d.UpdatedAt),
	}
}

func fromDealRecord(r *dealRecord) *backend.Deal {
	return &backend.Deal{
		ID: r.ID, Name: r.Name, Amount: r.Amount, Currency: r.Currency, Stage: r.Stage,
		Pipeline: r.Pipeline, CloseDate: r.CloseDate, CompanyID: r.CompanyID,
		ContactIDs: r.ContactIDs, LastActivityAt: r.LastActivityAt,
		StageChangedAt: r.StageChangedAt, UpdatedAt: r.UpdatedAt,
	}
}
