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
	err := errors.Join(
		eachRecord(btx, bSignals, func(k []byte, r *signalRecord) bool {
			id, _ := decodeU64(k)
			add(signalEntries(id, fromSignalRecord(id, r)))
			return true
		}),
		eachRecord(btx, bMoves, func(k []byte, r *moveRecord) bool {
			id, _ := decodeU64(k)
			m := fromMoveRecord(id, r)
			add(moveEntries(m))
			ck := string(countKey(m.Status, m.Domain))
			n, _ := decodeU64([]byte(counts[ck]))
			counts[ck] = string(u64(n + 1))
			return true
		}),
		eachRecord(btx, bExecutions, func(k []byte, r *executionRecord) bool {
			id, _ := decodeU64(k)
			add(executionEntries(fromExecutionRecord(id, r)))
			return true
		}),
		eachRecord(btx, bOutcomes, func(k []byte, r *outcomeRecord) bool {
			id, _ := decodeU64(k)
			add(outcomeEntries(fromOutcomeRecord(id, r)))
			return true
		}),
		eachRecord(btx, bOutcomeWatches, func(k []byte, r *watchRecord) bool {
			id, _ := decodeU64(k)
			add(watchEntries(fromWatchRecord(id, r)))
			return true
		}),
		eachRecord(btx, bSequences, func(k []byte, r *sequenceRecord) bool {
			id, _ := decodeU64(k)
			add(sequenceEntries(fromSequenceRecord(id, r)))
			return true
		}),
		eachRecord(btx, bContacts, func(_ []byte, r *contactRecord) bool {
			add(contactEntries(fromContactRecord(r)))
			return true
		}),
		eachRecord(btx, bDeals, func(_ []byte, r *dealRecord) bool {
			add(dealEntries(fromDealRecord(r)))
			return true
		}),
		eachRecord(btx, bAudit, func(k []byte, r *auditRecord) bool {
			seq, _ := decodeU64(k)
			add(auditEntries(fromAuditRecord(seq, r)))
			return true
		}),
	)
	if err != nil {
		return err
	}
	want[string(bMoveCounts)] = counts
	var problems []string
	for _, name := range [][]byte{
		bSignalsByDedupe, bSignalsByTime,
		bMovesByStatusScore, bMovesOpen, bMovesByRescore, bMovesByExpiry, bMovesBySnooze, bMovesByCell, bMoveCounts,
		bExecutionsByKey, bExecutionsByMove, bExecutionsByState, bOutcomesByMove, bOutcomeLinks, bOutcomeDue,
		bSequencesByMove, bSequencesByLink, bSequencesDue,
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
