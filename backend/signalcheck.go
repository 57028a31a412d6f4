package backend

import (
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// What a signal from any source (an import, a webhook, a connector's poll)
// may hold. Signal.Normalize cleans text and Signal.Validate refuses the
// rest, so that one bad record is reported on its own and never reaches the
// store, where it would fail the whole batch's transaction.
//
//   - Times lie in [MinSignalTime, MaxSignalTime); occurred_at also at most
//     MaxSignalSkew after the clock (ValidateAt). Meetings, close dates and
//     payload times (demo_at, returns_at) may be in the future.
//   - Identifiers (ids, dedupe keys, thread and message ids, addresses) are
//     valid UTF-8 without control characters or U+FFFD and at most MaxIDLen bytes:
//     they are keys and end up in mail headers, so they are refused, never
//     rewritten.
//   - Text a person reads (names, subjects, snippets, post text, form
//     fields) is cleaned: invalid UTF-8 becomes U+FFFD, control characters
//     are dropped (one-line fields turn line breaks and tabs into spaces;
//     longer text keeps newlines and tabs), and it is cut to MaxTextLine or
//     MaxText bytes.
//   - Amounts are finite and at most MaxAmount.

// Signal time bounds. Before 1970 a time has no big-endian unix-nanosecond
// key; far in the future the times derived from it (a due date a day
// later) no longer fit the store's encoding.
var (
	MinSignalTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	MaxSignalTime = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// MaxSignalSkew is how far after the clock a signal's occurred_at may be:
// room for a source's clock running ahead, not for a date typed wrong.
const MaxSignalSkew = 24 * time.Hour

// Field bounds.
const (
	MaxIDLen    = 512      // bytes of an id, a dedupe key or an address
	MaxTextLine = 1000     // bytes of a one-line text field (RFC 5322's line limit is 998)
	MaxText     = 64 << 10 // bytes of a longer text field
	MaxAmount   = 1e15     // a deal amount or expected ARR
)

// CheckTime returns an EINVALID error naming field when t is outside
// [MinSignalTime, MaxSignalTime). The zero time is out of range too: a
// caller whose field is optional checks IsZero first.
func CheckTime(field string, t time.Time) error {
	if t.Before(MinSignalTime) || !t.Before(MaxSignalTime) {
		return Errorf(EINVALID, "%s %s is out of range: times must be between %s and %s",
			field, t.UTC().Format(time.RFC3339), MinSignalTime.Format("2006-01-02"), MaxSignalTime.Format("2006-01-02"))
	}
	return nil
}

// ValidateAt is Validate plus the check that needs the clock: occurred_at
// is at most MaxSignalSkew after now. A meeting's future lives in
// meeting.start, not in occurred_at.
func (s *Signal) ValidateAt(now time.Time) error {
	if err := s.Validate(); err != nil {
		return err
	}
	if s.OccurredAt.After(now.Add(MaxSignalSkew)) {
		return Errorf(EINVALID, "occurred_at %s is out of range: it is more than %s after now (%s)",
			s.OccurredAt.UTC().Format(time.RFC3339), fmtSkew(MaxSignalSkew), now.UTC().Format(time.RFC3339))
	}
	return nil
}

func fmtSkew(d time.Duration) string {
	return strings.TrimSuffix(strings.TrimSuffix(d.String(), "0s"), "0m")
}

// checkTimes checks every time the signal carries.
func (s *Signal) checkTimes() error {
	if s.OccurredAt.IsZero() {
		return Errorf(EINVALID, "signal %s needs occurred_at", s.Type)
	}
	var err error
	opt := func(field string, t time.Time) {
		if err == nil && !t.IsZero() {
			err = CheckTime(field, t)
		}
	}
	opt("occurred_at", s.OccurredAt)
	if c := s.Contact; c != nil {
		opt("contact.last_activity_at", c.LastActivityAt)
		opt("contact.created_at", c.CreatedAt)
	}
	if d := s.Deal; d != nil {
		opt("deal.close_date", d.CloseDate)
		opt("deal.last_activity_at", d.LastActivityAt)
		opt("deal.stage_changed_at", d.StageChangedAt)
	}
	if e := s.Email; e != nil {
		opt("email.received_at", e.ReceivedAt)
	}
	if m := s.Meeting; m != nil {
		opt("meeting.start", m.Start)
		opt("meeting.end", m.End)
	}
	if err != nil || len(s.Payload) == 0 {
		return err
	}
	for _, k := range payloadTimes {
		v, ok := s.Payload[k]
		if !ok {
			continue
		}
		t, perr := time.Parse(time.RFC3339, v)
		if perr != nil {
			return Errorf(EINVALID, "payload.%s %q is not an RFC 3339 time like 2026-11-22T09:00:00Z", k, v)
		}
		if err := CheckTime("payload."+k, t); err != nil {
			return err
		}
	}
	return nil
}

// payloadTimes are the payload keys that hold times.
var payloadTimes = []string{"demo_at", "returns_at"}

// payloadIDs are the payload keys that hold identifiers: refused when bad,
// never cleaned.
var payloadIDs = []string{"duplicate_id", "address", "bounced_address"}

// checkIDs refuses identifiers that are not valid UTF-8, hold a control
// character or are too long.
func (s *Signal) checkIDs() error {
	var err error
	id := func(field, v string) {
		if err == nil && v != "" {
			err = checkID(field, v)
		}
	}
	ids := func(field string, vs []string) {
		for _, v := range vs {
			id(field, v)
		}
	}
	id("dedupe_key", s.DedupeKey)
	id("contact_id", s.ContactID)
	id("company_id", s.CompanyID)
	id("deal_id", s.DealID)
	id("thread_id", s.ThreadID)
	if c := s.Contact; c != nil {
		id("contact.id", c.ID)
		id("contact.email", c.Email)
		id("contact.company_id", c.CompanyID)
		id("contact.timezone", c.Timezone)
		id("contact.source", c.Source)
	}
	if c := s.Company; c != nil {
		id("company.id", c.ID)
		id("company.source", c.Source)
	}
	if d := s.Deal; d != nil {
		id("deal.id", d.ID)
		id("deal.company_id", d.CompanyID)
		ids("deal.contact_ids", d.ContactIDs)
	}
	if e := s.Email; e != nil {
		id("email.thread_id", e.ThreadID)
		id("email.message_id", e.MessageID)
		id("email.from", e.From)
		ids("email.to", e.To)
	}
	if m := s.Meeting; m != nil {
		id("meeting.id", m.ID)
		ids("meeting.attendees", m.Attendees)
	}
	if p := s.Post; p != nil {
		id("post.id", p.ID)
		id("post.author", p.Author)
		id("post.conversation_id", p.ConversationID)
		id("post.in_reply_to", p.InReplyTo)
	}
	if len(s.Payload) > 0 {
		for _, k := range payloadIDs {
			if v, ok := s.Payload[k]; ok {
				id("payload."+k, v)
			}
		}
	}
	return err
}

// checkID refuses an identifier that is not valid UTF-8, holds a control
// character or is longer than MaxIDLen bytes.
func checkID(field, v string) error {
	if len(v) > MaxIDLen {
		return Errorf(EINVALID, "%s is longer than %d bytes", field, MaxIDLen)
	}
	if !utf8.ValidString(v) {
		return Errorf(EINVALID, "%s is not valid UTF-8", field)
	}
	for _, r := range v {
		if r == utf8.RuneError {
			// What a byte that was not UTF-8 became on the way (in
			// strings.ToLower, in a JSON decoder): the id is garbled.
			return Errorf(EINVALID, "%s is not valid UTF-8 (it holds U+FFFD)", field)
		}
		if isControl(r) {
			return Errorf(EINVALID, "%s contains a control character (U+%04X)", field, r)
		}
	}
	return nil
}

// checkAmounts refuses amounts that are not finite or absurdly large: a
// NaN or an infinity cannot be stored, and would fail the whole batch.
func (s *Signal) checkAmounts() error {
	ok := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) && math.Abs(v) <= MaxAmount }
	if c := s.Company; c != nil && !ok(c.ExpectedARR) {
		return Errorf(EINVALID, "company %s: expected ARR must be a number up to %.0f", c.ID, MaxAmount)
	}
	if d := s.Deal; d != nil && !ok(d.Amount) {
		return Errorf(EINVALID, "deal %s: amount must be a number up to %.0f", d.ID, MaxAmount)
	}
	return nil
}

// isControl reports whether r is a C0 or C1 control character or DEL.
func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) }

// CleanLine returns s as one line of text a person can read: invalid UTF-8
// replaced by U+FFFD, line breaks and tabs turned into spaces, other control
// characters dropped, at most MaxTextLine bytes (cut text ends in "…").
func CleanLine(s string) string { return cleanString(s, false, MaxTextLine) }

// CleanText is CleanLine for longer text: newlines and tabs stay (CR LF and
// a lone CR become a newline), and the bound is MaxText bytes.
func CleanText(s string) string { return cleanString(s, true, MaxText) }

func cleanString(s string, multiline bool, max int) string {
	if len(s) <= max && isClean(s, multiline) {
		return s
	}
	var b strings.Builder
	b.Grow(min(len(s), max))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			b.WriteRune(utf8.RuneError)
			for i += n; i < len(s); i++ { // a run of bad bytes is one replacement
				if r, n := utf8.DecodeRuneInString(s[i:]); r != utf8.RuneError || n > 1 {
					break
				}
			}
			continue
		case r == '\r' && multiline:
			if !strings.HasPrefix(s[i+n:], "\n") {
				b.WriteByte('\n')
			}
		case r == '\n' || r == '\t':
			if multiline {
				b.WriteRune(r)
			} else {
				b.WriteByte(' ')
			}
		case r == '\r' || r == '\u2028' || r == '\u2029':
			if multiline {
				b.WriteByte('\n')
			} else {
				b.WriteByte(' ')
			}
		case isControl(r):
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
		if b.Len() > max {
			break
		}
	}
	out := b.String()
	if len(out) > max {
		const ellipsis = "…"
		cut := max - len(ellipsis)
		for cut > 0 && !utf8.RuneStart(out[cut]) {
			cut--
		}
		out = out[:cut] + ellipsis
	}
	return out
}

func isClean(s string, multiline bool) bool {
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			return false // possibly a bad byte: let clean decide
		case r == '\n' || r == '\t':
			if !multiline {
				return false
			}
		case isControl(r), r == '\u2028', r == '\u2029':
			return false
		}
	}
	return true
}

// cleanText cleans every text field of s in place.
func (s *Signal) cleanText() {
	line := func(p *string) { *p = CleanLine(*p) }
	lines := func(vs []string) {
		for i := range vs {
			vs[i] = CleanLine(vs[i])
		}
	}
	if c := s.Contact; c != nil {
		line(&c.Name)
		line(&c.Title)
		line(&c.Lifecycle)
		line(&c.Owner)
		// A phone is free text in a CRM ("office, ask for Sam"): kept as
		// one short line, read in E.164 by dedupe when it is one.
		c.Phone = cleanString(c.Phone, false, MaxPhone)
	}
	if c := s.Company; c != nil {
		line(&c.Name)
		line(&c.Domain)
		line(&c.Industry)
		line(&c.Country)
		lines(c.Tags)
	}
	if d := s.Deal; d != nil {
		line(&d.Name)
		line(&d.Currency)
		line(&d.Stage)
		line(&d.Pipeline)
	}
	if e := s.Email; e != nil {
		line(&e.FromName)
		line(&e.Subject)
		e.Snippet = CleanText(e.Snippet)
		e.Body = CleanText(e.Body)
		e.Quoted = CleanText(e.Quoted)
	}
	if m := s.Meeting; m != nil {
		line(&m.Title)
		line(&m.Link)
	}
	if p := s.Post; p != nil {
		p.Text = CleanText(p.Text)
		line(&p.URL)
		line(&p.Competitor)
		line(&p.AuthorName)
		line(&p.Keyword)
	}
	if f := s.Form; f != nil {
		line(&f.Form)
		f.Fields = cleanMap(f.Fields, func(_, v string) string { return CleanText(v) })
	}
	s.Payload = cleanMap(s.Payload, func(k, v string) string {
		for _, id := range payloadIDs {
			if k == id {
				return v
			}
		}
		return CleanLine(v)
	})
}

// cleanMap cleans keys (one line) and values; it returns m itself when
// nothing changes.
func cleanMap(m map[string]string, value func(k, v string) string) map[string]string {
	dirty := false
	for k, v := range m {
		if !isClean(k, false) || len(k) > MaxTextLine || value(k, v) != v {
			dirty = true
			break
		}
	}
	if !dirty {
		return m
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[CleanLine(k)] = value(k, v)
	}
	return out
}

// cleanText cleans the text of an edited draft as Normalize cleans a
// signal's: what it sends reads the same, without NULs, control
// characters or invalid UTF-8.
func (d *Draft) cleanText() {
	d.Subject = CleanLine(d.Subject)
	d.TaskTitle = CleanLine(d.TaskTitle)
	d.Body = CleanText(d.Body)
	if len(d.Fields) > 0 {
		d.Fields = cleanMap(d.Fields, func(_, v string) string { return CleanText(v) })
	}
}
