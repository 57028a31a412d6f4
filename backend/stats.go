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

// auditPage is how many audit entries are read per step when walking the
// log backwards.
const auditPage = 200

// Stats counts pending moves and what happened since dayStart, walking the
// audit log back from its end only as far as dayStart.
func (q *Queue) Stats(ctx context.Context, dayStart time.Time) (Stats, error) {
	st := Stats{ByDomain: map[Domain]int{}}
	err := q.store.View(ctx, func(tx Tx) error {
		settings, err := tx.Settings()
		if err != nil {
			return err
		}
		pending := StatusPending
		if _, st.Pending, err = tx.FindMoves(MoveFilter{Status: &pending, Limit: 1}); err != nil {
			return err
		}
		for _, d := range Domains {
			d := d
			if st.ByDomain[d], err = tx.CountMoves(StatusPending, &d); err != nil {
				return err
			}
		}
		return walkAuditBack(tx, func(e *AuditEntry) bool {
			if e.At.Before(dayStart) {
				return false
			}
			if e.Action == AuditMoveTransition && e.To == StatusDone {
				st.DoneToday++
				if m, err := tx.FindMove(e.MoveID); err == nil {
					st.TimeSavedMinutes += settings.EffortMinutes[m.Kind]
				}
			}
			if e.Action == AuditMoveTransition && e.To == StatusSkipped {
				st.SkippedToday++
			}
			return true
		})
	})
	return st, WrapError("stats", err)
}

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
