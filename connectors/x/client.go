package x

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dghubble/oauth1"

	"github.com/caseyos/caseyos/backend"
)

// DefaultBaseURL is X's API; CASEYOS_X_BASE_URL points a build at a fake.
const DefaultBaseURL = "https://api.x.com"

// Limits is the account limiter's rate: the mentions endpoint's 180
// requests per 15 minutes per user, the tightest of those a sync uses.
// Each endpoint's own window is also followed from its headers.
var Limits = backend.Limit{Requests: 180, Per: 15 * time.Minute}

// Config wires a Client.
type Config struct {
	BaseURL     string // "" = DefaultBaseURL
	Account     string // the sync account; "" = "x"
	Credentials Credentials
	// HTTPClient carries the signed requests (its Transport is the base
	// under the signer); nil = a client with a 30-second timeout.
	HTTPClient *http.Client
	Clock      backend.Clock
	Limiter    backend.RateLimiter
	// Directory ties authors to contacts when it is a HandleDirectory, and
	// gives the watch list when it is a WatchSource; nil = neither.
	Directory backend.Directory
	// PageSize is max_results for mentions and search (10–100); 0 = 100.
	PageSize int
}

// Client talks to X as one user.
type Client struct {
	base    string
	account string
	creds   Credentials
	http    *http.Client
	clock   backend.Clock
	limiter backend.RateLimiter
	dir     backend.Directory
	page    int

	mu      sync.Mutex
	windows map[string]window // endpoint → its rate window
	me      User
	more    bool   // the last Poll stopped before the end
	note    string // what the last Poll could not read
}

// window is what an endpoint's rate headers last said.
type window struct {
	remaining int
	reset     time.Time
}

var (
	_ backend.MorePoller  = (*Client)(nil)
	_ backend.NotePoller  = (*Client)(nil)
	_ backend.SocialFeed  = (*Client)(nil)
	_ backend.SocialLiker = (*Client)(nil)
	_ backend.ReplyFinder = (*Client)(nil)
)

// New returns a client for cfg's credentials. It makes no request.
func New(cfg Config) (*Client, error) {
	if cfg.Credentials.ConsumerKey == "" || cfg.Credentials.Token == "" {
		return nil, &backend.Error{Code: backend.EUNAUTHORIZED, Op: "x.New", Message: "X is not connected: run `caseyos connect x`"}
	}
	c := &Client{
		base: strings.TrimRight(cfg.BaseURL, "/"), account: cfg.Account, creds: cfg.Credentials, clock: cfg.Clock,
		limiter: cfg.Limiter, dir: cfg.Directory, page: cfg.PageSize, windows: map[string]window{},
		me: User{ID: cfg.Credentials.UserID, Username: cfg.Credentials.Username},
	}
	if c.base == "" {
		c.base = DefaultBaseURL
	}
	if c.account == "" {
		c.account = "x"
	}
	if c.clock == nil {
		c.clock = backend.SystemClock{}
	}
	if c.page < 10 || c.page > 100 {
		c.page = 100
	}
	c.http = signedClient(cfg.HTTPClient, oauthConfig(c.base, cfg.Credentials.ConsumerKey, cfg.Credentials.ConsumerSecret, "", cfg.HTTPClient),
		oauth1.NewToken(cfg.Credentials.Token, cfg.Credentials.TokenSecret))
	return c, nil
}

// oauthConfig is the OAuth 1.0a consumer, its endpoints under base.
func oauthConfig(base, key, secret, callback string, hc *http.Client) *oauth1.Config {
	return &oauth1.Config{
		ConsumerKey: key, ConsumerSecret: secret, CallbackURL: callback,
		Endpoint: oauth1.Endpoint{
			RequestTokenURL: base + "/oauth/request_token",
			AuthorizeURL:    base + "/oauth/authorize",
			AccessTokenURL:  base + "/oauth/access_token",
		},
		HTTPClient: baseClient(hc),
	}
}

func baseClient(hc *http.Client) *http.Client {
	if hc != nil {
		return hc
	}
	return &http.Client{Timeout: 30 * time.Second}
}

// signedClient signs every request with the consumer and token, over hc's
// transport.
func signedClient(hc *http.Client, cfg *oauth1.Config, tok *oauth1.Token) *http.Client {
	base := baseClient(hc)
	ctx := context.WithValue(context.Background(), oauth1.HTTPClient, base)
	signed := cfg.Client(ctx, tok)
	signed.Timeout = base.Timeout
	if signed.Timeout == 0 {
		signed.Timeout = 30 * time.Second
	}
	return signed
}

// Account is the sync account's name.
func (c *Client) Account() string { return c.account }

// User is an X account.
type User struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Username string `json:"username"`
	Verified bool   `json:"verified"`
	Metrics  struct {
		Followers int `json:"followers_count"`
	} `json:"public_metrics"`
}

// Me asks X who the credentials belong to (GET /2/users/me): the check
// that connecting makes, and the id the other endpoints need.
func (c *Client) Me(ctx context.Context) (User, error) {
	var out struct {
		Data *User `json:"data"`
	}
	if _, err := c.do(ctx, "x.Me", "users/me", http.MethodGet, "/2/users/me", nil, nil, &out); err != nil {
		return User{}, err
	}
	if out.Data == nil || !ValidID(out.Data.ID) || out.Data.Username == "" {
		return User{}, &backend.Error{Code: backend.EINTERNAL, Op: "x.Me", Message: "X answered users/me without a usable account id"}
	}
	c.mu.Lock()
	c.me = *out.Data
	c.mu.Unlock()
	return *out.Data, nil
}

// self returns the user's id and handle, asking X once when the
// credentials did not carry them.
func (c *Client) self(ctx context.Context) (User, error) {
	c.mu.Lock()
	me := c.me
	c.mu.Unlock()
	if ValidID(me.ID) && me.Username != "" {
		return me, nil
	}
	return c.Me(ctx)
}

// Problem is X's error answer: problem JSON on a non-2xx, or an entry of
// errors[] inside a 200.
type Problem struct {
	Status int    `json:"status"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
	Type   string `json:"type"`
	Reason string `json:"reason"`
}

func (p *Problem) Error() string {
	s := fmt.Sprintf("X %d %s", p.Status, p.Title)
	if p.Detail != "" {
		s += ": " + p.Detail
	}
	return s
}

// notEnrolled reports X's refusal for an endpoint outside the app's
// access level (search on the free tier).
func (p *Problem) notEnrolled() bool {
	return p.Reason == "client-not-enrolled" || strings.HasSuffix(p.Type, "/client-forbidden")
}

func problem(st int, data []byte) *Problem {
	p := &Problem{}
	if json.Unmarshal(data, p) != nil || p.Title == "" {
		// The OAuth endpoints answer {"errors":[{"code","message"}]}.
		var env struct {
			Errors []struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
			} `json:"errors"`
		}
		if json.Unmarshal(data, &env) == nil && len(env.Errors) > 0 {
			p.Title, p.Detail = http.StatusText(st), env.Errors[0].Message
		} else if p.Title == "" {
			p.Title = http.StatusText(st)
		}
	}
	p.Status = st
	return p
}

// do sends one signed request and decodes the answer into out. endpoint
// names the rate window ("mentions", "search"); the request is not sent
// when that window is known to be spent (the 429 would only confirm it).
func (c *Client) do(ctx context.Context, op, endpoint, method, path string, query url.Values, in, out any) (int, error) {
	if err := c.paced(op, endpoint); err != nil {
		return 0, err
	}
	if c.limiter != nil {
		if err := c.limiter.Wait(ctx); err != nil {
			return 0, err
		}
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return 0, &backend.Error{Code: backend.EINTERNAL, Op: op, Err: err}
		}
		body = bytes.NewReader(b)
	}
	u := c.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return 0, &backend.Error{Code: backend.EINTERNAL, Op: op, Err: err}
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		return 0, &backend.Error{Code: backend.EUNAVAILABLE, Op: op, Message: "X cannot be reached", Err: scrub(err)}
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	resp.Body.Close()
	if err != nil {
		return 0, &backend.Error{Code: backend.EUNAVAILABLE, Op: op, Message: "the connection to X broke", Err: scrub(err)}
	}
	c.observe(endpoint, resp.Header)
	st := resp.StatusCode
	if st >= 200 && st < 300 {
		if out != nil && len(data) > 0 {
			if err := json.Unmarshal(data, out); err != nil {
				return st, &backend.Error{Code: backend.EINTERNAL, Op: op, Message: "X sent an answer CaseyOS cannot read", Err: err}
			}
		}
		return st, nil
	}
	return st, c.statusError(op, endpoint, st, resp.Header, data)
}

// scrub drops the URL from a transport error: it holds no secret (OAuth
// 1.0a signs in a header), but a query can hold the watch list.
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// statusError maps a non-2xx answer.
func (c *Client) statusError(op, endpoint string, st int, h http.Header, data []byte) error {
	p := problem(st, data)
	switch {
	case st == http.StatusTooManyRequests:
		return c.rateLimited(op, endpoint, h, p)
	case st == http.StatusUnauthorized:
		return &backend.Error{Code: backend.EUNAUTHORIZED, Op: op, Message: "X refused the credentials: run `caseyos connect x` again", Err: p}
	case st >= 500:
		return &backend.Error{Code: backend.EUNAVAILABLE, Op: op, Message: "X is having trouble; retrying later", Err: p}
	case st == http.StatusNotFound:
		return &backend.Error{Code: backend.ENOTFOUND, Op: op, Message: "not found on X", Err: p}
	case st == http.StatusForbidden && p.notEnrolled():
		return &backend.Error{Code: backend.EUNAUTHORIZED, Op: op, Message: "this X app's access level does not include " + endpoint, Err: p}
	case st == http.StatusForbidden:
		return &backend.Error{Code: backend.EINVALID, Op: op, Message: "X refused: " + nonEmpty(p.Detail, p.Title), Err: p}
	}
	return &backend.Error{Code: backend.EINVALID, Op: op, Message: "X refused the request: " + nonEmpty(p.Detail, p.Title), Err: p}
}

func nonEmpty(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}

// observe records an endpoint's rate headers, and tells the limiter.
func (c *Client) observe(endpoint string, h http.Header) {
	rem, err1 := strconv.Atoi(h.Get("x-rate-limit-remaining"))
	reset, err2 := strconv.ParseInt(h.Get("x-rate-limit-reset"), 10, 64)
	if err1 != nil || err2 != nil {
		return // absent: a proxy, or an endpoint that does not say
	}
	w := window{remaining: rem, reset: time.Unix(reset, 0)}
	c.mu.Lock()
	c.windows[endpoint] = w
	c.mu.Unlock()
	if c.limiter != nil && endpoint == "mentions" {
		c.limiter.Observe(rem, max(w.reset.Sub(c.clock.Now()), 0))
	}
}

// paced refuses a request whose window is spent, before sending it: X
// would answer 429 until the reset.
func (c *Client) paced(op, endpoint string) error {
	c.mu.Lock()
	w, ok := c.windows[endpoint]
	c.mu.Unlock()
	now := c.clock.Now()
	if !ok || w.remaining > 0 || !w.reset.After(now) {
		return nil
	}
	return c.limited(op, endpoint, w.reset, nil)
}

// rateLimited maps a 429: X says when the window resets (absolute epoch
// seconds) and sends no Retry-After; without the header the window is
// X's 15 minutes.
func (c *Client) rateLimited(op, endpoint string, h http.Header, p *Problem) error {
	now := c.clock.Now()
	reset := now.Add(15 * time.Minute)
	if v, err := strconv.ParseInt(h.Get("x-rate-limit-reset"), 10, 64); err == nil && v > 0 {
		reset = time.Unix(v, 0)
	}
	c.mu.Lock()
	c.windows[endpoint] = window{remaining: 0, reset: reset}
	c.mu.Unlock()
	return c.limited(op, endpoint, reset, p)
}

func (c *Client) limited(op, endpoint string, reset time.Time, p *Problem) error {
	wait := max(reset.Sub(c.clock.Now()), time.Second)
	if c.limiter != nil {
		c.limiter.Observe(0, wait)
	}
	rl := &backend.RateLimited{Limit: "15-minute window for " + endpoint, Wait: wait}
	if p != nil {
		rl.Err = p
	}
	return &backend.Error{Code: backend.EUNAVAILABLE, Op: op, Err: rl,
		Message: fmt.Sprintf("X's rate limit for %s is reached until %s", endpoint, reset.UTC().Format("15:04:05 MST"))}
}
