package backend

import (
	"context"
	"strings"
	"time"
)

// MoveService is the queue of moves as the founder works it: Today's Moves,
// one move, and what a person does to a move without executing it (skip,
// snooze, restore, undo, edit its draft). Every transition is in the audit
// log; Refresh keeps the queue up to date with the clock.
type MoveService struct{ *core }

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
// the last refresh is older than the refresh interval (SetRefreshEvery).
func (s *MoveService) Today(ctx context.Context, f TodayFilter) (TodayResult, error) {
	s.mu.Lock()
	stale := s.clock.Now().Sub(s.lastRefresh) >= s.refreshEvery
	s.mu.Unlock()
	if stale {
		if _, err := s.Refresh(ctx); err != nil {
			return TodayResult{}, err
		}
	}
	return s.top(ctx, f)
}

func (s *MoveService) top(ctx context.Context, f TodayFilter) (TodayResult, error) {
	var res TodayResult
	err := s.store.View(ctx, func(tx Tx) error {
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
func (s *MoveService) Move(ctx context.Context, id uint64) (*Move, error) {
	var m *Move
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		m, err = tx.FindMove(id)
		return err
	})
	return m, WrapError("move", err)
}

// RecentMoves returns the newest n moves, newest first, for linking signals
// to what they produced.
func (s *MoveService) RecentMoves(ctx context.Context, n int) ([]*Move, error) {
	var out []*Move
	err := s.store.View(ctx, func(tx Tx) error {
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

// Skip marks a move skipped, with an optional reason.
func (s *MoveService) Skip(ctx context.Context, id uint64, reason string, actor Actor) (*Move, error) {
	reason = strings.TrimSpace(reason)
	if len(reason) > 500 {
		return nil, Errorf(EINVALID, "skip reason is longer than 500 characters")
	}
	return s.change(ctx, "skip", id, func(tx Tx, m *Move, now time.Time) error {
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
func (s *MoveService) Snooze(ctx context.Context, id uint64, until time.Time, actor Actor) (*Move, error) {
	return s.change(ctx, "snooze", id, func(tx Tx, m *Move, now time.Time) error {
		if !until.After(now) {
			return Errorf(EINVALID, "snooze time %s is not in the future", Stamp(until, s.zone))
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
				Detail: "snoozed until " + Stamp(until, s.zone), APS: m.Score.APS, Reasons: m.Reasons})
		}
		m.SnoozedUntil = until
		return transition(tx, m, StatusSnoozed, actor, "snoozed until "+Stamp(until, s.zone), now)
	})
}

// Restore returns a skipped, snoozed or undone (rolled-back) move to
// pending with its draft, re-scored now: the undo of skip, snooze and of
// the move leaving the list when its execution was rolled back. It refuses
// (ECONFLICT) a move whose reason has passed or whose subject has another
// open move since.
func (s *MoveService) Restore(ctx context.Context, id uint64, actor Actor) (*Move, error) {
	return s.change(ctx, "restore", id, func(tx Tx, m *Move, now time.Time) error {
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
func (s *MoveService) Undo(ctx context.Context, actor Actor) (*Move, error) {
	var m *Move
	now := s.clock.Now()
	err := s.store.Update(ctx, func(tx Tx) error {
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
	s.events.Publish(EventQueueChanged, QueueChanged{Reason: "undo", MoveIDs: []uint64{m.ID}})
	return m, nil
}

// EditDraft replaces an open move's draft with the founder's edit. The
// draft is marked edited, so newer signals update the move's reasons and
// score but leave the text alone.
func (s *MoveService) EditDraft(ctx context.Context, id uint64, d Draft, actor Actor) (*Move, error) {
	return s.change(ctx, "edit draft", id, func(tx Tx, m *Move, now time.Time) error {
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

// change loads a move, applies fn and publishes queue:changed, in one transaction.
func (s *MoveService) change(ctx context.Context, op string, id uint64, fn func(Tx, *Move, time.Time) error) (*Move, error) {
	var m *Move
	now := s.clock.Now()
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		if m, err = tx.FindMove(id); err != nil {
			return err
		}
		return fn(tx, m, now)
	})
	if err != nil {
		return nil, WrapError(op, err)
	}
	s.events.Publish(EventQueueChanged, QueueChanged{Reason: op, MoveIDs: []uint64{id}})
	return m, nil
}

// RefreshReport says what Refresh changed.
type RefreshReport struct {
	Woken    []uint64
	Expired  []uint64
	Rescored int
	Stalled  int // stalled-deal signals derived
	// FollowUps counts the follow-up moves proposed (followup.go).
	FollowUps int
}

// Refresh brings the queue up to date with the clock in one transaction:
// snoozed moves whose time has come return to pending, moves whose reason
// has passed expire, moves whose urgency has drifted (Score.RescoreAt) are
// re-scored,
// and deals with no activity for StalledDealDays produce deal.stalled
// signals (once per quiet spell).
func (s *MoveService) Refresh(ctx context.Context) (RefreshReport, error) {
	var rep RefreshReport
	now := s.clock.Now()
	err := s.store.Update(ctx, func(tx Tx) error {
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
		if err != nil {
			return err
		}
		rep.FollowUps, err = s.followUpPass(tx, now)
		return err
	})
	if err != nil {
		return RefreshReport{}, WrapError("refresh", err)
	}
	s.mu.Lock()
	s.lastRefresh = now
	s.mu.Unlock()
	if len(rep.Woken)+len(rep.Expired)+rep.Rescored+rep.Stalled+rep.FollowUps > 0 {
		s.events.Publish(EventQueueChanged, QueueChanged{Reason: "refresh"})
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
	if err := rememberPair(tx, m, to, actor, now); err != nil {
		return err
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
