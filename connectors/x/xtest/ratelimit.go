package xtest

import (
	"net/http"
	"strconv"
	"time"
)

// Endpoint names, the keys of Options.Limits.
const (
	EndpointUsersMe    = "users/me"     // GET /2/users/me
	EndpointMentions   = "mentions"     // GET /2/users/:id/mentions
	EndpointUserTweets = "user_tweets"  // GET /2/users/:id/tweets
	EndpointSearch     = "search"       // GET /2/tweets/search/recent
	EndpointPost       = "post"         // POST /2/tweets
	EndpointPostDaily  = "post/app/24h" // POST /2/tweets, the app's 24-hour cap
	EndpointDelete     = "delete"       // DELETE /2/tweets/:id
	EndpointLike       = "like"         // POST /2/users/:id/likes
	EndpointUnlike     = "unlike"       // DELETE /2/users/:id/likes/:tweet_id
)

// Limit is one rate limit: Requests per Window, counted per user (per
// access token's user) or, with PerApp, per consumer key.
type Limit struct {
	Requests int
	Window   time.Duration // 0: Options.Window (15 minutes)
	PerApp   bool
}

// DefaultLimits are X's published limits for OAuth 1.0a user context (the
// per-app figures of the docs apply to app-only bearer tokens, which
// CaseyOS does not use), except the app-wide 24-hour cap on posting, which
// every user of the app shares.
var DefaultLimits = map[string]Limit{
	EndpointUsersMe:    {Requests: 75},
	EndpointMentions:   {Requests: 180},
	EndpointUserTweets: {Requests: 900},
	EndpointSearch:     {Requests: 300},
	EndpointPost:       {Requests: 100},
	EndpointPostDaily:  {Requests: 10000, Window: 24 * time.Hour, PerApp: true},
	EndpointDelete:     {Requests: 50},
	EndpointLike:       {Requests: 50},
	EndpointUnlike:     {Requests: 50},
}

// bucket is one fixed window: it opens at the first request and resets at
// start+window, the absolute time X sends in x-rate-limit-reset.
type bucket struct {
	start time.Time
	count int
}

func (s *Server) limit(name string) Limit {
	l, ok := s.opts.Limits[name]
	if !ok {
		l = DefaultLimits[name]
	}
	if l.Window == 0 {
		l.Window = s.opts.Window
	}
	return l
}

// spend counts a request against the endpoint's limits and sets the
// x-rate-limit-* headers; it reports false (spending nothing) when a limit
// is reached. spent, for an injected 429, sets the headers of a spent
// window without spending it (the request was counted just before), so the
// fault stays one answer. s.mu is held.
func (s *Server) spend(w http.ResponseWriter, name string, p principal, spent bool) bool {
	now := s.clock.Now()
	names := []string{name}
	if name == EndpointPost {
		names = append(names, EndpointPostDaily)
	}
	type state struct {
		l Limit
		b *bucket
	}
	var states []state
	ok := true
	for _, n := range names {
		l := s.limit(n)
		if l.Requests <= 0 {
			continue
		}
		key := n + "|" + p.userID
		if l.PerApp {
			key = n + "|app:" + p.consumer
		}
		b := s.buckets[key]
		if b == nil || !now.Before(b.start.Add(l.Window)) {
			b = &bucket{start: now}
			s.buckets[key] = b
		}
		if b.count >= l.Requests {
			ok = false
		}
		states = append(states, state{l, b})
	}
	if spent {
		ok = false
	}
	if ok {
		for _, st := range states {
			st.b.count++
		}
	}
	h := w.Header()
	for i, st := range states {
		reset := strconv.FormatInt(resetAt(st.b.start.Add(st.l.Window)), 10)
		left := max(st.l.Requests-st.b.count, 0)
		if spent {
			left = 0
		}
		limit, remaining := strconv.Itoa(st.l.Requests), strconv.Itoa(left)
		if i == 0 {
			h.Set("x-rate-limit-limit", limit)
			h.Set("x-rate-limit-remaining", remaining)
			h.Set("x-rate-limit-reset", reset)
			continue
		}
		h.Set("x-app-limit-24hour-limit", limit)
		h.Set("x-app-limit-24hour-remaining", remaining)
		h.Set("x-app-limit-24hour-reset", reset)
	}
	return ok
}

// resetAt is the epoch second at or after t.
func resetAt(t time.Time) int64 {
	sec := t.Unix()
	if t.Nanosecond() > 0 {
		sec++
	}
	return sec
}

// RateLimit reports an endpoint's window for userID (or, for a per-app
// limit, the consumer key): the requests left and when it resets.
func (s *Server) RateLimit(name, userOrConsumer string) (remaining int, reset time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.limit(name)
	key := name + "|" + userOrConsumer
	if l.PerApp {
		key = name + "|app:" + userOrConsumer
	}
	b := s.buckets[key]
	if b == nil || !s.clock.Now().Before(b.start.Add(l.Window)) {
		return l.Requests, time.Time{}
	}
	return max(l.Requests-b.count, 0), b.start.Add(l.Window)
}

// ExhaustRateLimit spends the rest of an endpoint's window for userID (or
// the consumer key for a per-app limit), as other clients of the same
// account would.
func (s *Server) ExhaustRateLimit(name, userOrConsumer string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.limit(name)
	key := name + "|" + userOrConsumer
	if l.PerApp {
		key = name + "|app:" + userOrConsumer
	}
	now := s.clock.Now()
	b := s.buckets[key]
	if b == nil || !now.Before(b.start.Add(l.Window)) {
		b = &bucket{start: now}
		s.buckets[key] = b
	}
	b.count = l.Requests
}
