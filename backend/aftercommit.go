package backend

import (
	"context"
	"sync"
)

// Work that may start only once a transaction's writes are visible. A
// follow-up move is proposed inside the transaction that records an
// outcome or runs a refresh (an ingest's no_response sweep, Refresh,
// FollowUps.Pass, an outcome recorded by hand); the draft worker that
// upgrades it reads it in a transaction of its own, which before the
// commit would not find it. So the move asks, in its transaction, for
// the worker to be told once the transaction has committed
// (core.afterCommit), and the core's store runs what was asked after each
// Update that committed and drops it after one that did not.

// commitStore is the core's Store: the store it was given, with the
// after-commit functions of each write transaction.
type commitStore struct {
	Store
	mu    sync.Mutex
	after map[Tx][]func()
}

// Update runs fn as the store does and, when it committed, what fn asked
// to run after the commit, in order.
func (s *commitStore) Update(ctx context.Context, fn func(Tx) error) error {
	var in Tx
	err := s.Store.Update(ctx, func(tx Tx) error {
		in = tx
		return fn(tx)
	})
	if in == nil {
		return err
	}
	s.mu.Lock()
	after := s.after[in]
	delete(s.after, in)
	s.mu.Unlock()
	if err == nil {
		for _, f := range after {
			f()
		}
	}
	return err
}

// afterCommit runs f once tx, a write transaction of the core's store,
// has committed; never when it rolls back.
func (c *core) afterCommit(tx Tx, f func()) {
	s := c.commits
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.after == nil {
		s.after = map[Tx][]func(){}
	}
	s.after[tx] = append(s.after[tx], f)
}
