package x

import (
	"context"
	"encoding/json"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// A sync pass reads two kinds of stream, a page per Poll: the user's
// mentions, then each watch-list query of recent search. Each stream keeps
// since_id (X's ids grow with time) so a pass asks only for what is new;
// while it pages back through a burst it keeps the newest id of its first
// page and the page token, and moves since_id only when it reaches the end,
// so a pass cut short (a crash, a 429) resumes where it stopped and loses
// nothing. The cursor the sync engine stores holds all of it.

// searchRetry is how long a refused search (the app's access level has
// none) is left alone before it is tried again.
const searchRetry = 24 * time.Hour

// firstLook is how far back the first poll of mentions reaches: the
// recent search's own seven days, older mentions being past replying to.
const firstLook = 7 * 24 * time.Hour

// MaxQueryLength is recent search's limit on a query, in characters.
const MaxQueryLength = 512

// cursorVersion is the stored cursor's format.
const cursorVersion = 1

type cursorState struct {
	V        int               `json:"v"`
	Mentions stream            `json:"mentions"`
	Search   map[string]stream `json:"search,omitempty"` // by query
	// Phase is where the pass is: "" (mentions, then search) or
	// "search" (mentions are done; Query is the next query).
	Phase string `json:"phase,omitempty"`
	Query int    `json:"query,omitempty"`
	// SearchRefused is X's refusal of search, kept with its time so the
	// status can say it and search is not asked every pass.
	SearchRefused   string    `json:"search_refused,omitempty"`
	SearchRefusedAt time.Time `json:"search_refused_at,omitzero"`
}

type stream struct {
	Since  string `json:"since,omitempty"`  // since_id: everything up to it is stored
	Newest string `json:"newest,omitempty"` // the first page's meta.newest_id while paging
	Token  string `json:"token,omitempty"`  // the next page while paging
}

func parseCursor(s string) cursorState {
	var c cursorState
	if s == "" || json.Unmarshal([]byte(s), &c) != nil || c.V != cursorVersion {
		return cursorState{V: cursorVersion}
	}
	return c
}

func (c cursorState) String() string {
	b, _ := json.Marshal(c)
	return string(b)
}

// Tweet is a post as the API returns it.
type Tweet struct {
	ID               string    `json:"id"`
	Text             string    `json:"text"`
	AuthorID         string    `json:"author_id"`
	CreatedAt        time.Time `json:"created_at"`
	ConversationID   string    `json:"conversation_id"`
	InReplyToUserID  string    `json:"in_reply_to_user_id"`
	ReferencedTweets []struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	} `json:"referenced_tweets"`
}

// repliesTo is the id of the post t answers, "" when none.
func (t Tweet) repliesTo() string {
	for _, r := range t.ReferencedTweets {
		if r.Type == "replied_to" {
			return r.ID
		}
	}
	return ""
}

// retweet reports a repost: it says nothing new.
func (t Tweet) retweet() bool {
	for _, r := range t.ReferencedTweets {
		if r.Type == "retweeted" {
			return true
		}
	}
	return false
}

// timelinePage is one page of mentions, search or a user's posts. An
// empty page has no data key.
type timelinePage struct {
	Data     []Tweet `json:"data"`
	Includes struct {
		Users []User `json:"users"`
	} `json:"includes"`
	Meta struct {
		ResultCount int    `json:"result_count"`
		NewestID    string `json:"newest_id"`
		NextToken   string `json:"next_token"`
	} `json:"meta"`
	Errors []Problem `json:"errors"`
}

var (
	tweetFields = "created_at,conversation_id,in_reply_to_user_id,referenced_tweets,author_id"
	userFields  = "name,username,public_metrics,verified"
)

// More reports whether the last Poll stopped before the end of the pass.
func (c *Client) More() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.more
}

// Note says what the last pass could not read (search refused by the
// access level); "" when it read everything it was asked to.
func (c *Client) Note() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.note
}

// Poll fetches one page: of mentions, or of a watch-list query once the
// mentions are done. The signals come with the cursor after the page.
func (c *Client) Poll(ctx context.Context, cursor string) ([]*backend.Signal, string, error) {
	cur := parseCursor(cursor)
	me, err := c.self(ctx)
	if err != nil {
		return nil, cursor, err
	}
	queries := c.queries(ctx, me)
	now := c.clock.Now()
	if cur.SearchRefused != "" && now.Sub(cur.SearchRefusedAt) >= searchRetry {
		cur.SearchRefused = "" // try again: the app may have been upgraded
	}
	c.setNote(cur, queries)
	if cur.Phase != "search" {
		sigs, done, err := c.mentionsPage(ctx, me, &cur.Mentions, now)
		if err != nil {
			return nil, cursor, err
		}
		if done {
			cur.Phase, cur.Query = "search", 0
		}
		more := c.finishPhase(&cur, queries)
		c.setMore(more)
		return sigs, cur.String(), nil
	}
	if cur.Query >= len(queries.list) {
		c.finishPhase(&cur, queries)
		c.setMore(false)
		return nil, cur.String(), nil
	}
	q := queries.list[cur.Query]
	if cur.Search == nil {
		cur.Search = map[string]stream{}
	}
	st := cur.Search[q]
	sigs, done, err := c.searchPage(ctx, me, q, queries, &st)
	if err != nil {
		if p := notEnrolled(err); p != nil {
			cur.SearchRefused, cur.SearchRefusedAt = "X's recent search is not part of this X app's access level, so the watch list (competitors and keywords) is not searched; mentions still sync", now
			c.setNote(cur, queries)
			cur.Phase, cur.Query = "", 0
			c.setMore(false)
			return nil, cur.String(), nil
		}
		return nil, cursor, err
	}
	cur.Search[q] = st
	if done {
		cur.Query++
	}
	more := c.finishPhase(&cur, queries)
	c.setMore(more)
	return sigs, cur.String(), nil
}

// finishPhase ends the pass once every stream is read (or search is
// refused, or there is nothing to search), dropping the streams of
// queries the watch list no longer has; it reports whether the pass goes
// on.
func (c *Client) finishPhase(cur *cursorState, queries watchQueries) bool {
	if cur.Phase == "search" && (cur.SearchRefused != "" || cur.Query >= len(queries.list)) {
		cur.Phase, cur.Query = "", 0
		for q := range cur.Search {
			if !queries.has(q) {
				delete(cur.Search, q)
			}
		}
		return false
	}
	return true
}

func (c *Client) setMore(v bool) {
	c.mu.Lock()
	c.more = v
	c.mu.Unlock()
}

func (c *Client) setNote(cur cursorState, queries watchQueries) {
	note := ""
	if cur.SearchRefused != "" && len(queries.list) > 0 {
		note = cur.SearchRefused
	}
	c.mu.Lock()
	c.note = note
	c.mu.Unlock()
}

func notEnrolled(err error) *Problem {
	var p *Problem
	for e := err; e != nil; e = unwrap(e) {
		if q, ok := e.(*Problem); ok {
			p = q
			break
		}
	}
	if p != nil && p.Status == http.StatusForbidden && p.notEnrolled() {
		return p
	}
	return nil
}

func unwrap(err error) error {
	u, ok := err.(interface{ Unwrap() error })
	if !ok {
		return nil
	}
	return u.Unwrap()
}

// mentionsPage reads one page of the user's mentions into signals and
// moves st; done says the stream is read to the end.
func (c *Client) mentionsPage(ctx context.Context, me User, st *stream, now time.Time) ([]*backend.Signal, bool, error) {
	q := url.Values{
		"max_results":  {itoa(c.page)},
		"expansions":   {"author_id"},
		"tweet.fields": {tweetFields},
		"user.fields":  {userFields},
	}
	switch {
	case st.Token != "":
		q.Set("pagination_token", st.Token)
	}
	if st.Since != "" {
		q.Set("since_id", st.Since)
	} else {
		q.Set("start_time", now.Add(-firstLook).UTC().Format(time.RFC3339))
	}
	var page timelinePage
	if _, err := c.do(ctx, "x.Poll", "mentions", http.MethodGet, "/2/users/"+me.ID+"/mentions", q, nil, &page); err != nil {
		return nil, false, err
	}
	sigs := c.signals(ctx, me, page, nil)
	return sigs, advance(st, page), nil
}

// searchPage reads one page of a watch-list query.
func (c *Client) searchPage(ctx context.Context, me User, query string, w watchQueries, st *stream) ([]*backend.Signal, bool, error) {
	q := url.Values{
		"query":        {query},
		"max_results":  {itoa(c.page)},
		"expansions":   {"author_id"},
		"tweet.fields": {tweetFields},
		"user.fields":  {userFields},
	}
	if st.Token != "" {
		q.Set("next_token", st.Token)
	}
	if st.Since != "" && !tooOld(st.Since, c.clock.Now()) {
		// Recent search refuses a since_id from before its seven days
		// (400): after a week away, search them all again (the dedupe
		// keys drop what is stored).
		q.Set("since_id", st.Since)
	}
	var page timelinePage
	if _, err := c.do(ctx, "x.Poll", "search", http.MethodGet, "/2/tweets/search/recent", q, nil, &page); err != nil {
		return nil, false, err
	}
	sigs := c.signals(ctx, me, page, &w)
	return sigs, advance(st, page), nil
}

// advance moves a stream past page: the token to the next page, or, at the
// end, since_id to the newest id the stream has seen.
func advance(st *stream, page timelinePage) bool {
	if st.Token == "" && page.Meta.NewestID != "" {
		st.Newest = page.Meta.NewestID // the first page of this run
	}
	for _, t := range page.Data {
		if idGreater(t.ID, st.Newest) {
			st.Newest = t.ID
		}
	}
	// Search may answer a page with nothing on it and a next_token (X
	// filters after paging): the rest is still there. A token repeated
	// would never end.
	if page.Meta.NextToken != "" && page.Meta.NextToken != st.Token {
		st.Token = page.Meta.NextToken
		return false
	}
	if idGreater(st.Newest, st.Since) {
		st.Since = st.Newest
	}
	st.Newest, st.Token = "", ""
	return true
}

// snowflakeEpoch is the time X's ids count from (2010-11-04T01:42:54.657Z).
const snowflakeEpoch = 1288834974657

// IDTime is when the X id was made: its top bits are milliseconds since
// snowflakeEpoch.
func IDTime(id string) (time.Time, bool) {
	if !ValidID(id) {
		return time.Time{}, false
	}
	n, ok := new(big.Int).SetString(id, 10)
	if !ok || !n.IsInt64() {
		return time.Time{}, false
	}
	return time.UnixMilli(n.Int64()>>22 + snowflakeEpoch), true
}

// tooOld reports a since_id recent search would refuse: older than its
// seven days, with a minute to spare.
func tooOld(id string, now time.Time) bool {
	t, ok := IDTime(id)
	return ok && t.Before(now.Add(-firstLook+time.Minute))
}

// idGreater compares X ids as numbers; a malformed id is never greater.
func idGreater(a, b string) bool {
	if !ValidID(a) {
		return false
	}
	if !ValidID(b) {
		return true
	}
	x, _ := new(big.Int).SetString(a, 10)
	y, _ := new(big.Int).SetString(b, 10)
	return x.Cmp(y) > 0
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// signals maps a page's posts. A post of our own, a repost, or one
// without a usable id or author is left out. From a search (w != nil),
// the post names the watch-list term it matched: a competitor makes it a
// social.competitor_mention.
func (c *Client) signals(ctx context.Context, me User, page timelinePage, w *watchQueries) []*backend.Signal {
	users := map[string]User{}
	for _, u := range page.Includes.Users {
		users[u.ID] = u
	}
	handles, _ := c.dir.(backend.HandleDirectory)
	var out []*backend.Signal
	for _, t := range page.Data {
		if !ValidID(t.ID) || t.AuthorID == me.ID || t.retweet() {
			continue
		}
		u, ok := users[t.AuthorID]
		if !ok || !backend.ValidHandle(u.Username) {
			continue // no author X would let us address
		}
		p := &backend.Post{
			ID: t.ID, Author: u.Username, AuthorName: u.Name, Text: t.Text,
			URL:       "https://x.com/" + u.Username + "/status/" + t.ID,
			Followers: max(u.Metrics.Followers, 0), Verified: u.Verified,
		}
		if ValidID(t.ConversationID) {
			p.ConversationID = t.ConversationID
		}
		typ := backend.SignalSocialMention
		if r := t.repliesTo(); ValidID(r) {
			p.InReplyTo = r
			if t.InReplyToUserID == me.ID {
				typ = backend.SignalSocialReply // an answer to one of our posts
			}
		}
		if w != nil {
			term, competitor := w.match(t.Text)
			if term == "" {
				continue // X matched something we cannot see (a URL's target): not ours to judge
			}
			if competitor {
				typ, p.Competitor = backend.SignalSocialCompetitorMention, term
			} else if typ == backend.SignalSocialMention {
				p.Keyword = term
			}
		}
		at := t.CreatedAt
		if at.IsZero() {
			at = c.clock.Now()
		}
		s := &backend.Signal{Source: backend.SourceX, Type: typ, OccurredAt: at, DedupeKey: "x:post:" + t.ID, Post: p}
		if handles != nil {
			if m, ok := handles.LookupHandle(ctx, u.Username); ok {
				s.ContactID, s.CompanyID, s.DealID = m.ContactID, m.CompanyID, m.DealID
			}
		}
		out = append(out, s)
	}
	return out
}

// watchQueries is the watch list as search queries.
type watchQueries struct {
	list        []string
	competitors []string
	terms       []string // competitors first, then the product and its keywords
}

func (w watchQueries) has(q string) bool {
	for _, v := range w.list {
		if v == q {
			return true
		}
	}
	return false
}

// match names the first watch-list term text holds (any case), and
// whether it is a competitor.
func (w watchQueries) match(text string) (string, bool) {
	lower := strings.ToLower(text)
	for _, t := range w.terms {
		if strings.Contains(lower, strings.ToLower(t)) {
			for _, comp := range w.competitors {
				if comp == t {
					return t, true
				}
			}
			return t, false
		}
	}
	return "", false
}

// queries reads the watch list and builds its queries.
func (c *Client) queries(ctx context.Context, me User) watchQueries {
	src, ok := c.dir.(backend.WatchSource)
	if !ok {
		return watchQueries{}
	}
	wl, err := src.WatchList(ctx)
	if err != nil {
		return watchQueries{}
	}
	return BuildQueries(wl, me.Username)
}

// BuildQueries turns a watch list into recent-search queries: each term a
// quoted phrase, ORed, without reposts and without our own posts —
// `("Stackwise" OR "remote build cache") -is:retweet -from:pebblecache` —
// as many terms to a query as fit X's 512 characters, further terms in
// further queries. Terms are deduplicated without case; a term that cannot
// be quoted safely (a double quote, a control character, longer than
// backend.MaxWatchTerm) is left out.
func BuildQueries(wl backend.WatchList, self string) watchQueries {
	var w watchQueries
	seen := map[string]bool{}
	add := func(t string, competitor bool) {
		t = strings.Join(strings.Fields(t), " ")
		if t == "" || len(t) > backend.MaxWatchTerm || strings.ContainsAny(t, "\"\\") || seen[strings.ToLower(t)] {
			return
		}
		for _, r := range t {
			if r < 0x20 || r == 0x7f {
				return
			}
		}
		seen[strings.ToLower(t)] = true
		w.terms = append(w.terms, t)
		if competitor {
			w.competitors = append(w.competitors, t)
		}
	}
	for _, t := range wl.Competitors {
		add(t, true)
	}
	add(wl.Product, false)
	for _, t := range wl.Keywords {
		add(t, false)
	}
	suffix := " -is:retweet"
	if backend.ValidHandle(self) {
		suffix += " -from:" + self
	}
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			w.list = append(w.list, "("+strings.Join(cur, " OR ")+")"+suffix)
			cur = nil
		}
	}
	for _, t := range w.terms {
		phrase := `"` + t + `"`
		next := append(append([]string{}, cur...), phrase)
		if len([]rune("("+strings.Join(next, " OR ")+")"+suffix)) > MaxQueryLength {
			flush()
			next = []string{phrase}
		}
		cur = next
	}
	flush()
	return w
}
