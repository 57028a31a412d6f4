package backend

import (
	"context"
	"fmt"
	"strings"
)

// accountFor names the account a move kind needs and how to connect it, for
// the "unavailable" error when no executor handles the kind.
var accountFor = map[MoveKind][2]string{
	KindSendEmail:       {"Gmail", "caseyos connect google"},
	KindScheduleMeeting: {"Google Calendar", "caseyos connect google"},
	KindCreateTask:      {"HubSpot", "caseyos connect hubspot"},
	KindUpdateDeal:      {"HubSpot", "caseyos connect hubspot"},
	KindMergeContacts:   {"HubSpot", "caseyos connect hubspot"},
	KindReplySocial:     {"X", "caseyos connect x"},
}

// verbFor says in words what a move kind does.
var verbFor = map[MoveKind]string{
	KindSendEmail: "sending email", KindScheduleMeeting: "scheduling a meeting", KindCreateTask: "creating a task",
	KindUpdateDeal: "updating a deal", KindMergeContacts: "merging contacts", KindReplySocial: "replying on X",
	KindNote: "saving a note",
}

func (q *Queue) executorFor(kind MoveKind) (Executor, error) {
	for _, e := range q.executors {
		if e.Supports(kind) {
			return e, nil
		}
	}
	if acct, ok := accountFor[kind]; ok {
		return nil, Errorf(EUNAVAILABLE, "%s needs a connected %s account: run `%s`", capitalize(verbFor[kind]), acct[0], acct[1])
	}
	return nil, Errorf(EUNAVAILABLE, "nothing can carry out %s moves", kind)
}

// CanExecute reports whether a connected account can carry out moves of
// kind; the error (EUNAVAILABLE) names the account to connect.
func (q *Queue) CanExecute(kind MoveKind) error {
	_, err := q.executorFor(kind)
	return err
}

// Execute carries out a move now. The execution record is written (with its
// idempotency key) and the move set executing before the executor is
// called, so a crash mid-way leaves a record to reconcile rather than a
// silent double. When no connected account can carry out the kind, the move
// is left untouched and the error, code EUNAVAILABLE, names the account.
func (q *Queue) Execute(ctx context.Context, id uint64, actor Actor) (*Move, *Execution, error) {
	var (
		m    *Move
		exec *Execution
	)
	now := q.clock.Now()
	err := q.store.Update(ctx, func(tx Tx) error {
		var err error
		if m, err = tx.FindMove(id); err != nil {
			return err
		}
		if !CanTransition(m.Status, StatusExecuting) {
			return Errorf(ECONFLICT, "move %d is %s; it cannot be executed", m.ID, m.Status)
		}
		if _, err := q.executorFor(m.Kind); err != nil {
			return err
		}
		prior, err := tx.FindExecutions(m.ID)
		if err != nil {
			return err
		}
		exec = &Execution{
			MoveID: m.ID, IdempotencyKey: fmt.Sprintf("move-%d-attempt-%d", m.ID, len(prior)+1),
			State: ExecPlanned, Kind: m.Kind, Actor: actor, Draft: m.Draft, CreatedAt: now, UpdatedAt: now,
		}
		if err := tx.CreateExecution(exec); err != nil {
			return err
		}
		return transition(tx, m, StatusExecuting, actor, "execution "+exec.IdempotencyKey, now)
	})
	if err != nil {
		return nil, nil, WrapError("execute", err)
	}
	ex, _ := q.executorFor(m.Kind)
	res, runErr := ex.Execute(ctx, m, exec)
	done := q.clock.Now()
	err = q.store.Update(context.WithoutCancel(ctx), func(tx Tx) error {
		var err error
		if m, err = tx.FindMove(id); err != nil {
			return err
		}
		exec.UpdatedAt = done
		to, detail := StatusDone, res.Summary
		if runErr != nil {
			exec.State, exec.Error = ExecFailed, ErrorMessage(runErr)
			m.LastError = ErrorMessage(runErr)
			to, detail = StatusFailed, "failed: "+ErrorMessage(runErr)
		} else {
			exec.State, exec.RemoteIDs, exec.Result, exec.CommittedAt = ExecCommitted, res.RemoteIDs, res.Summary, done
			m.LastError = ""
		}
		if err := tx.UpdateExecution(exec); err != nil {
			return err
		}
		if err := tx.AppendAudit(&AuditEntry{At: done, Actor: actor, Action: AuditExecution, MoveID: m.ID,
			Detail: fmt.Sprintf("%s %s: %s", exec.IdempotencyKey, exec.State, nonEmpty(exec.Result, exec.Error)), APS: m.Score.APS, Reasons: m.Reasons}); err != nil {
			return err
		}
		return transition(tx, m, to, actor, detail, done)
	})
	if err != nil {
		return nil, nil, WrapError("execute", err)
	}
	q.events.Publish(EventQueueChanged, QueueChanged{Reason: "execute", MoveIDs: []uint64{id}})
	if runErr != nil {
		return m, exec, WrapError("execute", runErr)
	}
	return m, exec, nil
}

// LocalExecutor carries out the moves that need no outside account: notes.
// The note's text is the draft, kept in the execution record.
type LocalExecutor struct{}

// Supports reports true for notes.
func (LocalExecutor) Supports(kind MoveKind) bool { return kind == KindNote }

// Execute records the note.
func (LocalExecutor) Execute(_ context.Context, m *Move, _ *Execution) (ExecutionResult, error) {
	if strings.TrimSpace(m.Draft.Body) == "" && strings.TrimSpace(m.Draft.Subject) == "" {
		return ExecutionResult{}, Errorf(EINVALID, "the note is empty")
	}
	return ExecutionResult{Summary: "note saved: " + nonEmpty(m.Draft.Subject, truncate(m.Draft.Body, 60))}, nil
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
