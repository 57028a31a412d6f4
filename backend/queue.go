package backend

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Queue is the decide loop: it turns signals into scored moves, keeps them
// fresh as time passes, and moves them through their state machine with
// every transition in the audit log.
type Queue struct {
	store     Store
	clock     Clock
	events    Events
	executors []Executor

	// RefreshEvery bounds how often Today re-runs Refresh; Refresh wakes
	// snoozed moves, expires passed ones and re-scores urgency.
	RefreshEvery time.Duration

	// Zone is the owner's time zone, in which meetings are proposed inside
	// working hours (nil: the computer's, time.Local). Set it before use.
	Zone *time.Location

	mu          sync.Mutex
	lastRefresh time.Time

	run execRuntime // the execution scheduler's hooks and wake-up (execute.go)
}

// NewQueue returns a Queue over store. executors carry out moves; the local
// executor (notes) is usually among them.
func NewQueue(store Store, clock Clock, events Events, executors ...Executor) *Queue {
	if events == nil {
		events = NopEvents{}
	}
	return &Queue{store: store, clock: clock, events: events, executors: executors, RefreshEvery: 30 * time.Second}
}

// IngestReport says what ingesting a batch of signals did.
type IngestReport struct {
	Stored     int      // new signals stored
	Duplicates int      // signals already stored (same DedupeKey), ignored
	Created    []uint64 // moves created
	Updated    []uint64 // open moves updated by a newer signal
	Invalid    []InvalidSignal

	touched map[uint64]bool // moves already in Created or Updated
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

// Ingest stores the valid signals of a batch, runs the recommenders and
// creates or updates moves, all in one transaction: either the whole batch
// lands or none of it does. Invalid signals are reported and skipped; they
// never abort the batch.
func (q *Queue) Ingest(ctx context.Context, signals []*Signal) (IngestReport, error) {
	var rep IngestReport
	now := q.clock.Now()
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
	if len(valid) == 0 {
		return rep, nil
	}
	err := q.store.Update(ctx, func(tx Tx) error {
		rep.Stored, rep.Duplicates, rep.Created, rep.Updated, rep.touched = 0, 0, nil, nil, nil
		st, err := tx.Settings()
		if err != nil {
			return err
		}
		in := newIngester(tx, st, now, &rep)
		in.zone = q.Zone
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
		q.events.Publish(EventSignalsIngested, rep.Stored)
	}
	if len(rep.Created)+len(rep.Updated) > 0 {
		q.events.Publish(EventQueueChanged, QueueChanged{Reason: "ingest", MoveIDs: append(append([]uint64{}, rep.Created...), rep.Updated...)})
	}
	return rep, nil
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
	if s.ReceivedAt.IsZero() {
		s.ReceivedAt = in.now
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
	in.rep.Stored++
	if s.Type == SignalRecordUpdated {
		in.noteEdited(s)
	}
	for _, p := range Recommend(s, in.rec, in.st, in.now, in.zone) {
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
			m.Draft = p.Draft
		}
		if m.Status == StatusSnoozed {
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

// scoreMove (re)computes a move's score and reasons from the stored records.
func scoreMove(m *Move, lookup RecordLookup, st *Settings, now time.Time) error {
	contact := lookup.Contact(m.ContactID)
	company := lookup.Company(m.CompanyID)
	if company == nil && contact != nil {
		company = lookup.Company(contact.CompanyID)
	}
	deal := lookup.Deal(m.DealID)
	in := ScoreInput{Kind: m.Kind, DueAt: m.DueAt, DueLabel: m.DueLabel, Deal: deal, Company: company, Contact: contact, Now: now}
	if m.StallNudge && deal != nil {
		in.QuietSince = deal.LastActivityAt
	}
	s, err := Scorer{Settings: st}.Score(in)
	if err != nil {
		return err
	}
	m.Score = s
	m.Reasons = append(append([]string{}, m.Why...), s.Reasons()...)
	return nil
}

// txRecords reads CRM records inside a transaction and caches them for
// the transaction's life; the store validates what it writes at flush. A batch touches the same contacts, companies and
// deals many times; reading each once and writing each once, at flush, is
// what keeps ingest fast. Reads see the pending writes. A missing record
// reads as nil; any other failure is kept in err and fails the transaction.
type txRecords struct {
	tx        Tx
	contacts  map[string]*Contact
	companies map[string]*Company
	deals     map[string]*Deal
	dirty     map[string]bool // "contact:id", "company:id", "deal:id"
	order     []string        // dirty keys in first-write order, for a deterministic flush
	err       error
}

func newTxRecords(tx Tx) *txRecords {
	return &txRecords{tx: tx, contacts: map[string]*Contact{}, companies: map[string]*Company{}, deals: map[string]*Deal{}, dirty: map[string]bool{}}
}

// cached looks id up in cache, else loads it with find; nil means missing.
func cached[T any](r *txRecords, cache map[string]*T, id string, find func(string) (*T, error)) *T {
	if id == "" {
		return nil
	}
	if v, ok := cache[id]; ok {
		return v
	}
	v, err := find(id)
	if err != nil {
		if ErrorCode(err) != ENOTFOUND && r.err == nil {
			r.err = err
		}
		v = nil
	}
	cache[id] = v
	return v
}

// Contact returns the stored contact, or nil.
func (r *txRecords) Contact(id string) *Contact { return cached(r, r.contacts, id, r.tx.FindContact) }

// Company returns the stored company, or nil.
func (r *txRecords) Company(id string) *Company { return cached(r, r.companies, id, r.tx.FindCompany) }

// Deal returns the stored deal, or nil.
func (r *txRecords) Deal(id string) *Deal { return cached(r, r.deals, id, r.tx.FindDeal) }

func (r *txRecords) markDirty(key string) {
	if !r.dirty[key] {
		r.dirty[key] = true
		r.order = append(r.order, key)
	}
}

func (r *txRecords) putContact(c *Contact) {
	r.contacts[c.ID] = c
	r.markDirty("contact:" + c.ID)
}

func (r *txRecords) putCompany(c *Company) {
	r.companies[c.ID] = c
	r.markDirty("company:" + c.ID)
}

func (r *txRecords) putDeal(d *Deal) {
	r.deals[d.ID] = d
	r.markDirty("deal:" + d.ID)
}

// flush writes every changed record once.
func (r *txRecords) flush() error {
	if r.err != nil {
		return r.err
	}
	for _, key := range r.order {
		kind, id, _ := strings.Cut(key, ":")
		var err error
		switch kind {
		case "contact":
			err = r.tx.PutContact(r.contacts[id])
		case "company":
			err = r.tx.PutCompany(r.companies[id])
		case "deal":
			err = r.tx.PutDeal(r.deals[id])
		}
		if err != nil {
			return err
		}
	}
	r.dirty, r.order = map[string]bool{}, nil
	return nil
}

// RefreshReport says what Refresh changed.
type RefreshReport struct {
	Woken    []uint64
	Expired  []uint64
	Rescored int
	Stalled  int // stalled-deal signals derived
}

// Refresh brings the queue up to date with the clock in one transaction:
// snoozed moves whose time has come return to pending, moves whose reason
// has passed expire, moves whose urgency has drifted (Score.RescoreAt) are
// re-scored,
// and deals with no activity for StalledDealDays produce deal.stalled
// signals (once per quiet spell).
func (q *Queue) Refresh(ctx context.Context) (RefreshReport, error) {
	var rep RefreshReport
	now := q.clock.Now()
	err := q.store.Update(ctx, func(tx Tx) error {
		rep = RefreshReport{}
		st, err := tx.Settings()
		if err != nil {
			return err
		}
		snoozed, err := tx.SnoozedMovesUntil(now.Add(time.Nanosecond))
		if err != nil {
			return err
		}
		for _, m := range snoozed {
			if err := transition(tx, m, StatusPending, ActorSystem, "snooze ended", now); err != nil {
				return err
			}
			rep.Woken = append(rep.Woken, m.ID)
		}
		expiring, err := tx.OpenMovesExpiringBefore(now.Add(time.Nanosecond))
		if err != nil {
			return err
		}
		for _, m := range expiring {
			if m.Status == StatusExecuting {
				continue // an execution in flight finishes first
			}
			if err := transition(tx, m, StatusExpired, ActorSystem, "its reason has passed", now); err != nil {
				return err
			}
			rep.Expired = append(rep.Expired, m.ID)
		}
		due, err := tx.OpenMovesToRescore(now.Add(time.Nanosecond))
		if err != nil {
			return err
		}
		lookup := newTxRecords(tx)
		for _, m := range due {
			if m.Status == StatusExecuting {
				continue
			}
			old := m.Score
			if err := scoreMove(m, lookup, st, now); err != nil {
				return err
			}
			if lookup.err != nil {
				return lookup.err
			}
			if m.Score.APS == old.APS && m.Score.RescoreAt.Equal(old.RescoreAt) {
				continue
			}
			if err := tx.UpdateMove(m); err != nil {
				return err
			}
			rep.Rescored++
		}
		n, err := deriveStalled(tx, st, now)
		rep.Stalled = n
		return err
	})
	if err != nil {
		return RefreshReport{}, WrapError("refresh", err)
	}
	q.mu.Lock()
	q.lastRefresh = now
	q.mu.Unlock()
	if len(rep.Woken)+len(rep.Expired)+rep.Rescored+rep.Stalled > 0 {
		q.events.Publish(EventQueueChanged, QueueChanged{Reason: "refresh"})
	}
	return rep, nil
}

// deriveStalled turns quiet open deals into deal.stalled signals. The dedupe
// key holds the last activity time, so a deal stalls once per quiet spell
// and again only after new activity followed by new silence.
func deriveStalled(tx Tx, st *Settings, now time.Time) (int, error) {
	cutoff := StalledCutoff(st, now)
	closed := append(append([]string{}, st.WonStages...), st.LostStages...)
	deals, err := tx.FindDeals(DealFilter{InactiveBefore: &cutoff, ExcludeStages: closed})
	if err != nil {
		return 0, err
	}
	var rep IngestReport
	in := newIngester(tx, st, now, &rep)
	for _, d := range deals {
		if !DealStalled(d, st, now) {
			continue
		}
		s := &Signal{
			Source: SourceSystem, Type: SignalDealStalled, OccurredAt: now, DealID: d.ID, CompanyID: d.CompanyID,
			DedupeKey: StalledDedupeKey(d),
			// The snapshot names the deal and its last activity for the
			// signals feed; merging it back changes nothing.
			Deal: &Deal{ID: d.ID, Name: d.Name, Stage: d.Stage, LastActivityAt: d.LastActivityAt},
		}
		if len(d.ContactIDs) > 0 {
			s.ContactID = d.ContactIDs[0]
		}
		if err := in.signal(s, ActorRule); err != nil {
			return 0, err
		}
	}
	return rep.Stored, in.flush()
}

// transition moves m to status to, enforcing the state machine, and appends
// the audit entry in the same transaction.
func transition(tx Tx, m *Move, to MoveStatus, actor Actor, detail string, now time.Time) error {
	from := m.Status
	if !CanTransition(from, to) {
		return Errorf(ECONFLICT, "move %d is %s; it cannot become %s", m.ID, from, to)
	}
	m.Status = to
	m.UpdatedAt = now
	if to != StatusSnoozed {
		m.SnoozedUntil = time.Time{}
	}
	if to == StatusDone {
		m.DoneAt = now
	}
	if to == StatusPending {
		m.SkipReason = ""
	}
	if err := tx.UpdateMove(m); err != nil {
		return err
	}
	if err := countTransition(tx, m, from, to, now); err != nil {
		return err
	}
	return tx.AppendAudit(&AuditEntry{
		At: now, Actor: actor, Action: AuditMoveTransition, MoveID: m.ID, From: from, To: to,
		Detail: detail, APS: m.Score.APS, Reasons: m.Reasons,
	})
}

// Counter names in the stats store.
const (
	StatDone         = "done"
	StatSkipped      = "skipped"
	StatMinutesSaved = "minutes_saved"
)

// countTransition keeps the day's counters: moves done (with the minutes
// their effort estimate says they saved) and skipped; undoing a skip takes
// it back off.
func countTransition(tx Tx, m *Move, from, to MoveStatus, now time.Time) error {
	switch {
	case to == StatusDone:
		st, err := tx.Settings()
		if err != nil {
			return err
		}
		if err := tx.AddStat(StatDone, now, 1); err != nil {
			return err
		}
		return tx.AddStat(StatMinutesSaved, now, st.EffortMinutes[m.Kind])
	case to == StatusSkipped:
		return tx.AddStat(StatSkipped, now, 1)
	case from == StatusSkipped && to == StatusPending:
		return tx.AddStat(StatSkipped, now, -1)
	}
	return nil
}

// TodayFilter selects Today's Moves.
type TodayFilter struct {
	Domain *Domain
	Limit  int // 0 = the Settings' TodayLimit
}

// TodayResult is Today's Moves and the counts around them.
type TodayResult struct {
	Moves    []*Move
	Pending  int            // pending moves matching the filter
	ByDomain map[Domain]int // pending moves per domain
}

// Today returns the top pending moves by APS, refreshing the queue first when
// the last refresh is older than RefreshEvery.
func (q *Queue) Today(ctx context.Context, f TodayFilter) (TodayResult, error) {
	q.mu.Lock()
	stale := q.clock.Now().Sub(q.lastRefresh) >= q.RefreshEvery
	q.mu.Unlock()
	if stale {
		if _, err := q.Refresh(ctx); err != nil {
			return TodayResult{}, err
		}
	}
	return q.top(ctx, f)
}

func (q *Queue) top(ctx context.Context, f TodayFilter) (TodayResult, error) {
	var res TodayResult
	err := q.store.View(ctx, func(tx Tx) error {
		limit := f.Limit
		if limit <= 0 {
			st, err := tx.Settings()
			if err != nil {
				return err
			}
			limit = st.TodayLimit
		}
		pending := StatusPending
		moves, n, err := tx.FindMoves(MoveFilter{Status: &pending, Domain: f.Domain, ByScore: true, Limit: limit})
		if err != nil {
			return err
		}
		res.Moves, res.Pending, res.ByDomain = moves, n, map[Domain]int{}
		for _, d := range Domains {
			d := d
			c, err := tx.CountMoves(StatusPending, &d)
			if err != nil {
				return err
			}
			res.ByDomain[d] = c
		}
		return nil
	})
	if err != nil {
		return TodayResult{}, WrapError("today", err)
	}
	return res, nil
}

// Move returns one move.
func (q *Queue) Move(ctx context.Context, id uint64) (*Move, error) {
	var m *Move
	err := q.store.View(ctx, func(tx Tx) error {
		var err error
		m, err = tx.FindMove(id)
		return err
	})
	return m, WrapError("move", err)
}

// History returns the audit entries of one move, oldest first.
func (q *Queue) History(ctx context.Context, id uint64) ([]*AuditEntry, error) {
	var out []*AuditEntry
	err := q.store.View(ctx, func(tx Tx) error {
		if _, err := tx.FindMove(id); err != nil {
			return err
		}
		var err error
		out, _, err = tx.FindAudit(AuditFilter{MoveID: &id})
		return err
	})
	return out, WrapError("history", err)
}

// Skip marks a move skipped, with an optional reason.
func (q *Queue) Skip(ctx context.Context, id uint64, reason string, actor Actor) (*Move, error) {
	reason = strings.TrimSpace(reason)
	if len(reason) > 500 {
		return nil, Errorf(EINVALID, "skip reason is longer than 500 characters")
	}
	return q.change(ctx, "skip", id, func(tx Tx, m *Move, now time.Time) error {
		m.SkipReason = reason
		detail := "skipped"
		if reason != "" {
			detail = "skipped: " + reason
		}
		if err := transition(tx, m, StatusSkipped, actor, detail, now); err != nil {
			return err
		}
		return nil
	})
}

// MaxSnooze is the longest a move can be snoozed.
const MaxSnooze = 90 * 24 * time.Hour

// Snooze hides a move until the given time; Refresh brings it back.
func (q *Queue) Snooze(ctx context.Context, id uint64, until time.Time, actor Actor) (*Move, error) {
	return q.change(ctx, "snooze", id, func(tx Tx, m *Move, now time.Time) error {
		if !until.After(now) {
			return Errorf(EINVALID, "snooze time %s is not in the future", Stamp(until, q.Zone))
		}
		if until.Sub(now) > MaxSnooze {
			return Errorf(EINVALID, "a move can be snoozed for at most 90 days")
		}
		if m.Status == StatusSnoozed {
			// Re-snoozing changes the time; it is still a recorded decision.
			from := m.Status
			m.SnoozedUntil, m.UpdatedAt = until, now
			if err := tx.UpdateMove(m); err != nil {
				return err
			}
			return tx.AppendAudit(&AuditEntry{At: now, Actor: actor, Action: AuditMoveTransition, MoveID: m.ID, From: from, To: StatusSnoozed,
				Detail: "snoozed until " + Stamp(until, q.Zone), APS: m.Score.APS, Reasons: m.Reasons})
		}
		m.SnoozedUntil = until
		return transition(tx, m, StatusSnoozed, actor, "snoozed until "+Stamp(until, q.Zone), now)
	})
}

// Restore returns a skipped, snoozed or undone (rolled-back) move to
// pending with its draft, re-scored now: the undo of skip, snooze and of
// the move leaving the list when its execution was rolled back. It refuses
// (ECONFLICT) a move whose reason has passed or whose subject has another
// open move since.
func (q *Queue) Restore(ctx context.Context, id uint64, actor Actor) (*Move, error) {
	return q.change(ctx, "restore", id, func(tx Tx, m *Move, now time.Time) error {
		if m.Status != StatusSkipped && m.Status != StatusSnoozed && m.Status != StatusUndone {
			return Errorf(ECONFLICT, "move %d is %s; only skipped, snoozed or undone moves can be restored", m.ID, m.Status)
		}
		return restoreTx(tx, m, actor, "restored", now)
	})
}

// restoreTx brings m back to pending in tx, re-scored at now.
func restoreTx(tx Tx, m *Move, actor Actor, detail string, now time.Time) error {
	if !m.ExpiresAt.IsZero() && !m.ExpiresAt.After(now) {
		return Errorf(ECONFLICT, "move %d cannot come back: its reason passed on %s", m.ID, Stamp(m.ExpiresAt, nil))
	}
	if m.Status != StatusSnoozed {
		switch other, err := tx.OpenMove(m.Subject, m.Kind); {
		case err == nil && other.ID != m.ID:
			return Errorf(ECONFLICT, "move %d cannot come back: move %d is already open for the same %s; act on that one", m.ID, other.ID, m.Subject.Type)
		case err != nil && ErrorCode(err) != ENOTFOUND:
			return err
		}
	}
	st, err := tx.Settings()
	if err != nil {
		return err
	}
	lookup := newTxRecords(tx)
	if err := scoreMove(m, lookup, st, now); err != nil {
		return err
	}
	if lookup.err != nil {
		return lookup.err
	}
	return transition(tx, m, StatusPending, actor, detail, now)
}

// humanActors are the actors whose decisions Undo can take back.
var humanActors = map[Actor]bool{ActorKey: true, ActorClick: true, ActorVoice: true, ActorCLI: true}

// Undo takes back the most recent skip, snooze or rollback by a person
// whose move is still skipped, snoozed or undone: the move returns to
// pending (a rolled-back move with its draft, to do again). It reads the
// audit log, so it undoes a skip made in another window or from the CLI
// too. ENOTFOUND when there is nothing to undo.
func (q *Queue) Undo(ctx context.Context, actor Actor) (*Move, error) {
	var m *Move
	now := q.clock.Now()
	err := q.store.Update(ctx, func(tx Tx) error {
		var found *Move
		err := walkAuditBack(tx, func(e *AuditEntry) bool {
			if e.Action != AuditMoveTransition || !humanActors[e.Actor] || (e.To != StatusSkipped && e.To != StatusSnoozed && e.To != StatusUndone) {
				return true
			}
			cand, err := tx.FindMove(e.MoveID)
			if err != nil || cand.Status != e.To {
				return true // since restored, executed or expired: look further back
			}
			found = cand
			return false
		})
		if err != nil {
			return err
		}
		if found == nil {
			return Errorf(ENOTFOUND, "nothing to undo")
		}
		m = found
		return restoreTx(tx, m, actor, "undo", now)
	})
	if err != nil {
		return nil, WrapError("undo", err)
	}
	q.events.Publish(EventQueueChanged, QueueChanged{Reason: "undo", MoveIDs: []uint64{m.ID}})
	return m, nil
}

// EditDraft replaces an open move's draft with the founder's edit. The
// draft is marked edited, so newer signals update the move's reasons and
// score but leave the text alone.
func (q *Queue) EditDraft(ctx context.Context, id uint64, d Draft, actor Actor) (*Move, error) {
	return q.change(ctx, "edit draft", id, func(tx Tx, m *Move, now time.Time) error {
		if m.Status != StatusPending && m.Status != StatusSnoozed && m.Status != StatusFailed {
			return Errorf(ECONFLICT, "move %d is %s; its draft can no longer be edited", m.ID, m.Status)
		}
		d.cleanText()
		m.Draft, m.DraftEdited, m.UpdatedAt = d, true, now
		if err := m.Validate(); err != nil {
			return err
		}
		if err := tx.UpdateMove(m); err != nil {
			return err
		}
		return tx.AppendAudit(&AuditEntry{At: now, Actor: actor, Action: AuditMoveUpdated, MoveID: m.ID, Detail: "draft edited", APS: m.Score.APS})
	})
}

// Signals returns stored signals, newest first, and how many there are.
func (q *Queue) Signals(ctx context.Context, offset, limit int) ([]*Signal, int, error) {
	var out []*Signal
	var total int
	err := q.store.View(ctx, func(tx Tx) error {
		var err error
		out, total, err = tx.FindSignals(SignalFilter{Offset: offset, Limit: limit})
		return err
	})
	return out, total, WrapError("signals", err)
}

// RecentMoves returns the newest n moves, newest first, for linking signals
// to what they produced.
func (q *Queue) RecentMoves(ctx context.Context, n int) ([]*Move, error) {
	var out []*Move
	err := q.store.View(ctx, func(tx Tx) error {
		_, total, err := tx.FindMoves(MoveFilter{Limit: 1})
		if err != nil {
			return err
		}
		out, _, err = tx.FindMoves(MoveFilter{Offset: max(total-n, 0), Limit: n})
		return err
	})
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, WrapError("recent moves", err)
}

// Settings returns the workspace's settings.
func (q *Queue) Settings(ctx context.Context) (*Settings, error) {
	var st *Settings
	err := q.store.View(ctx, func(tx Tx) error {
		var err error
		st, err = tx.Settings()
		return err
	})
	return st, WrapError("settings", err)
}

// SaveSettings validates and stores st and re-scores every open move with
// it, in one transaction, with the change in the audit log.
func (q *Queue) SaveSettings(ctx context.Context, st *Settings, actor Actor) error {
	if err := st.Validate(); err != nil {
		return err
	}
	now := q.clock.Now()
	err := q.store.Update(ctx, func(tx Tx) error {
		if err := tx.PutSettings(st); err != nil {
			return err
		}
		lookup := newTxRecords(tx)
		for _, status := range []MoveStatus{StatusPending, StatusSnoozed, StatusFailed} {
			status := status
			moves, _, err := tx.FindMoves(MoveFilter{Status: &status})
			if err != nil {
				return err
			}
			for _, m := range moves {
				if err := scoreMove(m, lookup, st, now); err != nil {
					return err
				}
				if err := tx.UpdateMove(m); err != nil {
					return err
				}
			}
		}
		if lookup.err != nil {
			return lookup.err
		}
		return tx.AppendAudit(&AuditEntry{At: now, Actor: actor, Action: AuditSettings, Detail: "settings saved; open moves re-scored"})
	})
	if err != nil {
		return WrapError("save settings", err)
	}
	q.events.Publish(EventQueueChanged, QueueChanged{Reason: "settings"})
	return nil
}

// change loads a move, applies fn and publishes queue:changed, in one transaction.
func (q *Queue) change(ctx context.Context, op string, id uint64, fn func(Tx, *Move, time.Time) error) (*Move, error) {
	var m *Move
	now := q.clock.Now()
	err := q.store.Update(ctx, func(tx Tx) error {
		var err error
		if m, err = tx.FindMove(id); err != nil {
			return err
		}
		return fn(tx, m, now)
	})
	if err != nil {
		return nil, WrapError(op, err)
	}
	q.events.Publish(EventQueueChanged, QueueChanged{Reason: op, MoveIDs: []uint64{id}})
	return m, nil
}
