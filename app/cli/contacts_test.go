package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/backend"
)

// hubspotCSV is a HubSpot contacts export: a BOM, HubSpot's column names,
// a quoted title with a comma and a newline, Bob Miller twice over (as
// Robert in the CRM columns' sense: same phone), John Smith and his
// colleague John Stone, and a broken row on line 7 (the quoted newline
// makes the first row two lines).
const hubspotCSV = "\ufeffRecord ID,First Name,Last Name,Email,Phone Number,Job Title,Contact owner,Create Date,Company Name,Company Domain Name\n" +
	"1,Robert,Miller,rmiller@acme.example,+1 415 555 0100,\"VP, Sales\nEMEA\",Fox,2024-03-02 09:30,Acme,acme.example\n" +
	"2,Bob,Miller,bob.miller@gmail.com,(415) 555-0100,,,,,\n" +
	"3,John,Smith,john.smith@acme.example,,,,,Acme,acme.example\n" +
	"4,John,Stone,john.stone@acme.example,,,,,Acme,acme.example\n" +
	"5,Broken,Row,not-an-email,,,,,,\n"

func writeFile(tb testing.TB, name, content string) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		tb.Fatal(err)
	}
	return p
}

func importJSON(tb testing.TB, out string) app.ImportContactsDTO {
	tb.Helper()
	var rep app.ImportContactsDTO
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		tb.Fatalf("import contacts --json output is not JSON: %v\n%.500s", err, out)
	}
	return rep
}

func duplicatesJSON(tb testing.TB, out string) []app.DuplicatePairDTO {
	tb.Helper()
	var pairs []app.DuplicatePairDTO
	if err := json.Unmarshal([]byte(out), &pairs); err != nil {
		tb.Fatalf("duplicates --json output is not a JSON array: %v\n%.500s", err, out)
	}
	return pairs
}

// TestCLI_ImportContacts imports a HubSpot export into a workspace of your
// own: the broken row is reported by line and the rest kept (exit 3), a
// second import changes nothing, and the duplicate it holds becomes a
// merge move.
func TestCLI_ImportContacts(t *testing.T) {
	dir := t.TempDir()
	clock := backend.NewManualClock(now)
	file := writeFile(t, "contacts.csv", hubspotCSV)

	code, out, errb := runCLI(t, dir, clock, "", "import", "contacts", file)
	if code != 3 {
		t.Fatalf("import contacts: exit %d, want 3 (a row rejected)\n%s\n%s", code, out, errb)
	}
	if !strings.Contains(errb, "line 7: email \"not-an-email\" is not an email address") {
		t.Errorf("stderr %q does not report line 7", errb)
	}
	if !strings.Contains(out, "Imported 4 of 5 rows") || !strings.Contains(out, "4 new") || !strings.Contains(out, "1 duplicate") {
		t.Errorf("stdout %q does not sum up the import", out)
	}
	if _, err := os.Stat(filepath.Join(dir, app.RealFile)); err != nil {
		t.Errorf("the import did not create your own workspace: %v", err)
	}

	code, out, errb = runCLI(t, dir, clock, "", "import", "contacts", file, "--json")
	rep := importJSON(t, out)
	if code != 3 || rep.Created != 0 || rep.Unchanged != 4 || rep.RejectedTotal != 1 || rep.Rejected[0].Line != 7 || rep.Workspace.Demo {
		t.Errorf("second import --json: exit %d, %+v (%s), want 4 unchanged and line 7 rejected", code, rep, errb)
	}

	code, out, errb = runCLI(t, dir, clock, "", "duplicates", "--json")
	pairs := duplicatesJSON(t, out)
	if code != 0 || len(pairs) != 1 {
		t.Fatalf("duplicates --json: exit %d, %d pairs (%s), want 1", code, len(pairs), errb)
	}
	p := pairs[0]
	if p.A.Email != "rmiller@acme.example" || p.B.Email != "bob.miller@gmail.com" || p.Score < backend.DefaultDuplicateThreshold ||
		!strings.Contains(strings.Join(p.Evidence, "; "), "same phone +14155550100") {
		t.Errorf("duplicates --json = %+v, want Robert kept, Bob merged, the phone as evidence", p)
	}
	code, out, _ = runCLI(t, dir, clock, "", "duplicates")
	if code != 0 || !strings.Contains(out, "Robert Miller") || !strings.Contains(out, "same phone") || strings.Contains(out, "John Stone") {
		t.Errorf("duplicates: exit %d\n%s", code, out)
	}
	// Nothing at Acme pairs John Smith with John Stone, however low the bar.
	_, out, _ = runCLI(t, dir, clock, "", "duplicates", "--json", "--min-score", "0.05")
	for _, p := range duplicatesJSON(t, out) {
		if strings.Contains(p.A.Name+p.B.Name, "John") {
			t.Errorf("duplicates --min-score 0.05 pairs %q and %q", p.A.Name, p.B.Name)
		}
	}

	// The import made the merge move; skipping it as "not a duplicate"
	// is remembered.
	today := todayOf(t, func(stdin string, args ...string) (int, string, string) { return runCLI(t, dir, clock, stdin, args...) })
	m := moveLike(t, today, "merge_contacts", "Bob Miller")
	if code, out, errb := runCLI(t, dir, clock, "", "skip", itoa(m.ID), "--not-duplicate", "--json"); code != 0 || !strings.Contains(out, `"skip_reason": "not a duplicate"`) {
		t.Fatalf("skip --not-duplicate: %d %q %q", code, out, errb)
	}
	_, out, _ = runCLI(t, dir, clock, "", "duplicates", "--json")
	if pairs := duplicatesJSON(t, out); len(pairs) != 0 {
		t.Errorf("duplicates after 'not a duplicate' = %+v, want none", pairs)
	}
	runCLI(t, dir, clock, "", "import", "contacts", file)
	for _, mv := range todayOf(t, func(stdin string, args ...string) (int, string, string) { return runCLI(t, dir, clock, stdin, args...) }).Moves {
		if mv.Kind == "merge_contacts" {
			t.Errorf("a merge move came back after 'not a duplicate': %+v", mv)
		}
	}
}

func TestCLI_ImportContactsEdges(t *testing.T) {
	clock := backend.NewManualClock(now)
	t.Run("HeaderOnly", func(t *testing.T) {
		dir := t.TempDir()
		code, out, errb := runCLI(t, dir, clock, "", "import", "contacts", writeFile(t, "h.csv", "Email,First Name\n"))
		if code != 0 || !strings.Contains(out, "No contacts in") {
			t.Errorf("header-only import: %d %q %q", code, out, errb)
		}
		if _, err := os.Stat(filepath.Join(dir, app.RealFile)); err == nil {
			t.Errorf("an import that stored nothing created a workspace")
		}
	})
	t.Run("EmptyFile", func(t *testing.T) {
		dir := t.TempDir()
		code, _, errb := runCLI(t, dir, clock, "", "import", "contacts", writeFile(t, "e.csv", ""))
		if code != 1 || !strings.Contains(errb, "the file is empty") {
			t.Errorf("empty import: %d %q", code, errb)
		}
	})
	t.Run("Usage", func(t *testing.T) {
		dir := t.TempDir()
		for _, args := range [][]string{{"import"}, {"import", "deals", "x.csv"}, {"import", "contacts"}, {"duplicates", "--min-score", "2"}} {
			if code, _, errb := runCLI(t, dir, clock, "", args...); code == 0 {
				t.Errorf("%v: exit 0, want a failure (%q)", args, errb)
			}
		}
	})
	t.Run("MissingFile", func(t *testing.T) {
		dir := t.TempDir()
		if code, _, errb := runCLI(t, dir, clock, "", "import", "contacts", filepath.Join(dir, "nope.csv")); code != 1 || !strings.Contains(errb, "cannot read") {
			t.Errorf("missing file: %d %q", code, errb)
		}
	})
}

// TestCLI_ConnectedDuplicates runs on a workspace connected to the fake
// HubSpot: after a sync, an import of a spreadsheet holding a HubSpot
// contact under another address proposes merging it into the HubSpot
// record, which survives.
func TestCLI_ConnectedDuplicates(t *testing.T) {
	w := newConnectedWorkspace(t)
	if code, out, errb := w.run(t, "", "sync", "--once"); code != 0 {
		t.Fatalf("sync --once: %d %q %q", code, out, errb)
	}
	csv := "Email,First Name,Last Name,Company Name,Company Domain Name\n" +
		"tommy.ashby@gmail.com,Tommy,Ashby,Ledgerly,ledgerly.com\n" + // Tom Ashby <tom.ashby@ledgerly.com>, 1002
		"new.person@example.org,New,Person,,\n"
	code, out, errb := w.run(t, "", "import", "contacts", writeFile(t, "sheet.csv", csv), "--json")
	rep := importJSON(t, out)
	if code != 0 || rep.Created != 2 || rep.Workspace.Demo || rep.Duplicates.Pairs < 1 {
		t.Fatalf("import contacts: %d %+v %q", code, rep, errb)
	}
	_, out, _ = w.run(t, "", "duplicates", "--json")
	var found bool
	for _, p := range duplicatesJSON(t, out) {
		if p.A.ID == "1002" && p.B.Email == "tommy.ashby@gmail.com" && !p.A.Local && p.B.Local {
			found = true
		}
	}
	if !found {
		t.Errorf("duplicates does not pair HubSpot's Tom Ashby (kept) with the imported Tommy: %s", out)
	}
	// The import's Ledgerly is HubSpot's Ledgerly.
	code, out, errb = w.run(t, "", "duplicates", "--companies", "--json")
	var companies []app.CompanyPairDTO
	if err := json.Unmarshal([]byte(out), &companies); err != nil || code != 0 {
		t.Fatalf("duplicates --companies --json: %d %v %q", code, err, errb)
	}
	if len(companies) != 1 || companies[0].A.ID != "co-ledgerly" || companies[0].B.ID != "import:ledgerly.com" ||
		!strings.Contains(strings.Join(companies[0].Evidence, "; "), "same domain ledgerly.com") {
		t.Errorf("duplicates --companies = %+v, want HubSpot's Ledgerly kept and the imported one merged", companies)
	}
	m := moveLike(t, w.today(t), "merge_contacts", "Tommy Ashby")
	if len(m.Draft.MergeIDs) != 2 || m.Draft.MergeIDs[0] != "1002" || len(m.Reasons) == 0 {
		t.Errorf("merge move = %+v, want 1002 kept, with reasons", m)
	}
}
