package gmail

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"google.golang.org/api/gmail/v1"
	"google.golang.org/api/option"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/internal/googleapi"
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
	DefaultRetries    = googleapi.DefaultRetries
)

// DefaultBackoff paces retries after a rate-limit answer.
var DefaultBackoff = googleapi.DefaultBackoff

// MaxInlineWait is the longest Retry-After a request waits for itself;
// a longer one is returned for the caller to wait out.
const MaxInlineWait = googleapi.MaxInlineWait

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
	api *googleapi.API // the request loop: pacing, retries, error mapping

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
	c := &Client{cfg: cfg, svc: svc, owner: strings.ToLower(cfg.Address), ours: map[string]bool{}, calls: map[string]int64{}}
	c.api = &googleapi.API{Op: "gmail", Name: "Gmail", Product: "Gmail",
		NotFound: "Gmail has no such item.", Conflict: "Gmail reports a conflict.",
		Limiter: cfg.Limiter, Retries: cfg.Retries, Backoff: cfg.Backoff, Clock: cfg.Clock, Count: c.count}
	return c, nil
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

// OwnerAddress is the mailbox owner's address when known (configured, or
// asked of Gmail before), without a request; "" otherwise.
func (c *Client) OwnerAddress() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.owner
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
	err := c.api.Do(ctx, "users.getProfile", true, func() (err error) {
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

// count tallies a request before it goes out: its quota units and, after
// the first attempt, a retry.
func (c *Client) count(method string, retry bool) {
	c.mu.Lock()
	c.units += Units[method]
	c.calls[method]++
	if retry {
		c.retries++
	}
	c.mu.Unlock()
}

// lookup asks the directory who addr is.
func (c *Client) lookup(addr string) (backend.DirectoryMatch, bool) {
	if c.cfg.Directory == nil {
		return backend.DirectoryMatch{}, false
	}
	return c.cfg.Directory.LookupEmail(context.Background(), addr)
}
