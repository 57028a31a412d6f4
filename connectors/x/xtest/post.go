package xtest

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"regexp"
	"sort"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// createTweetKeys are the members X's POST /2/tweets schema knows; any
// other is refused.
var createTweetKeys = set("text", "reply", "quote_tweet_id", "media", "poll", "reply_settings", "for_super_followers_only",
	"direct_message_deep_link", "geo", "nullcast", "card_uri", "community_id", "share_with_followers", "made_with_ai", "paid_partnership")

// writeSchema is X's 400 for a body its JSON schema refuses.
func writeSchema(w http.ResponseWriter, msgs ...string) {
	var list []map[string]any
	for _, m := range msgs {
		list = append(list, map[string]any{"message": m})
	}
	writeJSON(w, http.StatusBadRequest, map[string]any{
		"errors": list, "title": "Invalid Request", "detail": "One or more parameters to your request was invalid.",
		"type": "https://api.twitter.com/2/problems/invalid-request",
	})
}

// jsonBody decodes a JSON object body, answering X's 400 when it is not
// one (a form body is never read as parameters here).
func jsonBody(w http.ResponseWriter, r *http.Request) (map[string]json.RawMessage, bool) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		writeSchema(w, "Content-Type must be application/json")
		return nil, false
	}
	var m map[string]json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil || m == nil {
		writeSchema(w, "Request body is not valid JSON")
		return nil, false
	}
	return m, true
}

// createTweet is POST /2/tweets.
func (s *Server) createTweet(w http.ResponseWriter, r *http.Request) {
	body, ok := jsonBody(w, r)
	if !ok {
		return
	}
	var keys []string
	for k := range body {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !createTweetKeys[k] {
			writeSchema(w, fmt.Sprintf("$.%s: is not defined in the schema and the schema does not allow additional properties", k))
			return
		}
	}
	var req struct {
		Text  *string `json:"text"`
		Reply *struct {
			InReplyToTweetID string `json:"in_reply_to_tweet_id"`
		} `json:"reply"`
		QuoteTweetID string `json:"quote_tweet_id"`
	}
	raw, _ := json.Marshal(body)
	if err := json.Unmarshal(raw, &req); err != nil {
		writeSchema(w, "$: "+err.Error())
		return
	}
	if req.Text == nil || strings.TrimSpace(*req.Text) == "" {
		writeSchema(w, "$.text: Post text is empty")
		return
	}
	text := norm.NFC.String(*req.Text)
	if req.Reply != nil && !validID(req.Reply.InReplyToTweetID) {
		writeSchema(w, fmt.Sprintf("$.reply.in_reply_to_tweet_id: string [%s] does not match pattern ^[0-9]{1,19}$", req.Reply.InReplyToTweetID))
		return
	}
	if req.QuoteTweetID != "" && !validID(req.QuoteTweetID) {
		writeSchema(w, fmt.Sprintf("$.quote_tweet_id: string [%s] does not match pattern ^[0-9]{1,19}$", req.QuoteTweetID))
		return
	}
	if WeightedLength(text) > MaxWeightedLength {
		writeProblem(w, http.StatusBadRequest, "Bad Request", "Your Tweet text is too long. For more information on how X determines text length see https://github.com/twitter/twitter-text.")
		return
	}
	me := who(r).userID
	s.mu.Lock()
	defer s.mu.Unlock()
	t := Tweet{AuthorID: me, Text: text, QuotedID: req.QuoteTweetID}
	if req.Reply != nil {
		p := s.tweets[req.Reply.InReplyToTweetID]
		if p == nil || p.Deleted {
			writeProblem(w, http.StatusForbidden, "Forbidden", "You attempted to reply to a Tweet that is deleted or not visible to you.")
			return
		}
		t.InReplyToID = p.ID
		// X puts the answered author's @handle before a reply's text; it
		// does not count toward the 280.
		if a := s.users[p.AuthorID]; a != nil && a.ID != me && !mentionsFirst(text, a.Username) {
			t.Text = "@" + a.Username + " " + text
		}
	}
	for _, o := range s.order {
		if o.AuthorID == me && !o.Deleted && o.Text == t.Text {
			writeProblem(w, http.StatusForbidden, "Forbidden", "You are not allowed to create a Tweet with duplicate content.")
			return
		}
	}
	nt := s.addLocked(t)
	s.posted = append(s.posted, nt.ID)
	writeJSON(w, http.StatusCreated, map[string]any{"data": map[string]any{"id": nt.ID, "text": nt.Text, "edit_history_tweet_ids": []string{nt.ID}}})
}

// mentionsFirst reports whether text starts with @username.
func mentionsFirst(text, username string) bool {
	h := mentionHandles(strings.SplitN(strings.TrimSpace(text), " ", 2)[0])
	return len(h) == 1 && strings.EqualFold(h[0], username) && strings.HasPrefix(strings.TrimSpace(text), "@")
}

// deleteTweet is DELETE /2/tweets/:id.
func (s *Server) deleteTweet(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !validID(id) {
		writeInvalid(w, invalidParam{"id", id, fmt.Sprintf("The `id` query parameter value [%s] does not match ^[0-9]{1,19}$", id)})
		return
	}
	me := who(r).userID
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tweets[id]
	if t == nil || t.Deleted {
		writeJSON(w, http.StatusOK, map[string]any{"errors": []map[string]any{notFound("tweet", "id", id)}})
		return
	}
	if t.AuthorID != me {
		writeProblem(w, http.StatusForbidden, "Forbidden", "You are not allowed to delete a Tweet that is not your own.")
		return
	}
	t.Deleted = true
	s.deleted = append(s.deleted, id)
	if p := s.tweets[t.InReplyToID]; p != nil && p.Replies > 0 {
		p.Replies--
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"deleted": true}})
}

// like is POST /2/users/:id/likes.
func (s *Server) like(w http.ResponseWriter, r *http.Request) {
	me := who(r).userID
	if r.PathValue("id") != me {
		writeProblem(w, http.StatusForbidden, "Forbidden", "You are not permitted to perform this action.")
		return
	}
	body, ok := jsonBody(w, r)
	if !ok {
		return
	}
	for k := range body {
		if k != "tweet_id" {
			writeSchema(w, fmt.Sprintf("$.%s: is not defined in the schema and the schema does not allow additional properties", k))
			return
		}
	}
	var id string
	if err := json.Unmarshal(body["tweet_id"], &id); err != nil || !validID(id) {
		writeSchema(w, fmt.Sprintf("$.tweet_id: string [%s] does not match pattern ^[0-9]{1,19}$", strings.Trim(string(body["tweet_id"]), `"`)))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tweets[id]
	if t == nil || t.Deleted {
		writeJSON(w, http.StatusOK, map[string]any{"errors": []map[string]any{notFound("tweet", "tweet_id", id)}})
		return
	}
	for _, l := range s.likes {
		if l.UserID == me && l.TweetID == id {
			writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"liked": true}})
			return
		}
	}
	s.likes = append(s.likes, Like{UserID: me, TweetID: id, At: s.clock.Now()})
	t.Likes++
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"liked": true}})
}

// unlike is DELETE /2/users/:id/likes/:tweet_id: {"data":{"liked":false}},
// whether or not the post was liked.
func (s *Server) unlike(w http.ResponseWriter, r *http.Request) {
	me := who(r).userID
	if r.PathValue("id") != me {
		writeProblem(w, http.StatusForbidden, "Forbidden", "You are not permitted to perform this action.")
		return
	}
	id := r.PathValue("tweet")
	if !validID(id) {
		writeInvalid(w, invalidParam{"tweet_id", id, fmt.Sprintf("The `tweet_id` query parameter value [%s] does not match ^[0-9]{1,19}$", id)})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, l := range s.likes {
		if l.UserID == me && l.TweetID == id {
			s.likes = append(s.likes[:i:i], s.likes[i+1:]...)
			if t := s.tweets[id]; t != nil && t.Likes > 0 {
				t.Likes--
			}
			break
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"liked": false}})
}

// MaxWeightedLength is X's limit on a post's weighted length.
const MaxWeightedLength = 280

// urlRe finds what twitter-text counts as a URL: with a scheme, or a bare
// domain under a common top-level domain, trailing punctuation left out.
var urlRe = regexp.MustCompile(`(?i)(?:https?://[^\s]+|(?:^|[^\w@.\-/])((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:com|net|org|io|dev|co|ai|app|me|ly|gg|so|xyz|us|uk|de|fr|info|biz|tech|edu|gov|page|site|cloud|sh)(?:/[^\s]*)?))`)

// WeightedLength counts text as X does (twitter-text v3): after NFC, a
// URL is 23 whatever its length; code points in U+0000–U+10FF,
// U+2000–U+200D, U+2010–U+201F and U+2032–U+2037 are 1; an emoji —
// with its modifiers, variation selector and zero-width-joined parts — is
// 2; anything else (CJK among it) is 2.
func WeightedLength(text string) int {
	text = norm.NFC.String(text)
	total := 0
	rest := text
	for {
		loc := urlRe.FindStringSubmatchIndex(rest)
		if loc == nil {
			break
		}
		start, end := loc[0], loc[1]
		if loc[2] >= 0 { // bare domain: the group, not the char before it
			start, end = loc[2], loc[3]
		}
		u := strings.TrimRight(rest[start:end], ".,!?:;)'\"")
		total += weigh(rest[:start]) + 23*100
		rest = rest[start+len(u):]
	}
	total += weigh(rest)
	return total / 100
}

// weigh is the weight of text with no URL, in hundredths.
func weigh(text string) int {
	rs := []rune(text)
	w := 0
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if isEmojiBase(r) {
			// one emoji: its modifiers, selectors, keycap, tags and joined
			// parts count with it
			if r >= 0x1F1E6 && r <= 0x1F1FF && i+1 < len(rs) && rs[i+1] >= 0x1F1E6 && rs[i+1] <= 0x1F1FF {
				i++
			}
			for i+1 < len(rs) {
				n := rs[i+1]
				switch {
				case n == 0xFE0F || n == 0x20E3 || (n >= 0x1F3FB && n <= 0x1F3FF) || (n >= 0xE0020 && n <= 0xE007F):
					i++
				case n == 0x200D && i+2 < len(rs):
					i += 2
				default:
					goto done
				}
			}
		done:
			w += 200
			continue
		}
		switch {
		case r <= 0x10FF, r >= 0x2000 && r <= 0x200D, r >= 0x2010 && r <= 0x201F, r >= 0x2032 && r <= 0x2037:
			w += 100
		default:
			w += 200
		}
	}
	return w
}

func isEmojiBase(r rune) bool {
	return (r >= 0x1F000 && r <= 0x1FAFF) || (r >= 0x2600 && r <= 0x27BF) || (r >= 0x2B00 && r <= 0x2BFF) || r == 0x2122 || r == 0x2139 ||
		(r >= 0x2194 && r <= 0x21AA) || (r >= 0x231A && r <= 0x23FF) || (r >= 0x25AA && r <= 0x25FE) || r == 0x3030 || r == 0x303D || r == 0x3297 || r == 0x3299
}
