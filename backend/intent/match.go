package intent

import (
	"regexp"
	"slices"
	"strings"
)

// A matcher is a pattern with the literals every match of it contains.
// All matchers share one Aho–Corasick automaton over those literals:
// one pass over an email's lower-cased text tells which patterns can
// match at all (scan), so that only those run. When the literals are what
// every match starts with (prefix), scan also says where: the pattern is
// then only tried there, anchored, which is far cheaper than searching.
type matcher struct {
	re   *regexp.Regexp
	keys []string // nil: always run
	id   int
	// prefix: every match starts with one of keys; anchored is re
	// anchored at the start of the text, boundary whether re starts with
	// \b.
	prefix   bool
	anchored *regexp.Regexp
	boundary bool
	// span is the most bytes a match can span (capped): the anchored
	// pattern reads no further, plus one byte for a closing \b.
	span int
}

var matchers []*matcher

// pattern compiles a pattern into a matcher; ' in it also matches the
// typographic apostrophe. It is matched against lower-cased text (see
// lower) unless the rule is cased, so it is written in lower case.
func pattern(p string) *matcher {
	p = strings.ReplaceAll(p, "'", "['’]")
	m := &matcher{re: regexp.MustCompile(p), id: len(matchers)}
	if pre := prefixLiterals(p); pre != nil {
		m.keys, m.prefix = pre, true
		m.anchored = regexp.MustCompile(`^(?:` + p + `)`)
		m.boundary = strings.HasPrefix(p, `\b`)
		m.span = maxMatchLen(p, 256)
	} else {
		m.keys, _ = requiredLiterals(p)
	}
	matchers = append(matchers, m)
	return m
}

// guard registers a compiled pattern so that scan tells whether it can
// match.
func guard(re *regexp.Regexp) *matcher {
	m := &matcher{re: re, id: len(matchers)}
	src := re.String()
	if pre := prefixLiterals(src); pre != nil {
		m.keys, m.prefix = pre, true
		m.anchored = regexp.MustCompile(`^(?:` + src + `)`)
		m.boundary = strings.HasPrefix(strings.TrimPrefix(src, "(?i)"), `\b`)
		m.span = maxMatchLen(src, 256)
	} else {
		m.keys, _ = requiredLiterals(src)
	}
	matchers = append(matchers, m)
	return m
}

// findAll is m.re.FindAllStringSubmatchIndex(text, n) for the text scan
// read into p, trying a prefix matcher only where its keys start.
func (p present) findAll(m *matcher, text string, n int) [][]int {
	if !p.may(m) {
		return nil
	}
	if !m.prefix || len(p.hits) == maxHits {
		return m.re.FindAllStringSubmatchIndex(text, n)
	}
	var starts []int
	for _, h := range p.hits {
		if int(h.id) == m.id {
			starts = append(starts, int(h.start))
		}
	}
	slices.Sort(starts)
	var out [][]int
	end := 0
	for i, start := range starts {
		if start < end || i > 0 && start == starts[i-1] {
			continue
		}
		if m.boundary && start > 0 && isWordByte(text[start-1]) && isWordByte(text[start]) {
			continue
		}
		r := m.anchored.FindStringSubmatchIndex(text[start:min(len(text), start+m.span+1)])
		if r == nil {
			continue
		}
		for j := range r {
			if r[j] >= 0 {
				r[j] += start
			}
		}
		out = append(out, r)
		end = max(r[1], start+1)
		if len(out) == n {
			break
		}
	}
	return out
}

// lower lower-cases the ASCII letters of s and nothing else, so that
// offsets in it are offsets in s.
func lower(s string) string {
	i := strings.IndexFunc(s, func(r rune) bool { return r >= 'A' && r <= 'Z' })
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for i < len(s) {
		b.WriteByte(s[i] + 'a' - 'A')
		i++
		j := i
		for j < len(s) && (s[j] < 'A' || s[j] > 'Z') {
			j++
		}
		b.WriteString(s[i:j])
		i = j
	}
	return b.String()
}

// present is what scan found in a text: the set of matchers that may
// match it, and where the keys of prefix matchers occur.
type present struct {
	set  []uint64
	hits []keyHit
}

// keyHit is an occurrence of a prefix matcher's key: text[start:end].
type keyHit struct {
	id         int32
	start, end int32
}

func (p present) may(m *matcher) bool {
	return m.keys == nil || p.set[m.id/64]&(1<<(m.id%64)) != 0
}

// maxHits bounds the key occurrences scan keeps.
const maxHits = 512

// find returns the first match of a prefix matcher in text (scanned into
// p) that starts at or after from, text[start:end], found false when there
// is none, trying the pattern only where one of its keys starts; ok is
// false when scan kept too few hits to know (then the caller searches).
func (p present) find(m *matcher, text string, from int) (start, end int, found, ok bool) {
	if len(p.hits) == maxHits {
		return 0, 0, false, false
	}
	for _, h := range p.hits {
		at := int(h.start)
		if int(h.id) != m.id || at < from || found && at >= start {
			continue
		}
		// Anchored, the text before start is gone: \b there must be
		// checked by hand (both sides word bytes: no boundary).
		if m.boundary && at > 0 && isWordByte(text[at-1]) && isWordByte(text[at]) {
			continue
		}
		if r := m.anchored.FindStringIndex(text[at:min(len(text), at+m.span+1)]); r != nil {
			start, end, found = at, at+r[1], true
		}
	}
	return start, end, found, true
}

// starts returns where a prefix matcher's keys occur, in order; nil when
// scan kept too few hits to know, or m is not a prefix matcher.
func (p present) starts(m *matcher) []keyHit {
	if !m.prefix || len(p.hits) == maxHits {
		return nil
	}
	out := []keyHit{}
	for _, h := range p.hits {
		if int(h.id) == m.id {
			out = append(out, h)
		}
	}
	slices.SortFunc(out, func(a, b keyHit) int { return int(a.start - b.start) })
	return out
}

func isWordByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

// The automaton: a trie of every key, with failure links.
type acNode struct {
	next []acEdge
	fail int32
	out  []acOut // the keys that end here (with those of the fail chain)
}

type acOut struct {
	id, n int32 // the matcher, the key's length
}

type acEdge struct {
	b    byte
	node int32
}

var (
	automaton []acNode
	// root is the root's transitions as a table: most bytes of a text
	// leave the automaton at the root.
	root [256]int32
)

func (n *acNode) child(b byte) int32 {
	for _, e := range n.next {
		if e.b == b {
			return e.node
		}
	}
	return -1
}

func buildAutomaton() {
	automaton = []acNode{{}}
	for _, m := range matchers {
		for _, k := range m.keys {
			cur := int32(0)
			for i := 0; i < len(k); i++ {
				nx := automaton[cur].child(k[i])
				if nx < 0 {
					automaton = append(automaton, acNode{})
					nx = int32(len(automaton) - 1)
					automaton[cur].next = append(automaton[cur].next, acEdge{k[i], nx})
				}
				cur = nx
			}
			automaton[cur].out = appendOut(automaton[cur].out, acOut{int32(m.id), int32(len(k))})
		}
	}
	// Breadth first: each node's failure link is the longest proper
	// suffix of its path that is in the trie.
	queue := []int32{}
	for _, e := range automaton[0].next {
		automaton[e.node].fail = 0
		queue = append(queue, e.node)
	}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		for _, e := range automaton[u].next {
			f := automaton[u].fail
			for f != 0 && automaton[f].child(e.b) < 0 {
				f = automaton[f].fail
			}
			if c := automaton[f].child(e.b); c >= 0 && c != e.node {
				automaton[e.node].fail = c
			} else {
				automaton[e.node].fail = 0
			}
			for _, o := range automaton[automaton[e.node].fail].out {
				automaton[e.node].out = appendOut(automaton[e.node].out, o)
			}
			queue = append(queue, e.node)
		}
	}
}

func appendOut(s []acOut, o acOut) []acOut {
	for _, x := range s {
		if x == o {
			return s
		}
	}
	return append(s, o)
}

// scan returns the matchers whose keys occur in lower, and where the
// keys of prefix ones are.
func scan(lower string) present {
	var p present
	scanInto(&p, lower)
	return p
}

// scanInto is scan reusing p's buffers.
func scanInto(p *present, lower string) {
	if n := (len(matchers) + 63) / 64; len(p.set) != n {
		p.set = make([]uint64, n)
	} else {
		clear(p.set)
	}
	if p.hits == nil {
		p.hits = make([]keyHit, 0, 32)
	}
	p.hits = p.hits[:0]
	emit := func(cur int32, i int) {
		for _, o := range automaton[cur].out {
			p.set[o.id/64] |= 1 << (o.id % 64)
			if matchers[o.id].prefix && len(p.hits) < maxHits {
				p.hits = append(p.hits, keyHit{o.id, int32(i) + 1 - o.n, int32(i) + 1})
			}
		}
	}
	cur := int32(0)
	for i := 0; i < len(lower); i++ {
		b := lower[i]
		if cur == 0 {
			if cur = root[b]; cur < 0 {
				cur = 0
				continue
			}
			emit(cur, i)
			continue
		}
		for {
			if c := automaton[cur].child(b); c >= 0 {
				cur = c
				break
			}
			if cur == 0 {
				break
			}
			cur = automaton[cur].fail
		}
		emit(cur, i)
	}
}

func init() {
	buildAutomaton()
	for b := range root {
		root[b] = automaton[0].child(byte(b))
	}
}
