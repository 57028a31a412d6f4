package dedupe

import (
	"runtime"
	"sort"
	"sync"
)

// MaxBlock is the largest block whose records are compared pairwise. A
// bigger block (a name as common as "John Smith" with no company, a
// switchboard number) is a key too common to say anything, and comparing
// all its pairs would cost its size squared.
const MaxBlock = 300

// Index holds records by their blocking keys, so that the records a new or
// changed one may duplicate are found without comparing it with every
// other.
//
// Keys are held as 64-bit hashes, and a key only one record has (most of
// them) as a slot without a list: 100,000 contacts file about 700,000
// keys. Two keys that hash alike only make more candidates, which the
// comparison sorts out.
type Index struct {
	opt    Options
	recs   []*prepared // by slot; nil once removed or replaced
	byID   map[string]int32
	single map[uint64]int32   // a key's slot while it has one
	blocks map[uint64][]int32 // a key's slots, ascending, once it has two
	orgs   map[string]int     // org key → live records in it
	live   int
}

// NewIndex returns an empty index.
func NewIndex(o Options) *Index {
	return &Index{opt: o, byID: map[string]int32{}, single: map[uint64]int32{}, blocks: map[uint64][]int32{}, orgs: map[string]int{}}
}

// hashKey is the FNV-1a hash of a blocking key.
func hashKey(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// file puts slot under key h.
func (ix *Index) file(h uint64, slot int32) {
	if b, ok := ix.blocks[h]; ok {
		ix.blocks[h] = append(b, slot)
		return
	}
	if first, ok := ix.single[h]; ok {
		delete(ix.single, h)
		ix.blocks[h] = []int32{first, slot}
		return
	}
	ix.single[h] = slot
}

// members are the slots under key h (a new slice for a single one).
func (ix *Index) members(h uint64) []int32 {
	if b, ok := ix.blocks[h]; ok {
		return b
	}
	if s, ok := ix.single[h]; ok {
		return []int32{s}
	}
	return nil
}

// Records with a name cut short ("Priya R.") whose address spells out a
// full name ("priya.raman@") and records with that full name find each
// other under these keys, looked up one way, so that namesakes are not all
// compared with each other.
const (
	fullNamePrefix = "F:" // a full name run together: priyaraman, ramanpriya
	spelledPrefix  = "S:" // an address that may spell one out
)

// Len is the number of records in the index.
func (ix *Index) Len() int { return ix.live }

// Put adds r, replacing the record with its id.
func (ix *Index) Put(r Record) {
	ix.Remove(r.ID)
	p := prepare(&r, ix.opt.Country)
	slot := int32(len(ix.recs))
	ix.recs = append(ix.recs, &p)
	ix.byID[r.ID] = slot
	ix.live++
	for _, o := range p.org {
		ix.orgs[o]++
	}
	keys := blockKeys(&p)
	p.keys = make([]uint64, 0, len(keys))
	for _, k := range keys {
		h := hashKey(k)
		p.keys = append(p.keys, h)
		ix.file(h, slot)
	}
	if p.fullKey != "" {
		ix.file(hashKey(fullNamePrefix+p.fullKey), slot)
		if p.revKey != p.fullKey {
			ix.file(hashKey(fullNamePrefix+p.revKey), slot)
		}
	}
	if k := spelledKey(&p); k != "" {
		ix.file(hashKey(spelledPrefix+k), slot)
	}
}

// spelledKey is the address of a record whose name is cut short ("Priya
// R.", "Priya") when it looks like a full name run together.
func spelledKey(p *prepared) string {
	short := p.name.First != "" && (p.name.Last == "" || len(p.name.First) == 1 || len(p.name.Last) == 1)
	if b := p.email.Bare; short && len(b) >= 6 && !p.email.Generic && lettersOnly(b) {
		return b
	}
	return ""
}

// nameLinks are the slots the record at p may share a spelled-out name with.
func (ix *Index) nameLinks(p *prepared) [][]int32 {
	var out [][]int32
	if k := spelledKey(p); k != "" {
		out = append(out, ix.members(hashKey(fullNamePrefix+k)))
	}
	if p.fullKey != "" {
		out = append(out, ix.members(hashKey(spelledPrefix+p.fullKey)))
		if p.revKey != p.fullKey {
			out = append(out, ix.members(hashKey(spelledPrefix+p.revKey)))
		}
	}
	return out
}

// Remove drops the record with id, if any. Its block entries stay until
// they are skipped (a removed slot is nil).
func (ix *Index) Remove(id string) {
	if slot, ok := ix.byID[id]; ok {
		for _, o := range ix.recs[slot].org {
			ix.orgs[o]--
		}
		ix.recs[slot] = nil
		delete(ix.byID, id)
		ix.live--
	}
}

// Record returns the record with id, or nil.
func (ix *Index) Record(id string) *Record {
	if slot, ok := ix.byID[id]; ok {
		return ix.recs[slot].rec
	}
	return nil
}

// blockKeys are the keys a record is filed under.
func blockKeys(p *prepared) []string {
	keys := make([]string, 0, 8)
	if p.email.Canonical != "" {
		keys = append(keys, "e:"+p.email.Canonical)
		if len(p.email.Bare) >= 5 && !p.email.Generic {
			keys = append(keys, "l:"+p.email.Bare)
		}
	}
	if p.phone != "" {
		keys = append(keys, "p:"+p.phone)
	}
	var tokens []string // the name's parts, each as a key that survives its variants
	if p.name.First != "" {
		tokens = append(tokens, givenKeys(p.name.First)...)
		if s := soundex(p.firstSkel); s != "" {
			tokens = append(tokens, s) // swapped: a family name in the first place
		}
	}
	if p.name.Last != "" {
		tokens = append(tokens, soundex(p.lastSkel))
		tokens = append(tokens, givenKeys(p.name.Last)...) // swapped
	}
	tokens = uniq(tokens)
	for _, o := range p.org {
		for _, t := range tokens {
			keys = append(keys, "o:"+o+"|"+t)
		}
	}
	return uniq(keys)
}

func lettersOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

func uniq(s []string) []string {
	out := s[:0]
	for i, x := range s {
		dup := false
		for _, y := range s[:i] {
			if x == y {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, x)
		}
	}
	return out
}

// Pair is two records and the verdict on them; A is the one to keep in a
// merge (Survivor).
type Pair struct {
	A, B *Record
	Match
}

// Match returns the records in the index that duplicate the one with id,
// scoring at least minScore (0: the threshold), best first.
func (ix *Index) Match(id string, minScore float64) []Pair {
	slot, ok := ix.byID[id]
	if !ok {
		return nil
	}
	if minScore <= 0 {
		minScore = ix.opt.threshold()
	}
	seen := map[int32]bool{slot: true}
	var out []Pair
	p := ix.recs[slot]
	shared := ix.switchboards(p.phone)
	lists := make([][]int32, 0, len(p.keys)+3)
	for _, k := range p.keys {
		lists = append(lists, ix.blocks[k]) // a single key is p alone
	}
	lists = append(lists, ix.nameLinks(p)...)
	for _, b := range lists {
		if len(b) > MaxBlock {
			continue
		}
		for _, j := range b {
			q := ix.recs[j]
			if seen[j] || q == nil {
				continue
			}
			seen[j] = true
			if m := ix.compare(p, q, shared, minScore); !m.Veto && m.Score >= minScore {
				out = append(out, newPair(p, q, m))
			}
		}
	}
	sortPairs(out)
	return out
}

func newPair(p, q *prepared, m Match) Pair {
	keep, merge := Survivor(p.rec, q.rec)
	return Pair{A: keep, B: merge, Match: m}
}

func sortPairs(ps []Pair) {
	sort.Slice(ps, func(i, j int) bool {
		if ps[i].Score != ps[j].Score {
			return ps[i].Score > ps[j].Score
		}
		if ps[i].A.ID != ps[j].A.ID {
			return ps[i].A.ID < ps[j].A.ID
		}
		return ps[i].B.ID < ps[j].B.ID
	})
}

// Pairs returns every pair of records in the index that scores at least
// minScore (0: the threshold), best first. It compares only records that
// share a block, on every CPU.
func (ix *Index) Pairs(minScore float64) []Pair {
	if minScore <= 0 {
		minScore = ix.opt.threshold()
	}
	shared := ix.switchboards()
	workers := runtime.GOMAXPROCS(0)
	results := make([][]Pair, workers)
	var wg sync.WaitGroup
	n := len(ix.recs)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			stamp := make([]int32, n)
			var out []Pair
			for i := w; i < n; i += workers {
				p := ix.recs[i]
				if p == nil {
					continue
				}
				for _, k := range p.keys {
					b := ix.blocks[k]
					if len(b) > MaxBlock {
						continue
					}
					// Only later slots: each pair is compared once.
					start := sort.Search(len(b), func(x int) bool { return b[x] > int32(i) })
					for _, j := range b[start:] {
						q := ix.recs[j]
						if q == nil || stamp[j] == int32(i)+1 {
							continue
						}
						stamp[j] = int32(i) + 1
						if m := ix.compare(p, q, shared, minScore); !m.Veto && m.Score >= minScore {
							out = append(out, newPair(p, q, m))
						}
					}
				}
				// One way, from the side with the name cut short: the pair
				// may also share a block, so Pairs drops repeats below.
				if k := spelledKey(p); k != "" {
					if b := ix.members(hashKey(fullNamePrefix + k)); len(b) <= MaxBlock {
						for _, j := range b {
							q := ix.recs[j]
							if q == nil || int(j) == i || stamp[j] == int32(i)+1 {
								continue
							}
							stamp[j] = int32(i) + 1
							if m := ix.compare(p, q, shared, minScore); !m.Veto && m.Score >= minScore {
								out = append(out, newPair(p, q, m))
							}
						}
					}
				}
			}
			results[w] = out
		}(w)
	}
	wg.Wait()
	var all []Pair
	seen := map[[2]string]bool{}
	for _, r := range results {
		for _, p := range r {
			k := [2]string{p.A.ID, p.B.ID}
			if k[1] < k[0] {
				k[0], k[1] = k[1], k[0]
			}
			if !seen[k] {
				seen[k] = true
				all = append(all, p)
			}
		}
	}
	sortPairs(all)
	return all
}

// compare is compare with what the index knows: whether the phone the two
// share is a switchboard.
func (ix *Index) compare(p, q *prepared, shared map[string]bool, minScore float64) Match {
	size := 0
	for _, x := range p.org {
		for _, y := range q.org {
			if x == y {
				size = max(size, ix.orgs[x])
			}
		}
	}
	return compare(p, q, p.phone != "" && p.phone == q.phone && shared[p.phone], size, minScore)
}

// switchboards returns the phones given by people with different family
// names: a company's main line, not a person's, so sharing it says little.
// With only, it looks at those phones.
func (ix *Index) switchboards(only ...string) map[string]bool {
	out := map[string]bool{}
	check := func(phone string, b []int32) {
		last := ""
		for _, j := range b {
			q := ix.recs[j]
			if q == nil || q.name.Last == "" || len(q.name.Last) == 1 {
				continue
			}
			if last == "" {
				last = q.lastSkel
				continue
			}
			if q.lastSkel != last && Levenshtein(q.lastSkel, last, 2) > 2 {
				out[phone] = true
				return
			}
		}
	}
	if len(only) > 0 {
		for _, ph := range only {
			if ph != "" {
				check(ph, ix.blocks[hashKey("p:"+ph)])
			}
		}
		return out
	}
	done := map[string]bool{}
	for _, p := range ix.recs {
		if p == nil || p.phone == "" || done[p.phone] {
			continue
		}
		done[p.phone] = true
		if b := ix.blocks[hashKey("p:"+p.phone)]; len(b) > 1 {
			check(p.phone, b)
		}
	}
	return out
}
