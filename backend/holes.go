package backend

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Template holes: text a draft template left for a person to fill in, which
// must not reach a recipient as it stands. The rules are narrow on purpose
// (a real email holds footnotes [1], links [text](url), checklists - [x],
// "todo" in a sentence): an empty bullet, a [Placeholder] or {{ merge
// field }}, an upper-case TODO, FIXME or XXX. Quoted text (lines starting
// with ">") and a forwarded message are someone else's and are not read.

// Kinds of template hole.
const (
	HoleEmptyBullet = "empty_bullet" // "- " with nothing after it
	HolePlaceholder = "placeholder"  // [First Name], {{company}}
	HoleMarker      = "marker"       // TODO, FIXME, XXX
	// HoleUnanswered is a question the composer could not answer from the
	// price list or the facts: "[answer: Do you support SSO?]".
	HoleUnanswered = "unanswered"
)

// AnswerHole is how a composed draft marks a question it could not answer
// (see ComposeReply); the hole checker reads it as HoleUnanswered, so the
// draft is refused until the founder writes the answer in its place.
func AnswerHole(question string) string {
	q := strings.Map(func(r rune) rune {
		switch r {
		case '[', '{':
			return '('
		case ']', '}':
			return ')'
		}
		return r
	}, truncate(question, 160))
	for _, m := range markers(q) {
		q = strings.ReplaceAll(q, m, strings.ToLower(m)) // one hole, not two
	}
	return answerOpen + q + "]"
}

const answerOpen = "[answer: "

// TemplateHole is one piece of unfilled template text in a draft.
type TemplateHole struct {
	Field string `json:"field"` // "subject" or "body" (a task's "title", a reply's "text")
	Line  int    `json:"line"`  // 1-based, within Field
	Kind  string `json:"kind"`  // HoleEmptyBullet, HolePlaceholder or HoleMarker
	Text  string `json:"text"`  // the text as it stands
}

// String names the hole for a person: "line 3: an empty bullet '- '".
func (h TemplateHole) String() string {
	where := fmt.Sprintf("line %d", h.Line)
	if h.Field != "body" && h.Field != "text" {
		where = "the " + h.Field
	}
	what := "a placeholder"
	switch h.Kind {
	case HoleEmptyBullet:
		what = "an empty bullet"
	case HoleMarker:
		what = "a to-do marker"
	case HoleUnanswered:
		return fmt.Sprintf("%s: an unanswered question '%s'", where, h.Text)
	}
	return fmt.Sprintf("%s: %s '%s'", where, what, h.Text)
}

// FindTemplateHoles returns the template holes in a draft's subject (one
// line: placeholders and markers) and body (also empty bullets), in order.
func FindTemplateHoles(subject, body string) []TemplateHole {
	return append(holesIn("subject", subject), holesIn("body", body)...)
}

// holesIn reads field line by line; a subject is one line with no bullets.
func holesIn(field, text string) []TemplateHole {
	var out []TemplateHole
	single := field != "body" && field != "text"
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, ">") {
			continue // quoted
		}
		if isForwardMarker(trimmed) {
			break // what follows was written by someone else
		}
		hole := func(kind, text string) {
			out = append(out, TemplateHole{Field: field, Line: i + 1, Kind: kind, Text: text})
		}
		if !single && isEmptyBullet(trimmed) {
			hole(HoleEmptyBullet, strings.TrimLeft(line, " \t"))
			continue
		}
		skip := 0
		if single {
			skip = leadingTags(line)
		}
		for _, q := range unanswered(line) {
			hole(HoleUnanswered, q)
		}
		for _, p := range placeholders(line, skip) {
			hole(HolePlaceholder, p)
		}
		for _, m := range markers(line) {
			hole(HoleMarker, m)
		}
	}
	return out
}

func isForwardMarker(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "---------- forwarded message") || strings.HasPrefix(l, "-----original message-----") ||
		strings.HasPrefix(l, "begin forwarded message:")
}

// isEmptyBullet: a list marker with nothing after it ("-", "*", "•", "+",
// "1.", "2)", or an empty checkbox "- [ ]"). A signature's "-- " is not one.
func isEmptyBullet(s string) bool {
	switch s {
	case "-", "*", "•", "+":
		return true
	}
	if n := len(s); n >= 2 && n <= 4 && (s[n-1] == '.' || s[n-1] == ')') && allDigits(s[:n-1]) {
		return true
	}
	if len(s) > 1 && strings.ContainsRune("-*+•", []rune(s)[0]) {
		rest := strings.TrimSpace(strings.TrimLeft(s, "-*+•"))
		return rest == "[ ]" || rest == "[]" || rest == "[x]" || rest == "[X]"
	}
	return false
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// mailTags are the tags mail systems put at the start of a subject.
var mailTags = map[string]bool{"external": true, "ext": true, "external email": true, "spam": true, "suspicious": true,
	"warning": true, "caution": true, "secure": true, "encrypt": true, "phishing": true, "bulk": true}

// leadingTags returns how many bytes of subject are reply prefixes and the
// tags mail systems and lists put first ("Re: [EXTERNAL] [bazel-discuss] …"),
// which are not placeholders.
func leadingTags(subject string) int {
	i := 0
	for {
		rest := subject[i:]
		t := strings.TrimLeft(rest, " ")
		i += len(rest) - len(t)
		low := strings.ToLower(t)
		switch {
		case strings.HasPrefix(low, "re:"), strings.HasPrefix(low, "fw:"), strings.HasPrefix(low, "aw:"):
			i += 3
			continue
		case strings.HasPrefix(low, "fwd:"):
			i += 4
			continue
		}
		if !strings.HasPrefix(t, "[") {
			return i
		}
		end := strings.IndexByte(t, ']')
		if end < 0 {
			return i
		}
		tag := t[1:end]
		if !mailTags[strings.ToLower(tag)] && !isListName(tag) {
			return i
		}
		i += end + 1
	}
}

// isListName: a mailing list's tag, lower-case words joined by hyphens.
func isListName(s string) bool {
	if !strings.Contains(s, "-") {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_') {
			return false
		}
	}
	return true
}

// unanswered finds the questions AnswerHole marked in line, by their text.
func unanswered(line string) []string {
	var out []string
	for {
		i := strings.Index(line, answerOpen)
		if i < 0 {
			return out
		}
		line = line[i+len(answerOpen):]
		end := strings.IndexByte(line, ']')
		if end < 0 {
			return append(out, strings.TrimSpace(line)) // cut short: still unanswered
		}
		out = append(out, strings.TrimSpace(line[:end]))
		line = line[end+1:]
	}
}

// editorial are bracketed words that are not placeholders.
var editorial = map[string]bool{"sic": true, "sic!": true, "citation needed": true, "redacted": true}

// placeholders finds [Bracketed] and {{ merge }} placeholders in line from
// byte from on.
func placeholders(line string, from int) []string {
	var out []string
	closes := true // whether a "}}" may still follow: keeps this linear
	for i := from; i < len(line); i++ {
		switch {
		case closes && strings.HasPrefix(line[i:], "{{"):
			end := strings.Index(line[i+2:], "}}")
			if end < 0 {
				closes = false
				continue
			}
			j := i + 2 + end + 2
			for j < len(line) && line[j] == '}' {
				j++ // {{{ triple }}}
			}
			out = append(out, line[i:j])
			i = j - 1
		case line[i] == '[':
			end := strings.IndexByte(line[i+1:], ']')
			if end < 0 {
				return out
			}
			j := i + 1 + end // the ']'
			if isPlaceholder(line, i, j) {
				out = append(out, line[i:j+1])
			}
			i = j
		}
	}
	return out
}

// isPlaceholder judges line[open:close+1], a [bracketed] run.
func isPlaceholder(line string, open, close int) bool {
	inner := line[open+1 : close]
	c := strings.TrimSpace(inner)
	if c == "" || strings.ContainsAny(inner, "[{") || utf8.RuneCountInString(c) > 60 {
		return false
	}
	if open > 0 {
		// arr[i], a link's second half [text][ref], [2][3]
		if r, _ := utf8.DecodeLastRuneInString(line[:open]); r == '_' || r == ']' || r == ')' || unicode.IsLetter(r) || unicode.IsDigit(r) {
			return false
		}
	}
	if next := line[close+1:]; strings.HasPrefix(next, "(") || strings.HasPrefix(next, "[") ||
		strings.HasPrefix(next, ":") && strings.TrimSpace(line[:open]) == "" {
		return false // a markdown link or a link definition
	}
	if (c == "x" || c == "X") && isListLead(line[:open]) {
		return false // a ticked checkbox
	}
	if editorial[strings.ToLower(c)] || strings.ContainsAny(c, ":@<>=/\\#") {
		return false // [sic], [image: logo], [mailto:…], a URL
	}
	letters := false
	for _, r := range c {
		if unicode.IsDigit(r) {
			return false // a footnote, a ticket, a date, a version
		}
		if unicode.IsLetter(r) {
			letters = true
		}
	}
	return letters
}

// isListLead: the text before a checkbox, "" or a bullet and spaces.
func isListLead(s string) bool {
	s = strings.TrimSpace(s)
	return s == "" || s == "-" || s == "*" || s == "+" || s == "•"
}

// markers finds upper-case TODO, FIXME and XXX (or longer runs of X) as
// whole words.
func markers(line string) []string {
	var out []string
	word := func(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		w := line[start:end]
		if w == "TODO" || w == "FIXME" || len(w) >= 3 && strings.Trim(w, "X") == "" {
			out = append(out, w)
		}
		start = -1
	}
	for i, r := range line {
		if word(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
	}
	flush(len(line))
	return out
}

// TemplateHoles finds the template holes in what an outgoing plan would
// send or create; a local note is the founder's own and has none.
func (p *Plan) TemplateHoles() []TemplateHole {
	if p == nil || !p.Outgoing {
		return nil
	}
	switch {
	case p.Email != nil:
		return FindTemplateHoles(p.Email.Subject, p.Email.Body)
	case p.Task != nil:
		return append(holesIn("title", p.Task.Subject), holesIn("body", p.Task.Body)...)
	case p.Social != nil:
		return holesIn("text", p.Social.Text)
	case p.Meeting != nil:
		return holesIn("title", p.Meeting.Title)
	}
	return nil
}

// DraftHoles finds the template holes in what executing m would send, from
// its draft as Plan reads it, for lists that show no plan.
func DraftHoles(m *Move) []TemplateHole {
	d := m.Draft
	switch m.Kind {
	case KindSendEmail:
		return FindTemplateHoles(d.Subject, d.Body)
	case KindCreateTask:
		return append(holesIn("title", nonEmpty(d.TaskTitle, m.Title)), holesIn("body", d.Body)...)
	case KindReplySocial:
		return holesIn("text", d.Body)
	case KindScheduleMeeting:
		return holesIn("title", nonEmpty(d.Subject, m.Title))
	}
	return nil
}

// holesError refuses to send a draft with holes, naming each.
func holesError(holes []TemplateHole) error {
	names := make([]string, len(holes))
	for i, h := range holes {
		names[i] = h.String()
	}
	return &Error{Code: EINVALID, Err: ErrTemplateHoles, Message: fmt.Sprintf("The draft still holds template text (%s); edit it before it is sent, or execute it with the template text allowed.", strings.Join(names, "; "))}
}

// ErrTemplateHoles is the cause of the EINVALID error that refuses a draft
// still holding template text; the UI offers to edit or override it.
var ErrTemplateHoles = errors.New("the draft holds template text")
