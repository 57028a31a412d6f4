package intent

import (
	"regexp/syntax"
	"strings"
	"unicode/utf8"
)

// requiredLiterals returns lower-case strings of which every match of the
// pattern contains at least one, or nil when it cannot tell (then the
// pattern always runs). It reads the parsed pattern: a literal requires
// itself; an alternation the union of its branches'; a concatenation the
// most selective of its parts', where runs of parts that match only a few
// exact strings ("(love|like) to (chat|talk)") are multiplied out into
// whole phrases; a repetition at least once its body's.
func requiredLiterals(pattern string) []string {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		panic(err)
	}
	k := required(re.Simplify())
	if k.set == nil || minLen(k.set) < 2 {
		return nil
	}
	return k.set
}

// keySet is what required knows of a sub-pattern: set, the strings one
// of which every match contains (nil: unknown); exact, whether every
// match is one of them.
type keySet struct {
	set   []string
	exact bool
}

const maxKeys = 64

func required(re *syntax.Regexp) keySet {
	switch re.Op {
	case syntax.OpLiteral:
		return keySet{[]string{strings.ToLower(string(re.Rune))}, true}
	case syntax.OpEmptyMatch, syntax.OpBeginText, syntax.OpEndText, syntax.OpBeginLine, syntax.OpEndLine,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return keySet{[]string{""}, true}
	case syntax.OpCharClass:
		// A small class ("['’]", "[ -]") is a few exact strings.
		var out []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			lo, hi := re.Rune[i], re.Rune[i+1]
			if hi-lo > 4 || len(out) > 8 {
				return keySet{}
			}
			for c := lo; c <= hi; c++ {
				if utf8.ValidRune(c) {
					out = appendUnique(out, strings.ToLower(string(c)))
				}
			}
		}
		return keySet{out, true}
	case syntax.OpCapture:
		return required(re.Sub[0])
	case syntax.OpQuest:
		k := required(re.Sub[0])
		if !k.exact {
			return keySet{}
		}
		return keySet{appendUnique(append([]string(nil), k.set...), ""), true}
	case syntax.OpPlus:
		k := required(re.Sub[0])
		return keySet{k.set, false}
	case syntax.OpRepeat:
		if re.Min >= 1 {
			k := required(re.Sub[0])
			return keySet{k.set, k.exact && re.Min == 1 && re.Max == 1}
		}
		return keySet{}
	case syntax.OpAlternate:
		var out []string
		exact := true
		for _, s := range re.Sub {
			k := required(s)
			if k.set == nil {
				return keySet{}
			}
			exact = exact && k.exact
			for _, x := range k.set {
				out = appendUnique(out, x)
			}
		}
		return keySet{out, exact}
	case syntax.OpConcat:
		var cands []keySet
		run := keySet{[]string{""}, true}
		allExact := true
		for _, s := range re.Sub {
			k := required(s)
			if k.set != nil && k.exact {
				if p := product(run.set, k.set); p != nil {
					run.set = p
					continue
				}
			}
			// The run ends here.
			cands = append(cands, keySet{run.set, false})
			run = keySet{[]string{""}, true}
			allExact = false
			if k.set != nil {
				if k.exact {
					run.set = k.set
					continue
				}
				cands = append(cands, k)
			}
		}
		if allExact {
			return keySet{run.set, true}
		}
		cands = append(cands, keySet{run.set, false})
		best := keySet{}
		for _, c := range cands {
			if better(c.set, best.set) {
				best = keySet{c.set, false}
			}
		}
		return best
	}
	return keySet{}
}

// product concatenates every string of a with every string of b; nil when
// that would be too many.
func product(a, b []string) []string {
	if len(a)*len(b) > maxKeys {
		return nil
	}
	var out []string
	for _, x := range a {
		for _, y := range b {
			out = appendUnique(out, x+y)
		}
	}
	return out
}

// better says whether key set a is more selective than b: its shortest
// string is longer (up to a point), then it has fewer strings.
func better(a, b []string) bool {
	if a == nil {
		return false
	}
	if b == nil {
		return true
	}
	la, lb := min(minLen(a), 8), min(minLen(b), 8)
	if la != lb {
		return la > lb
	}
	return len(a) < len(b)
}

func minLen(s []string) int {
	m := 1 << 30
	for _, x := range s {
		m = min(m, len(strings.TrimSpace(x)))
	}
	return m
}

func appendUnique(s []string, x string) []string {
	for _, y := range s {
		if y == x {
			return s
		}
	}
	return append(s, x)
}
