package backend

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// isWordRune reports whether r can be part of a word: a competitor's name
// matches only where the text has no such rune on either side.
func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' }

// MentionsCompetitor returns the first of names that text names, any case,
// as whole words ("Stackwise" in "Stackwise's prices", not in
// "Stackwiser"), and the sentence around it; "" when none.
func MentionsCompetitor(text string, names []string) (name, quote string) {
	if text == "" || len(names) == 0 {
		return "", ""
	}
	lower := strings.ToLower(text)
	best := -1
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if i := indexWord(lower, strings.ToLower(n)); i >= 0 && (best < 0 || i < best) {
			best, name = i, n
		}
	}
	if best < 0 {
		return "", ""
	}
	if len(lower) != len(text) {
		// Lower-casing changed the byte length (a rare rune): quote the
		// whole text rather than cut at a shifted offset.
		return name, truncate(text, maxQuote)
	}
	return name, sentenceAround(text, best)
}

// indexWord returns the byte offset of the first whole-word occurrence of
// word in s, or -1.
func indexWord(s, word string) int {
	for from := 0; from <= len(s)-len(word); {
		i := strings.Index(s[from:], word)
		if i < 0 {
			return -1
		}
		i += from
		before, _ := utf8.DecodeLastRuneInString(s[:i])
		after, _ := utf8.DecodeRuneInString(s[i+len(word):])
		if (i == 0 || !isWordRune(before)) && (i+len(word) == len(s) || !isWordRune(after)) {
			return i
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		from = i + size
	}
	return -1
}

// maxQuote bounds one quote a battle card keeps.
const maxQuote = 200

// sentenceAround returns the sentence of text that holds byte offset at,
// at most maxQuote runes.
func sentenceAround(text string, at int) string {
	start := 0
	for i := at - 1; i > 0; i-- {
		if c := text[i]; (c == '.' || c == '!' || c == '?' || c == '\n') && i+1 < len(text) && (text[i+1] == ' ' || text[i+1] == '\n' || c == '\n') {
			start = i + 1
			break
		}
	}
	end := len(text)
	for i := at; i < len(text); i++ {
		if c := text[i]; c == '\n' || (c == '.' || c == '!' || c == '?') && (i+1 == len(text) || text[i+1] == ' ' || text[i+1] == '\n') {
			end = i + 1
			if c == '\n' {
				end = i
			}
			break
		}
	}
	return truncate(strings.TrimSpace(text[start:end]), maxQuote)
}
