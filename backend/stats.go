package backend

import (
	"context"
	"time"
)

// Stats is the day so far: what the header of Today's Moves shows.
type Stats struct {
	Pending          int
	ByDomain         map[Domain]int
	DoneToday        int
	SkippedToday     int
	TimeSavedMinutes int // the effort estimates of the moves done today
}

// Stats counts pending moves and what happened from dayStart until now,
// from the counters the state machine keeps.
func (s *MoveService) Stats(ctx context.Context, dayStart time.Time) (Stats, error) {
	st := Stats{ByDomain: map[Domain]int{}}
	now := s.clock.Now()
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		for _, d := range Domains {
			d := d
			if st.ByDomain[d], err = tx.CountMoves(StatusPending, &d); err != nil {
				return err
			}
			st.Pending += st.ByDomain[d]
		}
		if st.DoneToday, err = tx.SumStat(StatDone, dayStart, now); err != nil {
			return err
		}
		if st.SkippedToday, err = tx.SumStat(StatSkipped, dayStart, now); err != nil {
			return err
		}
		st.TimeSavedMinutes, err = tx.SumStat(StatMinutesSaved, dayStart, now)
		return err
	})
	return st, WrapError("stats", err)
}

// auditPage is how many audit entries are read per step when walking the
// log backwards.
const auditPage = 200

// walkAuditBack calls fn with audit entries from the newest back, until fn
// returns false or the log is exhausted.
func walkAuditBack(tx Tx, fn func(*AuditEntry) bool) error {
	_, total, err := tx.FindAudit(AuditFilter{Limit: 1})
	if err != nil {
		return err
	}
	for end := total; end > 0; end -= auditPage {
		start := max(end-auditPage, 0)
		page, _, err := tx.FindAudit(AuditFilter{Offset: start, Limit: end - start})
		if err != nil {
			return err
		}
		for i := len(page) - 1; i >= 0; i-- {
			if !fn(page[i]) {
				return nil
			}
		}
	}
	return nil
}
