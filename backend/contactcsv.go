package backend

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/caseyos/caseyos/backend/dedupe"
)

// Limits of a contacts CSV. A row longer than MaxCSVRecord (an unclosed
// quote swallowing the rest of the file) stops the import: where the row
// ends cannot be known. A longer field or more columns only rejects its row.
const (
	MaxCSVRecord  = 16 << 20
	MaxCSVField   = 64 << 10
	MaxCSVColumns = 1000
)

// csvColumn is a contact field an export's column fills.
type csvColumn int

const (
	colNone csvColumn = iota
	colEmail
	colFirst
	colLast
	colName
	colCompany
	colDomain
	colPhone
	colMobile
	colTitle
	colOwner
	colCreated
	colLifecycle
)

// csvHeaders maps a header, lower case without spaces, dashes or
// underscores, to its field: HubSpot's export names and the variants other
// CRMs and spreadsheets use.
var csvHeaders = map[string]csvColumn{
	"email": colEmail, "emailaddress": colEmail, "workemail": colEmail, "primaryemail": colEmail, "mail": colEmail,
	"firstname": colFirst, "givenname": colFirst, "first": colFirst,
	"lastname": colLast, "surname": colLast, "familyname": colLast, "last": colLast,
	"name": colName, "fullname": colName, "contactname": colName, "contact": colName,
	"company": colCompany, "companyname": colCompany, "associatedcompany": colCompany, "organization": colCompany,
	"organisation": colCompany, "account": colCompany, "accountname": colCompany,
	"companydomain": colDomain, "companydomainname": colDomain, "website": colDomain, "websiteurl": colDomain,
	"domain": colDomain, "companywebsite": colDomain,
	"phone": colPhone, "phonenumber": colPhone, "workphone": colPhone, "telephone": colPhone, "tel": colPhone,
	"mobile": colMobile, "mobilephone": colMobile, "mobilephonenumber": colMobile, "cell": colMobile, "cellphone": colMobile,
	"jobtitle": colTitle, "title": colTitle, "position": colTitle, "role": colTitle,
	"contactowner": colOwner, "owner": colOwner, "hubspotowner": colOwner, "accountowner": colOwner,
	"createdate": colCreated, "createdat": colCreated, "created": colCreated, "datecreated": colCreated, "creationdate": colCreated,
	"lifecyclestage": colLifecycle, "lifecycle": colLifecycle,
}

func headerKey(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(h)) {
		switch r {
		case ' ', '-', '_', '.', '\t':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ImportedContact is one row of a contacts CSV.
type ImportedContact struct {
	Line          int // where the row starts in the file (the header is line 1)
	Email         string
	Name          string
	Phone         string
	Title         string
	Owner         string
	Lifecycle     string
	CreatedAt     time.Time
	CompanyName   string
	CompanyDomain string
}

// ContactCSV reads a CRM export of contacts row by row, holding one row at
// a time.
type ContactCSV struct {
	r      *csv.Reader
	lim    *recordLimit
	cols   []csvColumn
	now    time.Time
	header int // how many columns the header has
}

// recordLimit fails a read once one record has read more than max bytes.
type recordLimit struct {
	r    io.Reader
	n    int
	max  int
	over bool
}

var errRecordTooLong = errors.New("record too long")

func (l *recordLimit) Read(p []byte) (int, error) {
	if l.n > l.max {
		l.over = true
		return 0, errRecordTooLong
	}
	n, err := l.r.Read(p)
	l.n += n
	return n, err
}

// NewContactCSV reads the header of a contacts CSV: UTF-8 with or without
// a byte order mark, fields separated by commas, semicolons or tabs
// (whichever the header uses), quoted fields holding newlines. now bounds
// the dates it accepts. An empty file, or a header naming no email, name
// or phone column, is EINVALID.
func NewContactCSV(r io.Reader, now time.Time) (*ContactCSV, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	head, _ := br.Peek(64 << 10)
	if len(bytes.TrimSpace(head)) == 0 {
		return nil, Errorf(EINVALID, "the file is empty: a CSV export starts with a header row")
	}
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	lim := &recordLimit{r: br, max: MaxCSVRecord}
	cr := csv.NewReader(lim)
	cr.Comma = sniffDelimiter(head)
	cr.FieldsPerRecord = -1 // counted per row, to reject a row rather than stop
	cr.ReuseRecord = true
	cr.LazyQuotes = false // a stray quote rejects its row instead of silently joining rows
	hdr, err := cr.Read()
	if err != nil {
		return nil, &Error{Code: EINVALID, Message: "cannot read the header row", Err: err}
	}
	c := &ContactCSV{r: cr, lim: lim, now: now, header: len(hdr)}
	have := map[csvColumn]bool{}
	for _, h := range hdr {
		col := csvHeaders[headerKey(h)]
		if have[col] {
			col = colNone // the first of two columns of one name wins
		}
		have[col] = true
		c.cols = append(c.cols, col)
	}
	if !have[colEmail] && !have[colFirst] && !have[colLast] && !have[colName] && !have[colPhone] && !have[colMobile] {
		return nil, Errorf(EINVALID, "the header has no email, name or phone column (it has: %s)", truncate(strings.Join(hdr, ", "), 200))
	}
	return c, nil
}

// sniffDelimiter picks the separator the header row uses most, outside quotes.
func sniffDelimiter(head []byte) rune {
	counts := map[byte]int{}
	quoted := false
	for _, b := range head {
		switch {
		case b == '"':
			quoted = !quoted
		case !quoted && (b == ',' || b == ';' || b == '\t'):
			counts[b]++
		}
	}
	best := byte(',')
	for _, d := range []byte{';', '\t'} {
		if counts[d] > counts[best] {
			best = d
		}
	}
	return rune(best)
}

// Next returns the next row. A row that cannot be a contact comes back
// with its line and an EINVALID rowErr, and the rows after it are read as
// usual; err (never EINVALID for one row) ends the file: io.EOF, or a read
// failure or a row too long to find its end.
func (c *ContactCSV) Next() (row ImportedContact, rowErr, err error) {
	c.lim.n = 0
	rec, err := c.r.Read()
	line, _ := c.r.FieldPos(0)
	var pe *csv.ParseError
	switch {
	case c.lim.over:
		return row, nil, Errorf(EINVALID, "the row after line %d is longer than %d MB (a quote that is never closed?); rows after it were not read", line, MaxCSVRecord>>20)
	case errors.As(err, &pe):
		return ImportedContact{Line: pe.StartLine}, Errorf(EINVALID, "the row is not well-formed CSV: %v", pe.Err), nil
	case err != nil:
		return row, nil, err
	}
	row.Line = line
	if len(rec) > MaxCSVColumns {
		return row, Errorf(EINVALID, "the row has %d columns; at most %d are read", len(rec), MaxCSVColumns), nil
	}
	if len(rec) > c.header {
		for _, f := range rec[c.header:] {
			if strings.TrimSpace(f) != "" {
				return row, Errorf(EINVALID, "the row has %d columns, the header %d", len(rec), c.header), nil
			}
		}
	}
	if len(rec) < c.header && !(len(rec) == 1 && rec[0] == "") {
		return row, Errorf(EINVALID, "the row has %d columns, the header %d", len(rec), c.header), nil
	}
	var first, last, full, mobile, created string
	for i, col := range c.cols {
		if i >= len(rec) || col == colNone {
			continue
		}
		v := rec[i]
		if len(v) > MaxCSVField {
			return row, Errorf(EINVALID, "a field is longer than %d KB", MaxCSVField>>10), nil
		}
		if !utf8.ValidString(v) {
			if col == colEmail {
				return row, Errorf(EINVALID, "the email is not valid text (UTF-8)"), nil
			}
			v = latin1(v) // a name in an export saved as Latin-1
		}
		// A copy: the reader's strings share one buffer with the whole row.
		v = strings.Clone(strings.TrimSpace(v))
		switch col {
		case colEmail:
			row.Email = strings.ToLower(v)
		case colFirst:
			first = v
		case colLast:
			last = v
		case colName:
			full = v
		case colCompany:
			row.CompanyName = v
		case colDomain:
			row.CompanyDomain = dedupe.NormalizeDomain(v)
		case colPhone:
			row.Phone = v
		case colMobile:
			mobile = v
		case colTitle:
			row.Title = v
		case colOwner:
			row.Owner = v
		case colCreated:
			created = v
		case colLifecycle:
			row.Lifecycle = strings.ToLower(v)
		}
	}
	row.Name = strings.Join(strings.Fields(first+" "+last), " ")
	if row.Name == "" {
		row.Name = strings.Join(strings.Fields(full), " ")
	}
	if row.Phone == "" {
		row.Phone = mobile
	}
	switch {
	case row.Email == "" && row.Name == "" && row.Phone == "":
		if len(rec) == 1 && rec[0] == "" {
			return row, errBlankRow, nil
		}
		return row, Errorf(EINVALID, "the row has no email, name or phone"), nil
	case row.Email != "" && !ValidEmail(row.Email):
		return row, Errorf(EINVALID, "email %q is not an email address", truncate(row.Email, 80)), nil
	}
	if created != "" {
		t, err := parseCSVTime(created)
		if err != nil {
			return row, Errorf(EINVALID, "create date %q is not a date", truncate(created, 40)), nil
		}
		if t.After(c.now.Add(48*time.Hour)) || t.Year() < 1900 {
			return row, Errorf(EINVALID, "create date %s is not plausible", t.Format("2006-01-02")), nil
		}
		row.CreatedAt = t
	}
	return row, nil, nil
}

// errBlankRow marks an empty line, which is skipped, not rejected.
var errBlankRow = errors.New("blank row")

// IsBlankRow reports whether Next's rowErr is an empty line.
func IsBlankRow(err error) bool { return errors.Is(err, errBlankRow) }

// csvTimeLayouts are the date forms exports use; day-first forms are not
// guessed (01/02 is January 2nd).
var csvTimeLayouts = []string{
	time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02",
	"01/02/2006 15:04", "01/02/2006 3:04 PM", "01/02/2006", "1/2/2006 15:04", "1/2/2006 3:04 PM", "1/2/2006", "2006/01/02",
}

func parseCSVTime(s string) (time.Time, error) {
	for _, l := range csvTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("unknown date format")
}

// latin1 reads s as ISO 8859-1, where every byte is a character.
func latin1(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteRune(rune(s[i]))
	}
	return b.String()
}

// importedContactID is the id of an imported contact: its address, or
// for one without, a hash of what identifies it, so re-importing the file
// finds it again.
func importedContactID(r *ImportedContact) string {
	if r.Email != "" {
		return r.Email
	}
	h := sha256.Sum256([]byte(strings.ToLower(r.Name) + "\x00" + r.Phone + "\x00" + strings.ToLower(r.CompanyName) + "\x00" + r.CompanyDomain))
	return "import:" + hex.EncodeToString(h[:8])
}

// importedCompanyID is the id of an imported row's company: by domain, or
// by name when there is none; "" when the row names no company.
func importedCompanyID(r *ImportedContact) string {
	switch {
	case r.CompanyDomain != "":
		return "import:" + r.CompanyDomain
	case dedupe.CompanyKey(r.CompanyName) != "":
		return "import:name:" + dedupe.CompanyKey(r.CompanyName)
	}
	return ""
}
