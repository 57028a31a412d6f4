package backend

import (
	"net/mail"
	"strings"
	"time"
)

// Contact is a person the founder sells to or works with.
type Contact struct {
	ID        string // stable id from the source (a HubSpot id, or the email address)
	Email     string
	Name      string
	Title     string
	CompanyID string
	Lifecycle string // lead, opportunity, customer …
	Timezone  string // IANA name, for scheduling
	// XHandle is the contact's handle on X, without the @ (HubSpot's
	// twitterhandle property): how a mention's author is recognized as a
	// known contact.
	XHandle        string
	LastActivityAt time.Time
	UpdatedAt      time.Time
	Phone          string    // as given; dedupe reads it in E.164
	Owner          string    // the CRM owner's name or email, from an import
	CreatedAt      time.Time // when the source created it; zero when unknown
	// Source is where the record lives: "" for the CRM it was synced from,
	// ContactSourceImport for one imported from a file, which exists only
	// in this workspace (nothing writes it to HubSpot).
	Source string
}

// MaxPhone bounds a contact's phone, which a CRM keeps as free text.
const MaxPhone = 64

// ContactSourceImport marks a contact or company imported from a file:
// the workspace's own, local-only.
const ContactSourceImport = "import"

// LocalOnly reports whether the contact exists only in this workspace.
func (c *Contact) LocalOnly() bool { return c.Source == ContactSourceImport }

// Company is an account.
type Company struct {
	ID          string
	Name        string
	Domain      string
	Industry    string
	Employees   int
	Country     string
	ExpectedARR float64 // what a deal with this company is expected to be worth per year
	Tags        []string
	UpdatedAt   time.Time
	Source      string // "" or ContactSourceImport, as for Contact
}

// Deal is an opportunity in the CRM pipeline.
type Deal struct {
	ID             string
	Name           string
	Amount         float64 // annual value in the account's currency; 0 = unknown
	Currency       string
	Stage          string
	Pipeline       string
	CloseDate      time.Time
	CompanyID      string
	ContactIDs     []string
	LastActivityAt time.Time
	StageChangedAt time.Time
	UpdatedAt      time.Time
}

// ValidEmail reports whether s is a bare email address (no display name,
// no angle brackets). Plain addresses, which are nearly all of them, are
// checked by a fast scan; anything unusual goes to net/mail.
func ValidEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return false
	}
	plain := true
	for i := 0; i < len(s) && plain; i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-':
		case c == '.' || c == '_' || c == '+' || c == '%':
			plain = i < at || c == '.' // the domain takes letters, digits, '-' and '.'
		case c == '@':
			plain = i == at
		default:
			plain = false
		}
	}
	domain := s[at+1:]
	if plain && strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".") &&
		!strings.Contains(s, "..") && s[0] != '.' && s[at-1] != '.' {
		return true
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == "" && a.Address == s
}

// FirstName returns the first word of the contact's name, or the local part of
// the address when there is no name.
func (c *Contact) FirstName() string {
	if c == nil {
		return "there"
	}
	if f := strings.Fields(c.Name); len(f) > 0 {
		return f[0]
	}
	if i := strings.IndexByte(c.Email, '@'); i > 0 {
		return c.Email[:i]
	}
	return "there"
}

// DisplayName is the name, else the address, else the id.
func (c *Contact) DisplayName() string {
	switch {
	case c == nil:
		return "someone"
	case c.Name != "":
		return c.Name
	case c.Email != "":
		return c.Email
	}
	return c.ID
}

// Normalize lower-cases the address and uses it as the id when none is set.
func (c *Contact) Normalize() {
	c.Email = strings.ToLower(strings.TrimSpace(c.Email))
	c.Name = strings.TrimSpace(c.Name)
	c.XHandle = NormalizeHandle(c.XHandle)
	c.Phone = strings.TrimSpace(c.Phone)
	c.Owner = strings.TrimSpace(c.Owner)
	c.Source = strings.TrimSpace(c.Source)
	if c.ID == "" {
		c.ID = c.Email
	}
}

// Validate checks the contact has an id and, if set, a well-formed address and time zone.
func (c *Contact) Validate() error {
	if c.ID == "" {
		return Errorf(EINVALID, "contact needs an id or an email")
	}
	if c.Email != "" {
		if !ValidEmail(c.Email) {
			return Errorf(EINVALID, "contact %s: email %q is not an email address", c.ID, c.Email)
		}
	}
	if c.XHandle != "" && !ValidHandle(c.XHandle) {
		return Errorf(EINVALID, "contact %s: %q is not an X handle", c.ID, c.XHandle)
	}
	if c.Timezone != "" {
		if _, err := time.LoadLocation(c.Timezone); err != nil {
			return Errorf(EINVALID, "contact %s: time zone %q is unknown", c.ID, c.Timezone)
		}
	}
	if c.Source != "" && c.Source != ContactSourceImport {
		return Errorf(EINVALID, "contact %s: source %q is not %q (a contact synced from the CRM has none)", c.ID, c.Source, ContactSourceImport)
	}
	return nil
}

// Validate checks the company has an id and sane numbers.
func (c *Company) Validate() error {
	if c.ID == "" {
		return Errorf(EINVALID, "company needs an id")
	}
	if c.Employees < 0 {
		return Errorf(EINVALID, "company %s: employees cannot be negative", c.ID)
	}
	if c.ExpectedARR < 0 {
		return Errorf(EINVALID, "company %s: expected ARR cannot be negative", c.ID)
	}
	if c.Source != "" && c.Source != ContactSourceImport {
		return Errorf(EINVALID, "company %s: source %q is not %q (a company synced from the CRM has none)", c.ID, c.Source, ContactSourceImport)
	}
	return nil
}

// Validate checks the deal has an id and a non-negative amount.
func (d *Deal) Validate() error {
	if d.ID == "" {
		return Errorf(EINVALID, "deal needs an id")
	}
	if d.Amount < 0 {
		return Errorf(EINVALID, "deal %s: amount cannot be negative", d.ID)
	}
	return nil
}

// DealFilter selects deals.
type DealFilter struct {
	// InactiveBefore selects deals whose last activity is before this time.
	InactiveBefore *time.Time
	// ExcludeStages drops deals in these stages (closed ones, typically).
	ExcludeStages []string
	Limit         int
}

// NormalizeHandle trims an X handle and its @: " @DevJess " → "DevJess".
func NormalizeHandle(h string) string {
	return strings.TrimPrefix(strings.TrimSpace(h), "@")
}

// ValidHandle reports whether h (without the @) can be an X handle: 1 to
// 15 letters, digits and underscores.
func ValidHandle(h string) bool {
	if len(h) == 0 || len(h) > 15 {
		return false
	}
	for _, r := range h {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}
