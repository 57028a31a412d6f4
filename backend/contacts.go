package backend

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/caseyos/caseyos/backend/dedupe"
)

// ContactService imports contacts from a CRM export and finds the contacts
// that are one person twice (backend/dedupe): after an import or a sync
// for the contacts that changed, against a blocking index of all contacts
// it keeps, and on demand over every pair.
type ContactService struct {
	*core
	mu   sync.Mutex
	idx  *dedupe.Index // nil until needed, and again once idle (contacts_index.go)
	opt  dedupe.Options
	life indexLife
}

// ImportOptions tune an import.
type ImportOptions struct {
	// Progress, when set, is called after each stored batch with the rows
	// read so far.
	Progress func(rows int)
	// BatchRows is how many rows go into one transaction (0: 2,000).
	BatchRows int
	// NoDetect skips duplicate detection after the import.
	NoDetect bool
}

// RowError is a rejected row of an import.
type RowError struct {
	Line int
	Err  error
}

// MaxReportedRows is how many rejected rows an import reports one by one;
// past it they are only counted.
const MaxReportedRows = 100

// ImportReport says what an import did.
type ImportReport struct {
	Rows          int // data rows read, blank ones excluded
	Created       int
	Updated       int
	Unchanged     int
	Rejected      []RowError // the first MaxReportedRows, in line order
	RejectedTotal int
	Duplicates    DetectReport
}

// DetectReport says what duplicate detection proposed.
type DetectReport struct {
	Pairs int      // pairs above the threshold, known verdicts excluded
	Moves []uint64 // merge moves created or updated
}

// DuplicateContact is one side of a duplicate pair.
type DuplicateContact struct {
	ID, Email, Name string
	Local           bool // imported, not in the CRM
}

// DuplicatePair is two contacts detection takes for one person: Keep is
// the one a merge keeps.
type DuplicatePair struct {
	Keep, Merge DuplicateContact
	Score       float64
	Evidence    []string
}

// DefaultDuplicateThreshold is the score from which a pair is proposed.
const DefaultDuplicateThreshold = dedupe.DefaultThreshold

// Import reads a contacts CSV (ContactCSV) and stores its rows as the
// workspace's own contacts, in batches: a row whose address is known
// updates that contact (an imported one takes the file's values; one from
// the CRM only gains what it lacks), so importing a file twice changes
// nothing. A bad row is reported with its line and skipped. Then it looks
// for duplicates of the contacts it created or changed.
func (s *ContactService) Import(ctx context.Context, r io.Reader, o ImportOptions) (ImportReport, error) {
	var rep ImportReport
	in, err := NewContactCSV(r, s.clock.Now())
	if err != nil {
		return rep, err
	}
	if o.BatchRows <= 0 {
		o.BatchRows = 2000
	}
	reject := func(line int, err error) {
		rep.RejectedTotal++
		if len(rep.Rejected) < MaxReportedRows {
			rep.Rejected = append(rep.Rejected, RowError{line, err})
		}
	}
	var changed []string
	batch := make([]ImportedContact, 0, o.BatchRows)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		ids, err := s.storeRows(ctx, batch, &rep, reject)
		if err != nil {
			return err
		}
		changed = append(changed, ids...)
		batch = batch[:0]
		if o.Progress != nil {
			o.Progress(rep.Rows)
		}
		return nil
	}
	for {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		row, rowErr, err := in.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if ferr := flush(); ferr != nil {
				return rep, ferr
			}
			return rep, WrapError("import contacts", err)
		}
		if IsBlankRow(rowErr) {
			continue
		}
		rep.Rows++
		if rowErr != nil {
			reject(row.Line, rowErr)
			continue
		}
		batch = append(batch, row)
		if len(batch) == o.BatchRows {
			if err := flush(); err != nil {
				return rep, err
			}
		}
	}
	if err := flush(); err != nil {
		return rep, err
	}
	if len(changed) > 0 && !o.NoDetect {
		d, err := s.Detect(ctx, changed)
		if err != nil {
			return rep, err
		}
		rep.Duplicates = d
	}
	return rep, nil
}

// storeRows writes one batch in one transaction and returns the ids of the
// contacts it created or changed.
func (s *ContactService) storeRows(ctx context.Context, rows []ImportedContact, rep *ImportReport, reject func(int, error)) ([]string, error) {
	now := s.clock.Now()
	var ids []string
	var created, updated, unchanged int
	var rejected []RowError
	err := s.store.Update(ctx, func(tx Tx) error {
		ids, created, updated, unchanged, rejected = ids[:0], 0, 0, 0, rejected[:0]
		companies := map[string]bool{}
		for i := range rows {
			row := &rows[i]
			c, isNew, err := importedContact(tx, row)
			if err != nil {
				return err
			}
			old := *c
			if c.Source == "" && strings.EqualFold(c.ID, c.Email) {
				// The record an email or meeting made for the address: no
				// CRM is behind it, so the list that names the person now
				// owns it (and a HubSpot record of the same person is a
				// merge to make here, not a stand-in the address joins).
				c.Source = ContactSourceImport
			}
			applyRow(c, row, isNew)
			if cid := importedCompanyID(row); cid != "" && (c.CompanyID == "" || strings.HasPrefix(c.CompanyID, "import:")) {
				c.CompanyID = cid
				if !companies[cid] {
					companies[cid] = true
					if err := putImportedCompany(tx, cid, row, now); err != nil {
						return err
					}
				}
			}
			if !isNew && sameContact(&old, c) {
				unchanged++
				continue
			}
			c.UpdatedAt = now
			if err := tx.PutContact(c); err != nil {
				if ErrorCode(err) == EINVALID {
					rejected = append(rejected, RowError{row.Line, err})
					continue
				}
				return err
			}
			if isNew {
				created++
			} else {
				updated++
			}
			ids = append(ids, c.ID)
		}
		return nil
	})
	if err != nil {
		return nil, WrapError("import contacts", err)
	}
	rep.Created += created
	rep.Updated += updated
	rep.Unchanged += unchanged
	for _, r := range rejected {
		reject(r.Line, r.Err)
	}
	return ids, nil
}

// importedContact returns the stored contact the row is, or a new one.
func importedContact(tx Tx, row *ImportedContact) (*Contact, bool, error) {
	var c *Contact
	var err error
	if row.Email != "" {
		c, err = tx.ContactByEmail(row.Email)
	} else {
		c, err = tx.FindContact(importedContactID(row))
	}
	switch {
	case err == nil:
		return c, false, nil
	case ErrorCode(err) != ENOTFOUND:
		return nil, false, err
	}
	return &Contact{ID: importedContactID(row), Source: ContactSourceImport}, true, nil
}

// applyRow puts the row's values on c: all of them on the workspace's own
// contacts, only the missing ones on the CRM's (the CRM stays the truth for
// what it holds).
func applyRow(c *Contact, row *ImportedContact, isNew bool) {
	set := func(dst *string, v string) {
		if v != "" && (c.LocalOnly() || *dst == "") {
			*dst = v
		}
	}
	set(&c.Email, row.Email)
	set(&c.Name, row.Name)
	set(&c.Title, row.Title)
	set(&c.Phone, row.Phone)
	set(&c.Owner, row.Owner)
	set(&c.Lifecycle, row.Lifecycle)
	if !row.CreatedAt.IsZero() && (c.LocalOnly() || c.CreatedAt.IsZero()) {
		c.CreatedAt = row.CreatedAt
	}
}

func sameContact(a, b *Contact) bool {
	return a.Source == b.Source && a.Email == b.Email && a.Name == b.Name && a.Title == b.Title && a.Phone == b.Phone && a.Owner == b.Owner &&
		a.Lifecycle == b.Lifecycle && a.CompanyID == b.CompanyID && a.CreatedAt.Equal(b.CreatedAt)
}

func putImportedCompany(tx Tx, id string, row *ImportedContact, now time.Time) error {
	c, err := tx.FindCompany(id)
	switch {
	case err == nil:
		if c.Source != ContactSourceImport || ((row.CompanyName == "" || row.CompanyName == c.Name) && (row.CompanyDomain == "" || row.CompanyDomain == c.Domain)) {
			return nil
		}
	case ErrorCode(err) != ENOTFOUND:
		return err
	default:
		c = &Company{ID: id, Source: ContactSourceImport}
	}
	c.Name = nonEmpty(row.CompanyName, c.Name)
	if c.Name == "" {
		c.Name = row.CompanyDomain
	}
	c.Domain = nonEmpty(row.CompanyDomain, c.Domain)
	c.UpdatedAt = now
	return tx.PutCompany(c)
}

// dedupeRecord is a contact as detection compares it.
func dedupeRecord(c *Contact, co *Company) dedupe.Record {
	r := dedupe.Record{ID: c.ID, Name: c.Name, Email: c.Email, Phone: c.Phone, CompanyID: c.CompanyID,
		Local: c.LocalOnly(), LastActivity: c.LastActivityAt}
	if co != nil {
		r.CompanyName, r.CompanyDomain = co.Name, co.Domain
	}
	for _, f := range []string{c.Email, c.Name, c.Title, c.CompanyID, c.Lifecycle, c.Timezone, c.Phone, c.Owner} {
		if f != "" {
			r.Filled++
		}
	}
	if !c.LastActivityAt.IsZero() {
		r.Filled++
	}
	return r
}

// companyCache reads each company once per transaction.
type companyCache struct {
	tx Tx
	m  map[string]*Company
}

func (cc *companyCache) get(id string) (*Company, error) {
	if id == "" {
		return nil, nil
	}
	if c, ok := cc.m[id]; ok {
		return c, nil
	}
	c, err := cc.tx.FindCompany(id)
	if err != nil && ErrorCode(err) != ENOTFOUND {
		return nil, err
	}
	if cc.m == nil {
		cc.m = map[string]*Company{}
	}
	cc.m[id] = c
	return c, nil
}

// buildIndex reads every contact into a new index.
func (s *ContactService) buildIndex(ctx context.Context) (*dedupe.Index, error) {
	idx := dedupe.NewIndex(s.opt)
	err := s.store.View(ctx, func(tx Tx) error {
		cc := companyCache{tx: tx}
		return tx.EachContact(func(c *Contact) error {
			co, err := cc.get(c.CompanyID)
			if err != nil {
				return err
			}
			idx.Put(dedupeRecord(c, co))
			return nil
		})
	})
	if err != nil {
		return nil, WrapError("duplicates", err)
	}
	return idx, nil
}

// refresh brings the index's copy of the contacts ids up to date: changed
// ones are filed again, deleted ones dropped.
func (s *ContactService) refresh(ctx context.Context, ids []string) error {
	err := s.store.View(ctx, func(tx Tx) error {
		cc := companyCache{tx: tx}
		for _, id := range ids {
			c, err := tx.FindContact(id)
			switch {
			case ErrorCode(err) == ENOTFOUND:
				s.idx.Remove(id)
				continue
			case err != nil:
				return err
			}
			co, err := cc.get(c.CompanyID)
			if err != nil {
				return err
			}
			s.idx.Put(dedupeRecord(c, co))
		}
		return nil
	})
	return WrapError("duplicates", err)
}

// Detect looks for duplicates of the contacts ids (created or changed by an
// import or a sync) among all contacts, and proposes a merge move for each
// pair above the threshold whose verdict is not known. The first call
// reads every contact into the index; later ones only the changed.
func (s *ContactService) Detect(ctx context.Context, ids []string) (DetectReport, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.idx == nil {
		idx, err := s.buildIndex(ctx)
		if err != nil {
			return DetectReport{}, err
		}
		s.idx = idx
	} else if err := s.refresh(ctx, ids); err != nil {
		return DetectReport{}, err
	}
	s.usedIndex()
	var pairs []dedupe.Pair
	seen := map[[2]string]bool{}
	add := func(p dedupe.Pair) {
		k := [2]string{}
		k[0], k[1] = PairIDs(p.A.ID, p.B.ID)
		if !seen[k] {
			seen[k] = true
			pairs = append(pairs, p)
		}
	}
	if len(ids) > s.idx.Len()/8 {
		// Most of the contacts changed (a first import): one pass over all
		// pairs is cheaper than a lookup per contact.
		want := make(map[string]bool, len(ids))
		for _, id := range ids {
			want[id] = true
		}
		for _, p := range s.idx.Pairs(0) {
			if want[p.A.ID] || want[p.B.ID] {
				add(p)
			}
		}
	} else {
		for _, id := range ids {
			for _, p := range s.idx.Match(id, 0) {
				add(p)
			}
		}
	}
	pairs, err := s.unjudged(ctx, pairs)
	if err != nil {
		return DetectReport{}, err
	}
	return s.propose(ctx, pairs)
}

// unjudged drops the pairs with a verdict (not a duplicate, merged) and
// those a source already named as duplicates.
func (s *ContactService) unjudged(ctx context.Context, pairs []dedupe.Pair) ([]dedupe.Pair, error) {
	if len(pairs) == 0 {
		return pairs, nil
	}
	out := pairs[:0]
	err := s.store.View(ctx, func(tx Tx) error {
		for _, p := range pairs {
			if addressStandIn(p) {
				continue
			}
			switch _, err := tx.ContactPair(p.A.ID, p.B.ID); {
			case ErrorCode(err) == ENOTFOUND:
			case err != nil:
				return err
			default:
				continue
			}
			open, err := namedMergeOpen(tx, p.A.ID, p.B.ID)
			if err != nil {
				return err
			}
			if !open {
				out = append(out, p)
			}
		}
		return nil
	})
	return out, WrapError("duplicates", err)
}

// addressStandIn reports whether one side of a pair is the record a signal
// made for an address (its id is the address; neither the CRM nor an
// import is behind it) and the other has that same address. The address
// already joins them — lookups by it find the CRM's record — so there is
// nothing to merge, and a merge sent to HubSpot would fail ("not found").
func addressStandIn(p dedupe.Pair) bool {
	a, b := p.A, p.B
	if a.Email == "" || !strings.EqualFold(a.Email, b.Email) {
		return false
	}
	standIn := func(r *dedupe.Record) bool { return !r.Local && strings.EqualFold(r.ID, r.Email) }
	return standIn(a) || standIn(b)
}

// namedMergeOpen reports whether a merge of a and b is already open with
// either as its subject (a duplicate a source named, as the demo's).
func namedMergeOpen(tx Tx, a, b string) (bool, error) {
	for _, id := range []string{a, b} {
		m, err := tx.OpenMove(Subject{SubjectContact, id}, KindMergeContacts)
		switch {
		case ErrorCode(err) == ENOTFOUND:
			continue
		case err != nil:
			return false, err
		}
		if ids := m.Draft.MergeIDs; len(ids) == 2 && (ids[0] == a && ids[1] == b || ids[0] == b && ids[1] == a) {
			return true, nil
		}
	}
	return false, nil
}

// propose turns pairs into contact.duplicate signals, and so into merge
// moves; a pair proposed before is recognized by its dedupe key.
func (s *ContactService) propose(ctx context.Context, pairs []dedupe.Pair) (DetectReport, error) {
	rep := DetectReport{Pairs: len(pairs), Moves: []uint64{}}
	now := s.clock.Now()
	ingest := &IngestService{s.core}
	for start := 0; start < len(pairs); start += 5000 {
		end := min(start+5000, len(pairs))
		sigs := make([]*Signal, 0, end-start)
		for _, p := range pairs[start:end] {
			a, b := PairIDs(p.A.ID, p.B.ID)
			sigs = append(sigs, &Signal{
				Source: SourceSystem, Type: SignalContactDuplicate, OccurredAt: now, ReceivedAt: now,
				DedupeKey: "duplicate:" + a + "|" + b, ContactID: p.A.ID,
				Payload: map[string]string{
					PayloadDuplicateID: p.B.ID,
					PayloadScore:       fmt.Sprintf("%.2f", p.Score),
					PayloadEvidence:    strings.Join(p.Evidence, "\n"),
				},
			})
		}
		r, err := ingest.Batch(ctx, sigs)
		if err != nil {
			return rep, err
		}
		rep.Moves = append(rep.Moves, r.Created...)
		rep.Moves = append(rep.Moves, r.Updated...)
	}
	return rep, nil
}

// Duplicates finds every pair of contacts scoring at least minScore (0:
// the threshold) over all contacts, verdicts excluded, best first; with
// propose it also proposes merge moves for those at or above the
// threshold. It rebuilds the index from the store, so it sees every change.
func (s *ContactService) Duplicates(ctx context.Context, minScore float64, propose bool) ([]DuplicatePair, DetectReport, error) {
	if minScore < 0 || minScore > 1 {
		return nil, DetectReport{}, Errorf(EINVALID, "minimum score %v is not between 0 and 1", minScore)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	idx, err := s.buildIndex(ctx)
	if err != nil {
		return nil, DetectReport{}, err
	}
	s.idx = idx
	s.usedIndex()
	pairs, err := s.unjudged(ctx, idx.Pairs(minScore))
	if err != nil {
		return nil, DetectReport{}, err
	}
	out := make([]DuplicatePair, len(pairs))
	var above []dedupe.Pair
	for i, p := range pairs {
		out[i] = DuplicatePair{Keep: duplicateContact(p.A), Merge: duplicateContact(p.B), Score: p.Score, Evidence: p.Evidence}
		if p.Score >= DefaultDuplicateThreshold {
			above = append(above, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	rep := DetectReport{Moves: []uint64{}}
	if propose {
		if rep, err = s.propose(ctx, above); err != nil {
			return out, rep, err
		}
	}
	return out, rep, nil
}

func duplicateContact(r *dedupe.Record) DuplicateContact {
	return DuplicateContact{ID: r.ID, Email: r.Email, Name: r.Name, Local: r.Local}
}

// CompanyDuplicates lists the pairs of companies scoring at least minScore
// (0: the threshold), best first: one account twice, as an import next to
// HubSpot leaves it. They are listed, not proposed: there is no merge of
// companies to carry out yet.
func (s *ContactService) CompanyDuplicates(ctx context.Context, minScore float64) ([]dedupe.CompanyPair, error) {
	if minScore < 0 || minScore > 1 {
		return nil, Errorf(EINVALID, "minimum score %v is not between 0 and 1", minScore)
	}
	var recs []dedupe.CompanyRecord
	err := s.store.View(ctx, func(tx Tx) error {
		return tx.EachCompany(func(c *Company) error {
			r := dedupe.CompanyRecord{ID: c.ID, Name: c.Name, Domain: c.Domain, Local: c.Source == ContactSourceImport}
			for _, f := range []string{c.Name, c.Domain, c.Industry, c.Country} {
				if f != "" {
					r.Filled++
				}
			}
			if c.Employees > 0 {
				r.Filled++
			}
			recs = append(recs, r)
			return nil
		})
	})
	if err != nil {
		return nil, WrapError("company duplicates", err)
	}
	return dedupe.CompanyPairs(recs, minScore), nil
}
