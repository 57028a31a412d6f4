package xtest

import (
	"bytes"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// User is an X account.
type User struct {
	ID          string // numeric string; assigned when empty
	Name        string
	Username    string // without the @
	Followers   int
	Following   int
	Verified    bool
	Description string
	CreatedAt   time.Time
}

// Tweet is a post.
type Tweet struct {
	ID        string // snowflake from CreatedAt when empty
	AuthorID  string
	Text      string    // as X stores it: a reply starts with the @handles X put before it
	CreatedAt time.Time // the server's clock when zero
	// ConversationID is the id of the thread's first post (its own id
	// when empty and not a reply).
	ConversationID string
	// InReplyToID is the post this one answers ("" = none).
	InReplyToID string
	// QuotedID is the post this one quotes ("" = none).
	QuotedID string
	// RetweetOfID makes this a retweet of that post.
	RetweetOfID string
	Lang        string // "en" when empty
	Likes       int
	Retweets    int
	Replies     int
	Quotes      int
	Impressions int
	Deleted     bool
}

// Like is a like made through the API.
type Like struct {
	UserID, TweetID string
	At              time.Time
}

// twitterEpoch is the snowflake epoch (2010-11-04T01:42:54.657Z).
const twitterEpoch = 1288834974657

// AddUser adds an account and returns it with its id.
func (s *Server) AddUser(u User) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.ID == "" {
		s.userSeq++
		u.ID = strconv.FormatInt(1_600_000_000_000_000_000+s.userSeq*7919, 10)
	}
	if u.Name == "" {
		u.Name = u.Username
	}
	if u.CreatedAt.IsZero() {
		u.CreatedAt = s.clock.Now().AddDate(-3, 0, 0)
	}
	c := u
	s.users[u.ID] = &c
	return u
}

// User returns the account with this id.
func (s *Server) User(id string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[id]
	if !ok {
		return User{}, false
	}
	return *u, true
}

// UserByUsername returns the account with this handle (no @, any case).
func (s *Server) UserByUsername(username string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.userByUsernameLocked(username); u != nil {
		return *u, true
	}
	return User{}, false
}

func (s *Server) userByUsernameLocked(username string) *User {
	for _, u := range s.users {
		if strings.EqualFold(u.Username, username) {
			return u
		}
	}
	return nil
}

// AddTweet adds a post as if its author had made it on X (not through the
// API: it is not among Posted). A post that @mentions a user is in their
// mentions timeline; it returns the post with its id.
func (s *Server) AddTweet(t Tweet) Tweet {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.addLocked(t)
}

// AddMention adds a post by author mentioning the user — the text should
// hold the @handle — created at. It returns the post.
func (s *Server) AddMention(authorID, text string, at time.Time) Tweet {
	return s.AddTweet(Tweet{AuthorID: authorID, Text: text, CreatedAt: at})
}

func (s *Server) addLocked(t Tweet) *Tweet {
	if t.CreatedAt.IsZero() {
		t.CreatedAt = s.clock.Now()
	}
	t.CreatedAt = t.CreatedAt.UTC().Truncate(time.Millisecond)
	if t.ID == "" {
		t.ID = s.snowflakeLocked(t.CreatedAt)
	}
	if t.Lang == "" {
		t.Lang = "en"
	}
	if t.ConversationID == "" {
		t.ConversationID = t.ID
		if p := s.tweets[t.InReplyToID]; p != nil {
			t.ConversationID = p.ConversationID
		}
	}
	if p := s.tweets[t.InReplyToID]; p != nil {
		p.Replies++
	}
	c := t
	s.tweets[t.ID] = &c
	// keep order by id
	i := len(s.order)
	for i > 0 && idLess(c.ID, s.order[i-1].ID) {
		i--
	}
	s.order = append(s.order, nil)
	copy(s.order[i+1:], s.order[i:])
	s.order[i] = &c
	return &c
}

// snowflakeLocked makes a unique id that sorts by time, as X's do.
func (s *Server) snowflakeLocked(at time.Time) string {
	ms := at.UnixMilli() - twitterEpoch
	if ms < 0 {
		ms = 0
	}
	for {
		s.seq++
		id := strconv.FormatInt(ms<<22|(s.seq&0x3fffff), 10)
		if _, taken := s.tweets[id]; !taken {
			return id
		}
	}
}

// idLess orders numeric id strings.
func idLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

func validID(id string) bool {
	if id == "" || len(id) > 19 {
		return false
	}
	_, err := strconv.ParseUint(id, 10, 64)
	return err == nil
}

// Tweet returns the post with this id, deleted or not.
func (s *Server) Tweet(id string) (Tweet, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tweets[id]
	if !ok {
		return Tweet{}, false
	}
	return *t, true
}

// Posted returns the posts created through POST /2/tweets, in order,
// deleted ones included (see Tweet.Deleted).
func (s *Server) Posted() []Tweet {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Tweet
	for _, id := range s.posted {
		out = append(out, *s.tweets[id])
	}
	return out
}

// Replies returns the live (undeleted) posts answering the post with this
// id.
func (s *Server) Replies(id string) []Tweet {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Tweet
	for _, t := range s.order {
		if t.InReplyToID == id && !t.Deleted {
			out = append(out, *t)
		}
	}
	return out
}

// Likes returns the likes made through the API, in order.
func (s *Server) Likes() []Like {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Like(nil), s.likes...)
}

// Deleted returns the ids deleted through the API, in order.
func (s *Server) Deleted() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.deleted...)
}

// mentionsLocked reports whether t @mentions the user.
func mentions(t *Tweet, username string) bool {
	return mentionRe(username).MatchString(t.Text)
}

func mentionRe(username string) *regexp.Regexp {
	return regexp.MustCompile(`(?i)(^|[^\w@])@` + regexp.QuoteMeta(username) + `\b`)
}

func readBody(r *http.Request) []byte {
	b, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(b))
	return b
}
