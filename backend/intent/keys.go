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
//
// exact says that the keys are every string the pattern can match (its
// zero-width assertions aside): then a key's occurrence is where a match
// can be, and only that spot needs checking.
func requiredLiterals(pattern string) (keys []string, exact bool) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		panic(err)
	}
	k := required(re.Simplify())
	if k.set == nil || minLen(k.set) < 2 {
		return nil, false
	}
	return k.set, k.exact
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

// prefixLiterals returns lower-case strings one of which every match of
// the pattern starts with (its zero-width assertions aside), or nil when
// it cannot tell or they would be shorter than 2 bytes. A pattern that
// must start the text (^) has none: it is not looked for elsewhere.
func prefixLiterals(pattern string) []string {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		panic(err)
	}
	k := prefix(re.Simplify())
	if k.set == nil || minLen(k.set) < 2 {
		return nil
	}
	return k.set
}

// prefix is required for the start of a match: set holds the strings a
// match starts with; exact, that a match is one of them.
func prefix(re *syntax.Regexp) keySet {
	switch re.Op {
	case syntax.OpBeginText, syntax.OpBeginLine:
		return keySet{}
	case syntax.OpLiteral, syntax.OpEmptyMatch, syntax.OpEndText, syntax.OpEndLine,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary, syntax.OpCharClass:
		return required(re)
	case syntax.OpCapture:
		return prefix(re.Sub[0])
	case syntax.OpQuest:
		k := prefix(re.Sub[0])
		if k.set == nil {
			return keySet{}
		}
		if !k.exact {
			return keySet{[]string{""}, false}
		}
		return keySet{appendUnique(append([]string(nil), k.set...), ""), true}
	case syntax.OpPlus:
		return keySet{prefix(re.Sub[0]).set, false}
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return keySet{prefix(re.Sub[0]).set, false}
		}
		return keySet{[]string{""}, false}
	case syntax.OpStar:
		return keySet{[]string{""}, false}
	case syntax.OpAlternate:
		var out []string
		exact := true
		for _, s := range re.Sub {
			k := prefix(s)
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
		run := []string{""}
		for _, s := range re.Sub {
			k := prefix(s)
			if k.set == nil {
				return keySet{}
			}
			p := product(run, k.set)
			if p == nil {
				return keySet{run, false}
			}
			run = p
			if !k.exact {
				return keySet{run, false}
			}
		}
		return keySet{run, true}
	}
	return keySet{}
}

// maxMatchLen is the most bytes a match of the pattern can span, or
// limit when that is more or unbounded.
func maxMatchLen(pattern string, limit int) int {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		panic(err)
	}
	return min(maxLen(re.Simplify(), limit), limit)
}

func maxLen(re *syntax.Regexp, limit int) int {
	switch re.Op {
	case syntax.OpLiteral:
		n := 0
		for _, r := range re.Rune {
			n += utf8.RuneLen(r)
		}
		return n
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return utf8.UTFMax
	case syntax.OpCapture:
		return maxLen(re.Sub[0], limit)
	case syntax.OpQuest:
		return maxLen(re.Sub[0], limit)
	case syntax.OpStar, syntax.OpPlus:
		return limit
	case syntax.OpRepeat:
		if re.Max < 0 {
			return limit
		}
		return min(limit, re.Max*maxLen(re.Sub[0], limit))
	case syntax.OpAlternate:
		n := 0
		for _, s := range re.Sub {
			n = max(n, maxLen(s, limit))
		}
		return n
	case syntax.OpConcat:
		n := 0
		for _, s := range re.Sub {
			n = min(limit, n+maxLen(s, limit))
		}
		return n
	}
	return 0
}
