package intent

import (
	"regexp"
	"strings"
)

// A matcher is a pattern with the literals every match of it contains.
// All matchers share one Aho–Corasick automaton over those literals:
// one pass over an email's lower-cased text tells which patterns can
// match at all (scan), so that only those run.
type matcher struct {
	re   *regexp.Regexp
	keys []string // nil: always run
	id   int
}

var matchers []*matcher

// pattern compiles a pattern into a matcher; ' in it also matches the
// typographic apostrophe. Unless cased, it is matched against lower-cased
// text (lower), so it is written in lower case.
func pattern(p string) *matcher {
	p = strings.ReplaceAll(p, "'", "['’]")
	m := &matcher{re: regexp.MustCompile(p), keys: requiredLiterals(p), id: len(matchers)}
	matchers = append(matchers, m)
	return m
}

// guard registers a compiled pattern so that scan tells whether it can
// match.
func guard(re *regexp.Regexp) *matcher {
	m := &matcher{re: re, keys: requiredLiterals(re.String()), id: len(matchers)}
	matchers = append(matchers, m)
	return m
}

// lower lower-cases the ASCII letters of s and nothing else, so that
// offsets in it are offsets in s.
func lower(s string) string {
	i := strings.IndexFunc(s, func(r rune) bool { return r >= 'A' && r <= 'Z' })
	if i < 0 {
		return s
	}
	b := []byte(s)
	for ; i < len(b); i++ {
		if c := b[i]; c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// present is the set of matchers that may match a text.
type present []uint64

func (p present) may(m *matcher) bool {
	return m.keys == nil || p[m.id/64]&(1<<(m.id%64)) != 0
}

// The automaton: a trie of every key, with failure links.
type acNode struct {
	next []acEdge
	fail int32
	out  []int32 // matcher ids whose key ends here (with those of the fail chain)
}

type acEdge struct {
	b    byte
	node int32
}

var automaton []acNode

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
			automaton[cur].out = appendID(automaton[cur].out, int32(m.id))
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
			for _, id := range automaton[automaton[e.node].fail].out {
				automaton[e.node].out = appendID(automaton[e.node].out, id)
			}
			queue = append(queue, e.node)
		}
	}
}

func appendID(s []int32, id int32) []int32 {
	for _, x := range s {
		if x == id {
			return s
		}
	}
	return append(s, id)
}

// scan returns the matchers whose keys occur in lower.
func scan(lower string) present {
	p := make(present, (len(matchers)+63)/64)
	cur := int32(0)
	for i := 0; i < len(lower); i++ {
		b := lower[i]
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
		for _, id := range automaton[cur].out {
			p[id/64] |= 1 << (id % 64)
		}
	}
	return p
}

func init() { buildAutomaton() }
