package app

import (
	"errors"
	"strings"

	"github.com/caseyos/caseyos/backend"
)

// ExecutionService is bound for running a move (the queue store's execute, the
// outbox in Connections): preview, execute, cancel, rollback, status, the
// outbox and the kill switch. It runs on the App's core and is bound as
// ExecutionService.<Method> in the window and served as POST
// /api/ExecutionService.<Method> (docs/api.md).
type ExecutionService struct{ a *App }

// PreviewExecution renders exactly what executing move id would do, from
// the code that executes it; pass Hash to ExecuteMove. It also says what
// the move does in words from its draft (Summary, DraftEffects, Draft), so
// the window's detail has it even when no account can carry the move out:
// then the answer names the account to connect (NeedsAccount) or says why
// nothing can (NotAvailable), with no hash or plan, and Blocked says so.
func (svc *ExecutionService) PreviewExecution(id uint64) (ExecutionPreviewDTO, error) {
	a := svc.a
	m, err := a.queue.Moves.Move(a.ctx, id)
	if err != nil {
		return ExecutionPreviewDTO{}, err
	}
	dto := toMoveDTO(m, a.clock.Now())
	contact, deal, merging := a.records(m.ContactID, m.DealID, m.Draft.MergeIDs)
	out := ExecutionPreviewDTO{MoveID: id, Kind: dto.Kind, Draft: dto.Draft, DraftEffects: effects(dto, contact, deal, merging)}
	out.Provenance = toProvenance(m)
	out.Summary = out.DraftEffects[0]
	if err := a.queue.Executions.CanExecute(m.Kind); errors.Is(err, backend.ErrNoConnector) {
		out.NotAvailable = backend.ErrorMessage(err)
		return out, nil
	} else if err != nil {
		out.NeedsAccount = backend.ErrorMessage(err)
		return out, nil
	}
	p, err := a.queue.Executions.Preview(a.ctx, id)
	if backend.ErrorCode(err) == backend.EUNAVAILABLE { // a meeting's free/busy needs Calendar reachable
		out.NeedsAccount = backend.ErrorMessage(err)
		return out, nil
	} else if err != nil {
		return ExecutionPreviewDTO{}, err
	}
	out.Action, out.Account, out.Hash = p.Plan.Action, p.Plan.Account, p.Hash
	out.Effects, out.Undo, out.UndoWindowSeconds = p.Plan.Effects, p.Plan.Undo, p.UndoWindow.Seconds()
	out.Refused, out.Plan, out.Holes = toRefusal(p.Refused), p.Plan, toHoleDTOs(p.Holes)
	if p.Hold.Queue {
		out.QueuedUntil, out.QueuedReason = optUTC(p.Hold.NotBefore), p.Hold.Why
	}
	return out, nil
}

// ExecuteMove executes move id as previewed: r.PreviewHash is the Hash of
// the preview shown ("" skips the check, for scripts). Every surface —
// window, browser, CLI, tray, voice — executes through it. Sends come
// back waiting_undo with the deadline; the execution:undo_window event
// says the same to every window.
// A draft that still holds template text is refused (invalid, naming the
// line) unless r.AllowTemplate says the person saw the holes and keeps
// them (recorded in the audit).
func (svc *ExecutionService) ExecuteMove(id uint64, r ExecuteRequestDTO) (ExecutionStatusDTO, error) {
	a := svc.a
	who, err := actor(r.Via)
	if err != nil {
		return ExecutionStatusDTO{}, err
	}
	_, exec, err := a.queue.Executions.Execute(a.ctx, id, backend.ExecuteOptions{Actor: who, PreviewHash: strings.TrimSpace(r.PreviewHash), AllowTemplate: r.AllowTemplate})
	if exec != nil {
		return a.toStatus(exec), err
	}
	return ExecutionStatusDTO{}, err
}

// CancelExecution takes back move id's execution while it waits (the undo
// window, `z`, or the outbox): nothing is sent and the move is pending again.
func (svc *ExecutionService) CancelExecution(id uint64, via string) (ExecutionStatusDTO, error) {
	a := svc.a
	who, err := actor(via)
	if err != nil {
		return ExecutionStatusDTO{}, err
	}
	_, exec, err := a.queue.Executions.Cancel(a.ctx, id, who)
	if err != nil {
		return ExecutionStatusDTO{}, err
	}
	return a.toStatus(exec), nil
}

// Rollback runs the compensating action of move id's committed execution,
// or refuses (ECONFLICT) saying why none exists; an execution that has not
// left yet is cancelled instead (what `caseyos undo ID` calls).
func (svc *ExecutionService) Rollback(id uint64, via string) (ExecutionStatusDTO, error) {
	a := svc.a
	who, err := actor(via)
	if err != nil {
		return ExecutionStatusDTO{}, err
	}
	_, exec, err := a.queue.Executions.Rollback(a.ctx, id, who)
	if err != nil {
		return ExecutionStatusDTO{}, err
	}
	return a.toStatus(exec), nil
}

// ExecutionStatus returns move id's latest execution.
func (svc *ExecutionService) ExecutionStatus(id uint64) (ExecutionStatusDTO, error) {
	a := svc.a
	e, err := a.queue.Executions.Latest(a.ctx, id)
	if err != nil {
		return ExecutionStatusDTO{}, err
	}
	return a.toStatus(e), nil
}

// Outbox lists the executions waiting for their account or send window.
func (svc *ExecutionService) Outbox() ([]ExecutionStatusDTO, error) {
	a := svc.a
	list, err := a.queue.Executions.Outbox(a.ctx)
	if err != nil {
		return nil, err
	}
	out := []ExecutionStatusDTO{}
	for _, e := range list {
		out = append(out, a.toStatus(e))
	}
	return out, nil
}

// RetryOutbox tries the executions held offline now, in order.
func (svc *ExecutionService) RetryOutbox() ([]ExecutionStatusDTO, error) {
	a := svc.a
	if _, err := a.queue.Executions.RetryOutbox(a.ctx); err != nil {
		return nil, err
	}
	return svc.Outbox()
}

// KillSwitch turns the kill switch "on" or "off", or reads it ("status").
// On stops every outgoing action at once, persisted across restarts.
func (svc *ExecutionService) KillSwitch(state, reason, via string) (KillSwitchDTO, error) {
	a := svc.a
	switch strings.ToLower(strings.TrimSpace(state)) {
	case "status", "":
		g, err := a.queue.Guardrails.Get(a.ctx)
		if err != nil {
			return KillSwitchDTO{}, err
		}
		return KillSwitchDTO{On: g.KillSwitch, At: optUTC(g.KillSwitchAt), By: string(g.KillSwitchBy), Reason: g.KillSwitchReason, Cancelled: []uint64{}}, nil
	case "on", "off":
	default:
		return KillSwitchDTO{}, backend.Errorf(backend.EINVALID, "kill switch state %q is not on, off or status", state)
	}
	who, err := actor(via)
	if err != nil {
		return KillSwitchDTO{}, err
	}
	ks, err := a.queue.Guardrails.SetKillSwitch(a.ctx, strings.EqualFold(strings.TrimSpace(state), "on"), who, strings.TrimSpace(reason))
	if err != nil {
		return KillSwitchDTO{}, err
	}
	return KillSwitchDTO{On: ks.On, At: optUTC(ks.At), By: ks.By, Reason: ks.Reason, Cancelled: ks.Cancelled}, nil
}
