package xtest

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// searchRecent is GET /2/tweets/search/recent: the last seven days'
// posts matching query, newest first.
func (s *Server) searchRecent(w http.ResponseWriter, r *http.Request) {
	q := parseQuery(r, []string{"query", "start_time", "end_time", "since_id", "until_id", "max_results", "next_token", "pagination_token", "sort_order"}, tweetExpansions)
	now := s.clock.Now()
	raw := q.v.Get("query")
	var m matcher
	switch _, present := q.v["query"]; {
	case !present:
		q.errs = append(q.errs, invalidParam{"query", "", "The `query` query parameter can not be empty"})
	case utf8.RuneCountInString(raw) > 512:
		q.errs = append(q.errs, invalidParam{"query", raw, fmt.Sprintf("The `query` query parameter value [%s] is not valid: maximum length is 512", raw)})
	default:
		var err error
		if m, err = parseSearch(raw); err != nil {
			q.errs = append(q.errs, invalidParam{"query", raw, "There were errors processing your request: " + err.Error()})
		}
	}
	max := q.intParam("max_results", 10, 100, 10)
	f := filter{sinceID: q.idParam("since_id"), untilID: q.idParam("until_id"), start: q.timeParam("start_time"), end: q.timeParam("end_time")}
	oldest := now.Add(-7 * 24 * time.Hour)
	if !f.start.IsZero() && f.start.Before(oldest) {
		q.errs = append(q.errs, invalidParam{"start_time", q.v.Get("start_time"),
			fmt.Sprintf("Invalid 'start_time':'%s'. 'start_time' must be on or after %s", q.v.Get("start_time"), oldest.UTC().Format("2006-01-02T15:04Z"))})
	}
	if !f.end.IsZero() && f.end.After(now.Add(-10*time.Second)) {
		q.errs = append(q.errs, invalidParam{"end_time", q.v.Get("end_time"),
			fmt.Sprintf("Invalid 'end_time':'%s'. 'end_time' must be a minimum of 10 seconds prior to the request time.", q.v.Get("end_time"))})
	}
	_, next := q.v["next_token"]
	_, pag := q.v["pagination_token"]
	switch {
	case next && pag:
		q.errs = append(q.errs, invalidParam{"pagination_token", q.v.Get("pagination_token"), "Only one of next_token or pagination_token may be used"})
	case next:
		f.after = q.cursor("next_token", "s")
	case pag:
		f.after = q.cursor("pagination_token", "s")
	}
	if so, ok := q.v["sort_order"]; ok && so[0] != "recency" && so[0] != "relevancy" {
		q.errs = append(q.errs, invalidParam{"sort_order", so[0], fmt.Sprintf("The `sort_order` query parameter value [%s] is not one of [recency,relevancy]", so[0])})
	}
	if len(q.errs) > 0 {
		writeInvalid(w, q.errs...)
		return
	}
	if f.start.IsZero() || f.start.Before(oldest) {
		f.start = oldest
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.emptySearch > 0 {
		// X filters after paging: a page may come back empty with a
		// next_token that goes on from the same place.
		s.emptySearch--
		from := f.after
		if from == "" {
			from = "9999999999999999999"
		}
		writeJSON(w, http.StatusOK, map[string]any{"meta": map[string]any{"result_count": 0, "next_token": makeCursor("s", from)}})
		return
	}
	var list []*Tweet
	for i := len(s.order) - 1; i >= 0; i-- {
		t := s.order[i]
		if !t.Deleted && f.keep(t) && !t.CreatedAt.After(now) && m(s.view(t)) {
			list = append(list, t)
		}
	}
	s.writePage(w, q, list, max, "s", "next_token")
}

// EmptySearchPages makes the next n recent-search pages come back as X
// sometimes sends them, filtered after paging: no data, result_count 0 and
// a next_token that goes on where the page would have started.
func (s *Server) EmptySearchPages(n int) { s.mu.Lock(); s.emptySearch = n; s.mu.Unlock() }

// postView is what a search operator looks at; s.mu is held to build it.
type postView struct {
	t       *Tweet
	tokens  []string
	author  string // username
	replyTo string // username answered
}

func (s *Server) view(t *Tweet) postView {
	v := postView{t: t, tokens: tokenize(t.Text)}
	if u := s.users[t.AuthorID]; u != nil {
		v.author = u.Username
	}
	if p := s.tweets[t.InReplyToID]; p != nil {
		if u := s.users[p.AuthorID]; u != nil {
			v.replyTo = u.Username
		}
	}
	return v
}

// tokenize splits a text as X's keyword matching does: lower case, on
// anything that is not a letter, digit or underscore.
func tokenize(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_')
	})
}

type matcher func(postView) bool

var (
	handleRe = regexp.MustCompile(`(^|[^\w@])@(\w{1,15})`)
	hashRe   = regexp.MustCompile(`(^|[^\w#])#(\w+)`)
	linkRe   = regexp.MustCompile(`(?i)https?://\S+`)
)

// parseSearch compiles X's query language, the part CaseyOS's watch list
// uses: keywords and "phrases" (AND by a space, OR, -negation,
// parentheses), @user, #tag, from:, to:, url:, lang:, is:retweet,
// is:reply, is:quote, has:links, has:mentions, has:hashtags. As on X, a
// query needs one positive standalone term: is:, has: and lang: only
// narrow one, and a query of negations alone is refused.
func parseSearch(raw string) (matcher, error) {
	toks, err := lexSearch(raw)
	if err != nil {
		return nil, err
	}
	p := &searchParser{toks: toks}
	m, standalone, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.i < len(p.toks) {
		return nil, fmt.Errorf("Unexpected ')' at position %d", p.i)
	}
	if !standalone {
		return nil, errors.New("There must be at least one positive standalone operator (a keyword, phrase, @mention, #hashtag, from:, to: or url:) in the query.")
	}
	return m, nil
}

type searchTok struct {
	text   string
	neg    bool
	quoted bool
}

func lexSearch(raw string) ([]searchTok, error) {
	var out []searchTok
	rs := []rune(raw)
	for i := 0; i < len(rs); {
		c := rs[i]
		switch {
		case unicode.IsSpace(c):
			i++
		case c == '(' || c == ')':
			out = append(out, searchTok{text: string(c)})
			i++
		default:
			neg := false
			if c == '-' && i+1 < len(rs) && !unicode.IsSpace(rs[i+1]) {
				neg = true
				i++
				if rs[i] == '(' {
					out = append(out, searchTok{text: "(", neg: true})
					i++
					continue
				}
			}
			if rs[i] == '"' {
				j := i + 1
				for j < len(rs) && rs[j] != '"' {
					j++
				}
				if j >= len(rs) {
					return nil, errors.New("Unbalanced quotes in the query")
				}
				out = append(out, searchTok{text: string(rs[i+1 : j]), neg: neg, quoted: true})
				i = j + 1
				continue
			}
			j := i
			for j < len(rs) && !unicode.IsSpace(rs[j]) && rs[j] != '(' && rs[j] != ')' {
				if rs[j] == '"' { // url:"…", from:"…" are not needed; a quote ends a word
					break
				}
				j++
			}
			word := string(rs[i:j])
			if strings.HasSuffix(word, ":") && j < len(rs) && rs[j] == '"' {
				k := j + 1
				for k < len(rs) && rs[k] != '"' {
					k++
				}
				if k >= len(rs) {
					return nil, errors.New("Unbalanced quotes in the query")
				}
				word += string(rs[j+1 : k])
				j = k + 1
			}
			out = append(out, searchTok{text: word, neg: neg})
			i = j
		}
	}
	return out, nil
}

type searchParser struct {
	toks []searchTok
	i    int
}

// or is and ("OR" and)*; standalone reports a positive standalone term in
// every branch.
func (p *searchParser) or() (matcher, bool, error) {
	m, st, err := p.and()
	if err != nil {
		return nil, false, err
	}
	for p.i < len(p.toks) && p.toks[p.i].text == "OR" && !p.toks[p.i].quoted {
		p.i++
		n, st2, err := p.and()
		if err != nil {
			return nil, false, err
		}
		a, b := m, n
		m = func(v postView) bool { return a(v) || b(v) }
		st = st && st2
	}
	return m, st, nil
}

func (p *searchParser) and() (matcher, bool, error) {
	var ms []matcher
	st := false
	for p.i < len(p.toks) {
		t := p.toks[p.i]
		if (t.text == "OR" && !t.quoted) || (t.text == ")" && !t.quoted) {
			break
		}
		p.i++
		var m matcher
		var standalone bool
		if t.text == "(" && !t.quoted {
			inner, s2, err := p.or()
			if err != nil {
				return nil, false, err
			}
			if p.i >= len(p.toks) || p.toks[p.i].text != ")" {
				return nil, false, errors.New("Unbalanced parentheses in the query")
			}
			p.i++
			m, standalone = inner, s2
		} else {
			var err error
			if m, standalone, err = atom(t); err != nil {
				return nil, false, err
			}
		}
		if t.neg {
			inner := m
			m = func(v postView) bool { return !inner(v) }
			standalone = false
		}
		st = st || standalone
		ms = append(ms, m)
	}
	if len(ms) == 0 {
		return nil, false, errors.New("Empty group in the query")
	}
	return func(v postView) bool {
		for _, m := range ms {
			if !m(v) {
				return false
			}
		}
		return true
	}, st, nil
}

// atom compiles one term; standalone is false for the operators X only
// allows next to another.
func atom(t searchTok) (matcher, bool, error) {
	if t.quoted {
		phrase := tokenize(t.text)
		return func(v postView) bool { return hasRun(v.tokens, phrase) }, true, nil
	}
	w := t.text
	switch {
	case strings.HasPrefix(w, "@") && len(w) > 1:
		h := strings.ToLower(w[1:])
		return func(v postView) bool {
			for _, m := range mentionHandles(v.t.Text) {
				if strings.ToLower(m) == h {
					return true
				}
			}
			return false
		}, true, nil
	case strings.HasPrefix(w, "#") && len(w) > 1:
		tag := strings.ToLower(w[1:])
		return func(v postView) bool {
			for _, m := range hashRe.FindAllStringSubmatch(v.t.Text, -1) {
				if strings.ToLower(m[2]) == tag {
					return true
				}
			}
			return false
		}, true, nil
	}
	op, arg, isOp := strings.Cut(w, ":")
	if isOp && op != "" && isLetters(op) && arg != "" && !strings.HasPrefix(arg, "//") {
		arg = strings.ToLower(strings.TrimPrefix(arg, "@"))
		switch op {
		case "from":
			return func(v postView) bool { return strings.ToLower(v.author) == arg }, true, nil
		case "to":
			return func(v postView) bool { return strings.ToLower(v.replyTo) == arg }, true, nil
		case "url":
			return func(v postView) bool { return strings.Contains(strings.ToLower(v.t.Text), arg) }, true, nil
		case "lang":
			return func(v postView) bool { return strings.ToLower(v.t.Lang) == arg }, false, nil
		case "is":
			switch arg {
			case "retweet":
				return func(v postView) bool { return v.t.RetweetOfID != "" }, false, nil
			case "reply":
				return func(v postView) bool { return v.t.InReplyToID != "" }, false, nil
			case "quote":
				return func(v postView) bool { return v.t.QuotedID != "" }, false, nil
			}
		case "has":
			switch arg {
			case "links":
				return func(v postView) bool { return linkRe.MatchString(v.t.Text) }, false, nil
			case "mentions":
				return func(v postView) bool { return len(mentionHandles(v.t.Text)) > 0 }, false, nil
			case "hashtags":
				return func(v postView) bool { return hashRe.MatchString(v.t.Text) }, false, nil
			}
		}
		return nil, false, fmt.Errorf("Reference to invalid operator '%s:%s'.", op, arg)
	}
	kw := tokenize(w)
	if len(kw) == 0 {
		return func(postView) bool { return true }, false, nil
	}
	return func(v postView) bool { return hasRun(v.tokens, kw) }, true, nil
}

func isLetters(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) && r != '_' {
			return false
		}
	}
	return true
}

// hasRun reports whether want occurs as consecutive tokens in toks.
func hasRun(toks, want []string) bool {
	if len(want) == 0 {
		return false
	}
	for i := 0; i+len(want) <= len(toks); i++ {
		ok := true
		for j, w := range want {
			if toks[i+j] != w {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}
