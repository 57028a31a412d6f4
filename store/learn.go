package store

import (
	bolt "go.etcd.io/bbolt"

	"github.com/caseyos/caseyos/backend"
)

// cellKey is cell 0x00 | id, the key of moves_by_cell.
func cellKey(cell string, id uint64) []byte {
	return join([]byte(cell), sep, u64(id))
}

// FindLearnCell returns the learning cell named key, or ENOTFOUND.
func (t *tx) FindLearnCell(key string) (*backend.LearnCell, error) {
	const op = "store.FindLearnCell"
	return getRecord(t, op, bLearnCells, []byte(key),
		func(r *learnCellRecord) *backend.LearnCell { return fromLearnCellRecord(key, r) },
		func() error { return notFound(op, "no learning cell %q", key) })
}

// PutLearnCell stores c under its key.
func (t *tx) PutLearnCell(c *backend.LearnCell) error {
	const op = "store.PutLearnCell"
	if c == nil || c.Key == "" {
		return invalid(op, "learning cell needs a key")
	}
	v, err := encode(op, "learning cell "+c.Key, toLearnCellRecord(c))
	if err != nil {
		return err
	}
	return internal(op, t.bucket(bLearnCells).Put([]byte(c.Key), v))
}

// DeleteLearnCells forgets every learning cell.
func (t *tx) DeleteLearnCells() error {
	const op = "store.DeleteLearnCells"
	delete(t.cursors, string(bLearnCells)) // its bucket is about to be replaced
	if err := t.bt.DeleteBucket(bLearnCells); err != nil && err != bolt.ErrBucketNotFound {
		return internal(op, err)
	}
	_, err := t.bt.CreateBucket(bLearnCells)
	return internal(op, err)
}

// LearnState returns the stored learning state, or a zero one.
func (t *tx) LearnState() (*backend.LearnState, error) {
	return getMeta(t, "store.LearnState", kLearnState,
		func(r *learnStateRecord) *backend.LearnState {
			return &backend.LearnState{Epoch: r.Epoch, Indexed: r.Indexed}
		},
		func() *backend.LearnState { return &backend.LearnState{} })
}

// PutLearnState stores s.
func (t *tx) PutLearnState(s *backend.LearnState) error {
	const op = "store.PutLearnState"
	if s == nil {
		return invalid(op, "learning state is empty")
	}
	v, err := encode(op, "learning state", learnStateRecord{Epoch: utc(s.Epoch), Indexed: s.Indexed})
	if err != nil {
		return err
	}
	return internal(op, t.bucket(bMeta).Put(kLearnState, v))
}

// OpenMovesInCell returns the open moves scored in learning cell key, by id.
func (t *tx) OpenMovesInCell(key string) ([]*backend.Move, error) {
	const op = "store.OpenMovesInCell"
	prefix := join([]byte(key), sep)
	var ids []uint64
	c := t.bucket(bMovesByCell).Cursor()
	for k, _ := c.Seek(prefix); k != nil && len(k) == len(prefix)+8 && string(k[:len(prefix)]) == string(prefix); k, _ = c.Next() {
		id, _ := decodeU64(k[len(prefix):])
		ids = append(ids, id)
	}
	return t.moves(op, ids)
}

// EachOutcomeForLearning calls fn with every outcome in id order until fn
// returns an error, which it returns.
func (t *tx) EachOutcomeForLearning(fn func(*backend.Outcome) error) error {
	var ferr error
	err := eachRecord(t.bt, bOutcomes, func(k []byte, r *outcomeRecord) bool {
		id, _ := decodeU64(k)
		ferr = fn(fromOutcomeRecord(id, r))
		return ferr == nil
	})
	if err != nil {
		return backend.WrapError("store.EachOutcomeForLearning", err)
	}
	return ferr
}
