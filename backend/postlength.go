package backend

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxPostLength is the most a post on X may weigh: 280 in X's count.
const MaxPostLength = 280

// postURLLength is what every link counts as: the t.co link X replaces it
// with.
const postURLLength = 23

// PostLength counts text the way X does (twitter-text v3's parseTweet):
// a code point in Latin, Greek, Cyrillic and the other scripts up to
// U+10FF, or in the general punctuation ranges, counts 1; any other (CJK,
// emoji …) counts 2; an emoji sequence joined by zero-width joiners, with
// variation selectors or skin-tone modifiers, counts 2 once; and every
// link counts 23 whatever its length. X also normalizes to NFC first; the
// standard library has no NFC, so a decomposed accent counts as the two
// code points it is (it can only over-count, never let a post through
// that X refuses).
func PostLength(text string) int {
	n := 0
	for _, tok := range splitLinks(text) {
		if tok.link {
			n += postURLLength
			continue
		}
		n += weighRunes(tok.text)
	}
	return n
}

type postToken struct {
	text string
	link bool
}

// splitLinks cuts text into links and the rest. A link is a run of
// non-space characters that starts with http:// or https://, or that
// looks like a domain (name.tld, with a known top-level domain) — the
// forms X's autolinker turns into t.co links. Trailing punctuation is
// not part of the link.
func splitLinks(text string) []postToken {
	var out []postToken
	rest := text
	var plain strings.Builder
	for len(rest) > 0 {
		start := strings.IndexFunc(rest, func(r rune) bool { return !unicode.IsSpace(r) })
		if start < 0 {
			plain.WriteString(rest)
			break
		}
		plain.WriteString(rest[:start])
		rest = rest[start:]
		end := strings.IndexFunc(rest, unicode.IsSpace)
		if end < 0 {
			end = len(rest)
		}
		word := rest[:end]
		rest = rest[end:]
		lead, link, trail := linkIn(word)
		if link == "" {
			plain.WriteString(word)
			continue
		}
		plain.WriteString(lead)
		if plain.Len() > 0 {
			out = append(out, postToken{text: plain.String()})
			plain.Reset()
		}
		out = append(out, postToken{text: link, link: true})
		plain.WriteString(trail)
	}
	if plain.Len() > 0 {
		out = append(out, postToken{text: plain.String()})
	}
	return out
}

// linkTLDs are the top-level domains a bare domain is linked with. X knows
// every TLD; these are the ones a founder's reply plausibly holds.
var linkTLDs = map[string]bool{
	"com": true, "org": true, "net": true, "io": true, "co": true, "ai": true, "dev": true, "app": true,
	"xyz": true, "me": true, "so": true, "sh": true, "gg": true, "tv": true, "us": true, "uk": true,
	"de": true, "fr": true, "ca": true, "eu": true, "info": true, "biz": true, "tech": true, "cloud": true,
}

// linkIn finds the link in one space-free word: what precedes it (an
// opening parenthesis or quote), the link, and the punctuation after it.
func linkIn(word string) (lead, link, trail string) {
	lower := strings.ToLower(word)
	i := strings.Index(lower, "http://")
	if j := strings.Index(lower, "https://"); j >= 0 && (i < 0 || j < i) {
		i = j
	}
	if i >= 0 {
		lead, link = word[:i], word[i:]
		if strings.HasSuffix(strings.ToLower(link), "://") {
			return "", "", ""
		}
	} else {
		// A bare domain: letters, digits and hyphens, a dot, a known TLD,
		// optionally a path. An e-mail address or @handle is not a link.
		if strings.ContainsAny(word, "@") {
			return "", "", ""
		}
		k := strings.IndexFunc(word, func(r rune) bool { return r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) })
		if k < 0 {
			return "", "", ""
		}
		lead, link = word[:k], word[k:]
		host := link
		if s := strings.IndexAny(host, "/?#"); s >= 0 {
			host = host[:s]
		}
		host = strings.TrimRight(host, ".,;:!?)]}'\"")
		dot := strings.LastIndex(host, ".")
		if dot <= 0 || !linkTLDs[strings.ToLower(host[dot+1:])] || !hostChars(host[:dot]) {
			return "", "", ""
		}
	}
	// Trailing punctuation belongs to the sentence, not the link.
	cut := len(link)
	for cut > 0 && strings.ContainsRune(".,;:!?)]}'\"", rune(link[cut-1])) {
		cut--
	}
	return lead, link[:cut], link[cut:]
}

func hostChars(s string) bool {
	for _, r := range s {
		if !(r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) || r == '-' || r == '.') {
			return false
		}
	}
	return s != ""
}

// weighRunes weighs text without links.
func weighRunes(s string) int {
	n := 0
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if (r == '#' || r == '*' || (r >= '0' && r <= '9')) && i+1 < len(rs) && (rs[i+1] == 0xFE0F || rs[i+1] == 0x20E3) {
			// A keycap emoji: the base, maybe a variation selector, U+20E3.
			i++
			if rs[i] == 0xFE0F && i+1 < len(rs) && rs[i+1] == 0x20E3 {
				i++
			}
			n += 2
			continue
		}
		if isEmojiBase(r) {
			// The sequence: modifiers, variation selectors, and further
			// emoji joined by ZWJ count with it.
			for i+1 < len(rs) {
				next := rs[i+1]
				if next == 0xFE0F || next == 0xFE0E || (next >= 0x1F3FB && next <= 0x1F3FF) || (next >= 0xE0020 && next <= 0xE007F) || next == 0x20E3 {
					i++
					continue
				}
				if next == 0x200D && i+2 < len(rs) && isEmojiBase(rs[i+2]) {
					i += 2
					continue
				}
				if r >= 0x1F1E6 && r <= 0x1F1FF && next >= 0x1F1E6 && next <= 0x1F1FF {
					i++ // a flag: two regional indicators
					r = 0
					continue
				}
				break
			}
			n += 2
			continue
		}
		n += runeWeight(r)
	}
	return n
}

// runeWeight is twitter-text v3's range table, in characters.
func runeWeight(r rune) int {
	switch {
	case r <= 4351, r >= 8192 && r <= 8205, r >= 8208 && r <= 8223, r >= 8242 && r <= 8247:
		return 1
	}
	return 2
}

// isEmojiBase reports the code points that start an emoji sequence: the
// pictographic planes and the dingbats and symbols X parses as emoji
// (keycaps are handled by weighRunes).
func isEmojiBase(r rune) bool {
	switch {
	case r >= 0x1F000 && r <= 0x1FAFF, // pictographs, emoticons, transport, flags' regional indicators
		r >= 0x2600 && r <= 0x27BF, // misc symbols, dingbats
		r >= 0x2B00 && r <= 0x2BFF, // arrows, stars
		r == 0x2122 || r == 0x2139 || (r >= 0x2194 && r <= 0x21AA) || r == 0x231A || r == 0x231B || r == 0x2328 || r == 0x23CF || (r >= 0x23E9 && r <= 0x23FA) || r == 0x24C2 || r == 0x3030 || r == 0x303D || r == 0x3297 || r == 0x3299:
		return true
	}
	return false
}
