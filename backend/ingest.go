package backend

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/caseyos/caseyos/backend/intent"
)

// IngestService turns signals into moves: it stores each valid signal once
// (dedupe keys), keeps the CRM records they carry, runs the recommenders and
// creates or updates the moves they propose, one transaction per batch.
type IngestService struct{ *core }

// IngestReport says what ingesting a batch of signals did.
type IngestReport struct {
	Stored     int      // new signals stored
	Duplicates int      // signals already stored (same DedupeKey), ignored
	Created    []uint64 // moves created
	Updated    []uint64 // open moves updated by a newer signal
	Invalid    []InvalidSignal
	// Contacts lists the contacts a signal's snapshot created or changed,
	// once each, for duplicate detection.
	Contacts []string

	touched  map[uint64]bool // moves already in Created or Updated
	contacts map[string]bool // ids in Contacts
}

// updated records that a move was updated, once per move; a move created
// in the same batch counts as created only.
func (r *IngestReport) updated(id uint64) {
	if r.touched == nil {
		r.touched = map[uint64]bool{}
		for _, x := range r.Created {
			r.touched[x] = true
		}
	}
	if !r.touched[id] {
		r.touched[id] = true
		r.Updated = append(r.Updated, id)
	}
}

// InvalidSignal is a signal rejected by validation, with its index in the batch.
type InvalidSignal struct {
	Index int
	Err   error
}

// Batch stores the valid signals of a batch, runs the recommenders and
// creates or updates moves, all in one transaction: either the whole batch
// lands or none of it does. Invalid signals are reported and skipped; they
// never abort the batch.
func (s *IngestService) Batch(ctx context.Context, signals []*Signal) (IngestReport, error) {
	var rep IngestReport
	now := s.clock.Now()
	valid := validSignals(signals, now, &rep)
	if len(valid) == 0 {
		return rep, nil
	}
	err := s.store.Update(ctx, func(tx Tx) error {
		rep.Stored, rep.Duplicates, rep.Created, rep.Updated, rep.touched = 0, 0, nil, nil, nil
		rep.Contacts, rep.contacts = nil, nil
		st, err := tx.Settings()
		if err != nil {
			return err
		}
		in := newIngester(tx, s.withOwner(st), now, &rep)
		in.zone, in.core = s.zone, s.core
		for _, s := range valid {
			if err := in.signal(s, ActorSystem); err != nil {
				return err
			}
		}
		return in.flush()
	})
	if err != nil {
		return IngestReport{Invalid: rep.Invalid}, WrapError("ingest", err)
	}
	if rep.Stored > 0 {
		s.events.Publish(EventSignalsIngested, rep.Stored)
	}
	if s.contactsChanged != nil && len(rep.Contacts) > 0 {
		s.contactsChanged(ctx, rep.Contacts)
	}
	if len(rep.Created)+len(rep.Updated) > 0 {
		s.events.Publish(EventQueueChanged, QueueChanged{Reason: "ingest", MoveIDs: append(append([]uint64{}, rep.Created...), rep.Updated...)})
		s.models().Enqueue(append(append([]uint64{}, rep.Created...), rep.Updated...)...)
	}
	return rep, nil
}

// validSignals cleans each signal and keeps the valid ones; the others go
// to rep.Invalid with their index and reason, so that one bad signal never
// aborts the rest. Batch and From both take signals through it.
func validSignals(signals []*Signal, now time.Time, rep *IngestReport) []*Signal {
	valid := make([]*Signal, 0, len(signals))
	for i, s := range signals {
		if s == nil {
			rep.Invalid = append(rep.Invalid, InvalidSignal{i, Errorf(EINVALID, "signal is empty")})
			continue
		}
		s.Normalize()
		if err := s.ValidateAt(now); err != nil {
			rep.Invalid = append(rep.Invalid, InvalidSignal{i, err})
			continue
		}
		valid = append(valid, s)
	}
	return valid
}

// From stores the signals an account's poller fetched and the
// poller's new cursor in one transaction: both land or neither does, so a
// crash or a failed write leaves the old cursor and the next pass fetches
// the same signals again (which their dedupe keys recognize). Invalid
// signals are reported and skipped, as in Batch; they never hold the
// cursor back.
func (s *IngestService) From(ctx context.Context, account string, signals []*Signal, cursor string) (IngestReport, error) {
	if account == "" {
		return IngestReport{}, Errorf(EINVALID, "ingest from an account needs the account")
	}
	var rep IngestReport
	now := s.clock.Now()
	valid := validSignals(signals, now, &rep)
	err := s.store.Update(ctx, func(tx Tx) error {
		rep.Stored, rep.Duplicates, rep.Created, rep.Updated, rep.touched = 0, 0, nil, nil, nil
		rep.Contacts, rep.contacts = nil, nil
		if len(valid) > 0 {
			st, err := tx.Settings()
			if err != nil {
				return err
			}
			in := newIngester(tx, s.withOwner(st), now, &rep)
			in.zone, in.core = s.zone, s.core
			for _, s := range valid {
				if err := in.signal(s, ActorSystem); err != nil {
					return err
				}
			}
			if err := in.flush(); err != nil {
				return err
			}
		}
		return tx.PutCursor(account, cursor)
	})
	if err != nil {
		return IngestReport{Invalid: rep.Invalid}, WrapError("ingest from "+account, err)
	}
	if rep.Stored > 0 {
		s.events.Publish(EventSignalsIngested, rep.Stored)
	}
	if s.contactsChanged != nil && len(rep.Contacts) > 0 {
		s.contactsChanged(ctx, rep.Contacts)
	}
	if len(rep.Created)+len(rep.Updated) > 0 {
		s.events.Publish(EventQueueChanged, QueueChanged{Reason: "sync", MoveIDs: append(append([]uint64{}, rep.Created...), rep.Updated...)})
		s.models().Enqueue(append(append([]uint64{}, rep.Created...), rep.Updated...)...)
	}
	return rep, nil
}

// Signals returns stored signals, newest first, and how many there are.
func (s *IngestService) Signals(ctx context.Context, offset, limit int) ([]*Signal, int, error) {
	var out []*Signal
	var total int
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		out, total, err = tx.FindSignals(SignalFilter{Offset: offset, Limit: limit})
		return err
	})
	return out, total, WrapError("signals", err)
}

// ingester does the work of one ingest transaction.
type ingester struct {
	tx    Tx
	rec   *txRecords
	moves *txMoves
	st    *Settings
	now   time.Time
	zone  *time.Location // the owner's, for the due times it chooses (nil: time.Local)
	rep   *IngestReport
	// edited holds "contact:ID", "company:ID" and "deal:ID" of records a
	// record.updated signal changed: their open moves are re-scored at flush.
	edited map[string]bool
	// dealsTouched lists the deals the transaction wrote, in order: their
	// stalled-deal nudges end at flush when the stall is over.
	dealsTouched []string
	dealSeen     map[string]bool
	// core, when set, detects outcomes from each new signal and sweeps
	// the no_response waits that have run out (outcome_detect.go).
	core *core
	// read is the current signal's email as the classifier read it, once
	// outcome detection needed it; the recommender then reads it no more.
	read *intent.Result
}

// readEmail classifies the current signal's email once (classifyEmail,
// as the recommender reads it) and keeps the result for the recommender.
func (in *ingester) readEmail(s *Signal) intent.Result {
	if in.read == nil {
		res := classifyEmail(s, in.rec.Contact(s.ContactID))
		in.read = &res
	}
	return *in.read
}

func newIngester(tx Tx, st *Settings, now time.Time, rep *IngestReport) *ingester {
	return &ingester{tx: tx, rec: newTxRecords(tx), moves: newTxMoves(tx), st: st, now: now, rep: rep}
}

// flush writes what the transaction changed in memory: each updated move
// once, each changed record once.
func (in *ingester) flush() error {
	if err := in.rescoreEdited(); err != nil {
		return err
	}
	if err := in.endStalls(); err != nil {
		return err
	}
	if err := in.moves.flush(); err != nil {
		return err
	}
	if in.core != nil {
		if _, err := in.core.sweepNoResponse(in.tx, in.now, sweepBatch); err != nil {
			return err
		}
	}
	return in.rec.flush()
}

// txMoves caches the open moves an ingest transaction looks up and writes
// each updated move once, at flush: a thread with ten new replies in one
// batch is one move rewritten once, not ten times.
type txMoves struct {
	tx    Tx
	open  map[string]*Move // subject|kind → open move; nil = none
	dirty map[uint64]bool
	order []*Move
}

func newTxMoves(tx Tx) *txMoves {
	return &txMoves{tx: tx, open: map[string]*Move{}, dirty: map[uint64]bool{}}
}

func openKey(subject Subject, kind MoveKind) string { return subject.Key() + "|" + string(kind) }

// find returns the open move for subject and kind, or nil.
func (c *txMoves) find(subject Subject, kind MoveKind) (*Move, error) {
	key := openKey(subject, kind)
	if m, ok := c.open[key]; ok {
		return m, nil
	}
	m, err := c.tx.OpenMove(subject, kind)
	switch {
	case ErrorCode(err) == ENOTFOUND:
		m = nil
	case err != nil:
		return nil, err
	}
	c.open[key] = m
	return m, nil
}

// create stores a new move now, so it has an id for the audit log.
func (c *txMoves) create(m *Move) error {
	if err := c.tx.CreateMove(m); err != nil {
		return err
	}
	c.open[openKey(m.Subject, m.Kind)] = m
	return nil
}

// changed marks m to be written at flush.
func (c *txMoves) changed(m *Move) {
	if !c.dirty[m.ID] {
		c.dirty[m.ID] = true
		c.order = append(c.order, m)
	}
}

func (c *txMoves) flush() error {
	for _, m := range c.order {
		if err := c.tx.UpdateMove(m); err != nil {
			return err
		}
	}
	c.dirty, c.order = map[uint64]bool{}, nil
	return nil
}

func (in *ingester) signal(s *Signal, actor Actor) error {
	in.read = nil
	if s.ReceivedAt.IsZero() {
		s.ReceivedAt = in.now
	}
	if err := resolveContactAlias(in.tx, s); err != nil {
		return err
	}
	// The store refuses a second signal with the same dedupe key: that
	// refusal is how a re-polled signal is recognized.
	switch err := in.tx.CreateSignal(s); {
	case ErrorCode(err) == ECONFLICT:
		in.rep.Duplicates++
		return nil
	case err != nil:
		return err
	}
	if err := in.upsertRecords(s); err != nil {
		return err
	}
	if err := noteDoNotContact(in, s); err != nil {
		return err
	}
	if err := in.endReachedStage(s); err != nil {
		return err
	}
	if err := in.detectOutcomes(s); err != nil {
		return err
	}
	in.rep.Stored++
	if s.Type == SignalRecordUpdated {
		in.noteEdited(s)
	}
	contactEmail := ""
	if c := in.rec.Contact(s.ContactID); c != nil {
		contactEmail = c.Email
	}
	if gone, err := forgotten(in.tx, s, contactEmail); err != nil {
		return err
	} else if gone {
		return in.rec.err // they asked to be forgotten: nothing is proposed to them
	}
	for _, p := range recommend(s, in.rec, in.st, in.now, in.zone, in.read) {
		if err := in.effects(s, p); err != nil {
			return err
		}
		if p.Ends {
			continue
		}
		if !p.ExpiresAt.IsZero() && !p.ExpiresAt.After(in.now) {
			continue // its reason has already passed: nothing to do
		}
		if err := in.apply(s, p, actor); err != nil {
			return err
		}
	}
	return in.rec.err
}

// upsertRecords merges the signal's snapshots into the local CRM copy and
// records the activity on the contact and deal.
func (in *ingester) upsertRecords(s *Signal) error {
	rec := in.rec
	if s.Company != nil {
		c := *s.Company
		if old := rec.Company(c.ID); old != nil {
			mergeCompany(&c, old)
		}
		c.UpdatedAt = in.now
		rec.putCompany(&c)
	}
	if s.Contact != nil || s.ContactID != "" {
		var c Contact
		switch old := rec.Contact(s.ContactID); {
		case old != nil:
			c = *old
			if s.Contact != nil {
				mergeContact(&c, s.Contact)
			}
		case s.Contact != nil:
			c = *s.Contact
		default:
			c = Contact{ID: s.ContactID}
			if s.Email != nil && strings.EqualFold(s.ContactID, s.Email.From) {
				c.Email, c.Name = s.Email.From, s.Email.FromName
			}
		}
		if s.OccurredAt.After(c.LastActivityAt) && s.Type.IsActivity() {
			c.LastActivityAt = s.OccurredAt
		}
		c.UpdatedAt = in.now
		rec.putContact(&c)
		if s.Contact != nil && !in.rep.contacts[c.ID] {
			if in.rep.contacts == nil {
				in.rep.contacts = map[string]bool{}
			}
			in.rep.contacts[c.ID] = true
			in.rep.Contacts = append(in.rep.Contacts, c.ID)
		}
	}
	if s.Deal != nil || s.DealID != "" {
		var d Deal
		switch old := rec.Deal(s.DealID); {
		case old != nil:
			d = *old
			if s.Deal != nil {
				if s.Deal.Stage != "" && s.Deal.Stage != d.Stage && !s.OccurredAt.Before(d.StageChangedAt) {
					d.StageChangedAt = s.OccurredAt
				}
				mergeDeal(&d, s.Deal)
			}
		case s.Deal != nil:
			d = *s.Deal
			if d.StageChangedAt.IsZero() && s.Type == SignalDealStageChanged {
				d.StageChangedAt = s.OccurredAt
			}
		default:
			return rec.err // a ref to a deal we have never seen: nothing to record
		}
		// A stalled signal is about inactivity, an edit is bookkeeping:
		// neither is activity on the deal.
		if s.Type.IsActivity() && s.OccurredAt.After(d.LastActivityAt) {
			d.LastActivityAt = s.OccurredAt
		}
		d.UpdatedAt = in.now
		rec.putDeal(&d)
		if !in.dealSeen[d.ID] {
			if in.dealSeen == nil {
				in.dealSeen = map[string]bool{}
			}
			in.dealSeen[d.ID] = true
			in.dealsTouched = append(in.dealsTouched, d.ID)
		}
	}
	return rec.err
}

// mergeContact copies the non-empty fields of src over dst.
func mergeContact(dst, src *Contact) {
	setIf(&dst.Email, src.Email)
	setIf(&dst.Name, src.Name)
	setIf(&dst.Title, src.Title)
	setIf(&dst.CompanyID, src.CompanyID)
	setIf(&dst.Lifecycle, src.Lifecycle)
	setIf(&dst.Timezone, src.Timezone)
	setIf(&dst.XHandle, src.XHandle)
	setIf(&dst.Phone, src.Phone)
	setIf(&dst.Owner, src.Owner)
	if dst.CreatedAt.IsZero() {
		dst.CreatedAt = src.CreatedAt
	}
	if src.LastActivityAt.After(dst.LastActivityAt) {
		dst.LastActivityAt = src.LastActivityAt
	}
}

// mergeCompany fills dst's empty fields from old, the stored copy.
func mergeCompany(dst, old *Company) {
	dst.Name = nonEmpty(dst.Name, old.Name)
	dst.Domain = nonEmpty(dst.Domain, old.Domain)
	dst.Industry = nonEmpty(dst.Industry, old.Industry)
	dst.Country = nonEmpty(dst.Country, old.Country)
	if dst.Employees == 0 {
		dst.Employees = old.Employees
	}
	if dst.ExpectedARR == 0 {
		dst.ExpectedARR = old.ExpectedARR
	}
	if len(dst.Tags) == 0 {
		dst.Tags = old.Tags
	}
}

func mergeDeal(dst, src *Deal) {
	setIf(&dst.Name, src.Name)
	setIf(&dst.Stage, src.Stage)
	setIf(&dst.Pipeline, src.Pipeline)
	setIf(&dst.Currency, src.Currency)
	setIf(&dst.CompanyID, src.CompanyID)
	if src.Amount > 0 {
		dst.Amount = src.Amount
	}
	if !src.CloseDate.IsZero() {
		dst.CloseDate = src.CloseDate
	}
	if len(src.ContactIDs) > 0 {
		dst.ContactIDs = src.ContactIDs
	}
	if src.LastActivityAt.After(dst.LastActivityAt) {
		dst.LastActivityAt = src.LastActivityAt
	}
}

func setIf(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}

// apply creates the move a proposal describes, or updates the open move
// with the same subject and kind.
func (in *ingester) apply(s *Signal, p Proposal, actor Actor) error {
	m, err := in.moves.find(p.Subject, p.Kind)
	switch {
	case err != nil:
		return err
	case m != nil:
		return in.update(m, s, p, actor)
	}
	m = &Move{
		Kind: p.Kind, Domain: p.Domain, Title: p.Title, Why: p.Why, Status: StatusPending,
		Draft: p.Draft, Subject: p.Subject, ContactID: p.ContactID, CompanyID: p.CompanyID, DealID: p.DealID,
		Source: s.Source, SignalIDs: []uint64{s.ID}, DueAt: p.DueAt, DueLabel: p.DueLabel, ExpiresAt: p.ExpiresAt,
		SignalAt: s.OccurredAt, CreatedAt: in.now, UpdatedAt: in.now, StallNudge: p.StallNudge,
	}
	if p.SnoozedUntil.After(in.now) {
		m.Status, m.SnoozedUntil = StatusSnoozed, p.SnoozedUntil
	}
	if err := scoreMove(m, in.rec, in.st, in.now); err != nil {
		return err
	}
	if err := in.moves.create(m); err != nil {
		return err
	}
	in.rep.Created = append(in.rep.Created, m.ID)
	if in.rep.touched != nil {
		in.rep.touched[m.ID] = true
	}
	return in.tx.AppendAudit(&AuditEntry{
		At: in.now, Actor: actor, Action: AuditMoveCreated, MoveID: m.ID, To: m.Status,
		Detail: fmt.Sprintf("from %s signal %d", s.Type, s.ID), APS: m.Score.APS, Reasons: m.Reasons,
	})
}

func (in *ingester) update(m *Move, s *Signal, p Proposal, actor Actor) error {
	m.SignalIDs = append(m.SignalIDs, s.ID)
	m.UpdatedAt = in.now
	fresh := !s.OccurredAt.Before(m.SignalAt) && m.Status != StatusExecuting
	detail := fmt.Sprintf("%s signal %d attached", s.Type, s.ID)
	from := m.Status
	if fresh {
		m.Domain, m.Title, m.Why = p.Domain, p.Title, mergeWhy(p.Why, m.Why)
		m.DueAt, m.DueLabel, m.ExpiresAt = p.DueAt, p.DueLabel, p.ExpiresAt
		m.ContactID, m.CompanyID, m.DealID = p.ContactID, p.CompanyID, p.DealID
		m.Source, m.SignalAt, m.StallNudge = s.Source, s.OccurredAt, p.StallNudge
		if !m.DraftEdited {
			old := m.Draft.Body
			m.Draft = p.Draft
			if p.Quotes {
				m.Draft.Body = MergeQuotes(p.Draft.Body, old)
			}
			// The offline draft for the newer signal: a model's draft of
			// the older one no longer answers it (modeldraft.go).
			m.DraftBy, m.DraftSent, m.DraftNote = "", nil, ""
		}
		switch {
		case p.SnoozedUntil.After(in.now) && (m.Status == StatusPending || m.Status == StatusSnoozed):
			// "Not now": the newer word is to wait, not to answer today.
			m.Status, m.SnoozedUntil = StatusSnoozed, p.SnoozedUntil
		case m.Status == StatusSnoozed:
			// Something new happened: the founder should see it now.
			m.Status, m.SnoozedUntil = StatusPending, time.Time{}
		}
		detail = fmt.Sprintf("updated by newer %s signal %d", s.Type, s.ID)
	}
	if err := scoreMove(m, in.rec, in.st, in.now); err != nil {
		return err
	}
	if err := m.Validate(); err != nil {
		return err
	}
	in.moves.changed(m)
	in.rep.updated(m.ID)
	// An update by a signal records the new score; the reasons are kept for
	// decisions (creation and transitions), where they explain what the
	// founder saw, not for every message that lands on a thread.
	e := &AuditEntry{At: in.now, Actor: actor, Action: AuditMoveUpdated, MoveID: m.ID, Detail: detail, APS: m.Score.APS}
	if from != m.Status {
		e.Action, e.From, e.To, e.Reasons = AuditMoveTransition, from, m.Status, m.Reasons
	}
	return in.tx.AppendAudit(e)
}

// maxWhy bounds how many recommender sentences a move keeps.
const maxWhy = 4

// mergeWhy puts the newer signal's sentences first and keeps the older ones
// that still fit, so an updated move remembers what came before ("asked
// about pricing", then "requested a demo").
func mergeWhy(newer, older []string) []string {
	out := make([]string, 0, maxWhy)
	seen := map[string]bool{}
	for _, w := range append(append([]string{}, newer...), older...) {
		if len(out) == maxWhy {
			break
		}
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}
