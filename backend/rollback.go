package backend

import (
	"context"
	"fmt"
)

// Rollback runs the compensating action of move moveID's committed
// execution (delete the task, cancel the event with notifications, restore
// the deal stage, delete the draft) and marks the move undone. Where no
// compensation exists (a sent email, a merge) it refuses with ECONFLICT
// and says why; the refusal is in the audit log too. An execution still
// in its undo window is cancelled instead, with nothing sent.
func (s *ExecutionService) Rollback(ctx context.Context, moveID uint64, actor Actor) (*Move, *Execution, error) {
	var exec *Execution
	err := s.store.View(ctx, func(tx Tx) error {
		all, err := tx.FindExecutions(moveID)
		if err != nil {
			return err
		}
		for i := len(all) - 1; i >= 0 && exec == nil; i-- {
			if all[i].State.IsOpen() || all[i].State == ExecCommitted {
				exec = all[i]
			}
		}
		if exec == nil {
			if _, err := tx.FindMove(moveID); err != nil {
				return err
			}
			return Errorf(ENOTFOUND, "move %d has no execution to roll back", moveID)
		}
		return nil
	})
	if err != nil {
		return nil, nil, WrapError("rollback", err)
	}
	if exec.State == ExecWaitingUndo || exec.State == ExecQueued {
		return s.Cancel(ctx, moveID, actor)
	}
	if exec.State != ExecCommitted {
		return nil, nil, Errorf(ECONFLICT, "move %d is being carried out right now; roll it back once it finishes", moveID)
	}
	plan, err := DecodePlan(exec.Plan)
	if err != nil {
		return nil, nil, WrapError("rollback", err)
	}
	a, err := s.actionFor(exec.Kind)
	if err != nil {
		return nil, nil, WrapError("rollback", err)
	}
	now := s.clock.Now()
	if cerr := a.Compensate(ctx, plan, exec.RemoteIDs); cerr != nil {
		if ErrorCode(cerr) == ECONFLICT {
			_ = s.store.Update(context.WithoutCancel(ctx), func(tx Tx) error {
				return tx.AppendAudit(&AuditEntry{At: now, Actor: actor, Action: AuditExecRefused, MoveID: moveID,
					Detail: fmt.Sprintf("%s: rollback refused: %s", exec.IdempotencyKey, ErrorMessage(cerr))})
			})
		}
		return nil, exec, WrapError("rollback", cerr)
	}
	var m *Move
	err = s.store.Update(context.WithoutCancel(ctx), func(tx Tx) error {
		var err error
		if exec, err = tx.FindExecution(exec.ID); err != nil {
			return err
		}
		if m, err = tx.FindMove(moveID); err != nil {
			return err
		}
		exec.State, exec.RolledBackAt, exec.UpdatedAt = ExecUndone, now, now
		exec.Result = "rolled back: " + nonEmpty(plan.Undo, "compensated")
		if err := tx.UpdateExecution(exec); err != nil {
			return err
		}
		if err := tx.AppendAudit(&AuditEntry{At: now, Actor: actor, Action: AuditExecRolledBack, MoveID: moveID, APS: m.Score.APS,
			Detail: fmt.Sprintf("%s rolled back (%s); remote %s", exec.IdempotencyKey, plan.Action, remoteString(exec.RemoteIDs))}); err != nil {
			return err
		}
		if err := s.executionEnded(tx, m, exec, OutcomeUndone, exec.Result, now); err != nil {
			return err
		}
		if m.Status == StatusDone {
			return transition(tx, m, StatusUndone, actor, "rolled back", now)
		}
		return nil
	})
	if err != nil {
		return nil, nil, WrapError("rollback", err)
	}
	s.events.Publish(EventQueueChanged, QueueChanged{Reason: "rollback", MoveIDs: []uint64{moveID}})
	s.events.Publish(EventExecutionFinished, ExecutionFinished{ExecutionID: exec.ID, MoveID: moveID, State: string(exec.State), Result: exec.Result})
	return m, exec, nil
}
