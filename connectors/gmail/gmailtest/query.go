package gmailtest

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// query is the part of Gmail's search syntax the fake understands: after:,
// before:, newer_than:, older_than:, rfc822msgid:, in:, label:, is:, from:,
// to:, subject:, a leading "-" to negate, and bare words (matched in the
// subject, sender and text). Anything else is a bare word, as in Gmail.
type query struct {
	terms          []term
	wantsSpamTrash bool
}

type term struct {
	neg bool
	fn  func(*stored) bool
}

func (q query) match(m *stored) bool {
	for _, t := range q.terms {
		if t.fn(m) == t.neg {
			return false
		}
	}
	return true
}

func parseQuery(s string, now time.Time) (query, error) {
	var q query
	for _, f := range strings.Fields(s) {
		neg := strings.HasPrefix(f, "-")
		f = strings.TrimPrefix(f, "-")
		op, val, hasOp := strings.Cut(f, ":")
		val = strings.Trim(val, `"`)
		var fn func(*stored) bool
		switch op = strings.ToLower(op); {
		case hasOp && (op == "after" || op == "before"):
			t, err := parseDate(val)
			if err != nil {
				return q, err
			}
			if op == "after" {
				fn = func(m *stored) bool { return !m.internal.Before(t) }
			} else {
				fn = func(m *stored) bool { return m.internal.Before(t) }
			}
		case hasOp && (op == "newer_than" || op == "older_than"):
			d, err := parseAge(val)
			if err != nil {
				return q, err
			}
			t := now.Add(-d)
			if op == "newer_than" {
				fn = func(m *stored) bool { return m.internal.After(t) }
			} else {
				fn = func(m *stored) bool { return m.internal.Before(t) }
			}
		case hasOp && op == "rfc822msgid":
			id := strings.Trim(val, "<>")
			fn = func(m *stored) bool { return strings.EqualFold(strings.Trim(m.messageID, "<>"), id) }
		case hasOp && (op == "in" || op == "label" || op == "is"):
			l := strings.ToUpper(val)
			switch l {
			case "ANYWHERE":
				q.wantsSpamTrash = true
				fn = func(*stored) bool { return true }
			case "SPAM", "TRASH":
				q.wantsSpamTrash = true
			}
			if fn == nil {
				fn = func(m *stored) bool { return hasLabel(m.labels, l) }
			}
		case hasOp && (op == "from" || op == "to" || op == "subject"):
			v := strings.ToLower(val)
			fn = func(m *stored) bool {
				switch op {
				case "from":
					return strings.Contains(strings.ToLower(m.from), v)
				case "to":
					return strings.Contains(strings.ToLower(m.to), v)
				}
				return strings.Contains(strings.ToLower(m.subject), v)
			}
		default:
			w := strings.ToLower(f)
			fn = func(m *stored) bool {
				return strings.Contains(strings.ToLower(m.subject), w) || strings.Contains(strings.ToLower(m.from), w) ||
					strings.Contains(strings.ToLower(m.text), w)
			}
		}
		q.terms = append(q.terms, term{neg: neg, fn: fn})
	}
	return q, nil
}

// parseDate reads an after:/before: value: epoch seconds or yyyy/mm/dd.
func parseDate(v string) (time.Time, error) {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.Unix(n, 0), nil
	}
	for _, layout := range []string{"2006/01/02", "2006/1/2", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("bad date %q", v)
}

// parseAge reads a newer_than:/older_than: value: 3d, 2m, 1y, 12h.
func parseAge(v string) (time.Duration, error) {
	if len(v) < 2 {
		return 0, fmt.Errorf("bad age %q", v)
	}
	n, err := strconv.Atoi(v[:len(v)-1])
	if err != nil {
		return 0, fmt.Errorf("bad age %q", v)
	}
	day := 24 * time.Hour
	switch v[len(v)-1] {
	case 'h':
		return time.Duration(n) * time.Hour, nil
	case 'd':
		return time.Duration(n) * day, nil
	case 'm':
		return time.Duration(n) * 30 * day, nil
	case 'y':
		return time.Duration(n) * 365 * day, nil
	}
	return 0, fmt.Errorf("bad age %q", v)
}
