package xtest

import (
	"encoding/base32"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The fields and expansions X accepts; a value outside them is a 400. The
// fake renders the ones CaseyOS reads and leaves the rest out, as X leaves
// out a field a post does not have.
var (
	tweetFields = set("article", "attachments", "author_id", "card_uri", "community_id", "context_annotations", "conversation_id",
		"created_at", "display_text_range", "edit_controls", "edit_history_tweet_ids", "entities", "geo", "id",
		"in_reply_to_user_id", "lang", "media_metadata", "non_public_metrics", "note_tweet", "organic_metrics",
		"possibly_sensitive", "promoted_metrics", "public_metrics", "referenced_tweets", "reply_settings", "scopes",
		"source", "text", "withheld")
	userFields = set("affiliation", "confirmed_email", "connection_status", "created_at", "description", "entities", "id",
		"is_identity_verified", "location", "most_recent_tweet_id", "name", "parody", "pinned_tweet_id", "profile_banner_url",
		"profile_image_url", "protected", "public_metrics", "receives_your_dm", "subscription", "subscription_type",
		"url", "username", "verified", "verified_followers_count", "verified_type", "withheld")
	tweetExpansions = set("article.cover_media", "article.media_entities", "attachments.media_keys", "attachments.media_source_tweet",
		"attachments.poll_ids", "author_id", "edit_history_tweet_ids", "entities.mentions.username", "geo.place_id",
		"in_reply_to_user_id", "entities.note.mentions.username", "referenced_tweets.id", "referenced_tweets.id.attachments.media_keys",
		"referenced_tweets.id.author_id")
	userExpansions = set("affiliation.user_id", "most_recent_tweet_id", "pinned_tweet_id")
	otherFields    = []string{"media.fields", "place.fields", "poll.fields"}
)

func set(vals ...string) map[string]bool {
	m := map[string]bool{}
	for _, v := range vals {
		m[v] = true
	}
	return m
}

// query is a request's validated parameters.
type query struct {
	v          url.Values
	errs       []invalidParam
	tweetF     map[string]bool
	userF      map[string]bool
	expansions map[string]bool
}

// parseQuery checks the parameter names against allowed (X refuses any
// other) and the fields and expansions against X's lists.
func parseQuery(r *http.Request, allowed []string, expansions map[string]bool) *query {
	q := &query{v: r.URL.Query(), tweetF: map[string]bool{}, userF: map[string]bool{}, expansions: map[string]bool{}}
	all := append(append([]string{}, allowed...), "expansions", "tweet.fields", "user.fields")
	all = append(all, otherFields...)
	ok := set(all...)
	var names []string
	for k := range q.v {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if !ok[k] {
			q.errs = append(q.errs, invalidParam{k, q.v.Get(k), fmt.Sprintf("The query parameter [%s] is not one of [%s]", k, strings.Join(all, ","))})
		}
	}
	list := func(param string, allowed map[string]bool, into map[string]bool) {
		raw, present := q.v[param]
		if !present {
			return
		}
		for _, f := range strings.Split(strings.Join(raw, ","), ",") {
			if !allowed[f] {
				var names []string
				for n := range allowed {
					names = append(names, n)
				}
				sort.Strings(names)
				q.errs = append(q.errs, invalidParam{param, f, fmt.Sprintf("The `%s` query parameter value [%s] is not one of [%s]", param, f, strings.Join(names, ","))})
				continue
			}
			into[f] = true
		}
	}
	list("tweet.fields", tweetFields, q.tweetF)
	list("user.fields", userFields, q.userF)
	list("expansions", expansions, q.expansions)
	return q
}

// intParam reads an integer parameter within [lo, hi], def when absent.
func (q *query) intParam(name string, lo, hi, def int) int {
	raw, ok := q.v[name]
	if !ok {
		return def
	}
	n, err := strconv.Atoi(raw[0])
	if err != nil || n < lo || n > hi {
		q.errs = append(q.errs, invalidParam{name, raw[0], fmt.Sprintf("The `%s` query parameter value [%s] is not between %d and %d", name, raw[0], lo, hi)})
		return def
	}
	return n
}

// idParam reads a post id parameter ("" when absent).
func (q *query) idParam(name string) string {
	raw, ok := q.v[name]
	if !ok {
		return ""
	}
	if !validID(raw[0]) {
		q.errs = append(q.errs, invalidParam{name, raw[0], fmt.Sprintf("The `%s` query parameter value [%s] does not match ^[0-9]{1,19}$", name, raw[0])})
		return ""
	}
	return raw[0]
}

// timeParam reads an RFC 3339 time parameter (zero when absent).
func (q *query) timeParam(name string) time.Time {
	raw, ok := q.v[name]
	if !ok {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, raw[0])
	if err != nil {
		q.errs = append(q.errs, invalidParam{name, raw[0], fmt.Sprintf("Invalid '%s':'%s'. '%s' must be in the format 'YYYY-MM-DDTHH:mm:ssZ'", name, raw[0], name)})
	}
	return t
}

// cursor is an opaque paging token: the page after the post with this id.
const cursorPrefix = "xt1:"

var cursorEnc = base32.NewEncoding("0123456789abcdefghijklmnopqrstuv").WithPadding(base32.NoPadding)

func makeCursor(kind, afterID string) string {
	return cursorEnc.EncodeToString([]byte(cursorPrefix + kind + ":" + afterID))
}

// readCursor returns the id the page starts after.
func (q *query) cursor(param, kind string) string {
	raw, ok := q.v[param]
	if !ok {
		return ""
	}
	b, err := cursorEnc.DecodeString(raw[0])
	rest, good := strings.CutPrefix(string(b), cursorPrefix+kind+":")
	if err != nil || !good || !validID(rest) {
		q.errs = append(q.errs, invalidParam{param, raw[0], fmt.Sprintf("The `%s` query parameter value [%s] is not valid", param, raw[0])})
		return ""
	}
	return rest
}

// filter is the id and time bounds of a timeline or search request.
type filter struct {
	sinceID, untilID string
	start, end       time.Time
	after            string // paging: only ids below this
}

func (f filter) keep(t *Tweet) bool {
	switch {
	case f.sinceID != "" && !idLess(f.sinceID, t.ID):
		return false
	case f.untilID != "" && !idLess(t.ID, f.untilID):
		return false
	case f.after != "" && !idLess(t.ID, f.after):
		return false
	case !f.start.IsZero() && t.CreatedAt.Before(f.start):
		return false
	case !f.end.IsZero() && !t.CreatedAt.Before(f.end):
		return false
	}
	return true
}

// usersMe is GET /2/users/me.
func (s *Server) usersMe(w http.ResponseWriter, r *http.Request) {
	q := parseQuery(r, nil, userExpansions)
	if len(q.errs) > 0 {
		writeInvalid(w, q.errs...)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[who(r).userID]
	if u == nil {
		writeProblem(w, http.StatusUnauthorized, "Unauthorized", "Unauthorized")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": userJSON(u, q.userF)})
}

var timelineParams = []string{"since_id", "until_id", "max_results", "pagination_token", "start_time", "end_time"}

// mentions is GET /2/users/:id/mentions: posts @mentioning the user, newest
// first, the most recent 800 reachable.
func (s *Server) mentions(w http.ResponseWriter, r *http.Request) {
	s.timeline(w, r, "m", timelineParams, 800, func(u *User, t *Tweet) bool {
		return t.RetweetOfID == "" && mentions(t, u.Username)
	})
}

// userTweets is GET /2/users/:id/tweets: the user's own posts, newest
// first, the most recent 3,200 reachable.
func (s *Server) userTweets(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var excl map[string]bool
	if raw, ok := q["exclude"]; ok {
		excl = set(strings.Split(strings.Join(raw, ","), ",")...)
		for e := range excl {
			if e != "replies" && e != "retweets" {
				writeInvalid(w, invalidParam{"exclude", e, fmt.Sprintf("The `exclude` query parameter value [%s] is not one of [replies,retweets]", e)})
				return
			}
		}
	}
	s.timeline(w, r, "t", append(timelineParams, "exclude"), 3200, func(u *User, t *Tweet) bool {
		return t.AuthorID == u.ID && !(excl["replies"] && t.InReplyToID != "") && !(excl["retweets"] && t.RetweetOfID != "")
	})
}

func (s *Server) timeline(w http.ResponseWriter, r *http.Request, kind string, params []string, reach int, match func(*User, *Tweet) bool) {
	q := parseQuery(r, params, tweetExpansions)
	id := r.PathValue("id")
	if !validID(id) {
		q.errs = append(q.errs, invalidParam{"id", id, fmt.Sprintf("The `id` query parameter value [%s] does not match ^[0-9]{1,19}$", id)})
	}
	max := q.intParam("max_results", 5, 100, 10)
	f := filter{sinceID: q.idParam("since_id"), untilID: q.idParam("until_id"), start: q.timeParam("start_time"), end: q.timeParam("end_time")}
	f.after = q.cursor("pagination_token", kind)
	if len(q.errs) > 0 {
		writeInvalid(w, q.errs...)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[id]
	if u == nil {
		writeJSON(w, http.StatusOK, map[string]any{"errors": []map[string]any{notFound("user", "id", id)}})
		return
	}
	var all []*Tweet
	for i := len(s.order) - 1; i >= 0 && len(all) < reach; i-- {
		if t := s.order[i]; !t.Deleted && match(u, t) {
			all = append(all, t)
		}
	}
	var list []*Tweet
	for _, t := range all {
		if f.keep(t) {
			list = append(list, t)
		}
	}
	s.writePage(w, q, list, max, kind, "next_token")
}

// writePage answers one page of list (newest first); s.mu is held.
func (s *Server) writePage(w http.ResponseWriter, q *query, list []*Tweet, max int, kind, nextName string) {
	more := len(list) > max
	if more {
		list = list[:max]
	}
	meta := map[string]any{"result_count": len(list)}
	if len(list) == 0 {
		writeJSON(w, http.StatusOK, map[string]any{"meta": meta})
		return
	}
	meta["newest_id"], meta["oldest_id"] = list[0].ID, list[len(list)-1].ID
	if more {
		meta[nextName] = makeCursor(kind, list[len(list)-1].ID)
	}
	data := make([]map[string]any, len(list))
	for i, t := range list {
		data[i] = s.tweetJSON(t, q.tweetF)
	}
	out := map[string]any{"data": data, "meta": meta}
	if inc := s.includes(list, q); len(inc) > 0 {
		out["includes"] = inc
	}
	writeJSON(w, http.StatusOK, out)
}

// tweetJSON renders a post with the requested fields; s.mu is held.
func (s *Server) tweetJSON(t *Tweet, fields map[string]bool) map[string]any {
	m := map[string]any{"id": t.ID, "text": t.Text, "edit_history_tweet_ids": []string{t.ID}}
	if fields["author_id"] {
		m["author_id"] = t.AuthorID
	}
	if fields["created_at"] {
		m["created_at"] = t.CreatedAt.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	if fields["conversation_id"] {
		m["conversation_id"] = t.ConversationID
	}
	if fields["lang"] {
		m["lang"] = t.Lang
	}
	if fields["in_reply_to_user_id"] {
		if p := s.tweets[t.InReplyToID]; p != nil {
			m["in_reply_to_user_id"] = p.AuthorID
		}
	}
	if fields["referenced_tweets"] {
		if refs := refs(t); len(refs) > 0 {
			m["referenced_tweets"] = refs
		}
	}
	if fields["public_metrics"] {
		m["public_metrics"] = map[string]int{"retweet_count": t.Retweets, "reply_count": t.Replies, "like_count": t.Likes,
			"quote_count": t.Quotes, "bookmark_count": 0, "impression_count": t.Impressions}
	}
	if fields["possibly_sensitive"] {
		m["possibly_sensitive"] = false
	}
	if fields["reply_settings"] {
		m["reply_settings"] = "everyone"
	}
	return m
}

func refs(t *Tweet) []map[string]string {
	var out []map[string]string
	if t.InReplyToID != "" {
		out = append(out, map[string]string{"type": "replied_to", "id": t.InReplyToID})
	}
	if t.QuotedID != "" {
		out = append(out, map[string]string{"type": "quoted", "id": t.QuotedID})
	}
	if t.RetweetOfID != "" {
		out = append(out, map[string]string{"type": "retweeted", "id": t.RetweetOfID})
	}
	return out
}

// includes expands the page's users and referenced posts; s.mu is held.
func (s *Server) includes(list []*Tweet, q *query) map[string]any {
	var users []map[string]any
	seenUser := map[string]bool{}
	addUser := func(id string) {
		if u := s.users[id]; u != nil && !seenUser[id] {
			seenUser[id] = true
			users = append(users, userJSON(u, q.userF))
		}
	}
	var tweets []map[string]any
	seenTweet := map[string]bool{}
	for _, t := range list {
		if q.expansions["author_id"] {
			addUser(t.AuthorID)
		}
		if q.expansions["in_reply_to_user_id"] {
			if p := s.tweets[t.InReplyToID]; p != nil {
				addUser(p.AuthorID)
			}
		}
		if q.expansions["entities.mentions.username"] {
			for _, m := range mentionHandles(t.Text) {
				if u := s.userByUsernameLocked(m); u != nil {
					addUser(u.ID)
				}
			}
		}
		if q.expansions["referenced_tweets.id"] || q.expansions["referenced_tweets.id.author_id"] {
			for _, ref := range refs(t) {
				p := s.tweets[ref["id"]]
				if p == nil || p.Deleted {
					continue
				}
				if q.expansions["referenced_tweets.id"] && !seenTweet[p.ID] {
					seenTweet[p.ID] = true
					tweets = append(tweets, s.tweetJSON(p, q.tweetF))
				}
				if q.expansions["referenced_tweets.id.author_id"] {
					addUser(p.AuthorID)
				}
			}
		}
	}
	inc := map[string]any{}
	if len(users) > 0 {
		inc["users"] = users
	}
	if len(tweets) > 0 {
		inc["tweets"] = tweets
	}
	return inc
}

func userJSON(u *User, fields map[string]bool) map[string]any {
	m := map[string]any{"id": u.ID, "name": u.Name, "username": u.Username}
	if fields["verified"] {
		m["verified"] = u.Verified
	}
	if fields["verified_type"] {
		m["verified_type"] = map[bool]string{true: "blue", false: "none"}[u.Verified]
	}
	if fields["public_metrics"] {
		m["public_metrics"] = map[string]int{"followers_count": u.Followers, "following_count": u.Following,
			"tweet_count": 0, "listed_count": 0, "like_count": 0, "media_count": 0}
	}
	if fields["description"] {
		m["description"] = u.Description
	}
	if fields["created_at"] {
		m["created_at"] = u.CreatedAt.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	if fields["protected"] {
		m["protected"] = false
	}
	return m
}

// notFound is an entry of the errors array X sends inside a 200 for a
// resource that does not exist.
func notFound(resource, param, value string) map[string]any {
	return map[string]any{
		"value": value, "detail": fmt.Sprintf("Could not find %s with %s: [%s].", resource, param, value),
		"title": "Not Found Error", "resource_type": resource, "parameter": param, "resource_id": value,
		"type": "https://api.twitter.com/2/problems/resource-not-found",
	}
}

// mentionHandles are the @handles in a text.
func mentionHandles(text string) []string {
	var out []string
	for _, m := range handleRe.FindAllStringSubmatch(text, -1) {
		out = append(out, m[2])
	}
	return out
}
