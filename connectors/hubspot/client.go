package hubspot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// DefaultBaseURL is HubSpot's API.
const DefaultBaseURL = "https://api.hubapi.com"

// Limits are HubSpot's published rate limits for private apps on the
// Free/Starter tier, the safe default for a limiter: 100 requests per
// rolling 10 seconds.
var Limits = backend.Limit{Requests: 100, Per: 10 * time.Second}

// Config wires a Client.
type Config struct {
	// BaseURL is the API's base (default DefaultBaseURL); the caller reads
	// CASEYOS_HUBSPOT_BASE_URL to point it at a fake or a proxy.
	BaseURL string
	// Account names the keychain entry and the sync account (default "hubspot").
	Account    string
	HTTPClient *http.Client
	Clock      backend.Clock
	// Limiter paces requests; nil sends them as fast as HubSpot allows.
	Limiter backend.RateLimiter
	// Secrets saves refreshed OAuth credentials under Account.
	Secrets     backend.Secrets
	Credentials Credentials
	// Settings gives the stalled-deal rule and the demo stages; nil means
	// backend.DefaultSettings.
	Settings func() *backend.Settings

	// PageBudget caps the pages one Poll fetches before it returns with a
	// cursor that resumes the pass (default 20, i.e. 2,000 records): the
	// sync engine stores each Poll's signals in one transaction, so the
	// budget bounds the memory a first sync holds and the work a crash
	// repeats, whatever the account's size.
	PageBudget int
	// HistoryWindow is how far back a first sync reports stage changes and
	// form submissions as signals (default 45 days); older ones still
	// mirror the record through its latest stage.
	HistoryWindow time.Duration
	// SearchLag is how far behind now an incremental pass stops: HubSpot's
	// search index takes seconds to see a change (default 30 s).
	SearchLag time.Duration
}

// Client talks to one HubSpot account.
type Client struct {
	base     string
	account  string
	http     *http.Client
	clock    backend.Clock
	limiter  backend.RateLimiter
	secrets  backend.Secrets
	settings func() *backend.Settings
	budget   int
	window   time.Duration
	lag      time.Duration

	mu    sync.Mutex // guards creds and keyProp
	creds Credentials

	keyProp bool // the task idempotency-key property is known to exist

	more atomic.Bool // the last Poll stopped before the end of its pass
}

var (
	_ backend.Poller     = (*Client)(nil)
	_ backend.MorePoller = (*Client)(nil)
	_ backend.CRM        = (*Client)(nil)
)

// New returns a Client for cfg; it makes no request.
func New(cfg Config) (*Client, error) {
	if cfg.Credentials.empty() {
		return nil, backend.Errorf(backend.EUNAUTHORIZED, "HubSpot is not connected: add a private-app token or sign in")
	}
	base := strings.TrimRight(cfg.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, backend.Errorf(backend.EINVALID, "HubSpot base URL %q is not an http(s) URL", cfg.BaseURL)
	}
	c := &Client{
		base: base, account: cfg.Account, http: cfg.HTTPClient, clock: cfg.Clock, limiter: cfg.Limiter,
		secrets: cfg.Secrets, settings: cfg.Settings, budget: cfg.PageBudget, window: cfg.HistoryWindow,
		lag: cfg.SearchLag, creds: cfg.Credentials,
	}
	if c.account == "" {
		c.account = "hubspot"
	}
	if c.http == nil {
		c.http = &http.Client{Timeout: 60 * time.Second}
	}
	if c.clock == nil {
		c.clock = backend.SystemClock{}
	}
	if c.budget <= 0 {
		c.budget = 20
	}
	if c.window <= 0 {
		c.window = 45 * 24 * time.Hour
	}
	if c.lag == 0 {
		c.lag = 30 * time.Second
	}
	if c.lag < 0 {
		c.lag = 0
	}
	if c.creds.OAuth() && c.creds.TokenURL == "" {
		c.creds.TokenURL = base + "/oauth/v1/token"
	}
	return c, nil
}

// Account names the account this client syncs.
func (c *Client) Account() string { return c.account }

// Credentials returns the current credentials (refreshed ones included).
func (c *Client) Credentials() Credentials {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.creds
}

func (c *Client) currentSettings() *backend.Settings {
	if c.settings != nil {
		if st := c.settings(); st != nil {
			return st
		}
	}
	return backend.DefaultSettings()
}

// retryable is an unavailable failure that knows how long to wait.
type retryable struct {
	err  error
	wait time.Duration
}

func (r *retryable) Error() string             { return r.err.Error() }
func (r *retryable) Unwrap() error             { return r.err }
func (r *retryable) RetryAfter() time.Duration { return r.wait }

// APIError is HubSpot's error envelope with the HTTP status.
type APIError struct {
	Status     int
	Category   string
	Message    string
	PolicyName string // for a 429: TEN_SECONDLY_ROLLING, DAILY, SECONDLY
}

func (e *APIError) Error() string {
	if e.Category != "" {
		return fmt.Sprintf("HubSpot answered %d %s: %s", e.Status, e.Category, e.Message)
	}
	return fmt.Sprintf("HubSpot answered %d: %s", e.Status, e.Message)
}

func unavailable(op, msg string, err error, wait time.Duration) error {
	return &backend.Error{Code: backend.EUNAVAILABLE, Op: op, Message: msg, Err: &retryable{err: err, wait: wait}}
}

// Defaults for waits HubSpot does not announce.
const (
	serverErrorWait = 10 * time.Second
	networkWait     = 15 * time.Second
	windowWait      = 10 * time.Second
)

// do sends one API request and decodes a 2xx answer into out. A 207 is
// returned as status 207 with out decoded: the caller reads its errors.
func (c *Client) do(ctx context.Context, op, method, path string, query url.Values, in, out any) (int, error) {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return 0, &backend.Error{Code: backend.EINTERNAL, Op: op, Err: err}
		}
	}
	u := c.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	for attempt := 0; ; attempt++ {
		token, err := c.accessToken(ctx, false)
		if err != nil {
			return 0, backend.WrapError(op, err)
		}
		if c.limiter != nil {
			if err := c.limiter.Wait(ctx); err != nil {
				return 0, err
			}
		}
		req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
		if err != nil {
			return 0, &backend.Error{Code: backend.EINTERNAL, Op: op, Err: err}
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Accept", "application/json")
		if in != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := c.http.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return 0, ctx.Err()
			}
			return 0, unavailable(op, "HubSpot cannot be reached", scrubURLError(err), networkWait)
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
		resp.Body.Close()
		if err != nil {
			return 0, unavailable(op, "the connection to HubSpot broke", scrubURLError(err), networkWait)
		}
		c.observe(resp.Header)
		switch st := resp.StatusCode; {
		case st >= 200 && st < 300:
			if out != nil && len(data) > 0 && st != http.StatusNoContent {
				if err := json.Unmarshal(data, out); err != nil {
					return st, &backend.Error{Code: backend.EINTERNAL, Op: op, Message: "HubSpot sent an answer CaseyOS cannot read", Err: err}
				}
			}
			return st, nil
		case st == http.StatusUnauthorized:
			if attempt == 0 && c.Credentials().OAuth() {
				if _, err := c.accessToken(ctx, true); err != nil {
					return 0, backend.WrapError(op, err)
				}
				continue
			}
			return st, &backend.Error{Code: backend.EUNAUTHORIZED, Op: op,
				Message: "HubSpot refused the credentials; reconnect HubSpot", Err: apiError(st, data)}
		default:
			return st, c.statusError(op, st, resp.Header, data)
		}
	}
}

// statusError maps a non-2xx answer other than 401.
func (c *Client) statusError(op string, st int, h http.Header, data []byte) error {
	ae := apiError(st, data)
	switch {
	case st == http.StatusTooManyRequests:
		return c.rateLimited(op, h, ae)
	case st >= 500:
		wait := serverErrorWait
		if d, ok := backend.ParseRetryAfter(h.Get("Retry-After"), c.clock.Now()); ok && d > 0 {
			wait = d
		}
		return unavailable(op, "HubSpot is having trouble; retrying later", ae, wait)
	case st == http.StatusNotFound:
		return &backend.Error{Code: backend.ENOTFOUND, Op: op, Message: "not found in HubSpot", Err: ae}
	case st == http.StatusConflict:
		return &backend.Error{Code: backend.ECONFLICT, Op: op, Message: "HubSpot reports a conflict: " + ae.Message, Err: ae}
	case st == http.StatusForbidden:
		return &backend.Error{Code: backend.EUNAUTHORIZED, Op: op, Message: "HubSpot denied access; reconnect with the needed scopes", Err: ae}
	case st >= 400:
		return &backend.Error{Code: backend.EINVALID, Op: op, Message: "HubSpot refused the request: " + ae.Message, Err: ae}
	}
	return &backend.Error{Code: backend.EINTERNAL, Op: op, Err: ae}
}

// rateLimited maps a 429. HubSpot names the policy in a JSON body and may
// send its rate headers and a Retry-After; proxies and HubSpot itself
// also answer with none of these, and a 429 that says nothing is the
// 10-second window, HubSpot's usual one. Retry-After is not reliable
// (../shared/docs/api-facts.md): a shorter one than the window is not
// trusted.
func (c *Client) rateLimited(op string, h http.Header, ae *APIError) error {
	now := c.clock.Now()
	rl := &backend.RateLimited{Limit: "10-second window", Wait: windowWait, Err: ae}
	msg := "HubSpot's rate limit is reached (10-second window)"
	switch {
	case ae.PolicyName == "DAILY" || h.Get("X-HubSpot-RateLimit-Daily-Remaining") == "0":
		rl.Limit, rl.Daily, rl.Wait = "daily limit", true, untilUTCMidnight(now)
		rl.Reset = now.Add(rl.Wait)
		msg = "HubSpot's daily API limit is reached; it resets at midnight in your HubSpot account's time zone, and CaseyOS syncs again after " +
			rl.Reset.UTC().Format("2006-01-02 15:04 MST")
	case ae.PolicyName == "SECONDLY":
		rl.Limit, rl.Wait = "search requests per second", time.Second
		msg = "HubSpot's search rate limit is reached"
	default:
		if ms, err := strconv.Atoi(h.Get("X-HubSpot-RateLimit-Interval-Milliseconds")); err == nil && ms > 0 {
			rl.Wait = time.Duration(ms) * time.Millisecond
		}
	}
	if d, ok := backend.ParseRetryAfter(h.Get("Retry-After"), now); ok && !rl.Daily && d > rl.Wait {
		rl.Wait = d
	}
	if c.limiter != nil {
		c.limiter.Observe(0, rl.Wait)
	}
	return &backend.Error{Code: backend.EUNAVAILABLE, Op: op, Message: msg, Err: rl}
}

func apiError(st int, data []byte) *APIError {
	var env struct {
		Message    string `json:"message"`
		Category   string `json:"category"`
		PolicyName string `json:"policyName"`
	}
	e := &APIError{Status: st}
	if json.Unmarshal(data, &env) == nil {
		e.Message, e.Category, e.PolicyName = env.Message, env.Category, env.PolicyName
	}
	if e.Message == "" {
		e.Message = http.StatusText(st)
	}
	return e
}

// observe reports the rate-limit headers to the limiter.
func (c *Client) observe(h http.Header) {
	if c.limiter == nil {
		return
	}
	rem, err := strconv.Atoi(h.Get("X-HubSpot-RateLimit-Remaining"))
	if err != nil {
		return // search answers carry no rate headers
	}
	var reset time.Duration
	if ms, err := strconv.Atoi(h.Get("X-HubSpot-RateLimit-Interval-Milliseconds")); err == nil {
		reset = time.Duration(ms) * time.Millisecond
	}
	if d, err := strconv.Atoi(h.Get("X-HubSpot-RateLimit-Daily-Remaining")); err == nil && d < rem {
		rem = d
		if d == 0 {
			reset = untilUTCMidnight(c.clock.Now())
		}
	}
	c.limiter.Observe(rem, reset)
}

// untilUTCMidnight is the wait for HubSpot's daily limit to reset. HubSpot
// resets at midnight in the account's time zone, which the API does not
// tell; UTC midnight plus a minute is a guess that the next 429 corrects.
func untilUTCMidnight(now time.Time) time.Duration {
	u := now.UTC()
	next := time.Date(u.Year(), u.Month(), u.Day()+1, 0, 1, 0, 0, time.UTC)
	return next.Sub(u)
}

// scrubURLError drops the URL from a transport error: it holds no token,
// but a proxy URL may hold a password.
func scrubURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		var ne net.Error
		if errors.As(ue.Err, &ne) && ne.Timeout() {
			return fmt.Errorf("%s: timeout", ue.Op)
		}
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
