package store

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// checkIndexes recomputes every index and count from the records and
// reports each difference from what is stored. It reads the whole file.
func checkIndexes(btx *bolt.Tx) error {
	want := map[string]map[string]string{}
	add := func(es []entry) {
		for _, e := range es {
			m := want[string(e.bucket)]
			if m == nil {
				m = map[string]string{}
				want[string(e.bucket)] = m
			}
			m[string(e.key)] = string(e.value)
		}
	}
	counts := map[string]string{}
	each := func(bucket []byte, fn func(k, v []byte) error) error {
		return btx.Bucket(bucket).ForEach(fn)
	}
	err := errors.Join(
		each(bSignals, func(k, v []byte) error {
			var r signalRecord
			if err := decode(bSignals, k, v, &r); err != nil {
				return err
			}
			id, _ := decodeU64(k)
			add(signalEntries(id, fromSignalRecord(id, &r)))
			return nil
		}),
		each(bMoves, func(k, v []byte) error {
			var r moveRecord
			if err := decode(bMoves, k, v, &r); err != nil {
				return err
			}
			id, _ := decodeU64(k)
			m := fromMoveRecord(id, &r)
			add(moveEntries(m))
			ck := string(countKey(m.Status, m.Domain))
			n, _ := decodeU64([]byte(counts[ck]))
			counts[ck] = string(u64(n + 1))
			return nil
		}),
		each(bExecutions, func(k, v []byte) error {
			var r executionRecord
			if err := decode(bExecutions, k, v, &r); err != nil {
				return err
			}
			id, _ := decodeU64(k)
			add(executionEntries(fromExecutionRecord(id, &r)))
			return nil
		}),
		each(bOutcomes, func(k, v []byte) error {
			var r outcomeRecord
			if err := decode(bOutcomes, k, v, &r); err != nil {
				return err
			}
			id, _ := decodeU64(k)
			add(outcomeEntries(fromOutcomeRecord(id, &r)))
			return nil
		}),
		each(bContacts, func(k, v []byte) error {
			var r contactRecord
			if err := decode(bContacts, k, v, &r); err != nil {
				return err
			}
			add(contactEntries(fromContactRecord(&r)))
			return nil
		}),
		each(bDeals, func(k, v []byte) error {
			var r dealRecord
			if err := decode(bDeals, k, v, &r); err != nil {
				return err
			}
			add(dealEntries(fromDealRecord(&r)))
			return nil
		}),
		each(bAudit, func(k, v []byte) error {
			var r auditRecord
			if err := decode(bAudit, k, v, &r); err != nil {
				return err
			}
			seq, _ := decodeU64(k)
			add(auditEntries(fromAuditRecord(seq, &r)))
			return nil
		}),
	)
	if err != nil {
		return err
	}
	want[string(bMoveCounts)] = counts
	var problems []string
	for _, name := range [][]byte{
		bSignalsByDedupe, bSignalsByTime,
		bMovesByStatusScore, bMovesOpen, bMovesByRescore, bMovesByExpiry, bMovesBySnooze, bMoveCounts,
		bExecutionsByKey, bExecutionsByMove, bExecutionsByState, bOutcomesByMove,
		bContactsByEmail, bDealsByActivity, bAuditByMove,
	} {
		w := want[string(name)]
		seen := map[string]bool{}
		_ = btx.Bucket(name).ForEach(func(k, v []byte) error {
			seen[string(k)] = true
			if wv, ok := w[string(k)]; !ok {
				problems = append(problems, fmt.Sprintf("%s: extra key %s", name, keyString(k)))
			} else if !bytes.Equal([]byte(wv), v) {
				problems = append(problems, fmt.Sprintf("%s: key %s has %q, want %q", name, keyString(k), v, wv))
			}
			return nil
		})
		for k := range w {
			if !seen[k] {
				problems = append(problems, fmt.Sprintf("%s: missing key %s", name, keyString([]byte(k))))
			}
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return fmt.Errorf("indexes disagree with records:\n%s", strings.Join(problems, "\n"))
	}
	return nil
}
