package app

import (
	"strings"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// SignalsService is bound for the Signals view and the header (the signals
// store, the queue store's stats): the workspace, signals, their import and
// the day's stats. It runs on the App's core and is bound as SignalsService.<Method>
// in the window and served as POST /api/SignalsService.<Method> (docs/api.md).
type SignalsService struct{ a *App }

// Workspace says which data the App runs on.
func (svc *SignalsService) Workspace() (WorkspaceDTO, error) { return svc.a.workspaceDTO(), nil }

// Signals returns the signals feed, newest first, with the moves each
// produced among the recent ones.
func (svc *SignalsService) Signals(limit, offset int) (SignalsDTO, error) {
	a := svc.a
	if limit <= 0 || limit > maxSignalsPage {
		limit = 50
	}
	if offset < 0 {
		return SignalsDTO{}, backend.Errorf(backend.EINVALID, "offset cannot be negative")
	}
	sigs, total, err := a.queue.Ingest.Signals(a.ctx, offset, limit)
	if err != nil {
		return SignalsDTO{}, err
	}
	recent, err := a.queue.Moves.RecentMoves(a.ctx, 500)
	if err != nil {
		return SignalsDTO{}, err
	}
	produced := map[uint64][]uint64{}
	for _, m := range recent {
		for _, sid := range m.SignalIDs {
			produced[sid] = append(produced[sid], m.ID)
		}
	}
	out := SignalsDTO{Total: total, Signals: []SignalDTO{}}
	for _, s := range sigs {
		ids := produced[s.ID]
		if ids == nil {
			ids = []uint64{}
		}
		out.Signals = append(out.Signals, SignalDTO{ID: s.ID, Source: string(s.Source), Type: string(s.Type),
			OccurredAt: s.OccurredAt.UTC(), Summary: signalSummary(s), MoveIDs: ids})
	}
	return out, nil
}

// Ingest stores the signals in jsonl, JSON lines (docs/signals.md). It is
// how the CLI hands an import to a running instance.
func (svc *SignalsService) Ingest(jsonl string) (IngestDTO, error) {
	a := svc.a
	return a.ingest(strings.NewReader(jsonl))
}

// Stats is the header's day so far, in the local time zone.
func (svc *SignalsService) Stats() (StatsDTO, error) {
	a := svc.a
	now := a.clock.Now().In(time.Local)
	dayStart := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	st, err := a.queue.Moves.Stats(a.ctx, dayStart)
	if err != nil {
		return StatsDTO{}, err
	}
	out := StatsDTO{Pending: st.Pending, ByDomain: map[string]int{}, DoneToday: st.DoneToday, SkippedToday: st.SkippedToday, TimeSavedMinutesToday: st.TimeSavedMinutes}
	for d, n := range st.ByDomain {
		out.ByDomain[string(d)] = n
	}
	return out, nil
}
