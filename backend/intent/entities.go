package intent

import (
	"bytes"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// extract pulls every entity out of the reply; Classify then keeps the
// ones that fit the intent.
func extract(t *text) Entities {
	var e Entities
	e.Questions = questions(t.reply, t.present)
	if t.present.may(seatGuard) && (strings.ContainsAny(t.lreply, "0123456789") || t.present.may(numberWordGuard)) {
		e.Seats = seats(t.lreply, t.present)
	}
	e.Amounts = amounts(t.reply, t.lreply)
	e.Referral = referral(t)
	if !t.now.IsZero() {
		e.Times = times(t)
	}
	return e
}

// parseFrom reads a From header ("Ana Ruiz <ana@x.io>", a bare address).
func parseFrom(from string) Person {
	from = strings.TrimSpace(from)
	if from == "" {
		return Person{}
	}
	if a, err := mail.ParseAddress(from); err == nil {
		return Person{Name: a.Name, Email: strings.ToLower(a.Address)}
	}
	if m := emailRe.FindString(from); m != "" {
		return Person{Email: strings.ToLower(m)}
	}
	return Person{Name: from}
}

// ---- questions ----

var (
	indirectQuestion = regexp.MustCompile(`(?i)^(please |kindly |could you |can you |)(let (me|us) know|tell (me|us)|advise|confirm|explain|clarify)\b|\b(not clear( to me)?|wondering|curious|unsure|not sure|like to know|want to know|need to know) (whether|if|what|how|which|why|when|about)\b`)
	directQuestion   = regexp.MustCompile(`(?i)^(what|how|which|why|when|where|who|is there|are there|is it|are you|do you|does|did|can you|could you|would you|will you|can we|could we|is the|are the)\b`)
)

// questions returns the reply's questions: sentences that end with a
// question mark, start like one ("what is the cost for a team of 60"), or
// ask indirectly ("please let us know the license cost", "not clear
// whether"). Lines quoted with ">" are someone else's.
func questions(reply string, p present) []Question {
	if !strings.Contains(reply, "?") && !p.may(directGuard) && !p.may(indirectGuard) {
		return nil
	}
	var out []Question
	for _, s := range sentences(reply) {
		if !(strings.HasSuffix(s, "?") || directQuestion.MatchString(s) || indirectQuestion.MatchString(s)) {
			continue
		}
		if len(s) > 400 {
			s = clip(s, 400)
		}
		out = append(out, Question{Text: s, Topic: topicOf(s, p)})
		if len(out) == 20 {
			break
		}
	}
	return out
}

// sentences splits text into sentences: after . ? ! followed by a space,
// at blank lines, and at line breaks after punctuation or before a
// bullet. Lines starting with ">" are dropped.
func sentences(text string) []string {
	var out []string
	cur := make([]byte, 0, 128)
	flush := func() {
		b := bytes.TrimSpace(cur)
		b = bytes.TrimLeft(b, "-*•·– ")
		if len(b) > 0 {
			out = append(out, string(b))
		}
		cur = cur[:0]
	}
	i := -1
	for l := range strings.SplitSeq(text, "\n") {
		i++
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, ">") {
			flush()
			continue
		}
		if l == "" {
			flush()
			continue
		}
		if i > 0 && (strings.HasPrefix(l, "-") || strings.HasPrefix(l, "*") || strings.HasPrefix(l, "•") || bullet.MatchString(l)) {
			flush()
		}
		for j := 0; j < len(l); j++ {
			c := l[j]
			cur = append(cur, c)
			if (c == '?' || c == '!' || c == '.') && (j+1 == len(l) || l[j+1] == ' ') {
				if c == '.' && abbrevBefore(l[:j]) {
					continue
				}
				flush()
			}
		}
		if len(cur) > 0 {
			cur = append(cur, ' ')
		}
	}
	flush()
	return out
}

var bullet = regexp.MustCompile(`^\d{1,2}[.)]\s`)

// abbrevBefore says whether the period ending s belongs to an
// abbreviation ("e.g.", "Mr.", "approx.") rather than ending a sentence.
func abbrevBefore(s string) bool {
	i := strings.LastIndexAny(s, " (")
	w := strings.ToLower(s[i+1:])
	switch w {
	case "e.g", "i.e", "mr", "mrs", "ms", "dr", "approx", "vs", "etc", "inc", "no", "a.m", "p.m", "st":
		return true
	}
	return len(w) == 1 && unicode.IsLetter(rune(w[0]))
}

var (
	directGuard   = guard(directQuestion)
	indirectGuard = guard(indirectQuestion)
	seatGuard     = guard(seatRe)
	// seatNouns: where a seat count can end ("40 engineers", "a team of
	// 40"); seats reads only around them.
	seatNouns = guard(regexp.MustCompile(`\b(seats?|engineers|developers|devs|users|licen[cs]es|people|employees|members|agents|reps|staff|headcount|engineering|team)\b`))
	// numberWordGuard: whether a reply spells a number ("forty").
	numberWordGuard = guard(regexp.MustCompile(`\b(` + numberWords + `)\b`))
)

var topics = []struct {
	topic Topic
	re    *regexp.Regexp
}{
	{TopicPricing, regexp.MustCompile(`(?i)\b(pric(e|es|ing)|rates?|costs?|cheap(er|est)?|charges?|prorat|quote|discount|how much|billing|billed|fees?|charged?|overage|invoice|budget|per (seat|user|month)|license cost|tiers?|plans?|\$|€|£|usd|eur)\b|[$€£]`)},
	{TopicSecurity, regexp.MustCompile(`(?i)\b(security|soc ?2|pen ?test|penetration|encrypt(ion|ed)?|sso|saml|vulnerabilit|keys|access control|audit log)`)},
	{TopicCompliance, regexp.MustCompile(`(?i)\b(complian(ce|t)|gdpr|hipaa|iso ?27001|dpa|data residency|ccpa|certif)`)},
	{TopicIntegration, regexp.MustCompile(`(?i)\b(integrat|api|sdk|kubernetes|k8s|postgres|redis|rails|aws|gcp|azure|terraform|plugin|stack|compatib|on-?prem)`)},
	{TopicSeats, regexp.MustCompile(`(?i)\b(seats?|licen[cs]es|how many users|user limit)\b`)},
	{TopicTrial, regexp.MustCompile(`(?i)\b(trial|pilot|poc|proof of concept|test drive|sandbox)\b`)},
	{TopicContract, regexp.MustCompile(`(?i)\b(contract|terms|msa|agreement|sign|legal|renewal|liability|order form|commitment|minimum term|notice period)\b`)},
	{TopicOnboarding, regexp.MustCompile(`(?i)\b(onboard|set ?up|setup|install|migrat|training|docs|documentation|get started|getting started|support)`)},
	{TopicData, regexp.MustCompile(`(?i)\b(data|export|backup|retention|delete|storage)\b`)},
}

var topicGuards = func() []*matcher {
	var out []*matcher
	for _, t := range topics {
		out = append(out, guard(t.re))
	}
	return out
}()

func topicOf(q string, p present) Topic {
	for i, t := range topics {
		if p.may(topicGuards[i]) && t.re.MatchString(q) {
			return t.topic
		}
	}
	return TopicOther
}

// ---- seats ----

const numberWords = `one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|a hundred|a dozen|dozen`

var seatRe = regexp.MustCompile(`\b(?:team of (?:about |around |roughly |approximately |~|)(\d{1,6}|` + numberWords + `)\b|(\d{1,6}|` + numberWords + `)\+?[- ]?(?:person|people|member|man) team\b|(?:~|about |around |roughly |approximately |some |)(\d{1,6}|` + numberWords + `)\+?\s+(?:more |additional |full-time |fte |backend |frontend |software |)(?:seats?|engineers|developers|devs|users|licen[cs]es|people|employees|members|agents|reps|staff|headcount|engineering (?:team|org))\b)`)

var wordNumbers = map[string]int{"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "a hundred": 100, "a dozen": 12, "dozen": 12}

// seats returns the team size the lower-cased reply names first ("40
// engineers", "40 seats", "a team of 40"), or 0.
func seats(reply string, p present) int {
	// Around each noun: the number is at most a few words before it.
	if hits := p.starts(seatNouns); hits != nil {
		for _, h := range hits {
			from := max(0, int(h.start)-48)
			for from > 0 && isWordByte(reply[from-1]) {
				from--
			}
			if n := seatsIn(reply[from:min(len(reply), int(h.end)+24)]); n > 0 {
				return n
			}
		}
		return 0
	}
	return seatsIn(reply)
}

func seatsIn(reply string) int {
	for _, m := range seatRe.FindAllStringSubmatch(reply, 8) {
		for _, g := range m[1:] {
			if g == "" {
				continue
			}
			n, err := strconv.Atoi(g)
			if err != nil {
				n = wordNumbers[strings.ToLower(g)]
			}
			if n > 0 && n < 1000000 {
				return n
			}
		}
	}
	return 0
}

// ---- amounts ----

var amountRe = regexp.MustCompile(`(?:(us\$|usd|eur|gbp|chf|cad|aud|brl|inr|\$|€|£)\s?(\d{1,3}(?:[,.]\d{3})+|\d+)(?:[.,](\d{1,2}))?(?:\s?(k|m|mm|bn|million|thousand)\b)?|\b(\d{1,3}(?:[,.]\d{3})+|\d+)(?:[.,](\d{1,2}))?\s?(k|m|million|thousand)?\s?(usd|eur|gbp|chf|dollars|euros|pounds|€|\$|£)(?:\W|$))(\s?(?:/|per|a|an)\s?(?:month|mo|year|yr|annum|user|seat|week|engineer|developer)\b)?`)

var currencies = map[string]string{"$": "USD", "us$": "USD", "usd": "USD", "dollars": "USD", "€": "EUR", "eur": "EUR", "euros": "EUR", "£": "GBP", "gbp": "GBP", "pounds": "GBP", "chf": "CHF", "cad": "CAD", "aud": "AUD", "brl": "BRL", "inr": "INR"}

// amounts returns the sums of money the reply names ("$40k", "€12,500",
// "USD 3,000/month"), in order, at most ten; lower is the reply
// lower-cased.
func amounts(reply, lower string) []Amount {
	if !strings.ContainsAny(lower, "0123456789") || !strings.ContainsAny(lower, "$€£") && !currencyWord.MatchString(lower) {
		return nil
	}
	var out []Amount
	for _, m := range amountRe.FindAllStringSubmatchIndex(lower, 10) {
		g := subs(lower, m)
		cur, num, frac, mult := g[1], g[2], g[3], g[4]
		if num == "" {
			num, frac, mult, cur = g[5], g[6], g[7], g[8]
		}
		v := parseNumber(num, frac)
		switch mult {
		case "k", "thousand":
			v *= 1e3
		case "m", "mm", "million":
			v *= 1e6
		case "bn":
			v *= 1e9
		}
		text := strings.TrimSpace(strings.TrimRight(reply[m[0]:m[1]], " .,;:!?)"))
		out = append(out, Amount{Value: v, Currency: currencies[cur], Text: text})
	}
	return out
}

var currencyWord = regexp.MustCompile(`\b(usd|eur|gbp|chf|cad|aud|brl|inr|dollars|euros|pounds)\b`)

func parseNumber(num, frac string) float64 {
	digits := strings.NewReplacer(",", "", ".", "").Replace(num)
	v, _ := strconv.ParseFloat(digits, 64)
	if frac != "" {
		f, _ := strconv.ParseFloat("0."+frac, 64)
		v += f
	}
	return v
}

// ---- referral ----

var emailRe = regexp.MustCompile(`[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`)

// roleMailboxes are shared inboxes, not a person to be introduced to.
var roleMailboxes = map[string]bool{"support": true, "info": true, "sales": true, "help": true, "admin": true, "noreply": true, "no-reply": true, "ops": true, "office": true, "hello": true, "contact": true, "team": true, "billing": true, "accounts": true, "ap": true, "it": true, "security": true, "hr": true, "privacy": true, "legal": true, "careers": true, "jobs": true, "press": true, "finance": true, "service": true, "helpdesk": true, "postmaster": true, "mailer-daemon": true}

// referral finds the person the reply points to: the first address in it
// that is not the sender's (nor the sender's new address, nor a shared
// inbox), with the name written next to it.
func referral(t *text) *Person {
	if !strings.Contains(t.reply, "@") {
		return nil
	}
	for _, idx := range emailRe.FindAllStringIndex(t.reply, 10) {
		addr := strings.ToLower(strings.TrimRight(t.reply[idx[0]:idx[1]], "."))
		local, _, _ := strings.Cut(addr, "@")
		from := t.sender()
		if addr == from.Email || roleMailboxes[local] || samePerson(local, from) {
			continue
		}
		return &Person{Name: nameNear(t.reply, idx[0], local), Email: addr}
	}
	return nil
}

// samePerson says whether an address's local part is the sender's name
// ("ahmet.yilmaz" for Ahmet Yilmaz <ahmet@…>): a new address, not a
// referral.
func samePerson(local string, from Person) bool {
	fromLocal, _, _ := strings.Cut(from.Email, "@")
	names := strings.Fields(strings.ToLower(from.Name))
	for _, tok := range strings.FieldsFunc(local, func(r rune) bool { return r == '.' || r == '_' || r == '-' || r == '+' }) {
		if len(tok) < 3 {
			continue
		}
		if tok == fromLocal {
			return true
		}
		for _, n := range names {
			if tok == n {
				return true
			}
		}
	}
	return false
}

var notNames = map[string]bool{"CTO": true, "CEO": true, "CFO": true, "COO": true, "VP": true, "IT": true, "Please": true, "Try": true, "Contact": true, "Email": true, "Reach": true, "Talk": true, "Speak": true, "Hi": true, "Hello": true, "Thanks": true, "The": true, "Our": true, "My": true, "I": true, "He": true, "She": true, "They": true, "Mr": true, "Ms": true, "Mrs": true, "Dr": true}

// nameNear returns the name written just before an address ("Priya
// (priya@acme.io)", "Monica Reyes <monica@…>", "Martina Huber,
// martina@…"); else a capitalized word of the reply that the address
// spells ("Try him at steve@…" after "Steve Park handles…"); else the
// address's local part, capitalized.
func nameNear(reply string, at int, local string) string {
	before := reply[max(0, at-80):at]
	before = strings.TrimRight(before, " \t(<[,:;–—-")
	before = strings.TrimSuffix(before, " at")
	words := strings.Fields(before)
	var name []string
	for i := len(words) - 1; i >= 0 && len(name) < 3; i-- {
		w := strings.Trim(words[i], ",;:()<>\"'")
		if !isCapitalized(w) || notNames[w] {
			break
		}
		name = append([]string{w}, name...)
		if strings.HasSuffix(words[i], ",") && len(name) > 0 && i < len(words)-1 {
			break
		}
	}
	if len(name) > 0 && spells(local, name[0]) {
		return strings.Join(name, " ")
	}
	// A capitalized word elsewhere that the address spells.
	toks := strings.FieldsFunc(local, func(r rune) bool { return r == '.' || r == '_' || r == '-' })
	if len(toks) > 0 {
		fields := strings.Fields(reply[:min(len(reply), 4096)])
		for i, f := range fields {
			w := strings.Trim(f, ",;:()<>\"'.")
			if isCapitalized(w) && strings.EqualFold(w, toks[0]) {
				n := []string{w}
				if i+1 < len(fields) && !strings.ContainsAny(f, ",;:)") {
					if nx := strings.Trim(fields[i+1], ",;:()<>\"'."); isCapitalized(nx) && !notNames[nx] && !strings.Contains(fields[i+1], "@") {
						n = append(n, nx)
					}
				}
				return strings.Join(n, " ")
			}
		}
	}
	if len(name) > 0 {
		return strings.Join(name, " ")
	}
	var parts []string
	for _, t := range toks {
		if t != "" && unicode.IsLetter(rune(t[0])) {
			parts = append(parts, strings.ToUpper(t[:1])+t[1:])
		}
	}
	return strings.Join(parts, " ")
}

// spells says whether a name is plausibly the owner of an address's local
// part: they share a prefix ("priya" and "Priya", "m.alsayed" and
// "Mohammed") or the local part is not a name at all.
func spells(local, name string) bool {
	l, n := strings.ToLower(local), strings.ToLower(name)
	return strings.HasPrefix(l, n[:min(len(n), 2)]) || strings.Contains(l, n)
}

func isCapitalized(w string) bool {
	if w == "" {
		return false
	}
	r := []rune(w)
	if !unicode.IsUpper(r[0]) || len(r) < 2 {
		return false
	}
	// All capitals is an acronym (CTO, VP), not a name.
	upper := 0
	for _, c := range r {
		if unicode.IsUpper(c) {
			upper++
		}
		if !unicode.IsLetter(c) && c != '-' && c != '\'' {
			return false
		}
	}
	return upper < len(r)
}
