package store_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

const (
	forgetAddr = "dana.quill@northwind.example"
	forgetName = "Dana Quillfeather"
	keepAddr   = "maya@acme.example"
)

// emailFrom is an inbound email signal from addr, n days before t.
func emailFrom(addr, name, company string, n int, t time.Time) *backend.Signal {
	return &backend.Signal{Source: backend.SourceGmail, Type: backend.SignalEmailReceived, OccurredAt: t.AddDate(0, 0, -n),
		DedupeKey: fmt.Sprintf("gmail:%s:%d", addr, n), ThreadID: fmt.Sprintf("t-%s-%d", addr, n),
		Contact: &backend.Contact{ID: addr, Email: addr, Name: name, CompanyID: company},
		Company: &backend.Company{ID: company, Name: company},
		Email: &backend.EmailMessage{ThreadID: fmt.Sprintf("t-%s-%d", addr, n), MessageID: fmt.Sprintf("<%d@x>", n), From: addr, FromName: name,
			Subject: "Pricing question from " + name, Body: "Hi, this is " + name + " (" + addr + "). What does it cost?"}}
}

// personWorkspace is a data file with signals, moves, an execution, an
// outcome, audit entries and a do-not-contact entry about Dana, and the
// same about Maya, who stays.
func personWorkspace(t *testing.T, path string, clock backend.Clock) (dana, maya []uint64) {
	t.Helper()
	db := mustOpenPath(t, path, store.Options{Clock: clock})
	q := backend.NewServices(db, clock, nil)
	ctx := context.Background()
	now := clock.Now()
	rep, err := q.Ingest.Batch(ctx, []*backend.Signal{
		emailFrom(forgetAddr, forgetName, "northwind", 3, now), emailFrom(forgetAddr, forgetName, "northwind", 1, now),
		emailFrom(keepAddr, "Maya Chen", "acme", 2, now),
	})
	if err != nil || len(rep.Created) < 2 {
		t.Fatalf("Batch = %+v, %v; want moves", rep, err)
	}
	update(t, db, func(tx backend.Tx) error {
		for _, id := range rep.Created {
			m, err := tx.FindMove(id)
			if err != nil {
				return err
			}
			if m.ContactID == forgetAddr {
				dana = append(dana, id)
			} else {
				maya = append(maya, id)
			}
			e := &backend.Execution{MoveID: id, IdempotencyKey: fmt.Sprintf("k-%d", id), State: backend.ExecCommitted, Kind: m.Kind,
				Draft: m.Draft, Result: "sent to " + m.ContactID, Plan: []byte(`{"to":"` + m.ContactID + `"}`)}
			if err := tx.CreateExecution(e); err != nil {
				return err
			}
			if err := tx.CreateOutcome(&backend.Outcome{MoveID: id, ExecutionID: e.ID, Type: backend.OutcomeReplied, Note: "reply from " + m.ContactID, OccurredAt: now}); err != nil {
				return err
			}
			// The watch of a sent email names the person in its links.
			if err := tx.PutOutcomeWatch(&backend.OutcomeWatch{ExecutionID: e.ID, MoveID: id, Kind: m.Kind, Action: "send_email",
				Links: []string{"contact:" + m.ContactID}, Contact: m.ContactID, CommittedAt: now, RespondBy: now.Add(72 * time.Hour)}); err != nil {
				return err
			}
			if err := tx.AppendAudit(&backend.AuditEntry{At: now, Actor: backend.ActorCLI, Action: backend.AuditExecCommitted, MoveID: id, Detail: "sent to " + m.ContactID}); err != nil {
				return err
			}
		}
		return nil
	})
	if len(dana) == 0 || len(maya) == 0 {
		t.Fatalf("moves: dana %v maya %v", dana, maya)
	}
	for _, a := range []string{forgetAddr, keepAddr} {
		if _, err := q.Guardrails.AddDoNotContact(ctx, a, backend.DNCManual, "asked by phone", backend.ActorCLI); err != nil {
			t.Fatal(err)
		}
	}
	danaEverywhere(t, db, q, now)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return dana, maya
}

func holds(t *testing.T, path string, s string) bool {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Contains(bytes.ToLower(b), []byte(strings.ToLower(s)))
}

// TestPrivacy_ForgetRoundTrip: export holds all of Dana's data; after
// Forget the audit log verifies, the indexes agree, Maya's records are
// untouched, a new email from Dana makes no move; and once the file is
// compacted its bytes hold neither her address nor her name. Before
// compaction they still do: bbolt leaves freed pages as they were.
func TestPrivacy_ForgetRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "caseyos.db")
	clock := backend.NewManualClock(at(20, 10))
	dana, maya := personWorkspace(t, path, clock)
	ctx := context.Background()

	db, err := store.Open(path, store.Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	q := backend.NewServices(db, clock, nil)
	d, err := q.Privacy.Export(ctx, strings.ToUpper(forgetAddr))
	if err != nil {
		t.Fatal(err)
	}
	// Her contacts: the imported one (and the email's, by address) and
	// the HubSpot record; signals: two emails, her HubSpot record, the
	// meeting, the form, the deal, the X mention and both duplicates.
	if len(d.Contacts) != 3 || len(d.Signals) != 9 || len(d.Moves) < len(dana)+2 || len(d.Executions) != len(dana) ||
		len(d.Outcomes) != len(dana) || len(d.Audit) < 2 || d.DoNotContact == nil || d.Company == nil || len(d.Pairs) != 2 || len(d.Deals) != 1 {
		t.Errorf("Export = %d contacts, %d signals, %d moves, %d executions, %d outcomes, %d audit, %d pairs, dnc %v, company %v",
			len(d.Contacts), len(d.Signals), len(d.Moves), len(d.Executions), len(d.Outcomes), len(d.Audit), len(d.Pairs), d.DoNotContact, d.Company)
		for _, s := range d.Signals {
			t.Logf("her signal %d %s %s", s.ID, s.Type, s.DedupeKey)
		}
	}
	r, err := q.Privacy.Forget(ctx, forgetAddr, backend.ActorCLI, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Person != backend.PersonHash(forgetAddr) || r.Signals != 9 || r.Contacts != 3 || r.Audit < 2 || r.Pairs != 2 || r.Deals != 1 {
		t.Errorf("Forget = %+v", r)
	}
	if c, err := q.Audit.Verify(ctx); err != nil || !c.OK {
		t.Fatalf("Verify after forget = %+v, %v", c, err)
	}
	if err := store.CheckIndexes(db); err != nil {
		t.Fatalf("indexes after forget: %v", err)
	}
	m, err := q.Privacy.Export(ctx, keepAddr)
	if err != nil || len(m.Signals) != 1 || len(m.Moves) != len(maya) || len(m.Executions) != len(maya) || len(m.Outcomes) != len(maya) || m.DoNotContact == nil {
		t.Fatalf("Maya after Dana's forget = %+v, %v", m, err)
	}
	view(t, db, func(tx backend.Tx) error {
		entries, _, err := tx.FindAudit(backend.AuditFilter{})
		for _, e := range entries {
			if strings.Contains(strings.ToLower(e.Detail+strings.Join(e.Reasons, " ")), "dana") {
				t.Errorf("audit entry %d still names her: %+v", e.Seq, e)
			}
		}
		last := entries[len(entries)-1]
		if last.Action != backend.AuditForget || !strings.Contains(last.Detail, r.Person) {
			t.Errorf("last audit entry = %+v, want the forget by hash", last)
		}
		return err
	})
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	// What the file holds before compaction: bbolt leaves the freed pages
	// as they were, so deleted bytes are still in the file.
	t.Logf("before compaction the file holds the address: %v, the name: %v", holds(t, path, forgetAddr), holds(t, path, forgetName))
	before, after, err := store.CompactFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("compacted %d → %d bytes", before, after)
	for _, s := range []string{forgetAddr, forgetName, forgetHubSpotID, forgetHandle, forgetOldID, forgetOldAddr} {
		if holds(t, path, s) {
			b, _ := os.ReadFile(path)
			i := bytes.Index(bytes.ToLower(b), []byte(strings.ToLower(s)))
			t.Errorf("after forget and compaction the data file still holds %q: …%q…", s, b[max(0, i-120):min(len(b), i+80)])
		}
	}
	for _, s := range []string{keepAddr, otherDanaID, otherDanaName, "Northwind expansion"} {
		if !holds(t, path, s) {
			t.Errorf("forget or compaction lost %q, which is not hers", s)
		}
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("compacted file mode = %v, %v; want 0600", fi.Mode(), err)
	}

	// Reopened: verifies; a new email from her is stored but makes no move.
	db = mustOpenPath(t, path, store.Options{Clock: clock})
	q = backend.NewServices(db, clock, nil)
	if c, err := q.Audit.Verify(ctx); err != nil || !c.OK {
		t.Fatalf("Verify after compaction = %+v, %v", c, err)
	}
	if err := store.CheckIndexes(db); err != nil {
		t.Fatalf("indexes after compaction: %v", err)
	}
	again := emailFrom(strings.ToUpper(forgetAddr), forgetName, "northwind", 0, clock.Now())
	// Her old address and her X handle are hers too: a post of hers (a
	// question, which would be worth a reply) makes no move either.
	old := emailFrom(forgetOldAddr, "D. Quillfeather", "oldmail", 0, clock.Now())
	old.DedupeKey = "gmail:old-again"
	post := &backend.Signal{Source: backend.SourceX, Type: backend.SignalSocialMention, OccurredAt: clock.Now(), DedupeKey: "x:p-again",
		Post: &backend.Post{ID: "p-again", Author: "@" + strings.ToUpper(forgetHandle), Text: "does @caseyos export my data?"}}
	rep, err := q.Ingest.Batch(ctx, []*backend.Signal{again, old, post, emailFrom("lee@other.example", "Lee", "other", 0, clock.Now())})
	if err != nil || rep.Stored != 4 || len(rep.Created) != 1 {
		t.Errorf("Batch after forget = %+v, %v; want all stored and only Lee's move", rep, err)
	}
}

// TestPrivacy_ForgetRefusesWaitingExecution: an execution to the person
// still in its undo window (or the outbox) stops the forget, and nothing
// is deleted.
func TestPrivacy_ForgetRefusesWaitingExecution(t *testing.T) {
	for _, state := range []backend.ExecutionState{backend.ExecWaitingUndo, backend.ExecQueued} {
		t.Run(string(state), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "caseyos.db")
			clock := backend.NewManualClock(at(20, 10))
			db := mustOpenPath(t, path, store.Options{Clock: clock})
			q := backend.NewServices(db, clock, nil)
			ctx := context.Background()
			rep, err := q.Ingest.Batch(ctx, []*backend.Signal{emailFrom(forgetAddr, forgetName, "northwind", 1, clock.Now())})
			if err != nil || len(rep.Created) == 0 {
				t.Fatal(rep, err)
			}
			update(t, db, func(tx backend.Tx) error {
				return tx.CreateExecution(&backend.Execution{MoveID: rep.Created[0], IdempotencyKey: "k", State: state, Kind: backend.KindSendEmail})
			})
			_, err = q.Privacy.Forget(ctx, forgetAddr, backend.ActorCLI, nil)
			wantCode(t, "Forget", err, backend.ECONFLICT)
			if !strings.Contains(backend.ErrorMessage(err), "still waiting") {
				t.Errorf("message = %q", backend.ErrorMessage(err))
			}
			if d, err := q.Privacy.Export(ctx, forgetAddr); err != nil || len(d.Signals) != 1 || len(d.Moves) != 1 {
				t.Errorf("after the refusal: %+v, %v", d, err)
			}
		})
	}
}

// TestPrivacy_Retention prunes with a manual clock: signals older than
// the period are deleted (unless an open move rests on one), older audit
// entries emptied, and the log still verifies.
func TestPrivacy_Retention(t *testing.T) {
	path := filepath.Join(t.TempDir(), "caseyos.db")
	start := time.Date(2024, 1, 10, 9, 0, 0, 0, time.UTC)
	clock := backend.NewManualClock(start)
	db := mustOpenPath(t, path, store.Options{Clock: clock})
	q := backend.NewServices(db, clock, nil)
	ctx := context.Background()
	old := &backend.Signal{Source: backend.SourceHubSpot, Type: backend.SignalContactCreated, OccurredAt: start, DedupeKey: "old-1",
		Contact: &backend.Contact{ID: "c-old", Email: "old@x.example"}}
	rest := emailFrom("rest@y.example", "Rest Person", "y", 0, start) // an open move will rest on it
	if rep, err := q.Ingest.Batch(ctx, []*backend.Signal{old, rest}); err != nil || len(rep.Created) != 1 {
		t.Fatalf("Batch = %+v, %v", rep, err)
	}
	if _, err := q.Guardrails.AddDoNotContact(ctx, "early@x.example", backend.DNCManual, "", backend.ActorCLI); err != nil {
		t.Fatal(err)
	}
	clock.Set(start.AddDate(0, 25, 0)) // 25 months later
	recent := emailFrom("new@y.example", "New Person", "y", 1, clock.Now())
	rep, err := q.Ingest.Batch(ctx, []*backend.Signal{recent})
	if err != nil || len(rep.Created) != 1 {
		t.Fatalf("Batch = %+v, %v", rep, err)
	}

	r, err := q.Privacy.ApplyRetention(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.Months != backend.DefaultRetentionMonths || r.Signals != 1 || r.Kept != 1 || r.Audit == 0 {
		t.Errorf("ApplyRetention = %+v; want the default period, 1 signal deleted, 1 kept, entries emptied", r)
	}
	if c, err := q.Audit.Verify(ctx); err != nil || !c.OK {
		t.Fatalf("Verify after retention = %+v, %v", c, err)
	}
	if err := store.CheckIndexes(db); err != nil {
		t.Fatal(err)
	}
	view(t, db, func(tx backend.Tx) error {
		if _, err := tx.SignalByDedupeKey("old-1"); backend.ErrorCode(err) != backend.ENOTFOUND {
			t.Errorf("the old signal is still there: %v", err)
		}
		entries, _, err := tx.FindAudit(backend.AuditFilter{})
		for _, e := range entries {
			if strings.Contains(e.Detail, "early@x.example") {
				t.Errorf("old audit entry %d kept its content: %+v", e.Seq, e)
			}
		}
		return err
	})
	if r2, err := q.Privacy.ApplyRetention(ctx); err != nil || r2.Signals != 0 || r2.Audit != 0 {
		t.Errorf("a second ApplyRetention = %+v, %v; want nothing left to prune", r2, err)
	}

	// A shorter period, chosen in settings, prunes more; 0 reads as the default.
	update(t, db, func(tx backend.Tx) error {
		s, err := tx.Settings()
		if err != nil {
			return err
		}
		s.RetentionMonths = 0
		if err := s.Validate(); err != nil || s.Retention() != backend.DefaultRetentionMonths {
			t.Errorf("RetentionMonths 0: %v, %d", err, s.Retention())
		}
		for _, bad := range []int{-1, backend.MaxRetentionMonths + 1} {
			s.RetentionMonths = bad
			if err := s.Validate(); backend.ErrorCode(err) != backend.EINVALID {
				t.Errorf("RetentionMonths %d: %v, want invalid", bad, err)
			}
		}
		s.RetentionMonths = 1
		return tx.PutSettings(s)
	})
	clock.Advance(60 * 24 * time.Hour)
	if r, err := q.Privacy.ApplyRetention(ctx); err != nil || r.Months != 1 || r.Signals != 0 || r.Kept != 2 {
		t.Errorf("ApplyRetention at 1 month = %+v, %v; want both signals kept for their open moves", r, err)
	}
}

// TestCompactFile: the file shrinks after deletions, stays 0600 and
// intact, and a file another process holds is refused.
func TestCompactFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "caseyos.db")
	clock := backend.NewManualClock(at(20, 10))
	db := mustOpenPath(t, path, store.Options{Clock: clock})
	q := backend.NewServices(db, clock, nil)
	ctx := context.Background()
	var batch []*backend.Signal
	body := strings.Repeat("lorem ipsum ", 700) // 8 KB: 3,000 of them outgrow bbolt's 16 MB growth step
	for i := range 3000 {
		batch = append(batch, emailFrom(fmt.Sprintf("p%d@bulk.example", i), "Bulk Person", "bulk", 400+i%10, clock.Now()))
		batch[i].DedupeKey = fmt.Sprintf("bulk-%d", i)
		batch[i].Email.Body = body
	}
	if _, err := q.Ingest.Batch(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if _, _, err := store.CompactFile(path); backend.ErrorCode(err) != backend.ECONFLICT {
		t.Errorf("CompactFile while open = %v, want conflict", err)
	}
	update(t, db, func(tx backend.Tx) error { // a retention of a month
		s, _ := tx.Settings()
		s.RetentionMonths = 1
		return tx.PutSettings(s)
	})
	r, err := q.Privacy.ApplyRetention(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("retention: %+v", r)
	db.Close()
	before, after, err := store.CompactFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if after*2 > before {
		t.Errorf("CompactFile: %d → %d bytes, want it at least halved", before, after)
	}
	t.Logf("compacted %d → %d bytes", before, after)
	db2 := mustOpenPath(t, path, store.Options{Clock: clock})
	if err := store.CheckIndexes(db2); err != nil {
		t.Fatal(err)
	}
	q2 := backend.NewServices(db2, clock, nil)
	if c, err := q2.Audit.Verify(ctx); err != nil || !c.OK {
		t.Errorf("Verify after compaction = %+v, %v", c, err)
	}
	// Written to again, it grows by bbolt's step, not back to its old size.
	if _, err := q2.Ingest.Batch(ctx, []*backend.Signal{emailFrom("one@more.example", "One More", "m", 0, clock.Now())}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() >= before {
		t.Errorf("after one more write the file is %d bytes, was %d before compaction", fi.Size(), before)
	} else {
		t.Logf("after one more write: %d bytes", fi.Size())
	}
}

// TestPrivacy_TombstoneRecord: a tombstoned entry reads back with its
// tombstone, the fields it keeps, and its hash; the log verifies.
func TestPrivacy_TombstoneRecord(t *testing.T) {
	db := MustOpenStore(t)
	var e *backend.AuditEntry
	for i := range 3 {
		x := &backend.AuditEntry{At: at(3, i), Actor: backend.ActorKey, Action: backend.AuditMoveTransition, MoveID: 7,
			From: backend.StatusPending, To: backend.StatusDone, Detail: "sent to dana@x.example", APS: 80, Reasons: []string{"Dana replied"}}
		update(t, db, func(tx backend.Tx) error { return tx.AppendAudit(x) })
		if i == 1 {
			e = x
		}
	}
	type tomber interface {
		TombstoneAudit(uint64, string) (bool, error)
	}
	update(t, db, func(tx backend.Tx) error {
		ok, err := tx.(tomber).TombstoneAudit(e.Seq, "why")
		if !ok && err == nil {
			t.Error("TombstoneAudit = false")
		}
		return err
	})
	view(t, db, func(tx backend.Tx) error {
		all, _, err := tx.FindAudit(backend.AuditFilter{})
		got := all[1]
		if got.Tombstone != "why" || got.TombKeyID == "" || got.TombMAC == "" || got.Detail != "" || got.Reasons != nil ||
			got.Hash != e.Hash || got.PrevHash != e.PrevHash || !got.At.Equal(e.At) || got.MoveID != 7 || got.To != backend.StatusDone || got.APS != 80 {
			t.Errorf("tombstoned entry = %+v, was %+v", got, e)
		}
		return err
	})
	if c, err := backend.NewServices(db, backend.NewManualClock(at(3, 9)), nil).Audit.Verify(context.Background()); err != nil || !c.OK {
		t.Errorf("Verify = %+v, %v", c, err)
	}
	update(t, db, func(tx backend.Tx) error {
		if ok, err := tx.(tomber).TombstoneAudit(e.Seq, "again"); ok || err != nil {
			t.Errorf("a second TombstoneAudit = %v, %v; want it left as it is", ok, err)
		}
		return nil
	})
}

const (
	forgetHubSpotID = "51900417" // Dana's HubSpot record
	forgetHandle    = "danaquillx"
	otherDanaID     = "51900999" // another Dana, said not to be her
	otherDanaName   = "Dana Quillon"
	forgetOldID     = "51900300" // her old record, merged into forgetHubSpotID
	forgetOldAddr   = "dquill@oldmail.example"
)

// danaEverywhere gives Dana what names her indirectly: an imported
// contact next to her HubSpot record (same address, her X handle), the
// duplicate signal and merge move detection makes of the pair, a pair
// with another Dana skipped as "not a duplicate" (its verdict keyed by her
// HubSpot id, its evidence naming her), and a meeting, a form, a deal and
// an X mention of hers.
func danaEverywhere(t *testing.T, db *store.DB, q *backend.Services, now time.Time) {
	t.Helper()
	ctx := context.Background()
	csv := "Email,First Name,Last Name,Company Name,Phone Number,Job Title\n" +
		forgetAddr + ",Dana,Quillfeather,Northwind,+1 415 555 0199,VP Sales\n"
	if rep, err := q.Contacts.Import(ctx, strings.NewReader(csv), backend.ImportOptions{NoDetect: true}); err != nil || rep.RejectedTotal != 0 {
		t.Fatalf("Import = %+v, %v", rep, err)
	}
	hs := func(c *backend.Contact, key string) *backend.Signal {
		return &backend.Signal{Source: backend.SourceHubSpot, Type: backend.SignalContactCreated, OccurredAt: now.Add(-time.Hour), DedupeKey: key, Contact: c}
	}
	deal := &backend.Deal{ID: "d-77", Name: "Northwind expansion", Stage: "negotiation", Pipeline: "default", CompanyID: "northwind",
		ContactIDs: []string{forgetHubSpotID, "maya@acme.example"}, LastActivityAt: now.Add(-2 * time.Hour)}
	sigs := []*backend.Signal{
		hs(&backend.Contact{ID: forgetHubSpotID, Email: strings.ToUpper(forgetAddr), Name: forgetName, CompanyID: "northwind", XHandle: forgetHandle, Phone: "(415) 555-0199"}, "hs:c:1"),
		hs(&backend.Contact{ID: otherDanaID, Email: "dana@quillon.example", Name: otherDanaName, CompanyID: "quillon"}, "hs:c:2"),
		{Source: backend.SourceGCal, Type: backend.SignalMeetingUpcoming, OccurredAt: now.Add(-30 * time.Minute), DedupeKey: "gcal:m-1",
			Meeting: &backend.Meeting{ID: "m-1", Title: "Northwind sync", Start: now.Add(24 * time.Hour), End: now.Add(25 * time.Hour),
				Attendees: []string{"me@caseyos.example", forgetAddr}, External: true}},
		{Source: backend.SourceForm, Type: backend.SignalFormSubmitted, OccurredAt: now.Add(-40 * time.Minute), DedupeKey: "form:1",
			Contact: &backend.Contact{ID: forgetAddr, Email: forgetAddr, Name: forgetName},
			Form:    &backend.FormSubmission{Form: "pricing", Fields: map[string]string{"email": forgetAddr, "name": forgetName, "message": "call me"}}},
		{Source: backend.SourceHubSpot, Type: backend.SignalDealStageChanged, OccurredAt: now.Add(-20 * time.Minute), DedupeKey: "hs:d:1",
			DealID: deal.ID, ContactID: forgetHubSpotID, Deal: deal, Payload: map[string]string{"previous_stage": "proposal"}},
		{Source: backend.SourceX, Type: backend.SignalSocialMention, OccurredAt: now.Add(-10 * time.Minute), DedupeKey: "x:p-1",
			Post: &backend.Post{ID: "p-1", Author: forgetHandle, AuthorName: "Dana Q", Text: "anyone tried @caseyos for pipeline reviews?", URL: "https://x.com/" + forgetHandle + "/status/1"}},
	}
	if rep, err := q.Ingest.Batch(ctx, sigs); err != nil || rep.Stored != len(sigs) {
		t.Fatalf("Batch = %+v, %v; want all %d stored", rep, err, len(sigs))
	}
	// Detection pairs her two records and proposes their merge.
	if _, rep, err := q.Contacts.Duplicates(ctx, 0, true); err != nil || len(rep.Moves) == 0 {
		t.Fatalf("Duplicates = %+v, %v; want her two records proposed for a merge", rep, err)
	}
	// The other Dana, paired with her HubSpot record and said not to be her.
	rep, err := q.Ingest.Batch(ctx, []*backend.Signal{{Source: backend.SourceSystem, Type: backend.SignalContactDuplicate, OccurredAt: now,
		DedupeKey: "duplicate:" + forgetHubSpotID + "|" + otherDanaID, ContactID: otherDanaID,
		Payload: map[string]string{backend.PayloadDuplicateID: forgetHubSpotID, backend.PayloadScore: "0.91",
			backend.PayloadEvidence: "'" + otherDanaName + "' ~ '" + forgetName + "'\nsame first name"}}})
	if err != nil || len(rep.Created) != 1 {
		t.Fatalf("duplicate signal: %+v, %v", rep, err)
	}
	if _, err := q.Moves.Skip(ctx, rep.Created[0], backend.SkipNotDuplicate, backend.ActorCLI); err != nil {
		t.Fatal(err)
	}
	view(t, db, func(tx backend.Tx) error {
		if p, err := tx.ContactPair(forgetHubSpotID, otherDanaID); err != nil || p.Verdict != backend.PairDistinct {
			t.Fatalf("verdict = %+v, %v", p, err)
		}
		return nil
	})
	// An old record of hers, under another address, merged into her
	// HubSpot record: the merge verdict says it is her.
	update(t, db, func(tx backend.Tx) error {
		if err := tx.PutContact(&backend.Contact{ID: forgetOldID, Email: forgetOldAddr, Name: "D. Quillfeather", Phone: "+14155550199"}); err != nil {
			return err
		}
		a, b := backend.PairIDs(forgetHubSpotID, forgetOldID)
		return tx.PutContactPair(&backend.ContactPair{A: a, B: b, Verdict: backend.PairMerged, Actor: backend.ActorCLI, At: now})
	})
}
