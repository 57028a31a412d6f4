package backend_test

import (
	"bytes"
	"fmt"
	"io"
	"math/rand"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// hubspotExport is the head of a contacts export from HubSpot (Contacts →
// Export, all properties trimmed to the ones imported), with a BOM, a
// quoted field holding a newline and a comma, and a broken row.
const hubspotExport = "\ufeffRecord ID,First Name,Last Name,Email,Phone Number,Job Title,Contact owner,Create Date,Company Name,Company Domain Name,Lifecycle Stage\n" +
	"101,Dana,Scully,Dana.Scully@FBI.example,+1 202 555 0100,\"Special Agent,\nPathology\",Fox Mulder,2024-03-02 09:30,FBI,https://www.fbi.example/,Lead\n" +
	"102,Walter,Skinner,skinner@fbi.example,,Assistant Director,,2024-03-03 10:00,FBI,fbi.example,Customer\n" +
	"103,Broken,Row,not-an-email,,,,,,,\n" +
	"104,Alex,Krycek,,(202) 555-0199,,,03/04/2024,,,\n"

func TestContactService_Import(t *testing.T) {
	t.Run("HubSpotExport", func(t *testing.T) {
		f := newQueue(t)
		rep, err := f.q.Contacts.Import(f.ctx, strings.NewReader(hubspotExport), backend.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Rows != 4 || rep.Created != 3 || rep.RejectedTotal != 1 {
			t.Fatalf("Import = %d rows, %d created, %d rejected, want 4, 3, 1 (%+v)", rep.Rows, rep.Created, rep.RejectedTotal, rep.Rejected)
		}
		if r := rep.Rejected[0]; r.Line != 5 || backend.ErrorCode(r.Err) != backend.EINVALID || !strings.Contains(backend.ErrorMessage(r.Err), "not-an-email") {
			t.Errorf("Rejected = line %d %q, want line 5 saying the email is bad", r.Line, backend.ErrorMessage(r.Err))
		}
		f.view(t, func(tx backend.Tx) error {
			c, err := tx.ContactByEmail("dana.scully@fbi.example")
			if err != nil {
				return err
			}
			want := backend.Contact{ID: "dana.scully@fbi.example", Email: "dana.scully@fbi.example", Name: "Dana Scully",
				Title: "Special Agent,\nPathology", Phone: "+1 202 555 0100", Owner: "Fox Mulder", Lifecycle: "lead",
				CreatedAt: time.Date(2024, 3, 2, 9, 30, 0, 0, time.UTC), CompanyID: "import:fbi.example",
				Source: backend.ContactSourceImport, UpdatedAt: testNow}
			if !sameContactFields(c, &want) {
				t.Errorf("imported contact = %+v, want %+v", *c, want)
			}
			co, err := tx.FindCompany("import:fbi.example")
			if err != nil || co.Name != "FBI" || co.Domain != "fbi.example" || co.Source != backend.ContactSourceImport {
				t.Errorf("imported company = %+v, %v", co, err)
			}
			// Without an email a row is kept under an id its values give.
			n := 0
			err = tx.EachContact(func(c *backend.Contact) error {
				if c.Name == "Alex Krycek" && strings.HasPrefix(c.ID, "import:") && c.Phone == "(202) 555-0199" {
					n++
				}
				return nil
			})
			if n != 1 {
				t.Errorf("contacts named Alex Krycek with an import id = %d, want 1", n)
			}
			return err
		})
		// Importing the same file again changes nothing; a changed title
		// updates the contact, not a second one.
		again, err := f.q.Contacts.Import(f.ctx, strings.NewReader(hubspotExport), backend.ImportOptions{})
		if err != nil || again.Created != 0 || again.Updated != 0 || again.Unchanged != 3 {
			t.Errorf("second Import = %+v, %v, want 3 unchanged", again, err)
		}
		changed := strings.Replace(hubspotExport, "Assistant Director", "Director", 1)
		third, err := f.q.Contacts.Import(f.ctx, strings.NewReader(changed), backend.ImportOptions{})
		if err != nil || third.Created != 0 || third.Updated != 1 {
			t.Errorf("Import with a changed title = %+v, %v, want 1 updated", third, err)
		}
	})
	t.Run("CRMContactKeepsItsValues", func(t *testing.T) {
		f := newQueue(t)
		f.ingest(t, &backend.Signal{Source: backend.SourceHubSpot, Type: backend.SignalContactCreated, OccurredAt: testNow.Add(-time.Hour),
			DedupeKey: "hs:1", Contact: &backend.Contact{ID: "501", Email: "skinner@fbi.example", Name: "Walter S. Skinner"}})
		rep, err := f.q.Contacts.Import(f.ctx, strings.NewReader(hubspotExport), backend.ImportOptions{NoDetect: true})
		if err != nil || rep.Created != 2 || rep.Updated != 1 {
			t.Fatalf("Import = %+v, %v, want 2 created and the HubSpot contact updated", rep, err)
		}
		f.view(t, func(tx backend.Tx) error {
			c, err := tx.FindContact("501")
			if err != nil {
				return err
			}
			if c.Name != "Walter S. Skinner" || c.Title != "Assistant Director" || c.LocalOnly() {
				t.Errorf("HubSpot contact after import = %+v, want its name kept, the title filled, still the CRM's", *c)
			}
			return nil
		})
	})
	t.Run("Variants", func(t *testing.T) {
		for _, tt := range []struct{ name, csv string }{
			{"Semicolons", "E-mail;Firstname;Last Name;Company;Website URL;Mobile;Title;Owner;Created at\nkim@acme.example;Kim;Lee;Acme;acme.example;+1 415 555 0100;CTO;me;2024-01-02T03:04:05Z\n"},
			{"Tabs", "Email Address\tFull Name\tCompany Name\nkim@acme.example\tKim Lee\tAcme\n"},
			{"CRLF", "Email,Name\r\nkim@acme.example,Kim Lee\r\n"},
			{"Latin1", "Email,Name\nkim@acme.example,Kim L\xe9e\n"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				f := newQueue(t)
				rep, err := f.q.Contacts.Import(f.ctx, strings.NewReader(tt.csv), backend.ImportOptions{})
				if err != nil || rep.Created != 1 || rep.RejectedTotal != 0 {
					t.Fatalf("Import = %+v, %v, want 1 created", rep, err)
				}
				f.view(t, func(tx backend.Tx) error {
					c, err := tx.ContactByEmail("kim@acme.example")
					if err == nil && !strings.HasPrefix(c.Name, "Kim L") {
						t.Errorf("name = %q", c.Name)
					}
					return err
				})
			})
		}
	})
	t.Run("Hostile", func(t *testing.T) {
		good := "ok@acme.example,Ok Person,2024-01-01\n"
		for _, tt := range []struct {
			name   string
			row    string
			reason string
		}{
			{"FiveMegabyteField", "big@acme.example," + strings.Repeat("x", 5<<20) + ",2024-01-01\n", "longer than"},
			{"TenThousandColumns", "wide@acme.example,Wide" + strings.Repeat(",x", 10_000) + "\n", "columns"},
			{"YearNineThousand", "future@acme.example,Future Person,9999-12-31\n", "not plausible"},
			{"NotADate", "bad@acme.example,Bad Date,yesterday\n", "not a date"},
			{"BareQuote", "quote@acme.example,Bad \"Quote,2024-01-01\n", "not well-formed"},
			{"NoIdentity", ",,2024-01-01\n", "no email, name or phone"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				f := newQueue(t)
				in := "Email,Name,Create Date\n" + good + tt.row + good
				rep, err := f.q.Contacts.Import(f.ctx, strings.NewReader(in), backend.ImportOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if rep.Created != 1 || rep.Unchanged != 1 || rep.RejectedTotal != 1 {
					t.Fatalf("Import = %+v, want the good rows kept and one rejected", rep)
				}
				if r := rep.Rejected[0]; r.Line != 3 || !strings.Contains(backend.ErrorMessage(r.Err), tt.reason) {
					t.Errorf("Rejected = line %d %q, want line 3 saying %q", r.Line, backend.ErrorMessage(r.Err), tt.reason)
				}
			})
		}
		t.Run("UnclosedQuote", func(t *testing.T) {
			f := newQueue(t)
			in := "Email,Name\nok@acme.example,Ok\nx@acme.example,\"never closed\n" + strings.Repeat("more@acme.example,More\n", 10)
			rep, err := f.q.Contacts.Import(f.ctx, strings.NewReader(in), backend.ImportOptions{})
			if err != nil || rep.Created != 1 || rep.RejectedTotal != 1 {
				t.Errorf("Import = %+v, %v, want the row before kept and the rest rejected as one", rep, err)
			}
		})
		t.Run("InvalidUTF8Email", func(t *testing.T) {
			f := newQueue(t)
			rep, err := f.q.Contacts.Import(f.ctx, strings.NewReader("Email,Name\n\xff\xfe@acme.example,X\n"), backend.ImportOptions{})
			if err != nil || rep.RejectedTotal != 1 {
				t.Errorf("Import = %+v, %v, want the row rejected", rep, err)
			}
		})
		t.Run("EmptyFile", func(t *testing.T) {
			f := newQueue(t)
			for _, in := range []string{"", "\ufeff", "\n\n  \n"} {
				if _, err := f.q.Contacts.Import(f.ctx, strings.NewReader(in), backend.ImportOptions{}); backend.ErrorCode(err) != backend.EINVALID {
					t.Errorf("Import(%q): code %q, want invalid", in, backend.ErrorCode(err))
				}
			}
		})
		t.Run("HeaderOnly", func(t *testing.T) {
			f := newQueue(t)
			rep, err := f.q.Contacts.Import(f.ctx, strings.NewReader("Email,First Name,Last Name\n"), backend.ImportOptions{})
			if err != nil || rep.Rows != 0 || rep.Created != 0 {
				t.Errorf("Import(header only) = %+v, %v, want nothing and no error", rep, err)
			}
		})
		t.Run("NotAContactsFile", func(t *testing.T) {
			f := newQueue(t)
			_, err := f.q.Contacts.Import(f.ctx, strings.NewReader("deal,amount\nbig,100\n"), backend.ImportOptions{})
			if backend.ErrorCode(err) != backend.EINVALID || !strings.Contains(backend.ErrorMessage(err), "no email, name or phone column") {
				t.Errorf("Import(deals) = %v, want invalid: no email, name or phone column", err)
			}
		})
	})
}

// sameContactFields compares the fields an import sets.
func sameContactFields(a, b *backend.Contact) bool {
	return a.ID == b.ID && a.Email == b.Email && a.Name == b.Name && a.Title == b.Title && a.Phone == b.Phone &&
		a.Owner == b.Owner && a.Lifecycle == b.Lifecycle && a.CreatedAt.Equal(b.CreatedAt) && a.CompanyID == b.CompanyID &&
		a.Source == b.Source && a.UpdatedAt.Equal(b.UpdatedAt)
}

func (f *queueFixture) view(tb testing.TB, fn func(backend.Tx) error) {
	tb.Helper()
	if err := f.db.View(f.ctx, fn); err != nil {
		tb.Fatal(err)
	}
}

// generatedCSV streams n rows of a contacts export without holding them.
type generatedCSV struct {
	n, i int
	buf  bytes.Buffer
	rnd  *rand.Rand
}

func (g *generatedCSV) Read(p []byte) (int, error) {
	for g.buf.Len() < len(p) && g.i <= g.n {
		if g.i == 0 {
			g.buf.WriteString("First Name,Last Name,Email,Phone Number,Company Name,Company Domain Name,Job Title,Create Date\n")
		} else {
			fmt.Fprintf(&g.buf, "First%d,Last%d,person%d@company%d.example,+1 415 %03d %04d,Company %d,company%d.example,Engineer,2024-01-%02d\n",
				g.i, g.i, g.i, g.i%5000, g.rnd.Intn(1000), g.i%10000, g.i%5000, g.i%5000, 1+g.i%28)
		}
		g.i++
	}
	if g.buf.Len() == 0 {
		return 0, io.EOF
	}
	return g.buf.Read(p)
}

// TestContactService_Import100k streams a generated 100,000-row export and
// holds the heap's growth to a bound that does not depend on the rows.
func TestContactService_Import100k(t *testing.T) {
	if testing.Short() {
		t.Skip("100k rows")
	}
	f := newQueue(t)
	var peak uint64
	sample := func(int) {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
	}
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	start := time.Now()
	rep, err := f.q.Contacts.Import(f.ctx, &generatedCSV{n: 100_000, rnd: rand.New(rand.NewSource(1))}, backend.ImportOptions{Progress: sample, NoDetect: true})
	if err != nil {
		t.Fatal(err)
	}
	growth := int64(peak) - int64(base.HeapInuse)
	t.Logf("100,000 rows in %v; peak heap growth %.1f MB", time.Since(start), float64(growth)/(1<<20))
	if rep.Created != 100_000 || rep.RejectedTotal != 0 {
		t.Fatalf("Import = %d created, %d rejected, want 100000, 0", rep.Created, rep.RejectedTotal)
	}
	if growth > 64<<20 {
		t.Errorf("peak heap growth %d MB, want under 64 MB (rows must be streamed, not held)", growth>>20)
	}
}
