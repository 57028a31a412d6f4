package gcal

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

	"google.golang.org/api/calendar/v3"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"

	"github.com/caseyos/caseyos/backend"
)

var (
	_ backend.Poller   = (*Client)(nil)
	_ backend.Calendar = (*Client)(nil)
)

// DefaultBaseURL is Calendar's API root; the trailing slash matters.
const DefaultBaseURL = "https://www.googleapis.com/calendar/v3/"

// Defaults for Config.
const (
	DefaultAccount   = "gcal"
	DefaultLookAhead = 48 * time.Hour
	DefaultLookBack  = 7 * 24 * time.Hour
	DefaultRetries   = 3
)

// DefaultBackoff paces retries after a rate-limit answer.
var DefaultBackoff = backend.Backoff{Min: time.Second, Max: 32 * time.Second}

// MaxInlineWait is the longest Retry-After a request waits for itself;
// a longer one is returned for the caller to wait out.
const MaxInlineWait = 5 * time.Second

// Config configures a Client. HTTPClient and Owner are required.
type Config struct {
	// HTTPClient must add Google credentials (google.NewClient).
	HTTPClient *http.Client
	// BaseURL is the API root (CASEYOS_GCAL_BASE_URL); "" = DefaultBaseURL.
	BaseURL string
	// Account names the account to the sync engine; "" = "gcal".
	Account string
	// CalendarID is the calendar to read and write; "" = "primary".
	CalendarID string
	// Owner is the founder's address. Guests outside its domain (and
	// InternalDomains) are external; with a webmail address only the
	// owner is internal.
	Owner           string
	InternalDomains []string
	// LookAhead is how soon a meeting must start to be upcoming.
	LookAhead time.Duration
	// LookBack bounds the first (and a forced full) sync: meetings that
	// ended longer ago give no signal.
	LookBack time.Duration
	// Directory ties a guest to the CRM's records; nil knows nobody.
	Directory backend.Directory
	Limiter   backend.RateLimiter // paces every request (may be nil)
	// Retries is how many times a rate-limited request is retried inside
	// the client (0 = DefaultRetries, negative = none); a lasting limit,
	// or a Retry-After over MaxInlineWait, is returned as a
	// backend.RateLimited for the sync pass to wait out.
	Retries int
	Backoff backend.Backoff // zero = DefaultBackoff
	Clock   backend.Clock   // nil = the system clock
}

// Client is the Calendar connector. It is safe for concurrent use.
type Client struct {
	cfg Config
	svc *calendar.Service

	mu      sync.Mutex
	calls   map[string]int64
	retries int
}

// New returns a Client. It makes no request.
func New(ctx context.Context, cfg Config) (*Client, error) {
	if cfg.HTTPClient == nil {
		return nil, backend.Errorf(backend.EINVALID, "the Calendar connector needs an authorized HTTP client")
	}
	if !backend.ValidEmail(strings.ToLower(cfg.Owner)) {
		return nil, backend.Errorf(backend.EINVALID, "the Calendar connector needs the owner's address to tell external guests")
	}
	cfg.Owner = strings.ToLower(cfg.Owner)
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if !strings.HasSuffix(cfg.BaseURL, "/") {
		cfg.BaseURL += "/" // without it the client drops "v3" from the path
	}
	if cfg.Account == "" {
		cfg.Account = DefaultAccount
	}
	if cfg.CalendarID == "" {
		cfg.CalendarID = "primary"
	}
	if cfg.LookAhead <= 0 {
		cfg.LookAhead = DefaultLookAhead
	}
	if cfg.LookBack <= 0 {
		cfg.LookBack = DefaultLookBack
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
	svc, err := calendar.NewService(ctx, option.WithHTTPClient(cfg.HTTPClient), option.WithEndpoint(cfg.BaseURL))
	if err != nil {
		return nil, &backend.Error{Code: backend.EINTERNAL, Message: "Could not set up the Calendar client.", Op: "gcal.New", Err: err}
	}
	return &Client{cfg: cfg, svc: svc, calls: map[string]int64{}}, nil
}

// Account names this account to the sync engine.
func (c *Client) Account() string { return c.cfg.Account }

// Requests returns the requests made per method, retries included:
// Calendar's quota counts requests (600 a minute per user).
func (c *Client) Requests() map[string]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int64, len(c.calls))
	for k, v := range c.calls {
		out[k] = v
	}
	return out
}

// do runs one API call: it waits for the limiter, counts it, and retries
// rate-limit answers (and, for idempotent calls, server errors) with
// jittered backoff. Calendar sends its rate limits as 403 or 429.
func (c *Client) do(ctx context.Context, method string, idempotent bool, call func() error) error {
	for attempt := 1; ; attempt++ {
		if c.cfg.Limiter != nil {
			if err := c.cfg.Limiter.Wait(ctx); err != nil {
				return &backend.Error{Code: backend.EUNAVAILABLE, Message: "Calendar sync was stopped.", Op: "gcal." + method, Err: err}
			}
		}
		c.mu.Lock()
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
		wait := c.cfg.Backoff.Delay(attempt, rand.Float64())
		if rl != nil && rl.Wait > 0 {
			wait = rl.Wait // the server's Retry-After, or the daily reset
		}
		if rl != nil && c.cfg.Limiter != nil {
			c.cfg.Limiter.Observe(0, wait)
		}
		retry := rl != nil && !rl.Daily || idempotent && serverError(err)
		if !retry || attempt > c.cfg.Retries || ctx.Err() != nil || wait > MaxInlineWait {
			return mapError("gcal."+method, err, rl)
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return mapError("gcal."+method, ctx.Err(), nil)
		}
	}
}

func googleCode(err error) int {
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		return ge.Code
	}
	return 0
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

func serverError(err error) bool { return googleCode(err) >= 500 }

// mapError turns a client error into a backend.Error.
func mapError(op string, err error, rl *backend.RateLimited) error {
	var be *backend.Error
	if errors.As(err, &be) {
		return backend.WrapError(op, err)
	}
	if rl != nil {
		msg := "Google Calendar is rate limiting CaseyOS (" + rl.Limit + ")."
		if rl.Daily {
			msg = "Google Calendar's daily quota is used up; it resets at midnight Pacific time (" + rl.Reset.UTC().Format("2006-01-02 15:04 MST") + ")."
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
			return &backend.Error{Code: backend.EUNAUTHORIZED, Message: "Google Calendar no longer accepts CaseyOS's access; reconnect Google.", Op: op, Err: err}
		case ge.Code == http.StatusForbidden:
			return &backend.Error{Code: backend.EUNAUTHORIZED, Message: "Google Calendar refused access (" + reason + "); reconnect Google and allow Calendar.", Op: op, Err: err}
		case ge.Code == http.StatusNotFound, ge.Code == http.StatusGone:
			return &backend.Error{Code: backend.ENOTFOUND, Message: "Google Calendar has no such event.", Op: op, Err: err}
		case ge.Code == http.StatusConflict:
			return &backend.Error{Code: backend.ECONFLICT, Message: "An event with this id already exists.", Op: op, Err: err}
		case ge.Code == http.StatusBadRequest:
			return &backend.Error{Code: backend.EINVALID, Message: "Google Calendar rejected the request: " + ge.Message, Op: op, Err: err}
		case ge.Code >= 500:
			return &backend.Error{Code: backend.EUNAVAILABLE, Message: "Google Calendar is having trouble; trying again later.", Op: op, Err: err}
		}
		return &backend.Error{Code: backend.EINTERNAL, Message: "Google Calendar answered unexpectedly.", Op: op, Err: err}
	}
	var ne net.Error
	var ue *url.Error
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) || errors.As(err, &ue) {
		return &backend.Error{Code: backend.EUNAVAILABLE, Message: "Google Calendar cannot be reached.", Op: op, Err: err}
	}
	return &backend.Error{Code: backend.EINTERNAL, Message: "Google Calendar failed unexpectedly.", Op: op, Err: err}
}

// lookup asks the directory who addr is.
func (c *Client) lookup(addr string) (backend.DirectoryMatch, bool) {
	if c.cfg.Directory == nil {
		return backend.DirectoryMatch{}, false
	}
	return c.cfg.Directory.LookupEmail(context.Background(), addr)
}
