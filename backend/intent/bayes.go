package intent

import (
	"math"
	"sort"
	"strings"
	"unicode"
)

// A naive-Bayes backoff for replies no rule speaks for. It is trained
// offline on testdata/train.jsonl only (TestBayes_Table regenerates
// bayes_table.go with -update and fails when the checked-in table is not
// what the training corpus gives), so it is deterministic and needs
// nothing at run time. Its features are the words and word pairs of the
// reply and the words of the subject; its answer is used only when the
// rules find nothing, and always under LowConfidence: a hint, not a
// verdict.

// tokens returns the features of an email: lower-cased words of the
// reply (letters and digits, apostrophes dropped), adjacent pairs of
// them ("next_week"), and the subject's words ("s:cancel"), each once.
func tokens(subject, reply string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(t string) {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	words := splitWords(reply)
	for i, w := range words {
		add(w)
		if i > 0 {
			add(words[i-1] + "_" + w)
		}
	}
	for _, w := range splitWords(subject) {
		if w != "re" && w != "fwd" && w != "fw" && w != "aw" {
			add("s:" + w)
		}
	}
	return out
}

func splitWords(s string) []string {
	var out []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			out = append(out, b.String())
			b.Reset()
		}
	}
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		case r == '\'' || r == '’':
		default:
			flush()
		}
		if len(out) >= 4000 {
			break
		}
	}
	flush()
	return out
}

// bayes returns the label naive Bayes prefers for the tokens, its
// posterior (uniform prior) and the (at most n) tokens that weighed most
// for it.
func bayes(toks []string, n int) (Label, float64, []string) {
	var score [len(bayesLabels)]float64
	type contrib struct {
		tok string
		w   float64
	}
	var known []string
	for _, t := range toks {
		row, ok := bayesTable[t]
		if !ok {
			continue
		}
		known = append(known, t)
		for i := range score {
			score[i] += float64(row[i])
		}
	}
	if len(known) == 0 {
		return Other, 0, nil
	}
	best := 0
	for i := range score {
		if score[i] > score[best] {
			best = i
		}
	}
	var z float64
	for i := range score {
		z += math.Exp(score[i] - score[best])
	}
	var cs []contrib
	for _, t := range known {
		row := bayesTable[t]
		var mean float64
		for _, v := range row {
			mean += float64(v)
		}
		mean /= float64(len(row))
		if w := float64(row[best]) - mean; w > 0 {
			cs = append(cs, contrib{t, w})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].w > cs[j].w })
	var top []string
	for _, c := range cs {
		if len(top) == n {
			break
		}
		top = append(top, c.tok)
	}
	return bayesLabels[best], 1 / z, top
}

// phraseOf finds a token's words in the text as written ("next_week" →
// "next week"), or "".
func phraseOf(text, lowerText, tok string) string {
	if strings.HasPrefix(tok, "s:") {
		return ""
	}
	words := strings.Split(tok, "_")
	i := strings.Index(lowerText, words[0])
	for i >= 0 {
		end := i + len(words[0])
		ok := true
		for _, w := range words[1:] {
			rest := lowerText[end:]
			trimmed := strings.TrimLeft(rest, " \t\n,.-")
			if !strings.HasPrefix(trimmed, w) {
				ok = false
				break
			}
			end += len(rest) - len(trimmed) + len(w)
		}
		if ok && (i == 0 || !isWordByte(lowerText[i-1])) && (end == len(lowerText) || !isWordByte(lowerText[end])) {
			return text[i:end]
		}
		next := strings.Index(lowerText[i+1:], words[0])
		if next < 0 {
			break
		}
		i += 1 + next
	}
	return ""
}
