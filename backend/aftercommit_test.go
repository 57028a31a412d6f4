package backend

import (
	"context"
	"errors"
	"io"
	"testing"
)

// stubStore runs Update with a fresh transaction each time and fails the
// commit when told to, as a full disk does after fn succeeded.
type stubStore struct{ failCommit bool }

type stubTx struct{ Tx }

func (s *stubStore) View(_ context.Context, fn func(Tx) error) error { return fn(&stubTx{}) }
func (s *stubStore) Update(_ context.Context, fn func(Tx) error) error {
	if err := fn(&stubTx{}); err != nil {
		return err
	}
	if s.failCommit {
		return errors.New("commit: no space left on device")
	}
	return nil
}
func (s *stubStore) Backup(context.Context, io.Writer) (int64, error) { return 0, nil }
func (s *stubStore) Close() error                                     { return nil }

func TestCommitStore_AfterCommit(t *testing.T) {
	stub := &stubStore{}
	c := newCore(stub, NewManualClock(bucketEpoch), nil, nil)
	var ran []string
	update := func(name string, fail error) error {
		return c.store.Update(context.Background(), func(tx Tx) error {
			c.afterCommit(tx, func() { ran = append(ran, name+"#1") })
			c.afterCommit(tx, func() { ran = append(ran, name+"#2") })
			return fail
		})
	}

	t.Run("OK", func(t *testing.T) {
		ran = nil
		if err := update("a", nil); err != nil {
			t.Fatal(err)
		}
		if len(ran) != 2 || ran[0] != "a#1" || ran[1] != "a#2" {
			t.Errorf("after a commit ran %v, want a#1 a#2 in order", ran)
		}
		if err := update("b", nil); err != nil || len(ran) != 4 || ran[2] != "b#1" {
			t.Errorf("the next transaction ran %v (%v), want only its own after a's", ran, err)
		}
	})

	t.Run("RolledBack", func(t *testing.T) {
		ran = nil
		if err := update("a", errors.New("fn failed")); err == nil {
			t.Fatal("Update = nil, want fn's error")
		}
		if err := update("b", nil); err != nil {
			t.Fatal(err)
		}
		if len(ran) != 2 || ran[0] != "b#1" {
			t.Errorf("ran %v, want nothing of the rolled-back transaction", ran)
		}
	})

	t.Run("CommitFailed", func(t *testing.T) {
		ran = nil
		stub.failCommit = true
		defer func() { stub.failCommit = false }()
		if err := update("a", nil); err == nil || len(ran) != 0 {
			t.Errorf("Update = %v, ran %v; want the commit's error and nothing run", err, ran)
		}
		if n := len(c.commits.after); n != 0 {
			t.Errorf("%d transactions' work kept after they ended, want none", n)
		}
	})
}
