package store

import (
	"bytes"
	"slices"

	"github.com/caseyos/caseyos/backend"
)

// executionEntries lists the index entries of a stored execution.
func executionEntries(e *backend.Execution) []entry {
	return []entry{
		{bExecutionsByKey, []byte(e.IdempotencyKey), u64(e.ID)},
		{bExecutionsByMove, idIDKey(e.MoveID, e.ID), nil},
		{bExecutionsByState, join([]byte(e.State), sep, u64(e.ID)), nil},
	}
}

// CreateExecution validates e, refuses an idempotency key that is already
// stored (ECONFLICT) or a move that is not (ENOTFOUND), stamps zero
// CreatedAt and UpdatedAt with the clock and assigns e.ID.
func (t *tx) CreateExecution(e *backend.Execution) error {
	const op = "store.CreateExecution"
	if e == nil {
		return invalid(op, "execution is empty")
	}
	if err := e.Validate(); err != nil {
		return err
	}
	if v := t.get(bExecutionsByKey, []byte(e.IdempotencyKey)); v != nil {
		id, _ := decodeU64(v)
		return conflict(op, "execution %d already has idempotency key %q", id, e.IdempotencyKey)
	}
	if t.get(bMoves, u64(e.MoveID)) == nil {
		return notFound(op, "move %d not found", e.MoveID)
	}
	if e.State.IsOpen() {
		if open, err := t.openExecution(op, e.MoveID, 0); err != nil {
			return err
		} else if open != nil {
			return conflict(op, "move %d is already being executed (execution %d is %s)", e.MoveID, open.ID, open.State)
		}
	}
	stored := *e
	if stored.CreatedAt.IsZero() {
		stored.CreatedAt = t.now()
	}
	if stored.UpdatedAt.IsZero() {
		stored.UpdatedAt = stored.CreatedAt
	}
	v, err := encode(op, "execution "+e.IdempotencyKey, toExecutionRecord(&stored))
	if err != nil {
		return err
	}
	id, err := t.insertRecord(op, bExecutions, v, func(id uint64) []entry {
		stored.ID = id
		return executionEntries(&stored)
	})
	if err != nil {
		return err
	}
	e.ID, e.CreatedAt, e.UpdatedAt = id, stored.CreatedAt, stored.UpdatedAt
	return nil
}

// UpdateExecution replaces stored execution e.ID with e (ENOTFOUND when
// missing) and moves its index entries. It does not stamp UpdatedAt.
func (t *tx) UpdateExecution(e *backend.Execution) error {
	const op = "store.UpdateExecution"
	if e == nil {
		return invalid(op, "execution is empty")
	}
	old, err := t.execution(op, e.ID)
	if err != nil {
		return err
	}
	if err := e.Validate(); err != nil {
		return err
	}
	if e.IdempotencyKey != old.IdempotencyKey && t.get(bExecutionsByKey, []byte(e.IdempotencyKey)) != nil {
		return conflict(op, "another execution already has idempotency key %q", e.IdempotencyKey)
	}
	if e.MoveID != old.MoveID && t.get(bMoves, u64(e.MoveID)) == nil {
		return notFound(op, "move %d not found", e.MoveID)
	}
	if e.State.IsOpen() && !old.State.IsOpen() {
		if open, err := t.openExecution(op, e.MoveID, e.ID); err != nil {
			return err
		} else if open != nil {
			return conflict(op, "move %d is already being executed (execution %d is %s)", e.MoveID, open.ID, open.State)
		}
	}
	v, err := encode(op, "execution "+e.IdempotencyKey, toExecutionRecord(e))
	if err != nil {
		return err
	}
	if err := deleteEntries(t.bt, executionEntries(old)); err != nil {
		return internal(op, err)
	}
	if err := t.bucket(bExecutions).Put(u64(e.ID), v); err != nil {
		return internal(op, err)
	}
	if err := putEntries(t.bt, executionEntries(e)); err != nil {
		return internal(op, err)
	}
	return nil
}

// FindExecution returns execution id, or ENOTFOUND.
func (t *tx) FindExecution(id uint64) (*backend.Execution, error) {
	return t.execution("store.FindExecution", id)
}

func (t *tx) execution(op string, id uint64) (*backend.Execution, error) {
	return getRecord(t, op, bExecutions, u64(id),
		func(r *executionRecord) *backend.Execution { return fromExecutionRecord(id, r) },
		func() error { return notFound(op, "execution %d not found", id) })
}

func (t *tx) executions(op string, ids []uint64) ([]*backend.Execution, error) {
	return getRecords(ids, func(id uint64) (*backend.Execution, error) { return t.execution(op, id) })
}

// ExecutionByKey returns the execution with idempotency key, or ENOTFOUND.
func (t *tx) ExecutionByKey(key string) (*backend.Execution, error) {
	const op = "store.ExecutionByKey"
	if key == "" {
		return nil, notFound(op, "no execution has an empty idempotency key")
	}
	v := t.get(bExecutionsByKey, []byte(key))
	if v == nil {
		return nil, notFound(op, "no execution with idempotency key %q", key)
	}
	id, ok := decodeU64(v)
	if !ok {
		return nil, backend.WrapError(op, corrupt(bExecutionsByKey, []byte(key), errBadID))
	}
	return t.execution(op, id)
}

// FindExecutions returns a move's executions, oldest first.
func (t *tx) FindExecutions(moveID uint64) ([]*backend.Execution, error) {
	const op = "store.FindExecutions"
	ids, err := childIDs(t.cursor(bExecutionsByMove), bExecutionsByMove, moveID)
	if err != nil {
		return nil, backend.WrapError(op, err)
	}
	return t.executions(op, ids)
}

// ExecutionsInState returns the executions in any of states, oldest first.
func (t *tx) ExecutionsInState(states ...backend.ExecutionState) ([]*backend.Execution, error) {
	const op = "store.ExecutionsInState"
	var ids []uint64
	c := t.bucket(bExecutionsByState).Cursor()
	for _, s := range slices.Compact(slices.Sorted(slices.Values(states))) {
		prefix := join([]byte(s), sep)
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			id, ok := decodeU64(k[len(prefix):])
			if !ok {
				return nil, backend.WrapError(op, corrupt(bExecutionsByState, k, errBadKey))
			}
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return t.executions(op, ids)
}

// openExecution returns the move's execution in an open state other than
// except, or nil. A move has few executions, so reading them is cheap;
// keeping the rule here, under the write lock, is what makes two windows
// executing the same move end with one execution.
func (t *tx) openExecution(op string, moveID, except uint64) (*backend.Execution, error) {
	ids, err := childIDs(t.cursor(bExecutionsByMove), bExecutionsByMove, moveID)
	if err != nil {
		return nil, backend.WrapError(op, err)
	}
	for _, id := range ids {
		if id == except {
			continue
		}
		e, err := t.execution(op, id)
		if err != nil {
			return nil, err
		}
		if e.State.IsOpen() {
			return e, nil
		}
	}
	return nil, nil
}
