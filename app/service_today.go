package app

import (
	"fmt"
	"strings"

	"github.com/caseyos/caseyos/backend"
)

// TodayService is bound for the Today view and a move's detail (the queue
// store): the day's moves, one move, why it was chosen, its draft, and skip,
// snooze, restore and undo. It runs on the App's core and is bound as
// TodayService.<Method> in the window and served as POST
// /api/TodayService.<Method> (docs/api.md).
type TodayService struct{ a *App }

// Today returns the top pending moves by APS. domain is "", "all", "sales",
// "marketing" or "cs"; limit 0 means the configured default.
func (svc *TodayService) Today(domain string, limit int) (TodayDTO, error) {
	a := svc.a
	var f backend.TodayFilter
	if d := strings.TrimSpace(domain); d != "" && d != "all" {
		dom, err := backend.ParseDomain(d)
		if err != nil {
			return TodayDTO{}, err
		}
		f.Domain = &dom
	}
	if limit < 0 || limit > MaxTodayLimit {
		return TodayDTO{}, backend.Errorf(backend.EINVALID, "limit must be between 1 and %d", MaxTodayLimit)
	}
	f.Limit = limit
	res, err := a.queue.Moves.Today(a.ctx, f)
	if err != nil {
		return TodayDTO{}, err
	}
	now := a.clock.Now()
	out := TodayDTO{Workspace: a.workspaceDTO(), Pending: res.Pending, ByDomain: map[string]int{}, Moves: []MoveDTO{}}
	if f.Domain != nil {
		out.Domain = string(*f.Domain)
	}
	for d, n := range res.ByDomain {
		out.ByDomain[string(d)] = n
	}
	for _, m := range res.Moves {
		dto := toMoveDTO(m, now)
		dto.NotAvailable = a.notAvailable(m.Kind)
		out.Moves = append(out.Moves, dto)
	}
	return out, nil
}

// Move returns one move.
func (svc *TodayService) Move(id uint64) (MoveDTO, error) {
	a := svc.a
	m, err := a.queue.Moves.Move(a.ctx, id)
	if err != nil {
		return MoveDTO{}, err
	}
	return toMoveDTO(m, a.clock.Now()), nil
}

// Explain returns a move's score breakdown, reasons and history.
func (svc *TodayService) Explain(id uint64) (ExplainDTO, error) {
	a := svc.a
	m, err := a.queue.Moves.Move(a.ctx, id)
	if err != nil {
		return ExplainDTO{}, err
	}
	hist, err := a.queue.Audit.History(a.ctx, id)
	if err != nil {
		return ExplainDTO{}, err
	}
	dto := toMoveDTO(m, a.clock.Now())
	s := dto.Score
	out := ExplainDTO{
		Workspace: a.workspaceDTO(), Move: dto, History: []AuditDTO{},
		Formula: fmt.Sprintf("APS %.1f = 100 × (%.2f×%.2f revenue + %.2f×%.2f urgency + %.2f×(1−%.2f) effort + %.2f×%.2f strategic)",
			s.APS, s.Revenue.Weight, s.Revenue.Value, s.Urgency.Weight, s.Urgency.Value, s.Effort.Weight, s.Effort.Value, s.Strategic.Weight, s.Strategic.Value),
	}
	if s.Learned != nil {
		out.Formula += fmt.Sprintf(" %+.1f learned", s.Learned.Points)
	}
	for _, e := range hist {
		out.History = append(out.History, toAuditDTO(e))
	}
	switch q, err := a.queue.FollowUps.ForMove(a.ctx, id); {
	case err == nil:
		d := toSequenceDTO(q)
		out.FollowUps = &d
	case backend.ErrorCode(err) != backend.ENOTFOUND:
		return ExplainDTO{}, err
	}
	return out, nil
}

// UpdateDraft replaces a move's draft with the founder's edit.
func (svc *TodayService) UpdateDraft(id uint64, d DraftDTO) (MoveDTO, error) {
	a := svc.a
	m, err := a.queue.Moves.EditDraft(a.ctx, id, fromDraftDTO(d), backend.ActorKey)
	if err != nil {
		return MoveDTO{}, err
	}
	return toMoveDTO(m, a.clock.Now()), nil
}

// Skip skips a move with an optional reason.
func (svc *TodayService) Skip(id uint64, reason, via string) (MoveDTO, error) {
	a := svc.a
	who, err := actor(via)
	if err != nil {
		return MoveDTO{}, err
	}
	m, err := a.queue.Moves.Skip(a.ctx, id, reason, who)
	if err != nil {
		return MoveDTO{}, err
	}
	return toMoveDTO(m, a.clock.Now()), nil
}

// Snooze hides a move until when, which ParseWhen understands ("2h", "tomorrow", an RFC 3339 time …).
func (svc *TodayService) Snooze(id uint64, when, via string) (MoveDTO, error) {
	a := svc.a
	who, err := actor(via)
	if err != nil {
		return MoveDTO{}, err
	}
	until, err := ParseWhen(when, a.clock.Now())
	if err != nil {
		return MoveDTO{}, err
	}
	m, err := a.queue.Moves.Snooze(a.ctx, id, until, who)
	if err != nil {
		return MoveDTO{}, err
	}
	return toMoveDTO(m, a.clock.Now()), nil
}

// Restore brings a skipped, snoozed or undone (rolled-back) move back to
// pending, with its draft.
func (svc *TodayService) Restore(id uint64, via string) (MoveDTO, error) {
	a := svc.a
	who, err := actor(via)
	if err != nil {
		return MoveDTO{}, err
	}
	m, err := a.queue.Moves.Restore(a.ctx, id, who)
	if err != nil {
		return MoveDTO{}, err
	}
	return toMoveDTO(m, a.clock.Now()), nil
}

// Undo brings back the most recent skipped, snoozed or rolled-back move.
func (svc *TodayService) Undo(via string) (MoveDTO, error) {
	a := svc.a
	who, err := actor(via)
	if err != nil {
		return MoveDTO{}, err
	}
	m, err := a.queue.Moves.Undo(a.ctx, who)
	if err != nil {
		return MoveDTO{}, err
	}
	return toMoveDTO(m, a.clock.Now()), nil
}
