package gmail

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"google.golang.org/api/gmail/v1"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"

	"github.com/caseyos/caseyos/backend"
)

var (
	_ backend.Poller     = (*Client)(nil)
	_ backend.MorePoller = (*Client)(nil)
	_ backend.Mailbox    = (*Client)(nil)
)

// DefaultBaseURL is Gmail's API root.
const DefaultBaseURL = "https://gmail.googleapis.com/"

// Defaults for Config.
const (
	DefaultAccount    = "gmail"
	DefaultLookBack   = 14 * 24 * time.Hour
	DefaultMaxResync  = 500
	DefaultMaxPerPoll = 1000
	DefaultRetries    = 3
)

// DefaultBackoff paces retries after a rate-limit answer.
var DefaultBackoff = backend.Backoff{Min: time.Second, Max: 32 * time.Second}

// MaxInlineWait is the longest Retry-After a request waits for itself;
// a longer one is returned for the caller to wait out.
const MaxInlineWait = 5 * time.Second

// Config configures a Client. Only HTTPClient is required.
type Config struct {
	// HTTPClient must add Google credentials (google.NewClient).
	HTTPClient *http.Client
	// BaseURL is the API root (CASEYOS_GMAIL_BASE_URL); "" = DefaultBaseURL.
	BaseURL string
	// Account names the account to the sync engine; "" = "gmail".
	Account string
	// Address is the mailbox owner's address; "" = asked of Gmail once.
	Address  string
	FromName string // display name on sent mail
	// LookBack bounds the first sync and a resync after a stale history id.
	LookBack time.Duration
	// MaxResync bounds how many messages a (re)sync fetches.
	MaxResync int
	// MaxPerPoll bounds the messages one incremental Poll fetches; the rest
	// come in the next Poll (More reports true).
	MaxPerPoll int
	// Directory ties a sender to the CRM's records; nil knows nobody.
	// email.received is only emitted for known senders.
	Directory backend.Directory
	// Limiter paces every request (may be nil).
	Limiter backend.RateLimiter
	// Retries is how many times a rate-limited request is retried before
	// the error is returned; 0 = DefaultRetries, negative = none. These
	// quick retries absorb a brief limit without losing the Poll's work;
	// a lasting one (or a Retry-After over MaxInlineWait) is returned as
	// a backend.RateLimited, which the sync pass waits out and says so.
	Retries int
	Backoff backend.Backoff // zero = DefaultBackoff
	Clock   backend.Clock   // nil = the system clock
	// Concurrency is how many messages are fetched at once; 0 = 4.
	Concurrency int
}

// Client is the Gmail connector. It is safe for concurrent use.
type Client struct {
	cfg Config
	svc *gmail.Service

	mu      sync.Mutex
	owner   string
	ours    map[string]bool // threads we have written in
	units   int64
	calls   map[string]int64
	more    bool
	retries int
}

// New returns a Client. It makes no request.
func New(ctx context.Context, cfg Config) (*Client, error) {
	if cfg.HTTPClient == nil {
		return nil, backend.Errorf(backend.EINVALID, "the Gmail connector needs an authorized HTTP client")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if !strings.HasSuffix(cfg.BaseURL, "/") {
		cfg.BaseURL += "/"
	}
	if cfg.Account == "" {
		cfg.Account = DefaultAccount
	}
	if cfg.LookBack <= 0 {
		cfg.LookBack = DefaultLookBack
	}
	if cfg.MaxResync <= 0 {
		cfg.MaxResync = DefaultMaxResync
	}
	if cfg.MaxPerPoll <= 0 {
		cfg.MaxPerPoll = DefaultMaxPerPoll
	}
	if cfg.Retries == 0 {
		cfg.Retries = DefaultRetries
	}
	if cfg.Backoff == (backend.Backoff{}) {
		cfg.Backoff = DefaultBackoff
	}
	if cfg.Clock == nil {
		cfg.Clock = backend.SystemClock{}
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 4
	}
	svc, err := gmail.NewService(ctx, option.WithHTTPClient(cfg.HTTPClient), option.WithEndpoint(cfg.BaseURL))
	if err != nil {
		return nil, &backend.Error{Code: backend.EINTERNAL, Message: "Could not set up the Gmail client.", Op: "gmail.New", Err: err}
	}
	return &Client{cfg: cfg, svc: svc, owner: strings.ToLower(cfg.Address), ours: map[string]bool{}, calls: map[string]int64{}}, nil
}

// Account names this account to the sync engine.
func (c *Client) Account() string { return c.cfg.Account }

// More reports whether the last Poll stopped before the end of the history
// (the sync engine's MorePoller): polling again at once fetches the rest.
func (c *Client) More() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.more
}

// Units is Gmail's published quota cost per method.
var Units = map[string]int64{
	"users.getProfile": 1, "users.history.list": 2, "users.messages.list": 5, "users.messages.get": 5,
	"users.threads.get": 10, "users.drafts.create": 10, "users.drafts.delete": 10, "users.messages.send": 100,
}

// Quota is what the client has spent since it was made (or reset).
type Quota struct {
	Units   int64            // Gmail quota units, by the published per-method costs
	Calls   map[string]int64 // requests per method, retries included
	Retries int              // requests repeated after a rate-limit or server error
}

// Quota returns the units and calls spent so far.
func (c *Client) Quota() Quota {
	c.mu.Lock()
	defer c.mu.Unlock()
	q := Quota{Units: c.units, Calls: map[string]int64{}, Retries: c.retries}
	for k, v := range c.calls {
		q.Calls[k] = v
	}
	return q
}

// ResetQuota zeroes the counters.
func (c *Client) ResetQuota() {
	c.mu.Lock()
	c.units, c.calls, c.retries = 0, map[string]int64{}, 0
	c.mu.Unlock()
}

// Address returns the mailbox owner's address, asking Gmail once.
func (c *Client) Address(ctx context.Context) (string, error) {
	c.mu.Lock()
	owner := c.owner
	c.mu.Unlock()
	if owner != "" {
		return owner, nil
	}
	p, err := c.profile(ctx)
	if err != nil {
		return "", err
	}
	return strings.ToLower(p.EmailAddress), nil
}

func (c *Client) profile(ctx context.Context) (*gmail.Profile, error) {
	var p *gmail.Profile
	err := c.do(ctx, "users.getProfile", true, func() (err error) {
		p, err = c.svc.Users.GetProfile("me").Context(ctx).Do()
		return err
	})
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.owner == "" {
		c.owner = strings.ToLower(p.EmailAddress)
	}
	c.mu.Unlock()
	return p, nil
}

// do runs one API call: it waits for the limiter, counts the units, and
// retries rate-limit answers (and, for idempotent calls, server errors)
// with jittered backoff. A rate-limit 403/429 is Gmail refusing before doing
// anything, so even a send may be retried; a 5xx on a send may have sent.
func (c *Client) do(ctx context.Context, method string, idempotent bool, call func() error) error {
	for attempt := 1; ; attempt++ {
		if c.cfg.Limiter != nil {
			if err := c.cfg.Limiter.Wait(ctx); err != nil {
				return &backend.Error{Code: backend.EUNAVAILABLE, Message: "Gmail sync was stopped.", Op: "gmail." + method, Err: err}
			}
		}
		c.mu.Lock()
		c.units += Units[method]
		c.calls[method]++
		if attempt > 1 {
			c.retries++
		}
		c.mu.Unlock()
		err := call()
		if err == nil {
			return nil
		}
		rl := rateLimited(err, c.cfg.Clock.Now())
		retry := rl != nil && !rl.Daily || idempotent && serverError(err)
		wait := c.cfg.Backoff.Delay(attempt, rand.Float64())
		if rl != nil && rl.Wait > 0 {
			wait = rl.Wait // the server's Retry-After, or the daily reset
		}
		if rl != nil && c.cfg.Limiter != nil {
			c.cfg.Limiter.Observe(0, wait) // Google sends no rate headers: hold the bucket ourselves
		}
		if !retry || attempt > c.cfg.Retries || ctx.Err() != nil || wait > MaxInlineWait {
			return mapError("gmail."+method, err, rl)
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return mapError("gmail."+method, ctx.Err(), nil)
		}
	}
}

// rateLimited describes a usage-limit answer — a 429 (whatever its body),
// or a 403 with a rate or quota reason — and nil for anything else. Wait
// is the Retry-After when Google sent one, 0 when it did not; a daily
// limit waits until Google's quotas reset.
func rateLimited(err error, now time.Time) *backend.RateLimited {
	var ge *googleapi.Error
	if !errors.As(err, &ge) || ge.Code != http.StatusTooManyRequests && ge.Code != http.StatusForbidden {
		return nil
	}
	rl := &backend.RateLimited{Limit: "rate limit", Err: err}
	known := ge.Code == http.StatusTooManyRequests
	for _, e := range ge.Errors {
		switch e.Reason {
		case "userRateLimitExceeded":
			rl.Limit, known = "per-user rate limit", true
		case "rateLimitExceeded", "quotaExceeded":
			known = true
		case "dailyLimitExceeded":
			rl.Limit, rl.Daily, rl.Wait = "daily limit", true, untilPacificMidnight(now)
			rl.Reset = now.Add(rl.Wait)
			return rl
		}
	}
	if !known {
		return nil
	}
	if d, ok := backend.ParseRetryAfter(ge.Header.Get("Retry-After"), now); ok {
		rl.Wait = d
	}
	return rl
}

func serverError(err error) bool {
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		return ge.Code >= 500
	}
	return false
}

// untilPacificMidnight is when Google's daily quotas reset.
func untilPacificMidnight(now time.Time) time.Duration {
	loc, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		return time.Hour
	}
	n := now.In(loc)
	next := time.Date(n.Year(), n.Month(), n.Day()+1, 0, 0, 0, 0, loc)
	return next.Sub(n)
}

// mapError turns a client error into a backend.Error: 401 and missing
// permissions mean reconnect, rate limits and 5xx are retryable, 404 is
// not_found.
func mapError(op string, err error, rl *backend.RateLimited) error {
	var be *backend.Error
	if errors.As(err, &be) {
		return backend.WrapError(op, err) // from the token source: keep its code
	}
	if rl != nil {
		msg := "Gmail is rate limiting CaseyOS (" + rl.Limit + ")."
		if rl.Daily {
			msg = "Gmail's daily quota is used up; it resets at midnight Pacific time (" + rl.Reset.UTC().Format("2006-01-02 15:04 MST") + ")."
		}
		return &backend.Error{Code: backend.EUNAVAILABLE, Op: op, Err: rl, Message: msg}
	}
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		reason := ""
		if len(ge.Errors) > 0 {
			reason = ge.Errors[0].Reason
		}
		switch {
		case ge.Code == http.StatusUnauthorized:
			return &backend.Error{Code: backend.EUNAUTHORIZED, Message: "Gmail no longer accepts CaseyOS's access; reconnect Google.", Op: op, Err: err}
		case ge.Code == http.StatusForbidden:
			return &backend.Error{Code: backend.EUNAUTHORIZED, Message: "Gmail refused access (" + reason + "); reconnect Google and allow Gmail.", Op: op, Err: err}
		case ge.Code == http.StatusNotFound:
			return &backend.Error{Code: backend.ENOTFOUND, Message: "Gmail has no such item.", Op: op, Err: err}
		case ge.Code == http.StatusConflict:
			return &backend.Error{Code: backend.ECONFLICT, Message: "Gmail reports a conflict.", Op: op, Err: err}
		case ge.Code == http.StatusBadRequest:
			return &backend.Error{Code: backend.EINVALID, Message: "Gmail rejected the request: " + ge.Message, Op: op, Err: err}
		case ge.Code >= 500:
			return &backend.Error{Code: backend.EUNAVAILABLE, Message: "Gmail is having trouble; trying again later.", Op: op, Err: err}
		}
		return &backend.Error{Code: backend.EINTERNAL, Message: "Gmail answered unexpectedly.", Op: op, Err: err}
	}
	var ne net.Error
	var ue *url.Error
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) || errors.As(err, &ue) {
		return &backend.Error{Code: backend.EUNAVAILABLE, Message: "Gmail cannot be reached.", Op: op, Err: err}
	}
	return &backend.Error{Code: backend.EINTERNAL, Message: "Gmail failed unexpectedly.", Op: op, Err: err}
}

// lookup asks the directory who addr is.
func (c *Client) lookup(addr string) (backend.DirectoryMatch, bool) {
	if c.cfg.Directory == nil {
		return backend.DirectoryMatch{}, false
	}
	return c.cfg.Directory.LookupEmail(context.Background(), addr)
}
