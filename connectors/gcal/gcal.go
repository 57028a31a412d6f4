package gcal

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"google.golang.org/api/calendar/v3"
	"google.golang.org/api/option"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/internal/googleapi"
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
	DefaultRetries   = googleapi.DefaultRetries
)

// DefaultBackoff paces retries after a rate-limit answer.
var DefaultBackoff = googleapi.DefaultBackoff

// MaxInlineWait is the longest Retry-After a request waits for itself;
// a longer one is returned for the caller to wait out.
const MaxInlineWait = googleapi.MaxInlineWait

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
	api *googleapi.API // the request loop: pacing, retries, error mapping

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
	c := &Client{cfg: cfg, svc: svc, calls: map[string]int64{}}
	c.api = &googleapi.API{Op: "gcal", Name: "Google Calendar", Product: "Calendar",
		NotFound: "Google Calendar has no such event.", Conflict: "An event with this id already exists.", GoneIsNotFound: true,
		Limiter: cfg.Limiter, Retries: cfg.Retries, Backoff: cfg.Backoff, Clock: cfg.Clock, Count: c.count}
	return c, nil
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

// count tallies a request before it goes out: Calendar's quota counts
// requests, retries included.
func (c *Client) count(method string, retry bool) {
	c.mu.Lock()
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

// OwnerAddress is the calendar owner's address (Config.Owner).
func (c *Client) OwnerAddress() string { return c.cfg.Owner }
