package backend

import (
	"fmt"
	"time"
)

// The stalled-deal rule lives here so that the queue's own derivation and
// the connectors that report deal.stalled decide alike and produce the same
// dedupe key: a deal seen stalled by both is stored once.

// StalledCutoff is the last-activity time before which an open deal counts
// as stalled at now.
func StalledCutoff(st *Settings, now time.Time) time.Time {
	return now.Add(-time.Duration(st.StalledDealDays) * 24 * time.Hour)
}

// DealStalled reports whether d has stalled at now: it is open (in neither a
// won nor a lost stage) and its last activity, which must be known, is
// before StalledCutoff.
func DealStalled(d *Deal, st *Settings, now time.Time) bool {
	if d == nil || d.LastActivityAt.IsZero() {
		return false
	}
	if containsFold(st.WonStages, d.Stage) || containsFold(st.LostStages, d.Stage) {
		return false
	}
	return d.LastActivityAt.Before(StalledCutoff(st, now))
}

// StalledDedupeKey is the dedupe key of d's deal.stalled signal. It holds the
// last activity time, so a deal stalls once per quiet spell and again only
// after new activity followed by new silence.
func StalledDedupeKey(d *Deal) string {
	return fmt.Sprintf("deal.stalled:%s:%d", d.ID, d.LastActivityAt.Unix())
}
