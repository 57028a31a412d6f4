package backend

import (
	"context"
	"fmt"
	"time"
)

// Retention: signals, and the contents of audit entries, older than the
// retention period (Settings.RetentionMonths) are pruned — signals
// deleted, audit entries emptied in place (tombstones: the chain still
// verifies). The app prunes at start and daily; `caseyos compact` prunes
// and then gives the freed space back.

// DefaultRetentionMonths is the retention period of a workspace that has
// not chosen one.
const DefaultRetentionMonths = 24

// MaxRetentionMonths bounds the retention period (ten years).
const MaxRetentionMonths = 120

// Retention returns the retention period in months: RetentionMonths, or
// DefaultRetentionMonths when it is 0 (settings stored before it existed).
func (s *Settings) Retention() int {
	if s.RetentionMonths == 0 {
		return DefaultRetentionMonths
	}
	return s.RetentionMonths
}

func (s *Settings) validateRetention() error {
	if s.RetentionMonths < 0 || s.RetentionMonths > MaxRetentionMonths {
		return Errorf(EINVALID, "retention must be between 1 and %d months", MaxRetentionMonths)
	}
	return nil
}

// RetentionReport says what ApplyRetention pruned.
type RetentionReport struct {
	Months  int
	Cutoff  time.Time // what occurred before this was pruned
	Signals int       // deleted
	Kept    int       // older signals kept because an open move still rests on them
	Audit   int       // entries emptied
}

// ApplyRetention deletes the signals that occurred before the retention
// period began and empties the audit entries written before it, in one
// transaction, and records what it did when it did anything. A signal an
// open move rests on is kept until the move is done.
func (s *PrivacyService) ApplyRetention(ctx context.Context) (RetentionReport, error) {
	now := s.clock.Now()
	var rep RetentionReport
	err := s.store.Update(ctx, func(tx Tx) error {
		ps, err := privacyStore(tx)
		if err != nil {
			return err
		}
		st, err := tx.Settings()
		if err != nil {
			return err
		}
		rep.Months = st.Retention()
		rep.Cutoff = now.AddDate(0, -rep.Months, 0)
		old, err := ps.SignalsBefore(rep.Cutoff, 0)
		if err != nil {
			return err
		}
		if len(old) > 0 {
			inUse := map[uint64]bool{}
			if err := ps.EachMove(func(m *Move) bool {
				if m.Status.IsOpen() {
					for _, id := range m.SignalIDs {
						inUse[id] = true
					}
				}
				return true
			}); err != nil {
				return err
			}
			for _, id := range old {
				if inUse[id] {
					rep.Kept++
					continue
				}
				if err := ps.DeleteSignal(id); err != nil {
					return err
				}
				rep.Signals++
			}
		}
		entries, _, err := tx.FindAudit(AuditFilter{})
		if err != nil {
			return err
		}
		for _, e := range entries {
			if !e.At.Before(rep.Cutoff) || (e.Detail == "" && len(e.Reasons) == 0) {
				continue
			}
			ok, err := ps.TombstoneAudit(e.Seq, AuditRetention)
			if err != nil {
				return err
			}
			if ok {
				rep.Audit++
			}
		}
		if rep.Signals == 0 && rep.Audit == 0 {
			return nil
		}
		return tx.AppendAudit(&AuditEntry{At: now, Actor: ActorSystem, Action: AuditRetentionPrune, Detail: fmt.Sprintf(
			"retention %d months: %d signals from before %s deleted, %d audit entries emptied",
			rep.Months, rep.Signals, rep.Cutoff.UTC().Format("2006-01-02"), rep.Audit)})
	})
	return rep, WrapError("retention", err)
}
