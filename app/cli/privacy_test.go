package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/app/cli"
	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

// runPrivacy runs the CLI as main.go wires it for these commands: with
// the compaction of the data file.
func (w *connectedWorkspace) runPrivacy(tb testing.TB, stdin string, args ...string) (int, string, string) {
	tb.Helper()
	var out, errb bytes.Buffer
	code := cli.Main(context.Background(), append([]string{"--data-dir", w.dir}, args...), cli.Env{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Clock: backend.SystemClock{},
		Open: func(p string) (backend.Store, error) {
			return store.Open(p, store.Options{Timeout: 200 * time.Millisecond})
		},
		Secrets: w.k, Connectors: w.conns, Compact: store.CompactFile,
	})
	return code, out.String(), errb.String()
}

// fileHolds says whether the data file's raw bytes hold s, in any case.
func fileHolds(tb testing.TB, path, s string) bool {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return bytes.Contains(bytes.ToLower(b), []byte(strings.ToLower(s)))
}

// TestCLI_ExportForgetRoundTrip is issue 24's round trip in a connected
// workspace: Dana Whitfield has signals, a move whose reply was sent
// (execution), an outcome, audit entries and a do-not-contact entry. The
// export holds all of it; after `forget` the data file's bytes hold
// neither her address nor her name, `audit --verify` passes, other
// people's moves are untouched, and a new email from her makes no move.
func TestCLI_ExportForgetRoundTrip(t *testing.T) {
	w := newConnectedWorkspace(t)
	const addr, name = "dana@northwind.io", "Dana Whitfield"
	if code, out, errb := w.run(t, "", "sync", "--once"); code != 0 {
		t.Fatalf("sync --once: %d %q %q", code, out, errb)
	}
	w.setUndoWindow(t, time.Second)
	today := w.today(t)
	dana := moveLike(t, today, "send_email", name)
	if code, out, errb := w.run(t, "", "execute", itoa(dana.ID), "--yes"); code != 0 {
		t.Fatalf("execute --yes: %d %q %q", code, out, errb)
	}
	if code, out, errb := w.run(t, "", "dnc", "add", addr, "--note", "asked by phone"); code != 0 {
		t.Fatalf("dnc add: %d %q %q", code, out, errb)
	}
	path := filepath.Join(w.dir, "caseyos.db")
	addOutcome(t, path, dana.ID)
	// She is in an imported list too, under another address of hers (the
	// row fills in her phone): detection pairs the imported record with
	// hers, and the merge is carried out here (the imported side is
	// local-only), so a "merged" verdict and an alias keyed by her ids are
	// kept.
	const other = "dana.whitfield@northwind.io"
	csv := filepath.Join(t.TempDir(), "list.csv")
	os.WriteFile(csv, []byte("Email,First Name,Last Name,Company Name,Phone Number\n"+other+",Dana,Whitfield,Northwind,+1 212 555 0147\n"), 0o600)
	if code, out, errb := w.run(t, "", "import", "contacts", csv); code != 0 {
		t.Fatalf("import contacts: %d %q %q", code, out, errb)
	}
	merge := moveLike(t, w.today(t), "merge_contacts", name)
	if code, out, errb := w.run(t, "", "execute", itoa(merge.ID), "--yes"); code != 0 {
		t.Fatalf("execute the merge: %d %q %q", code, out, errb)
	}
	before := w.today(t)

	// Export: everything, to a new file only.
	exp := filepath.Join(t.TempDir(), "dana.json")
	code, out, errb := w.runPrivacy(t, "", "export", addr, "--out", exp)
	if code != 0 {
		t.Fatalf("export: %d %q %q", code, out, errb)
	}
	var d app.PersonExportDTO
	b, _ := os.ReadFile(exp)
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	if len(d.ContactPairs) != 1 || d.ContactPairs[0].Verdict != string(backend.PairMerged) || !slices.ContainsFunc(d.Contacts, func(c app.ContactExportDTO) bool { return c.Phone != "" }) {
		t.Errorf("export contact_pairs = %+v, contacts %+v; want the verdict and the imported phone", d.ContactPairs, d.Contacts)
	}
	if d.Format != app.PersonExportFormat || len(d.Contacts) == 0 || d.Person.Name != name || d.Company == nil {
		t.Errorf("export person = %+v contacts %+v company %+v", d.Person, d.Contacts, d.Company)
	}
	if len(d.Signals) == 0 || len(d.Moves) == 0 || len(d.Executions) == 0 || len(d.Outcomes) == 0 || len(d.Audit) == 0 || d.DoNotContact == nil {
		t.Errorf("export holds %d signals, %d moves, %d executions, %d outcomes, %d audit entries, dnc %v; want some of each",
			len(d.Signals), len(d.Moves), len(d.Executions), len(d.Outcomes), len(d.Audit), d.DoNotContact)
	}
	if d.Moves[0].Draft.Body == "" && len(d.Executions[0].Draft.To) == 0 {
		t.Errorf("export lost the drafts: %+v", d.Moves[0].Draft)
	}
	hers := map[uint64]bool{}
	for _, m := range d.Moves {
		hers[m.ID] = true
		t.Logf("her move %d: %s (%s)", m.ID, m.Title, m.Subject)
	}
	others := map[uint64]string{}
	for _, m := range before.Moves {
		if !hers[m.ID] {
			others[m.ID] = m.Title
		}
	}
	if !hers[dana.ID] || len(others) < 3 {
		t.Fatalf("want her reply among her moves and other people's moves to check they stay; hers %v, others %v", hers, others)
	}
	if code, _, errb := w.runPrivacy(t, "", "export", addr, "--out", exp); code != cli.ExitError || !strings.Contains(errb, "already exists") || strings.Contains(errb, "a backup never") {
		t.Errorf("export over an existing file: %d %q; want it refused", code, errb)
	}

	// Not on a terminal and without --yes: refused, nothing changed.
	if code, _, errb := w.runPrivacy(t, "y\n", "forget", addr); code != cli.ExitError || !strings.Contains(errb, "--yes") {
		t.Errorf("forget without --yes off a terminal: %d %q; want it refused", code, errb)
	}
	if !fileHolds(t, path, addr) {
		t.Fatal("the refused forget deleted something")
	}
	code, out, errb = w.runPrivacy(t, "", "forget", addr, "--yes")
	if code != 0 || !strings.Contains(out, "compacted") {
		t.Fatalf("forget --yes: %d %q %q", code, out, errb)
	}
	t.Log(strings.TrimSpace(out))
	for _, s := range []string{addr, other, name, "212 555 0147", "+12125550147"} {
		if fileHolds(t, path, s) {
			t.Errorf("after forget the data file still holds %q", s)
		}
	}
	if code, out, errb := w.run(t, "", "audit", "--verify"); code != 0 {
		t.Errorf("audit --verify after forget: %d %q %q", code, out, errb)
	}
	if code, out, _ := w.run(t, "", "dnc", "list"); code != 0 || !strings.Contains(out, backend.PersonHash(addr)) || strings.Contains(out, addr) {
		t.Errorf("dnc list after forget: %d %q; want the hash, not the address", code, out)
	}
	after := w.today(t)
	still := map[uint64]bool{}
	for _, m := range after.Moves {
		still[m.ID] = true
		if m.ID == dana.ID {
			t.Errorf("Dana's move %d is still listed", m.ID)
		}
	}
	for id, title := range others {
		if !still[id] {
			t.Errorf("someone else's move %d (%s) is gone after forgetting Dana", id, title)
		}
	}
	// What is left about her is the hash on the do-not-contact list.
	code, out, errb = w.runPrivacy(t, "", "export", addr)
	var left app.PersonExportDTO
	if err := json.Unmarshal([]byte(out), &left); code != 0 || err != nil {
		t.Fatalf("export after forget: %d %v %q", code, err, errb)
	}
	if len(left.Contacts)+len(left.Signals)+len(left.Moves)+len(left.Executions)+len(left.Outcomes) != 0 ||
		left.DoNotContact == nil || left.DoNotContact.Email != backend.PersonHash(addr) || left.DoNotContact.Reason != backend.DNCForgotten {
		t.Errorf("export after forget = %s; want only the hashed do-not-contact entry (and emptied audit entries)", out)
	}
	for _, e := range left.Audit {
		if e.Tombstone == "" && e.Action != backend.AuditForget {
			t.Errorf("audit entry %d about her was not emptied: %+v", e.Seq, e)
		}
	}

	// She writes again: the signal is new, but nothing is proposed to her.
	line := `{"source":"gmail","type":"email.received","occurred_at":"` + time.Now().UTC().Format(time.RFC3339) + `","dedupe_key":"gmail:msg:after-forget",` +
		`"contact":{"id":"dana@northwind.io","email":"Dana@Northwind.io","name":"Dana Whitfield"},` +
		`"email":{"thread_id":"t-new","message_id":"<new@northwind.io>","from":"Dana@Northwind.io","subject":"Can we talk pricing again?"}}` + "\n"
	in := filepath.Join(t.TempDir(), "again.jsonl")
	os.WriteFile(in, []byte(line), 0o600)
	code, out, errb = w.run(t, "", "ingest", in, "--json")
	var rep app.IngestDTO
	if err := json.Unmarshal([]byte(out), &rep); code != 0 || err != nil || rep.Stored != 1 {
		t.Fatalf("ingest after forget: %d %v %q %q", code, err, out, errb)
	}
	if len(rep.Created) != 0 || len(rep.Updated) != 0 {
		t.Errorf("a signal from a forgotten person made moves %v, updated %v; want none", rep.Created, rep.Updated)
	}
}

// addOutcome records an outcome of move id while nothing holds the file.
func addOutcome(tb testing.TB, path string, id uint64) {
	tb.Helper()
	st, err := store.Open(path, store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	defer st.Close()
	err = st.Update(context.Background(), func(tx backend.Tx) error {
		return tx.CreateOutcome(&backend.Outcome{MoveID: id, Type: backend.OutcomeReplied, Note: "she answered", Actor: backend.ActorCLI, OccurredAt: time.Now()})
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// TestCLI_ForgetHostileInput feeds export and forget what is not a person.
func TestCLI_ForgetHostileInput(t *testing.T) {
	dir := t.TempDir()
	clock := backend.NewManualClock(now)
	for _, ref := range []string{"dana@northwind.io\r\nBcc: x@y.example", strings.Repeat("a", 10<<10) + "@x.example", "", "   "} {
		for _, cmd := range [][]string{{"export", ref}, {"forget", ref, "--yes"}} {
			code, out, errb := runCLI(t, dir, clock, "", cmd...)
			if code == 0 || code == cli.ExitUsage && ref != "" && strings.TrimSpace(ref) != "" {
				t.Errorf("%s %.40q: exit %d %q %q; want refused", cmd[0], ref, code, out, errb)
			}
			if len(errb) > 600 || strings.Contains(errb, "\r\n") {
				t.Errorf("%s %.40q: the message echoes the input raw (%d bytes): %.200q", cmd[0], ref, len(errb), errb)
			}
		}
	}
}

// TestCLI_DNCAlias: `dnc` is the documented name, `do-not-contact` the
// same command.
func TestCLI_DNCAlias(t *testing.T) {
	dir := t.TempDir()
	clock := backend.NewManualClock(now)
	if code, out, errb := runCLI(t, dir, clock, "", "dnc", "add", "pat@example.com", "--json"); code != 0 || !strings.Contains(out, "pat@example.com") {
		t.Fatalf("dnc add: %d %q %q", code, out, errb)
	}
	if code, out, _ := runCLI(t, dir, clock, "", "do-not-contact", "list"); code != 0 || !strings.Contains(out, "pat@example.com") {
		t.Errorf("do-not-contact list: %d %q", code, out)
	}
	if code, out, _ := runCLI(t, dir, clock, "", "dnc", "remove", "pat@example.com"); code != 0 || !strings.Contains(out, "off the do-not-contact list") {
		t.Errorf("dnc remove: %d %q", code, out)
	}
	if code, out, _ := runCLI(t, dir, clock, "", "help", "dnc"); code != 0 || !strings.Contains(out, "caseyos dnc list") {
		t.Errorf("help dnc: %d %q", code, out)
	}
}

// TestCLI_ForgetHubSpot: --hubspot deletes the person from the connected
// HubSpot for good before forgetting them here; without HubSpot
// connected it refuses and deletes nothing.
func TestCLI_ForgetHubSpot(t *testing.T) {
	w := newConnectedWorkspace(t)
	if code, out, errb := w.run(t, "", "sync", "--once"); code != 0 {
		t.Fatalf("sync --once: %d %q %q", code, out, errb)
	}
	if !w.hs.Kept("1001") {
		t.Fatal("the fake has no contact 1001 (Dana) to delete")
	}
	code, out, errb := w.runPrivacy(t, "", "forget", "Dana@Northwind.io", "--yes", "--hubspot")
	if code != 0 || !strings.Contains(out, "HubSpot deleted dana@northwind.io for good") {
		t.Fatalf("forget --hubspot: %d %q %q", code, out, errb)
	}
	if w.hs.Kept("1001") {
		t.Error("HubSpot still keeps Dana after forget --hubspot")
	}
	// Asked again, HubSpot has nothing: said so, not an error.
	code, out, errb = w.runPrivacy(t, "", "forget", "dana@northwind.io", "--yes", "--hubspot", "--json")
	var r app.ForgetDTO
	if err := json.Unmarshal([]byte(out), &r); code != 0 || err != nil || r.HubSpot != "absent" {
		t.Errorf("second forget --hubspot: %d %v %q %q; want hubspot absent", code, err, out, errb)
	}

	// The demo has no HubSpot connected here: refused, nothing deleted.
	dir := t.TempDir()
	code, _, errb = runFull(t, dir, backend.NewManualClock(now), "", "forget", "dana@northwind.io", "--yes", "--hubspot")
	if code != cli.ExitError || !strings.Contains(errb, "HubSpot is not connected") {
		t.Errorf("forget --hubspot without HubSpot: %d %q", code, errb)
	}
	if !fileHolds(t, filepath.Join(dir, "demo.db"), "dana@northwind.io") {
		t.Error("a refused forget --hubspot deleted her here")
	}
}
