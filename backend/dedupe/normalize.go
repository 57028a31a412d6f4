package dedupe

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// foldRune maps a letter with a diacritic to its plain Latin spelling,
// German umlauts to their two-letter transliteration (ü → ue), so that
// "Müller" and "Mueller" fold to the same name.
var foldRune = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'å': "a", 'ā': "a", 'ą': "a", 'ă': "a",
	'ä': "ae", 'æ': "ae", 'ç': "c", 'ć': "c", 'č': "c", 'ď': "d", 'đ': "d", 'ð': "d",
	'è': "e", 'é': "e", 'ê': "e", 'ë': "e", 'ē': "e", 'ę': "e", 'ě': "e",
	'ì': "i", 'í': "i", 'î': "i", 'ï': "i", 'ī': "i", 'ı': "i",
	'ł': "l", 'ñ': "n", 'ń': "n", 'ň': "n",
	'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o", 'ō': "o", 'ő': "o", 'ö': "oe", 'ø': "oe", 'œ': "oe",
	'ř': "r", 'ś': "s", 'š': "s", 'ş': "s", 'ß': "ss", 'ť': "t", 'ţ': "t", 'þ': "th",
	'ù': "u", 'ú': "u", 'û': "u", 'ū': "u", 'ů': "u", 'ű': "u", 'ü': "ue",
	'ý': "y", 'ÿ': "y", 'ź': "z", 'ż': "z", 'ž': "z",
}

// Fold lower-cases s, spells letters with diacritics in plain Latin and
// keeps letters, digits and single spaces (a hyphen or an apostrophe
// joins: "O'Brien" → "obrien", "Jean-Luc" → "jeanluc").
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if r == utf8.RuneError {
			continue
		}
		r = unicode.ToLower(r)
		switch {
		case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9'):
		case r == '\'' || r == '’' || r == '-' || r == '.':
			if r == '.' { // "J.Smith": the dot ends an initial
				space = b.Len() > 0
			}
			continue
		case unicode.IsSpace(r) || r == ',' || r == '_' || r == '/' || r == '(' || r == ')':
			space = b.Len() > 0
			continue
		default:
			if f, ok := foldRune[r]; ok {
				if space {
					b.WriteByte(' ')
					space = false
				}
				b.WriteString(f)
				continue
			}
			if !unicode.IsLetter(r) {
				continue
			}
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// skeleton is a folded name with the German transliterations and doubled
// letters undone, so "mueller", "muller" and "müller" (folded "mueller")
// meet: two names with the same skeleton are the same name spelled two
// ways.
func skeleton(s string) string {
	s = skeletonReplacer.Replace(s)
	var b strings.Builder
	var last byte
	for i := 0; i < len(s); i++ {
		if s[i] == last {
			continue
		}
		last = s[i]
		b.WriteByte(s[i])
	}
	return b.String()
}

var bareReplacer = strings.NewReplacer(".", "", "-", "", "_", "")

var skeletonReplacer = strings.NewReplacer("ue", "u", "oe", "o", "ae", "a", "ph", "f", "th", "t")

// Name is a person's name split for comparison.
type Name struct {
	First string // folded first given name, or an initial
	Last  string // folded family name ("" when only one word was given)
	Full  string // every folded word, space-separated
}

var honorifics = map[string]bool{"mr": true, "mrs": true, "ms": true, "miss": true, "dr": true, "prof": true, "sir": true, "mx": true}
var suffixes = map[string]bool{"jr": true, "sr": true, "ii": true, "iii": true, "iv": true, "phd": true, "md": true, "esq": true, "mba": true}

// ParseName splits a display name. "Smith, John" is read family name first;
// honorifics and suffixes (Dr, Jr, PhD) are dropped, and so are middle
// names.
func ParseName(s string) Name {
	swapped := false
	if before, after, ok := strings.Cut(s, ","); ok && strings.TrimSpace(after) != "" {
		if w := strings.Fields(Fold(after)); len(w) > 0 && !suffixes[w[0]] {
			s, swapped = after+" "+before, true
		}
	}
	_ = swapped
	words := strings.Fields(Fold(s))
	kept := words[:0]
	for i, w := range words {
		if (i == 0 && honorifics[w]) || suffixes[w] {
			continue
		}
		kept = append(kept, w)
	}
	n := Name{Full: strings.Join(kept, " ")}
	switch len(kept) {
	case 0:
	case 1:
		n.First = kept[0]
	default:
		n.First, n.Last = kept[0], kept[len(kept)-1]
	}
	return n
}

// freeMail are domains anyone can have an address at: sharing one says
// nothing about a company.
var freeMail = map[string]bool{
	"gmail.com": true, "yahoo.com": true, "hotmail.com": true, "outlook.com": true, "live.com": true,
	"icloud.com": true, "me.com": true, "mac.com": true, "aol.com": true, "proton.me": true,
	"protonmail.com": true, "gmx.de": true, "gmx.net": true, "web.de": true, "yandex.ru": true,
	"mail.ru": true, "yahoo.co.uk": true, "hotmail.co.uk": true, "msn.com": true, "fastmail.com": true,
	"zoho.com": true, "hey.com": true, "qq.com": true, "163.com": true, "orange.fr": true, "free.fr": true,
}

// domainAliases map a mail domain to the one it is another name for.
var domainAliases = map[string]string{
	"googlemail.com": "gmail.com", "hotmail.com": "outlook.com", "live.com": "outlook.com",
	"msn.com": "outlook.com", "me.com": "icloud.com", "mac.com": "icloud.com",
	"protonmail.com": "proton.me", "pm.me": "proton.me", "ymail.com": "yahoo.com",
}

// genericLocal are mailbox names shared by a team, never one person's.
var genericLocal = map[string]bool{
	"info": true, "sales": true, "hello": true, "contact": true, "admin": true, "support": true,
	"office": true, "team": true, "marketing": true, "hr": true, "jobs": true, "billing": true,
	"noreply": true, "no-reply": true, "mail": true, "enquiries": true, "inquiries": true, "help": true,
	"accounts": true, "finance": true, "ops": true, "press": true, "careers": true, "hi": true,
}

// Email is an address in the form two spellings of one mailbox share.
type Email struct {
	Canonical string // local@domain after the rules below
	Local     string
	Bare      string // Local without dots, dashes and underscores (john.smith → johnsmith)
	Domain    string
	Free      bool // the domain is a free-mail provider
	Generic   bool // a team mailbox (info@, sales@)
}

// ParseEmail canonicalizes an address: lower case, the +tag dropped
// (plus-addressing), dots dropped in Gmail's local part, domain aliases
// (googlemail.com → gmail.com) resolved. An unusable address is the zero
// Email.
func ParseEmail(s string) Email {
	s = strings.ToLower(strings.TrimSpace(s))
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return Email{}
	}
	local, domain := s[:at], strings.TrimSuffix(s[at+1:], ".")
	if a, ok := domainAliases[domain]; ok {
		domain = a
	}
	if i := strings.IndexByte(local, '+'); i >= 0 {
		local = local[:i]
	}
	if domain == "gmail.com" {
		local = strings.ReplaceAll(local, ".", "")
	}
	if local == "" || domain == "" {
		return Email{}
	}
	bare := bareReplacer.Replace(local)
	return Email{Canonical: local + "@" + domain, Local: local, Bare: bare, Domain: domain, Free: freeMail[domain] || freeMail[s[at+1:]], Generic: genericLocal[local]}
}

// NormalizeDomain reduces a website or domain ("https://www.Acme.com/about")
// to its host name ("acme.com").
func NormalizeDomain(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	if i := strings.IndexByte(s, ':'); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimPrefix(strings.TrimSuffix(s, "."), "www.")
	if !strings.Contains(s, ".") {
		return ""
	}
	return s
}

// companySuffixes are legal forms that do not tell two companies apart.
var companySuffixes = map[string]bool{
	"inc": true, "incorporated": true, "llc": true, "ltd": true, "limited": true, "gmbh": true, "ag": true,
	"corp": true, "corporation": true, "co": true, "company": true, "plc": true, "sa": true, "sas": true,
	"sarl": true, "bv": true, "nv": true, "oy": true, "ab": true, "as": true, "srl": true, "spa": true,
	"pty": true, "pte": true, "kk": true, "the": true, "group": true, "holdings": true, "hq": true,
}

// CompanyKey is a company name without its legal form and punctuation
// ("The Acme Co., Inc." → "acme").
func CompanyKey(s string) string {
	words := strings.Fields(Fold(strings.ReplaceAll(s, "&", " and ")))
	kept := words[:0]
	for _, w := range words {
		if !companySuffixes[w] {
			kept = append(kept, w)
		}
	}
	return strings.Join(kept, " ")
}
